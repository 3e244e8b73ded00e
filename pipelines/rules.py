"""Match every document against the analysts' rules before it is indexed.

One streaming matcher (an Aho-Corasick automaton over every rule's literal
terms, then only the candidate rules evaluated) per worker, no search round
trip per document. Rules come from ``RULES_FILE`` and, with Redis, from the
``yuqing:rules`` hash; changes are picked up without restarting workers.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from scrapy.exceptions import NotConfigured

from yuqing.rules.matcher import match_fields
from yuqing.rules.store import RuleStore

logger = logging.getLogger(__name__)


class RulesPipeline:
    def __init__(self, store: RuleStore, stats):
        self.store = store
        self.stats = stats
        for error in store.errors:
            logger.error("rule skipped: %s", error)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("RULES_FILE") and not settings.get("REDIS_URL"):
            raise NotConfigured("no RULES_FILE and no REDIS_URL: no analyst rules to match")
        store = rule_store(crawler)
        logger.info("matching %d rule(s) from %s", len(store.matcher), settings.get("RULES_FILE") or "redis")
        return cls(store, crawler.stats)

    def process_item(self, doc):
        matches = self.store.match(asdict(doc))
        if matches:
            fields = match_fields(matches)
            doc.matched_rules = fields["matched_rules"]
            doc.matched_terms = fields["matched_terms"]
            self.stats.inc_value("rules/matched_documents")
            for rule_id in doc.matched_rules:
                self.stats.inc_value(f"rules/matched/{rule_id}")
        return doc


def rule_store(crawler) -> RuleStore:
    """The crawler's one live rule set, shared by every component that needs
    rules (matching here, names and priorities in the alerts pipeline), so a
    worker loads and reloads its rules once and all components see one version."""
    store = getattr(crawler, "_yuqing_rule_store", None)
    if store is None:
        settings = crawler.settings
        redis_client = None
        if settings.get("REDIS_URL"):
            from scrapy_redis import connection

            redis_client = connection.from_settings(settings)
        store = RuleStore(settings.get("RULES_FILE"), check_interval=settings.getfloat("RULES_RELOAD_INTERVAL", 5.0),
                          redis=redis_client)
        crawler._yuqing_rule_store = store
    return store
