"""Crawl throughput per worker: our full pipeline vs bare Scrapy vs news-please.

All three crawl the same benchmark site (``benchmarks/site.py``: the sitemap
and its article pages) with the same concurrency (16 requests, 4 per domain,
our news spider's setting), one process each, one after the other:

- **yuqing**: one ``yuqing worker news`` on the shared Redis queue: fetch,
  extract, normalize, dedupe, enrich, match 1,000 analyst rules, alerts, bulk
  index into OpenSearch (every pipeline in ``settings/pipelines.py`` that is
  configured; the archive needs MongoDB and is off);
- **bare Scrapy**: ``benchmarks/bare_spider.py``, the pages fetched and their
  ``<title>`` read;
- **news-please**: its ``SitemapCrawler`` (newspaper4k, readability, date and
  language extractors) storing HTML and JSON files, from its own virtualenv.

Pages/second is measured at the server over the middle 80 % of article
requests (start-up and the final drain left out); CPU seconds and peak RSS are
the process's own (``wait4``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks import rules
from benchmarks.common import (RUN_DIR, Measured, baseline_python, mib, read_stats, run_measured, say,
                               steady_rate, target, worker_command, worker_environment)
from benchmarks.site import BenchWeb
from yuqing.testweb.content.news import ARTICLES

PAGES = 800
RULES = 1_000
PREFIX = "bench-crawl"
TARGET_VS_BARE = 0.5
TARGET_VS_NEWSPLEASE = 2.0


def run_yuqing(ctx, web: BenchWeb, work: Path, rules_file: Path) -> tuple[Measured, dict]:
    """One worker's crawl of the site with the whole pipeline, on the Redis as
    the caller left it: the worker's rusage and final stats."""
    from yuqing.demo import seed
    from yuqing.store.search import SearchStore

    SearchStore.from_url(ctx.search_url, prefix=PREFIX).drop()
    seed(ctx.redis_url, web.url, {"news": ["/sitemap.xml"]})
    env = worker_environment(ctx, PREFIX, {"YUQING_RULES_FILE": str(rules_file)})
    stats_file = work / "yuqing-stats.json"
    settings = {"USER_AGENT": "bench-yuqing", **isolated_dirs(work)}
    measured = run_measured(worker_command(("news",), stats_file, settings=settings), env=env,
                            log=work / "yuqing.log", timeout=600)
    return measured, read_stats(stats_file, "news")


def isolated_dirs(work: Path) -> dict[str, str]:
    """Spool and dead-letter directories of the benchmark's own, not the repository's."""
    return {"SPOOL_DIR": str(work / "spool"), "BULK_INDEXER_DEADLETTER_DIR": str(work / "deadletter")}


def run_bare(web: BenchWeb, work: Path) -> Measured:
    return run_measured([sys.executable, "-m", "benchmarks.bare_spider", web.url + "/sitemap.xml",
                         "--user-agent", "bench-bare"], log=work / "bare.log", timeout=300)


def run_newsplease(web: BenchWeb, work: Path) -> tuple[Measured, dict]:
    python = baseline_python()
    where = "import newsplease, os; print(os.path.dirname(newsplease.__file__))"
    package = Path(subprocess.run([str(python), "-c", where], capture_output=True, text=True,
                                  check=True).stdout.strip())
    data = work / "newsplease"
    shutil.rmtree(data, ignore_errors=True)
    config = newsplease_config((package / "config" / "config.cfg").read_text(encoding="utf-8"), data)
    (work / "newsplease.cfg").write_text(config, encoding="utf-8")
    # Every sitemap page is an article: the heuristics that guess it are left out.
    (work / "sitelist.hjson").write_text(
        '{"base_urls": [{"url": "%s/", "crawler": "SitemapCrawler",'
        ' "overwrite_heuristics": {"crawler_contains_only_article_alikes": true},'
        ' "pass_heuristics_condition": "crawler_contains_only_article_alikes"}]}\n' % web.url, encoding="utf-8")
    measured = run_measured([str(python), "-m", "newsplease.single_crawler", str(work / "newsplease.cfg"),
                             str(work / "sitelist.hjson"), "0", "False", "False"], log=work / "newsplease.log",
                            timeout=600)
    stored = [json.loads(path.read_text(encoding="utf-8")) for path in (data / "data").rglob("*.json")]
    return measured, {"stored": len(stored),
                      "with_text": sum(1 for a in stored if a.get("maintext") not in (None, "", "None"))}


