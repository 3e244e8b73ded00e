"""``yuqing stats``: the headline numbers of a period, as tables (or JSON):
volume and change, sentiment shares and net sentiment, top channels, sources
and regions, alerts by grade and MTTR. The same figures, computed by the same
code, as the reports (``yuqing report``).

    yuqing stats                       # the last 24 hours
    yuqing stats --since 7d --topic brand-huawei
    yuqing stats --since 2025-11-20 --until 2025-11-21 --json

Exit codes: 0 success (also for a period with no documents), 1 no index or
cluster unreachable, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime, timedelta, timezone

from yuqing.cli.report import Usage, add_scope_arguments, missing_index, open_context, parse_times, scope_from

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="headline numbers of a period (volume, sentiment, alerts, MTTR)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_scope_arguments(parser, since_help="start: 24h (default), 7d ago, or a date / date-time")
    parser.add_argument("--top", type=int, default=5, help="rows of the top-N tables (default: 5)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=cmd_stats)


def cmd_stats(args) -> int:
    from yuqing.report.headline import stats
    from yuqing.report.query import Window
    from yuqing.store.flavor import SearchUnavailable

    try:
        if args.top < 1:
            raise Usage("--top must be at least 1")
        store, alert_index, rules, zone = open_context(args)
        now = datetime.now(timezone.utc)
        since, until = parse_times(args, zone, now)
        until = until or now
        try:
            window = Window(since or until - timedelta(hours=24), until, zone)
        except ValueError as exc:
            raise Usage(str(exc)) from None
        scope = scope_from(args, rules)
        why = missing_index(store)
        if why:
            print(f"yuqing stats: {why}", file=sys.stderr)
            return 1
        figures = stats(store, alert_index, window, scope, args.top)
    except Usage as exc:
        print(f"yuqing stats: {exc}", file=sys.stderr)
        return 2
    except SearchUnavailable as exc:
        print(f"yuqing stats: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        _print(figures, window)
    return 0


def _print(figures: dict, window) -> None:
    from rich.console import Console
    from rich.table import Table

    from yuqing.report import fmt

    console = Console()
    o, mood = figures["overview"], figures["overview"]["sentiment"]
    console.print(f"[bold]{window.label()}[/bold] · {figures['scope']}")
    if not o["volume"]:
        console.print(f"no documents in this period (the period before had {o['previous_volume']:,})")
    head = Table(title="volume and sentiment")
    head.add_column("figure")
    head.add_column("value", justify="right")
    for label, value in (("volume", fmt.count(o["volume"])), ("previous period", fmt.count(o["previous_volume"])),
                         ("change", fmt.pct(o["change"], signed=True)),
                         *((f"{label} share", fmt.pct(mood["shares"][label]))
                           for label in ("positive", "neutral", "negative")),
                         ("without sentiment", fmt.count(mood["unlabelled"])), ("net sentiment", fmt.net(mood["net"])),
                         ("sources", fmt.count(o["sources"]))):
        head.add_row(label, value)
    console.print(head)
    if o["volume"]:
        _top(console, "channels", ["channel", "count", "share", "net"],
             [[r["channel"], fmt.count(r["count"]), fmt.pct(r["share"]), fmt.net(r["net_sentiment"])]
              for r in figures["channels"]])
        _top(console, "sources", ["source", "channel", "count", "share", "negative"],
             [[r["source"], r["channel"] or "", fmt.count(r["count"]), fmt.pct(r["share"]), fmt.count(r["negative"])]
              for r in figures["sources"]])
        regions = figures["regions"]
        _top(console, f"regions ({regions['unlocated']:,} documents without one)", ["province", "count", "share"],
             [[r["province"], fmt.count(r["count"]), fmt.pct(r["share"])] for r in regions["regions"]])
    alerts = figures["alerts"]
    if not alerts["exists"]:
        console.print(f"alerts: the index {alerts['index']} does not exist (no alert delivered yet)")
        return
    _top(console, f"alerts: {alerts['total']:,} detected, {alerts['responded']:,} responded, "
                  f"MTTR {fmt.span(alerts['mttr_s'])}", ["grade", "alerts", "responded", "first detected", "MTTR"],
         [[f"{g['symbol']} {g['name']}", fmt.count(g["count"]), fmt.count(g["responded"]),
           fmt.local(g["first_detected_at"], window.tz), fmt.span(g["mttr_s"])] for g in alerts["by_grade"]])


def _top(console, title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for n, column in enumerate(columns):
        table.add_column(column, justify="left" if n == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
