"""End to end: two worker processes share one real Redis queue, crawl the
local test web (news with GBK pages, a paginated forum, a JavaScript feed
rendered by Chromium, bad pages) and index into a real OpenSearch node."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import redis

from yuqing.demo import DEMO_SEEDS, crawl_site
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

PREFIX = "e2e"
# Failure reasons of the test web's bad pages -> the stats key a worker counts them under.
REASON_STATS = {
    "not_html": "parse/error/not_html",
    "empty_body": "parse/error/empty_body",
    "bad_feed": "parse/error/broken_feed",
    "http_404": "fetch/error/http_404",
    "http_500": "fetch/error/http_500",
}


def all_docs(store: SearchStore) -> list[dict]:
    answer = store.search_body({"size": 2000, "query": {"match_all": {}}, "sort": ["_doc"]})
    return [{"_id": h["_id"], **h["_source"]} for h in answer["hits"]["hits"]]


@pytest.fixture(scope="module")
def world(redis_service, search_service, testweb, tmp_path_factory):
    with urllib.request.urlopen(f"{testweb.url}/manifest.json") as answer:
        manifest = json.load(answer)
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    redis.Redis.from_url(redis_service.url).flushdb()
    seeds = {**DEMO_SEEDS, "news": DEMO_SEEDS["news"] + ["/bad/feed-mixed.xml", "/bad/feed.xml"]}
    run_dir = tmp_path_factory.mktemp("crawl1")
    report = crawl_site(testweb.url, redis_service.url, search_service.url, workers=2, seeds=seeds,
                        index_prefix=PREFIX, max_idle=6, run_dir=str(run_dir), timeout=420)
    if any(report.returncodes):
        tails = [p.read_text()[-3000:] for p in sorted(run_dir.glob("worker-*.log"))]
        pytest.fail(f"worker exit codes {report.returncodes}:\n" + "\n---\n".join(tails))
    store.refresh()
    yield {"manifest": manifest, "store": store, "report": report, "run_dir": run_dir, "seeds": seeds,
           "redis": redis_service, "search": search_service, "web": testweb}
    store.drop()


def expected_urls(manifest) -> set[str]:
    good = {item["url"] for item in manifest["items"]}
    rescued = {b["url"] for b in manifest["bad"] if b["expect"] == "document"
               and b["url"] in manifest["feeds"]["mixed_bad"]}
    return good | rescued


def test_both_workers_ran_and_exited_cleanly(world):
    report = world["report"]
    assert report.returncodes == [0, 0], f"worker logs in {world['run_dir']}"
    per_worker = [sum(int(s.get("downloader/response_count", 0)) for s in w.values()) for w in report.stats]
    assert all(n > 0 for n in per_worker), per_worker


def test_every_item_is_indexed_exactly_once(world):
    docs = all_docs(world["store"])
    urls = Counter(doc["url"] for doc in docs)
    assert [u for u, n in urls.items() if n > 1] == []
    expected = expected_urls(world["manifest"])
    assert set(urls) == expected, {"missing": sorted(expected - set(urls))[:10],
                                   "unexpected": sorted(set(urls) - expected)[:10]}
    assert world["store"].count() == len(expected)
    assert world["report"].total("index/failed") == 0


def test_documents_match_the_ground_truth(world):
    docs = {doc["url"]: doc for doc in all_docs(world["store"])}
    for item in world["manifest"]["items"]:
        doc = docs[item["url"]]
        assert item["must_contain"] in doc["content"], item["url"]
        assert doc["platform"] == item["platform"] and doc["channel"] == item["channel"]
        assert doc["lang"] == item["lang"], item["url"]
        if item.get("id"):
            assert doc["id"] == item["id"]
        if item["kind"] == "forum_post":
            assert doc["parent_id"] == item["parent_id"] and doc["thread_id"] == item["thread_id"]
        if item["kind"] == "social_post":
            assert doc["repost_of"] == item["repost_of_id"]
            assert doc["engagement"]["likes"] == item["likes"]
        if item["kind"] == "article":
            assert doc["title"] == item["title"]
            assert doc["published_at"] == item["published_at"], item["url"]


def test_gbk_pages_come_out_as_correct_chinese(world):
    docs = {doc["url"]: doc for doc in all_docs(world["store"])}
    gbk = [i for i in world["manifest"]["items"] if i["kind"] == "article" and i["encoding"].lower() != "utf-8"]
    assert len(gbk) >= 3
    for item in gbk:
        doc = docs[item["url"]]
        assert doc["title"] == item["title"]
        assert item["must_contain"] in doc["content"]
        assert "\ufffd" not in doc["content"]


def _text_has(doc, pattern) -> bool:
    return bool(re.search(pattern, f"{doc.get('title', '')}\n{doc.get('content', '')}", re.IGNORECASE))


@pytest.mark.parametrize("query, pattern", [("召回", "召回"), ("暴雨", "暴雨"), ("recall", r"\brecall\b"),
                                            ("subway", r"\bsubway\b")])
def test_keyword_search_returns_exactly_the_documents_containing_it(world, query, pattern):
    store = world["store"]
    truth = {d["url"] for d in all_docs(store) if _text_has(d, pattern)}
    assert truth, f"test web has no document with {query!r}"
    found = {hit["url"] for hit in store.search(query, size=500)}
    assert found == truth


def test_phrase_search_finds_the_article(world):
    store = world["store"]
    for lang in ("zh", "en"):
        item = next(i for i in world["manifest"]["items"] if i["kind"] == "article" and i["lang"] == lang)
        hits = store.search(f'"{item["must_contain"]}"', size=5)
        assert hits and hits[0]["url"] == item["url"], (lang, item["must_contain"])


def test_bad_pages_are_counted_under_their_reason_and_crash_nothing(world):
    report = world["report"]
    crawled_bad = set(world["manifest"]["feeds"]["mixed_bad"]) | {world["manifest"]["entry_points"]["broken_feed"]}
    checked = 0
    for bad in world["manifest"]["bad"]:
        if bad["expect"] != "error" or bad["url"] not in crawled_bad:
            continue
        key = REASON_STATS[bad["reason"]]
        assert report.total(key) >= 1, (bad["url"], key)
        checked += 1
    assert checked >= 4
    logs = "\n".join(p.read_text() for p in Path(world["run_dir"]).glob("worker-*.log"))
    assert "Traceback" not in logs
    for url in crawled_bad:
        assert url in logs, f"{url} not named in any log line"


def test_no_deprecated_api_in_our_code(world):
    logs = "\n".join(p.read_text() for p in Path(world["run_dir"]).glob("worker-*.log"))
    ours = re.compile(r"/(crawlers|pipelines|settings|yuqing)/[\w/]+\.py:\d+: \w*DeprecationWarning")
    assert not ours.findall(logs), ours.findall(logs)


def test_second_crawl_updates_and_creates_no_duplicates(world, tmp_path):
    store = world["store"]
    before = {d["_id"]: d["indexed_at"] for d in all_docs(store)}
    report = crawl_site(world["web"].url, world["redis"].url, world["search"].url, workers=2,
                        seeds=world["seeds"], index_prefix=PREFIX, max_idle=6, run_dir=str(tmp_path),
                        timeout=420)
    assert report.returncodes == [0, 0]
    store.refresh()
    after = {d["_id"]: d["indexed_at"] for d in all_docs(store)}
    assert set(after) == set(before)
    assert store.count() == len(before)
    assert all(after[i] >= before[i] for i in before)
    assert sum(after[i] > before[i] for i in before) == len(before)
