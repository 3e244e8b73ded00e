from crawlers.access import HtmlSpider
from crawlers.parsers.wechat import WechatParser, search_page_url


class WechatSpider(HtmlSpider):
    """WeChat official-account articles: Sogou WeChat search -> Sogou's
    redirect hop -> mp.weixin.qq.com article pages."""

    name = "wechat"
    platform = "wechat"
    channel = "self-media"
    parser_cls = WechatParser
    seed_kind = "search"
    seeding = "keyword"
    search_kind = "search"
    headers = {**HtmlSpider.headers, "Referer": "https://weixin.sogou.com/", "Accept-Language": "zh-CN,zh;q=0.9"}
    custom_settings = {
        # Sogou shows its captcha after a handful of fast queries, and only
        # serves clients that keep its cookies (SUID/SNUID) between requests.
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 5,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "COOKIES_ENABLED": True,
    }
    canary_url = search_page_url("天气")
    canary_kind = "search"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return search_page_url(keyword)
