"""``yuqing proxies add|list|remove``: the shared proxy pool in Redis
(crawlers/middlewares/proxies.py)."""

from __future__ import annotations

import sys
import time
from urllib.parse import urlsplit


def register(subparsers) -> None:
    p = subparsers.add_parser("proxies", help="manage the shared proxy pool")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add proxies (http://[user:pass@]host:port)")
    add.add_argument("urls", nargs="+")
    actions.add_parser("list", help="show every proxy with its health")
    remove = actions.add_parser("remove", help="remove proxies")
    remove.add_argument("urls", nargs="+")
    p.set_defaults(func=run)


def run(args) -> int:
    import redis

    from crawlers.middlewares.proxies import add_proxies, list_proxies, remove_proxies
    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print("yuqing proxies: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    key = settings.get("PROXY_POOL_KEY")
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
    try:
        if args.action == "add":
            bad = [u for u in args.urls if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).port]
            if bad:
                print(f"yuqing proxies: not a proxy URL (http(s)://host:port): {bad[0]}", file=sys.stderr)
                return 2
            print(f"added {add_proxies(client, key, args.urls)} proxy(ies)")
        elif args.action == "remove":
            print(f"removed {remove_proxies(client, key, args.urls)} proxy(ies)")
        else:
            now = time.time()
            proxies = list_proxies(client, key)
            if not proxies:
                print(f"no proxies in {key}")
            for proxy in proxies:
                state = "ready" if proxy.ready_at <= now else f"resting {proxy.ready_at - now:.0f}s"
                print(f"{proxy.url}\t{state}\tfailures={proxy.failures}\thealth={proxy.health:.2f}")
    except redis.RedisError as exc:
        print(f"yuqing proxies: Redis at {url}: {exc}", file=sys.stderr)
        return 1
    return 0
