"""robots.txt is obeyed, unless a spider's code says otherwise.

Scrapy's RobotsTxtMiddleware, plus one way out: a spider class attribute
``robots_override = "ignore"``. It must be written in the spider (a setting or
a command-line flag cannot do it), any other value is an error, and every
start of such a spider says so in the log.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

logger = logging.getLogger(__name__)

OVERRIDES = (None, "ignore")


class RobotsPolicyMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        override = getattr(crawler.spidercls, "robots_override", None)
        if override not in OVERRIDES:
            raise ValueError(f"{crawler.spidercls.__name__}.robots_override = {override!r}: the only override "
                             "is 'ignore' (leave it unset to obey robots.txt)")
        self.ignore = override == "ignore"
        if self.ignore:
            crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    def spider_opened(self, spider):
        logger.warning("spider %s ignores robots.txt: its class sets robots_override = 'ignore'", spider.name)

    async def process_request(self, request):
        if self.ignore:
            return None
        return await super().process_request(request)
