from urllib.parse import quote

from crawlers.access import JsonApiSpider
from crawlers.parsers.bluesky import BlueskyParser

APPVIEW = "https://public.api.bsky.app/xrpc"


class BlueskySpider(JsonApiSpider):
    """Bluesky posts by keyword (searchPosts) or by account (getAuthorFeed);
    posts with replies lead to their thread (getPostThread)."""

    name = "bluesky"
    platform = "bluesky"
    channel = "social"
    parser_cls = BlueskyParser
    seed_kind = "search"
    seeding = "keyword"
    search_kind = "search"
    account_kind = "feed"
    # The public AppView allows 3000 requests per 5 minutes per IP.
    custom_settings = {"DOWNLOAD_DELAY": 0.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    canary_url = f"{APPVIEW}/app.bsky.feed.getAuthorFeed?actor=bsky.app&limit=1"
    canary_kind = "feed"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return f"{APPVIEW}/app.bsky.feed.searchPosts?q={quote(keyword)}&sort=latest&limit=100"

    @classmethod
    def account_url(cls, account: str) -> str:
        return f"{APPVIEW}/app.bsky.feed.getAuthorFeed?actor={quote(account.lstrip('@'))}&limit=100"
