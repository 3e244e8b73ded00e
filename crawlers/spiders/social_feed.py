from crawlers.base import YuqingSpider
from crawlers.parsers.social_feed import SocialFeedParser


class SocialFeedSpider(YuqingSpider):
    """A social feed rendered by JavaScript: the page is opened in Chromium
    (scrapy-playwright) and the rendered posts are parsed from the DOM."""

    name = "social_feed"
    platform = "testsocial"
    channel = "social"
    parser_cls = SocialFeedParser
    seed_kind = "feed_dom"
    seeding = "url"
    # The feed script loads every API page, then marks the container done.
    browser_kinds = {"feed_dom": '#feed[data-state="done"]'}
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2}
