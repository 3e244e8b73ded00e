"""Hot topics: the stories of the last N hours, grouped and ranked.

Documents of the last ``hours`` (by publish time, else crawl time) and of the
``hours`` before are read from the search index. Each cluster (a document
without one is its own) gets a keyword profile from its documents'
``keywords`` (extracted with :func:`yuqing.enrich.extract_keywords` when the
field is empty). Clusters are then taken biggest first, and each joins the
first topic whose seed keywords (the top keywords of the cluster that opened
it) share at least ``MIN_SHARED_KEYWORDS`` with its own top keywords, else
opens a topic: a fixed seed keeps topics from drifting along chains of
related clusters.

A topic's score is its volume in this period times the square root of its
growth, ``(volume + 1) / (previous + 1)``: a new story of 5 documents (12.2)
outranks a steady one of 10 (10.0), a fading one of 20 after 80 scores 10.2.
Its representatives are the origin of its biggest cluster and its most
engaged documents.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from yuqing.enrich import extract_keywords

from .index import ClusterIndex
from .story import doc_time

TOP_KEYWORDS = 5
MIN_SHARED_KEYWORDS = 2
PAGE = 1000
FIELDS = ["id", "url", "title", "content", "source", "platform", "channel", "lang", "published_at", "crawled_at",
          "cluster_id", "keywords", "engagement"]
# Characters of a document read when its keywords have to be extracted here.
KEYWORD_TEXT_CHARS = 3000


@dataclass
class Topic:
    keywords: list[str]
    title: str
    """Headline (or opening words) of the topic's origin document."""
    volume: int
    """Documents in this period."""
    previous: int
    """Documents in the period before."""
    growth: float
    score: float
    clusters: list[dict[str, Any]] = field(default_factory=list)
    """``{"cluster_id", "volume", "previous", "keywords"}``, biggest first."""
    representatives: list[dict[str, Any]] = field(default_factory=list)
    """The origin first (``role`` ``origin``), then the most engaged documents."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _in_period(start: datetime, end: datetime) -> dict:
    span = {"gte": _iso(start), "lt": _iso(end)}
    return {"bool": {"minimum_should_match": 1, "should": [
        {"range": {"published_at": span}},
        {"bool": {"must_not": {"exists": {"field": "published_at"}}, "filter": {"range": {"crawled_at": span}}}},
    ]}}


def _documents(store, start: datetime, end: datetime, max_docs: int) -> list[dict]:
    docs: list[dict] = []
    after = None
    while len(docs) < max_docs:
        body = {"query": _in_period(start, end), "size": min(PAGE, max_docs - len(docs)), "_source": FIELDS,
                "sort": [{"id": "asc"}]}
        if after:
            body["search_after"] = after
        hits = store.search_body(body)["hits"]["hits"]
        docs += [h["_source"] for h in hits]
        if len(hits) < body["size"]:
            break
        after = hits[-1]["sort"]
    return docs


def _keywords(doc: dict) -> list[str]:
    if doc.get("keywords"):
        return [k.lower() for k in doc["keywords"]]
    text = f"{doc.get('title') or ''}\n{doc.get('content') or ''}"[:KEYWORD_TEXT_CHARS]
    return extract_keywords(text, doc.get("lang") or "other", 10)


def _engagement(doc: dict) -> int:
    e = doc.get("engagement") or {}
    return (e.get("likes") or 0) + 2 * (e.get("comments") or 0) + 3 * (e.get("reposts") or 0) \
        + (e.get("views") or 0) // 100


def _summary(doc: dict, role: str) -> dict[str, Any]:
    return {"role": role, "id": doc["id"], "url": doc.get("url"), "source": doc.get("source"),
            "title": doc.get("title") or (doc.get("content") or "")[:60],
            "time": doc.get("published_at") or doc.get("crawled_at"), "engagement": _engagement(doc)}


def hot_topics(store, hours: float = 24, now: datetime | None = None, *, index: ClusterIndex | None = None,
               limit: int = 10, max_docs: int = 20_000) -> list[Topic]:
    """The ``limit`` hottest topics of the ``hours`` before ``now`` (default:
    the current time), hottest first."""
    now = now or datetime.now(timezone.utc)
    start = now - timedelta(hours=hours)
    cutoff = start.timestamp()
    docs = _documents(store, now - timedelta(hours=2 * hours), now, max_docs)

    clusters: dict[str, dict[str, Any]] = defaultdict(lambda: {"docs": [], "volume": 0, "previous": 0,
                                                               "profile": Counter()})
    for doc in docs:
        c = clusters[doc.get("cluster_id") or doc["id"]]
        c["docs"].append(doc)
        c["volume" if doc_time(doc) >= cutoff else "previous"] += 1
        words = _keywords(doc)
        for rank, word in enumerate(words):
            c["profile"][word] += (len(words) - rank) / len(words)

    topics: list[dict[str, Any]] = []
    for cluster_id, c in sorted(clusters.items(), key=lambda kv: (-kv[1]["volume"], -kv[1]["previous"], kv[0])):
        top = [w for w, _ in c["profile"].most_common(TOP_KEYWORDS)]
        entry = {"cluster_id": cluster_id, "volume": c["volume"], "previous": c["previous"], "keywords": top}
        home = next((t for t in topics if len(t["seed"] & set(top)) >= MIN_SHARED_KEYWORDS), None)
        if home is None:
            if not c["volume"]:
                continue  # a story of the previous period alone is not a topic of this one
            home = {"seed": set(top), "keywords": top, "clusters": [], "docs": [], "profile": Counter()}
            topics.append(home)
        home["clusters"].append(entry)
        home["docs"] += c["docs"]
        home["profile"].update(c["profile"])

    ranked = []
    for t in topics:
        volume = sum(c["volume"] for c in t["clusters"])
        previous = sum(c["previous"] for c in t["clusters"])
        growth = (volume + 1) / (previous + 1)
        representatives = _representatives(t, index)
        ranked.append(Topic(keywords=[w for w, _ in t["profile"].most_common(TOP_KEYWORDS)],
                            title=representatives[0]["title"], volume=volume, previous=previous,
                            growth=round(growth, 3), score=round(volume * math.sqrt(growth), 3),
                            clusters=t["clusters"], representatives=representatives))
    ranked.sort(key=lambda t: (-t.score, -t.volume, t.title))
    return ranked[:limit]


def _representatives(topic: dict[str, Any], index: ClusterIndex | None, most_engaged: int = 2) -> list[dict]:
    main = topic["clusters"][0]["cluster_id"]
    members = [d for d in topic["docs"] if (d.get("cluster_id") or d["id"]) == main]
    origin_id = ((index.info(main) if index is not None else None) or {}).get("origin_id")
    origin = (next((d for d in members if d["id"] == origin_id), None)
              or min(members, key=lambda d: (doc_time(d), d["id"])))
    out = [_summary(origin, "origin")]
    engaged = sorted((d for d in topic["docs"] if d["id"] != origin["id"] and _engagement(d) > 0),
                     key=lambda d: (-_engagement(d), d["id"]))
    out += [_summary(d, "most engaged") for d in engaged[:most_engaged]]
    return out
