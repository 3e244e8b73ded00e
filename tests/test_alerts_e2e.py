"""End to end: two workers crawl the local test web into real Redis and
OpenSearch while ``yuqing alerts deliver`` runs; a rule added to the Redis
rule hash after the workers started raises an alert that reaches a local
webhook within 5 seconds of the page being fetched (fetch time from the test
web's own request log), and a repost of the story on another site (the same
``cluster_id``, or the same rule when clustering is off) updates that alert.

Both workers first process a few other articles: a worker's first document
loads the enrichment models (seconds on a busy machine), a one-time cost per
process that is not what the 5 seconds measure."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import redis
import yaml

from yuqing.alerts.book import STREAM
from yuqing.alerts.testing import WebhookReceiver
from yuqing.cli.seed import push_seeds
from yuqing.demo import crawl_site
from yuqing.store.alerts import AlertIndex
from yuqing.store.flavor import SearchConfig, connect
from yuqing.store.search import SearchStore
from yuqing.worker import project_settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

PREFIX = "alertse2e"
ROOT = Path(__file__).resolve().parent.parent
FIRST = "/mirror/bhdaily/20251122/lingang-fire.html"
SECOND = "/mirror/dongan/20251122/zz-lingang-fire.html"  # 转载: the same article on another site
RULE = {"id": "lingang-fire", "name": "临港 仓库起火", "topic": "work-safety", "query": "临港 (起火 OR 火灾)",
        "priority": "high"}
BROKEN = {"id": "broken-rule", "name": "坏规则", "query": "起火 AND"}
# Articles matching neither rule, to warm the workers up.
WARM_UP = ("xianweifang-kitchen-video", "donglan-admissions-probe", "binhai-metro-line5-opens",
           "stellar-x9-battery-complaints", "xianweifang-inspection-result", "donglan-admissions-en",
           "binhai-line5-opens-en", "stellar-x9-overheating-en")
LATENCY_BUDGET = 5.0


def _stats(web) -> dict:
    with urllib.request.urlopen(f"{web.url}/_stats") as answer:
        return json.load(answer)


def _fetched_at(web, path: str, after: float) -> float | None:
    """When ``path`` was first fetched after ``after``, from the test web's request log
    (the test web is shared by the session's tests)."""
    times = [e["t"] for e in _stats(web)["log"] if e["path"] == path and e["status"] == 200 and e["t"] > after]
    return min(times) if times else None


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def _items_per_worker(client) -> list[int]:
    """Documents each worker has scraped, from the heartbeats (`yuqing status`)."""
    counts = []
    for key in client.scan_iter("yuqing:workers:*"):
        raw = client.hget(key, "spider:news")
        counts.append(json.loads(raw)["items"] if raw else 0)
    return counts


def _warm_up(client, web, settings) -> None:
    """Until each worker has processed a document. A seed is usually processed
    by the worker that took it, and each takes one per poll."""
    with urllib.request.urlopen(f"{web.url}/manifest.json") as answer:
        urls = [i["url"] for i in json.load(answer)["items"] if any(f"/{slug}.html" in i["url"] for slug in WARM_UP)]
    for _ in range(3):
        # A worker drops a page it already processed (DedupePipeline): only
        # the worker still cold counts the second round.
        push_seeds(client, settings, "news", urls, kind="article")
        _wait(lambda: client.llen(settings.get("REDIS_START_URLS_KEY") % {"name": "news"}) == 0, 30, "warm-up seeds")
        time.sleep(2.0)
        _wait(lambda: len(_items_per_worker(client)) == 2, 30, "two heartbeats")
        if min(_items_per_worker(client)) > 0:
            return
    raise AssertionError(f"one worker got no warm-up article: {_items_per_worker(client)}")


def _events(client) -> list[tuple[str, dict]]:
    return [(f[b"event"].decode(), json.loads(f[b"alert"])) for _, f in client.xrange(STREAM)]


def test_rule_added_while_workers_run_alerts_within_5s(redis_service, search_service, testweb, tmp_path):
    client = redis.Redis.from_url(redis_service.url)
    client.flushdb()
    index = AlertIndex(connect(SearchConfig(url=search_service.url)), prefix=PREFIX)
    index.drop()
    SearchStore.from_url(search_service.url, prefix=PREFIX).drop()
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"rules": [
        {"id": "flood", "name": "洪涝", "query": "暴雨 转移", "priority": "medium"}]}, allow_unicode=True))

    hook = WebhookReceiver()
    env = {"REDIS_URL": redis_service.url, "SEARCH_URL": search_service.url, "SEARCH_INDEX_PREFIX": PREFIX,
           "YUQING_RULES_FILE": str(rules_file), "YUQING_RULES_RELOAD_INTERVAL": "0.5",
           "ALERTS_UPDATE_INTERVAL": "3s", "SCRAPY_SETTINGS_MODULE": "settings",
           "YUQING_HEARTBEAT_INTERVAL": "0.5",
           "ALERTS_WEBHOOKS": json.dumps([{"url": f"{hook.url}/generic", "name": "generic"},
                                          {"url": f"{hook.url}/wecom", "format": "wecom", "name": "wecom"}])}
    deliver_log = open(tmp_path / "deliver.log", "w")
    deliverer = subprocess.Popen([sys.executable, "-m", "yuqing", "alerts", "deliver"], cwd=ROOT,
                                 env={**os.environ, **env}, stdout=deliver_log, stderr=subprocess.STDOUT)
    run_dir = tmp_path / "crawl"
    crawl: dict = {}
    # Warm-up seed: a broken feed, fetched once the workers are up; it yields nothing.
    workers = threading.Thread(target=lambda: crawl.update(report=crawl_site(
        testweb.url, redis_service.url, search_service.url, workers=2, spiders=("news",),
        seeds={"news": ["/bad/feed.xml"]}, index_prefix=PREFIX, max_idle=6, run_dir=str(run_dir),
        timeout=120, extra_env=env)), daemon=True)
    started = time.time()
    try:
        workers.start()
        _wait(lambda: _fetched_at(testweb, "/bad/feed.xml", started), 60, "the workers to start")
        settings = project_settings()
        _warm_up(client, testweb, settings)

        # The rule arrives while the workers run, next to an invalid one.
        client.hset("yuqing:rules", mapping={RULE["id"]: json.dumps(RULE, ensure_ascii=False),
                                             BROKEN["id"]: json.dumps(BROKEN, ensure_ascii=False)})
        time.sleep(1.0)  # > YUQING_RULES_RELOAD_INTERVAL
        seeded = time.time()
        push_seeds(client, settings, "news", [testweb.url + FIRST], kind="article")

        created = hook.wait_for(lambda calls: [c for c in calls if c.path == "/generic" and c.ok
                                               and c.body["event"] == "created"], timeout=30)
        fetched = _fetched_at(testweb, FIRST, seeded)
        latency = created[0].t - fetched
        print(f"\nalert latency: page fetched -> webhook received {latency:.3f}s")
        assert 0 < latency < LATENCY_BUDGET
        alert = created[0].body["alert"]
        assert alert["rule"] == {"id": RULE["id"], "name": RULE["name"], "topic": RULE["topic"], "priority": "high"}
        # priority high: Ⅲ, Ⅱ if the enrichment found the fire news negative.
        assert alert["grade"] == ("II" if "negative" in alert["grade_reasons"] else "III")
        assert alert["count"] == 1 and alert["state"] == "open"
        assert alert["first_document"]["url"] == testweb.url + FIRST
        assert alert["published_at"] == "2025-11-22T01:10:00Z"
        assert alert["detection_delay_s"] > 0  # crawled long after it was published
        assert ("created", alert["id"]) in [(e, a["id"]) for e, a in _events(client)]
        wecom = hook.wait_for(lambda calls: [c for c in calls if c.path == "/wecom" and c.ok])
        assert wecom[0].body["msgtype"] == "markdown" and RULE["name"] in wecom[0].body["markdown"]["content"]

        # The story's repost: the same alert, updated.
        push_seeds(client, settings, "news", [testweb.url + SECOND], kind="article")
        updated = hook.wait_for(lambda calls: [c for c in calls if c.path == "/generic" and c.ok
                                               and c.body["event"] == "updated"], timeout=30)
        assert updated[0].body["alert"]["id"] == alert["id"]
        assert updated[0].body["alert"]["story"] == alert["story"]
        assert updated[0].body["alert"]["count"] == 2
        assert len(updated[0].body["alert"]["samples"]) == 2
        time.sleep(1.0)
        generic = [c.body for c in hook.snapshot() if c.path == "/generic"]
        assert [b["event"] for b in generic] == ["created", "updated"]
        assert {b["alert"]["rule"]["id"] for b in generic} == {RULE["id"]}

        # The mirror in the search index has the latest snapshot.
        def indexed():
            index.refresh()
            hits = index.search({"query": {"term": {"id": alert["id"]}}})["hits"]["hits"]
            return hits and hits[0]["_source"]["count"] == 2 and hits[0]["_source"]
        assert _wait(indexed, 15, "the alert in the alerts index")["rule"]["id"] == RULE["id"]

        workers.join(60)
        assert not workers.is_alive()
    finally:
        deliverer.send_signal(signal.SIGTERM)
        try:
            deliverer.wait(15)
        finally:
            if deliverer.poll() is None:
                deliverer.kill()
            deliver_log.close()
            hook.stop()
        workers.join(60)
    report = crawl["report"]
    assert report.returncodes == [0, 0], f"worker logs in {run_dir}"
    assert deliverer.returncode == 0, (tmp_path / "deliver.log").read_text()
    assert report.total("alerts/created") == 1
    assert report.total("alerts/updated") == 1
    logs = "\n".join(p.read_text() for p in run_dir.glob("worker-*.log"))
    # The invalid rule is named with its error, and only it is skipped.
    assert "rule broken-rule: expected a term after AND" in logs
    assert "Traceback" not in logs
    SearchStore.from_url(search_service.url, prefix=PREFIX).drop()
    index.drop()
