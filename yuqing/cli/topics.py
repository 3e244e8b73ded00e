"""``yuqing topics``: the hottest topics of the last hours, by volume and growth.

Each topic shows its keywords, its volume in the last ``--hours`` and in the
``--hours`` before, and its representative documents (the origin of its
biggest story, then the most engaged). ``--now`` (UTC ISO 8601) looks back
from another moment than the current one. Exit codes: 0 shown, 1 no
documents in the period, 2 no search cluster configured or reachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone


def register(subparsers) -> None:
    p = subparsers.add_parser("topics", help="hot topics of the last hours, ranked by volume and growth",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--now", type=_utc, help="end of the period, e.g. 2025-11-23T04:00:00Z (default: now)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--search-url", help="default: SEARCH_URL")
    p.add_argument("--redis-url", help="for the stories' origins in Redis; default: REDIS_URL")
    p.set_defaults(func=run)


def _utc(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UTC time like 2025-11-23T04:00:00Z: {value!r}") from None


def render(topics, hours: float):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Hot topics of the last {hours:g}h", show_lines=True)
    for column, justify in (("#", "right"), ("score", "right"), ("docs", "right"), ("before", "right"),
                            ("keywords", "left"), ("representative documents", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for n, topic in enumerate(topics, start=1):
        docs = "\n".join(f"[bold]{r['role']}[/] [dim]{r['time']}[/] {escape(r['source'] or '')} "
                         f"{escape(r['title'])}\n  [dim]{escape(r['url'] or '')}[/]" for r in topic.representatives)
        table.add_row(str(n), f"{topic.score:g}", str(topic.volume), str(topic.previous),
                      escape(", ".join(topic.keywords)), docs)
    return table


def run(args) -> int:
    from redis import RedisError
    from rich.console import Console

    from yuqing.cluster.topics import hot_topics
    from yuqing.store.flavor import SearchUnavailable
    from yuqing.store.search import SearchStore
    from yuqing.cli.common import cluster_index, service_settings

    settings = service_settings(args, "topics")
    if settings is None:
        return 2
    index = cluster_index(settings)
    try:
        store = SearchStore.from_settings(settings)
        try:
            topics = hot_topics(store, args.hours, args.now, index=index, limit=args.limit)
        except RedisError as exc:
            print(f"yuqing topics: Redis unavailable ({exc}); origins are the earliest indexed documents",
                  file=sys.stderr)
            topics = hot_topics(store, args.hours, args.now, limit=args.limit)
    except SearchUnavailable as exc:
        print(f"yuqing topics: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([t.to_dict() for t in topics], ensure_ascii=False, indent=2))
    else:
        Console().print(render(topics, args.hours))
    return 0 if topics else 1
