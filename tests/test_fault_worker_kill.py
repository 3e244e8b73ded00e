"""kill -9 one of two workers in the middle of a 1,000-page crawl: its leased
requests come back to the queue once their leases run out, and the survivor
finishes the crawl with every page indexed exactly once."""

from __future__ import annotations

import time

import pytest

from faults import Workers, all_docs, crawl_env, manifest, pages_fetched, seed_bulk, url_counts, wait_until
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

PREFIX = "fault-kill"
LEASE = 8


def test_a_killed_worker_loses_no_page(redis_url, search_service, testweb, tmp_path):
    bulk = manifest(testweb.url)["bulk"]
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    seed_bulk(redis_url, testweb.url)
    fetched_before = pages_fetched(testweb.url)
    workers = Workers(tmp_path, crawl_env(redis_url, search_service.url, PREFIX),
                      settings={"SCHEDULER_LEASE_TIMEOUT": LEASE, "SPOOL_DIR": tmp_path / "spool"}).start(2)
    started = time.monotonic()
    try:
        wait_until(lambda: pages_fetched(testweb.url) - fetched_before >= 0.4 * bulk["count"], 180,
                   what="40% of the pages fetched")
        killed_at = time.monotonic() - started
        workers.kill(1)
        codes = workers.wait(300)
    finally:
        workers.stop()
    seconds = time.monotonic() - started
    assert codes == [0, -9], f"logs in {tmp_path}"

    docs = all_docs(store)
    urls = url_counts(docs)
    expected = {item["url"] for item in bulk["items"]}
    assert [u for u, n in urls.items() if n > 1] == []
    assert set(urls) == expected, {"missing": sorted(expected - set(urls))[:5]}
    assert store.count() == bulk["count"]
    survivor = workers.stats(0)
    assert survivor.get("scheduler/lease/requeued", 0) > 0, "the dead worker's leases never came back"
    assert survivor.get("index/failed", 0) == 0
    print(f"\nworker killed after {killed_at:.1f}s; crawl done in {seconds:.1f}s; "
          f"{pages_fetched(testweb.url) - fetched_before} fetches for {bulk['count']} pages; "
          f"{survivor['scheduler/lease/requeued']} requests requeued after the lease ran out")
    store.drop()
