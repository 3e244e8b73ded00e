from crawlers.base import YuqingSpider
from crawlers.parsers.common import SeedKindFromUrl
from crawlers.parsers.tieba import TiebaParser


class TiebaSpider(SeedKindFromUrl, YuqingSpider):
    """Baidu Tieba: board pages (``/f?kw=<吧名>``) -> every floor of every
    thread; seed with board URLs (thread URLs work too)."""

    name = "tieba"
    platform = "tieba"
    channel = "forum"
    parser_cls = TiebaParser
    seed_kind = "board"
    seeding = "board"
    custom_settings = {
        # Baidu answers fast crawls with its "百度安全验证" page.
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 2,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9",
        },
    }
