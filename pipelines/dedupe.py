"""Drop exact duplicates within one worker's run: the same document (same id)
with the same text and engagement arriving twice, e.g. an article listed in a
feed and in a sitemap. A changed text or changed counts under the same id
pass, so updates are indexed."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from scrapy.exceptions import DropItem


class DedupePipeline:
    def __init__(self, stats, memory: int):
        self.stats = stats
        self.memory = memory
        self.seen: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.getint("DEDUPE_MEMORY", 200_000))

    def process_item(self, doc):
        # Engagement counts are part of what a refetch updates (likes, reposts).
        digest = hashlib.sha1(f"{doc.title}\x00{doc.content}\x00{doc.engagement}".encode("utf-8")).hexdigest()
        if self.seen.get(doc.id) == digest:
            self.stats.inc_value("dedupe/dropped")
            raise DropItem(f"exact duplicate of {doc.id} ({doc.url})")
        self.seen[doc.id] = digest
        self.seen.move_to_end(doc.id)
        if len(self.seen) > self.memory:
            self.seen.popitem(last=False)
        return doc
