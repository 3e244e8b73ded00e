"""Stories: near-duplicate and repost clusters shared by every worker, the
propagation path of a story, and hot topics (docs/clustering.md)."""

from __future__ import annotations

from datetime import datetime, timezone


def story_time(published_at: str | None, crawled_at: str | None) -> float:
    """What orders a story's documents, in epoch seconds: the publish time,
    else the crawl time (both UTC ISO 8601, as the schema stores them)."""
    stamp = published_at or crawled_at
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
