"""The bad-response corpus of the test web (``/bad/*``): no worker crashes,
each case is counted under its reason and logged with its URL, the good
pages around them are all indexed, and what failed for good is in the dead
letters (``yuqing dead``)."""

from __future__ import annotations

import json

import pytest
import redis

from faults import Workers, all_docs, crawl_env, manifest
from yuqing.cli import main as yuqing
from yuqing.cli.seed import push_seeds
from yuqing.store.search import SearchStore
from yuqing.worker import project_settings

pytestmark = pytest.mark.e2e

PREFIX = "bad-input"
# /bad/huge.html is 4.7 MB: with this limit it is refused as too large.
MAXSIZE = 4_000_000
# Reason of each bad page in the manifest -> the stats key it must be counted under.
REASON_STATS = {
    "not_html": "input/not_html",
    "empty_body": "parse/error/empty_body",
    "bad_feed": "parse/error/broken_feed",
    "unparseable_date": "parse/warning/date_from_feed",
    "http_404": "fetch/error/http_404",
    "http_500": "retry/max_reached/http_5xx",
    "truncated_html": "input/truncated_html",
    "huge_body": "fetch/error/too_large",
    "control_chars": "input/control_chars",
    "wrong_charset": "input/wrong_charset",
    "not_json": "parse/error/not_json",
}


@pytest.fixture(scope="module")
def crawl(redis_service, search_service, testweb, tmp_path_factory):
    site = manifest(testweb.url)
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    client = redis.Redis.from_url(redis_service.url)
    client.flushdb()
    settings = project_settings()
    push_seeds(client, settings, "news", [site["entry_points"]["mixed_feed"], site["entry_points"]["broken_feed"]],
               fresh=True)
    push_seeds(client, settings, "social_feed", [f"{testweb.url}/bad/api-html-error"], kind="feed_api", fresh=True)
    run_dir = tmp_path_factory.mktemp("bad-input")
    workers = Workers(run_dir, crawl_env(redis_service.url, search_service.url, PREFIX),
                      spiders=("news", "social_feed"),
                      settings={"DOWNLOAD_MAXSIZE": MAXSIZE, "SPOOL_DIR": run_dir / "spool"}).start(1)
    codes = workers.wait(240)
    yield {"site": site, "store": store, "workers": workers, "codes": codes, "docs": all_docs(store),
           "redis": client, "redis_url": redis_service.url, "run_dir": run_dir}
    store.drop()


def test_no_worker_crashed(crawl):
    assert crawl["codes"] == [0], f"logs in {crawl['run_dir']}"
    assert crawl["workers"].total("spider_exceptions/count") == 0
    assert "Traceback" not in crawl["workers"].log_text()


def test_every_case_is_counted_under_its_reason_and_logged_with_its_url(crawl):
    logs = crawl["workers"].log_text()
    assert {bad["reason"] for bad in crawl["site"]["bad"]} == set(REASON_STATS)
    for bad in crawl["site"]["bad"]:
        key = REASON_STATS[bad["reason"]]
        assert crawl["workers"].total(key) >= 1, (bad["url"], key)
        assert bad["url"] in logs, f"{bad['url']} named in no log line"


def test_good_pages_around_the_bad_ones_are_indexed(crawl):
    site = crawl["site"]
    docs = {doc["url"]: doc for doc in crawl["docs"]}
    assert set(site["feeds"]["mixed_good"]) <= set(docs)
    for bad in site["bad"]:
        if bad["reason"] == "huge_body":
            assert bad["url"] not in docs  # refused over DOWNLOAD_MAXSIZE
        elif bad["expect"] == "document":
            assert bad["must_contain"] in docs[bad["url"]]["content"], bad["url"]
        else:
            assert bad["url"] not in docs
    assert len(crawl["docs"]) == len({doc["url"] for doc in crawl["docs"]})


def test_failures_for_good_are_dead_letters_and_can_be_replayed(crawl, search_service, capsys):
    redis_url = crawl["redis_url"]
    assert yuqing(["dead", "list", "--json", "--redis-url", redis_url]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    dead = [e for e in entries if e["list"] == "requests"]
    assert [e["url"] for e in dead] == [f"{crawl['site']['base_url']}/bad/500"]
    assert dead[0]["reason"].startswith("http_5xx") and dead[0]["spider"] == "news" and dead[0]["at"] > 0

    assert yuqing(["dead", "replay", "--kind", "requests", "--redis-url", redis_url]) == 0
    queue = crawl["redis"]
    assert queue.zcard("yuqing:news:requests") == 1 and queue.llen("yuqing:deadletter:requests") == 0
    payload = json.loads(next(iter(queue.hvals("yuqing:news:requests:payloads"))))
    assert payload["url"].endswith("/bad/500") and "retry_times" not in payload["meta"]

    document = dict(crawl["docs"][0], id="replayed-from-dead-letters", url="http://example.invalid/dead")
    document = {k: v for k, v in document.items() if k in project_document_fields()}
    queue.rpush("yuqing:deadletter:documents", json.dumps({"kind": "document", "reason": "test", "at": 1.0,
                                                           "spider": "news", "document": document}))
    assert yuqing(["dead", "replay", "--kind", "documents", "--redis-url", redis_url,
                   "--search-url", search_service.url, "--index-prefix", PREFIX]) == 0
    crawl["store"].refresh()
    assert crawl["store"].count({"term": {"id": "replayed-from-dead-letters"}}) == 1
    assert yuqing(["dead", "purge", "--redis-url", redis_url]) == 0
    assert queue.llen("yuqing:deadletter:documents") == 0


def project_document_fields() -> set[str]:
    from dataclasses import fields

    from yuqing.schema import Document

    return {f.name for f in fields(Document)}
