"""The sources file: schema errors that name the source and the field, seeds
built by the spiders' URL builders, keywords drawn from the analyst rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader

from yuqing.sources import SourcesError, domain_policies, load_sources, parse_duration, parse_sources
from yuqing.worker import project_settings

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "yuqing" / "rules" / "example_rules.yaml"


@pytest.fixture(scope="module")
def spiders():
    loader = SpiderLoader.from_settings(project_settings())
    return {name: loader.load(name) for name in loader.list()}


def errors_of(data, spiders) -> list[str]:
    with pytest.raises(SourcesError) as caught:
        parse_sources(data, "sources.yaml", spiders, RULES)
    return caught.value.errors


def test_the_example_file_is_valid(spiders):
    sources = load_sources(ROOT / "yuqing" / "sources_example.yaml", spiders, RULES)
    assert {s.id for s in sources} >= {"binhai-news", "binhai-forum", "weibo-huawei"}
    news = next(s for s in sources if s.id == "binhai-news")
    assert news.interval == 600 and news.priority == 5 and news.domains == ("news.example.com",)
    policies = domain_policies(sources)
    assert policies["news.example.com"] == {"rate": 2.0, "concurrency": 4, "source": "binhai-news"}
    assert policies["m.weibo.cn"]["proxies"] is True
    assert "www.reddit.com" not in policies, "a disabled source publishes nothing"


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("5m", 300), ("1h", 3600), ("1h30m", 5400),
                                           ("1d", 86400), (90, 90), ("2.5m", 150)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_every_error_names_the_source_and_the_field(spiders):
    errors = errors_of({"sources": [
        {"id": "a", "spider": "news", "seeds": {"urls": ["ftp://x"]}, "interval": "5x"},
        {"id": "b", "spider": "nosuch", "seeds": {"urls": ["https://b.example.com/"]}, "interval": "5m"},
        {"id": "c", "spider": "news", "seeds": {"keywords": ["华为"]}, "interval": "5m", "priority": "high"},
        {"id": "d", "spider": "weibo", "seeds": {"accounts": ["not-a-uid"]}, "interval": "5m",
         "politeness": {"rate": -1, "speed": 3}, "proxies": "yes"},
        {"id": "e", "spider": "news", "seeds": {"urls": ["https://e.example.com/"]}},
    ]}, spiders)
    expected = [
        "source 'a': field 'seeds.urls': 'ftp://x' is not an http(s) URL",
        "source 'a': field 'interval': '5x' is not a duration",
        "source 'b': field 'spider': unknown spider 'nosuch'",
        "source 'c': field 'seeds.keywords': spider 'news' has no search_url()",
        "source 'c': field 'priority': must be an integer",
        "source 'd': field 'seeds.accounts': a Weibo account is its numeric uid",
        "source 'd': field 'politeness.rate': must be a non-negative number",
        "source 'd': field 'politeness.speed': unknown field",
        "source 'd': field 'proxies': must be true or false",
        "source 'e': field 'interval': required",
    ]
    for message in expected:
        assert any(e.startswith(message) for e in errors), (message, errors)
    assert len(errors) == len(expected), errors


def test_structure_errors(spiders):
    assert errors_of({"sources": [{"spider": "news"}]}, spiders)[0].startswith("source #1: field 'id'")
    assert errors_of({"sources": [{"id": "x", "spider": "news", "interval": "5m", "seeds": {"feeds": ["u"]}}]},
                     spiders)[0].startswith("source 'x': field 'seeds.feeds': unknown seed type")
    dup = {"id": "x", "spider": "news", "interval": "5m", "seeds": {"urls": ["https://x.example.com/"]}}
    assert errors_of({"sources": [dup, dup]}, spiders) == ["source 'x': duplicate id"]
    assert errors_of({"nope": 1}, spiders) == ["expected a 'sources:' list"]


def test_two_sources_cannot_disagree_about_a_domain(spiders):
    base = {"spider": "news", "interval": "5m", "seeds": {"urls": ["https://n.example.com/feed"]}}
    errors = errors_of({"sources": [{**base, "id": "one", "politeness": {"rate": 1}},
                                    {**base, "id": "two", "politeness": {"rate": 5}}]}, spiders)
    assert errors == ["source 'two': field 'politeness': domain n.example.com already has different "
                      "settings from source 'one'"]


def test_seeds_of_a_run_use_the_spiders_url_builders(spiders):
    [source] = parse_sources({"defaults": {"interval": "1h"}, "sources": [
        {"id": "wb", "spider": "weibo", "priority": 3,
         "seeds": {"accounts": ["2803301701"], "keywords": ["华为", "华为"]}}]}, "s.yaml", spiders, RULES)
    seeds = source.seeds_for_run(spiders["weibo"], "1700000000")
    weibo = spiders["weibo"]
    assert [s["url"] for s in seeds] == [weibo.account_url("2803301701"), weibo.search_url("华为")]
    assert seeds[0]["meta"] == {"source": "wb", "run": "1700000000", "watched_account": "2803301701"}
    assert seeds[1]["meta"]["keyword"] == "华为" and all(s["priority"] == 3 for s in seeds)


def test_keywords_from_the_rules_of_a_topic(spiders, tmp_path):
    [source] = parse_sources({"sources": [
        {"id": "ev", "spider": "weibo", "interval": "1h", "seeds": {"keywords": {"from_rules": "auto-ev"}}}]},
        "s.yaml", spiders, RULES)
    keywords = [s["meta"]["keyword"] for s in source.seeds_for_run(spiders["weibo"], "1", RULES)]
    # (电池 OR battery) NEAR/10f (起火 OR 自燃 OR fire OR explod*): a wildcard cannot be searched.
    assert keywords == ["电池 起火", "电池 自燃", "电池 fire", "battery 起火", "battery 自燃", "battery fire"]
    # Rules are read at every run: an analyst's edit applies to the next one.
    edited = tmp_path / "rules.yaml"
    edited.write_text("rules:\n  - id: r\n    topic: auto-ev\n    query: 充电桩 -广告\n", encoding="utf-8")
    assert [s["meta"]["keyword"] for s in source.seeds_for_run(spiders["weibo"], "2", edited)] == ["充电桩"]
    errors = errors_of({"sources": [{"id": "x", "spider": "weibo", "interval": "1h",
                                     "seeds": {"keywords": {"from_rules": "no-such-topic"}}}]}, spiders)
    assert errors == ["source 'x': field 'seeds.keywords.from_rules': no enabled rule with topic "
                      "'no-such-topic' gives a keyword"]
