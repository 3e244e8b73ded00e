"""Streaming matcher semantics, the rule file and its reload."""

import os
import threading

import pytest

from yuqing.rules.matcher import Matcher, match_fields
from yuqing.rules.normalize import _fold_table, fold
from yuqing.rules.store import Rule, RuleSet, RuleStore, write_entries


def rule(query, rule_id="r", **fields):
    return Rule.from_dict({"id": rule_id, "query": query, **fields})


def matches(query, content="", title="", **doc):
    return bool(Matcher([rule(query)]).match({"title": title, "content": content, **doc}))


# --------------------------------------------------------------------------- terms

@pytest.mark.parametrize("query, text, expected", [
    ("华为手机", "华为手机很好", True),          # contiguous Chinese, no spaces needed
    ("华为手机", "我的华为手机", True),
    ("华为手机", "华为的手机", False),
    ("华为手机", "华为 手机", True),            # spaces are not tokens
    ("华为", "華為發布新品", True),              # Traditional text, Simplified rule
    ("華為", "华为发布新品", True),              # and the other way round
    ("abc", "ＡＢＣ公司", True),                 # full-width text
    ("ＡＢＣ", "abc公司", True),                 # full-width rule
    ("car", "Car crash", True),                # case-insensitive
    ("car", "a cart", False),                  # whole words only
    ("car", "cars", False),
    ("car", "car-sharing", True),
    ("car", "电动car出行", True),               # Latin inside Chinese text
    ("iphone15", "新款iPhone15发布", True),
    ("iphone", "新款iPhone15发布", False),      # letters and digits form one word
    ('"supply chain"', "the Supply-Chain crisis", True),
    ('"supply chain"', "chain supply", False),
    ("covid-19", "COVID 19 cases", True),
    ("brand*", "Brandy and brands", True),     # wildcard: word prefix
    ("brand*", "rebrand", False),
    ("brand*", "brand", True),
    ("naïve", "NAÏVE", True),
])
def test_terms(query, text, expected):
    assert matches(query, text) is expected


def test_normalization_is_one_code_point_to_one_and_idempotent():
    table = _fold_table()
    sample = "".join(map(chr, table))
    assert len(fold(sample)) == len(sample)
    assert fold(fold(sample)) == fold(sample)


# --------------------------------------------------------------------------- operators

@pytest.mark.parametrize("query, text, expected", [
    ("华为 手机", "手机是华为的", True),
    ("华为 手机", "华为平板", False),
    ("华为 OR 小米", "小米平板", True),
    ("华为 -二手", "华为手机", True),
    ("华为 -二手", "二手华为手机", False),
    ("华为 NOT 二手", "二手华为手机", False),
    ('华为 -"二手 手机"', "二手平板 华为", True),
    ("-广告", "正常内容", True),
    ("-广告", "这是广告", False),
    ("(华为 OR 小米) -(二手 OR 翻新)", "小米翻新机", False),
    ("(华为 OR 小米) -(二手 OR 翻新)", "小米新机", True),
])
def test_boolean(query, text, expected):
    assert matches(query, text) is expected


@pytest.mark.parametrize("query, text, expected", [
    ("华为 NEAR/3 投诉", "华为遭用户投诉", True),       # 3 tokens between: exactly the distance
    ("华为 NEAR/3 投诉", "投诉华为", True),             # any order
    ("华为 NEAR/2 投诉", "华为遭用户投诉", False),
    ("华为 NEAR/3f 投诉", "投诉华为", False),           # ordered
    ("华为 NEAR/3f 投诉", "华为遭到投诉", True),
    ('"华为 投诉"~2', "投诉了华为", True),
    ('"华为 投诉"~0', "投诉了华为", False),
    ("love NEAR/1 hate", "love is hate", True),
    ("love NEAR/1 hate", "love is not hate", False),
    ("(华为 OR 荣耀) NEAR/2 (投诉 OR 维权)", "荣耀手机维权", True),
    ("a NEAR/1 b NEAR/1 c", "c x a b", True),           # one window for all three
    ("a NEAR/1 b NEAR/1 c", "a x b x c", False),        # gaps add up: 2 > 1
    ("brand* NEAR/1 new", "new Brandy", True),
])
def test_proximity(query, text, expected):
    assert matches(query, text) is expected


def test_near_follows_lucene_not_the_ideal_window():
    # Lucene's unordered window lets an operand overlap itself: the same term
    # twice matches a single occurrence. The index behaves so, and so must we.
    assert matches("病毒 NEAR/3 病毒", "一种病毒")
    # Ordered spans may not overlap: "ab" then "b" needs two b's.
    assert not matches('"a b" NEAR/0f b', "a b")
    assert matches('"a b" NEAR/0f b', "a b b")