def newsplease_config(default: str, data: Path) -> str:
    """news-please's own config.cfg with our concurrency and a local data directory."""
    replacements = {
        "working_path": f"{data}/",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
        "USER_AGENT": "'bench-news-please'",
        "LOG_LEVEL": "INFO",
    }
    for name, value in replacements.items():
        default, found = re.subn(rf"(?m)^{name}\s*=.*$", f"{name} = {value}", default)
        if not found:
            raise ValueError(f"news-please's config.cfg has no {name}: another version?")
    # Its offsite filter takes the site's "host:port" as a domain and filters
    # every page of a site on a port; the benchmark site is only that site.
    offsite_off = "DOWNLOADER_MIDDLEWARES = {'scrapy.downloadermiddlewares.offsite.OffsiteMiddleware': None}"
    return default.replace("[Scrapy]\n", f"[Scrapy]\nTELNETCONSOLE_ENABLED = False\n{offsite_off}\n", 1)


def stage_costs(pages: int = 200) -> dict[str, float]:
    """CPU ms per page of each stage of our pipeline, in this process, on the same pages."""
    from scrapy.http import HtmlResponse, Request

    from benchmarks import site
    from crawlers.parsers.base import Page
    from crawlers.parsers.news import NewsParser
    from pipelines.normalize import NormalizePipeline
    from yuqing.enrich import Enricher
    from yuqing.rules import Matcher, RuleSet
    from yuqing.store.search import SearchStore
    from yuqing.testweb import news_site

    class _Stats:
        def inc_value(self, *args, **kwargs) -> None:
            pass

    served = [(f"http://bench.example{site.article(n).path}", news_site.article_response(site.article(n)))
              for n in range(1, pages + 1)]
    responses = [HtmlResponse(url, body=r.body, headers={"Content-Type": r.content_type}, request=Request(url))
                 for url, r in served]
    parser, normalize, enricher = NewsParser(), NormalizePipeline(_Stats(), "Asia/Shanghai"), Enricher()
    matcher = Matcher(RuleSet.load(rules.analyst_rules(RULES, RUN_DIR / "crawl")).rules)
    store = SearchStore(backend=None)
    store.to_source({"title": "预热", "content": "预热"})  # jieba's dictionary loads outside the timing
    costs: dict[str, float] = {}

    def timed(stage: str, function, items: list) -> list:
        started = time.process_time()
        out = [function(item) for item in items]
        costs[stage] = (time.process_time() - started) / len(items) * 1000
        return out

    docs = timed("extract", lambda r: parser.parse(Page.from_response(r), "article").documents[0], responses)
    docs = timed("normalize", normalize.normalize, docs)
    timed("enrich", lambda d: enricher.enrich({"title": d.title, "content": d.content, "lang": d.lang}), docs)
    timed("rules", lambda d: matcher.match(asdict(d)), docs)
    timed("index _source", lambda d: store.to_source(asdict(d)), docs)
    return costs


def _yuqing(ctx, web: BenchWeb, work: Path) -> tuple[Measured, dict]:
    ctx.fresh_redis()
    measured, stats = run_yuqing(ctx, web, work, rules.analyst_rules(RULES, work))
    return measured, {"indexed": stats.get("index/indexed", 0),
                      "matched_documents": stats.get("rules/matched_documents", 0)}


