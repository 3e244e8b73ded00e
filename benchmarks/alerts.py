"""Alert latency: from a matching page being served to its alert arriving at a webhook.

One rule per page of the benchmark site (the page's code, ``BQ00042``), so
every page raises one alert of its own. A ``yuqing alerts deliver`` process
posts to a local webhook (generic format); one worker crawls the site with the
whole pipeline. Latency is the webhook's arrival time minus the server's
arrival time of the page's request; the alert's entry in the Redis stream
(its id is Redis's clock in ms) splits it into the worker's part and the
deliverer's part.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from benchmarks.common import RUN_DIR, percentile, say, start, stop, target, worker_environment
from benchmarks.crawl import PREFIX, run_yuqing
from benchmarks.rules import write_rules
from benchmarks.site import BenchWeb, code

PAGES = 150
WAIT_FOR_ALERTS = 30.0


class _Webhook:
    """A local webhook that records when each message arrived."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                arrived = time.time()
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                hook.received.append((arrived, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:  # noqa: A002 - base class signature
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def available() -> str | None:
    """Why alerts cannot be measured, or None."""
    try:
        import pipelines.alerts  # noqa: F401
        import yuqing.alerts.delivery  # noqa: F401
    except ImportError as exc:
        return f"the alerts module is not ready ({exc})"
    from yuqing.worker import project_settings

    if "pipelines.alerts.AlertsPipeline" not in project_settings().getdict("ITEM_PIPELINES"):
        return "the alerts pipeline is not in ITEM_PIPELINES"
    return None


def run(ctx) -> dict:
    missing = available()
    if missing:
        return {"title": "Alert latency", "rows": [], "targets": [], "notes": [f"Not available: {missing}."]}
    from yuqing.alerts.book import STREAM

    work = RUN_DIR / "alerts"
    work.mkdir(parents=True, exist_ok=True)
    rules_file = write_rules(work / "rules.yaml", [{"id": f"page-{n}", "query": code(n), "priority": "high"}
                                                  for n in range(1, PAGES + 1)])
    client = ctx.fresh_redis()
    hook = _Webhook()
    webhooks = [{"url": hook.url, "format": "generic", "name": "bench"}]
    env = worker_environment(ctx, PREFIX, {"ALERTS_WEBHOOKS": json.dumps(webhooks)})
    deliverer = start([sys.executable, "-m", "yuqing", "alerts", "deliver"], env=env, log=work / "deliver.log")
    try:
        _wait_for_group(client, STREAM, "webhook:bench", deliverer)
        with BenchWeb(PAGES) as web:
            say(f"alerts: crawling {PAGES} pages, one rule each, deliverer running")
            measured, stats = run_yuqing(ctx, web, work, rules_file)
            served = {}
            for entry in web.arrivals():
                served.setdefault(entry["path"], entry["t"])
        deadline = time.monotonic() + WAIT_FOR_ALERTS
        while len(hook.received) < PAGES and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(deliverer)
        hook.close()
    recorded = {json.loads(fields[b"alert"])["rule"]["id"]: int(entry_id.split(b"-")[0]) / 1000
                for entry_id, fields in client.xrange(STREAM) if fields.get(b"event") == b"created"}
    total, in_worker, in_delivery = [], [], []
    for arrived, body in hook.received:
        alert = body["alert"]
        page = served.get(urlsplit(alert["first_document"]["url"]).path)
        if body["event"] != "created" or page is None:
            continue
        total.append(arrived - page)
        if alert["rule"]["id"] in recorded:
            in_worker.append(recorded[alert["rule"]["id"]] - page)
            in_delivery.append(arrived - recorded[alert["rule"]["id"]])
    if not total:
        raise RuntimeError(f"no alert reached the webhook; logs in {work}")
    rows = [[name, len(values), *(f"{percentile(values, q) * 1000:,.0f}" for q in (50, 95, 99)),
             f"{max(values) * 1000:,.0f}"]
            for name, values in (("page served -> webhook", total), ("page served -> alert in Redis stream", in_worker),
                                 ("stream -> webhook (deliverer)", in_delivery))]
    return {
        "title": "Alert latency: page served -> webhook",
        "columns": ["span", "alerts", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        "rows": rows,
        "figures": {"pages": PAGES, "alerts_received": len(total), "worker_exit": measured.returncode,
                    "matched_documents": stats.get("rules/matched_documents", 0),
                    **{f"p{q}_ms": percentile(total, q) * 1000 for q in (50, 95, 99)}},
        "targets": [target("alerts delivered / matching pages", len(total) / PAGES, ">=", 1.0)],
        "notes": [f"{PAGES} pages crawled by one worker (whole pipeline, indexing into OpenSearch) while one "
                  "`yuqing alerts deliver` posts to a local webhook; each page matches one rule of its own, so "
                  "each raises one alert. No latency target was set; the target checks that none is lost."],
    }


def _wait_for_group(client, stream: str, group: str, deliverer, timeout: float = 60.0) -> None:
    """The deliverer's consumer group exists: alerts from now on reach it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if deliverer.poll() is not None:
            raise RuntimeError(f"yuqing alerts deliver exited with {deliverer.returncode}")
        if client.exists(stream) and any(g["name"] in (group, group.encode()) for g in client.xinfo_groups(stream)):
            return
        time.sleep(0.2)
    raise TimeoutError(f"yuqing alerts deliver made no consumer group {group} in {timeout:.0f}s")