def test_over_long_words_keep_their_position():
    long_word = "x" * 300
    assert matches("a NEAR/1 b", f"a {long_word} b")
    assert not matches('"a b"', f"a {long_word} b")
    assert not matches("a NEAR/0 b", f"a {long_word} b")


# --------------------------------------------------------------------------- fields

def test_field_scopes():
    doc = {"title": "华为发布会", "content": "小米也来了"}
    m = lambda q: bool(Matcher([rule(q)]).match(doc))  # noqa: E731
    assert m("华为") and m("小米")
    assert m("title:华为") and not m("content:华为")
    assert m("content:小米") and not m("title:小米")
    assert m("title:(华为 OR 苹果) content:小米")
    assert not m('"发布会小米"')                   # a phrase never spans two fields
    assert not m("华为 NEAR/20 小米")              # nor does proximity


@pytest.mark.parametrize("query, doc, expected", [
    ("author:新华社", {"author": {"name": "新華社"}}, True),
    ("author:新华社", {"author": "新华社"}, True),          # plain string author
    ("author:新华社", {"author": {"name": "新华社客户端"}}, False),  # whole value
    ('author:"John Smith"', {"author": {"name": "john smith"}}, True),
    ("site:sina.com.cn", {"source": "news.sina.com.cn"}, True),
    ("site:sina.com.cn", {"source": "sina.com.cn"}, True),
    ("site:sina.com.cn", {"source": "evilsina.com.cn"}, False),
    ("source:Weibo.com", {"source": "weibo.com"}, True),
    ("source:sina*", {"source": "sina.cn"}, True),
    ("platform:weibo", {"platform": "weibo"}, True),
    ("platform:weibo", {"platform": "wechat"}, False),
    ("platform:Weibo", {"platform": "Weibo"}, False),      # raw field, value lowered
    ("lang:zh channel:news", {"lang": "zh", "channel": "news"}, True),
    ("-platform:weibo", {"platform": None}, True),
    ("author:新华社", {"author": None}, False),
])
def test_whole_value_fields(query, doc, expected):
    assert bool(Matcher([rule(query)]).match({"title": "", "content": "", **doc})) is expected


def test_sentiment_filter():
    negative = rule("华为", "neg", sentiment="negative")
    anyone = rule("华为", "any")
    matcher = Matcher([negative, anyone])
    ids = lambda doc: [m.rule_id for m in matcher.match(doc)]  # noqa: E731
    assert ids({"content": "华为", "sentiment": {"label": "negative"}}) == ["neg", "any"]
    assert ids({"content": "华为", "sentiment": {"label": "positive"}}) == ["any"]
    assert ids({"content": "华为", "sentiment": None}) == ["any"]


# --------------------------------------------------------------------------- results

def test_offsets_point_into_the_original_text():
    content = "😀 ＡＢＣ說：華為手機很好，华为"
    [match] = Matcher([rule('華為手機 OR abc OR 华为 -苹果 OR platform:weibo')]).match(
        {"title": "", "content": content, "platform": "weibo"})
    spans = {(hit.term, content[hit.start:hit.end]) for hit in match.terms if hit.field == "content"}
    assert spans == {("華為手機", "華為手機"), ("abc", "ＡＢＣ"), ("华为", "華為"), ("华为", "华为")}
    assert any(hit.field == "platform" for hit in match.terms)
    assert "苹果" not in {hit.term for hit in match.terms}  # negated terms are not highlights


def test_match_fields_for_the_document():
    matcher = Matcher([rule("华为", "a"), rule("title:手机", "b")])
    fields = match_fields(matcher.match({"title": "手机", "content": "华为"}))
    assert fields["matched_rules"] == ["a", "b"]
    assert fields["matched_terms"] == [
        {"rule": "a", "term": "华为", "field": "content", "start": 0, "end": 2},
        {"rule": "b", "term": "手机", "field": "title", "start": 0, "end": 2},
    ]


def test_disabled_rules_and_empty_matchers():
    assert Matcher([rule("华为", enabled=False)]).match({"content": "华为"}) == []
    assert Matcher([]).match({"content": "华为"}) == []


def test_many_rules_only_the_right_ones():
    rules = [rule(f"词{n:04d}", f"r{n}") for n in range(2000)] + [rule("-广告", "neg")]
    matcher = Matcher(rules)
    assert [m.rule_id for m in matcher.match({"content": "词0042 和 词1999"})] == ["r42", "r1999", "neg"]


# --------------------------------------------------------------------------- rule file

