from crawlers.access import HtmlSpider
from crawlers.parsers.tieba import TiebaParser


class TiebaSpider(HtmlSpider):
    """Baidu Tieba: board pages (``/f?kw=<吧名>``) -> every floor of every
    thread; seed with board URLs (thread URLs work too)."""

    name = "tieba"
    platform = "tieba"
    channel = "forum"
    parser_cls = TiebaParser
    seed_kind = "board"
    seeding = "board"
    headers = {**HtmlSpider.headers, "Accept-Language": "zh-CN,zh;q=0.9"}
    # Baidu answers fast crawls with its "百度安全验证" page.
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 2, "RANDOMIZE_DOWNLOAD_DELAY": True}
    canary_url = "https://tieba.baidu.com/f?kw=%E8%B4%B4%E5%90%A7%E7%83%AD%E8%AE%AE&ie=utf-8"
    canary_kind = "board"
