"""``yuqing report``: daily, weekly and special reports as a self-contained
HTML file and Markdown, from aggregations over the search index.

    yuqing report daily                          # yesterday (local days of --tz)
    yuqing report weekly --out reports/          # the seven days before today
    yuqing report daily --since 2025-11-20       # that day
    yuqing report weekly --topic brand-huawei    # only documents of that topic's rules
    yuqing report special --topic brand-huawei --since 14d
    yuqing report special --cluster 3f9a1c...    # one story: timeline, propagation, alerts

Daily and weekly reports cover whole local days and compare with the period
of the same length just before. A special report covers --since (default:
30 days) to --until (default: now). A period with no documents still gives a
report, which says so (exit 0). An index that does not exist gives no report
and exit 1: that is a wrong SEARCH_URL or SEARCH_INDEX_PREFIX, not a quiet day.
Exit codes: 0 report written, 1 no index, no such story or cluster
unreachable, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="daily / weekly / special report (HTML + Markdown)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=("daily", "weekly", "special"))
    add_scope_arguments(parser)
    parser.add_argument("--cluster", help="special: one cluster (story) id")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="output directory (default: reports)")
    parser.add_argument("--top", type=int, default=10, help="rows of the top-N tables (default: 10)")
    parser.set_defaults(func=cmd_report)


def add_scope_arguments(parser: argparse.ArgumentParser, since_help: str | None = None) -> None:
    """Options ``report`` and ``stats`` share."""
    parser.add_argument("--since", help=since_help or "start: 24h, 7d ago, or a date / date-time")
    parser.add_argument("--until", help="end (excluded), same forms (default: see above)")
    parser.add_argument("--tz", help="time zone of days and hours (default: NORMALIZE_DEFAULT_TZ, Asia/Shanghai)")
    parser.add_argument("--topic", help="only documents matching the rules of this topic")
    parser.add_argument("--rules", help="only documents matching these rule ids (comma-separated)")
    parser.add_argument("--file", type=Path, help="rule file (default: YUQING_RULES_FILE, else rules.yaml)")
    parser.add_argument("--search-url", help="default: SEARCH_URL")


class Usage(Exception):
    """Bad arguments: the message is printed and the exit code is 2."""


def open_context(args):
    """(SearchStore, AlertIndex, rules, zone) or raise :class:`Usage`."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import yaml

    from yuqing.cli.rules import _live_rules
    from yuqing.store.alerts import AlertIndex
    from yuqing.store.search import SearchStore
    from yuqing.worker import project_settings

    settings = project_settings()
    if args.search_url:
        settings.set("SEARCH_URL", args.search_url, priority="cmdline")
    if not settings.get("SEARCH_URL"):
        raise Usage("no search cluster: set SEARCH_URL or pass --search-url")
    try:
        zone = ZoneInfo(args.tz or settings.get("NORMALIZE_DEFAULT_TZ") or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise Usage(f"unknown time zone: {exc}") from None
    try:
        rules = _live_rules(args, settings).rules
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise Usage(f"cannot read the rules: {exc}") from None
    store = SearchStore.from_settings(settings)
    return store, AlertIndex(store.backend, prefix=store.prefix), rules, zone


def parse_times(args, zone, now: datetime):
    from yuqing.report.query import parse_when

    try:
        since = parse_when(args.since, now, zone) if args.since else None
        until = parse_when(args.until, now, zone) if args.until else None
    except ValueError as exc:
        raise Usage(str(exc)) from None
    return since, until


def scope_from(args, rules):
    from yuqing.report.query import UnknownScope, resolve_scope

    ids = [i.strip() for i in (args.rules or "").split(",") if i.strip()]
    try:
        return resolve_scope(rules, topic=args.topic, rule_ids=ids, cluster=getattr(args, "cluster", None))
    except UnknownScope as exc:
        raise Usage(str(exc)) from None


def missing_index(store) -> str | None:
    """Why there is nothing to report on, or None."""
    if store.backend.index_exists(store.alias):
        return None
    return (f"the index {store.alias} does not exist: nothing has been indexed under the prefix "
            f"{store.prefix!r} (check SEARCH_URL and SEARCH_INDEX_PREFIX)")


def cmd_report(args) -> int:
    from yuqing.store.flavor import SearchUnavailable

    try:
        return _report(args)
    except Usage as exc:
        print(f"yuqing report: {exc}", file=sys.stderr)
        return 2
    except SearchUnavailable as exc:
        print(f"yuqing report: {exc}", file=sys.stderr)
        return 1


def _report(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    from yuqing.cluster.story import resolve_cluster
    from yuqing.report.build import TITLES, build_report, section_keys
    from yuqing.report.output import write_report
    from yuqing.report.query import Window, report_window

    if args.kind == "special" and bool(args.topic) == bool(args.cluster):
        raise Usage("a special report needs --topic TOPIC or --cluster ID (one of them)")
    if args.kind != "special" and args.cluster:
        raise Usage("--cluster is for special reports")
    if args.top < 1:
        raise Usage("--top must be at least 1")
    store, alert_index, rules, zone = open_context(args)
    now = datetime.now(timezone.utc)
    since, until = parse_times(args, zone, now)
    try:
        if args.kind == "special":
            until = until or now
            window = Window(since or until - timedelta(days=30), until, zone)
        else:
            window = report_window(args.kind, zone, now, since, until)
    except ValueError as exc:
        raise Usage(str(exc)) from None
    why = missing_index(store)
    if why:
        print(f"yuqing report: {why}; no report written", file=sys.stderr)
        return 1
    if args.cluster:
        # A story may be named by any of its documents, as `yuqing story` allows.
        cluster = resolve_cluster(store, args.cluster)
        if cluster is None:
            print(f"yuqing report: no story {args.cluster!r} in {store.alias}; no report written", file=sys.stderr)
            return 1
        args.cluster = cluster
    scope = scope_from(args, rules)
    keys = section_keys(args.kind, scope)
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(f"{args.kind} report on {store.alias}", total=len(keys) + 1)

        def advance(key: str) -> None:
            bar.update(task, advance=1, description=f"{args.kind} report: {TITLES[key]}")

        report = build_report(args.kind, store, alert_index, window, scope, rules, progress=advance, top=args.top)
        bar.update(task, description=f"{args.kind} report: writing {args.out}")
        paths = write_report(report, args.out)
        bar.advance(task)
    volume = report.figures["overview"]["volume"]
    if report.empty:
        console.print(f"no documents from {window.label()} ({scope.describe()}): the report says so", soft_wrap=True)
    else:
        console.print(f"{volume:,} documents from {window.label()} ({scope.describe()})", soft_wrap=True)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0
