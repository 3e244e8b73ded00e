"""``yuqing accounts``: the platform account pool shared by workers (Redis).

    yuqing accounts add weibo --name alice --cookies cookies.json
    yuqing accounts list [PLATFORM]
    yuqing accounts disable weibo alice     (enable: bring it back)
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone


def register(subparsers) -> None:
    p = subparsers.add_parser("accounts", help="manage platform login accounts (cookies) used by workers")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add an account, or replace its cookies")
    add.add_argument("platform")
    add.add_argument("--name", required=True, help="a name for the account (e.g. the login)")
    add.add_argument("--cookies", required=True,
                     help="a file (JSON, cookies.txt) or a string 'name=value; name2=value2'")
    add.add_argument("--user-agent", help="default: a random desktop browser, kept for the account's life")
    add.add_argument("--budget", type=int, default=None, help="requests per hour (default: 300)")
    listing = sub.add_parser("list", help="show accounts, their state and use this hour")
    listing.add_argument("platform", nargs="?")
    listing.add_argument("--json", action="store_true", help="JSON instead of a table (cookies left out)")
    for action, text in (("disable", "stop using an account"), ("enable", "use a disabled or paused account again")):
        q = sub.add_parser(action, help=text)
        q.add_argument("platform")
        q.add_argument("name")
    p.set_defaults(func=run)


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if ts else ""


def run(args) -> int:
    import json

    import redis

    from crawlers.accounts import DEFAULT_BUDGET_PER_HOUR, AccountError, AccountPool, parse_cookies
    from yuqing.worker import project_settings

    url = args.redis_url or project_settings().get("REDIS_URL")
    if not url:
        print("yuqing accounts: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    pool = AccountPool.from_url(url)
    try:
        if args.action == "add":
            account = pool.add(args.platform, args.name, parse_cookies(args.cookies), args.user_agent,
                               args.budget or DEFAULT_BUDGET_PER_HOUR)
            print(f"{args.platform}/{account.name}: {len(account.cookies)} cookie(s), "
                  f"{account.budget_per_hour} requests/hour, user agent {account.user_agent}")
        elif args.action in ("disable", "enable"):
            pool.set_disabled(args.platform, args.name, args.action == "disable")
            print(f"{args.platform}/{args.name}: {args.action}d")
        elif args.json:
            print(json.dumps([{"platform": a.platform, "name": a.name, "state": a.state,
                               "pause_reason": a.pause_reason, "paused_until": _when(a.paused_until) or None,
                               "used_this_hour": a.used_this_hour, "budget_per_hour": a.budget_per_hour,
                               "cookies": len(a.cookies), "user_agent": a.user_agent}
                              for a in pool.list(args.platform)], ensure_ascii=False, indent=1))
        else:
            _table(pool.list(args.platform))
    except AccountError as exc:
        print(f"yuqing accounts: {exc}", file=sys.stderr)
        return 1
    except redis.RedisError as exc:
        print(f"yuqing accounts: Redis at {url}: {exc}", file=sys.stderr)
        return 1
    return 0


def _table(accounts) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="accounts")
    for column in ("platform", "name", "state", "why paused", "until", "used/hour", "cookies", "user agent"):
        table.add_column(column)
    styles = {"active": "green", "paused": "yellow", "disabled": "red"}
    for a in accounts:
        paused = a.state == "paused"
        table.add_row(a.platform, a.name, f"[{styles[a.state]}]{a.state}[/]", a.pause_reason if paused else "",
                      _when(a.paused_until) if paused else "", f"{a.used_this_hour}/{a.budget_per_hour}",
                      str(len(a.cookies)), a.user_agent[:60])
    Console().print(table)
