from crawlers.access import JsonApiSpider
from crawlers.parsers.bilibili import BilibiliParser, search_api_url, space_api_url, view_api_url


class BilibiliSpider(JsonApiSpider):
    """Bilibili's web API: video search or a user's dynamics, then each
    video's metadata and its comments (with their replies)."""

    name = "bilibili"
    platform = "bilibili"
    channel = "video"
    parser_cls = BilibiliParser
    seed_kind = "search"
    seeding = "keyword"
    search_kind = "search"
    account_kind = "dynamics"
    # Cookie-less clients get -412 quickly on search and the space feed.
    use_accounts = True
    headers = {**JsonApiSpider.headers, "Referer": "https://www.bilibili.com/", "Origin": "https://www.bilibili.com",
               "Accept-Language": "zh-CN,zh;q=0.9"}
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 1.5, "RANDOMIZE_DOWNLOAD_DELAY": True}
    # av2, the site's oldest surviving video.
    canary_url = view_api_url("BV1xx411c7mD")
    canary_kind = "video"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return search_api_url(keyword)

    @classmethod
    def account_url(cls, account: str) -> str:
        """``account`` is the numeric member id (``space.bilibili.com/<mid>``)."""
        account = account.strip()
        if not account.isdigit():
            raise ValueError(f"a Bilibili account is its numeric mid, not {account!r}")
        return space_api_url(account)
