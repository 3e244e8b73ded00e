"""The grading table, source influence, and velocity counted in real Redis."""

from __future__ import annotations

import time

import pytest
import redis
from scrapy.utils.test import get_crawler

from pipelines.alerts import AlertsPipeline
from yuqing.alerts.book import AlertBook
from yuqing.alerts.config import AlertsConfig, parse_duration
from yuqing.alerts.grading import Grader, OfficialMedia, grade_for
from yuqing.alerts.velocity import Velocity
from yuqing.rules.store import Rule, RuleStore
from yuqing.schema import Author, Document

GRADER = Grader(OfficialMedia.load(), followers=1_000_000, verified_followers=100_000)


def doc(sentiment=None, **extra) -> dict:
    base = {"id": "d1", "url": "https://bbs.example.com/t/1", "title": "t", "source": "bbs.example.com",
            "channel": "news", "author": {"name": "someone", "followers": None, "verified": None},
            "sentiment": {"label": sentiment, "score": 0.9} if sentiment else None}
    base.update(extra)
    return base


@pytest.mark.parametrize("points, grade", [(-1, "IV"), (0, "IV"), (1, "IV"), (2, "III"), (3, "II"),
                                           (4, "I"), (7, "I")])
def test_points_to_grade(points, grade):
    assert grade_for(points) == grade


# The table of the module docstring and docs/alerts.md, row by row.
@pytest.mark.parametrize("priority, plain, negative, influential, spiking", [
    ("low", "IV", "IV", "III", "II"),
    ("medium", "IV", "III", "II", "I"),
    ("high", "III", "II", "I", "I"),
    ("critical", "II", "I", "I", "I"),
])
def test_grading_table(priority, plain, negative, influential, spiking):
    official = {"url": "http://society.people.com.cn/n1/2025/1120/c1008.html", "source": "society.people.com.cn"}
    assert GRADER.grade(priority, doc()).grade == plain
    assert GRADER.grade(priority, doc("negative")).grade == negative
    assert GRADER.grade(priority, doc("negative", **official)).grade == influential
    assert GRADER.grade(priority, doc("negative", **official), velocity_level=1).grade == spiking


def test_positive_sentiment_lowers_and_absent_is_neutral():
    assert GRADER.grade("high", doc("positive")).grade == "IV"
    assert GRADER.grade("high", doc("neutral")).grade == GRADER.grade("high", doc(sentiment=None)).grade == "III"


def test_surge_counts_double():
    assert GRADER.grade("low", doc(), velocity_level=2).grade == "III"
    grade = GRADER.grade("medium", doc(), velocity_level=2, velocity_reason="surge: 40 hits")
    assert grade.grade == "II" and grade.reasons == ("priority medium", "surge: 40 hits")


@pytest.mark.parametrize("extra, influential", [
    ({"url": "https://www.xinhuanet.com/politics/x.htm", "source": "www.xinhuanet.com"}, True),
    ({"url": "https://m.weibo.cn/status/1", "source": "人民日報", "author": {"name": "人民日報"}}, True),
    ({"url": "https://m.weibo.cn/status/1", "source": "x", "author": {"name": "央视新闻"}}, True),
    ({"url": "https://notpeople.com.cn/a", "source": "notpeople.com.cn"}, False),
    ({"author": {"name": "大V", "followers": 1_200_000, "verified": False}}, True),
    ({"author": {"name": "蓝V", "followers": 150_000, "verified": True}}, True),
    ({"author": {"name": "小号", "followers": 150_000, "verified": False}}, False),
    ({"author": {"name": "新号", "followers": 50, "verified": True}}, False),
])
def test_source_influence(extra, influential):
    assert (GRADER.influence(doc(**extra)) is not None) == influential
    assert GRADER.grade("medium", doc(**extra)).grade == ("III" if influential else "IV")


def test_durations():
    assert parse_duration("6h") == 21600 and parse_duration("14d") == 14 * 86400
    assert parse_duration(90) == 90 and parse_duration("10m") == 600 and parse_duration("30s") == 30
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


CONFIG = AlertsConfig(velocity_baselines={"social": 12 * 3600, "news": 14 * 86400, "default": 86400},
                      velocity_min_hits=5, velocity_spike=3.0, velocity_surge=10.0)


def _hit(book, velocity, rule, number: int, at: float, channel: str = "social"):
    """One new matching document recorded at ``at``, the way the pipeline does it."""
    document = doc(id=f"{channel}-{number}-{at}", channel=channel)
    reading = velocity.read(rule.id, channel, at)
    grade = GRADER.grade(rule.priority, document, reading.level, reading.reason)
    return book.record(rule, document, grade, [], velocity.buckets(rule.id, channel, at), at), reading


