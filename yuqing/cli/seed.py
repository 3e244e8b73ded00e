"""``yuqing seed SPIDER URL...``: push start requests (JSON) to the shared queue."""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("seed", help="push seed URLs for a spider to the shared Redis queue")
    p.add_argument("spider")
    p.add_argument("urls", nargs="+")
    p.add_argument("--kind", help="page kind of the seeds (default: the spider's)")
    p.add_argument("--fresh", action="store_true",
                   help="forget the URLs this spider has seen, so a re-crawl fetches them again")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    p.set_defaults(func=run)


def seed_key(settings, spider: str) -> str:
    return settings.get("REDIS_START_URLS_KEY") % {"name": spider}


def push_seeds(redis_client, settings, spider: str, urls: list[str], kind: str | None = None,
               fresh: bool = False) -> int:
    from crawlers.dupefilter import dupefilter_key

    if fresh:
        redis_client.delete(dupefilter_key(settings, spider))
    payloads = [json.dumps({"url": url, **({"kind": kind} if kind else {})}) for url in urls]
    return redis_client.rpush(seed_key(settings, spider), *payloads)


def run(args) -> int:
    import redis
    from scrapy.spiderloader import SpiderLoader

    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print("yuqing seed: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    known = SpiderLoader.from_settings(settings).list()
    if args.spider not in known:
        print(f"yuqing seed: unknown spider {args.spider!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    bad = [u for u in args.urls if not u.startswith(("http://", "https://"))]
    if bad:
        print(f"yuqing seed: not an http(s) URL: {bad[0]}", file=sys.stderr)
        return 2
    try:
        length = push_seeds(redis.Redis.from_url(url), settings, args.spider, args.urls, args.kind, args.fresh)
    except redis.RedisError as exc:
        print(f"yuqing seed: Redis at {url}: {exc}", file=sys.stderr)
        return 1
    print(f"queued {len(args.urls)} seed(s) for {args.spider}; {length} waiting")
    return 0
