"""The evidence archive in MongoDB: what was fetched, and what came of it.

Two collections in the ``MONGO_URL`` database (``ARCHIVE_DATABASE`` when the
URL names none):

``responses``
    One record per response that produced documents: the raw body
    (zlib-compressed), headers, status, fetch time, final and requested URL,
    spider and the ids of the documents it produced. Proof of what a page
    said when it was fetched.
``documents``
    One record per document id: the latest normalized document (``doc``), its
    content hash, ``first_seen``/``last_seen``, and its last
    ``ARCHIVE_MAX_VERSIONS`` distinct versions. Nothing is ever deleted, so a
    post deleted at its source stays on record. ``yuqing reindex
    --from-archive`` rebuilds the search index from here.

Plus ``reindex_state``, the resumable positions of ``yuqing reindex``.
Credentials and TLS go in the URL (``mongodb://user:pass@host/db?tls=true``),
read from the environment or a file (``MONGO_URL_FILE``), never from the repo.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import datetime, timezone
from typing import Any, Iterator

INDEXES = (
    ("responses", [("spider", 1), ("fetched_at", -1)]),
    ("responses", [("url", 1)]),
    ("responses", [("doc_ids", 1)]),
    ("documents", [("last_seen", 1)]),
    ("documents", [("url", 1)]),
)
# Fields that change on every fetch without the document changing.
_VOLATILE = ("crawled_at",)


def content_hash(doc: dict) -> str:
    stable = {k: v for k, v in doc.items() if k not in _VOLATILE}
    return hashlib.sha1(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def response_record(*, spider: str, request_url: str, url: str, status: int, headers: list[dict[str, str]],
                    body: bytes, fetched_at: datetime, doc_ids: list[str], level: int = 6) -> dict:
    from bson import Binary

    return {
        "spider": spider, "request_url": request_url, "url": url, "status": status,
        # A list, not a mapping: header names may hold characters a BSON key cannot.
        "headers": headers,
        "body": Binary(zlib.compress(body, level)), "body_encoding": "zlib", "body_bytes": len(body),
        "body_sha1": hashlib.sha1(body).hexdigest(),
        "fetched_at": fetched_at, "doc_ids": doc_ids,
    }


def response_body(record: dict) -> bytes:
    if record.get("body_encoding") == "zlib":
        return zlib.decompress(record["body"])
    return bytes(record["body"])


class Archive:
    def __init__(self, client, database: str, max_versions: int = 10):
        self.client = client
        self.db = client[database]
        self.responses = self.db["responses"]
        self.documents = self.db["documents"]
        self.state = self.db["reindex_state"]
        self.max_versions = max_versions

    @classmethod
    def from_settings(cls, settings) -> "Archive":
        return cls.from_url(settings.get("MONGO_URL"), settings.get("ARCHIVE_DATABASE", "yuqing"),
                            max_versions=settings.getint("ARCHIVE_MAX_VERSIONS", 10),
                            timeout=settings.getfloat("ARCHIVE_TIMEOUT", 10.0))

    @classmethod
    def from_url(cls, url: str, database: str = "yuqing", max_versions: int = 10,
                 timeout: float = 10.0) -> "Archive":
        from pymongo import MongoClient
        from pymongo.uri_parser import parse_uri

        if not url:
            raise ValueError("MONGO_URL is not set: point it at MongoDB (or FerretDB)")
        client = MongoClient(url, tz_aware=True, appname="yuqing", serverSelectionTimeoutMS=int(timeout * 1000),
                             connectTimeoutMS=int(timeout * 1000), socketTimeoutMS=int(timeout * 3000))
        return cls(client, parse_uri(url).get("database") or database, max_versions)

    def ensure_indexes(self) -> None:
        """Idempotent: every worker calls it at start, and only writes what is missing."""
        for name, keys in INDEXES:
            collection = self.db[name]
            index = "_".join(f"{field}_{order}" for field, order in keys)
            if index not in {existing["name"] for existing in collection.list_indexes()}:
                collection.create_index(keys, name=index)

    def close(self) -> None:
        self.client.close()

    # -- writing ---------------------------------------------------------------
    def insert_responses(self, records: list[dict]) -> None:
        if records:
            self.responses.insert_many(records, ordered=False)

    def upsert_documents(self, docs: list[tuple[dict, datetime]]) -> None:
        """Record documents seen at the given times: one round trip per batch."""
        from pymongo import UpdateOne

        operations = []
        for doc, seen_at in docs:
            digest = content_hash(doc)
            operations.append(UpdateOne(
                {"_id": doc["id"]},
                {"$setOnInsert": {"first_seen": seen_at}, "$max": {"last_seen": seen_at},
                 "$set": {"url": doc.get("url"), "spider": doc.get("spider")}},
                upsert=True))
            # Only when the content changed (or is new): a document that did
            # not change does not grow its history.
            operations.append(UpdateOne(
                {"_id": doc["id"], "hash": {"$ne": digest}},
                {"$set": {"doc": doc, "hash": digest, "changed_at": seen_at},
                 "$push": {"versions": {"$each": [{"hash": digest, "seen_at": seen_at, "doc": doc}],
                                        "$slice": -self.max_versions}}}))
        if operations:
            # Ordered: each document's upsert runs before its version update.
            self.documents.bulk_write(operations, ordered=True)

    # -- reading ---------------------------------------------------------------
    @staticmethod
    def _filter(since: datetime | None, after_id: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if since is not None:
            query["last_seen"] = {"$gte": since}
        if after_id is not None:
            query["_id"] = {"$gt": after_id}
        return query

    def count_documents(self, since: datetime | None = None, after_id: str | None = None) -> int:
        return self.documents.count_documents(self._filter(since, after_id))

    def document_batches(self, since: datetime | None = None, after_id: str | None = None,
                         batch: int = 500) -> Iterator[list[dict]]:
        """Latest versions in ``_id`` order, ``batch`` at a time: the position is the last ``_id``."""
        while True:
            page = list(self.documents.find(self._filter(since, after_id), {"doc": 1})
                        .sort("_id", 1).limit(batch))
            if not page:
                return
            yield [record["doc"] for record in page]
            after_id = page[-1]["_id"]

    # -- reindex positions -----------------------------------------------------
    def position(self, name: str) -> dict | None:
        return self.state.find_one({"_id": name})

    def save_position(self, name: str, **fields: Any) -> None:
        self.state.update_one({"_id": name}, {"$set": {**fields, "updated_at": datetime.now(timezone.utc)}},
                              upsert=True)

    def clear_position(self, name: str) -> None:
        self.state.delete_one({"_id": name})
