"""``yuqing seed --keyword/--account``: seed URLs built by the spiders'
``search_url`` / ``account_url``, queued in Redis with their page kinds."""

from __future__ import annotations

import json

import pytest
import redis

from crawlers.spiders.bluesky import BlueskySpider
from crawlers.spiders.douyin import DouyinSpider
from crawlers.spiders.hackernews import HackerNewsSpider
from crawlers.spiders.mastodon import MastodonSpider
from crawlers.spiders.reddit import RedditSpider
from crawlers.spiders.v2ex import V2exSpider
from crawlers.spiders.youtube import YoutubeSpider
from yuqing.cli import main as cli_main
from yuqing.cli.seed import seed_urls


@pytest.mark.parametrize("spider, keywords, accounts, expected", [
    (MastodonSpider, ["#Binhai Metro"], [], [("https://mastodon.social/api/v1/timelines/tag/BinhaiMetro?limit=40", None)]),
    (BlueskySpider, ["地铁"], ["@ann.bsky.social"], [
        ("https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts?q=%E5%9C%B0%E9%93%81&sort=latest&limit=100", "search"),
        ("https://public.api.bsky.app/xrpc/app.bsky.feed.getAuthorFeed?actor=ann.bsky.social&limit=100", "feed")]),
    (RedditSpider, ["line 3"], ["r/Binhai"], [
        ("https://www.reddit.com/search.json?q=line%203&sort=new&limit=100&raw_json=1", None),
        ("https://www.reddit.com/r/Binhai/new.json?limit=100&raw_json=1", None)]),
    (HackerNewsSpider, ["metro"], ["pg"], [
        ("https://hn.algolia.com/api/v1/search_by_date?query=metro&tags=(story,comment)&hitsPerPage=100", None),
        ("https://hn.algolia.com/api/v1/search_by_date?tags=author_pg&hitsPerPage=100", None)]),
    (V2exSpider, [], ["livid"], [("https://www.v2ex.com/api/topics/show.json?username=livid", None)]),
    (YoutubeSpider, ["binhai metro"], ["@BinhaiDaily"], [
        ("https://www.youtube.com/results?search_query=binhai%20metro", None),
        ("https://www.youtube.com/@BinhaiDaily/videos", None)]),
    (DouyinSpider, [], ["MS4wLjABAAAAx"], [("https://www.douyin.com/user/MS4wLjABAAAAx", None)]),
])
def test_seed_urls(spider, keywords, accounts, expected):
    assert seed_urls(spider, keywords, accounts) == expected


def test_spider_without_keyword_search_refuses_keywords():
    with pytest.raises(ValueError, match="cannot be seeded by keyword"):
        seed_urls(V2exSpider, ["x"], [])


def test_cli_queues_keyword_and_account_seeds_with_their_kinds(redis_url, capsys):
    assert cli_main(["seed", "bluesky", "--keyword", "metro", "--account", "ann.bsky.social",
                     "--redis-url", redis_url]) == 0
    queued = [json.loads(x) for x in redis.Redis.from_url(redis_url).lrange("yuqing:bluesky:start_urls", 0, -1)]
    assert [(q["url"].split("?")[0].rsplit(".", 1)[-1], q["kind"]) for q in queued] == [
        ("searchPosts", "search"), ("getAuthorFeed", "feed")]
    assert cli_main(["seed", "v2ex", "--keyword", "x", "--redis-url", redis_url]) == 2
    assert cli_main(["seed", "v2ex", "--redis-url", redis_url]) == 2
