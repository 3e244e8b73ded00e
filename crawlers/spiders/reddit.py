from urllib.parse import quote

from crawlers.access import JsonApiSpider
from crawlers.parsers.reddit import RedditParser

WEB = "https://www.reddit.com"


class RedditSpider(JsonApiSpider):
    """Reddit submissions by keyword (site search, newest first) or by
    subreddit (``--account news`` -> r/news/new); submissions with comments
    lead to their comment tree."""

    name = "reddit"
    platform = "reddit"
    channel = "forum"
    parser_cls = RedditParser
    seed_kind = "listing"
    seeding = "keyword"
    # Logged-out clients get about 10 requests a minute before 429s.
    custom_settings = {"DOWNLOAD_DELAY": 6.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    canary_url = f"{WEB}/r/news/new.json?limit=1&raw_json=1"
    canary_kind = "listing"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return f"{WEB}/search.json?q={quote(keyword)}&sort=new&limit=100&raw_json=1"

    @classmethod
    def account_url(cls, account: str) -> str:
        sub = account.removeprefix("r/").removeprefix("/r/").strip("/")
        return f"{WEB}/r/{quote(sub)}/new.json?limit=100&raw_json=1"
