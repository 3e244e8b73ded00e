"""Reports and ``yuqing stats`` against real OpenSearch: every figure equals
the count computed here, independently, from the documents and alerts the
test indexed; the HTML report opens in headless Chromium with no console
error and one chart per section; empty periods and a missing index say so.

``YUQING_SAMPLE_REPORT=docs/sample-report pytest tests/test_report.py``
also copies the daily report and its screenshot there (the README's sample).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
import yaml

from yuqing.alerts.grading import Grade, grade_level
from yuqing.alerts.model import apply_transition, new_alert
from yuqing.report.build import build_report
from yuqing.report.headline import stats
from yuqing.report.query import Scope, Window, report_window, resolve_scope
from yuqing.rules.store import RuleSet
from yuqing.schema import Author, Document, Engagement, make_id, validate
from yuqing.store.alerts import AlertIndex
from yuqing.store.search import SearchStore

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PREFIX = "reporttest"
TZ = ZoneInfo("Asia/Shanghai")
# The daily report of 2025-11-20 (local), compared with 2025-11-19.
UNTIL = datetime(2025, 11, 21, tzinfo=TZ).astimezone(timezone.utc)
DAY = timedelta(days=1)
UTC = "%Y-%m-%dT%H:%M:%SZ"

RULES = [
    {"id": "aurora", "name": "极光汽车", "topic": "auto-brands", "query": "极光汽车", "priority": "high"},
    {"id": "nova", "name": "新星汽车", "topic": "auto-brands", "query": "新星汽车", "priority": "medium"},
    {"id": "battery-fire", "name": "电池起火", "topic": "auto-safety", "query": "电池 起火", "priority": "critical"},
]
SOURCES = [  # (source, channel, followers)
    ("news.sina.com.cn", "news", None), ("www.people.com.cn", "news", None), ("finance.caixin.com", "news", None),
    ("微博·汽车观察", "social", 2_300_000), ("微博·数码君", "social", 180_000), ("小红书·车主日记", "social", 9_000),
    ("bbs.autohome.com.cn", "forum", None), ("tieba.baidu.com", "forum", None),
]
PROVINCES = [("北京", "北京", 39.90, 116.40), ("广东", "深圳", 22.54, 114.06), ("上海", "上海", 31.23, 121.47),
             ("浙江", "杭州", 30.27, 120.15)]
# Stories: (cluster key, title, keywords, rules, sentiment cycle, documents today, documents the day before)
STORIES = [
    ("recall", "极光汽车宣布召回两万辆新车 刹车存隐患", ["极光汽车", "召回", "刹车"], ["aurora"],
     ["negative", "negative", "neutral"], 12, 0),
    ("launch", "新星汽车发布会：续航突破一千公里", ["新星汽车", "发布会", "续航"], ["nova"],
     ["positive", "positive", "neutral", "negative"], 8, 0),
    ("fire", "地下车库电池起火 极光汽车回应调查", ["电池", "起火", "调查"], ["battery-fire", "aurora"],
     ["negative"], 5, 4),
]
BACKGROUND_SENTIMENT = ["positive", "neutral", "negative", None, "neutral"]


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime(UTC)


def _doc(n: int, when: datetime, *, title: str, keywords: list[str], rules: list[str], label: str | None,
         cluster: str | None = None, dated: bool = True, repost_of: str | None = None) -> dict:
    source, channel, followers = SOURCES[(n * 5) % len(SOURCES)]
    region = None
    if n % 6:
        province, city, lat, lon = PROVINCES[n % len(PROVINCES)]
        region = {"province": province, "city": city, "location": {"lat": lat, "lon": lon}, "source": "ip"}
    url = f"https://{'example.com' if '.' not in source else source}/post/{n}"
    doc_id = make_id(platform="news", url=url)
    doc = Document(
        id=doc_id, platform="weibo" if channel == "social" else channel, channel=channel, url=url,
        title=f"{title}（{n}）", content=f"{title}。第{n}篇报道。", lang="zh", source=source,
        author=Author(name=source, followers=followers),
        published_at=_iso(when) if dated else None,
        # Undated documents count by crawl time; dated ones were fetched 40 minutes later.
        crawled_at=_iso(when if not dated else when + timedelta(minutes=40)),
        engagement=Engagement(likes=n % 7 * 10, comments=n % 5, reposts=n % 3),
        keywords=keywords, sentiment={"label": label, "score": 0.9} if label else None, region=region,
        matched_rules=rules, cluster_id=cluster or doc_id, repost_of=repost_of)
    return validate(doc).to_dict()


def make_documents() -> list[dict]:
    """Stories today (and one the day before), background chatter over three
    weeks, undated documents, and documents after the period."""
    docs: list[dict] = []
    n = 0
    today = UNTIL - DAY
    for key, title, keywords, rules, labels, now_count, before_count in STORIES:
        first_id = None
        for i in range(before_count + now_count):  # earliest first: reposts point back in time
            day = today - DAY if i < before_count else today
            when = day + timedelta(hours=2 + (i - (0 if i < before_count else before_count)) * 1.5, minutes=n % 50)
            doc = _doc(n, when, title=title, keywords=keywords, rules=rules, label=labels[i % len(labels)],
                       cluster=f"story-{key}", repost_of=first_id if i % 3 == 2 else None)
            first_id = first_id or doc["id"]
            docs.append(doc)
            n += 1
    for i in range(70):  # background: 21 days back from the end of the period
        when = UNTIL - timedelta(hours=7 * i + 1, minutes=13 * (i % 4))
        docs.append(_doc(n, when, title=f"城市生活资讯{i}", keywords=[f"话题{i}", f"资讯{i}"], rules=[],
                         label=BACKGROUND_SENTIMENT[i % len(BACKGROUND_SENTIMENT)]))
        n += 1
    for hours, rules in ((3, ["aurora"]), (9, []), (30, ["nova"])):  # undated: counted by crawl time
        docs.append(_doc(n, UNTIL - timedelta(hours=hours), title="无日期的转帖", keywords=["转帖"], rules=rules,
                         label="negative", dated=False))
        n += 1
    for hours in (1, 5):  # after the period: never in the daily report
        docs.append(_doc(n, UNTIL + timedelta(hours=hours), title="次日新闻", keywords=["次日"], rules=["aurora"],
                         label="positive"))
        n += 1
    return docs


# (story key or None, grade, minutes to respond or None, days before the period's end)
ALERT_PLAN = [
    ("recall", "I", 30, 0), ("fire", "II", 125, 0), ("launch", "II", None, 0), ("fire", "III", 45, 0),
    (None, "IV", 10, 0), (None, "IV", None, 0), ("fire", "II", 20, 1),
]


def make_alerts(docs: list[dict], rules: RuleSet) -> list[dict]:
    """Alerts raised by the alerts package's own functions, responded to the
    planned number of minutes after detection."""
    alerts = []
    for number, (story, grade, minutes, days_back) in enumerate(ALERT_PLAN):
        day_end = UNTIL - days_back * DAY
        candidates = [d for d in docs if (d["cluster_id"] == f"story-{story}" if story else d["matched_rules"])
                      and day_end - DAY <= _time(d) < day_end]
        doc = candidates[number % len(candidates)]
        rule = rules.get(doc["matched_rules"][0])
        created = datetime.strptime(doc["crawled_at"], UTC).replace(tzinfo=timezone.utc).timestamp()
        alert = new_alert(rule, doc, Grade(grade, 5 - grade_level(grade), ("test",)), {"title": doc["title"]}, created)
        alert["id"] = f"20251120-{number:06x}"
        if minutes is not None:
            alert = apply_transition(alert, "respond", created + 60 * minutes, note=f"已处置 {number}")
        elif number % 2:
            alert = apply_transition(alert, "ack", created + 300)
        alerts.append(alert)
    return alerts


def _time(doc: dict) -> datetime:
    return datetime.strptime(doc["published_at"] or doc["crawled_at"], UTC).replace(tzinfo=timezone.utc)


def _parse(value: str) -> datetime:
    return datetime.strptime(value, UTC).replace(tzinfo=timezone.utc)


@dataclass
class World:
    store: SearchStore
    alerts: AlertIndex
    docs: list[dict]
    alert_docs: list[dict]
    rules: RuleSet
    rules_file: Path
    url: str

    def docs_in(self, since: datetime, until: datetime, rule_ids=None) -> list[dict]:
        return [d for d in self.docs if since <= _time(d) < until
                and (not rule_ids or set(d["matched_rules"]) & set(rule_ids))]

    def alerts_in(self, since: datetime, until: datetime) -> list[dict]:
        return [a for a in self.alert_docs if since <= _parse(a["detected_at"]) < until]


@pytest.fixture(scope="module")
def world(search_service, tmp_path_factory):
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    alerts = AlertIndex(store.backend, prefix=PREFIX)
    store.drop()
    alerts.drop()
    store.ensure_index()
    alerts.ensure_index()
    rules_file = tmp_path_factory.mktemp("rules") / "rules.yaml"
    rules_file.write_text(yaml.safe_dump({"rules": RULES}, allow_unicode=True), encoding="utf-8")
    rules = RuleSet.load(rules_file)
    docs = make_documents()
    outcome = store.bulk_index(docs)
    assert outcome.indexed == len(docs), outcome.failed
    alert_docs = make_alerts(docs, rules)
    assert alerts.write(alert_docs) == len(alert_docs)
    store.refresh()
    alerts.refresh()
    yield World(store, alerts, docs, alert_docs, rules, rules_file, search_service.url)
    store.drop()
    alerts.drop()


def _cli(world: World, *args: str, prefix: str = PREFIX) -> subprocess.CompletedProcess:
    env = {**os.environ, "SEARCH_URL": world.url, "SEARCH_INDEX_PREFIX": prefix, "SCRAPY_SETTINGS_MODULE": "settings"}
    env.pop("REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "yuqing", *args, "--file", str(world.rules_file), "--tz", TZ.key],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _ranked(counter: Counter, size: int) -> list[tuple[str, int]]:
    """The order of a terms aggregation: count descending, then key."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:size]


