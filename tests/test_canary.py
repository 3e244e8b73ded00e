"""``yuqing canary`` against a local server replaying the parser fixtures:
good answers are ``ok``, a renamed field is ``changed`` naming it, a 418 is
``blocked``, a redirect to a login page is ``login required``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawlers.spiders.bluesky import BlueskySpider
from crawlers.spiders.douyin import DouyinSpider
from crawlers.spiders.hackernews import HackerNewsSpider
from crawlers.spiders.mastodon import MastodonSpider
from crawlers.spiders.reddit import RedditSpider
from crawlers.spiders.v2ex import V2exSpider
from crawlers.spiders.youtube import YoutubeSpider
from yuqing.cli import main as cli_main
from yuqing.cli.canary import BLOCKED, CHANGED, LOGIN, OK, UNREACHABLE, check, target_url

FIXTURES = Path(__file__).parent / "fixtures"
REPLAY = {
    MastodonSpider: "mastodon/tag-timeline.json",
    BlueskySpider: "bluesky/author-feed.json",
    RedditSpider: "reddit/new.json",
    HackerNewsSpider: "hackernews/search-by-date.json",
    V2exSpider: "v2ex/latest.json",
    YoutubeSpider: "youtube/watch.html",
    DouyinSpider: "douyin/aweme-post.json",
}
UA = "yuqing-canary-test"


class _Replay(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, dict]] = {}

    def do_GET(self):  # noqa: N802
        status, body, headers = self.routes.get(urlsplit(self.path).path, (404, b"not found", {}))
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def replay():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Replay.routes = {urlsplit(spider.canary_url).path: (200, (FIXTURES / name).read_bytes(), {})
                      for spider, name in REPLAY.items()}
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def route(spider) -> str:
    return urlsplit(spider.canary_url).path


def test_every_spider_of_mine_declares_a_canary():
    for spider in REPLAY:
        assert spider.canary_url.startswith("https://") and spider.canary_kind in spider.parser_cls.kinds


@pytest.mark.parametrize("spider", list(REPLAY), ids=lambda s: s.name)
def test_good_answers_are_ok(replay, spider):
    result = check(spider, UA, base_url=replay)
    assert (result.verdict, result.status, result.platform) == (OK, 200, spider.platform), result.detail
    assert result.url == target_url(spider.canary_url, replay) and result.url.startswith(replay)


@pytest.mark.parametrize("spider, rename, field", [
    (MastodonSpider, ("favourites_count", "favorites_count"), "statuses[0].favourites_count"),
    (RedditSpider, ('"num_comments"', '"comment_count"'), "data.children[0].data.num_comments"),
    (V2exSpider, ('"member"', '"user"'), "[0].member"),
    (YoutubeSpider, ("videoDetails", "videoDetail"), "videoDetails"),
], ids=lambda v: v.name if isinstance(v, type) else None)
def test_renamed_field_is_changed_shape_naming_it(replay, spider, rename, field):
    status, body, headers = _Replay.routes[route(spider)]
    _Replay.routes[route(spider)] = (status, body.replace(rename[0].encode(), rename[1].encode()), headers)
    result = check(spider, UA, base_url=replay)
    assert (result.verdict, result.field) == (CHANGED, field)


def test_teapot_is_blocked_and_login_redirect_is_login_required(replay):
    _Replay.routes[route(RedditSpider)] = (418, b"I'm a teapot", {})
    _Replay.routes[route(V2exSpider)] = (302, b"", {"Location": "/signin?next=/api"})
    _Replay.routes["/signin"] = (200, b"<html>sign in</html>", {"Content-Type": "text/html"})
    _Replay.routes[route(BlueskySpider)] = (429, b'{"error":"RateLimitExceeded","message":"slow down"}', {})
    assert check(RedditSpider, UA, base_url=replay).verdict == BLOCKED
    assert check(V2exSpider, UA, base_url=replay).verdict == LOGIN
    assert check(BlueskySpider, UA, base_url=replay).verdict == BLOCKED


def test_unreachable_platform():
    result = check(MastodonSpider, UA, base_url="http://127.0.0.1:9", timeout=3)
    assert result.verdict == UNREACHABLE and result.status is None


def test_command_json_and_exit_code(replay, capsys):
    assert cli_main(["canary", "mastodon", "hackernews", "--base-url", replay, "--json"]) == 0
    results = {r["platform"]: r for r in json.loads(capsys.readouterr().out)}
    assert {p: r["verdict"] for p, r in results.items()} == {"mastodon": OK, "hackernews": OK}
    _Replay.routes[route(HackerNewsSpider)] = (418, b"", {})
    assert cli_main(["canary", "hackernews", "--base-url", replay]) == 1
    assert "blocked" in capsys.readouterr().out
    assert cli_main(["canary", "no-such-platform"]) == 2
