"""Give every document the ``cluster_id`` of its story (docs/clustering.md).

Near-duplicates (the same article republished by many sites, copied posts)
and reposts/replies of a known document share one cluster, across platforms
and across workers: the index lives in Redis (:mod:`yuqing.cluster.index`).
Runs after enrichment and before the rules, so alerts can count a story once.
A document that cannot be clustered (Redis down) passes on without a cluster.
"""

from __future__ import annotations

import logging
import time

from redis import RedisError
from scrapy.exceptions import NotConfigured

from crawlers.queue import RedisDown, RedisGuard
from yuqing.cluster import story_time
from yuqing.cluster.index import ClusterIndex
from yuqing.cluster.simhash import fingerprint

logger = logging.getLogger(__name__)


class ClusterPipeline:
    def __init__(self, index: ClusterIndex, stats, *, shingle_size: int, min_tokens: int):
        self.index = index
        self.stats = stats
        self.shingle_size = shingle_size
        self.min_tokens = min_tokens
        # During a Redis outage: one log line, then documents pass unclustered
        # without each waiting for a connection timeout.
        self.guard = RedisGuard("cluster index", stats)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("CLUSTER_ENABLED", True):
            raise NotConfigured("CLUSTER_ENABLED is off")
        if not settings.get("REDIS_URL"):
            raise NotConfigured("clustering needs the shared index in Redis: REDIS_URL is not set")
        from scrapy_redis import connection

        index = ClusterIndex.from_settings(connection.from_settings(settings), settings)
        return cls(index, crawler.stats, shingle_size=settings.getint("CLUSTER_SHINGLE_SIZE", 2),
                   min_tokens=settings.getint("CLUSTER_MIN_TOKENS", 20))

    def process_item(self, doc):
        fp = fingerprint(doc.title, doc.content, shingle_size=self.shingle_size, min_tokens=self.min_tokens)
        short = fp.tokens < self.min_tokens
        try:
            assignment = self.guard.call(
                self.index.assign, doc.id, None if short else fp, story_time(doc.published_at, doc.crawled_at),
                now=time.time(), source=doc.source, repost_of=doc.repost_of, parent_id=doc.parent_id)
        except RedisDown:
            self.stats.inc_value("cluster/error")
            logger.debug("document %s not clustered: redis unreachable", doc.url)
            return doc
        except RedisError as exc:
            self.stats.inc_value("cluster/error")
            logger.warning("document %s not clustered: %s", doc.url, exc)
            return doc
        doc.cluster_id = assignment.cluster_id
        if short:
            self.stats.inc_value("cluster/short")
        self.stats.inc_value(f"cluster/{assignment.action}")
        if assignment.action == "joined":
            self.stats.inc_value(f"cluster/joined/{assignment.via}")
        if assignment.origin_moved:
            self.stats.inc_value("cluster/origin_moved")
        return doc
