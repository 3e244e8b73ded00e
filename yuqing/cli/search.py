"""``yuqing search QUERY``: keyword search over the index."""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("search", help="search indexed documents by keyword")
    p.add_argument("query")
    p.add_argument("--size", type=int, default=10)
    p.add_argument("--platform")
    p.add_argument("--channel")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    p.add_argument("--search-url", help="default: SEARCH_URL")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from yuqing.store.flavor import SearchUnavailable
    from yuqing.store.search import SearchStore
    from yuqing.cli.common import service_settings

    settings = service_settings(args, "search")
    if settings is None:
        return 2
    filters = {k: v for k, v in (("platform", args.platform), ("channel", args.channel)) if v}
    try:
        hits = SearchStore.from_settings(settings).search(args.query, size=args.size, filters=filters)
    except SearchUnavailable as exc:
        print(f"yuqing search: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for hit in hits:
            print(json.dumps({k: hit.get(k) for k in ("id", "score", "title", "url", "platform", "channel",
                                                      "published_at", "lang", "highlight")}, ensure_ascii=False))
        return 0 if hits else 1
    table = Table(title=f"{len(hits)} hit(s) for {args.query!r}")
    for column in ("score", "published", "platform", "title", "url"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(f"{hit['score']:.2f}", (hit.get("published_at") or "")[:16], hit.get("platform", ""),
                      hit.get("title") or (hit.get("content") or "")[:60], hit.get("url", ""))
    Console().print(table)
    return 0 if hits else 1
