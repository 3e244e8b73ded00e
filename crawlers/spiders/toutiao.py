from crawlers.access import BrowserSpider
from crawlers.parsers.toutiao import ToutiaoParser, search_api_url


class ToutiaoSpider(BrowserSpider):
    """Toutiao: keyword search (JSON) -> article pages, opened in a browser
    because a first visit gets Bytedance's JavaScript challenge instead of
    the article."""

    name = "toutiao"
    platform = "toutiao"
    channel = "self-media"
    parser_cls = ToutiaoParser
    seed_kind = "search"
    seeding = "keyword"
    search_kind = "search"
    browser_kinds = {"article": ".article-content, .article-box, .galleryBox"}
    custom_settings = {**BrowserSpider.custom_settings, "DOWNLOAD_DELAY": 2, "RANDOMIZE_DOWNLOAD_DELAY": True}
    canary_url = search_api_url("天气")
    canary_kind = "search"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return search_api_url(keyword)
