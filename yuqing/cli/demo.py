"""``yuqing demo``: the main job on the embedded default (see yuqing/demo.py)."""

from __future__ import annotations

import sys

SAMPLE_QUERIES = ("极光汽车 召回", "battery recall")


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="crawl the local test web with two workers into a local OpenSearch")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--keep", action="store_true", help="leave services and the test web running afterwards")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    from yuqing import demo
    from yuqing.services.manager import ServiceManager
    from yuqing.store.search import SearchStore
    from yuqing.testweb import serve

    console = Console()
    manager = ServiceManager()
    with console.status("starting Redis and OpenSearch (first start takes a minute)..."):
        urls = manager.up(("redis", "opensearch"))
    web = serve()
    console.print(f"[bold]services[/] redis {urls['REDIS_URL']}  search {urls['SEARCH_URL']}  test web {web.url}")
    store = SearchStore.from_url(urls["SEARCH_URL"], prefix="yuqing")
    try:
        store.drop()
        with console.status("crawling with %d workers..." % args.workers) as status:
            report = demo.crawl_site(web.url, urls["REDIS_URL"], urls["SEARCH_URL"], workers=args.workers,
                                     extra_env={"YUQING_RULES_FILE": demo.EXAMPLE_RULES},
                                     progress=lambda s: status.update(f"crawling with {args.workers} workers... {s:.0f}s"))
        breakdown = demo.index_breakdown(store)
        summary = Table(title=f"crawl finished in {report.seconds:.1f}s with {report.workers} workers")
        summary.add_column("figure")
        summary.add_column("value", justify="right")
        summary.add_row("pages fetched", str(report.total("downloader/response_count")))
        summary.add_row("documents indexed", str(report.total("index/indexed")))
        summary.add_row("documents in index", str(store.count()))
        for key, value in sorted(report.totals_with_prefix("fetch/error/").items()):
            summary.add_row(key, str(value))
        for key, value in sorted(report.totals_with_prefix("parse/error/").items()):
            summary.add_row(key, str(value))
        summary.add_row("index failures", str(report.total("index/failed")))
        summary.add_row("alerts created / updated",
                        f"{report.total('alerts/created')} / {report.total('alerts/updated')}")
        for dimension in ("platform", "channel", "lang", "sentiment", "rule"):
            for key, value in breakdown.get(dimension, {}).items():
                summary.add_row(f"{dimension}={key}", str(value))
        console.print(summary)
        for query in SAMPLE_QUERIES:
            hits = store.search(query, size=3)
            table = Table(title=f"top hits for {query!r}")
            table.add_column("score", justify="right")
            table.add_column("title")
            table.add_column("url", overflow="fold")
            for hit in hits:
                table.add_row(f"{hit['score']:.2f}", hit.get("title") or hit.get("content", "")[:50], hit["url"])
            console.print(table)
        failed = [rc for rc in report.returncodes if rc != 0]
        if failed:
            console.print(f"[red]{len(failed)} worker(s) exited with an error; see .run/crawl/worker-*.log[/]")
            return 1
    finally:
        if args.keep:
            console.print(f"services kept running: REDIS_URL={urls['REDIS_URL']} SEARCH_URL={urls['SEARCH_URL']}\n"
                          f"test web: {web.url} (stops with this process; press Ctrl-C)\n"
                          "try: SEARCH_URL=... .venv/bin/yuqing search '极光汽车'; stop with `yuqing services down`")
        else:
            web.stop()
            manager.down()
    if args.keep:
        try:
            import time
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            web.stop()
    return 0
