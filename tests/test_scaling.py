"""Scaling out and in while a crawl runs: one worker starts on a slow site
(200 ms a page), two more join and the crawl gets faster, one of them is
stopped with SIGTERM mid-crawl, and every page is still fetched exactly once.
Rates are measured at the server."""

from __future__ import annotations

import signal
import time
import uuid

import pytest
import redis

from crawl_helpers import Worker, requests_from, wait_all
from yuqing.cli.seed import push_seeds
from yuqing.testweb import serve
from yuqing.worker import project_settings

PAGES = 360
LATENCY_MS = 200
# Per worker: with 200 ms a page, one worker manages ~10 pages/s, so a
# second and third one have room to help.
PER_WORKER = {"CONCURRENT_REQUESTS": 2}


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def slow_web():
    web = serve(latency_ms=LATENCY_MS)
    yield web
    web.stop()


@pytest.fixture(scope="module")
def crawl(redis_service, slow_web, tmp_path_factory):
    client = redis.Redis.from_url(redis_service.url)
    client.flushdb()
    run = uuid.uuid4().hex[:8]
    log_dir = tmp_path_factory.mktemp("scaling")
    push_seeds(client, project_settings(), "news", [f"{slow_web.url}/throttle/{run}/sitemap.xml?pages={PAGES}"])
    names = [f"scale-{run}-{i}" for i in range(3)]

    def fetched(name: str) -> int:
        return sum(r["ua"] == name and "/a/" in r["path"] for r in requests_from(slow_web, [name]))

    first = Worker(redis_service.url, names[0], log_dir, settings=PER_WORKER)
    wait_until(lambda: fetched(names[0]) >= 50, 60, "the first worker to get going")
    joiners = [Worker(redis_service.url, name, log_dir, settings=PER_WORKER) for name in names[1:]]
    wait_until(lambda: all(fetched(n) >= 40 for n in names[1:]), 60, "the new workers to take work")
    stopped_at = time.time()
    joiners[0].proc.send_signal(signal.SIGTERM)
    codes = wait_all([first, *joiners], timeout=120)
    return {"codes": codes, "workers": [first, *joiners], "log": requests_from(slow_web, names),
            "names": names, "stopped_at": stopped_at}


def pages_per_second(log, start: float, end: float) -> float:
    return sum(start <= r["t"] < end and "/a/" in r["path"] for r in log) / (end - start)


def test_the_crawl_gets_faster_when_workers_join(crawl):
    log, names = crawl["log"], crawl["names"]
    first_of = {n: min(r["t"] for r in log if r["ua"] == n and "/a/" in r["path"]) for n in names}
    alone = pages_per_second(log, first_of[names[0]] + 0.5, min(first_of[n] for n in names[1:]))
    together_from = max(first_of[n] for n in names[1:]) + 0.5
    together = pages_per_second(log, together_from, crawl["stopped_at"])
    print(f"\none worker: {alone:.1f} pages/s; three workers: {together:.1f} pages/s "
          f"(x{together / alone:.2f}) over {crawl['stopped_at'] - together_from:.1f}s")
    assert together >= 2.0 * alone, (alone, together)


def test_a_worker_stopped_with_sigterm_finishes_its_pages_and_exits_0(crawl):
    assert crawl["codes"] == [0, 0, 0], [w.logs()[-3000:] for w in crawl["workers"]]
    stopped = crawl["workers"][1]
    assert "Closing spider (shutdown)" in stopped.logs()
    last = max(r["t"] for r in crawl["log"] if r["ua"] == stopped.name)
    assert last - crawl["stopped_at"] < 5, "a stopped worker takes no new work"
    assert stopped.stats().get("finish_reason") == "shutdown"


def test_every_page_is_fetched_exactly_once(crawl):
    articles = [r["path"] for r in crawl["log"] if "/a/" in r["path"]]
    assert len(articles) == len(set(articles)) == PAGES
    assert all(r["status"] == 200 for r in crawl["log"])
    items = sum(w.stats().get("item_scraped_count", 0) for w in crawl["workers"])
    assert items == PAGES
