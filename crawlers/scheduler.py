"""The shared Redis scheduler: scrapy-redis's, with leased requests and
Redis outages ridden out.

Every request this worker takes from the queue is leased (``crawlers/queue.py``)
and acknowledged only once it is finished for good:

- its response went through the callback and the spider middlewares
  (``crawlers.middlewares.lease.LeaseMiddleware`` reports the end of the output
  and counts the items in it), every item of it left the item pipelines
  (``item_scraped``/``item_dropped``/``item_error``), and every component that
  buffers items reports them stored (a pipeline or spider middleware with a
  ``flushed()`` method returning a Deferred: the indexer, the archive);
- or its download failed for good and its errback ran (the errback is wrapped
  when the request is taken);
- or a successor replaced it in the queue (a redirect, a retry).

Follow-up requests are written to Redis before the dupefilter marks them seen
(and may be taken only after it has answered), and acknowledgements wait for
them: a worker killed at any point leaves each request either queued, or
leased to it and so taken again after the lease runs out.

While Redis is unreachable the scheduler keeps new requests (and dead
letters) in memory, in its ``outbox``, and takes none; when Redis answers
again it pushes them first, then sends the waiting acknowledgements.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import deque
from dataclasses import dataclass

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.misc import load_object
from scrapy_redis import connection
from scrapy_redis.scheduler import Scheduler as _RedisScheduler
from twisted.internet import defer, reactor, task

from crawlers.queue import (DELAY_META, LEASE_META, DeadLetters, LeasedPriorityQueue, RedisDown, RedisGuard,
                            worker_id)

logger = logging.getLogger(__name__)


@dataclass
class _Lease:
    url: str
    items: int = 0
    output_done: bool = False
    settling: bool = False


class _FinishOnError:
    """Errback of a leased request: the spider's own errback, then the lease is done."""

    def __init__(self, original, scheduler: Scheduler, lease: str):
        self.original = original
        self.scheduler = scheduler
        self.lease = lease

    def __call__(self, failure):
        try:
            return self.original(failure) if self.original else failure
        finally:
            self.scheduler.output_done(self.lease)


def lease_of(response) -> str | None:
    """The lease of the request behind a response or a download failure."""
    request = getattr(response, "request", None)
    return request.meta.get(LEASE_META) if request is not None else None


