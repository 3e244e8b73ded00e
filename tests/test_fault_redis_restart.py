"""Restart Redis (append-only file on) in the middle of a crawl, down for a
few seconds: the workers ride out the outage and the crawl completes, every
page indexed once."""

from __future__ import annotations

import time

import pytest

from faults import Workers, all_docs, crawl_env, manifest, pages_fetched, seed_bulk, url_counts, wait_until
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

PREFIX = "fault-redis"
DOWN = 5.0


def test_workers_survive_a_redis_restart(redis_url, redis_service, search_service, testweb, tmp_path):
    bulk = manifest(testweb.url)["bulk"]
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    seed_bulk(redis_url, testweb.url)
    fetched_before = pages_fetched(testweb.url)
    workers = Workers(tmp_path, crawl_env(redis_url, search_service.url, PREFIX),
                      settings={"SPOOL_DIR": tmp_path / "spool"}).start(2)
    started = time.monotonic()
    try:
        wait_until(lambda: pages_fetched(testweb.url) - fetched_before >= 300, 180, what="300 pages fetched")
        before = time.monotonic()
        redis_service.stop()
        time.sleep(DOWN)
        redis_service.start()
        outage = time.monotonic() - before
        codes = workers.wait(300)
    finally:
        workers.stop()
    seconds = time.monotonic() - started
    assert codes == [0, 0], f"logs in {tmp_path}"
    assert workers.total("redis/outages") >= 1, "no worker noticed the restart"
    logs = workers.log_text()
    assert "redis unreachable for the scheduler" in logs and "redis is back for the scheduler" in logs

    docs = all_docs(store)
    urls = url_counts(docs)
    expected = {item["url"] for item in bulk["items"]}
    assert [u for u, n in urls.items() if n > 1] == []
    assert set(urls) == expected, {"missing": len(expected - set(urls))}
    print(f"\nredis down for {outage:.1f}s; {workers.total('redis/errors')} failed redis calls, "
          f"{workers.total('scheduler/outbox/kept')} requests kept locally; crawl done in {seconds:.0f}s")
    store.drop()
