"""How one story spread: its propagation path, from the search index and Redis.

The members of a cluster come from the search index (``cluster_id``), its
origin from the cluster index in Redis when that still knows the cluster,
else the earliest member. The path lists every member in time order (publish
time, else crawl time) with its offset from the origin, and the edges the
platforms give (a repost's ``repost_of``, a reply's ``parent_id``) between
members. Speed is the number of members in the first 24 hours after the
origin per hour of that day observed so far: a story seen for 3 hours is
measured over 3 hours, not 24.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from . import story_time
from .index import ClusterIndex

FIELDS = ["id", "url", "title", "content", "source", "author", "platform", "channel", "published_at",
          "crawled_at", "repost_of", "parent_id", "engagement", "cluster_id", "lang"]
DAY = 24 * 3600


def doc_time(doc: dict) -> float:
    return story_time(doc.get("published_at"), doc.get("crawled_at"))


def format_offset(seconds: float) -> str:
    """``+52m``, ``+2h05m``, ``+1d22h10m``."""
    sign = "-" if seconds < 0 else "+"
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m"


@dataclass
class Step:
    """One member of the story, in time order."""

    id: str
    url: str
    title: str
    source: str
    author: str | None
    platform: str
    channel: str
    time: str
    offset_seconds: int
    """Seconds after the origin's time."""
    link: str | None = None
    """Id of the member this one reposts or replies to (an edge the platform gives)."""
    link_kind: str | None = None
    """``repost`` or ``reply``."""

    @property
    def offset(self) -> str:
        return format_offset(self.offset_seconds)


@dataclass
class Story:
    cluster_id: str
    origin: Step
    path: list[Step]
    """Every member, earliest first (the origin is the first)."""
    edges: list[dict[str, str]]
    """``{"from", "to", "kind"}`` for reposts/replies whose target is a member."""
    first_day: int
    """Members published within 24 hours after the origin."""
    speed_per_hour: float
    hourly: list[int]
    """Members in each hour of the first day."""
    sources: int
    redis: dict[str, Any] | None = None
    """The cluster's metadata in Redis, when it is still there."""
    truncated: bool = False
    """More members exist than were read."""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for step in [data["origin"], *data["path"]]:
            step["offset"] = format_offset(step["offset_seconds"])
        return data


def _members(store, cluster_id: str, max_docs: int) -> tuple[list[dict], int]:
    answer = store.search_body({"query": {"term": {"cluster_id": cluster_id}}, "size": max_docs,
                                "track_total_hits": True, "_source": FIELDS,
                                "sort": [{"published_at": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]})
    total = answer["hits"]["total"]
    return [h["_source"] for h in answer["hits"]["hits"]], total["value"] if isinstance(total, dict) else total


def resolve_cluster(store, some_id: str) -> str | None:
    """A cluster id given a cluster id or the id of any member."""
    answer = store.search_body({"query": {"bool": {"should": [{"term": {"cluster_id": some_id}},
                                                              {"ids": {"values": [some_id]}}]}},
                                "size": 1, "_source": ["cluster_id"]})
    hits = answer["hits"]["hits"]
    return hits[0]["_source"].get("cluster_id") if hits else None


def load_story(store, cluster_id: str, index: ClusterIndex | None = None, max_docs: int = 2000) -> Story | None:
    """The story of ``cluster_id`` (or of the cluster of the document with
    that id); None when the index has no such cluster."""
    resolved = resolve_cluster(store, cluster_id)
    if resolved is None:
        return None
    docs, total = _members(store, resolved, max_docs)
    if not docs:
        return None
    redis_info = index.info(resolved) if index is not None else None
    redis_origin = (redis_info or {}).get("origin_id")
    docs.sort(key=lambda d: (doc_time(d), d["id"] != redis_origin, d["id"]))
    origin_time = doc_time(docs[0])
    members = {d["id"] for d in docs}
    path = []
    for d in docs:
        link, kind = None, None
        for name, label in (("repost_of", "repost"), ("parent_id", "reply")):
            if d.get(name) in members and d.get(name) != d["id"]:
                link, kind = d[name], label
                break
        path.append(Step(id=d["id"], url=d.get("url", ""), title=d.get("title") or (d.get("content") or "")[:60],
                         source=d.get("source") or "", author=(d.get("author") or {}).get("name"),
                         platform=d.get("platform", ""), channel=d.get("channel", ""),
                         time=d.get("published_at") or d.get("crawled_at"),
                         offset_seconds=int(doc_time(d) - origin_time), link=link, link_kind=kind))
    in_first_day = [s for s in path if s.offset_seconds < DAY]
    observed_hours = min(24.0, max(1.0, in_first_day[-1].offset_seconds / 3600))
    hourly = [0] * 24
    for step in in_first_day:
        hourly[step.offset_seconds // 3600] += 1
    return Story(
        cluster_id=resolved, origin=path[0], path=path,
        edges=[{"from": s.id, "to": s.link, "kind": s.link_kind} for s in path if s.link],
        first_day=len(in_first_day), speed_per_hour=round(len(in_first_day) / observed_hours, 3),
        hourly=hourly, sources=len({s.source for s in path}), redis=redis_info, truncated=total > len(docs))
