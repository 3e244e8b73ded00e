"""Graded alerts for the documents the analysts' rules matched (docs/alerts.md).

Runs right after RulesPipeline. For each rule a document matched: read the
rule's velocity, grade the hit (:mod:`yuqing.alerts.grading`) and record it
with one Lua call that opens or updates the story's alert and adds the event
to the ``yuqing:alerts`` stream. Two Redis round trips per matched rule, none
for other documents. Sending is not done here: ``yuqing alerts deliver`` reads
the stream, so a webhook that hangs or is down never slows the crawl.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from redis import RedisError
from scrapy.exceptions import NotConfigured

from yuqing.alerts.book import AlertBook
from yuqing.alerts.config import AlertsConfig
from yuqing.alerts.grading import Grader
from yuqing.alerts.velocity import Velocity
from pipelines.rules import rule_store
from yuqing.rules.store import RuleStore

logger = logging.getLogger(__name__)


class AlertsPipeline:
    def __init__(self, book: AlertBook, velocity: Velocity, grader: Grader, rules: RuleStore, stats):
        self.book = book
        self.velocity = velocity
        self.grader = grader
        self.rules = rules
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("ALERTS_ENABLED", True):
            raise NotConfigured("ALERTS_ENABLED is off")
        if not settings.get("REDIS_URL"):
            raise NotConfigured("alerts need Redis: REDIS_URL is not set")
        from scrapy_redis import connection

        config = AlertsConfig.from_settings(settings)
        client = connection.from_settings(settings)
        # Rule names, topics and priorities: the very rule set RulesPipeline matched with.
        return cls(AlertBook(client, config), Velocity(client, config), Grader.from_config(config),
                   rule_store(crawler), crawler.stats)

    def process_item(self, doc):
        if not doc.matched_rules:
            return doc
        data = asdict(doc)
        now = time.time()
        for rule_id in doc.matched_rules:
            rule = self._rule(rule_id)
            if rule is None:
                self.stats.inc_value("alerts/unknown_rule")
                logger.warning("alerts: rule %s matched %s but is not in the rule sources", rule_id, doc.url)
                continue
            try:
                self._record(rule, data, now)
            except RedisError as exc:
                self.stats.inc_value("alerts/error")
                logger.error("alerts: hit of rule %s on %s not recorded: %s", rule_id, doc.url, exc)
        return doc

    def _rule(self, rule_id: str):
        # Same store as RulesPipeline: a matched id is in it unless the rule
        # was removed by a reload in between.
        return self.rules.ruleset.get(rule_id)

    def _record(self, rule, doc: dict, now: float) -> None:
        channel = doc.get("channel") or "other"
        reading = self.velocity.read(rule.id, channel, now)
        grade = self.grader.grade(rule.priority, doc, reading.level, reading.reason)
        terms = list(dict.fromkeys(t["term"] for t in doc.get("matched_terms") or () if t.get("rule") == rule.id))
        recorded = self.book.record(rule, doc, grade, terms, self.velocity.buckets(rule.id, channel, now), now)
        if recorded.action == "duplicate":
            self.stats.inc_value("alerts/duplicate")
            return
        alert = recorded.alert
        if recorded.action == "created":
            self.stats.inc_value("alerts/created")
            self.stats.inc_value(f"alerts/grade/{alert['grade']}")
            logger.info("alerts: new %s alert %s for rule %s (%s): %s", alert["grade"], alert["id"], rule.id,
                        ", ".join(alert["grade_reasons"]), doc.get("url"))
        else:
            self.stats.inc_value("alerts/updated")
            logger.debug("alerts: alert %s of rule %s now %d documents (%s)", alert["id"], rule.id,
                         alert["count"], recorded.action)
