"""Worker processes and server-side measurements shared by the scaling,
politeness, status and proxy tests (no search cluster: documents are parsed
and counted, not indexed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker_env(redis_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"REDIS_URL": redis_url, "SEARCH_URL": "", "YUQING_ALLOW_PRIVATE_HOSTS": "1",
                "SCRAPY_SETTINGS_MODULE": "settings", **extra})
    return env


class Worker:
    """``yuqing worker`` in a subprocess; its User-Agent names it at the server
    unless user agents rotate."""

    def __init__(self, redis_url: str, name: str, log_dir: Path, *, spiders=("news",), max_idle: int | None = 4,
                 settings: dict[str, object] | None = None, env: dict[str, str] | None = None):
        self.name = name
        self.stats_file = log_dir / f"{name}.json"
        self.log_path = log_dir / f"{name}.log"
        cmd = [sys.executable, "-m", "yuqing", "worker", *spiders, "--stats-file", str(self.stats_file),
               "-s", f"USER_AGENT={name}"]
        if max_idle is not None:
            cmd += ["--max-idle", str(max_idle)]
        for key, value in (settings or {}).items():
            cmd += ["-s", f"{key}={value}"]
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=worker_env(redis_url, **(env or {})),
                                     stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def stats(self) -> dict:
        data = json.loads(self.stats_file.read_text()) if self.stats_file.exists() else {}
        return next(iter(data.values()), {})

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_all(workers: list[Worker], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    codes = []
    try:
        for w in workers:
            codes.append(w.wait(max(0.1, deadline - time.monotonic())))
    finally:
        for w in workers:
            w.stop()
    return codes


def server_stats(web) -> dict:
    with urllib.request.urlopen(f"{web.url}/_stats", timeout=10) as answer:
        return json.load(answer)


def requests_from(web, names) -> list[dict]:
    """The server's log of requests whose User-Agent is one of ``names``, by arrival."""
    names = set(names)
    return sorted((r for r in server_stats(web)["log"] if r["ua"] in names), key=lambda r: r["t"])


def max_in_window(times: list[float], window: float) -> int:
    """The most arrivals in any ``window`` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
