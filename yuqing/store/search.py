"""Document storage in the search cluster: template, routing, bulk, search."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from .flavor import Backend, SearchConfig, SearchUnavailable, connect
from .template import docs_template
from .textfields import index_text_fields, normalize_for_index

logger = logging.getLogger(__name__)

# Bulk item statuses worth retrying: the cluster is busy or briefly broken.
RETRYABLE_STATUS = {429, 502, 503, 504}


@dataclass
class BulkOutcome:
    indexed: int = 0
    retry: list[dict] = field(default_factory=list)
    """Documents to send again (429/5xx per item, or the whole request failed)."""
    failed: list[tuple[dict, str]] = field(default_factory=list)
    """Documents the cluster rejected for good (mapping errors...), with the reason."""


class SearchStore:
    def __init__(self, backend: Backend, prefix: str = "yuqing", replicas: int = 0):
        self.backend = backend
        self.prefix = prefix
        self.replicas = replicas
        self.alias = f"{prefix}-docs"

    @classmethod
    def from_settings(cls, settings) -> "SearchStore":
        return cls(connect(SearchConfig.from_settings(settings)),
                   prefix=settings.get("SEARCH_INDEX_PREFIX", "yuqing"),
                   replicas=settings.getint("SEARCH_INDEX_REPLICAS", 0))

    @classmethod
    def from_url(cls, url: str, prefix: str = "yuqing", **kwargs) -> "SearchStore":
        return cls(connect(SearchConfig(url=url, **kwargs)), prefix=prefix)

    # -- setup -------------------------------------------------------------
    def ensure_index(self) -> None:
        """Install the template and make sure the read alias exists. Idempotent:
        every worker calls it at start."""
        self.backend.put_index_template(self.alias, docs_template(self.prefix, replicas=self.replicas))
        first = f"{self.alias}-undated"
        if not self.backend.alias_exists(self.alias) and not self.backend.index_exists(first):
            try:
                self.backend.client.indices.create(index=first)
            except Exception as exc:  # another worker created it first
                if "already_exists" not in str(exc) and "resource_already_exists" not in str(exc):
                    raise

    def drop(self) -> None:
        """Delete every document index of this prefix (tests, reindex)."""
        self.backend.delete_index(f"{self.alias}-*")

    # -- writing -----------------------------------------------------------
    def index_for(self, doc: dict) -> str:
        """Monthly index from the publish time, so one document always lands in
        the same index and a re-crawl overwrites it instead of duplicating."""
        published = doc.get("published_at")
        if published:
            return f"{self.alias}-{published[:4]}.{published[5:7]}"
        return f"{self.alias}-undated"

    def to_source(self, doc: dict) -> dict:
        source = dict(doc)
        source.update(index_text_fields(doc))
        source["indexed_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return source

    def bulk_index(self, docs: Iterable[dict]) -> BulkOutcome:
        docs = list(docs)
        outcome = BulkOutcome()
        if not docs:
            return outcome
        operations: list[dict] = []
        for doc in docs:
            operations.append({"index": {"_index": self.index_for(doc), "_id": doc["id"]}})
            operations.append(self.to_source(doc))
        try:
            answer = self.backend.bulk(operations)
        except Exception as exc:
            status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
            if isinstance(status, int) and 400 <= status < 500 and status != 429:
                raise
            logger.warning("bulk request of %d documents failed: %s", len(docs), exc)
            outcome.retry = docs
            return outcome
        for doc, item in zip(docs, answer.get("items", [])):
            result = item.get("index") or next(iter(item.values()))
            status = int(result.get("status", 500))
            if status < 300:
                outcome.indexed += 1
            elif status in RETRYABLE_STATUS:
                outcome.retry.append(doc)
            else:
                error = result.get("error") or {}
                reason = error.get("reason") if isinstance(error, dict) else str(error)
                outcome.failed.append((doc, f"{status} {error.get('type', '') if isinstance(error, dict) else ''}: {reason}"))
        return outcome

    # -- reading -----------------------------------------------------------
    def refresh(self) -> None:
        self.backend.refresh(self.alias)

    def count(self, query: dict | None = None) -> int:
        return self.backend.count(self.alias, query)

    def search_body(self, body: dict) -> dict:
        return self.backend.search(self.alias, body)

    def search(self, text: str, size: int = 10, filters: dict[str, Any] | None = None) -> list[dict]:
        """Keyword search the way an analyst types it into a search box: all
        words must occur; Chinese via bigrams and jieba words, English stemmed-free."""
        # The original text against the CJK-bigram fields, the normalized text
        # (Traditional->Simplified, width folded) against the jieba-word fields.
        must: list[dict] = [{"bool": {"minimum_should_match": 1, "should": [
            {"simple_query_string": {"query": text, "default_operator": "and",
                                     "fields": ["title^3", "content", "title.std^3", "content.std"]}},
            {"simple_query_string": {"query": normalize_for_index(text), "default_operator": "and",
                                     "fields": ["seg.title^2", "seg.content"]}},
        ]}}]
        for name, value in (filters or {}).items():
            must.append({"term": {name: value}})
        body = {"query": {"bool": {"must": must}}, "size": size,
                "highlight": {"fields": {"content": {"fragment_size": 80, "number_of_fragments": 1}}}}
        answer = self.search_body(body)
        return [{"id": hit["_id"], "score": hit["_score"], **hit["_source"],
                 "highlight": (hit.get("highlight") or {}).get("content", [])}
                for hit in answer["hits"]["hits"]]


__all__ = ["SearchStore", "BulkOutcome", "SearchUnavailable"]
