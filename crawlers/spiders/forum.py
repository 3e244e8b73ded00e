from crawlers.base import YuqingSpider
from crawlers.parsers.forum import ForumParser


class ForumSpider(YuqingSpider):
    """Board list -> threads -> every post of every thread page; seed with board URLs."""

    name = "forum"
    platform = "forum"
    channel = "forum"
    parser_cls = ForumParser
    seed_kind = "board"
    seeding = "board"
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 4}
