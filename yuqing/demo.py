"""The main job on an embedded default: the local test web crawled by two
workers sharing one Redis queue, indexed into a real OpenSearch node.

``crawl_site`` is also what the end-to-end tests run, so the demo a newcomer
sees and the tested path are the same code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import redis

from yuqing.store.search import SearchStore

# Analyst rules about the test web's stories, so the demo shows matches.
EXAMPLE_RULES = str(Path(__file__).resolve().parent / "demo_rules.yaml")

# Seed paths on the local test web, per spider.
DEMO_SEEDS = {
    "news": ["/news/feed.xml", "/news/sitemap.xml"],
    "forum": ["/forum/board/1", "/forum/board/2"],
    "social_feed": ["/social/feed"],
}


@dataclass
class CrawlReport:
    workers: int
    seconds: float
    stats: list[dict] = field(default_factory=list)
    returncodes: list[int] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(spider_stats.get(key, 0)) for worker in self.stats
                   for spider_stats in worker.values())

    def totals_with_prefix(self, prefix: str) -> dict[str, int]:
        found: Counter = Counter()
        for worker in self.stats:
            for spider_stats in worker.values():
                for key, value in spider_stats.items():
                    if key.startswith(prefix) and isinstance(value, int):
                        found[key] += value
        return dict(found)


def seed(redis_url: str, base_url: str, seeds: dict[str, list[str]], fresh: bool = True) -> None:
    from yuqing.cli.seed import push_seeds
    from yuqing.worker import project_settings

    settings = project_settings()
    client = redis.Redis.from_url(redis_url)
    for spider, paths in seeds.items():
        push_seeds(client, settings, spider, [base_url.rstrip("/") + p for p in paths], fresh=fresh)


def worker_env(redis_url: str, search_url: str, index_prefix: str, extra: dict[str, str] | None = None) -> dict:
    env = dict(os.environ)
    env.update({
        "REDIS_URL": redis_url,
        "SEARCH_URL": search_url,
        "SEARCH_INDEX_PREFIX": index_prefix,
        # The local test web is on loopback, which workers refuse by default.
        "YUQING_ALLOW_PRIVATE_HOSTS": "1",
        "SCRAPY_SETTINGS_MODULE": "settings",
    })
    env.update(extra or {})
    return env


def crawl_site(base_url: str, redis_url: str, search_url: str, *, workers: int = 2,
               spiders: tuple[str, ...] = ("news", "forum", "social_feed"),
               seeds: dict[str, list[str]] | None = None, index_prefix: str = "yuqing",
               max_idle: int = 6, run_dir: str = ".run/crawl", timeout: float = 600,
               log_level: str = "INFO", extra_env: dict[str, str] | None = None,
               progress=None) -> CrawlReport:
    """Seed the queue, run ``workers`` worker processes until they go idle, and
    collect their stats. Raises TimeoutError if they do not finish in time."""
    seeds = {s: p for s, p in (seeds or DEMO_SEEDS).items() if s in spiders}
    seed(redis_url, base_url, seeds)
    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    env = worker_env(redis_url, search_url, index_prefix, extra_env)
    procs = []
    started = time.monotonic()
    for n in range(workers):
        stats_file = run / f"worker-{n}.json"
        stats_file.unlink(missing_ok=True)
        log = open(run / f"worker-{n}.log", "w", encoding="utf-8")
        cmd = [sys.executable, "-m", "yuqing", "worker", *spiders, "--max-idle", str(max_idle),
               "--stats-file", str(stats_file), "-s", f"LOG_LEVEL={log_level}"]
        procs.append((subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=str(Path(__file__).resolve().parent.parent)), stats_file, log))
    try:
        while any(p.poll() is None for p, _, _ in procs):
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"workers did not finish within {timeout:.0f}s; logs in {run}")
            if progress:
                progress(time.monotonic() - started)
            time.sleep(0.5)
    finally:
        for p, _, log in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            log.close()
    report = CrawlReport(workers=workers, seconds=time.monotonic() - started)
    for p, stats_file, _ in procs:
        report.returncodes.append(p.returncode)
        report.stats.append(json.loads(stats_file.read_text()) if stats_file.exists() else {})
    return report


def index_breakdown(store: SearchStore) -> dict[str, dict[str, int]]:
    store.refresh()
    answer = store.search_body({"size": 0, "aggs": {
        "platform": {"terms": {"field": "platform", "size": 50}},
        "channel": {"terms": {"field": "channel", "size": 50}},
        "lang": {"terms": {"field": "lang", "size": 10}},
        "sentiment": {"terms": {"field": "sentiment.label", "size": 10}},
        "rule": {"terms": {"field": "matched_rules", "size": 20}},
    }})
    return {name: {b["key"]: b["doc_count"] for b in agg["buckets"]}
            for name, agg in answer["aggregations"].items()}
