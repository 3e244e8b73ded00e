from urllib.parse import quote

from crawlers.access import JsonApiSpider
from crawlers.parsers.mastodon import MastodonParser

DEFAULT_INSTANCE = "https://mastodon.social"


class MastodonSpider(JsonApiSpider):
    """Public Mastodon timelines: a keyword is followed as a hashtag (the tag
    timeline is public everywhere; full-text status search needs a login on
    most servers). Statuses with replies lead to their context (the thread).
    Seed other servers or ``/api/v2/search`` URLs directly with ``--kind``."""

    name = "mastodon"
    platform = "mastodon"
    channel = "social"
    parser_cls = MastodonParser
    seed_kind = "timeline"
    seeding = "keyword"
    # mastodon.social allows 300 requests per 5 minutes per IP.
    custom_settings = {"DOWNLOAD_DELAY": 1.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    canary_url = f"{DEFAULT_INSTANCE}/api/v1/timelines/tag/news?limit=1"
    canary_kind = "timeline"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        tag = "".join(keyword.lstrip("#").split())
        return f"{DEFAULT_INSTANCE}/api/v1/timelines/tag/{quote(tag)}?limit=40"