RULES_YAML = """\
rules:
  - id: huawei
    name: 华为
    topic: brand
    query: 华为 -二手
    priority: high
  - id: broken
    query: (华为 OR
  - id: xiaomi
    query: 小米
    priority: 2
    sentiment: negative
  - id: huawei
    query: duplicate
  - id: badprio
    query: a
    priority: urgent
  - query: no id
  - id: typo
    query: a
    sentimnet: negative
"""


def test_invalid_rules_are_reported_and_skipped(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_YAML, encoding="utf-8")
    ruleset = RuleSet.load(path)
    assert [r.id for r in ruleset.rules] == ["huawei", "xiaomi"]
    assert ruleset.get("xiaomi").priority == "medium"
    errors = {e.rule_id: e for e in ruleset.errors}
    assert set(errors) == {"broken", "huawei", "badprio", "#6", "typo"}
    assert errors["broken"].position == 6 and "expected a term after OR" in errors["broken"].message
    assert "rule broken: expected a term after OR" in str(errors["broken"])
    assert "duplicate" in errors["huawei"].message
    matcher = Matcher(ruleset.rules)
    assert [m.rule_id for m in matcher.match({"content": "华为", "sentiment": None})] == ["huawei"]


def test_rule_round_trip(tmp_path):
    original = rule("华为", "h", name="华为", topic="t", priority="critical", sentiment="neutral",
                    tags=["x"])
    path = tmp_path / "rules.yaml"
    write_entries(path, [original.to_dict()])
    [loaded] = RuleSet.load(path).rules
    assert loaded == original and loaded.extra == {"tags": ["x"]}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _write(path, rules, mtime):
    write_entries(path, rules)
    os.utime(path, (mtime, mtime))


def test_store_reloads_when_the_file_changes(tmp_path):
    path, clock = tmp_path / "rules.yaml", FakeClock()
    _write(path, [{"id": "a", "query": "华为"}], 1_000_000)
    store = RuleStore(path, check_interval=5, clock=clock)
    first = store.matcher
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["a"]

    _write(path, [{"id": "a", "query": "华为"}, {"id": "b", "query": "小米"}], 1_000_100)
    assert store.matcher is first  # not checked again before the interval
    clock.now += 6
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["a", "b"]
    assert store.matcher is not first

    second = store.matcher
    clock.now += 6
    assert store.matcher is second  # unchanged file: same matcher

    # A broken edit keeps the working rules and reports the broken one.
    _write(path, [{"id": "a", "query": "华为 AND"}, {"id": "b", "query": "小米"}], 1_000_200)
    clock.now += 6
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["b"]
    assert [e.rule_id for e in store.errors] == ["a"]

    # An unreadable file keeps everything as it was.
    path.write_text("rules: [", encoding="utf-8")
    clock.now += 6
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["b"]
    path.unlink()
    clock.now += 6
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["b"]


def test_store_without_file_starts_empty(tmp_path):
    store = RuleStore(tmp_path / "missing.yaml")
    assert store.match({"content": "华为"}) == []


class FakeRedis:
    def __init__(self):
        self.hashes = {}

    def hgetall(self, key):
        return dict(self.hashes.get(key, {}))


def test_store_reads_rules_from_redis(tmp_path):
    path, clock, redis = tmp_path / "rules.yaml", FakeClock(), FakeRedis()
    _write(path, [{"id": "a", "query": "华为"}], 1_000_000)
    redis.hashes["yuqing:rules"] = {b"b": '{"query": "小米"}'.encode(), b"bad": b"not json"}
    store = RuleStore(path, check_interval=5, clock=clock, redis=redis)
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["a", "b"]
    redis.hashes["yuqing:rules"][b"a"] = '{"query": "苹果"}'.encode()  # overrides the file's a
    clock.now += 6
    assert [m.rule_id for m in store.match({"content": "华为 小米"})] == ["b"]
    assert [m.rule_id for m in store.match({"content": "苹果"})] == ["a"]


def test_concurrent_matching_during_reloads(tmp_path):
    path, clock = tmp_path / "rules.yaml", FakeClock()
    _write(path, [{"id": "a", "query": "华为"}], 1_000_000)
    store = RuleStore(path, check_interval=0, clock=clock)
    failures = []

    def work():
        try:
            for _ in range(300):
                assert [m.rule_id for m in store.match({"content": "华为"})] == ["a"]
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for n in range(20):
        _write(path, [{"id": "a", "query": "华为"}, {"id": f"x{n}", "query": "苹果"}], 1_000_001 + n)
    for thread in threads:
        thread.join()
    assert not failures


def test_example_rule_file_is_valid():
    from pathlib import Path

    import yuqing.rules

    ruleset = RuleSet.load(Path(yuqing.rules.__file__).parent / "example_rules.yaml")
    assert ruleset.errors == [] and len(ruleset.rules) >= 5
