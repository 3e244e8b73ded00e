"""Horizontal scaling: 1, 2 and 4 workers sharing the Redis queue.

The benchmark site answers every request after a fixed latency and each
worker fetches only a few pages at once, so a worker spends its time waiting
for the network, as crawlers of real sites do, and more workers should mean
proportionally more pages. Each worker sends its own user agent, so the
server log tells the workers apart: the rate is measured while all of them
are fetching (from the last worker's first article to the first worker's
last), and over the whole crawl for comparison.
"""

from __future__ import annotations

from benchmarks import rules
from benchmarks.common import (RUN_DIR, mib, read_stats, say, start, steady_rate, target, wait_measured,
                               worker_command, worker_environment)
from benchmarks.crawl import PREFIX, RULES, isolated_dirs
from benchmarks.site import BenchWeb

WORKERS = (1, 2, 4)
LATENCY_MS = 250
CONCURRENCY = 2
PAGES_PER_WORKER = 120
TARGETS = {2: 1.8, 4: 3.2}


def crawl(ctx, workers: int, work) -> dict:
    from yuqing.demo import seed
    from yuqing.store.search import SearchStore

    pages = PAGES_PER_WORKER * workers
    ctx.fresh_redis()
    SearchStore.from_url(ctx.search_url, prefix=PREFIX).drop()
    with BenchWeb(pages, latency_ms=LATENCY_MS) as web:
        seed(ctx.redis_url, web.url, {"news": ["/sitemap.xml"]})
        env = worker_environment(ctx, PREFIX, {"YUQING_RULES_FILE": str(rules.analyst_rules(RULES, work))})
        processes = []
        for n in range(workers):
            stats_file = work / f"worker-{workers}-{n}.json"
            settings = {"USER_AGENT": f"bench-worker-{n}", "CONCURRENT_REQUESTS": CONCURRENCY,
                        "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY, **isolated_dirs(work / f"w{n}")}
            processes.append((start(worker_command(("news",), stats_file, settings=settings), env=env,
                                    log=work / f"worker-{workers}-{n}.log"), stats_file))
        measured = [wait_measured(p, 600, work / f"worker-{workers}-{n}.log") for n, (p, _) in enumerate(processes)]
        log = web.arrivals()
    by_worker: dict[str, list[float]] = {}
    for entry in log:
        by_worker.setdefault(entry["ua"], []).append(entry["t"])
    if len(log) < pages or len(by_worker) < workers:
        raise RuntimeError(f"{workers} worker(s) fetched {len(log)} of {pages} pages, {len(by_worker)} of them "
                           f"fetched any; logs in {work}")
    begin = max(min(times) for times in by_worker.values())
    end = min(max(times) for times in by_worker.values())
    together = [e["t"] for e in log if begin <= e["t"] <= end]
    all_times = sorted(e["t"] for e in log)
    return {"workers": workers, "pages": len(log),
            "pages_per_second": (len(together) - 1) / (end - begin) if end > begin and len(together) > 10
            else steady_rate(all_times),
            "pages_per_second_whole_crawl": (len(all_times) - 1) / (all_times[-1] - all_times[0]),
            "seconds_all_fetching": end - begin,
            "last_worker_joined_after": begin - all_times[0],
            "pages_by_worker": sorted(len(t) for t in by_worker.values()),
            "indexed": sum(read_stats(f, "news").get("index/indexed", 0) for _, f in processes),
            "cpu_ms_per_page": sum(m.cpu for m in measured) / len(log) * 1000,
            "peak_rss_mib_per_worker": max(mib(m.max_rss) for m in measured)}


def run(ctx) -> dict:
    work = RUN_DIR / "scaling"
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for workers in WORKERS:
        say(f"scaling: {workers} worker(s), {PAGES_PER_WORKER * workers} pages at {LATENCY_MS} ms each")
        results[workers] = crawl(ctx, workers, work)
    one = results[1]["pages_per_second"]
    rows = [[r["workers"], f"{r['pages_per_second']:.1f}", f"{r['pages_per_second'] / one:.2f}",
             f"{r['pages_per_second'] / one / r['workers']:.0%}", f"{r['pages_per_second_whole_crawl']:.1f}",
             f"{r['last_worker_joined_after']:.1f}", f"{r['cpu_ms_per_page']:.1f}",
             f"{r['peak_rss_mib_per_worker']:.0f}"]
            for r in results.values()]
    return {
        "title": "Horizontal scaling: workers sharing one Redis queue (latency-bound)",
        "columns": ["workers", "pages/s (all fetching)", "speed-up", "efficiency", "pages/s (whole crawl)",
                    "last worker joined after s", "CPU ms/page", "peak RSS MiB/worker"],
        "rows": rows,
        "figures": {"by_workers": results, "latency_ms": LATENCY_MS, "concurrency_per_worker": CONCURRENCY},
        "targets": [target(f"{n} workers / 1 worker pages/s", results[n]["pages_per_second"] / one, ">=", goal)
                    for n, goal in TARGETS.items()],
        "notes": [f"Every response delayed {LATENCY_MS} ms; {CONCURRENCY} requests at once per worker (so at most "
                  f"{1000 / LATENCY_MS * CONCURRENCY:.0f} pages/s per worker); {PAGES_PER_WORKER} pages per worker; "
                  "the full pipeline with the crawl benchmark's rules, indexing into OpenSearch.",
                  "Speed-up and efficiency use the rate while all workers fetch; the whole-crawl rate also counts "
                  "the start, when workers that are still starting up have not joined yet."],
    }
