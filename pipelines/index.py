"""Bulk indexing into Elasticsearch/OpenSearch, through store outages.

Documents are buffered and sent in one bulk request when the buffer is full,
when the oldest buffered document is ``BULK_INDEXER_FLUSH_INTERVAL`` seconds
old, and at close. Each batch ends in exactly one of three places:

- the index. Items the cluster answers 429/5xx for are retried with
  exponential backoff, ``BULK_INDEXER_MAX_RETRIES`` times;
- the disk spool (``yuqing/spool.py``, under ``SPOOL_DIR/<spider>``), when the
  cluster is unreachable or still refuses them after the retries. While the
  spool holds anything, new batches queue behind it, so a document's versions
  reach the index in order; a background loop replays it as soon as the
  cluster answers. The crawl goes on meanwhile, and stops taking documents
  only while the spool is full (``SPOOL_MAX_BYTES``);
- the dead letters (``yuqing:deadletter:documents`` in Redis, or a JSON-lines
  file under ``BULK_INDEXER_DEADLETTER_DIR`` without Redis), for documents the
  cluster refused for good (mapping errors...), with the reason.

``flushed()`` tells the leasing scheduler when the documents handed over so
far are in one of those places, so that their requests are acknowledged only
then.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis import connection
from twisted.internet import defer, reactor, task, threads

from crawlers.queue import DOCUMENT_DEADLETTERS, DeadLetters, RedisDown, RedisGuard
from yuqing.spool import Spool
from yuqing.store.search import SearchStore

logger = logging.getLogger(__name__)


class BulkIndexPipeline:
    def __init__(self, store_factory, stats, *, batch_size: int, flush_interval: float, max_retries: int,
                 backoff: float, spool: Spool, replay_interval: float, replay_max_interval: float,
                 drain_timeout: float, deadletters: DeadLetters | None, deadletter_dir: str):
        self.store_factory = store_factory
        self.stats = stats
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.spool = spool
        self.replay_interval = replay_interval
        self.replay_max_interval = replay_max_interval
        self.drain_timeout = drain_timeout
        self.deadletters = deadletters
        self.deadletter_guard = RedisGuard("document dead letters")
        self.deadletter_dir = Path(deadletter_dir)
        self.store: SearchStore | None = None
        self.buffer: list[dict] = []
        self.oldest: float | None = None
        self.lock = defer.DeferredLock()
        self.timer: task.LoopingCall | None = None
        self.spider_name = "spider"
        # Deferreds waiting for the documents in the buffer / in the batch being sent.
        self.buffer_waiters: list[defer.Deferred] = []
        self.sending_waiters: list[defer.Deferred] | None = None
        self.replaying = False
        self.next_replay = 0.0
        self.replay_delay = replay_interval
        self.full_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("BULK_INDEXER_ENABLED", True):
            raise NotConfigured("BULK_INDEXER_ENABLED is off")
        if not settings.get("SEARCH_URL"):
            raise NotConfigured("SEARCH_URL is not set: documents are not indexed")
        spool = Spool(Path(settings.get("SPOOL_DIR", ".run/spool")) / crawler.spidercls.name,
                      max_bytes=settings.getint("SPOOL_MAX_BYTES"),
                      segment_bytes=settings.getint("SPOOL_SEGMENT_BYTES"))
        deadletters = None
        if settings.get("REDIS_URL"):
            deadletters = DeadLetters(connection.from_settings(settings), DOCUMENT_DEADLETTERS)
        pipeline = cls(lambda: SearchStore.from_settings(settings), crawler.stats,
                       batch_size=settings.getint("BULK_INDEXER_BATCH_SIZE", 200),
                       flush_interval=settings.getfloat("BULK_INDEXER_FLUSH_INTERVAL", 2.0),
                       max_retries=settings.getint("BULK_INDEXER_MAX_RETRIES", 5),
                       backoff=settings.getfloat("BULK_INDEXER_BACKOFF", 0.5),
                       spool=spool,
                       replay_interval=settings.getfloat("SPOOL_REPLAY_INTERVAL"),
                       replay_max_interval=settings.getfloat("SPOOL_REPLAY_MAX_INTERVAL"),
                       drain_timeout=settings.getfloat("SPOOL_DRAIN_TIMEOUT"),
                       deadletters=deadletters,
                       deadletter_dir=settings.get("BULK_INDEXER_DEADLETTER_DIR", ".run/deadletter"))
        pipeline.crawler = crawler
        return pipeline

    # -- lifecycle -------------------------------------------------------------
    async def open_spider(self):
        self.spider_name = self.crawler.spider.name
        try:
            self.store = await maybe_deferred_to_future(threads.deferToThread(self._open_store))
        except Exception as exc:  # the cluster is down: spool until it is back
            logger.warning("search cluster unavailable at start (%s): documents go to the spool %s until "
                           "it answers", exc, self.spool.directory)
        if self.spool.has_data():
            logger.info("spool %s holds %d bytes from an earlier run: replaying them first",
                        self.spool.directory, self.spool.size())
        self.timer = task.LoopingCall(self._tick)
        self.timer.start(min(1.0, self.flush_interval, self.replay_interval), now=False)

    def _open_store(self) -> SearchStore:
        store = self.store_factory()
        store.ensure_index()
        logger.info("indexing into %s (%s %s)", store.alias, store.backend.flavor, store.backend.major)
        return store

    async def close_spider(self):
        if self.timer and self.timer.running:
            self.timer.stop()
        await maybe_deferred_to_future(self.flush())
        deadline = time.monotonic() + self.drain_timeout
        while self.spool.has_data() and time.monotonic() < deadline:
            if not self.replaying:
                self.next_replay = 0.0
                self._maybe_replay()
            await maybe_deferred_to_future(task.deferLater(reactor, 0.5, lambda: None))
        while self.replaying:
            await maybe_deferred_to_future(task.deferLater(reactor, 0.2, lambda: None))
        self.spool.close()
        self.stats.set_value("index/spool_bytes", self.spool.size())
        if self.spool.has_data():
            logger.warning("closing with %d bytes of documents in the spool %s: the next worker to start "
                           "on this host indexes them", self.spool.size(), self.spool.directory)
        if self.store is not None:
            self.store.backend.close()

    # -- taking documents ------------------------------------------------------
    async def process_item(self, doc):
        while self.spool.full():
            # Back-pressure: the crawl waits for the cluster rather than dropping documents.
            if self.full_since is None:
                self.full_since = time.monotonic()
                logger.warning("spool %s is full (%d bytes): the crawl waits for the search cluster",
                               self.spool.directory, self.spool.max_bytes)
            await maybe_deferred_to_future(task.deferLater(reactor, 1.0, lambda: None))
        if self.full_since is not None:
            logger.info("spool has room again after %.0fs", time.monotonic() - self.full_since)
            self.full_since = None
        self.buffer.append(asdict(doc))
        if self.oldest is None:
            self.oldest = time.monotonic()
        if len(self.buffer) >= self.batch_size:
            # Waiting here gives back-pressure: a slow cluster slows the crawl
            # instead of growing the buffer without bound.
            await maybe_deferred_to_future(self.flush())
        return doc

    def flushed(self) -> defer.Deferred:
        """Fires once every document handed over so far is indexed, spooled or dead-lettered."""
        if self.buffer:
            waiter: defer.Deferred = defer.Deferred()
            self.buffer_waiters.append(waiter)
            return waiter
        if self.sending_waiters is not None:
            waiter = defer.Deferred()
            self.sending_waiters.append(waiter)
            return waiter
        return defer.succeed(None)

    def _tick(self) -> None:
        self.stats.set_value("index/spool_bytes", self.spool.size())
        if self.buffer and self.oldest is not None and time.monotonic() - self.oldest >= self.flush_interval:
            self.flush()
        self._maybe_replay()

    def flush(self) -> defer.Deferred:
        return self.lock.run(self._flush_locked)

    def _flush_locked(self) -> defer.Deferred:
        batch, self.buffer, self.oldest = self.buffer, [], None
        waiters, self.buffer_waiters = self.buffer_waiters, []
        if not batch:
            _fire(waiters)
            return defer.succeed(None)
        self.sending_waiters = waiters
        d = threads.deferToThread(self._store_batch, batch)
        d.addCallback(self._account)
        d.addErrback(self._store_failed, batch)
        d.addBoth(self._sent)
        return d

    def _sent(self, result):
        waiters, self.sending_waiters = self.sending_waiters or [], None
        if isinstance(result, Exception):
            for waiter in waiters:
                waiter.errback(result)
        else:
            _fire(waiters)

    # -- in a thread -----------------------------------------------------------
    def _store_batch(self, batch: list[dict]) -> dict:
        """Index, spool or dead-letter one batch; returns counts for stats."""
        counts = {"indexed": 0, "spooled": 0, "retried": 0, "requests": 0, "failed": []}
        if self.store is None:
            self.spool.append(batch)
        elif not self.spool.append(batch, only_if_busy=True):
            return self._send(batch, counts)
        counts["spooled"] += len(batch)
        return counts

    def _send(self, batch: list[dict], counts: dict) -> dict:
        pending = batch
        for attempt in range(self.max_retries + 1):
            counts["requests"] += 1
            outcome = self.store.bulk_index(pending)
            counts["indexed"] += outcome.indexed
            counts["failed"].extend(outcome.failed)
            if outcome.retry and len(outcome.retry) == len(pending) and not outcome.indexed and not outcome.failed:
                # Nothing went in: the cluster is down or swamped. Spool at
                # once instead of holding the crawl through the backoff.
                break
            pending = outcome.retry
            if not pending:
                break
            if attempt < self.max_retries:
                counts["retried"] += len(pending)
                time.sleep(min(30.0, self.backoff * (2 ** attempt)))
        if pending:
            self.spool.append(pending)
            counts["spooled"] += len(pending)
            logger.warning("search cluster refused %d document(s): spooled to %s, replayed when it answers",
                           len(pending), self.spool.directory)
        self._dead_letter(counts.pop("failed"))
        return counts

    def _account(self, counts: dict) -> None:
        for key in ("indexed", "spooled", "retried"):
            if counts[key]:
                self.stats.inc_value(f"index/{key}", counts[key])
        if counts["requests"]:
            self.stats.inc_value("index/bulk_requests", counts["requests"])

    def _store_failed(self, failure, batch: list[dict]):
        # A bug or a full disk: the documents must still be kept somewhere.
        logger.error("storing %d document(s) failed: %s", len(batch), failure.getTraceback())
        try:
            self._dead_letter([(doc, f"indexer error: {failure.getErrorMessage()}") for doc in batch])
        except Exception as exc:  # nowhere to keep them: their requests must run again
            logger.error("cannot dead-letter them either (%s): their requests go back to the queue", exc)
            return exc
        return None

    def _dead_letter(self, failed: list[tuple[dict, str]]) -> None:
        if not failed:
            return
        # Called from the indexer's threads: stats are the reactor's.
        reactor.callFromThread(self.stats.inc_value, "index/failed", len(failed))
        for doc, reason in failed:
            logger.error("document %s from %s not indexed: %s", doc.get("id"), doc.get("url"), reason)
        entries = [DeadLetters.entry("document", reason, self.spider_name, document=doc) for doc, reason in failed]
        if self.deadletters is not None:
            try:
                self.deadletter_guard.call(self.deadletters.add, *entries)
                return
            except RedisDown:
                pass
        self.deadletter_dir.mkdir(parents=True, exist_ok=True)
        with (self.deadletter_dir / f"index-{self.spider_name}.jsonl").open("a", encoding="utf-8") as out:
            out.writelines(entry + "\n" for entry in entries)

    # -- replaying the spool ---------------------------------------------------
    def _maybe_replay(self) -> None:
        if self.replaying or time.monotonic() < self.next_replay or not (
                self.store is None or self.spool.has_data()):
            return
        self.replaying = True
        d = threads.deferToThread(self._replay)
        d.addCallbacks(self._replayed, self._replay_failed)

    def _replay(self) -> int:
        if self.store is None:
            self.store = self._open_store()
        return self.spool.replay(self._send_spooled, self.batch_size)

    def _send_spooled(self, docs: list[dict]) -> bool:
        try:
            outcome = self.store.bulk_index(docs)
        except Exception as exc:  # refused whole (a 4xx): sending it again cannot help
            self._dead_letter([(doc, f"bulk request refused: {exc}") for doc in docs])
            return True
        if outcome.retry:
            return False
        self._dead_letter(outcome.failed)
        return True

    def _replayed(self, sent: int) -> None:
        self.replaying = False
        if sent:
            self.stats.inc_value("index/replayed", sent)
            logger.info("replayed %d spooled document(s) into the index; %d bytes left in %s",
                        sent, self.spool.size(), self.spool.directory)
            self.replay_delay = self.replay_interval
        elif self.spool.has_data():
            self._backoff()

    def _replay_failed(self, failure) -> None:
        self.replaying = False
        logger.warning("search cluster still unavailable (%s): next try in %.0fs", failure.getErrorMessage(),
                       self.replay_delay)
        self._backoff()

    def _backoff(self) -> None:
        self.next_replay = time.monotonic() + self.replay_delay
        self.replay_delay = min(self.replay_max_interval, self.replay_delay * 2)


def _fire(waiters: list[defer.Deferred]) -> None:
    for waiter in waiters:
        waiter.callback(None)
