"""Write the evidence archive (``yuqing/store/archive.py``) while crawling.

Two components feed one writer thread per worker process:

- ``ArchiveMiddleware``, a spider middleware: it is the component that sees a
  response together with the documents its callback produced, so it archives
  the raw response once, when the callback yielded documents;
- ``ArchivePipeline``, an item pipeline placed after the others, before the
  indexer: it records every normalized document (versions, first/last seen).

Neither touches MongoDB from the reactor: records go to the writer thread,
which compresses bodies and writes in batches (``insert_many``/``bulk_write``,
one round trip per batch), and rides out MongoDB outages by retrying with
backoff. All spiders of a worker process share the writer: fewer, larger
writes, and no pile-up of concurrent writers on one database. The queue in
between is bounded in bytes; when it is full the crawl waits. ``flushed()``
fires once everything handed over so far is written, so the leasing
scheduler acknowledges a request only when its evidence is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from dataclasses import asdict
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor, task, threads

from yuqing.schema import Document
from yuqing.store.archive import Archive, response_record

logger = logging.getLogger(__name__)

# One writer per archive per process, shared by the crawlers running in it.
_writers: dict[tuple[str, str], "ArchiveWriter"] = {}


def _configured(crawler) -> None:
    settings = crawler.settings
    if not settings.getbool("ARCHIVE_ENABLED"):
        raise NotConfigured("ARCHIVE_ENABLED is off")
    if not settings.get("MONGO_URL"):
        raise NotConfigured("MONGO_URL is not set: no evidence archive")


class ArchiveWriter:
    """The writer thread of one worker process, fed from the reactor."""

    def __init__(self, archive_factory, *, batch_size: int, flush_interval: float,
                 max_pending_bytes: int, close_timeout: float, compress_level: int):
        self.archive_factory = archive_factory
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_pending_bytes = max_pending_bytes
        self.close_timeout = close_timeout
        self.compress_level = compress_level
        self.cond = threading.Condition()
        self.items: deque[tuple[str, dict, int, object]] = deque()
        self.users: set = set()
        self.pending_bytes = 0
        self.enqueued = 0
        self.written = 0
        self.waiters: list[tuple[int, defer.Deferred]] = []
        self.stopping = False
        self.stopped: defer.Deferred | None = None

    @classmethod
    def for_crawler(cls, crawler) -> "ArchiveWriter":
        settings = crawler.settings
        key = (settings.get("MONGO_URL"), settings.get("ARCHIVE_DATABASE"))
        writer = _writers.get(key)
        if writer is None or writer.stopping:
            writer = cls(lambda: Archive.from_settings(settings),
                         batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 100),
                         flush_interval=settings.getfloat("ARCHIVE_FLUSH_INTERVAL", 1.0),
                         max_pending_bytes=settings.getint("ARCHIVE_MAX_PENDING_BYTES"),
                         close_timeout=settings.getfloat("ARCHIVE_CLOSE_TIMEOUT", 30.0),
                         compress_level=settings.getint("ARCHIVE_COMPRESS_LEVEL", 6))
            _writers[key] = writer
        writer.users.add(crawler)
        return writer

    # -- reactor side ------------------------------------------------------------
    def start(self) -> None:
        if self.stopped is None:
            self.stopped = threads.deferToThread(self._run)
            self.stopped.addErrback(lambda f: logger.error("archive writer died: %s", f.getTraceback()))

    async def put(self, kind: str, payload: dict, size: int, stats) -> None:
        while self.pending_bytes >= self.max_pending_bytes and not self.stopping:
            await maybe_deferred_to_future(task.deferLater(reactor, 0.2, lambda: None))
        with self.cond:
            self.items.append((kind, payload, size, stats))
            self.pending_bytes += size
            self.enqueued += 1
            self.cond.notify()

    def flushed(self) -> defer.Deferred:
        if self.written >= self.enqueued:
            return defer.succeed(None)
        waiter: defer.Deferred = defer.Deferred()
        self.waiters.append((self.enqueued, waiter))
        return waiter

    def _advance(self, written: int) -> None:
        self.written = written
        ready = [w for seq, w in self.waiters if seq <= written]
        self.waiters = [(seq, w) for seq, w in self.waiters if seq > written]
        for waiter in ready:
            waiter.callback(None)

    async def stop(self, crawler) -> None:
        """The crawler is done: wait for its records, and end the thread after the last user."""
        self.users.discard(crawler)
        if self.stopped is None or self.stopping:
            return
        if self.users:
            try:
                await maybe_deferred_to_future(self.flushed().addTimeout(self.close_timeout, reactor))
            except defer.TimeoutError:
                logger.warning("archive records of %s not written at close: their requests run again",
                               crawler.spider.name if crawler.spider else "a spider")
            return
        with self.cond:
            self.stopping = True
            self.cond.notify()
        await maybe_deferred_to_future(self.stopped)

    # -- writer thread -----------------------------------------------------------
    def _run(self) -> None:
        archive = self._connect()
        if archive is None:
            return
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                if not self._write(archive, batch):
                    return
                with self.cond:
                    for _ in batch:
                        _, _, size, _ = self.items.popleft()
                        self.pending_bytes -= size
                    written = self.written + len(batch)
                reactor.callFromThread(self._advance, written)
        finally:
            if self.items:
                logger.warning("%d archive record(s) not written at close: their requests run again",
                               len(self.items))
            archive.close()

    def _connect(self) -> Archive | None:
        delay, deadline = 1.0, None
        while True:
            try:
                archive = self.archive_factory()
                archive.ensure_indexes()
                return archive
            except Exception as exc:  # MongoDB down at start: wait for it
                if deadline is None and self.stopping:
                    deadline = time.monotonic() + self.close_timeout
                if deadline is not None and time.monotonic() > deadline:
                    logger.error("archive unreachable at close (%s)", exc)
                    return None
                logger.warning("archive unreachable (%s): retrying in %.0fs", exc, delay)
                time.sleep(delay)
                delay = min(30.0, delay * 2)

    def _next_batch(self) -> list[tuple[str, dict, int, object]] | None:
        """Wait for a full batch or for the oldest item to be flush_interval old."""
        with self.cond:
            while not self.items:
                if self.stopping:
                    return None
                self.cond.wait(0.5)
            first = time.monotonic()
            while len(self.items) < self.batch_size and not self.stopping:
                left = self.flush_interval - (time.monotonic() - first)
                if left <= 0:
                    break
                self.cond.wait(left)
            return [self.items[i] for i in range(min(self.batch_size, len(self.items)))]

    def _write(self, archive: Archive, batch: list[tuple[str, dict, int, object]]) -> bool:
        from pymongo.errors import BulkWriteError, PyMongoError

        responses = [response_record(**payload, level=self.compress_level)
                     for kind, payload, _, _ in batch if kind == "response"]
        documents = [(payload["doc"], payload["seen_at"]) for kind, payload, _, _ in batch if kind == "document"]
        delay, down_since, deadline = 1.0, None, None
        while True:
            try:
                archive.insert_responses(responses)
                responses = []
                archive.upsert_documents(documents)
                break
            except BulkWriteError as exc:  # records MongoDB refuses for good (too large...)
                errors = exc.details.get("writeErrors", [])
                reactor.callFromThread(batch[0][3].inc_value, "archive/failed", len(errors))
                logger.error("archive refused %d record(s): %s", len(errors),
                             "; ".join(str(e.get("errmsg")) for e in errors[:3]))
                if responses:
                    responses = []
                    continue
                break
            except PyMongoError as exc:
                if down_since is None:
                    down_since = time.monotonic()
                    reactor.callFromThread(batch[0][3].inc_value, "archive/outages")
                    logger.warning("archive unreachable (%s): keeping %d record(s) and retrying", exc, len(batch))
                if self.stopping:
                    deadline = deadline or time.monotonic() + self.close_timeout
                    if time.monotonic() > deadline:
                        return False
                time.sleep(delay)
                delay = min(30.0, delay * 2)
        if down_since is not None:
            logger.warning("archive is back after %.0fs", time.monotonic() - down_since)
        for (stats, kind), count in Counter((stats, kind) for kind, _, _, stats in batch).items():
            reactor.callFromThread(stats.inc_value, f"archive/{kind}s", count)
        return True


class ArchivePipeline:
    def __init__(self, crawler, writer: ArchiveWriter):
        self.crawler = crawler
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler):
        _configured(crawler)
        return cls(crawler, ArchiveWriter.for_crawler(crawler))

    def open_spider(self):
        self.writer.start()

    async def process_item(self, doc):
        data = asdict(doc) if isinstance(doc, Document) else dict(doc)
        await self.writer.put("document", {"doc": data, "seen_at": datetime.now(timezone.utc)},
                              1024 + len(data.get("content") or ""), self.crawler.stats)
        return doc

    def flushed(self) -> defer.Deferred:
        return self.writer.flushed()

    async def close_spider(self):
        await self.writer.stop(self.crawler)


class ArchiveMiddleware:
    def __init__(self, crawler, writer: ArchiveWriter):
        self.crawler = crawler
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler):
        _configured(crawler)
        middleware = cls(crawler, ArchiveWriter.for_crawler(crawler))
        crawler.signals.connect(middleware.writer.start, signal=signals.spider_opened)
        # Normally the pipeline stops the writer earlier; without it, this does.
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    async def spider_closed(self):
        await self.writer.stop(self.crawler)

    async def process_spider_output(self, response, result):
        doc_ids = []
        async for output in result:
            if isinstance(output, Document):
                doc_ids.append(output.id)
            yield output
        if doc_ids:
            request = response.request
            first_url = (request.meta.get("redirect_urls") or [request.url])[0] if request is not None else response.url
            headers = [{"name": name.decode("latin-1"), "value": value.decode("latin-1")}
                       for name, values in response.headers.items() for value in values]
            await self.writer.put("response", {
                "spider": self.crawler.spider.name, "request_url": first_url, "url": response.url,
                "status": response.status, "headers": headers, "body": response.body,
                "fetched_at": datetime.now(timezone.utc), "doc_ids": doc_ids,
            }, len(response.body) + 1024, self.crawler.stats)

    def flushed(self) -> defer.Deferred:
        return self.writer.flushed()
