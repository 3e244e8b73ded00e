"""Helpers of the fault tests: worker processes one can kill, and what the
index and the test web say afterwards. Real services only: the tests break
them with the services manager (``yuqing/services/testing.py``)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from yuqing.demo import seed, worker_env
from yuqing.store.search import SearchStore

ROOT = Path(__file__).resolve().parent.parent


class Workers:
    """``yuqing worker`` processes started like ``yuqing.demo.crawl_site`` does,
    with settings overrides, kept reachable so a test can kill one."""

    def __init__(self, run_dir: Path, env: dict[str, str], spiders: tuple[str, ...] = ("news",),
                 settings: dict[str, object] | None = None, max_idle: int = 3):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.env = env
        self.spiders = spiders
        self.settings = {"LOG_LEVEL": "INFO", **(settings or {})}
        self.max_idle = max_idle
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, count: int) -> "Workers":
        for _ in range(count):
            n = len(self.procs)
            cmd = [sys.executable, "-m", "yuqing", "worker", *self.spiders, "--max-idle", str(self.max_idle),
                   "--stats-file", str(self.stats_path(n))]
            for name, value in self.settings.items():
                cmd += ["-s", f"{name}={value}"]
            log = open(self.log_path(n), "w", encoding="utf-8")
            self.logs.append(log)
            self.procs.append(subprocess.Popen(cmd, env=self.env, cwd=str(ROOT), stdout=log,
                                               stderr=subprocess.STDOUT))
        return self

    def stats_path(self, n: int) -> Path:
        return self.run_dir / f"worker-{n}.json"

    def log_path(self, n: int) -> Path:
        return self.run_dir / f"worker-{n}.log"

    def kill(self, n: int) -> None:
        """kill -9: no cleanup, no stats file, leases left to run out."""
        self.procs[n].send_signal(signal.SIGKILL)
        self.procs[n].wait()

    def wait(self, timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        try:
            for proc in self.procs:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            self.stop()
        return [p.returncode for p in self.procs]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for log in self.logs:
            log.close()

    def stats(self, n: int) -> dict:
        path = self.stats_path(n)
        if not path.exists():
            return {}
        merged: dict = {}
        for spider_stats in json.loads(path.read_text()).values():
            for key, value in spider_stats.items():
                merged[key] = merged.get(key, 0) + value if isinstance(value, int) else value
        return merged

    def total(self, key: str) -> int:
        return sum(int(self.stats(n).get(key, 0)) for n in range(len(self.procs)))

    def log_text(self) -> str:
        return "\n".join(self.log_path(n).read_text(encoding="utf-8", errors="replace")
                         for n in range(len(self.procs)))


def crawl_env(redis_url: str, search_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """What ``crawl_site`` gives its workers (the test web is on loopback: allowed)."""
    return worker_env(redis_url, search_url, prefix, extra)


def seed_bulk(redis_url: str, base_url: str) -> None:
    seed(redis_url, base_url, {"news": ["/bulk/sitemap.xml"]})


def manifest(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/manifest.json") as answer:
        return json.load(answer)


def web_stats(base_url: str, reset: bool = False) -> dict:
    with urllib.request.urlopen(f"{base_url}/_stats{'/reset' if reset else ''}") as answer:
        return json.load(answer)


def all_docs(store: SearchStore) -> list[dict]:
    """Every indexed document (with ``_id``), sorted by id."""
    store.refresh()
    docs, after = [], None
    while True:
        body = {"size": 500, "query": {"match_all": {}}, "sort": [{"id": "asc"}]}
        if after:
            body["search_after"] = after
        hits = store.search_body(body)["hits"]["hits"]
        if not hits:
            return docs
        docs += [{"_id": h["_id"], **h["_source"]} for h in hits]
        after = hits[-1]["sort"]


def url_counts(docs: list[dict]) -> Counter:
    return Counter(doc["url"] for doc in docs)


def wait_until(condition, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f}s")


def pages_fetched(base_url: str, prefix: str = "/bulk/a/") -> int:
    return sum(n for path, n in web_stats(base_url)["paths"].items() if path.startswith(prefix))

