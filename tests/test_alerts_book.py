"""Alerts in real Redis: one alert per rule and story, atomic across workers,
updates throttled without losing the last one, the incident workflow."""

from __future__ import annotations

import calendar
import json
import threading
import time

import pytest
import redis

from yuqing.alerts.book import STREAM, AlertBook, AlertNotFound
from yuqing.alerts.config import AlertsConfig
from yuqing.alerts.grading import Grade
from yuqing.alerts.model import TransitionError
from yuqing.alerts.velocity import Velocity
from yuqing.rules.store import Rule

RULE = Rule.from_dict({"id": "brand", "name": "品牌 投诉", "topic": "brand", "query": "投诉", "priority": "high"})
IV, II = Grade("IV", 1, ("priority low",)), Grade("II", 3, ("priority high", "negative"))


def make_doc(n: int, cluster: str | None = None, published: str | None = "2025-11-20T07:00:00Z") -> dict:
    return {"id": f"doc-{n}", "url": f"https://news.example.com/{n}.html", "title": f"投诉 {n}",
            "source": "news.example.com", "channel": "news", "crawled_at": "2025-11-20T08:00:00Z",
            "published_at": published, "cluster_id": cluster}


@pytest.fixture
def client(redis_url):
    return redis.Redis.from_url(redis_url)


def record(book, n, grade=IV, cluster=None, now=None, rule=RULE):
    now = time.time() if now is None else now
    buckets = Velocity(book.redis, book.config).buckets(rule.id, "news", now)
    return book.record(rule, make_doc(n, cluster), grade, ["投诉"], buckets, now)


def events(client) -> list[tuple[str, dict]]:
    return [(f[b"event"].decode(), json.loads(f[b"alert"])) for _, f in client.xrange(STREAM)]


def test_same_story_updates_one_alert(client):
    book = AlertBook(client, AlertsConfig(update_interval=0, max_samples=3))
    first = record(book, 1)
    assert first.action == "created"
    alert = first.alert
    assert alert["count"] == 1 and alert["state"] == "open" and alert["story"] is None
    assert alert["detected_at"] == "2025-11-20T08:00:00Z" and alert["detection_delay_s"] == 3600
    for n in range(2, 6):
        assert record(book, n).action == "updated"
    assert record(book, 3).action == "duplicate"  # a re-crawl is not a new hit
    stored = book.get(alert["id"])
    assert stored["count"] == 5 and stored["version"] == 5
    assert [s["id"] for s in stored["samples"]] == ["doc-3", "doc-4", "doc-5"]  # the last three
    assert stored["first_document"]["id"] == "doc-1"
    assert [e for e, _ in events(client)] == ["created"] + ["updated"] * 4


def test_another_story_or_rule_is_another_alert(client):
    book = AlertBook(client, AlertsConfig())
    a = record(book, 1, cluster="c1").alert
    b = record(book, 2, cluster="c2").alert
    c = record(book, 3, cluster="c1").alert
    other = Rule.from_dict({"id": "other", "query": "投诉"})
    d = record(book, 1, cluster="c1", rule=other).alert  # the same document, another rule
    assert a["id"] == c["id"] and len({a["id"], b["id"], d["id"]}) == 3
    assert c["count"] == 2 and d["count"] == 1


def test_grade_goes_up_never_down(client):
    book = AlertBook(client, AlertsConfig())
    record(book, 1, IV)
    up = record(book, 2, II).alert
    assert up["grade"] == "II" and up["grade_reasons"] == ["priority high", "negative"]
    assert record(book, 3, IV).alert["grade"] == "II"


def test_window_and_closing_start_a_new_alert(client):
    book = AlertBook(client, AlertsConfig(dedup_window=1))
    first = record(book, 1).alert
    time.sleep(2.1)  # the dedup window (1 s) is over
    second = record(book, 2).alert
    assert second["id"] != first["id"] and second["count"] == 1
    book.transition(second["id"], "close")
    third = record(book, 3).alert
    assert third["id"] != second["id"] and third["count"] == 1


def test_concurrent_workers_make_one_alert(redis_url):
    """Eight 'workers' with their own connections record the same story at once."""
    results, barrier = [], threading.Barrier(8)

    def worker(w: int):
        book = AlertBook(redis.Redis.from_url(redis_url), AlertsConfig(update_interval=3600))
        barrier.wait()
        for n in range(25):
            results.append(record(book, w * 100 + n))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [r for r in results if r.action == "created"]
    assert len(created) == 1
    book = AlertBook(redis.Redis.from_url(redis_url), AlertsConfig())
    assert book.get(created[0].alert["id"])["count"] == 200
    assert len(book.list()) == 1


def test_updates_are_throttled_and_the_last_one_is_sent(client):
    book = AlertBook(client, AlertsConfig(update_interval=60))
    t0 = time.time()
    alert = record(book, 1, now=t0).alert
    assert [record(book, n, now=t0 + n).action for n in range(2, 6)] == ["held"] * 4
    assert [e for e, _ in events(client)] == ["created"]
    assert book.flush_due(t0 + 30) == 0  # not yet
    assert book.flush_due(t0 + 60) == 1
    sent = events(client)[-1]
    assert sent[0] == "updated" and sent[1]["id"] == alert["id"] and sent[1]["count"] == 5
    assert book.flush_due(t0 + 120) == 0  # nothing new: nothing sent
    # The next hit after the interval goes out at once.
    assert record(book, 6, now=t0 + 121).action == "updated"
    assert [e for e, _ in events(client)] == ["created", "updated", "updated"]


def test_workflow_records_the_times_for_mttr(client):
    book = AlertBook(client, AlertsConfig())
    alert = record(book, 1).alert
    detected = calendar.timegm(time.strptime("2025-11-20T08:00:00Z", "%Y-%m-%dT%H:%M:%SZ"))
    acked = book.transition(alert["id"], "ack", now=detected + 300)
    assert acked["state"] == "acknowledged" and acked["time_to_ack_s"] == 300
    assert acked["acknowledged_at"] == "2025-11-20T08:05:00Z"
    responded = book.transition(alert["id"], "respond", "品牌方已发声明", now=detected + 1800)
    assert responded["time_to_respond_s"] == 1800 and responded["response_note"] == "品牌方已发声明"
    assert responded["time_to_ack_s"] == 300
    # Hits after the acknowledgment still count on the alert.
    assert record(book, 2).alert["state"] == "responded"
    closed = book.transition(alert["id"], "close", now=detected + 3600)
    assert closed["closed_at"] == "2025-11-20T09:00:00Z" and closed["count"] == 2
    with pytest.raises(TransitionError, match="is closed: cannot ack"):
        book.transition(alert["id"], "ack")
    with pytest.raises(AlertNotFound):
        book.transition("19700101-000000", "ack")
    assert [e for e, _ in events(client)][-1] == "state"
    assert book.list(["closed"])[0]["id"] == alert["id"] and book.list(["open"]) == []


def test_respond_without_ack_sets_both(client):
    book = AlertBook(client, AlertsConfig())
    alert = record(book, 1).alert
    responded = book.transition(alert["id"], "respond", "done")
    assert responded["acknowledged_at"] == responded["responded_at"]
    assert responded["time_to_ack_s"] == responded["time_to_respond_s"]
