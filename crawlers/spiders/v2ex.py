from urllib.parse import quote

from crawlers.access import JsonApiSpider
from crawlers.parsers.v2ex import V2exParser

API = "https://www.v2ex.com/api"


class V2exSpider(JsonApiSpider):
    """V2EX topics of a member (``--account``) or of any topics list seeded by
    URL (``/api/topics/latest.json``, ``show.json?node_name=``); topics with
    replies lead to their replies. V2EX has no keyword search API."""

    name = "v2ex"
    platform = "v2ex"
    channel = "forum"
    parser_cls = V2exParser
    seed_kind = "topics"
    seeding = "account"
    # API v1 allows 120 requests per hour per IP: one every 30 s.
    custom_settings = {"DOWNLOAD_DELAY": 30.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    canary_url = f"{API}/topics/latest.json"
    canary_kind = "topics"

    @classmethod
    def account_url(cls, account: str) -> str:
        return f"{API}/topics/show.json?username={quote(account)}"
