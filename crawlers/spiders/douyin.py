from urllib.parse import quote

from crawlers.access import BrowserSpider
from crawlers.parsers.douyin import POST_XHR, DouyinParser

WEB = "https://www.douyin.com"


class DouyinSpider(BrowserSpider):
    """A Douyin creator's videos (``--account <sec_uid>``): the creator page is
    rendered in Chromium and the post lists it fetches are captured; scrolling
    makes it fetch older pages. Pooled accounts' cookies avoid most captchas."""

    name = "douyin"
    platform = "douyin"
    channel = "video"
    parser_cls = DouyinParser
    seed_kind = "user"
    seeding = "account"
    use_accounts = True
    browser_kinds = {"user": "[data-e2e='user-post-list'] li"}
    xhr_capture = {"user": POST_XHR.pattern}
    browser_scrolls = {"user": 3}
    custom_settings = {**BrowserSpider.custom_settings, "DOWNLOAD_DELAY": 5.0,
                       "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    # The share-page API answers unsigned requests in the aweme/post shape
    # (People's Daily, a public media account).
    canary_url = ("https://www.iesdouyin.com/web/api/v2/aweme/post/"
                  "?sec_uid=MS4wLjABAAAA8U_l6rBzmy7bcy6xOJel4v0RzoR_wfAubGPeJimN__4&count=1&max_cursor=0")
    canary_kind = "post_api"

    @classmethod
    def account_url(cls, account: str) -> str:
        return f"{WEB}/user/{quote(account)}"
