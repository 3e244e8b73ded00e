"""Delivery from the stream to webhooks and the alerts index, against real
Redis and OpenSearch and a local webhook receiver: a hook that is down loses
nothing, a deliverer that dies hands its events over, nothing is sent twice."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
import urllib.parse

import pytest
import redis

from yuqing.alerts.book import STREAM, AlertBook
from yuqing.alerts.config import AlertsConfig, Webhook
from yuqing.alerts.delivery import DEADLETTER_KEY, Deliverer
from yuqing.alerts.grading import Grade
from yuqing.alerts.testing import WebhookReceiver
from yuqing.alerts.velocity import Velocity
from yuqing.alerts.webhooks import render, request_for
from yuqing.rules.store import Rule
from yuqing.store.alerts import AlertIndex
from yuqing.store.flavor import SearchConfig, connect

RULE = Rule.from_dict({"id": "r", "name": "电池 起火", "topic": "ev", "query": "电池 起火", "priority": "critical"})
FAST = dict(backoff=0.1, backoff_max=0.5, claim_after=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record(book: AlertBook, n: int, grade: str = "II", cluster: str | None = None, rule=RULE):
    doc = {"id": f"d{n}", "url": f"https://news.example.com/{n}", "title": f"电池起火 {n}", "source": "news.example.com",
           "channel": "news", "crawled_at": "2025-11-20T08:00:00Z", "published_at": None, "cluster_id": cluster}
    now = time.time()
    grade = Grade(grade, 0, ("priority critical",))
    return book.record(rule, doc, grade, ["电池"], Velocity(book.redis, book.config).buckets(rule.id, "news", now), now)


def pending(client, group: str) -> int:
    return client.xpending(STREAM, group)["pending"]


def wait(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_hook_down_then_failing_then_back_loses_nothing(redis_url):
    client = redis.Redis.from_url(redis_url)
    port = free_port()
    hook = Webhook.from_dict({"url": f"http://127.0.0.1:{port}/hook", "name": "ops"})
    config = AlertsConfig(webhooks=(hook,), update_interval=0, **FAST)
    book = AlertBook(client, config)
    first = record(book, 1, cluster="a").alert
    deliverer = Deliverer(client, config).start()
    try:
        # Nobody listens: connection refused, retried, kept pending.
        wait(lambda: deliverer.stats["alerts/delivery_failed"] >= 2)
        assert pending(client, "webhook:ops") == 1
        second = record(book, 2, cluster="b").alert  # raised while the hook is down
        receiver = WebhookReceiver(port=port, status=500)
        try:
            receiver.wait_for(lambda calls: len(calls) >= 2)
            assert pending(client, "webhook:ops") >= 1
            receiver.status = 200
            delivered = receiver.wait_for(lambda calls: len([c for c in calls if c.ok]) >= 2 and
                                          [c for c in calls if c.ok])
            time.sleep(0.5)  # anything sent twice would arrive now
            ok = [c for c in receiver.snapshot() if c.ok]
            assert [(c.body["event"], c.body["alert"]["id"]) for c in ok] == [
                ("created", first["id"]), ("created", second["id"])]
            assert all(c.status == 500 for c in receiver.snapshot() if not c.ok)
            assert pending(client, "webhook:ops") == 0
            assert delivered[0].body["alert"]["rule"]["name"] == "电池 起火"
        finally:
            receiver.stop()
    finally:
        deliverer.stop()
    assert deliverer.stats["alerts/delivered"] == 2


def test_events_of_a_dead_deliverer_are_taken_over(redis_url):
    client = redis.Redis.from_url(redis_url)
    port = free_port()
    hook = Webhook.from_dict({"url": f"http://127.0.0.1:{port}/hook", "name": "ops"})
    config = AlertsConfig(webhooks=(hook,), **{**FAST, "claim_after": 0.5})
    alert = record(AlertBook(client, config), 1).alert
    dying = Deliverer(client, config, consumer="dying").start()
    wait(lambda: dying.stats["alerts/delivery_failed"] >= 1)
    dying.stop()  # it leaves the event pending under its name
    assert client.xpending(STREAM, "webhook:ops")["consumers"] == [{"name": b"dying", "pending": 1}]
    with WebhookReceiver(port=port) as receiver:
        heir = Deliverer(client, config, consumer="heir").start()
        try:
            calls = receiver.wait_for(lambda calls: [c for c in calls if c.ok])
        finally:
            heir.stop()
    assert calls[0].body["alert"]["id"] == alert["id"]
    assert pending(client, "webhook:ops") == 0


def test_refused_for_good_goes_to_dead_letters_and_the_queue_moves_on(redis_url):
    client = redis.Redis.from_url(redis_url)
    with WebhookReceiver(status=400) as receiver:
        config = AlertsConfig(webhooks=(Webhook.from_dict({"url": receiver.url, "name": "strict"}),), **FAST)
        book = AlertBook(client, config)
        record(book, 1, cluster="a")
        deliverer = Deliverer(client, config).start()
        try:
            wait(lambda: client.llen(DEADLETTER_KEY) == 1)
            receiver.status = 200
            second = record(book, 2, cluster="b").alert
            calls = receiver.wait_for(lambda calls: [c for c in calls if c.ok])
        finally:
            deliverer.stop()
    assert calls[0].body["alert"]["id"] == second["id"]
    letter = json.loads(client.lindex(DEADLETTER_KEY, 0))
    assert letter["destination"] == "webhook:strict" and letter["reason"] == "HTTP 400"


def test_min_grade_filters_and_chat_error_codes_are_retried(redis_url):
    client = redis.Redis.from_url(redis_url)
    with WebhookReceiver(answer={"errcode": 45009, "errmsg": "api freq out of limit"}) as receiver:
        hooks = (Webhook.from_dict({"url": receiver.url + "/urgent", "format": "dingtalk", "min_grade": "II"}),)
        config = AlertsConfig(webhooks=hooks, **FAST)
        book = AlertBook(client, config)
        record(book, 1, grade="III", cluster="minor")
        severe = record(book, 2, grade="I", cluster="major").alert
        deliverer = Deliverer(client, config).start()
        try:
            receiver.wait_for(lambda calls: len(calls) >= 2)  # rate limited: tried again
            receiver.answer = {"errcode": 0, "errmsg": "ok"}
            time.sleep(0.7)
        finally:
            deliverer.stop()
    bodies = [c.body for c in receiver.snapshot()]
    assert {b["markdown"]["title"] for b in bodies} == {"舆情预警 Ⅰ级 电池 起火"}  # the Ⅲ alert was never sent
    assert severe["id"] in bodies[-1]["markdown"]["text"]
    assert pending(client, f"webhook:{hooks[0].name}") == 0


def test_templates(redis_url):
    alert = record(AlertBook(redis.Redis.from_url(redis_url), AlertsConfig()), 1).alert
    wecom = json.loads(render("wecom", "created", alert))
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("**【舆情预警 Ⅱ级 重大】电池 起火**")
    assert f"yuqing alerts ack {alert['id']}" in wecom["markdown"]["content"]
    ding = json.loads(render("dingtalk", "updated", alert))
    assert ding["msgtype"] == "markdown" and "预警更新" in ding["markdown"]["text"]
    feishu = json.loads(render("feishu", "created", alert))
    assert feishu["msg_type"] == "text" and "https://news.example.com/1" in feishu["content"]["text"]
    slack = json.loads(render("slack", "created", alert))
    assert slack["text"].startswith("*【舆情预警")
    assert json.loads(render("generic", "created", alert)) == {"event": "created", "alert": alert}
    with pytest.raises(ValueError, match="format 'teams'"):
        Webhook.from_dict({"url": "http://x", "format": "teams"})


def test_signed_robots():
    alert = {"id": "a", "grade": "I", "rule": {"id": "r", "name": "n", "topic": ""}, "count": 1,
             "first_document": {"url": "https://x/1", "title": "t"}, "samples": [{"url": "https://x/1"}],
             "detected_at": "2025-11-20T08:00:00Z", "grade_reasons": ["priority critical"]}
    ding = Webhook.from_dict({"url": "https://oapi.dingtalk.com/robot/send?access_token=T", "format": "dingtalk",
                              "secret": "SEC"})
    url, _ = request_for(ding, "created", alert, now=1700000000.123)
    digest = hmac.new(b"SEC", b"1700000000123\nSEC", hashlib.sha256).digest()
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000123&sign="
                   + urllib.parse.quote_plus(base64.b64encode(digest)))
    feishu = Webhook.from_dict({"url": "https://open.feishu.cn/hook/x", "format": "feishu", "secret": "SEC"})
    url, body = request_for(feishu, "created", alert, now=1700000000.5)
    body = json.loads(body)
    assert url == feishu.url and body["timestamp"] == "1700000000" and body["msg_type"] == "text"
    assert body["sign"] == base64.b64encode(hmac.new(b"1700000000\nSEC", b"", hashlib.sha256).digest()).decode()
    with pytest.raises(ValueError, match="not slack"):
        Webhook.from_dict({"url": "http://x", "format": "slack", "secret": "s"})


def test_index_mirror_keeps_the_newest_snapshot(redis_url, search_service):
    client = redis.Redis.from_url(redis_url)
    index = AlertIndex(connect(SearchConfig(url=search_service.url)), prefix="alertmirror")
    index.drop()
    config = AlertsConfig(update_interval=0, **FAST)
    book = AlertBook(client, config)
    alert = record(book, 1).alert
    for n in range(2, 4):
        record(book, n)
    book.transition(alert["id"], "ack")
    deliverer = Deliverer(client, config, index=index).start()
    try:
        wait(lambda: pending(client, "index") == 0 and deliverer.stats["alerts/indexed"] == 4, timeout=30)
    finally:
        deliverer.stop()
    index.refresh()
    source = index.search({"query": {"term": {"id": alert["id"]}}})["hits"]["hits"][0]["_source"]
    assert source["count"] == 3 and source["state"] == "acknowledged" and source["version"] == 4
    # An older snapshot written late (another consumer, a replay) does not win.
    assert index.write([{**alert, "version": 2}]) == 0
    index.refresh()
    assert index.search({"query": {"term": {"id": alert["id"]}}})["hits"]["hits"][0]["_source"]["version"] == 4
    # MTTR straight from the index.
    aggs = index.search({"size": 0, "aggs": {"mtta": {"avg": {"field": "time_to_ack_s"}}}})["aggregations"]
    assert aggs["mtta"]["value"] > 0
    index.drop()


def test_a_lost_stream_is_recreated(redis_url):
    """Redis restarted without persistence: the groups are gone with the stream."""
    client = redis.Redis.from_url(redis_url)
    with WebhookReceiver() as receiver:
        config = AlertsConfig(webhooks=(Webhook.from_dict({"url": receiver.url, "name": "ops"}),), **FAST)
        book = AlertBook(client, config)
        deliverer = Deliverer(client, config).start()
        try:
            record(book, 1, cluster="before")
            receiver.wait_for(lambda calls: len(calls) == 1)
            client.flushdb()
            after = record(book, 2, cluster="after").alert
            calls = receiver.wait_for(lambda calls: len(calls) == 2 and calls)
        finally:
            deliverer.stop()
    assert calls[1].body["alert"]["id"] == after["id"]


def test_webhooks_from_the_environment(tmp_path):
    from scrapy.settings import Settings

    from settings.env import read_env

    hooks = [{"url": "https://oapi.dingtalk.com/robot/send?access_token=T", "format": "dingtalk", "min_grade": "II"}]
    secret = tmp_path / "webhooks.json"
    secret.write_text(json.dumps(hooks))
    overrides = read_env({"ALERTS_WEBHOOKS_FILE": str(secret), "ALERTS_DEDUP_WINDOW": "2h", "ALERTS_ENABLED": "0"})
    assert overrides == {"ALERTS_WEBHOOKS": hooks, "ALERTS_DEDUP_WINDOW": "2h", "ALERTS_ENABLED": False}
    config = AlertsConfig.from_settings(Settings(overrides))
    assert config.dedup_window == 7200 and config.webhooks[0].format == "dingtalk"
    assert config.webhooks[0].accepts("I") and not config.webhooks[0].accepts("III")
    with pytest.raises(ValueError, match="ALERTS_WEBHOOKS is not JSON"):
        read_env({"ALERTS_WEBHOOKS": "https://x"})
    with pytest.raises(ValueError, match="min_grade 'V'"):
        Webhook.from_dict({"url": "https://x", "min_grade": "V"})
