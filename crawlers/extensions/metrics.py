"""Prometheus metrics of a worker process on ``METRICS_PORT`` (0 = off,
``auto`` = any free port, which the heartbeat publishes).

Values are read from each spider's Scrapy stats when Prometheus scrapes, so
nothing is counted twice and a counter is exactly what the crawl log reports:

- ``yuqing_pages_total{spider}``, ``yuqing_items_total{spider}``,
  ``yuqing_requests_total{spider}``, ``yuqing_responses_total{spider,status}``
- ``yuqing_errors_total{spider,reason}`` (``fetch/error/http_404``, ``parse/error/not_html``...)
- ``yuqing_dupefilter_filtered_total{spider}``, ``yuqing_politeness_delayed_total{spider,reason}``
- ``yuqing_queue_depth{spider,queue}`` (``requests``: the shared request queue,
  ``seeds``: seeds waiting), ``yuqing_browser_pages{spider}``

One HTTP server and one collector per process, whatever the number of spiders.
"""

from __future__ import annotations

import logging
import threading

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy_redis import connection

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_server_port: int | None = None
_collector: _ProcessCollector | None = None


def serving_port() -> int | None:
    """The port this process serves metrics on, if it does."""
    return _server_port


def parse_port(value) -> int | None:
    """``METRICS_PORT`` -> a port (0 = any free one), or None when off."""
    text = str(value if value is not None else "").strip().lower()
    if text in ("", "0", "off", "none", "false"):
        return None
    if text == "auto":
        return 0
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"METRICS_PORT must be a port, 0 (off) or 'auto', got {value!r}")
    return int(text)


class _ProcessCollector:
    def __init__(self):
        self.crawlers: dict[object, tuple] = {}

    def add(self, crawler, server, queue_keys: dict[str, str]) -> None:
        self.crawlers[crawler] = (server, queue_keys)

    def remove(self, crawler) -> None:
        self.crawlers.pop(crawler, None)

    def collect(self):
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families = {
            "pages": CounterMetricFamily("yuqing_pages", "Responses received", labels=["spider"]),
            "items": CounterMetricFamily("yuqing_items", "Documents scraped", labels=["spider"]),
            "requests": CounterMetricFamily("yuqing_requests", "Requests sent", labels=["spider"]),
            "responses": CounterMetricFamily("yuqing_responses", "Responses by HTTP status",
                                             labels=["spider", "status"]),
            "errors": CounterMetricFamily("yuqing_errors", "Failures by reason (the stats key)",
                                          labels=["spider", "reason"]),
            "filtered": CounterMetricFamily("yuqing_dupefilter_filtered", "Requests dropped as already seen",
                                            labels=["spider"]),
            "delayed": CounterMetricFamily("yuqing_politeness_delayed", "Requests that waited for politeness",
                                           labels=["spider", "reason"]),
            "queue": GaugeMetricFamily("yuqing_queue_depth", "Requests and seeds waiting in Redis",
                                       labels=["spider", "queue"]),
            "browser": GaugeMetricFamily("yuqing_browser_pages", "Browser pages open", labels=["spider"]),
        }
        for crawler, (server, queue_keys) in list(self.crawlers.items()):
            spider = crawler.spider.name if crawler.spider else "?"
            # A C-level copy: the reactor thread may be updating the stats.
            stats = crawler.stats.get_stats().copy()
            families["pages"].add_metric([spider], stats.get("response_received_count", 0))
            families["items"].add_metric([spider], stats.get("item_scraped_count", 0))
            families["requests"].add_metric([spider], stats.get("downloader/request_count", 0))
            families["filtered"].add_metric([spider], stats.get("dupefilter/filtered", 0))
            families["browser"].add_metric([spider], max(0, stats.get("playwright/page_count", 0)
                                                         - stats.get("playwright/page_count/closed", 0)))
            for key, value in stats.items():
                if not isinstance(value, (int, float)):
                    continue
                if key.startswith("downloader/response_status_count/"):
                    families["responses"].add_metric([spider, key.rsplit("/", 1)[1]], value)
                elif key.startswith(("fetch/error/", "parse/error/", "parse/shape_error/")) \
                        or key == "spider_exceptions/count":
                    families["errors"].add_metric([spider, key], value)
                elif key.startswith("politeness/delayed/"):
                    families["delayed"].add_metric([spider, key.rsplit("/", 1)[1]], value)
            self._queue_depths(families["queue"], spider, server, queue_keys)
        yield from families.values()

    @staticmethod
    def _queue_depths(family, spider, server, queue_keys) -> None:
        from yuqing.status import key_length

        try:
            for queue, key in queue_keys.items():
                family.add_metric([spider, queue], key_length(server, key))
        except Exception as exc:  # a scrape must answer even while Redis is away
            logger.debug("metrics: no queue depth for %s: %s", spider, exc)


class PrometheusMetrics:
    def __init__(self, crawler, port: int, host: str, server):
        self.crawler = crawler
        self.port = port
        self.host = host
        self.server = server

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        port = parse_port(settings.get("METRICS_PORT"))
        if port is None:
            raise NotConfigured("METRICS_PORT is 0")
        server = connection.from_settings(settings) if settings.get("REDIS_URL") else None
        ext = cls(crawler, port, settings.get("METRICS_HOST", "127.0.0.1"), server)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        global _server_port, _collector
        from prometheus_client import REGISTRY, start_http_server

        with _lock:
            if _collector is None:
                _collector = _ProcessCollector()
                REGISTRY.register(_collector)
            if _server_port is None:
                httpd, _ = start_http_server(self.port, addr=self.host)
                _server_port = httpd.server_port
                logger.info("Prometheus metrics on http://%s:%d/metrics", self.host, _server_port)
        queue_keys = {}
        if self.server is not None:
            settings = self.crawler.settings
            queue_keys = {"requests": settings.get("SCHEDULER_QUEUE_KEY") % {"spider": spider.name},
                          "seeds": settings.get("REDIS_START_URLS_KEY") % {"name": spider.name}}
        _collector.add(self.crawler, self.server, queue_keys)

    def spider_closed(self, spider):
        if _collector is not None:
            _collector.remove(self.crawler)