def run(ctx) -> dict:
    work = RUN_DIR / "crawl"
    work.mkdir(parents=True, exist_ok=True)
    baseline_python()  # installed, and services started, before anything is timed
    ctx.up(("redis", "opensearch"))
    results: dict[str, dict] = {}
    with BenchWeb(PAGES) as web:
        page_bytes = sum(len(web.respond(path, web.url).body) for path in
                         (u[len(web.url):] for u in web.article_urls())) / PAGES
        contenders = {"bare Scrapy": lambda: (run_bare(web, work), {}), "yuqing": lambda: _yuqing(ctx, web, work),
                      "news-please": lambda: run_newsplease(web, work)}
        for name, crawl in contenders.items():
            say(f"crawl: {name}, {PAGES} pages")
            web.stats.reset()
            measured, extra = crawl()
            times = [e["t"] for e in web.arrivals()]
            results[name] = {"pages": len(times), "pages_per_second": steady_rate(times), "cpu_seconds": measured.cpu,
                             "cpu_ms_per_page": measured.cpu / max(1, len(times)) * 1000,
                             "peak_rss_mib": mib(measured.max_rss), "wall_seconds": measured.wall,
                             "returncode": measured.returncode, **extra}
            if measured.returncode != 0 or len(times) < PAGES:
                raise RuntimeError(f"{name} fetched {len(times)} of {PAGES} pages (exit {measured.returncode}); "
                                   f"logs in {work}")
    say("crawl: CPU per stage of our pipeline")
    stages = stage_costs()
    ours, bare, newsplease = results["yuqing"], results["bare Scrapy"], results["news-please"]
    rows = [[name, f"{r['pages_per_second']:.1f}", f"{r['pages_per_second'] / ours['pages_per_second']:.2f}",
             f"{r['cpu_ms_per_page']:.1f}", f"{r['peak_rss_mib']:.0f}", r["pages"], f"{r['wall_seconds']:.1f}"]
            for name, r in results.items()]
    return {
        "title": "Crawl throughput per worker: full pipeline vs bare Scrapy vs news-please",
        "columns": ["crawler", "pages/s", "vs yuqing", "CPU ms/page", "peak RSS MiB", "pages", "wall s"],
        "rows": rows,
        "figures": {"contenders": results, "mean_page_bytes": page_bytes, "our_stage_cpu_ms_per_page": stages},
        "targets": [
            target("yuqing / bare Scrapy pages/s", ours["pages_per_second"] / bare["pages_per_second"], ">=",
                   TARGET_VS_BARE),
            target("yuqing / news-please pages/s", ours["pages_per_second"] / newsplease["pages_per_second"], ">=",
                   TARGET_VS_NEWSPLEASE),
        ],
        "notes": [
            f"{PAGES} article pages of {page_bytes / 1024:.1f} KiB on average (the test web's {len(ARTICLES)} "
            "article templates, UTF-8 and GBK), served on loopback with no added latency, so every crawler is "
            "CPU-bound.",
            f"yuqing indexed {ours.get('indexed', 0)} documents, {ours.get('matched_documents', 0)} matched at least "
            f"one of {RULES:,} rules; news-please stored {newsplease['stored']} articles, "
            f"{newsplease['with_text']} of them with a main text.",
            f"CPU seconds per page include each process's start-up (imports, models): yuqing "
            f"{ours['cpu_seconds']:.1f} s, bare Scrapy {bare['cpu_seconds']:.1f} s, news-please "
            f"{newsplease['cpu_seconds']:.1f} s in all.",
            "Where a page's CPU goes in our pipeline (ms, in-process on 200 of the pages): "
            + ", ".join(f"{stage} {ms:.2f}" for stage, ms in stages.items())
            + f"; fetching and Scrapy itself cost about what bare Scrapy spends ({bare['cpu_ms_per_page']:.1f}).",
        ],
    }
