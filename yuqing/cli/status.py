"""``yuqing status``: workers, queues, dead letters, spool and schedule at a glance.

``--json`` prints the same data for scripts and monitoring; ``--watch``
refreshes the tables every ``--interval`` seconds until Ctrl-C.
"""

from __future__ import annotations

import json
import sys
import time


def register(subparsers) -> None:
    p = subparsers.add_parser("status", help="show workers, queues, dead letters and the schedule")
    p.add_argument("--watch", action="store_true", help="refresh until Ctrl-C")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between refreshes (--watch)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--spool-dir", help="the indexer's spool directory (default: SPOOL_DIR)")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    p.set_defaults(func=run)


def _when(epoch: float | None, now: float) -> str:
    if not epoch:
        return "-"
    delta = epoch - now
    stamp = time.strftime("%H:%M:%S", time.localtime(epoch))
    if abs(delta) < 1:
        return f"{stamp} (now)"
    return f"{stamp} (in {_span(delta)})" if delta > 0 else f"{stamp} ({_span(-delta)} ago)"


def _span(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 86400:
        return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def render(data: dict):
    from rich.console import Group
    from rich.table import Table

    now = data["time"]
    workers = Table(title=f"Workers: {data['alive']} alive, {data['stale']} stale", title_justify="left")
    for column in ("worker", "state", "last beat", "spiders", "pages/min", "items/min", "pages", "items",
                   "errors", "browser pages", "metrics"):
        workers.add_column(column, justify="right" if column not in ("worker", "state", "spiders") else "left")
    for w in data["workers"]:
        state = "[green]alive[/]" if w["state"] == "alive" else "[red]stale[/]"
        workers.add_row(w["id"], state, f"{w['age']:.0f}s ago", ", ".join(w["spiders"]),
                        f"{w['pages_per_min']:g}", f"{w['items_per_min']:g}", str(w["pages"]), str(w["items"]),
                        str(w["errors"]), str(w["browser_pages"]),
                        f":{w['metrics_port']}" if w["metrics_port"] else "-")
    queues = Table(title="Queues", title_justify="left")
    for column in ("spider", "requests", "leased", "delayed", "seeds"):
        queues.add_column(column, justify="left" if column == "spider" else "right")
    for q in data["queues"]:
        queues.add_row(q["spider"], str(q["requests"]), str(q["leased"]), str(q["delayed"]), str(q["seeds"]))
    sources = Table(title="Sources", title_justify="left")
    for column in ("source", "spider", "every", "last run", "seeds", "runs", "skipped", "next due"):
        sources.add_column(column, justify="right" if column in ("seeds", "runs", "skipped") else "left")
    for s in data["sources"]:
        sources.add_row(s["source"] + ("" if s["enabled"] else " (off)"), s["spider"], _span(s["interval"]),
                        _when(s["last_run"], now), str(s["last_seeds"]), str(s["runs"]), str(s["skipped"]),
                        _when(s["next_due"], now) if s["enabled"] else "-")
    other = Table(title="Dead letters and spool", title_justify="left")
    other.add_column("where")
    other.add_column("entries", justify="right")
    for key, length in data["dead_letters"].items():
        other.add_row(key, str(length))
    spool = data["spool"]
    other.add_row(f"{spool['dir']} (files)", f"{spool['files']} ({spool['bytes']:,} bytes)")
    return Group(workers, queues, sources, other)


def run(args) -> int:
    import redis
    from rich.console import Console
    from rich.live import Live

    from yuqing.status import snapshot
    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print("yuqing status: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)

    def take() -> dict:
        return snapshot(client, settings, spool_dir=args.spool_dir)

    try:
        if args.json:
            while True:
                print(json.dumps(take(), ensure_ascii=False), flush=True)
                if not args.watch:
                    return 0
                time.sleep(args.interval)
        console = Console()
        if not args.watch:
            console.print(render(take()))
            return 0
        with Live(render(take()), console=console, refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(args.interval)
                live.update(render(take()))
    except redis.RedisError as exc:
        print(f"yuqing status: Redis at {url}: {exc}", file=sys.stderr)
        return 1
