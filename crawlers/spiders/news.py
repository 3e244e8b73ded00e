from urllib.parse import urlsplit

from crawlers.base import YuqingSpider
from crawlers.parsers.news import NewsParser


class NewsSpider(YuqingSpider):
    """Generic news site: seed with RSS/Atom feed or sitemap URLs, or with list
    pages (``--kind listpage``) of sites without feeds, read with the CSS/XPath
    rules configured for their site in ``NEWS_LIST_RULES``."""

    name = "news"
    platform = "news"
    channel = "news"
    parser_cls = NewsParser
    seed_kind = "feed"
    seeding = "url"
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 4}

    def make_request(self, url, kind, meta=None, dont_filter=False):
        if kind == "listpage" and not (meta or {}).get("list_rules"):
            rules = self.settings.getdict("NEWS_LIST_RULES").get(urlsplit(url).hostname or "")
            if rules:
                meta = {**(meta or {}), "list_rules": rules}
        return super().make_request(url, kind, meta=meta, dont_filter=dont_filter)
