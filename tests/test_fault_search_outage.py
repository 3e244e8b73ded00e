"""Stop the search engine for 30 seconds in the middle of a crawl: the crawl
goes on (documents wait in the disk spool), and once the engine is back every
document is indexed, none twice."""

from __future__ import annotations

import time

import pytest

from faults import (Workers, all_docs, crawl_env, manifest, pages_fetched, seed_bulk, url_counts, wait_until,
                    web_stats)
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

PREFIX = "fault-search"
OUTAGE = 30.0


def test_crawl_goes_on_through_a_search_outage(redis_url, search_service, testweb, tmp_path):
    bulk = manifest(testweb.url)["bulk"]
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    seed_bulk(redis_url, testweb.url)
    fetched_before = pages_fetched(testweb.url)
    # Slowed down (10 pages/s per worker) so that the crawl outlasts the outage.
    workers = Workers(tmp_path, crawl_env(redis_url, search_service.url, PREFIX), settings={
        "DOWNLOAD_DELAY": 0.1, "SPOOL_DIR": tmp_path / "spool", "SPOOL_REPLAY_INTERVAL": 1,
        "SPOOL_REPLAY_MAX_INTERVAL": 4, "SPOOL_DRAIN_TIMEOUT": 240, "SEARCH_TIMEOUT": 5}).start(2)
    started = time.monotonic()
    try:
        wait_until(lambda: pages_fetched(testweb.url) - fetched_before >= 150, 180, what="150 pages fetched")
        search_service.stop()
        down_at, down_pages = time.time(), pages_fetched(testweb.url)
        time.sleep(OUTAGE)
        up_at, up_pages = time.time(), pages_fetched(testweb.url)
        search_service.start()
        restart_seconds = time.time() - up_at
        codes = workers.wait(400)
    finally:
        workers.stop()
        if not search_service.alive():
            search_service.start()
    seconds = time.monotonic() - started
    assert codes == [0, 0], f"logs in {tmp_path}"

    during = [e for e in web_stats(testweb.url)["log"] if down_at <= e["t"] <= up_at and "/bulk/a/" in e["path"]]
    assert len(during) >= 0.5 * OUTAGE * 10, f"only {len(during)} pages fetched during the outage"
    spooled, replayed = workers.total("index/spooled"), workers.total("index/replayed")
    assert spooled > 0 and replayed == spooled, (spooled, replayed)

    docs = all_docs(store)
    urls = url_counts(docs)
    expected = {item["url"] for item in bulk["items"]}
    assert [u for u, n in urls.items() if n > 1] == []
    assert set(urls) == expected, {"missing": len(expected - set(urls))}
    assert store.count() == bulk["count"]
    assert workers.total("index/failed") == 0
    assert not list((tmp_path / "spool").rglob("*.seg")), "documents left in the spool"
    print(f"\nsearch engine down {OUTAGE:.0f}s (+{restart_seconds:.0f}s to start again); "
          f"{up_pages - down_pages} pages fetched meanwhile; {spooled} documents spooled and replayed; "
          f"crawl of {bulk['count']} pages done in {seconds:.0f}s")
    store.drop()
