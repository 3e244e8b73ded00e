from urllib.parse import quote

from crawlers.access import JsonApiSpider
from crawlers.parsers.hackernews import HackerNewsParser

ALGOLIA = "https://hn.algolia.com/api/v1"


class HackerNewsSpider(JsonApiSpider):
    """Hacker News stories and comments by keyword or by user, newest first
    (Algolia ``search_by_date``); stories with comments lead to their tree."""

    name = "hackernews"
    platform = "hackernews"
    channel = "forum"
    parser_cls = HackerNewsParser
    seed_kind = "search"
    seeding = "keyword"
    # Algolia allows 10000 requests per hour per IP.
    custom_settings = {"DOWNLOAD_DELAY": 0.5, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    canary_url = f"{ALGOLIA}/search_by_date?tags=story&hitsPerPage=1"
    canary_kind = "search"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return f"{ALGOLIA}/search_by_date?query={quote(keyword)}&tags=(story,comment)&hitsPerPage=100"

    @classmethod
    def account_url(cls, account: str) -> str:
        return f"{ALGOLIA}/search_by_date?tags=author_{quote(account)}&hitsPerPage=100"
