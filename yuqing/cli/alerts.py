"""``yuqing alerts``: the incident workflow, and the delivery process.

    yuqing alerts list [--state open --state acknowledged] [--json]
    yuqing alerts show ID          # the whole alert, as JSON
    yuqing alerts ack ID
    yuqing alerts respond ID --note "已联系品牌方公关, 官方声明已发布"
    yuqing alerts close ID
    yuqing alerts deliver          # run as a service: webhooks + <prefix>-alerts

Each alert keeps when its first document was fetched (detected), when it was
acknowledged and responded to: ``list`` reports the mean detection delay
(publish -> detection) and the MTTR (detection -> response) of what it shows.
Exit codes: 0 success, 1 no such alert, a step backwards (closing twice) or
Redis unreachable, 2 no Redis configured or bad arguments.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading

from redis import RedisError

from yuqing.alerts.model import ACTIONS, STATES

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser("alerts", help="alerts: list, show, ack, respond, close, deliver",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=lambda args: _usage(parser))
    commands = parser.add_subparsers(dest="alerts_command", metavar="SUBCOMMAND")

    listing = commands.add_parser("list", help="alerts, newest first")
    listing.add_argument("--state", action="append", choices=STATES, help="only these states (repeatable)")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="one alert per line, as stored")
    listing.set_defaults(func=cmd_list)

    show = commands.add_parser("show", help="one alert, as stored (JSON)")
    show.add_argument("id")
    show.set_defaults(func=cmd_show)

    for action, help_text in (("ack", "acknowledge: someone is on it"),
                              ("respond", "record the response (a note is required)"),
                              ("close", "close the incident")):
        command = commands.add_parser(action, help=help_text)
        command.add_argument("id")
        if action == "respond":
            command.add_argument("--note", required=True, help="what was done")
        command.set_defaults(func=cmd_transition, action=action)

    deliver = commands.add_parser("deliver", help="send alert events to the webhooks and the alerts index")
    deliver.add_argument("--search-url", help="default: SEARCH_URL; without one the index is not written")
    deliver.set_defaults(func=cmd_deliver)

    for command in (listing, show, deliver, *(commands.choices[a] for a in ACTIONS)):
        command.add_argument("--redis-url", help="default: REDIS_URL")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _context(args):
    """(settings, AlertsConfig, Redis client) or None after printing why."""
    import redis

    from yuqing.alerts.config import AlertsConfig
    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print(f"yuqing alerts {args.alerts_command}: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return None
    try:
        config = AlertsConfig.from_settings(settings)
    except ValueError as exc:
        print(f"yuqing alerts {args.alerts_command}: {exc}", file=sys.stderr)
        return None
    return settings, config, redis.Redis.from_url(url)


def cmd_list(args) -> int:
    from yuqing.alerts.book import AlertBook

    context = _context(args)
    if context is None:
        return 2
    _, config, client = context
    try:
        alerts = AlertBook(client, config).list(args.state, args.limit)
    except RedisError as exc:
        return _unreachable(args, exc)
    if args.json:
        for alert in alerts:
            print(json.dumps(alert, ensure_ascii=False))
        return 0
    _print_table(alerts, args.state)
    return 0


def _print_table(alerts: list[dict], states: list[str] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from yuqing.alerts.grading import GRADE_NAMES, GRADE_SYMBOLS

    colors = {"I": "bold red", "II": "red", "III": "yellow", "IV": "cyan"}
    table = Table(title=f"{len(alerts)} alert(s)" + (f" ({', '.join(states)})" if states else ""))
    for column in ("id", "grade", "state", "rule", "count", "first document", "detected", "responded"):
        table.add_column(column, overflow="fold")
    for a in alerts:
        grade = a["grade"]
        table.add_row(a["id"], f"[{colors[grade]}]{GRADE_SYMBOLS[grade]} {GRADE_NAMES[grade]}[/]", a["state"],
                      a["rule"]["name"], str(a["count"]),
                      f"{a['first_document']['title']}\n[dim]{a['first_document']['url']}[/dim]",
                      a["detected_at"], a.get("responded_at") or "")
    console = Console()
    console.print(table)
    delays = [a["detection_delay_s"] for a in alerts if a.get("detection_delay_s") is not None]
    responses = [a["time_to_respond_s"] for a in alerts if a.get("time_to_respond_s") is not None]
    if delays:
        console.print(f"mean detection delay (publish -> detection): {_span(sum(delays) / len(delays))} "
                      f"over {len(delays)} alert(s)")
    if responses:
        console.print(f"MTTR (detection -> response): {_span(sum(responses) / len(responses))} "
                      f"over {len(responses)} responded alert(s)")


def _span(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s"


def cmd_show(args) -> int:
    from yuqing.alerts.book import AlertBook

    context = _context(args)
    if context is None:
        return 2
    _, config, client = context
    try:
        alert = AlertBook(client, config).get(args.id)
    except RedisError as exc:
        return _unreachable(args, exc)
    if alert is None:
        print(_not_found("show", args.id, config), file=sys.stderr)
        return 1
    print(json.dumps(alert, ensure_ascii=False, indent=2))
    return 0


def _unreachable(args, exc) -> int:
    print(f"yuqing alerts {args.alerts_command}: Redis: {exc}", file=sys.stderr)
    return 1


def _not_found(command: str, alert_id: str, config) -> str:
    return (f"yuqing alerts {command}: no alert {alert_id!r} (alerts leave Redis "
            f"{_span(config.retention)} after their last change; the alerts index keeps them)")


def cmd_transition(args) -> int:
    from yuqing.alerts.book import AlertBook, AlertNotFound
    from yuqing.alerts.model import TransitionError

    context = _context(args)
    if context is None:
        return 2
    _, config, client = context
    try:
        alert = AlertBook(client, config).transition(args.id, args.action, getattr(args, "note", None))
    except AlertNotFound:
        print(_not_found(args.action, args.id, config), file=sys.stderr)
        return 1
    except TransitionError as exc:
        print(f"yuqing alerts {args.action}: {exc}", file=sys.stderr)
        return 1
    except RedisError as exc:
        return _unreachable(args, exc)
    print(f"alert {alert['id']} {alert['state']} at {alert['updated_at']}")
    return 0


def cmd_deliver(args) -> int:
    from yuqing.alerts.delivery import Deliverer
    from yuqing.store.alerts import AlertIndex

    context = _context(args)
    if context is None:
        return 2
    settings, config, client = context
    if args.search_url:
        settings.set("SEARCH_URL", args.search_url, priority="cmdline")
    # A service: say what it sends even at the CLI's default log level.
    logging.getLogger("yuqing.alerts").setLevel(logging.INFO)
    index = AlertIndex.from_settings(settings) if settings.get("SEARCH_URL") else None
    if index is None:
        logger.warning("no SEARCH_URL: alerts are not written to the alerts index")
    if not config.webhooks:
        logger.warning("ALERTS_WEBHOOKS is empty: no webhook is sent")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    deliverer = Deliverer(client, config, index).start()
    while not stop.wait(1.0):
        pass
    deliverer.stop()
    print(json.dumps(dict(deliverer.stats), sort_keys=True), file=sys.stderr)
    return 0
