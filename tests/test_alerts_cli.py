"""``yuqing alerts list|ack|respond|close`` against real Redis."""

from __future__ import annotations

import argparse
import json
import time

import redis

from yuqing.alerts.book import AlertBook
from yuqing.alerts.config import AlertsConfig
from yuqing.alerts.grading import Grade
from yuqing.alerts.velocity import Velocity
from yuqing.cli import alerts as alerts_cli
from yuqing.rules.store import Rule


def run(argv):
    parser = argparse.ArgumentParser(prog="yuqing")
    alerts_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def seed_alerts(redis_url) -> list[dict]:
    book = AlertBook(redis.Redis.from_url(redis_url), AlertsConfig())
    made = []
    for n, (priority, grade) in enumerate((("high", "II"), ("low", "IV"))):
        rule = Rule.from_dict({"id": f"rule-{n}", "name": f"规则{n}", "query": "x", "priority": priority})
        doc = {"id": f"d{n}", "url": f"https://example.com/{n}", "title": f"标题{n}", "channel": "news",
               "crawled_at": "2025-11-20T08:10:00Z", "published_at": "2025-11-20T08:00:00Z"}
        now = time.time()
        made.append(book.record(rule, doc, Grade(grade, 0, (f"priority {priority}",)), [],
                                Velocity(book.redis, book.config).buckets(rule.id, "news", now), now).alert)
    return made


def test_workflow(redis_url, capsys):
    first, second = seed_alerts(redis_url)
    assert run(["alerts", "list", "--json", "--redis-url", redis_url]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["id"] for a in listed] == [second["id"], first["id"]]  # newest first

    assert run(["alerts", "ack", first["id"], "--redis-url", redis_url]) == 0
    assert f"alert {first['id']} acknowledged" in capsys.readouterr().out
    assert run(["alerts", "respond", first["id"], "--note", "已回应", "--redis-url", redis_url]) == 0
    assert run(["alerts", "close", second["id"], "--redis-url", redis_url]) == 0
    capsys.readouterr()

    assert run(["alerts", "list", "--state", "responded", "--json", "--redis-url", redis_url]) == 0
    [responded] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert responded["id"] == first["id"] and responded["response_note"] == "已回应"
    assert responded["detection_delay_s"] == 600
    assert responded["time_to_respond_s"] >= responded["time_to_ack_s"] > 0

    assert run(["alerts", "list", "--redis-url", redis_url]) == 0
    table = capsys.readouterr().out
    assert "2 alert(s)" in table and "Ⅱ 重大" in table and "Ⅳ 一般" in table
    assert "mean detection delay (publish -> detection): 10m 0s over 2 alert(s)" in table
    assert "MTTR (detection -> response)" in table and "over 1 responded alert(s)" in table


def test_errors_have_exit_codes(redis_url, capsys):
    first, _ = seed_alerts(redis_url)
    assert run(["alerts", "close", first["id"], "--redis-url", redis_url]) == 0
    assert run(["alerts", "ack", first["id"], "--redis-url", redis_url]) == 1
    assert "is closed: cannot ack it" in capsys.readouterr().err
    assert run(["alerts", "ack", "nope", "--redis-url", redis_url]) == 1
    assert "no alert 'nope'" in capsys.readouterr().err
    assert run(["alerts", "show", "nope", "--redis-url", redis_url]) == 1
    assert run(["alerts", "show", first["id"], "--redis-url", redis_url]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "closed"
