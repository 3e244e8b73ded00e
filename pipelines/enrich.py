"""Sentiment, language, keywords and region on every document, offline.

The models load once per worker (``yuqing.enrich.Enricher``); per document
the work is bounded whatever the body size.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from yuqing.enrich import Enricher

logger = logging.getLogger(__name__)


class EnrichPipeline:
    def __init__(self, enricher: Enricher, stats):
        self.enricher = enricher
        self.stats = stats
        # jieba loads its dictionaries on first use (seconds); doing it here
        # keeps that delay out of the first document's alert latency.
        enricher.enrich({"title": "预热", "content": "加载分词词典 warm up", "lang": "zh"})

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ENRICH_ENABLED", True):
            raise NotConfigured("ENRICH_ENABLED is off")
        return cls(Enricher(), crawler.stats)

    def process_item(self, doc):
        fields = self.enricher.enrich({"title": doc.title, "content": doc.content, "lang": doc.lang,
                                       "region_hint": doc.region_hint})
        doc.sentiment = fields["sentiment"]
        doc.lang = fields["lang"]
        # Platform tags stay in `tags`; extracted keywords go here for tag clouds.
        doc.keywords = fields["keywords"]
        doc.region = fields["region"]
        self.stats.inc_value(f"enrich/sentiment/{doc.sentiment['label']}")
        if (doc.region or {}).get("province") not in (None, "unknown"):
            self.stats.inc_value(f"enrich/region/{doc.region.get('source', 'text')}")
        return doc