def _sentiment(docs: list[dict]) -> dict:
    labels = Counter((d["sentiment"] or {}).get("label") for d in docs)
    labelled = labels["positive"] + labels["neutral"] + labels["negative"]
    pos, neg = labels["positive"], labels["negative"]
    return {"counts": {k: labels[k] for k in ("positive", "neutral", "negative")},
            "labelled": labelled, "unlabelled": len(docs) - labelled,
            "shares": {k: labels[k] / labelled for k in ("positive", "neutral", "negative")},
            "net": (pos - neg) / (pos + neg)}


def _assert_sentiment(actual: dict, docs: list[dict]) -> None:
    expected = _sentiment(docs)
    assert {k: actual[k] for k in ("counts", "labelled", "unlabelled")} == {
        k: expected[k] for k in ("counts", "labelled", "unlabelled")}
    assert actual["shares"] == pytest.approx(expected["shares"])
    assert actual["net"] == pytest.approx(expected["net"])


def _daily(world: World, scope: Scope | None = None):
    scope = scope or Scope()
    window = report_window("daily", TZ, UNTIL + timedelta(hours=9), until=UNTIL)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = build_report("daily", world.store, world.alerts, window, scope, world.rules.rules)
    # Chinese labels are drawn with a CJK font: no glyph is missing, every chart's glyphs come from it.
    assert not [w for w in caught if "missing from font" in str(w.message)]
    for chart in (c for section in report.sections for c in section.charts):
        assert re.search(r'id="(NotoSansCJK|SourceHanSans|NotoSansSC|WenQuanYi|MicrosoftYaHei|PingFang|SimHei)',
                         chart.svg), chart.name
    return window, report


