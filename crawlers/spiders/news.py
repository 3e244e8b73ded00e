from crawlers.base import YuqingSpider
from crawlers.parsers.news import NewsParser


class NewsSpider(YuqingSpider):
    """Generic news site: seed with RSS/Atom feed or sitemap URLs."""

    name = "news"
    platform = "news"
    channel = "news"
    parser_cls = NewsParser
    seed_kind = "feed"
    seeding = "url"
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 4}
