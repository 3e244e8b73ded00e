"""``yuqing status`` reads the truth from Redis: live workers (heartbeats),
queue lengths, dead letters, the schedule; a worker killed with SIGKILL shows
as stale. Each worker also serves Prometheus metrics on a free port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
import redis

from crawl_helpers import ROOT, Worker, wait_all, worker_env

BEAT = {"YUQING_HEARTBEAT_INTERVAL": "1", "METRICS_PORT": "auto"}


def status(redis_url: str) -> dict:
    result = subprocess.run([sys.executable, "-m", "yuqing", "status", "--json"], cwd=ROOT,
                            env=worker_env(redis_url), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wait_for(redis_url: str, condition, timeout: float, what: str) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        data = status(redis_url)
        if condition(data):
            return data
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {data}"
        time.sleep(0.5)


@pytest.fixture
def cluster(redis_url, testweb, tmp_path):
    client = redis.Redis.from_url(redis_url)
    run = uuid.uuid4().hex[:8]
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - id: pages\n    spider: news\n    interval: 1h\n"
                       f"    seeds: {{urls: ['{testweb.url}/throttle/{run}/sitemap.xml?pages=20']}}\n",
                       encoding="utf-8")
    once = subprocess.run([sys.executable, "-m", "yuqing", "schedule", "--once", "--sources", str(sources)],
                          cwd=ROOT, env=worker_env(redis_url), capture_output=True, text=True, timeout=60)
    assert once.returncode == 0, once.stderr
    # Work no running spider takes, so its lengths stay put.
    client.rpush("yuqing:forum:start_urls", *[json.dumps({"url": f"https://f.example.com/b/{i}"}) for i in range(5)])
    client.zadd("yuqing:forum:requests", {f"r{i}": -i for i in range(3)})
    client.rpush("yuqing:deadletter:news", "a", "b")
    workers = [Worker(redis_url, f"status-{run}-{i}", tmp_path, max_idle=None, env=BEAT) for i in range(3)]
    yield workers
    for w in workers:
        w.stop()


def test_status_shows_workers_queues_and_a_killed_worker_as_stale(redis_url, cluster):
    data = wait_for(redis_url, lambda d: d["alive"] == 3 and sum(w["items"] for w in d["workers"]) >= 20,
                    90, "three live workers that crawled the pages")
    assert data["stale"] == 0
    assert sorted(w["pid"] for w in data["workers"]) == sorted(w.pid for w in cluster)
    assert all(w["spiders"] == ["news"] and w["metrics_port"] for w in data["workers"])
    assert sum(w["items"] for w in data["workers"]) == 20
    assert sum(w["pages"] for w in data["workers"]) >= 21  # the sitemap and the articles
    queues = {q["spider"]: q for q in data["queues"]}
    assert queues["forum"]["requests"] == 3 and queues["forum"]["seeds"] == 5
    assert queues["news"]["seeds"] == 0
    assert data["dead_letters"] == {"yuqing:deadletter:news": 2}
    [source] = data["sources"]
    assert source["source"] == "pages" and source["runs"] == 1 and source["last_seeds"] == 1
    assert source["next_due"] == pytest.approx(source["last_run"] + 3600, abs=2)

    tables = subprocess.run([sys.executable, "-m", "yuqing", "status"], cwd=ROOT, env=worker_env(redis_url),
                            capture_output=True, text=True, timeout=60)
    assert tables.returncode == 0, tables.stderr
    for title in ("Workers: 3 alive, 0 stale", "Queues", "Sources", "Dead letters and spool"):
        assert title in tables.stdout, tables.stdout

    # Prometheus, from the port the heartbeat published.
    port = data["workers"][0]["metrics_port"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert 'yuqing_pages_total{spider="news"}' in metrics
    assert 'yuqing_queue_depth{queue="seeds",spider="news"} 0.0' in metrics

    victim = cluster[0]
    os.kill(victim.pid, signal.SIGKILL)
    data = wait_for(redis_url, lambda d: d["stale"] == 1, 15, "the killed worker to turn stale")
    assert data["alive"] == 2
    [stale] = [w for w in data["workers"] if w["state"] == "stale"]
    assert stale["pid"] == victim.pid and stale["age"] >= 3

    # Workers stopped gracefully remove their heartbeat; the killed one's expires.
    for w in cluster[1:]:
        w.proc.send_signal(signal.SIGTERM)
    assert wait_all(cluster[1:], timeout=30) == [0, 0]
    data = status(redis_url)
    assert [w["pid"] for w in data["workers"]] == [victim.pid]
