"""Retries with backoff per kind of failure, then the dead letters.

Replaces Scrapy's RetryMiddleware. Each failure is sorted into a kind
(``timeout``, ``http_5xx``, ``http_429``, ``dns``, ``connection``) with its own
number of retries and first wait (``RETRY_POLICY``); the wait doubles on each
retry up to ``RETRY_BACKOFF_MAX``, and a 429's ``Retry-After`` wins when it
asks for longer. The retry waits in the shared queue's delayed set, so no
download slot sits idle and any worker may take it. After the last retry the
request goes to the dead letters (``yuqing dead list``) with the reason, and
the failure goes on to the spider's errback as usual.

A body over ``DOWNLOAD_MAXSIZE`` is not retried: it is counted under
``fetch/error/too_large`` and logged with its URL.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError, NotConfigured, ResponseDataLossError)
from twisted.internet import error as twisted_errors
from twisted.internet.defer import CancelledError
from twisted.web.client import ResponseFailed, ResponseNeverReceived

from crawlers.queue import DELAY_META

logger = logging.getLogger(__name__)

_KINDS = (
    ("timeout", (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError)),
    ("dns", (CannotResolveHostError, twisted_errors.DNSLookupError)),
    ("connection", (DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError,
                    twisted_errors.ConnectError, twisted_errors.ConnectionDone, twisted_errors.ConnectionLost,
                    ResponseFailed, ResponseNeverReceived)),
)


def failure_kind(exception: BaseException) -> str | None:
    """The retry kind of a download exception, ``too_large``, or None."""
    if isinstance(exception, (DownloadCancelledError, CancelledError)):
        # Scrapy cancels a download when the body outgrows DOWNLOAD_MAXSIZE.
        return "too_large"
    for kind, types in _KINDS:
        if isinstance(exception, types):
            return kind
    # Browser downloads (Playwright) raise their own TimeoutError.
    if type(exception).__name__ == "TimeoutError":
        return "timeout"
    return None


def status_kind(status: int) -> str:
    if status == 429:
        return "http_429"
    if status == 408:
        return "timeout"
    return "http_5xx"


def retry_after(value: bytes | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware:
    def __init__(self, crawler, policy: dict[str, dict], http_codes: set[int], backoff_max: float,
                 retry_after_max: float, priority_adjust: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = policy
        self.http_codes = http_codes
        self.backoff_max = backoff_max
        self.retry_after_max = retry_after_max
        self.priority_adjust = priority_adjust

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        policy = settings.getdict("RETRY_POLICY")
        for kind, rule in policy.items():
            if set(rule) != {"times", "backoff"}:
                raise ValueError(f"RETRY_POLICY[{kind!r}] needs exactly 'times' and 'backoff', got {rule!r}")
        return cls(crawler, policy, {int(c) for c in settings.getlist("RETRY_HTTP_CODES")},
                   settings.getfloat("RETRY_BACKOFF_MAX", 300.0), settings.getfloat("RETRY_AFTER_MAX", 3600.0),
                   settings.getint("RETRY_PRIORITY_ADJUST", -1))

    def process_response(self, request, response):
        if response.status not in self.http_codes or request.meta.get("dont_retry"):
            return response
        kind = status_kind(response.status)
        wait = retry_after(response.headers.get("Retry-After")) if kind == "http_429" else None
        return self._retry(request, kind, f"HTTP {response.status}", wait) or response

    def process_exception(self, request, exception):
        kind = failure_kind(exception)
        if kind == "too_large":
            self.stats.inc_value("fetch/error/too_large")
            logger.warning("body of %s is larger than DOWNLOAD_MAXSIZE (%s): not fetched", request.url,
                           request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")))
            return None
        if kind is None or request.meta.get("dont_retry"):
            return None
        return self._retry(request, kind, f"{type(exception).__name__}: {exception}", None)

    def _retry(self, request, kind: str, reason: str, wait: float | None):
        rule = self.policy.get(kind)
        if rule is None:
            return None
        attempt = request.meta.get("retry_times", 0) + 1
        times = int(request.meta.get("max_retry_times", rule["times"]))
        if attempt > times:
            self.stats.inc_value(f"retry/max_reached/{kind}")
            scheduler = self.crawler.engine.scheduler
            buried = hasattr(scheduler, "bury")  # the shared Redis scheduler keeps dead letters
            if buried:
                scheduler.bury(request, f"{kind}: {reason} (after {times} retries)")
            logger.error("gave up on %s after %d retries (%s)%s", request.url, times, reason,
                         ": moved to the dead letters" if buried else "")
            return None
        delay = min(self.backoff_max, rule["backoff"] * 2 ** (attempt - 1))
        if wait is not None:
            delay = max(delay, min(wait, self.retry_after_max))
        retry = request.copy()
        retry.meta["retry_times"] = attempt
        retry.meta[DELAY_META] = delay
        retry.dont_filter = True
        retry.priority = request.priority + self.priority_adjust
        self.stats.inc_value("retry/count")
        self.stats.inc_value(f"retry/reason/{kind}")
        logger.info("retrying %s in %.1fs (%s, retry %d of %d)", request.url, delay, reason, attempt, times)
        return retry
