"""The scheduler against a real Redis: several replicas seed each due run
exactly once, across restarts, and skip a run whose predecessor is still queued.

Replicas are JobScheduler objects in threads, each with its own Redis client,
sharing a fake clock so hours pass in a second; the last test runs two real
``yuqing schedule`` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from yuqing.schedule import JobScheduler, read_states
from yuqing.sources import parse_sources
from yuqing.worker import project_settings

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_700_000_000.0
SOURCES = {"sources": [
    {"id": "fast", "spider": "news", "interval": "1m", "seeds": {"urls": ["https://a.example.com/feed.xml"]}},
    {"id": "slow", "spider": "forum", "interval": "5m", "priority": 3,
     "seeds": {"boards": ["https://b.example.com/board/1", "https://b.example.com/board/2"]},
     "politeness": {"rate": 2, "concurrency": 1}},
]}


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings():
    return project_settings()


def replica(redis_url, settings, clock, name):
    sources = parse_sources(SOURCES)
    return JobScheduler(redis.Redis.from_url(redis_url), settings, sources, {}, clock=clock, owner=name)


def tick_together(replicas) -> list:
    """Every replica ticks at the same moment, each in its own thread."""
    barrier = threading.Barrier(len(replicas))
    outcomes, lock = [], threading.Lock()

    def run(r):
        barrier.wait()
        found = r.tick()
        with lock:
            outcomes.extend(found)

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def drain(client, spider) -> list[dict]:
    """What workers would take from the seed list."""
    key = f"yuqing:{spider}:start_urls"
    with client.pipeline() as pipe:
        pipe.lrange(key, 0, -1)
        pipe.delete(key)
        raw, _ = pipe.execute()
    return [json.loads(r) for r in raw]


def test_each_run_is_seeded_once_by_three_replicas_across_restarts(redis_url, settings):
    client = redis.Redis.from_url(redis_url)
    clock = Clock(T0)
    replicas = [replica(redis_url, settings, clock, f"r{i}") for i in range(3)]
    seeded: list[dict] = []
    outcomes = []
    for step in range(80):  # 40 minutes in half-minute steps
        if step == 20:
            replicas[0] = replica(redis_url, settings, clock, "r0-restarted")
        if step == 40:
            down = replicas.pop(1)  # r1 stops ...
        if step == 50:
            replicas.append(replica(redis_url, settings, clock, "r1-restarted"))  # ... and comes back
        outcomes += tick_together(replicas)
        seeded += drain(client, "news") + drain(client, "forum")
        clock.now += 30
    assert down.owner == "r1"
    runs = Counter((s["meta"]["source"], s["meta"]["run"]) for s in seeded)
    fast = sorted(int(run) for (source, run) in runs if source == "fast")
    slow = sorted(int(run) for (source, run) in runs if source == "slow")
    # Every due time from the start to the end, none twice, none missing.
    assert fast == [int(T0) + 60 * k for k in range(40)]
    assert slow == [int(T0) + 300 * k for k in range(8)]
    assert runs[("fast", str(int(T0)))] == 1 and all(
        n == (2 if source == "slow" else 1) for (source, _), n in runs.items()), runs
    assert Counter(o.action for o in outcomes) == {"seeded": 48}
    states = {s["source"]: s for s in read_states(client, settings)}
    assert states["fast"]["runs"] == 40 and states["slow"]["runs"] == 8
    assert states["fast"]["next_due"] == T0 + 40 * 60
    policy = json.loads(client.hget(settings.get("POLICY_KEY"), "b.example.com"))
    assert policy == {"rate": 2.0, "concurrency": 1, "source": "slow"}


def test_a_run_whose_previous_run_is_still_queued_is_skipped_and_counted(redis_url, settings):
    client = redis.Redis.from_url(redis_url)
    clock = Clock(T0)
    a, b = replica(redis_url, settings, clock, "a"), replica(redis_url, settings, clock, "b")
    first = tick_together([a, b])
    assert sorted(o.source for o in first if o.action == "seeded") == ["fast", "slow"]
    clock.now += 60  # nobody took the news seed yet
    second = tick_together([a, b])
    assert [(o.source, o.action) for o in second] == [("fast", "skipped")]
    assert client.llen("yuqing:news:start_urls") == 1, "a skipped run pushes nothing"
    client.lpop("yuqing:news:start_urls")  # a worker takes it
    clock.now += 60
    third = tick_together([a, b])
    assert [(o.source, o.action) for o in third] == [("fast", "seeded")]
    fast = next(s for s in read_states(client, settings) if s["source"] == "fast")
    assert fast["runs"] == 2 and fast["skipped"] == 1 and fast["last_skip"] == T0 + 60


def test_runs_missed_while_every_replica_was_down_collapse_into_one(redis_url, settings):
    client = redis.Redis.from_url(redis_url)
    clock = Clock(T0)
    tick_together([replica(redis_url, settings, clock, "a")])
    drain(client, "news")
    clock.now += 60 * 3.5  # three and a half intervals with no scheduler at all
    outcomes = tick_together([replica(redis_url, settings, clock, "b"), replica(redis_url, settings, clock, "c")])
    assert [(o.source, o.slot) for o in outcomes if o.source == "fast"] == [("fast", int(T0) + 60)]
    fast = next(s for s in read_states(client, settings) if s["source"] == "fast")
    assert fast["next_due"] == T0 + 4 * 60, "back on the grid, in the future"


def test_a_shorter_interval_takes_effect_at_once(redis_url, settings):
    client = redis.Redis.from_url(redis_url)
    clock = Clock(T0)
    scheduler = replica(redis_url, settings, clock, "a")
    scheduler.tick()
    shorter = parse_sources({"sources": [{**SOURCES["sources"][1], "interval": "2m"}]})
    scheduler.set_sources(shorter)
    slow = next(s for s in read_states(client, settings) if s["source"] == "slow")
    assert slow["next_due"] == T0 + 120 and slow["interval"] == 120


def test_two_scheduler_processes(redis_url, tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - {id: tick, spider: news, interval: 3s, seeds: {urls: ['https://t.example.com/feed.xml']}}\n",
        encoding="utf-8")
    env = dict(os.environ, REDIS_URL=redis_url, SCRAPY_SETTINGS_MODULE="settings")
    check = subprocess.run([sys.executable, "-m", "yuqing", "schedule", "--check", "--sources", str(sources)],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    procs = [subprocess.Popen([sys.executable, "-m", "yuqing", "schedule", "--sources", str(sources)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    client = redis.Redis.from_url(redis_url)
    seeded: list[dict] = []
    deadline = time.monotonic() + 30
    try:
        while len({s["meta"]["run"] for s in seeded}) < 3:
            assert time.monotonic() < deadline, "the schedulers seeded too little"
            seeded += drain(client, "news")
            time.sleep(0.2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=15)
    seeded += drain(client, "news")
    assert [p.returncode for p in procs] == [0, 0], [p.stderr.read() for p in procs]
    runs = sorted(int(s["meta"]["run"]) for s in seeded)
    assert len(runs) == len(set(runs)), runs
    assert all(b - a == 3 for a, b in zip(runs, runs[1:], strict=False)), runs
    logs = "".join(p.stderr.read() for p in procs)
    assert "Traceback" not in logs and logs.count("tick seeded 1 seed(s)") == len(runs), logs
