"""Politeness shared by every worker, measured where it matters: at the server.

Three worker processes crawl one local site whose source says 4 requests per
second; the site answers one request with 429 + Retry-After: 3. The server's
request log (arrival times, User-Agent = worker name) must show the cluster
within the rate and every worker silent during the cooldown."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest
import redis

from crawl_helpers import ROOT, Worker, max_in_window, requests_from, wait_all, worker_env

RATE = 4
PAGES = 56
TRIP = 28  # the 28th article request is refused, about 7 s into the crawl
RETRY_AFTER = 3


@pytest.fixture(scope="module")
def crawl(redis_service, testweb, tmp_path_factory):
    client = redis.Redis.from_url(redis_service.url)
    client.flushdb()
    run = uuid.uuid4().hex[:8]
    log_dir = tmp_path_factory.mktemp("polite")
    names = [f"polite-{run}-{i}" for i in range(3)]
    # Per-worker concurrency well above the rate: only the shared limit holds them back.
    workers = [Worker(redis_service.url, name, log_dir, max_idle=5, settings={"CONCURRENT_REQUESTS": 8},
                      env={"YUQING_HEARTBEAT_INTERVAL": "1"}) for name in names]
    # All three are up (heartbeats) before there is work, so all three share it.
    deadline = time.monotonic() + 60
    while len(client.keys("yuqing:workers:*")) < 3:
        assert time.monotonic() < deadline, [w.logs()[-2000:] for w in workers]
        time.sleep(0.2)
    sources = log_dir / "sources.yaml"
    sitemap = f"{testweb.url}/throttle/{run}/sitemap.xml?pages={PAGES}&trip={TRIP}&retry_after={RETRY_AFTER}"
    sources.write_text(f"sources:\n  - id: paced\n    spider: news\n    interval: 1h\n"
                       f"    seeds: {{urls: ['{sitemap}']}}\n    politeness: {{rate: {RATE}, burst: 1}}\n",
                       encoding="utf-8")
    # The scheduler seeds the source and publishes its politeness for 127.0.0.1.
    once = subprocess.run([sys.executable, "-m", "yuqing", "schedule", "--once", "--sources", str(sources)],
                          cwd=ROOT, env=worker_env(redis_service.url), capture_output=True, text=True, timeout=60)
    assert once.returncode == 0 and "paced\tseeded\t1 seed(s)" in once.stdout, once.stderr
    codes = wait_all(workers, timeout=150)
    log = requests_from(testweb, names)
    return {"codes": codes, "workers": workers, "log": log, "run": run}


def test_workers_exit_cleanly_and_fetch_every_page_once(crawl):
    assert crawl["codes"] == [0, 0, 0], [w.logs()[-2000:] for w in crawl["workers"]]
    ok = [r["path"] for r in crawl["log"] if r["status"] == 200 and "/a/" in r["path"]]
    assert len(ok) == len(set(ok)) == PAGES
    assert all(r["ua"] for r in crawl["log"])
    by_worker = {w.name: sum(r["ua"] == w.name for r in crawl["log"]) for w in crawl["workers"]}
    assert all(n >= 5 for n in by_worker.values()), f"every worker must take part: {by_worker}"


def test_the_cluster_stays_within_the_rate_at_the_server(crawl):
    times = [r["t"] for r in crawl["log"]]
    busiest = max_in_window(times, 1.0)
    # A token bucket of `burst` 1 lets through at most 1 + RATE in any second;
    # one more for the jitter between Redis granting and the server receiving.
    assert busiest <= RATE + 2, busiest
    # Until the 429, three workers with room for 24 requests in flight compete:
    # the mean rate is the configured one.
    t429 = next(r["t"] for r in crawl["log"] if r["status"] == 429)
    busy = [t for t in times if t <= t429]
    mean = (len(busy) - 1) / (busy[-1] - busy[0])
    print(f"\n{len(times)} requests at the server, busiest second {busiest}, "
          f"mean {mean:.2f}/s before the 429 (limit {RATE}/s)")
    assert RATE * 0.7 <= mean <= RATE * 1.1, mean


def test_every_worker_pauses_after_429_with_retry_after(crawl):
    log = crawl["log"]
    [tripped] = [r for r in log if r["status"] == 429]
    t429 = tripped["t"]
    # Requests already granted when the 429 was sent may still arrive a moment later.
    during = [r for r in log if t429 + 0.3 < r["t"] < t429 + RETRY_AFTER - 0.1]
    assert during == [], during
    before = {r["ua"] for r in log if t429 - 3 < r["t"] < t429}
    after = {r["ua"] for r in log if t429 + RETRY_AFTER - 0.1 <= r["t"] < t429 + RETRY_AFTER + 4}
    resumed = min(r["t"] for r in log if r["t"] > t429 + 0.3)
    print(f"\n429 at +0s; next request at +{resumed - t429:.2f}s; workers before {len(before)}, after {len(after)}")
    assert len(before) >= 2 and len(after) >= 2, (before, after)
    assert resumed - t429 < RETRY_AFTER + 1.5, "the crawl must resume once the cooldown ends"
    stats = [w.stats() for w in crawl["workers"]]
    assert sum(s.get("politeness/backoff/429", 0) for s in stats) == 1
    assert sum(s.get("politeness/delayed/cooldown", 0) for s in stats) >= 2
