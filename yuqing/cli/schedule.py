"""``yuqing schedule``: seed the sources of the sources file on time, 7x24.

Run one or more replicas (any host) against the same Redis: each due run is
seeded once. ``--once`` fires what is due now and exits (for cron, or to test
a sources file); ``--check`` only validates the file.
"""

from __future__ import annotations

import logging
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("schedule", help="seed the configured sources on time (7x24 scheduler)")
    p.add_argument("--sources", help="sources YAML file (default: SOURCES_FILE / YUQING_SOURCES)")
    p.add_argument("--once", action="store_true", help="fire the jobs due now, then exit")
    p.add_argument("--check", action="store_true", help="only check the sources file")
    p.add_argument("--redis-url", help="default: REDIS_URL")
    p.set_defaults(func=run)


def run(args) -> int:
    import redis

    from yuqing.schedule import JobScheduler, load_project_sources
    from yuqing.sources import SourcesError
    from yuqing.worker import project_settings

    settings = project_settings()
    path = args.sources or settings.get("SOURCES_FILE")
    try:
        sources, spiders = load_project_sources(path, settings)
    except SourcesError as exc:
        print(f"yuqing schedule: {exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{path}: {len(sources)} source(s) OK")
        return 0
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        print("yuqing schedule: no Redis: set REDIS_URL or pass --redis-url", file=sys.stderr)
        return 2
    # Its progress (what it seeded, skipped) is the point of running it: show it without -v.
    if logging.getLogger().level > logging.INFO:
        logging.getLogger("yuqing.schedule").setLevel(logging.INFO)
    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
    try:
        scheduler = JobScheduler(client, settings, sources, spiders)
        if args.once:
            for outcome in scheduler.tick():
                print(f"{outcome.source}\t{outcome.action}\t{outcome.seeds} seed(s)\tslot {outcome.slot}")
            return 0
        scheduler.install_signal_handlers()
        scheduler.run(path, lambda: load_project_sources(path, settings)[0])
    except redis.RedisError as exc:
        print(f"yuqing schedule: Redis at {url}: {exc}", file=sys.stderr)
        return 1
    return 0
