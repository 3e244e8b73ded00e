"""``yuqing alerts deliver``: send alert events to webhooks and the search mirror.

Delivery never runs in a crawl worker: the pipeline only records the alert and
adds an event to the ``yuqing:alerts`` stream, so a slow or dead webhook
cannot hold up a crawl. This process (one or several, on any host) reads the
stream with one consumer group per destination (``webhook:<name>`` for each
``ALERTS_WEBHOOKS`` entry, ``index`` for ``<prefix>-alerts``), one thread each:

* an entry is acknowledged (XACK) only after the destination took it - a 2xx
  answer (without an error code in the chat platforms' body), or a successful
  index write; an entry filtered out (grade below the hook's ``min_grade``,
  workflow events for webhooks) is acknowledged at once;
* a failure (refused, timeout, 5xx, 408/429) leaves the entry pending; the
  thread waits ``ALERTS_DELIVERY_BACKOFF`` x 2^n (at most
  ``ALERTS_DELIVERY_BACKOFF_MAX``) and sends its own pending entries again, in
  order, before reading new ones - a destination that is down for hours gets
  every alert once it is back;
* entries pending for more than ``ALERTS_DELIVERY_CLAIM_AFTER`` at a consumer
  that went away (a deliverer killed mid-send) are claimed (XAUTOCLAIM) and
  sent by a live one;
* a hook that refuses a body for good (another 4xx) would block its queue
  forever: the event goes to the ``yuqing:deadletter:alerts`` list instead
  (``yuqing status`` counts dead letters) and is acknowledged.

A new group starts at the beginning of the stream, so alerts raised while no
deliverer ran are still sent. A further thread sends held-back updates
(:meth:`yuqing.alerts.book.AlertBook.flush_due`) every second.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from typing import Any

import redis

from yuqing.alerts.book import STREAM, AlertBook
from yuqing.alerts.config import AlertsConfig, Webhook
from yuqing.alerts.webhooks import post, request_for

logger = logging.getLogger(__name__)

__all__ = ["Deliverer", "WebhookSink", "IndexSink", "DEADLETTER_KEY"]

DEADLETTER_KEY = "yuqing:deadletter:alerts"
BATCH = 20
BLOCK_MS = 1000
FLUSH_TICK = 1.0


class Outcome:
    DONE = "done"        # delivered: acknowledge
    SKIP = "skip"        # not for this destination: acknowledge
    RETRY = "retry"      # failed, may work later: leave pending
    REFUSED = "refused"  # failed for good: dead-letter, acknowledge


class WebhookSink:
    def __init__(self, hook: Webhook, timeout: float):
        self.hook = hook
        self.timeout = timeout
        self.group = f"webhook:{hook.name}"

    def handle(self, event: str, alert: dict[str, Any]) -> tuple[str, str]:
        if event not in ("created", "updated") or not self.hook.accepts(alert["grade"]):
            return Outcome.SKIP, ""
        url, body = request_for(self.hook, event, alert)
        answer = post(url, body, self.hook.format, self.timeout)
        if answer.ok:
            return Outcome.DONE, answer.detail
        return (Outcome.RETRY if answer.retry else Outcome.REFUSED), answer.detail


class IndexSink:
    group = "index"

    def __init__(self, index):
        self.index = index
        self._ready = False

    def handle(self, event: str, alert: dict[str, Any]) -> tuple[str, str]:
        try:
            if not self._ready:
                self.index.ensure_index()
                self._ready = True
            self.index.write([alert])
        except Exception as exc:  # cluster down or busy: retried like a webhook
            return Outcome.RETRY, f"{type(exc).__name__}: {exc}"
        return Outcome.DONE, self.index.index


class _Consumer:
    """One destination's loop over its consumer group."""

    def __init__(self, deliverer: "Deliverer", sink):
        self.d = deliverer
        self.sink = sink
        self.redis = deliverer.redis
        self.failures = 0
        self.retry_at = 0.0
        self.stats: Counter = Counter()

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(STREAM, self.sink.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.ensure_group()
                break
            except redis.RedisError as exc:
                logger.error("alerts: cannot create group %s: %s", self.sink.group, exc)
                stop.wait(self.d.config.backoff)
        while not stop.is_set():
            wait = self.retry_at - time.monotonic()
            if wait > 0:
                stop.wait(min(wait, 1.0))
                continue
            try:
                entries = self._own_pending() or self._claim_stale() or self._read_new()
                for entry_id, fields in entries:
                    if stop.is_set() or not self._deliver(entry_id, fields):
                        break
            except redis.RedisError as exc:
                if "NOGROUP" in str(exc):
                    # Redis lost the stream (restarted without persistence): start over.
                    logger.error("alerts: group %s is gone; creating it again", self.sink.group)
                    self._recreate_group()
                else:
                    logger.error("alerts: Redis error in %s: %s", self.sink.group, exc)
                    self._back_off()

    def _recreate_group(self) -> None:
        try:
            self.ensure_group()
        except redis.RedisError as exc:
            logger.error("alerts: cannot create group %s: %s", self.sink.group, exc)
            self._back_off()

    def _own_pending(self) -> list:
        answer = self.redis.xreadgroup(self.sink.group, self.d.consumer, {STREAM: "0"}, count=BATCH)
        return answer[0][1] if answer else []

    def _claim_stale(self) -> list:
        answer = self.redis.xautoclaim(STREAM, self.sink.group, self.d.consumer,
                                       min_idle_time=int(self.d.config.claim_after * 1000), count=BATCH)
        return answer[1]

    def _read_new(self) -> list:
        answer = self.redis.xreadgroup(self.sink.group, self.d.consumer, {STREAM: ">"}, count=BATCH,
                                       block=BLOCK_MS)
        return answer[0][1] if answer else []

    def _deliver(self, entry_id, fields) -> bool:
        """True to go on with the next entry, False to stop and back off."""
        if not fields:  # trimmed from the stream while pending: nothing left to send
            logger.error("alerts: event %s left the stream before %s took it", entry_id, self.sink.group)
            self.redis.xack(STREAM, self.sink.group, entry_id)
            return True
        event = _text(fields.get(b"event") or fields.get("event"))
        try:
            alert = json.loads(fields.get(b"alert") or fields.get("alert"))
            outcome, detail = self.sink.handle(event, alert)
        except Exception as exc:  # a malformed event must not stop the queue behind it
            logger.exception("alerts: %s cannot handle event %s", self.sink.group, _text(entry_id))
            alert = {"id": None, "raw": _text(fields.get(b"alert") or fields.get("alert"))}
            outcome, detail = Outcome.REFUSED, f"{type(exc).__name__}: {exc}"
        if outcome == Outcome.RETRY:
            self.failures += 1
            delay = self._back_off()
            logger.warning("alerts: %s %s of alert %s to %s failed (%s); attempt %d, next in %.1fs",
                           event, _text(entry_id), alert["id"], self.sink.group, detail, self.failures, delay)
            self.stats["alerts/delivery_failed"] += 1
            return False
        if outcome == Outcome.REFUSED:
            logger.error("alerts: %s refused %s of alert %s for good (%s); kept in %s",
                         self.sink.group, event, alert["id"], detail, DEADLETTER_KEY)
            self.redis.rpush(DEADLETTER_KEY, json.dumps(
                {"destination": self.sink.group, "reason": detail, "event": event, "alert": alert},
                ensure_ascii=False))
            self.stats["alerts/dead_letter"] += 1
        elif outcome == Outcome.DONE:
            logger.info("alerts: %s alert %s (%s) -> %s: %s", event, alert["id"], alert["grade"],
                        self.sink.group, detail)
            self.stats["alerts/delivered" if isinstance(self.sink, WebhookSink) else "alerts/indexed"] += 1
        self.redis.xack(STREAM, self.sink.group, entry_id)
        self.failures = 0
        return True

    def _back_off(self) -> float:
        config = self.d.config
        delay = min(config.backoff_max, config.backoff * 2 ** max(0, self.failures - 1))
        self.retry_at = time.monotonic() + delay
        return delay


class Deliverer:
    """All destinations of one process; :meth:`start` runs them in threads."""

    def __init__(self, client: redis.Redis, config: AlertsConfig, index=None, consumer: str | None = None):
        self.redis = client
        self.config = config
        self.book = AlertBook(client, config)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.sinks: list = [WebhookSink(h, config.webhook_timeout) for h in config.webhooks]
        if index is not None:
            self.sinks.append(IndexSink(index))
        self._consumers = [_Consumer(self, s) for s in self.sinks]
        self._released = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def stats(self) -> Counter:
        total = Counter({"alerts/updates_released": self._released} if self._released else {})
        for consumer in self._consumers:
            total.update(consumer.stats)
        return total

    def start(self) -> "Deliverer":
        targets = [(f"alerts-{c.sink.group}", c.run) for c in self._consumers]
        targets.append(("alerts-flush", self._flush_loop))
        for name, target in targets:
            thread = threading.Thread(target=target, args=(self._stop,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        logger.info("alerts: delivering to %s as %s",
                    ", ".join(s.group for s in self.sinks) or "no destination", self.consumer)
        return self

    def _flush_loop(self, stop: threading.Event) -> None:
        while not stop.wait(FLUSH_TICK):
            try:
                sent = self.book.flush_due()
            except redis.RedisError as exc:
                logger.error("alerts: cannot send held-back updates: %s", exc)
                continue
            self._released += sent

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value
