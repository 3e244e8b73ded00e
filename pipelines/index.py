"""Bulk indexing into Elasticsearch/OpenSearch.

Documents are buffered and sent in one bulk request when the buffer is full,
when the oldest buffered document is ``BULK_INDEXER_FLUSH_INTERVAL`` seconds
old, and at close. Items the cluster answers 429/5xx for are retried with
exponential backoff; what it refuses for good is counted, logged with its URL
and written to a dead-letter file with the reason. Nothing is dropped silently,
and no error switches indexing off for the rest of the run.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, task, threads

from yuqing.store.search import BulkOutcome, SearchStore

logger = logging.getLogger(__name__)


class BulkIndexPipeline:
    def __init__(self, store_factory, stats, *, batch_size: int, flush_interval: float,
                 max_retries: int, backoff: float, deadletter_dir: str):
        self.store_factory = store_factory
        self.stats = stats
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.deadletter_dir = Path(deadletter_dir)
        self.store: SearchStore | None = None
        self.buffer: list[dict] = []
        self.oldest: float | None = None
        self.lock = defer.DeferredLock()
        self.timer: task.LoopingCall | None = None
        self.spider_name = "spider"

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("BULK_INDEXER_ENABLED", True):
            raise NotConfigured("BULK_INDEXER_ENABLED is off")
        if not settings.get("SEARCH_URL"):
            raise NotConfigured("SEARCH_URL is not set: documents are not indexed")
        pipeline = cls(lambda: SearchStore.from_settings(settings), crawler.stats,
                       batch_size=settings.getint("BULK_INDEXER_BATCH_SIZE", 200),
                       flush_interval=settings.getfloat("BULK_INDEXER_FLUSH_INTERVAL", 2.0),
                       max_retries=settings.getint("BULK_INDEXER_MAX_RETRIES", 5),
                       backoff=settings.getfloat("BULK_INDEXER_BACKOFF", 0.5),
                       deadletter_dir=settings.get("BULK_INDEXER_DEADLETTER_DIR", ".run/deadletter"))
        pipeline.crawler = crawler
        return pipeline

    async def open_spider(self):
        self.spider_name = self.crawler.spider.name
        self.store = await maybe_deferred_to_future(threads.deferToThread(self._open_store))
        self.timer = task.LoopingCall(self._flush_if_due)
        self.timer.start(min(1.0, self.flush_interval), now=False)

    def _open_store(self) -> SearchStore:
        store = self.store_factory()
        store.ensure_index()
        logger.info("indexing into %s (%s %s)", store.alias, store.backend.flavor, store.backend.major)
        return store

    async def process_item(self, doc):
        self.buffer.append(asdict(doc))
        if self.oldest is None:
            self.oldest = time.monotonic()
        if len(self.buffer) >= self.batch_size:
            # Waiting here gives back-pressure: a slow cluster slows the crawl
            # instead of growing the buffer without bound.
            await maybe_deferred_to_future(self.flush())
        return doc

    def _flush_if_due(self):
        if self.buffer and self.oldest is not None and time.monotonic() - self.oldest >= self.flush_interval:
            return self.flush()
        return None

    def flush(self) -> defer.Deferred:
        return self.lock.run(self._flush_locked)

    def _flush_locked(self) -> defer.Deferred:
        batch, self.buffer, self.oldest = self.buffer, [], None
        if not batch:
            return defer.succeed(None)
        d = threads.deferToThread(self._send, batch)
        d.addCallback(self._account)
        d.addErrback(self._send_failed, batch)
        return d

    def _send(self, batch: list[dict]) -> tuple[int, list[tuple[dict, str]], int, int]:
        """Runs in a thread: bulk with retries. Returns (indexed, failed, retries, requests)."""
        assert self.store is not None
        pending, indexed, failed, retries, requests = batch, 0, [], 0, 0
        for attempt in range(self.max_retries + 1):
            requests += 1
            outcome: BulkOutcome = self.store.bulk_index(pending)
            indexed += outcome.indexed
            failed.extend(outcome.failed)
            pending = outcome.retry
            if not pending:
                break
            if attempt < self.max_retries:
                retries += len(pending)
                time.sleep(min(30.0, self.backoff * (2 ** attempt)))
        failed.extend((doc, "cluster unavailable after retries") for doc in pending)
        return indexed, failed, retries, requests

    def _account(self, result) -> None:
        indexed, failed, retries, requests = result
        self.stats.inc_value("index/bulk_requests", requests)
        self.stats.inc_value("index/indexed", indexed)
        if retries:
            self.stats.inc_value("index/retried", retries)
        if failed:
            self._dead_letter(failed)

    def _send_failed(self, failure, batch: list[dict]) -> None:
        logger.error("bulk indexing raised %s", failure.getErrorMessage())
        self._dead_letter([(doc, failure.getErrorMessage()) for doc in batch])

    def _dead_letter(self, failed: list[tuple[dict, str]]) -> None:
        self.stats.inc_value("index/failed", len(failed))
        self.deadletter_dir.mkdir(parents=True, exist_ok=True)
        path = self.deadletter_dir / f"index-{self.spider_name}.jsonl"
        with path.open("a", encoding="utf-8") as out:
            for doc, reason in failed:
                logger.error("document %s from %s not indexed: %s", doc.get("id"), doc.get("url"), reason)
                out.write(json.dumps({"reason": reason, "document": doc}, ensure_ascii=False) + "\n")

    async def close_spider(self):
        if self.timer and self.timer.running:
            self.timer.stop()
        if self.store is not None:
            await maybe_deferred_to_future(self.flush())
            self.store.backend.close()
