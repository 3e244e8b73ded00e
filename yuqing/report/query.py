"""Report periods and the query clauses every section shares.

A document belongs to a period by its publish time; a document without one
(the page gave none) by the time it was crawled, as ``yuqing rules backtest``
counts it. Alerts belong to a period by their detection time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from yuqing.alerts.config import parse_duration

LENGTHS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def parse_when(value: str, now: datetime, tz: ZoneInfo) -> datetime:
    """``24h``/``7d`` ago, or a date (local midnight), or a date-time (local unless it says)."""
    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a duration or a date: {value!r} (use 24h, 7d, 2025-11-20 or 2025-11-20T08:00)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(timezone.utc)


@dataclass(frozen=True)
class Window:
    """The half-open period [since, until), with the time zone its days and
    hours are shown in."""

    since: datetime
    until: datetime
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def __post_init__(self):
        if self.since >= self.until:
            raise ValueError(f"the period is empty: {iso(self.since)} is not before {iso(self.until)}")

    @property
    def length(self) -> timedelta:
        return self.until - self.since

    def previous(self) -> "Window":
        """The period of the same length just before: what "change" compares with."""
        return Window(self.since - self.length, self.since, self.tz)

    def local(self, when: datetime) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def label(self) -> str:
        return f"{self.local(self.since)} – {self.local(self.until)} ({self.tz.key})"


def report_window(kind: str, tz: ZoneInfo, now: datetime, since: datetime | None = None,
                  until: datetime | None = None) -> Window:
    """Daily and weekly reports cover whole local days: by default the day (the
    seven days) before today's local midnight. ``--since`` alone starts the
    period there; ``--until`` alone ends it there."""
    length = LENGTHS[kind]
    if since is not None and until is None:
        return Window(since, min(since + length, now), tz)
    if until is None:
        until = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
    return Window(since if since is not None else until - length, until, tz)


@dataclass(frozen=True)
class Scope:
    """What the report is about: all documents, those matching some rules
    (``--rules``, or the rules of ``--topic``), or one cluster (story)."""

    rule_ids: tuple[str, ...] = ()
    topic: str | None = None
    cluster: str | None = None

    def describe(self) -> str:
        parts = []
        if self.topic:
            parts.append(f"topic {self.topic} (rules {', '.join(self.rule_ids)})")
        elif self.rule_ids:
            parts.append(f"rules {', '.join(self.rule_ids)}")
        if self.cluster:
            parts.append(f"cluster {self.cluster}")
        return "; ".join(parts) or "all documents"

    def doc_clauses(self) -> list[dict]:
        clauses = []
        if self.rule_ids:
            clauses.append({"terms": {"matched_rules": list(self.rule_ids)}})
        if self.cluster:
            clauses.append({"term": {"cluster_id": self.cluster}})
        return clauses

    def alert_clauses(self) -> list[dict]:
        clauses = []
        if self.topic or self.rule_ids:
            # An alert keeps the rule's topic as it was when raised; either matches.
            should: list[dict] = [{"terms": {"rule.id": list(self.rule_ids)}}] if self.rule_ids else []
            if self.topic:
                should.append({"term": {"rule.topic": self.topic}})
            clauses.append({"bool": {"should": should, "minimum_should_match": 1}})
        if self.cluster:
            clauses.append({"term": {"story": self.cluster}})
        return clauses


class UnknownScope(ValueError):
    """``--topic`` names a topic no rule has."""


def resolve_scope(rules: list, *, topic: str | None = None, rule_ids: list[str] | None = None,
                  cluster: str | None = None) -> Scope:
    """The rule ids a topic stands for, checked against the rules the workers use."""
    ids = tuple(rule_ids or ())
    if topic:
        of_topic = tuple(r.id for r in rules if r.topic == topic)
        if not of_topic:
            known = sorted({r.topic for r in rules if r.topic})
            raise UnknownScope(f"no rule has topic {topic!r} (topics: {', '.join(known) or 'none'})")
        ids = tuple(i for i in of_topic if not ids or i in ids)
    return Scope(rule_ids=ids, topic=topic, cluster=cluster)


class ScopedStore:
    """A store whose searches see only the scope's documents, for code that
    searches by itself (the cluster package's hot topics)."""

    def __init__(self, store, scope: Scope):
        self.store = store
        self.scope = scope

    def search_body(self, body: dict) -> dict:
        clauses = self.scope.doc_clauses()
        if clauses:
            body = {**body, "query": {"bool": {"filter": [body.get("query") or {"match_all": {}}, *clauses]}}}
        return self.store.search_body(body)


def in_window(window: Window) -> dict:
    """Documents of the period: by publish time, else by crawl time."""
    bounds = {"gte": iso(window.since), "lt": iso(window.until)}
    return {"bool": {"minimum_should_match": 1, "should": [
        {"range": {"published_at": bounds}},
        {"bool": {"must_not": [{"exists": {"field": "published_at"}}],
                  "filter": [{"range": {"crawled_at": bounds}}]}},
    ]}}


def doc_query(window: Window, scope: Scope) -> dict:
    return {"bool": {"filter": [in_window(window), *scope.doc_clauses()]}}


def alert_query(window: Window, scope: Scope) -> dict:
    bounds = {"gte": iso(window.since), "lt": iso(window.until)}
    return {"bool": {"filter": [{"range": {"detected_at": bounds}}, *scope.alert_clauses()]}}


@dataclass(frozen=True)
class Interval:
    name: str
    """``hour``, ``day`` or ``week``: how the timeline is bucketed."""

    @classmethod
    def for_window(cls, window: Window) -> "Interval":
        """About 24 to 60 bars: hours for a day or two, days up to two months, then weeks."""
        if window.length <= timedelta(days=2):
            return cls("hour")
        if window.length <= timedelta(days=62):
            return cls("day")
        return cls("week")

    def histogram(self, field_name: str, window: Window) -> dict:
        # Calendar units in the report's zone: a day bucket is a local day.
        return {"date_histogram": {
            "field": field_name, "calendar_interval": self.name, "time_zone": window.tz.key,
            "min_doc_count": 0,
            "extended_bounds": {"min": int(window.since.timestamp() * 1000),
                                "max": int(window.until.timestamp() * 1000) - 1},
        }}


def timeline_aggs(window: Window, interval: Interval, sub_aggs: dict) -> dict:
    """Two histograms (dated documents by publish time, undated ones by crawl
    time) that :func:`merge_timeline` adds up bucket by bucket."""
    bounds = {"gte": iso(window.since), "lt": iso(window.until)}
    dated = {"range": {"published_at": bounds}}
    undated = {"bool": {"must_not": [{"exists": {"field": "published_at"}}],
                        "filter": [{"range": {"crawled_at": bounds}}]}}
    return {
        "dated": {"filter": dated, "aggs": {"t": {**interval.histogram("published_at", window), "aggs": sub_aggs}}},
        "undated": {"filter": undated, "aggs": {"t": {**interval.histogram("crawled_at", window), "aggs": sub_aggs}}},
    }


def merge_timeline(aggregations: dict) -> list[tuple[datetime, list[dict]]]:
    """[(bucket start, [the dated bucket, the undated bucket])] in time order.
    The first bucket may start before the period (a local day or week that the
    period starts inside); it holds only documents of the period."""
    merged: dict[int, list[dict]] = {}
    for part in ("dated", "undated"):
        for bucket in aggregations[part]["t"]["buckets"]:
            merged.setdefault(bucket["key"], []).append(bucket)
    return [(datetime.fromtimestamp(key / 1000, timezone.utc), merged[key]) for key in sorted(merged)]
