"""Browser rendering: pages/second and Chromium's memory with resource
blocking on and off, at 1, 4 and 8 pages at once.

scrapy-playwright drives Debian's Chromium with the project's launch options
(``settings/browser.py``); "blocking on" is the project's
``PLAYWRIGHT_ABORT_REQUEST`` (``crawlers/browser.py``: images, fonts, media).
Each page of the benchmark site builds its text with a script and loads 8
large images and a web font. Each configuration runs in a process of its own,
which samples the memory of its Chromium processes every 0.1 s (RSS and PSS,
summed over the process tree).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import RUN_DIR, mib, rss_of, run_measured, say, target
from benchmarks.site import IMAGES_PER_RENDER_PAGE, BenchWeb

CONCURRENCY = (1, 4, 8)
PAGES = 24
WAIT_FOR = '#app[data-state="done"]'


def run(ctx) -> dict:
    work = RUN_DIR / "browser"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    with BenchWeb(PAGES) as web:
        # Generated here, before any timing, and weighed for the report.
        assets = [f"/img/1-{k}.png" for k in range(IMAGES_PER_RENDER_PAGE)] + ["/font/1.ttf"]
        weight = sum(len(web.respond(path, web.url).body) for path in assets)
        for concurrency in CONCURRENCY:
            for blocking in (True, False):
                name = f"{concurrency}-{'blocked' if blocking else 'all'}"
                say(f"browser: {PAGES} pages, {concurrency} at once, resource blocking {'on' if blocking else 'off'}")
                web.stats.reset()
                out = work / f"{name}.json"
                measured = run_measured([sys.executable, "-m", "benchmarks.browser", "--child", web.url, str(PAGES),
                                         str(concurrency), str(int(blocking)), str(out)], log=work / f"{name}.log",
                                        timeout=300)
                child = json.loads(out.read_text()) if out.exists() else {}
                if measured.returncode != 0 or len(child.get("done", [])) < PAGES:
                    raise RuntimeError(f"rendering {name} failed (exit {measured.returncode}); log {work / name}.log")
                first = min(e["t"] for e in web.arrivals("/render/"))
                results[name] = {"concurrency": concurrency, "blocking": blocking,
                                 "pages_per_second": PAGES / (max(child["done"]) - first),
                                 "chromium_peak_rss_mib": mib(child["peak_rss"]),
                                 "chromium_peak_pss_mib": mib(child["peak_pss"]),
                                 "chromium_processes": child["processes"],
                                 "texts_rendered": child["texts"],
                                 "images_fetched": len(web.arrivals("/img/")),
                                 "cpu_seconds_per_page": measured.cpu / PAGES}
    rows, targets = [], []
    for concurrency in CONCURRENCY:
        on, off = results[f"{concurrency}-blocked"], results[f"{concurrency}-all"]
        for r in (on, off):
            rows.append([concurrency, "on" if r["blocking"] else "off", f"{r['pages_per_second']:.2f}",
                         f"{r['chromium_peak_rss_mib']:.0f}", f"{r['chromium_peak_pss_mib']:.0f}",
                         r["chromium_processes"], f"{r['cpu_seconds_per_page']:.2f}", r["images_fetched"]])
        targets.append(target(f"{concurrency} at once: pages/s blocking on / off",
                              on["pages_per_second"] / off["pages_per_second"], ">=", 1.0))
        targets.append(target(f"{concurrency} at once: Chromium peak RSS blocking on / off",
                              on["chromium_peak_rss_mib"] / off["chromium_peak_rss_mib"], "<=", 1.0))
    return {
        "title": "Browser rendering: resource blocking on vs off (scrapy-playwright, Debian Chromium)",
        "columns": ["pages at once", "blocking", "pages/s", "Chromium peak RSS MiB", "peak PSS MiB",
                    "Chromium processes", "CPU s/page", "images fetched"],
        "rows": rows, "figures": results, "targets": targets,
        "notes": [f"{PAGES} pages per configuration, each with {IMAGES_PER_RENDER_PAGE} large PNG images and a web "
                  f"font ({mib(weight):.1f} MiB a page, every URL distinct); a page counts once its script has built "
                  "the text and Playwright's load event has fired. pages/s: from the first page request at the "
                  "server to the last page rendered, so the browser's start is not counted. CPU: the whole "
                  "process tree's (Python, Playwright's driver, Chromium), start-up included.",
                  "RSS is summed over Chromium's processes as asked, so the libraries they share count once per "
                  "process; PSS divides shared pages among their processes and shows what the tree really holds. "
                  "The targets only say that blocking must not cost speed or memory."],
    }


class _Sampler(threading.Thread):
    """Peak summed RSS and PSS of this process's Chromium descendants."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_rss = self.peak_pss = self.processes = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            pids = _chromium_descendants(os.getpid())
            self.peak_rss = max(self.peak_rss, sum(rss_of(pid) for pid in pids))
            self.peak_pss = max(self.peak_pss, sum(_pss(pid) for pid in pids))
            self.processes = max(self.processes, len(pids))
            time.sleep(0.1)


def _pss(pid: int) -> int:
    # Proportional set size: a page shared by n processes counts 1/n in each,
    # so the sum over the tree is the memory the tree really holds.
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            return next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def _chromium_descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue
        names[int(entry)] = text[text.find("(") + 1:text.rfind(")")]
        parents[int(entry)] = int(text[text.rfind(")") + 2:].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        frontier += children
        found += [pid for pid in children if "chrom" in names[pid]]
    return found


def child(base: str, pages: int, concurrency: int, blocking: bool, out: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy_playwright.page import PageMethod

    from yuqing.worker import project_settings

    project = project_settings()
    done: list[float] = []
    texts = [0]

    class RenderSpider(scrapy.Spider):
        name = "render"

        async def start(self):
            for n in range(1, pages + 1):
                yield scrapy.Request(f"{base}/render/{n}.html", meta={
                    "playwright": True, "playwright_page_methods": [PageMethod("wait_for_selector", WAIT_FOR)]})

        def parse(self, response):
            done.append(time.time())
            texts[0] += "BQ" in " ".join(response.css("#app p::text").getall())

    settings = {
        "TWISTED_REACTOR": project.get("TWISTED_REACTOR"),
        "DOWNLOAD_HANDLERS": {scheme: project.get("PLAYWRIGHT_DOWNLOAD_HANDLER") for scheme in ("http", "https")},
        "PLAYWRIGHT_BROWSER_TYPE": project.get("PLAYWRIGHT_BROWSER_TYPE"),
        "PLAYWRIGHT_LAUNCH_OPTIONS": project.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": project.getint("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"),
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": concurrency,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    if blocking:
        settings["PLAYWRIGHT_ABORT_REQUEST"] = project.get("PLAYWRIGHT_ABORT_REQUEST")
    sampler = _Sampler()
    sampler.start()
    process = CrawlerProcess(settings)
    process.crawl(RenderSpider)
    process.start()
    sampler.running = False
    Path(out).write_text(json.dumps({"done": done, "texts": texts[0], "peak_rss": sampler.peak_rss,
                                     "peak_pss": sampler.peak_pss, "processes": sampler.processes}))


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--child":
        base, pages, concurrency, blocking, out = sys.argv[2:]
        child(base, int(pages), int(concurrency), blocking == "1", out)
    else:
        sys.exit("usage: python -m benchmarks.browser --child BASE PAGES CONCURRENCY BLOCK(0/1) OUT "
                 "(the runner calls it)")
