from crawlers.access import JsonApiSpider
from crawlers.parsers.weibo import WeiboParser, profile_api_url, search_api_url


class WeiboSpider(JsonApiSpider):
    """Weibo through m.weibo.cn's JSON: keyword search or a user's timeline
    (profile -> timeline), then long texts and comments of every post found."""

    name = "weibo"
    platform = "weibo"
    channel = "social"
    parser_cls = WeiboParser
    seed_kind = "search"
    seeding = "keyword"
    search_kind = "search"
    account_kind = "profile"
    # Search pages past the first and comments often need a logged-in cookie.
    use_accounts = True
    headers = {**JsonApiSpider.headers, "Referer": "https://m.weibo.cn/", "X-Requested-With": "XMLHttpRequest",
               "Accept-Language": "zh-CN,zh;q=0.9"}
    # m.weibo.cn answers bursts with HTTP 418 and ok=0: one request at a time,
    # a few seconds apart, keeps an account usable for hours.
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 3, "RANDOMIZE_DOWNLOAD_DELAY": True}
    # 人民日报's profile: a long-lived public account.
    canary_url = profile_api_url("2803301701")
    canary_kind = "profile"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return search_api_url(keyword)

    @classmethod
    def account_url(cls, account: str) -> str:
        """``account`` is the numeric user id (the digits in ``weibo.com/u/…``)."""
        account = account.strip()
        if not account.isdigit():
            raise ValueError(f"a Weibo account is its numeric uid, not {account!r}")
        return profile_api_url(account)
