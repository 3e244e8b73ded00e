"""The propagation of a topic (special report with ``--topic``): the order
in which sources first carried it, from one aggregation: each source's
earliest document (publish time, else crawl time), how many documents it had
and how many of them were reposts or replies. A single story's path
(``--cluster``), member by member, is :func:`yuqing.cluster.story.load_story`'s.
"""

from __future__ import annotations

import logging

from .query import Scope, Window, doc_query

logger = logging.getLogger(__name__)

_DOC_FIELDS = ["title", "url", "source", "channel", "platform", "published_at", "crawled_at"]


def origin(top_hits: dict) -> dict | None:
    hits = top_hits["hits"]["hits"]
    if not hits:
        return None
    source = hits[0]["_source"]
    return {"id": hits[0]["_id"], "title": source.get("title") or "", "url": source.get("url"),
            "source": source.get("source"), "channel": source.get("channel"),
            "time": source.get("published_at") or source.get("crawled_at")}


def first_hit() -> dict:
    """The earliest document of a bucket: what a story or a source started with."""
    return {"top_hits": {"size": 1, "_source": {"includes": _DOC_FIELDS},
                         "sort": [{"published_at": {"order": "asc", "missing": "_last"}},
                                  {"crawled_at": {"order": "asc"}}]}}


def propagation(store, window: Window, scope: Scope, sources: int = 100) -> dict:
    """The story's origin and its path through (at most ``sources``) sources."""
    linked = {"bool": {"minimum_should_match": 1, "should": [
        {"exists": {"field": "repost_of"}}, {"exists": {"field": "parent_id"}}]}}
    body = {"size": 0, "query": doc_query(window, scope), "aggs": {
        "origin": first_hit(),
        "linked": {"filter": linked},
        "sources": {"terms": {"field": "source", "size": sources}, "aggs": {
            "first": first_hit(),
            "linked": {"filter": linked},
        }},
    }}
    aggs = store.search_body(body)["aggregations"]
    path = []
    for b in aggs["sources"]["buckets"]:
        first = origin(b["first"])
        path.append({"source": b["key"], "count": b["doc_count"], "linked": b["linked"]["doc_count"],
                     "first_time": first["time"] if first else None, "channel": first["channel"] if first else None,
                     "first_title": first["title"] if first else "", "first_url": first["url"] if first else None})
    path.sort(key=lambda step: (step["first_time"] or "", step["source"]))
    for number, step in enumerate(path, 1):
        step["step"] = number
    return {"origin": origin(aggs["origin"]), "linked": aggs["linked"]["doc_count"], "path": path}
