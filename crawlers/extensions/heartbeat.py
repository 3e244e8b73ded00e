"""Each worker process tells Redis it is alive, and how it is doing.

Every ``HEARTBEAT_INTERVAL`` seconds the process's hash
``yuqing:workers:<host>:<pid>`` gets, per spider it runs, a JSON field
``spider:<name>`` with its counters (pages, items, errors, open browser pages)
and per-minute rates, plus ``host``, ``pid``, ``started``, ``last_beat``,
``interval`` and ``metrics_port``. The hash expires ``HEARTBEAT_TTL`` seconds
after the last beat, so a killed worker shows as stale in ``yuqing status``
(no beat for ``HEARTBEAT_STALE_AFTER`` intervals) and then disappears; a
worker that closes cleanly removes its own.

Redis is written from a thread: a Redis outage must not stall the reactor.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections import deque

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis import connection
from twisted.internet import task, threads
from twisted.internet.defer import Deferred

from crawlers.extensions import metrics

logger = logging.getLogger(__name__)

# Spiders open in this process, per heartbeat key: the last to close removes the key.
_OPEN: dict[str, set[str]] = {}
_STARTED = time.time()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def error_count(stats: dict) -> int:
    """Failures a spider counted: fetches that failed for good, pages that did
    not parse, exceptions in callbacks."""
    return sum(int(v) for k, v in stats.items() if isinstance(v, (int, float)) and (
        k.startswith(("fetch/error/", "parse/error/", "parse/shape_error/"))
        or k == "spider_exceptions/count"))


def counters(stats: dict) -> dict[str, int]:
    return {
        "pages": int(stats.get("response_received_count", 0)),
        "items": int(stats.get("item_scraped_count", 0)),
        "errors": error_count(stats),
        # scrapy-playwright counts pages opened and closed, not pages open.
        "browser_pages": max(0, int(stats.get("playwright/page_count", 0))
                             - int(stats.get("playwright/page_count/closed", 0))),
    }


class Heartbeat:
    def __init__(self, crawler, server, key: str, interval: float, ttl: int):
        self.crawler = crawler
        self.server = server
        self.key = key
        self.interval = interval
        self.ttl = ttl
        self.loop: task.LoopingCall | None = None
        self.samples: deque[tuple[float, int, int]] = deque()
        self.writing: Deferred | None = None
        self.failing = False
        self.spider_name = ""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: nowhere to send heartbeats")
        interval = settings.getfloat("HEARTBEAT_INTERVAL", 5.0)
        if interval <= 0:
            raise NotConfigured("HEARTBEAT_INTERVAL is 0")
        ext = cls(crawler, connection.from_settings(settings),
                  settings.get("HEARTBEAT_KEY") % {"worker": worker_id()}, interval,
                  max(settings.getint("HEARTBEAT_TTL", 120), int(interval * 3)))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.spider_name = spider.name
        _OPEN.setdefault(self.key, set()).add(spider.name)
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.interval, now=True).addErrback(
            lambda f: logger.error("heartbeat stopped: %s", f.getErrorMessage()))

    def report(self) -> dict[str, object]:
        now = time.monotonic()
        values = counters(self.crawler.stats.get_stats())
        self.samples.append((now, values["pages"], values["items"]))
        while len(self.samples) > 2 and now - self.samples[1][0] >= 60:
            self.samples.popleft()
        first = self.samples[0]
        minutes = (now - first[0]) / 60
        values["pages_per_min"] = round((values["pages"] - first[1]) / minutes, 1) if minutes > 0 else 0.0
        values["items_per_min"] = round((values["items"] - first[2]) / minutes, 1) if minutes > 0 else 0.0
        return values

    def beat(self):
        if self.writing:  # the last write is still waiting for Redis
            return None
        fields = {
            "host": socket.gethostname(), "pid": os.getpid(), "started": _STARTED, "last_beat": time.time(),
            "interval": self.interval, "metrics_port": metrics.serving_port() or "",
            f"spider:{self.spider_name}": json.dumps(self.report()),
        }
        self.writing = threads.deferToThread(self._write, fields)
        self.writing.addCallbacks(self._written, self._failed)

    def _write(self, fields: dict) -> None:
        with self.server.pipeline() as pipe:
            pipe.hset(self.key, mapping=fields)
            pipe.expire(self.key, self.ttl)
            pipe.execute()

    def _written(self, _):
        self.writing = None
        if self.failing:
            logger.info("heartbeat: Redis is back")
            self.failing = False

    def _failed(self, failure):
        self.writing = None
        self.crawler.stats.inc_value("heartbeat/redis_error")
        if not self.failing:
            logger.warning("heartbeat: cannot write %s (%s)", self.key, failure.getErrorMessage())
            self.failing = True

    async def spider_closed(self, spider):
        if self.loop and self.loop.running:
            self.loop.stop()
        spiders = _OPEN.get(self.key, set())
        spiders.discard(spider.name)
        last = not spiders
        if last:
            _OPEN.pop(self.key, None)
        try:
            # After a write still in flight, which would otherwise bring the key back.
            if self.writing is not None:
                await maybe_deferred_to_future(self.writing)
            await maybe_deferred_to_future(threads.deferToThread(self._remove, spider.name, last))
        except Exception as exc:  # the key expires by itself
            logger.warning("heartbeat: cannot remove %s (%s)", self.key, exc)

    def _remove(self, spider_name: str, last: bool) -> None:
        if last:
            self.server.delete(self.key)
        else:
            self.server.hdel(self.key, f"spider:{spider_name}")
