"""The evidence archive in MongoDB (FerretDB here): every response that
produced documents is archived with its raw body, every document with its
versions, and ``yuqing reindex --from-archive`` rebuilds an index with the
same documents, resuming from its saved position after an interruption."""

from __future__ import annotations

import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
import redis

from faults import Workers, all_docs, crawl_env
from yuqing.cli import main as yuqing
from yuqing.demo import seed
from yuqing.store.archive import Archive, response_body
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

CRAWLED, REBUILT = "archive-crawl", "archive-rebuilt"
SEEDS = {"news": ["/news/feed.xml", "/news/sitemap.xml"], "forum": ["/forum/board/1"]}


@pytest.fixture(scope="module")
def crawl(redis_service, search_service, mongo_service, testweb, tmp_path_factory):
    mongo_url = f"{mongo_service.url}yuqing_archive_test"
    archive = Archive.from_url(mongo_url)
    archive.client.drop_database("yuqing_archive_test")
    stores = {name: SearchStore.from_url(search_service.url, prefix=name) for name in (CRAWLED, REBUILT)}
    for store in stores.values():
        store.drop()
    redis.Redis.from_url(redis_service.url).flushdb()
    seed(redis_service.url, testweb.url, SEEDS)
    run_dir = tmp_path_factory.mktemp("archive")
    workers = Workers(run_dir, crawl_env(redis_service.url, search_service.url, CRAWLED, MONGO_URL=mongo_url),
                      spiders=("news", "forum"), settings={"SPOOL_DIR": run_dir / "spool"}).start(2)
    codes = workers.wait(240)
    assert codes == [0, 0], f"logs in {run_dir}"
    yield {"archive": archive, "stores": stores, "workers": workers, "mongo_url": mongo_url,
           "search_url": search_service.url, "docs": all_docs(stores[CRAWLED])}
    for store in stores.values():
        store.drop()
    archive.client.drop_database("yuqing_archive_test")
    archive.close()


def test_every_response_that_produced_documents_is_archived(crawl):
    archive, docs = crawl["archive"], crawl["docs"]
    assert len(docs) > 30
    records = list(archive.responses.find())
    archived_ids = [doc_id for record in records for doc_id in record["doc_ids"]]
    assert sorted(set(archived_ids)) == sorted(doc["id"] for doc in docs)
    assert len({record["url"] for record in records}) == len(records), "a response archived twice"
    assert crawl["workers"].total("archive/responses") == len(records)
    for record in records[:5]:
        with urllib.request.urlopen(record["url"]) as answer:
            assert response_body(record) == answer.read()
        assert record["status"] == 200 and record["spider"] in ("news", "forum")
        assert record["body_bytes"] == len(response_body(record)) and record["fetched_at"].tzinfo
        assert any(h["name"] == "Content-Type" for h in record["headers"])


def test_every_document_is_on_record_with_its_first_and_last_sighting(crawl):
    archive, docs = crawl["archive"], crawl["docs"]
    assert archive.count_documents() == len(docs)
    for doc in docs[:5]:
        record = archive.documents.find_one({"_id": doc["id"]})
        assert record["doc"]["url"] == doc["url"] and len(record["versions"]) == 1
        assert record["first_seen"] <= record["last_seen"]


def test_a_changed_document_gets_a_new_version_and_keeps_the_old(crawl):
    archive = crawl["archive"]
    record = archive.documents.find_one({"_id": crawl["docs"][0]["id"]})
    later = record["last_seen"] + timedelta(hours=1)
    archive.upsert_documents([(record["doc"], later)])  # seen again, unchanged
    edited = dict(record["doc"], content=record["doc"]["content"] + " (edited)")
    archive.upsert_documents([(edited, later + timedelta(hours=1))])
    again = archive.documents.find_one({"_id": record["_id"]})
    assert [v["doc"]["content"] for v in again["versions"]] == [record["doc"]["content"], edited["content"]]
    assert again["doc"]["content"] == edited["content"] and again["first_seen"] == record["first_seen"]
    assert again["last_seen"] == later + timedelta(hours=1)
    archive.upsert_documents([(record["doc"], later + timedelta(hours=2))])  # back to the original


def reindex(crawl, *args: str) -> int:
    return yuqing(["reindex", "--from-archive", "--mongo-url", crawl["mongo_url"], "--search-url",
                   crawl["search_url"], "--index-prefix", REBUILT, *args])


def sources(store: SearchStore) -> dict[str, dict]:
    return {doc["id"]: {k: v for k, v in doc.items() if k != "indexed_at"} for doc in all_docs(store)}


def test_reindex_reproduces_the_index_and_resumes_after_an_interruption(crawl, capsys):
    archive, rebuilt = crawl["archive"], crawl["stores"][REBUILT]
    total = archive.count_documents()
    assert reindex(crawl, "--batch", "7", "--limit", "10", "--restart") == 0  # interrupted after 10
    rebuilt.refresh()
    assert rebuilt.count() == 10
    position = archive.position(f"{rebuilt.alias}|all")
    assert position["count"] == 10 and not position["done"]

    assert reindex(crawl, "--batch", "7") == 0
    assert "resuming after document" in capsys.readouterr().err
    assert archive.position(f"{rebuilt.alias}|all")["done"]
    assert sources(rebuilt) == sources(crawl["stores"][CRAWLED])
    assert rebuilt.count() == total

    assert reindex(crawl) == 0
    assert "already complete" in capsys.readouterr().err


def test_reindex_since_takes_only_recent_documents(crawl):
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert crawl["archive"].count_documents(since=datetime.fromisoformat(future)) == 0
    assert reindex(crawl, "--since", future) == 0