def test_velocity_spike_raises_the_grade(redis_url):
    client = redis.Redis.from_url(redis_url)
    book, velocity = AlertBook(client, CONFIG), Velocity(client, CONFIG)
    rule = Rule.from_dict({"id": "v", "query": "x", "priority": "medium"})
    # The end of an hour: the last 60 minutes are all in the current hour bucket.
    hour = int(time.time() // 3600)
    now = hour * 3600 + 3599
    # Baseline: 2 hits an hour in each of the 12 hours before (social's window).
    for back in range(1, 13):
        for n in range(2):
            _hit(book, velocity, rule, n, (hour - back) * 3600 + 100 + n * 60)
    readings = [_hit(book, velocity, rule, n, now - 10 + n)[1] for n in range(6)]
    assert readings[0].baseline == pytest.approx(2.0)
    assert [r.last_hour for r in readings] == [1, 2, 3, 4, 5, 6]
    assert [r.level for r in readings] == [0, 0, 0, 0, 0, 1]  # 6 >= 3 x 2 (and >= 5 hits)
    recorded, reading = _hit(book, velocity, rule, 99, now)
    assert reading.last_hour == 7 and reading.level == 1
    # The rule's alert, Ⅳ for all the baseline hits, went up to Ⅲ with the spike.
    assert recorded.alert["count"] == 12 * 2 + 7
    assert {s["grade"] for s in recorded.alert["samples"]} == {"IV", "III"}
    assert recorded.alert["grade"] == "III" and recorded.alert["grade_level"] == 3
    assert "spike: 6 hits in the last hour vs 2.0/h baseline" in recorded.alert["grade_reasons"]


def test_velocity_baseline_is_per_channel(redis_url):
    client = redis.Redis.from_url(redis_url)
    book, velocity = AlertBook(client, CONFIG), Velocity(client, CONFIG)
    rule = Rule.from_dict({"id": "c", "query": "x"})
    now = time.time()
    # 30 news hits two days ago: inside news' 14-day baseline, outside social's 12 hours.
    for n in range(30):
        _hit(book, velocity, rule, n, now - 48 * 3600 + n, channel="news")
    for n in range(4):
        _hit(book, velocity, rule, n, now - 600 + n, channel="news")
        _hit(book, velocity, rule, n, now - 600 + n, channel="social")
    news, social = velocity.read(rule.id, "news", now), velocity.read(rule.id, "social", now)
    assert news.last_hour == social.last_hour == 5
    assert news.baseline == pytest.approx(30 / (14 * 24 - 10 / 60), rel=0.01) and social.baseline == 0
    # Five in an hour for a quiet rule: a surge? No, 5 < 10 x the 1-an-hour floor; a spike.
    assert social.level == 1 and news.level == 1
    assert velocity.read(rule.id, "video", now).last_hour == 1  # an unseen channel has its own count


def test_pipeline_grades_and_records(redis_url, tmp_path):
    """The pipeline as a worker runs it: rule metadata from the rule sources,
    influence from the document, one alert per rule and story."""
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("rules:\n  - {id: recall, name: 召回, topic: auto, query: 召回, priority: critical}\n",
                          encoding="utf-8")
    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url, "RULES_FILE": str(rules_file)})
    crawler.stats.open_spider()
    pipeline = AlertsPipeline.from_crawler(crawler)
    assert isinstance(pipeline.rules, RuleStore)

    def item(n: int, **extra) -> Document:
        d = Document(id=f"id{n}", platform="weibo", channel="social", url=f"https://m.weibo.cn/status/{n}",
                     content=f"召回 {n}", crawled_at="2025-11-20T08:00:00Z", source="user",
                     matched_rules=["recall"],
                     matched_terms=[{"rule": "recall", "term": "召回", "field": "content", "start": 0, "end": 2}],
                     **extra)
        return d

    pipeline.process_item(item(1, author=Author(name="路人", followers=10)))
    pipeline.process_item(item(1))  # the same document again: not counted
    pipeline.process_item(item(2, author=Author(name="新华社", verified=True), cluster_id="story-2"))
    alerts = {a["story"]: a for a in AlertBook(redis.Redis.from_url(redis_url), CONFIG).list()}
    assert alerts[None]["grade"] == "II" and alerts[None]["count"] == 1
    assert alerts[None]["samples"][0]["terms"] == ["召回"]
    assert alerts["story-2"]["grade"] == "I" and "official media 新华社" in alerts["story-2"]["grade_reasons"]
    stats = crawler.stats.get_stats()
    assert stats["alerts/created"] == 2 and stats["alerts/duplicate"] == 1
    assert stats["alerts/grade/I"] == 1 and stats["alerts/grade/II"] == 1


def test_pipeline_needs_redis_and_can_be_switched_off():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured, match="REDIS_URL"):
        AlertsPipeline.from_crawler(get_crawler(settings_dict={"REDIS_URL": None}))
    with pytest.raises(NotConfigured, match="ALERTS_ENABLED"):
        AlertsPipeline.from_crawler(get_crawler(settings_dict={"ALERTS_ENABLED": False,
                                                               "REDIS_URL": "redis://127.0.0.1:1/0"}))
