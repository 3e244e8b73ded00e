"""Spider middleware that tells the leasing scheduler when a callback is done.

It sits outermost (lowest order), so it sees a callback's output exactly as the
engine receives it: every item in it is counted against the request's lease
(the scheduler counts it back when the item leaves the item pipelines), and
the end of the output, even one cut short by an exception, marks the callback
finished. Requests in the output are new work, not the parent's successor: a
lease a spider copied along with ``response.meta`` is taken off them.
"""

from __future__ import annotations

from scrapy.exceptions import NotConfigured
from scrapy.http import Request

from crawlers.queue import LEASE_META


class LeaseMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: Scrapy's own scheduler leases nothing")
        return cls(crawler)

    async def process_spider_output(self, response, result):
        lease = response.request.meta.get(LEASE_META) if response.request is not None else None
        scheduler = self.crawler.engine.scheduler if lease else None
        try:
            async for output in result:
                if isinstance(output, Request):
                    output.meta.pop(LEASE_META, None)
                elif output is not None and scheduler is not None:
                    scheduler.item_added(lease)
                yield output
        finally:
            if scheduler is not None:
                scheduler.output_done(lease)
