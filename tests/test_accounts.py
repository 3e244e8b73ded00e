"""Account pool, middleware and CLI against a real Redis: a risk-control
answer from a local server pauses the account and the crawl goes on with
another one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis

from crawlers.accounts import AccountError, AccountPool, parse_cookies
from crawlers.middlewares.accounts import refusal
from yuqing.cli import main as cli_main
from yuqing.schema import make_id

ROOT = Path(__file__).resolve().parent.parent
REDDIT = Path(__file__).parent / "fixtures" / "reddit"


@pytest.fixture
def pool(redis_url):
    return AccountPool(redis.Redis.from_url(redis_url, decode_responses=True))


@pytest.mark.parametrize("text, cookies", [
    ("SUB=abc; SUBP=d=ef", {"SUB": "abc", "SUBP": "d=ef"}),
    ("Cookie: a=1", {"a": "1"}),
    ('{"a": "1", "b": 2}', {"a": "1", "b": "2"}),
    ('[{"name": "a", "value": "1", "domain": ".weibo.cn"}]', {"a": "1"}),
    ("# Netscape HTTP Cookie File\n.weibo.cn\tTRUE\t/\tFALSE\t0\tSUB\txyz\n"
     "#HttpOnly_.weibo.cn\tTRUE\t/\tTRUE\t0\tALF\t1\n", {"SUB": "xyz", "ALF": "1"}),
])
def test_parse_cookies(text, cookies):
    assert parse_cookies(text) == cookies


def test_parse_cookies_reads_files_and_refuses_garbage(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"t": "v"}')
    assert parse_cookies(str(path)) == {"t": "v"}
    with pytest.raises(AccountError):
        parse_cookies("not cookies")


def test_pool_keeps_user_agent_spreads_use_and_respects_budget(pool):
    first = pool.add("weibo", "alice", {"SUB": "1"}, budget_per_hour=2)
    assert first.user_agent.startswith("Mozilla/5.0")
    assert pool.add("weibo", "alice", {"SUB": "2"}, budget_per_hour=2).user_agent == first.user_agent
    pool.add("weibo", "bob", {"SUB": "3"}, budget_per_hour=2)
    taken = [pool.acquire("weibo").name for _ in range(4)]
    assert sorted(taken) == ["alice", "alice", "bob", "bob"]
    assert pool.acquire("weibo") is None


def test_pause_disable_enable(pool):
    pool.add("weibo", "alice", {"SUB": "1"})
    pool.add("weibo", "bob", {"SUB": "2"})
    until = pool.pause("weibo", "alice", "risk_control")
    alice = pool.get("weibo", "alice")
    assert (alice.state, alice.pause_reason) == ("paused", "risk_control")
    assert abs(alice.paused_until - until) < 1 and until > time.time() + 3500
    assert pool.acquire("weibo").name == "bob"
    pool.set_disabled("weibo", "bob", True)
    assert pool.acquire("weibo") is None
    pool.set_disabled("weibo", "alice", False)  # enable also lifts a pause
    assert pool.acquire("weibo").name == "alice"
    # A pause is a key with a TTL: it ends by itself.
    pool.pause("weibo", "alice", "rate_limited", seconds=1)
    time.sleep(2.1)
    assert pool.get("weibo", "alice").state == "active"


@pytest.mark.parametrize("status, url, location, reason", [
    (418, "https://m.weibo.cn/api", None, "risk_control"),
    (461, "https://x", None, "risk_control"),
    (412, "https://x", None, "risk_control"),
    (401, "https://x", None, "login_required"),
    (302, "https://x", "https://passport.weibo.cn/signin/login?r=x", "login_required"),
    (302, "https://x", "https://verify.example/captcha?x=1", "risk_control"),
    (200, "https://www.douyin.com/user/x", None, None),
    (301, "http://x", "https://x", None),
])
def test_refusal(status, url, location, reason):
    assert refusal(status, url, location) == reason


def test_cli_add_list_disable(redis_url, tmp_path, capsys):
    cookies = tmp_path / "cookies.json"
    cookies.write_text('[{"name": "SUB", "value": "abc"}]')
    assert cli_main(["accounts", "--redis-url", redis_url, "add", "weibo", "--name", "alice",
                     "--cookies", str(cookies), "--budget", "50"]) == 0
    assert cli_main(["accounts", "--redis-url", redis_url, "add", "weibo", "--name", "bob",
                     "--cookies", "SUB=x; SUBP=y"]) == 0
    assert cli_main(["accounts", "--redis-url", redis_url, "disable", "weibo", "bob"]) == 0
    capsys.readouterr()
    assert cli_main(["accounts", "--redis-url", redis_url, "list", "--json"]) == 0
    listed = {a["name"]: a for a in json.loads(capsys.readouterr().out)}
    assert (listed["alice"]["state"], listed["alice"]["budget_per_hour"], listed["alice"]["cookies"]) == ("active", 50, 1)
    assert (listed["bob"]["state"], listed["bob"]["cookies"]) == ("disabled", 2)
    assert cli_main(["accounts", "--redis-url", redis_url, "list", "weibo"]) == 0
    table = capsys.readouterr().out
    assert "alice" in table and "disabled" in table
    assert cli_main(["accounts", "--redis-url", redis_url, "disable", "weibo", "nobody"]) == 1


# --------------------------------------------------------------------------- a real crawl

class _Platform(BaseHTTPRequestHandler):
    """A Reddit-like server that refuses two sessions: one with HTTP 418, one
    with a 200 whose JSON is a refusal (the parser's risk_control)."""

    seen: list = []

    def do_GET(self):  # noqa: N802
        cookie = self.headers.get("Cookie") or ""
        type(self).seen.append((self.path.split("?")[0], cookie, self.headers.get("User-Agent")))
        if self.path.startswith("/robots.txt"):
            return self._send(404, b"")
        if "session=blocked" in cookie:
            return self._send(418, b"I'm a teapot")
        if "session=risky" in cookie:
            return self._send(200, (REDDIT / "error-403.json").read_bytes())
        if "session=good" not in cookie:
            return self._send(401, b'{"error": 401}')
        name = "comments.json" if self.path.startswith("/comments/") else "new.json"
        return self._send(200, (REDDIT / name).read_bytes())

    def _send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


_CRAWL = """
import json, sys
from scrapy.crawler import CrawlerProcess
from crawlers.spiders.reddit import RedditSpider
from yuqing.worker import project_settings

class AccountsProbe(RedditSpider):
    name = "accounts_probe"
    use_accounts = True
    custom_settings = {"DOWNLOAD_DELAY": 0}

url, redis_url, out, stats_file = sys.argv[1:5]
settings = project_settings({"URLFILTER_ALLOW_PRIVATE": True, "ACCOUNTS_REDIS_URL": redis_url,
                             "ITEM_PIPELINES": {}, "FEEDS": {out: {"format": "jsonlines"}}, "LOG_LEVEL": "INFO"})
process = CrawlerProcess(settings)
crawler = process.create_crawler(AccountsProbe)
process.crawl(crawler, start_urls=url)
process.start()
json.dump({k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, int)}, open(stats_file, "w"))
"""


def test_refused_account_is_paused_and_the_crawl_goes_on_with_another(redis_url, pool, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Platform.seen = []
    # Least-used first, ties in name order: the refusing sessions are tried first.
    pool.add("reddit", "a-blocked", {"session": "blocked"})
    pool.add("reddit", "b-risky", {"session": "risky"})
    good = pool.add("reddit", "c-good", {"session": "good"})
    out, stats_file = tmp_path / "items.jl", tmp_path / "stats.json"
    try:
        run = subprocess.run([sys.executable, "-c", _CRAWL, f"http://127.0.0.1:{server.server_port}/r/Binhai/new.json",
                              redis_url, str(out), str(stats_file)], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, env={**os.environ, "SCRAPY_SETTINGS_MODULE": "settings"})
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 0, run.stderr[-3000:]
    stats = json.loads(stats_file.read_text())
    docs = [json.loads(line) for line in out.read_text().splitlines()]
    assert {d["post_id"] for d in docs} == {"t3_1gx0001", "t3_1gx0002", "t1_lz00001", "t1_lz00003"}
    assert {d["id"] for d in docs} >= {make_id(platform="reddit", post_id="t3_1gx0001")}

    blocked, risky = pool.get("reddit", "a-blocked"), pool.get("reddit", "b-risky")
    assert (blocked.state, blocked.pause_reason) == ("paused", "risk_control")
    assert (risky.state, risky.pause_reason) == ("paused", "risk_control")
    assert pool.get("reddit", "c-good").state == "active"
    assert stats["accounts/paused/reddit"] == 2 and stats["accounts/switched/reddit"] == 2
    assert stats["parse/error/risk_control"] == 1 and stats.get("accounts/none_available/reddit") is None

    # Which URL meets which account first varies (robots.txt takes one too), but a
    # refusing account is asked once and never again; everything else is "good".
    cookies = Counter(cookie for path, cookie, _ in _Platform.seen if path != "/robots.txt")
    assert (cookies["session=blocked"], cookies["session=risky"]) == (1, 1)
    assert set(cookies) == {"session=blocked", "session=risky", "session=good"}
    # Each account presents its own, stable user agent.
    assert all(ua == good.user_agent for path, cookie, ua in _Platform.seen if cookie == "session=good")
