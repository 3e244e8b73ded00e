"""The shared Redis scheduler: scrapy-redis's, with the Scrapy 2.13+ calling
conventions (no ``spider=`` arguments, which Scrapy now deprecates)."""

from __future__ import annotations

from scrapy_redis.scheduler import Scheduler as _RedisScheduler


class Scheduler(_RedisScheduler):
    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
