"""``yuqing rules backtest`` against real OpenSearch: per-day counts equal the
counts computed independently (streaming matcher, Python dates) over the
indexed documents; ``yuqing rules kibana`` writes importable NDJSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from yuqing.cli.rules import backtest, kibana_objects
from yuqing.rules.compiler import compile_rule
from yuqing.rules.matcher import Matcher
from yuqing.rules.store import Rule, RuleSet
from yuqing.store.search import SearchStore

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "backtest"
TZ = "Asia/Shanghai"
RULES = [
    {"id": "aurora", "name": "极光 召回", "topic": "auto", "query": "极光 (召回 OR 自燃)", "priority": "high"},
    {"id": "aurora-negative", "name": "极光 负面", "query": "极光", "priority": "critical", "sentiment": "negative"},
    {"id": "retired", "name": "旧规则", "query": "旧", "enabled": False},
]
TEXTS = ["极光汽车宣布召回部分车辆", "极光S7车主反映自燃", "極光汽車召回", "极光 新车发布会", "天气晴朗 召回",
         "Aurora recall"]


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def indexed(search_service):
    """~120 documents over the last ten days; every fourth has no publish time."""
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    store.ensure_index()
    now = datetime.now(timezone.utc)
    docs = []
    for n in range(120):
        # Never within ten minutes of a day's 7-day boundary: the CLI's "now" is a little later.
        when = now - timedelta(hours=2 * n + 0.5, minutes=7 * (n % 5))
        text = TEXTS[n % len(TEXTS)]
        dated = n % 4 != 0
        docs.append({"id": f"bt{n}", "platform": "news", "channel": "news", "url": f"https://n.example.com/{n}",
                     "title": text, "content": f"{text}。第{n}篇", "lang": "zh", "source": "n.example.com",
                     "author": {"name": None}, "published_at": _iso(when) if dated else None,
                     # Undated documents were crawled at that time; dated ones a day later.
                     "crawled_at": _iso(when if not dated else when + timedelta(days=1)),
                     "sentiment": {"label": ("negative", "neutral")[n % 2], "score": 0.9}})
    outcome = store.bulk_index(docs)
    assert outcome.indexed == len(docs)
    store.refresh()
    yield store, now
    store.drop()


def independent_counts(store, rule: Rule, since: datetime, until: datetime) -> dict[str, Counter]:
    """Per local day, from the documents themselves: match with the streaming
    matcher, bucket by published_at, else crawled_at."""
    matcher = Matcher([rule])
    hits = store.search_body({"size": 1000, "query": {"match_all": {}}})["hits"]["hits"]
    counts: dict[str, Counter] = {}
    for hit in hits:
        doc = hit["_source"]
        if not matcher.match(doc):
            continue
        field = "published_at" if doc.get("published_at") else "crawled_at"
        when = datetime.strptime(doc[field], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        if since <= when < until:
            day = when.astimezone(ZoneInfo(TZ)).date().isoformat()
            counts.setdefault(day, Counter())[field] += 1
    return counts


@pytest.mark.parametrize("rule_index", [0, 1])
def test_counts_per_day_equal_independent_counts(indexed, rule_index):
    store, now = indexed
    rule = Rule.from_dict(RULES[rule_index])
    since, until = now - timedelta(days=7), now
    result = backtest(store, rule, since, until, TZ, samples=3)
    truth = independent_counts(store, rule, since, until)
    assert sum(sum(c.values()) for c in truth.values()) > 10
    got = {d["date"]: Counter({"published_at": d["published_at"], "crawled_at": d["crawled_at"]}) for d in result["days"]}
    assert {day: +counts for day, counts in got.items() if +counts} == truth
    assert all(d["count"] == d["published_at"] + d["crawled_at"] for d in result["days"])
    assert result["total"] == sum(d["count"] for d in result["days"])
    # Every day of the window is listed, empty ones too, oldest first.
    days = [d["date"] for d in result["days"]]
    assert days == sorted(days) and len(days) in (8, 9)
    for sample in result["samples"]:
        assert sample["terms"] and sample["time_field"] in ("published_at", "crawled_at")
        assert any(t["text"] in ("极光", "極光") for t in sample["terms"])


def test_cli_json_and_table(indexed, search_service, tmp_path):
    store, now = indexed
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"rules": RULES}, allow_unicode=True), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(SEARCH_INDEX_PREFIX=PREFIX, SCRAPY_SETTINGS_MODULE="settings", COLUMNS="160")
    base = [sys.executable, "-m", "yuqing", "rules", "backtest", "--search-url", search_service.url,
            "--file", str(rules_file), "--tz", TZ]
    since_day = (now - timedelta(days=3)).astimezone(ZoneInfo(TZ)).date()
    answer = subprocess.run(base + ["aurora", "--since", since_day.isoformat(), "--until",
                                    (since_day + timedelta(days=2)).isoformat(), "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout)
    assert result["rule"]["id"] == "aurora" and result["compiled"] == compile_rule(Rule.from_dict(RULES[0]))
    assert [d["date"] for d in result["days"]] == [since_day.isoformat(), (since_day + timedelta(days=1)).isoformat()]
    midnight = datetime.combine(since_day, datetime.min.time(), ZoneInfo(TZ))
    truth = independent_counts(store, Rule.from_dict(RULES[0]), midnight, midnight + timedelta(days=2))
    assert [d["count"] for d in result["days"]] == [sum(truth.get(d["date"], Counter()).values())
                                                    for d in result["days"]]
    assert result["time_field"].startswith("published_at; crawled_at")

    table = subprocess.run(base + ["极光 -召回", "--since", "10d"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    assert "by crawled_at (no publish time)" in table.stdout and "latest hits" in table.stdout

    bad = subprocess.run(base + ["极光 AND"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "syntax error at position" in bad.stderr


def test_kibana_ndjson(tmp_path):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"rules": RULES + [{"id": "bad", "query": "("}]}, allow_unicode=True),
                          encoding="utf-8")
    out = tmp_path / "rules.ndjson"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    answer = subprocess.run([sys.executable, "-m", "yuqing", "rules", "kibana", "--file", str(rules_file),
                             "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert "wrote 2 saved search(es)" in answer.stderr and "skipped invalid rule bad" in answer.stderr
    objects = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    enabled = [r for r in RuleSet.from_entries(RULES).rules if r.enabled]
    assert len(objects) == len(enabled) == 2
    for obj, rule in zip(objects, enabled):
        assert obj["type"] == "search" and obj["id"] == f"yuqing-rule-{rule.id}"
        assert obj["attributes"]["title"] == f"[yuqing] {rule.name}"
        assert {r["id"] for r in obj["references"]} == {"yuqing-docs"}
        source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["indexRefName"] in {r["name"] for r in obj["references"]}
        [custom] = source["filter"]
        assert custom["query"] == compile_rule(rule) and json.loads(custom["meta"]["value"]) == compile_rule(rule)
    with_view = kibana_objects(enabled, "yuqing-docs", pattern="yuqing-docs")
    assert with_view[0]["type"] == "index-pattern" and with_view[0]["attributes"]["title"] == "yuqing-docs"