class Scheduler(_RedisScheduler):
    def __init__(self, server, *, lease_timeout: float, max_expiries: int, tick: float = 0.5, **kwargs):
        super().__init__(server, **kwargs)
        self.lease_timeout = lease_timeout
        self.max_expiries = max_expiries
        self.tick_interval = tick
        self.worker = worker_id()
        self.guard = RedisGuard("scheduler")
        self.leases: dict[str, _Lease] = {}
        self.to_ack: list[str] = []
        self.to_release: list[str] = []
        self.outbox: deque[tuple] = deque()
        self.next_renewal = 0.0
        self.loop: task.LoopingCall | None = None
        self.crawler = None
        self._barriers: list | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        kwargs = {
            "persist": settings.getbool("SCHEDULER_PERSIST"),
            "flush_on_start": settings.getbool("SCHEDULER_FLUSH_ON_START"),
            "idle_before_close": settings.getint("SCHEDULER_IDLE_BEFORE_CLOSE"),
            "queue_key": settings.get("SCHEDULER_QUEUE_KEY"),
            "queue_cls": settings.get("SCHEDULER_QUEUE_CLASS"),
            "dupefilter_key": settings.get("SCHEDULER_DUPEFILTER_KEY"),
            "dupefilter_cls": settings.get("DUPEFILTER_CLASS"),
        }
        if settings.get("SCHEDULER_SERIALIZER"):  # a module with loads/dumps, as in scrapy-redis
            kwargs["serializer"] = importlib.import_module(settings.get("SCHEDULER_SERIALIZER"))
        if not issubclass(load_object(kwargs["queue_cls"]), LeasedPriorityQueue):
            raise ValueError(f"SCHEDULER_QUEUE_CLASS={kwargs['queue_cls']!r}: this scheduler needs a "
                             "crawlers.queue.LeasedPriorityQueue, whose requests are acknowledged")
        if settings.getdict("SPIDER_MIDDLEWARES").get("crawlers.middlewares.lease.LeaseMiddleware") is None:
            raise ValueError("crawlers.middlewares.lease.LeaseMiddleware is missing from SPIDER_MIDDLEWARES: "
                             "without it no leased request is ever acknowledged")
        # No ping here: a worker started while Redis is down waits for it in open().
        scheduler = cls(connection.from_settings(settings),
                        lease_timeout=settings.getfloat("SCHEDULER_LEASE_TIMEOUT", 60.0),
                        max_expiries=settings.getint("SCHEDULER_LEASE_MAX_EXPIRIES", 3), **kwargs)
        scheduler.crawler = crawler
        scheduler.stats = crawler.stats
        scheduler.guard.stats = crawler.stats
        crawler.signals.connect(scheduler.item_finished, signal=signals.item_scraped)
        crawler.signals.connect(scheduler.item_finished, signal=signals.item_dropped)
        crawler.signals.connect(scheduler.item_finished, signal=signals.item_error)
        crawler.signals.connect(scheduler.spider_error, signal=signals.spider_error)
        return scheduler

    # -- open / close --------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        self.deadletters = DeadLetters(self.server, self.queue.deadletter_key)
        return deferred_from_coro(self._open())

    async def _open(self) -> None:
        while True:
            try:
                if not self.df:
                    self.df = self.guard.call(load_object(self.dupefilter_cls).from_spider, self.spider)
                if self.flush_on_start:
                    self.guard.call(self.flush)
                waiting = self.guard.call(self.queue.outstanding)
                break
            except RedisDown:
                await maybe_deferred_to_future(task.deferLater(reactor, self.guard.delay, lambda: None))
        logger.info("shared queue %s: %d request(s) outstanding; leases of %gs, renewed every %gs",
                    self.queue.key, waiting, self.lease_timeout, self.lease_timeout / 3)
        self.loop = task.LoopingCall(self._tick)
        self.loop.start(self.tick_interval, now=False).addErrback(
            lambda f: logger.error("lease upkeep stopped: %s", f.getTraceback()))

    def close(self, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        try:
            self._flush_outbox()
            self._send_acks()
            unfinished = [lease for lease in self.leases if lease not in self.to_ack]
            if unfinished:
                released = self.guard.call(self.queue.release, self.worker, unfinished)
                logger.info("gave %d unfinished request(s) back to the queue", released)
        except RedisDown:
            logger.warning("closing while redis is unreachable: %d request(s) not pushed and %d lease(s) "
                           "not settled; the leases run out in %gs and their requests are taken again",
                           len(self.outbox), len(self.leases), self.lease_timeout)
        if not self.persist:
            self.flush()

    # -- queueing ------------------------------------------------------------
    def enqueue_request(self, request):
        predecessor = request.meta.get(LEASE_META)
        try:
            payload = self.queue.encode(request)
        except (TypeError, ValueError) as exc:
            self.stats.inc_value("scheduler/unserializable")
            logger.error("cannot queue %s: %s", request.url, exc)
            queued = False
        else:
            item = (request, payload, float(request.meta.get(DELAY_META, 0)), not request.dont_filter)
            queued = True
            if self.outbox or not self.guard.available():
                self._keep(item)
            else:
                try:
                    queued = self._push(*item)
                except RedisDown:
                    self._keep(item)
        if queued:
            self.stats.inc_value("scheduler/enqueued/redis")
        if predecessor:
            # A redirect or a retry: the successor carries the work on.
            self.output_done(predecessor)
        return queued

    def _keep(self, item: tuple) -> None:
        self.outbox.append(("push", item))
        self.stats.inc_value("scheduler/outbox/kept")

    def _push(self, request, payload: str, delay: float, check: bool) -> bool:
        if not check:
            self.guard.call(self.queue.push, request, delay, payload)
            return True
        # Staged before the dupefilter marks it seen, and promoted after: no
        # other worker takes it meanwhile (a duplicate fetch), and a worker
        # dying in between leaves it to come due on its own (see STAGE_SECONDS).
        request_id = self.guard.call(self.queue.stage, request, payload)
        try:
            seen = self.guard.call(self.df.request_seen, request)
            if seen:
                self.guard.call(self.queue.remove, request_id)
                self.df.log(request, self.spider)
                return False
            self.guard.call(self.queue.promote, request, request_id)
        except RedisDown:
            pass  # staged: it comes due by itself
        return True

    def bury(self, request, reason: str) -> None:
        """Put a request that failed for good into the dead letters."""
        entry = DeadLetters.entry("request", reason, self.spider.name, url=request.url,
                                  request=self.queue.encode(request))
        self.stats.inc_value("scheduler/deadletter")
        try:
            if self.outbox or not self.guard.available():
                raise RedisDown(self.guard.component)
            self.guard.call(self.deadletters.add, entry)
        except RedisDown:
            self.outbox.append(("bury", entry))

    def _flush_outbox(self) -> None:
        pushed = 0
        while self.outbox:
            kind, item = self.outbox[0]
            if kind == "push":
                self._push(*item)
                pushed += 1
            else:
                self.guard.call(self.deadletters.add, item)
            self.outbox.popleft()
        if pushed:
            logger.info("pushed %d request(s) kept while redis was unreachable", pushed)

    # -- taking --------------------------------------------------------------
    def next_request(self):
        while self.guard.available():
            try:
                self._flush_outbox()
                lease, payload, requeued, buried = self.guard.call(
                    self.queue.lease, self.worker, self.lease_timeout, self.max_expiries)
            except RedisDown:
                return None
            if requeued:
                self.stats.inc_value("scheduler/lease/requeued", requeued)
                logger.warning("%d request(s) whose worker stopped renewing its lease are back in the queue",
                               requeued)
            if buried:
                self.stats.inc_value("scheduler/lease/buried", buried)
                logger.error("%d request(s) outlived %d workers: moved to %s", buried, self.max_expiries,
                             self.queue.deadletter_key)
            if lease is None:
                return None
            try:
                request = self.queue.decode(payload)
            except Exception as exc:  # a payload this spider cannot read: keep it for a human
                self.stats.inc_value("scheduler/undecodable")
                logger.error("request %s in %s cannot be decoded (%s): moved to %s", lease, self.queue.key,
                             exc, self.queue.deadletter_key)
                self.outbox.append(("bury", DeadLetters.entry("request", f"undecodable: {exc}",
                                                              self.spider.name, request=payload)))
                self.leases[lease] = _Lease(url="?", output_done=True, settling=True)
                self.to_ack.append(lease)
                continue
            request.meta[LEASE_META] = lease
            request.errback = _FinishOnError(request.errback, self, lease)
            self.leases[lease] = _Lease(url=request.url)
            self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None

    def has_pending_requests(self):
        # Requests leased by other workers count: one of them may die, and its
        # requests come back here.
        if self.outbox or self.leases or not self.guard.available():
            return True
        try:
            return self.guard.call(self.queue.outstanding) > 0
        except RedisDown:
            return True

    def __len__(self):
        try:
            return self.guard.call(len, self.queue)
        except RedisDown:
            return len(self.outbox)

    # -- acknowledging -------------------------------------------------------
    def item_added(self, lease: str) -> None:
        state = self.leases.get(lease)
        if state is not None and not state.settling:
            state.items += 1

    def item_finished(self, item=None, response=None, **kwargs) -> None:
        lease = lease_of(response)
        state = self.leases.get(lease) if lease else None
        if state is not None and not state.settling:
            state.items -= 1
            self._maybe_settle(lease, state)

    def spider_error(self, failure=None, response=None, **kwargs) -> None:
        lease = lease_of(response)
        if lease:
            self.output_done(lease)

    def output_done(self, lease: str) -> None:
        state = self.leases.get(lease)
        if state is not None:
            state.output_done = True
            self._maybe_settle(lease, state)

    def _maybe_settle(self, lease: str, state: _Lease) -> None:
        if state.settling or not state.output_done or state.items > 0:
            return
        state.settling = True
        waits = [defer.maybeDeferred(component.flushed) for component in self._flush_barriers()]
        if not waits:
            self.to_ack.append(lease)
            return
        d = defer.gatherResults(waits, consumeErrors=True)
        d.addCallbacks(lambda _: self.to_ack.append(lease), self._not_stored, errbackArgs=(lease, state))

    def _not_stored(self, failure, lease: str, state: _Lease) -> None:
        # Nothing is lost: the request goes back to the queue and runs again.
        logger.error("items of %s may not be stored (%s): its request goes back to the queue",
                     state.url, failure.getErrorMessage())
        self.to_release.append(lease)

    def _flush_barriers(self) -> list:
        if self._barriers is None:
            scraper = self.crawler.engine.scraper
            components = [*scraper.itemproc.middlewares, *scraper.spidermw.middlewares]
            self._barriers = [c for c in components if callable(getattr(c, "flushed", None))]
        return self._barriers

    def _send_acks(self) -> None:
        if self.to_ack and not self.outbox:
            batch = list(self.to_ack)
            self.guard.call(self.queue.ack, batch)
            del self.to_ack[:len(batch)]
            for lease in batch:
                self.leases.pop(lease, None)
            self.stats.inc_value("scheduler/acked", len(batch))
        if self.to_release:
            batch = list(self.to_release)
            self.guard.call(self.queue.release, self.worker, batch)
            del self.to_release[:len(batch)]
            for lease in batch:
                self.leases.pop(lease, None)
            self.stats.inc_value("scheduler/released", len(batch))

    def _tick(self) -> None:
        if not self.guard.available():
            return
        try:
            self._flush_outbox()
            self._send_acks()
            now = time.monotonic()
            if self.leases and now >= self.next_renewal:
                lost = self.guard.call(self.queue.renew, self.worker, self.lease_timeout, list(self.leases))
                self.next_renewal = now + self.lease_timeout / 3
                if lost:
                    # Outlived its lease (a long outage or a stalled reactor):
                    # another worker may be doing it too; the index is idempotent.
                    self.stats.inc_value("scheduler/lease/lost", len(lost))
                    logger.warning("%d lease(s) ran out before renewal, e.g. %s", len(lost),
                                   self.leases[lost[0]].url if lost[0] in self.leases else lost[0])
        except RedisDown:
            pass