def test_daily_report_figures_equal_independent_counts(world):
    window, report = _daily(world)
    f = report.figures
    assert (window.since, window.until) == (UNTIL - DAY, UNTIL)
    now, before = world.docs_in(UNTIL - DAY, UNTIL), world.docs_in(UNTIL - 2 * DAY, UNTIL - DAY)
    o = f["overview"]
    assert (o["volume"], o["previous_volume"]) == (len(now), len(before))
    assert o["change"] == pytest.approx((len(now) - len(before)) / len(before))
    _assert_sentiment(o["sentiment"], now)
    _assert_sentiment(o["previous_sentiment"], before)
    assert o["sources"] == len({d["source"] for d in now})

    timeline = f["timeline"]
    assert timeline["interval"] == "hour" and len(timeline["buckets"]) == 24
    per_hour = Counter(_time(d).astimezone(TZ).hour for d in now)
    assert [b["count"] for b in timeline["buckets"]] == [per_hour[h] for h in range(24)]

    channels = Counter(d["channel"] for d in now)
    assert [(c["channel"], c["count"]) for c in f["channels"]] == _ranked(channels, 10)
    assert sum(c["share"] for c in f["channels"]) == pytest.approx(1.0)

    sources = Counter(d["source"] for d in now)
    negative = Counter(d["source"] for d in now if (d["sentiment"] or {}).get("label") == "negative")
    assert [(s["source"], s["count"]) for s in f["sources"]] == _ranked(sources, 10)
    assert {s["source"]: s["negative"] for s in f["sources"]} == {s: negative[s] for s in sources}
    reposts = Counter()
    for d in now:
        reposts[d["source"]] += d["engagement"]["reposts"]
    assert {s["source"]: s["engagement"]["reposts"] for s in f["sources"]} == dict(reposts)

    provinces = Counter(d["region"]["province"] for d in now if d["region"])
    assert [(r["province"], r["count"]) for r in f["regions"]["regions"]] == _ranked(provinces, 10)
    assert f["regions"]["unlocated"] == sum(1 for d in now if not d["region"])

    words = Counter(k for d in now for k in d["keywords"])
    assert [(w["keyword"], w["count"]) for w in f["keywords"]] == _ranked(words, 60)

    # Rules grouped by topic: each rule's hits and sentiment.
    topics = {t["topic"]: {r["rule"]: r for r in t["rules"]} for t in f["rules"]["topics"]}
    assert set(topics) == {"auto-brands", "auto-safety"}
    for rule in RULES:
        hits = [d for d in now if rule["id"] in d["matched_rules"]]
        row = topics[rule["topic"]][rule["id"]]
        assert row["count"] == len(hits)
        assert row["sentiment"] == _sentiment(hits)["counts"]

    # Hot topics: the stories, hottest first, with this period's and the previous one's volume.
    hot = {t["clusters"][0]["cluster_id"]: t for t in f["topics"]}
    for key, *_ in STORIES:
        topic = hot[f"story-{key}"]
        assert (topic["volume"], topic["previous"]) == (
            sum(1 for d in now if d["cluster_id"] == f"story-{key}"),
            sum(1 for d in before if d["cluster_id"] == f"story-{key}"))
        assert topic["representatives"][0]["role"] == "origin"
    assert [t["clusters"][0]["cluster_id"] for t in f["topics"][:3]] == ["story-recall", "story-launch", "story-fire"]

    # Alerts: by grade, first detection, MTTR = mean(response - detection), from the timestamps.
    alerts = world.alerts_in(UNTIL - DAY, UNTIL)
    a = f["alerts"]
    assert a["total"] == len(alerts) == 6
    responded = [a_ for a_ in alerts if a_["responded_at"]]
    assert a["responded"] == len(responded)
    expected_mttr = mean((_parse(x["responded_at"]) - _parse(x["detected_at"])).total_seconds() for x in responded)
    assert a["mttr_s"] == pytest.approx(expected_mttr)
    assert expected_mttr == pytest.approx(60 * mean([30, 125, 45, 10]))
    for row in a["by_grade"]:
        mine = [x for x in alerts if x["grade"] == row["grade"]]
        assert row["count"] == len(mine)
        done = [x for x in mine if x["responded_at"]]
        assert row["responded"] == len(done)
        if done:
            assert row["mttr_s"] == pytest.approx(
                mean((_parse(x["responded_at"]) - _parse(x["detected_at"])).total_seconds() for x in done))
        assert row["first_detected_at"] == (min(x["detected_at"] for x in mine) if mine else None)
    assert [r["grade"] for r in a["alerts"]] == sorted((x["grade"] for x in alerts), key=grade_level)

    # Every figure is in the Markdown the analyst reads.
    from yuqing.report.render_markdown import render

    markdown = render(report, "charts")
    assert f"| {len(now):,} |" in markdown
    assert f"{o['change']:+.1%}" in markdown and f"{o['sentiment']['net']:+.2f}" in markdown


