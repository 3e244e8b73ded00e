"""``yuqing services up|down|status``: the local Redis / OpenSearch / FerretDB."""

from __future__ import annotations

import json
import os
import sys

DEFAULT_STATE_DIR = ".run/services"


def register(subparsers) -> None:
    p = subparsers.add_parser("services", help="start/stop local Redis, OpenSearch and FerretDB on loopback")
    p.add_argument("--state-dir", default=os.environ.get("YUQING_SERVICES_DIR", DEFAULT_STATE_DIR),
                   help="where pids, logs and data live (default: %(default)s)")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    sub = p.add_subparsers(dest="services_command", metavar="ACTION")

    up = sub.add_parser("up", help="start services (kept running until `services down`)")
    up.add_argument("--only", default="redis,opensearch",
                    help="comma-separated: redis, opensearch, ferretdb (default: %(default)s)")
    up.add_argument("--fresh", action="store_true", help="delete their old data first")
    up.add_argument("--json", action="store_true", help="print the URL variables and services as JSON")
    up.set_defaults(func=run_up)

    down = sub.add_parser("down", help="stop what `services up` started")
    down.add_argument("--purge", action="store_true", help="also delete their data")
    down.set_defaults(func=run_down)

    status = sub.add_parser("status", help="show what runs where")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=run_status)


def _manager(args):
    from yuqing.services.manager import ServiceManager

    return ServiceManager(args.state_dir)


def run_up(args) -> int:
    from rich.console import Console

    from yuqing.services.base import ServiceError

    console = Console(stderr=True)
    manager = _manager(args)
    try:
        with console.status(f"starting {args.only} (OpenSearch takes ~10-60 s)..."):
            env = manager.up(args.only, keep=True, fresh=args.fresh)
    except ServiceError as exc:
        console.print(f"[red]services up failed:[/] {exc}")
        return 1
    if args.json:
        json.dump({"env": env, "services": manager.status()}, sys.stdout, indent=2)
        print()
        return 0
    _print_table(manager.status())
    for key, value in env.items():
        print(f"export {key}={value}")
    return 0


def run_down(args) -> int:
    from rich.console import Console

    from yuqing.services.base import ServiceError

    console = Console(stderr=True)
    try:
        stopped = _manager(args).down(purge=args.purge)
    except ServiceError as exc:
        console.print(f"[red]services down failed:[/] {exc}")
        return 1
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    return 0


def run_status(args) -> int:
    rows = _manager(args).status()
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        _print_table(rows)
    # Exit 0 only when everything listed answers: usable in scripts.
    return 0 if rows and all(row["alive"] for row in rows) else 1


def _print_table(rows) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="yuqing services")
    for column in ("service", "state", "pid", "url", "memory"):
        table.add_column(column, justify="right" if column in ("pid", "memory") else "left")
    for row in rows:
        state = "[green]alive[/]" if row["alive"] else "[red]dead[/]"
        if row["external"]:
            state += " (external)"
        memory = f"{row['rss_bytes'] / 2**20:.0f} MiB" if row.get("rss_bytes") else ""
        table.add_row(row["name"], state, str(row["pid"] or ""), row["url"] or "", memory)
    if not rows:
        table.caption = "nothing started: yuqing services up"
    Console().print(table)
