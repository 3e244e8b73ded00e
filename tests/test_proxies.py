"""The shared proxy pool and per-session user agents, with real proxies on
loopback: a forwarding proxy that records what it carried, a proxy that
refuses connections and one that answers every request with 403 (banned).
The failing two are rested, the good one carries the crawl."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from crawl_helpers import ROOT, Worker, server_stats, wait_all, worker_env
from yuqing.cli.seed import push_seeds
from yuqing.worker import project_settings

PAGES = 15


class Proxy(ThreadingHTTPServer):
    """A plain HTTP forward proxy (absolute-URI GETs), or with ``status`` an
    upstream that bans everyone."""

    daemon_threads = True

    def __init__(self, status: int | None = None):
        self.status = status
        self.carried: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _ProxyHandler(BaseHTTPRequestHandler):
    server: Proxy

    def do_GET(self):  # noqa: N802 - http.server naming
        if self.server.status:
            self._answer(self.server.status, b"banned", "text/plain")
            return
        self.server.carried.append(self.path)
        upstream = urllib.request.Request(self.path, headers={"User-Agent": self.headers.get("User-Agent", "")})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(upstream, timeout=10) as answer:
                self._answer(answer.status, answer.read(), answer.headers.get("Content-Type"))
        except urllib.error.HTTPError as exc:
            self._answer(exc.code, exc.read(), exc.headers.get("Content-Type"))

    def _answer(self, status: int, body: bytes, content_type: str | None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"  # closed again: connections are refused


def proxies_cli(redis_url: str, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "yuqing", "proxies", *args], cwd=ROOT,
                            env=worker_env(redis_url), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def crawl(redis_service, testweb, tmp_path_factory):
    redis_url, tmp_path = redis_service.url, tmp_path_factory.mktemp("proxies")
    redis.Redis.from_url(redis_url).flushdb()
    good, banned, refused = Proxy(), Proxy(status=403), refused_url()
    try:
        assert "added 3 proxy(ies)" in proxies_cli(redis_url, "add", refused, banned.url, good.url)
        run = uuid.uuid4().hex[:8]
        push_seeds(redis.Redis.from_url(redis_url), project_settings(), "news",
                   [f"{testweb.url}/throttle/{run}/sitemap.xml?pages={PAGES}"])
        before = len(server_stats(testweb)["log"])
        worker = Worker(redis_url, f"proxied-{run}", tmp_path, max_idle=3,
                        env={"YUQING_PROXY_POOL": "1", "YUQING_ROTATE_UA": "1"})
        [code] = wait_all([worker], timeout=90)
        yield {"code": code, "worker": worker, "good": good, "banned": banned, "refused": refused, "run": run,
               "log": [r for r in server_stats(testweb)["log"][before:] if f"/throttle/{run}/" in r["path"]],
               "pool": proxies_cli(redis_url, "list")}
    finally:
        good.shutdown()
        banned.shutdown()


def test_failing_proxies_rest_and_the_good_one_carries_the_crawl(crawl):
    assert crawl["code"] == 0, crawl["worker"].logs()[-3000:]
    articles = {r["path"] for r in crawl["log"] if "/a/" in r["path"] and r["status"] == 200}
    assert len(articles) == PAGES, "every page arrives despite the failing proxies"
    carried = {p.split("://", 1)[1].split("/", 1)[1] for p in crawl["good"].carried}
    assert {a.lstrip("/") for a in articles} <= carried, "every page went through the good proxy"
    pool = {line.split("\t")[0]: line for line in crawl["pool"].splitlines()}
    for bad in (crawl["refused"], crawl["banned"].url):
        assert "resting" in pool[bad] and "failures=0" not in pool[bad], pool[bad]
    assert "\tready\tfailures=0\thealth=1.00" in pool[crawl["good"].url]
    stats = crawl["worker"].stats()
    assert stats.get("proxies/failed/http_403", 0) >= 1
    assert sum(v for k, v in stats.items() if k.startswith("proxies/failed/") and "http" not in k) >= 1


def test_one_browser_user_agent_per_session(crawl):
    agents = {r["ua"] for r in crawl["log"]}
    assert len(agents) == 1, agents
    [agent] = agents
    assert agent.startswith("Mozilla/5.0") and "yuqing" not in agent
    assert crawl["worker"].stats().get("useragent/sessions") == 1
