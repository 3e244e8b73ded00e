"""``yuqing worker``: run spiders as a worker of the shared queue."""

from __future__ import annotations

import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("worker", help="run a crawl worker (one process, one or more spiders)")
    p.add_argument("spiders", nargs="*", help="spider names (default: all)")
    p.add_argument("--max-idle", type=int, help="close after this many idle seconds (default: never)")
    p.add_argument("--stats-file", help="write the final crawl stats here as JSON")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a Scrapy setting")
    p.set_defaults(func=run)


def run(args) -> int:
    from scrapy.spiderloader import SpiderLoader

    from yuqing.worker import project_settings, run_worker

    overrides = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"yuqing worker: --set needs NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        overrides[name] = value
    if args.max_idle is not None:
        overrides["MAX_IDLE_TIME_BEFORE_CLOSE"] = args.max_idle
    known = SpiderLoader.from_settings(project_settings()).list()
    spiders = args.spiders or known
    unknown = [s for s in spiders if s not in known]
    if unknown:
        print(f"yuqing worker: unknown spider(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    run_worker(spiders, overrides, args.stats_file)
    return 0