def test_weekly_report_and_stats_share_the_figures(world):
    window = report_window("weekly", TZ, UNTIL + timedelta(hours=9), until=UNTIL)
    report = build_report("weekly", world.store, world.alerts, window, Scope(), world.rules.rules)
    now, before = world.docs_in(UNTIL - 7 * DAY, UNTIL), world.docs_in(UNTIL - 14 * DAY, UNTIL - 7 * DAY)
    o = report.figures["overview"]
    assert (o["volume"], o["previous_volume"]) == (len(now), len(before))
    assert o["change"] == pytest.approx((len(now) - len(before)) / len(before))
    _assert_sentiment(o["sentiment"], now)
    assert [b["count"] for b in report.figures["timeline"]["buckets"]] == [
        len(world.docs_in(UNTIL - (7 - d) * DAY, UNTIL - (6 - d) * DAY)) for d in range(7)]
    assert report.figures["alerts"]["total"] == len(world.alerts_in(UNTIL - 7 * DAY, UNTIL)) == 7

    result = _cli(world, "stats", "--since", "2025-11-14", "--until", "2025-11-21", "--top", "10", "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    headline = stats(world.store, world.alerts, window, Scope(), 10)
    assert printed == json.loads(json.dumps(headline))
    for key in ("overview", "channels", "sources", "regions", "alerts"):
        assert printed[key] == json.loads(json.dumps(report.figures[key])), key

    table = _cli(world, "stats", "--since", "2025-11-14", "--until", "2025-11-21")
    assert table.returncode == 0, table.stderr
    assert f"{len(now):,}" in table.stdout and "MTTR" in table.stdout


def test_topic_scope_counts_only_its_rules(world):
    scope = resolve_scope(world.rules.rules, topic="auto-brands")
    assert scope.rule_ids == ("aurora", "nova")
    _, report = _daily(world, scope)
    ids = {"aurora", "nova"}
    now = world.docs_in(UNTIL - DAY, UNTIL, ids)
    before = world.docs_in(UNTIL - 2 * DAY, UNTIL - DAY, ids)
    o = report.figures["overview"]
    assert (o["volume"], o["previous_volume"]) == (len(now), len(before))
    assert o["sentiment"]["net"] == pytest.approx(_sentiment(now)["net"])
    assert [t["topic"] for t in report.figures["rules"]["topics"]] == ["auto-brands"]
    alerts = [a for a in world.alerts_in(UNTIL - DAY, UNTIL) if a["rule"]["topic"] == "auto-brands"]
    assert report.figures["alerts"]["total"] == len(alerts)


def test_special_reports_follow_one_story_or_topic(world):
    window = Window(UNTIL - 3 * DAY, UNTIL, TZ)
    report = build_report("special", world.store, world.alerts, window, Scope(cluster="story-fire"),
                          world.rules.rules)
    members = sorted((d for d in world.docs if d["cluster_id"] == "story-fire"), key=_time)
    assert report.figures["overview"]["volume"] == len(members)
    story = report.figures["story"]
    assert [s["id"] for s in story["path"]] == [d["id"] for d in members]
    assert story["origin"]["id"] == members[0]["id"]
    assert len(story["edges"]) == sum(1 for d in members if d["repost_of"])
    assert report.figures["alerts"]["total"] == sum(
        1 for a in world.alert_docs if a["story"] == "story-fire" and window.since <= _parse(a["detected_at"]))

    scope = resolve_scope(world.rules.rules, topic="auto-safety")
    report = build_report("special", world.store, world.alerts, window, scope, world.rules.rules)
    docs = world.docs_in(window.since, window.until, {"battery-fire"})
    path = report.figures["propagation"]["path"]
    firsts: dict[str, datetime] = {}
    for d in sorted(docs, key=_time):
        firsts.setdefault(d["source"], _time(d))
    assert [(s["source"], _parse(s["first_time"])) for s in path] == sorted(firsts.items(), key=lambda kv: kv[1])
    assert sum(s["count"] for s in path) == len(docs)
    assert report.figures["propagation"]["linked"] == sum(1 for d in docs if d["repost_of"])


def test_html_report_opens_in_chromium_without_errors(world, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    result = _cli(world, "report", "daily", "--until", "2025-11-21", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    stem = "yuqing-daily-20251120"
    html, markdown = tmp_path / f"{stem}.html", tmp_path / f"{stem}.md"
    assert f"html: {html}" in result.stdout
    figures = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    charts = sorted(p.name for p in (tmp_path / f"{stem}.files").iterdir())
    assert all(f"]({stem}.files/{name})" in markdown.read_text(encoding="utf-8") for name in charts)

    errors, requests = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        sections = page.eval_on_selector_all("section", "els => els.map(e => e.dataset.section)")
        drawn = page.eval_on_selector_all(
            "figure.chart img", "els => els.map(e => [e.closest('section').dataset.section, e.naturalWidth])")
        screenshot = tmp_path / f"{stem}.png"
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert sections == ["overview", "sentiment", "channels", "sources", "regions", "topics", "keywords",
                        "alerts", "rules"]
    assert {section for section, _ in drawn} == set(sections)  # at least one chart per section
    assert all(width > 0 for _, width in drawn) and len(drawn) == len(charts)
    assert screenshot.stat().st_size > 50_000
    assert figures["overview"]["volume"] == len(world.docs_in(UNTIL - DAY, UNTIL))

    sample = os.environ.get("YUQING_SAMPLE_REPORT")
    if sample:
        target = ROOT / sample
        target.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target / f"{stem}.files", ignore_errors=True)
        shutil.copytree(tmp_path / f"{stem}.files", target / f"{stem}.files")
        for name in (html.name, markdown.name, screenshot.name):
            shutil.copy(tmp_path / name, target / name)


def test_empty_period_says_so(world, tmp_path):
    result = _cli(world, "report", "daily", "--since", "2020-01-01", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no documents from 2020-01-01 00:00 – 2020-01-02 00:00" in result.stderr
    html = (tmp_path / "yuqing-daily-20200101.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "yuqing-daily-20200101.md").read_text(encoding="utf-8")
    for text in (html, markdown):
        assert "本期无文档 · No documents in this period: 2020-01-01 00:00 – 2020-01-02 00:00 (Asia/Shanghai)" in text
        assert "本期无预警 · No alert was detected in this period" in text
    figures = json.loads((tmp_path / "yuqing-daily-20200101.json").read_text(encoding="utf-8"))
    assert figures["empty"] is True and figures["overview"]["volume"] == 0

    quiet = _cli(world, "stats", "--since", "2020-01-01", "--until", "2020-01-02")
    assert quiet.returncode == 0 and "no documents in this period" in quiet.stdout


def test_missing_index_says_so_and_writes_nothing(world, tmp_path):
    result = _cli(world, "report", "weekly", "--out", str(tmp_path / "out"), prefix="nosuchprefix")
    assert result.returncode == 1
    assert "the index nosuchprefix-docs does not exist" in result.stderr and "no report written" in result.stderr
    assert not (tmp_path / "out").exists()
    quiet = _cli(world, "stats", prefix="nosuchprefix")
    assert quiet.returncode == 1 and "the index nosuchprefix-docs does not exist" in quiet.stderr
