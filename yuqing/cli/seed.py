"""``yuqing seed SPIDER [URL...] [--keyword K] [--account A]``: push start
requests (JSON) to the shared queue.

Keyword and account seeds become URLs through the spider's ``search_url`` /
``account_url`` classmethods; their page kind is the spider's ``search_kind``
/ ``account_kind`` when it names one, else the spider decides (its
``seed_kind``, or the kind its URL shows).
"""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("seed", help="push seed URLs for a spider to the shared Redis queue")
    p.add_argument("spider")
    p.add_argument("urls", nargs="*")
    p.add_argument("--keyword", "-k", action="append", default=[], metavar="K",
                   help="seed the spider's search for K (repeatable)")
    p.add_argument("--account", "-a", action="append", default=[], metavar="A",
                   help="seed account / channel / board A (repeatable)")
    p.add_argument("--kind", help="page kind of the seeds (default: the spider's)")
    p.add_argument("--fresh", action="store_true",
                   help="forget the URLs this spider has seen, so a re-crawl fetches them again")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    p.set_defaults(func=run)


def seed_key(settings, spider: str) -> str:
    return settings.get("REDIS_START_URLS_KEY") % {"name": spider}


def push_seeds(redis_client, settings, spider: str, urls: list[str], kind: str | None = None,
               fresh: bool = False) -> int:
    from crawlers.dupefilter import clear_dupefilter, dupefilter_key

    if fresh:
        clear_dupefilter(redis_client, dupefilter_key(settings, spider))
    payloads = [json.dumps({"url": url, **({"kind": kind} if kind else {})}) for url in urls]
    return redis_client.rpush(seed_key(settings, spider), *payloads)


def seed_urls(spider_cls, keywords: list[str], accounts: list[str]) -> list[tuple[str, str | None]]:
    """``(url, kind)`` seeds for keywords and accounts; ValueError when the
    spider cannot be seeded that way or refuses a value."""
    seeds: list[tuple[str, str | None]] = []
    for values, method, kind_attr, what in ((keywords, "search_url", "search_kind", "keyword"),
                                            (accounts, "account_url", "account_kind", "account")):
        if not values:
            continue
        build = getattr(spider_cls, method, None)
        if build is None:
            raise ValueError(f"spider {spider_cls.name!r} cannot be seeded by {what} (it has no {method})")
        kind = getattr(spider_cls, kind_attr, None)
        seeds += [(build(value), kind) for value in values]
    return seeds


def run(args) -> int:
    import redis
    from scrapy.spiderloader import SpiderLoader

    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print("yuqing seed: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    loader = SpiderLoader.from_settings(settings)
    known = loader.list()
    if args.spider not in known:
        print(f"yuqing seed: unknown spider {args.spider!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    if not (args.urls or args.keyword or args.account):
        print("yuqing seed: give URLs, --keyword or --account", file=sys.stderr)
        return 2
    bad = [u for u in args.urls if not u.startswith(("http://", "https://"))]
    if bad:
        print(f"yuqing seed: not an http(s) URL: {bad[0]}", file=sys.stderr)
        return 2
    try:
        built = seed_urls(loader.load(args.spider), args.keyword, args.account)
    except ValueError as exc:
        print(f"yuqing seed: {exc}", file=sys.stderr)
        return 2
    groups: dict[str | None, list[str]] = {args.kind: list(args.urls)} if args.urls else {}
    for seed_url, kind in built:
        groups.setdefault(args.kind or kind, []).append(seed_url)
    client = redis.Redis.from_url(url)
    try:
        for n, (kind, urls) in enumerate(groups.items()):
            length = push_seeds(client, settings, args.spider, urls, kind, args.fresh and n == 0)
    except redis.RedisError as exc:
        print(f"yuqing seed: Redis at {url}: {exc}", file=sys.stderr)
        return 1
    total = sum(len(urls) for urls in groups.values())
    print(f"queued {total} seed(s) for {args.spider}; {length} waiting")
    for seed_url, _ in built:
        print(f"  {seed_url}")
    return 0
