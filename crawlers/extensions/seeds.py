"""Workers as a service: take seeds from Redis, stay open while idle.

Seeds are JSON objects pushed by ``yuqing seed`` to ``yuqing:<spider>:start_urls``.
Each poll takes at most ``REDIS_START_URLS_BATCH_SIZE`` of them, so several
workers share a seed list instead of the first one grabbing all. A worker
closes only when asked to: after ``MAX_IDLE_TIME_BEFORE_CLOSE`` idle seconds.
"""

from __future__ import annotations

import json
import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task
from scrapy_redis import connection

from crawlers.queue import RedisDown, RedisGuard

logger = logging.getLogger(__name__)


class RedisSeeds:
    def __init__(self, crawler, server, key_template: str, batch_size: int,
                 poll_interval: float, max_idle: int):
        self.crawler = crawler
        self.server = server
        self.key_template = key_template
        self.batch_size = max(1, batch_size)
        self.poll_interval = poll_interval
        self.max_idle = max_idle
        self.idle_since: float | None = None
        self.loop: task.LoopingCall | None = None
        self.key = ""
        self.guard = RedisGuard("seed reader", crawler.stats)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: single-process crawl with Scrapy's scheduler")
        ext = cls(crawler, connection.from_settings(settings),
                  settings.get("REDIS_START_URLS_KEY"),
                  settings.getint("REDIS_START_URLS_BATCH_SIZE", 1),
                  settings.getfloat("REDIS_SEED_POLL_INTERVAL", 1.0),
                  settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE", 0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.busy, signal=signals.response_received)
        crawler.signals.connect(ext.busy, signal=signals.request_scheduled)
        return ext

    def spider_opened(self, spider):
        self.key = self.key_template % {"name": spider.name}
        self.loop = task.LoopingCall(self.poll)
        self.loop.start(self.poll_interval, now=True).addErrback(
            lambda f: logger.error("seed polling stopped: %s", f.getErrorMessage()))
        logger.info("worker reads seeds from redis key %s (batch %d); idle close: %s",
                    self.key, self.batch_size, f"{self.max_idle}s" if self.max_idle else "never")

    def spider_closed(self, spider):
        if self.loop and self.loop.running:
            self.loop.stop()

    def busy(self, *args, **kwargs):
        self.idle_since = None

    def _has_capacity(self) -> bool:
        engine = self.crawler.engine
        concurrency = self.crawler.settings.getint("CONCURRENT_REQUESTS")
        return len(engine.downloader.active) < concurrency

    def poll(self) -> None:
        spider = self.crawler.spider
        if spider is None or not self._has_capacity():
            return
        # Other workers push follow-up requests into the shared queue; wake the
        # engine now rather than at its 5 s heartbeat.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()
        try:
            raw_seeds = self.guard.call(self._take)
        except RedisDown:  # the guard logged it once; the worker stays up and retries
            return
        for raw in raw_seeds:
            try:
                data = json.loads(raw)
                if not isinstance(data, dict) or not data.get("url"):
                    raise ValueError("a seed must be a JSON object with a 'url'")
                request = spider.request_from_seed(data)
            except (ValueError, TypeError) as exc:
                self.crawler.stats.inc_value("seeds/invalid")
                logger.error("invalid seed in %s: %r (%s)", self.key, raw[:200], exc)
                continue
            self.crawler.stats.inc_value("seeds/received")
            self.crawler.engine.crawl(request)

    def _take(self) -> list[bytes]:
        with self.server.pipeline() as pipe:
            pipe.lrange(self.key, 0, self.batch_size - 1)
            pipe.ltrim(self.key, self.batch_size, -1)
            raw_seeds, _ = pipe.execute()
        return raw_seeds

    def spider_idle(self, spider):
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if self.max_idle and now - self.idle_since >= self.max_idle:
            logger.info("idle for %ds: closing", self.max_idle)
            return
        raise DontCloseSpider("waiting for work from redis")
