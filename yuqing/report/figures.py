"""The figures of a report, each section from one aggregation request.

Definitions (the same in reports, ``yuqing stats`` and docs/kibana.md):

* **volume**: documents of the period (publish time, else crawl time);
* **change**: (volume − previous volume) / previous volume, against the
  period of the same length just before; undefined when that had none;
* **sentiment shares**: positive / neutral / negative over the documents that
  carry a sentiment label; unlabelled documents are counted apart;
* **net sentiment**: (positive − negative) / (positive + negative), from −1
  (all negative) to +1 (all positive); neutral documents do not move it;
  undefined when there is neither.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from .query import Interval, Scope, Window, doc_query, in_window, merge_timeline, timeline_aggs

logger = logging.getLogger(__name__)

SENTIMENTS = ("positive", "neutral", "negative")
ENGAGEMENT = ("reposts", "comments", "likes")
_SENTIMENT_AGG = {"terms": {"field": "sentiment.label", "size": 10}}


def net_sentiment(positive: int, negative: int) -> float | None:
    return (positive - negative) / (positive + negative) if positive + negative else None


def change(current: int, previous: int) -> float | None:
    return (current - previous) / previous if previous else None


def sentiment(buckets: list[dict], total: int) -> dict:
    """Counts, shares and net sentiment from a ``sentiment.label`` terms aggregation."""
    counts = {label: 0 for label in SENTIMENTS}
    for bucket in buckets:
        if bucket["key"] in counts:
            counts[bucket["key"]] = bucket["doc_count"]
    labelled = sum(counts.values())
    return {
        "counts": counts,
        "labelled": labelled,
        "unlabelled": total - labelled,
        "shares": {label: (counts[label] / labelled if labelled else None) for label in SENTIMENTS},
        "net": net_sentiment(counts["positive"], counts["negative"]),
    }


def total_hits(answer: dict) -> int:
    total = answer["hits"]["total"]
    return total["value"] if isinstance(total, dict) else int(total)


def epoch_iso(ms: float | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def overview(store, window: Window, scope: Scope) -> dict:
    """Volume, change against the previous period, sentiment, distinct sources."""
    previous = window.previous()
    span = Window(previous.since, window.until, window.tz)
    body = {"size": 0, "query": doc_query(span, scope), "aggs": {
        name: {"filter": in_window(period), "aggs": {
            "sentiment": _SENTIMENT_AGG,
            # Exact up to 40,000 distinct sources (the engines' maximum threshold).
            "sources": {"cardinality": {"field": "source", "precision_threshold": 40000}},
        }} for name, period in (("current", window), ("previous", previous))
    }}
    aggs = store.search_body(body)["aggregations"]
    volume, before = aggs["current"]["doc_count"], aggs["previous"]["doc_count"]
    return {
        "volume": volume,
        "previous_volume": before,
        "change": change(volume, before),
        "sentiment": sentiment(aggs["current"]["sentiment"]["buckets"], volume),
        "previous_sentiment": sentiment(aggs["previous"]["sentiment"]["buckets"], before),
        "sources": aggs["current"]["sources"]["value"],
    }


def timeline(store, window: Window, scope: Scope, interval: Interval | None = None) -> dict:
    """Volume per channel and sentiment per bucket (hour, local day or week)."""
    interval = interval or Interval.for_window(window)
    sub = {"channel": {"terms": {"field": "channel", "size": 10}}, "sentiment": _SENTIMENT_AGG}
    body = {"size": 0, "query": doc_query(window, scope), "aggs": timeline_aggs(window, interval, sub)}
    aggs = store.search_body(body)["aggregations"]
    buckets = []
    for start, parts in merge_timeline(aggs):
        count = sum(p["doc_count"] for p in parts)
        channels: dict[str, int] = {}
        labels: dict[str, int] = {}
        for part in parts:
            for b in part["channel"]["buckets"]:
                channels[b["key"]] = channels.get(b["key"], 0) + b["doc_count"]
            for b in part["sentiment"]["buckets"]:
                labels[b["key"]] = labels.get(b["key"], 0) + b["doc_count"]
        mood = sentiment([{"key": k, "doc_count": v} for k, v in labels.items()], count)
        buckets.append({"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "label": _bucket_label(start, window, interval),
                        "count": count, "channels": channels,
                        "sentiment": mood["counts"], "net_sentiment": mood["net"]})
    return {"interval": interval.name, "buckets": buckets}


def _bucket_label(start: datetime, window: Window, interval: Interval) -> str:
    local = start.astimezone(window.tz)
    if interval.name == "hour":
        return local.strftime("%m-%d %H:00")
    return local.strftime("%m-%d")


def channels(store, window: Window, scope: Scope) -> list[dict]:
    body = {"size": 0, "track_total_hits": True, "query": doc_query(window, scope), "aggs": {
        "channels": {"terms": {"field": "channel", "size": 10}, "aggs": {"sentiment": _SENTIMENT_AGG}}}}
    answer = store.search_body(body)
    volume = total_hits(answer)
    out = []
    for b in answer["aggregations"]["channels"]["buckets"]:
        mood = sentiment(b["sentiment"]["buckets"], b["doc_count"])
        out.append({"channel": b["key"], "count": b["doc_count"], "share": b["doc_count"] / volume,
                    "sentiment": mood["counts"], "net_sentiment": mood["net"]})
    return out


def sources(store, window: Window, scope: Scope, size: int = 10) -> list[dict]:
    """The sources with most documents: main channel, negative count, largest
    audience (followers) and engagement received."""
    body = {"size": 0, "track_total_hits": True, "query": doc_query(window, scope), "aggs": {
        "sources": {"terms": {"field": "source", "size": size}, "aggs": {
            "channel": {"terms": {"field": "channel", "size": 1}},
            "sentiment": _SENTIMENT_AGG,
            "reach": {"max": {"field": "author.followers"}},
            **{name: {"sum": {"field": f"engagement.{name}"}} for name in ENGAGEMENT},
        }}}}
    answer = store.search_body(body)
    volume = total_hits(answer)
    out = []
    for b in answer["aggregations"]["sources"]["buckets"]:
        mood = sentiment(b["sentiment"]["buckets"], b["doc_count"])
        main = b["channel"]["buckets"]
        out.append({"source": b["key"], "count": b["doc_count"], "share": b["doc_count"] / volume,
                    "channel": main[0]["key"] if main else None,
                    "negative": mood["counts"]["negative"], "net_sentiment": mood["net"],
                    "max_followers": b["reach"]["value"],
                    "engagement": {name: int(b[name]["value"]) for name in ENGAGEMENT}})
    return out


def regions(store, window: Window, scope: Scope, size: int = 10) -> dict:
    """Provinces (and their main cities) of the documents that have a region."""
    body = {"size": 0, "track_total_hits": True, "query": doc_query(window, scope), "aggs": {
        "located": {"filter": {"exists": {"field": "region.province"}}},
        "provinces": {"terms": {"field": "region.province", "size": size}, "aggs": {
            "cities": {"terms": {"field": "region.city", "size": 3}}}},
    }}
    answer = store.search_body(body)
    volume = total_hits(answer)
    aggs = answer["aggregations"]
    return {
        "located": aggs["located"]["doc_count"],
        "unlocated": volume - aggs["located"]["doc_count"],
        "regions": [{"province": b["key"], "count": b["doc_count"], "share": b["doc_count"] / volume,
                     "cities": [c["key"] for c in b["cities"]["buckets"]]}
                    for b in aggs["provinces"]["buckets"]],
    }


def keywords(store, window: Window, scope: Scope, size: int = 60) -> list[dict]:
    body = {"size": 0, "query": doc_query(window, scope),
            "aggs": {"keywords": {"terms": {"field": "keywords", "size": size}}}}
    buckets = store.search_body(body)["aggregations"]["keywords"]["buckets"]
    return [{"keyword": b["key"], "count": b["doc_count"]} for b in buckets]


def rule_comparison(store, window: Window, scope: Scope, rules: list) -> dict:
    """Volume and sentiment per rule, grouped by the rules' topics: brands or
    competitors side by side. Enabled rules of the scope with no document
    are listed with zero."""
    known = {rule.id: rule for rule in rules}
    terms: dict = {"field": "matched_rules", "size": 500}
    if scope.rule_ids:
        terms["include"] = list(scope.rule_ids)
    body = {"size": 0, "query": doc_query(window, scope), "aggs": {
        "rules": {"terms": terms, "aggs": {"sentiment": _SENTIMENT_AGG}}}}
    buckets = store.search_body(body)["aggregations"]["rules"]["buckets"]
    rows: dict[str, dict] = {}
    for b in buckets:
        mood = sentiment(b["sentiment"]["buckets"], b["doc_count"])
        rows[b["key"]] = {"count": b["doc_count"], "sentiment": mood["counts"], "net_sentiment": mood["net"]}
    wanted = scope.rule_ids or tuple(r.id for r in rules if r.enabled)
    for rule_id in wanted:
        rows.setdefault(rule_id, {"count": 0, "sentiment": {s: 0 for s in SENTIMENTS}, "net_sentiment": None})
    topics: dict[str, list[dict]] = {}
    for rule_id, row in rows.items():
        rule = known.get(rule_id)
        topic = rule.topic if rule and rule.topic else ""
        topics.setdefault(topic, []).append({"rule": rule_id, "name": rule.name if rule else rule_id, **row})
    # A document matching two rules of a topic is a hit of each: topic totals are hits.
    grouped = [{"topic": topic, "hits": sum(r["count"] for r in members),
                "rules": sorted(members, key=lambda r: (-r["count"], r["rule"]))}
               for topic, members in topics.items()]
    grouped.sort(key=lambda t: (-t["hits"], t["topic"]))
    return {"topics": grouped}
