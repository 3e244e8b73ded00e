"""Assemble a report: compute each section's figures (one aggregation request
each; the overview has two, totals and timeline), then state them in
sentences, tables and charts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from . import charts, figures, fmt
from .alerts import alert_figures
from .cloud import cloud
from .model import Chart, Link, Report, Section, Table
from .query import Scope, ScopedStore, Window, iso
from .special import propagation

logger = logging.getLogger(__name__)

PERIODIC = ("overview", "sentiment", "channels", "sources", "regions", "topics", "keywords", "alerts", "rules")
SPECIAL_TOPIC = ("overview", "propagation", "sentiment", "sources", "keywords", "alerts")
SPECIAL_STORY = ("overview", "story", "sentiment", "sources", "keywords", "alerts")
STORY_STEPS = 30
"""Members of a story listed in a special report (all of them are in its JSON)."""
KIND_NAMES = {"daily": "舆情日报", "weekly": "舆情周报", "special": "舆情专报"}
NO_DOCUMENTS = "本期无文档 · No documents in this period"

Progress = Callable[[str], None]


def build_report(kind: str, store, alert_index, window: Window, scope: Scope, rules: list,
                 progress: Progress | None = None, top: int = 10) -> Report:
    keys = section_keys(kind, scope)
    step = progress or (lambda key: None)
    data: dict = {"window": {"since": iso(window.since), "until": iso(window.until), "tz": window.tz.key},
                  "scope": scope.describe()}
    data["overview"] = figures.overview(store, window, scope)
    empty = data["overview"]["volume"] == 0
    if not empty:
        data["timeline"] = figures.timeline(store, window, scope)
    step("overview")
    context = _Context(store, alert_index, window, scope, rules, top)
    sections = [_overview(data, window)]
    for key in keys[1:]:
        if key != "alerts" and empty:
            sections.append(Section(key, TITLES[key], empty=f"{NO_DOCUMENTS}: {window.label()}"))
        else:
            if key in COMPUTE:
                data[key] = COMPUTE[key](context)
            sections.append(WRITE[key](data, window))
        step(key)
    return Report(kind=kind, title=_title(kind, scope), window=window, scope=scope,
                  generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  headline=_headline(data), sections=sections, figures=data, empty=empty,
                  notes=NOTES)


def section_keys(kind: str, scope: Scope) -> tuple[str, ...]:
    if kind != "special":
        return PERIODIC
    return SPECIAL_STORY if scope.cluster else SPECIAL_TOPIC


def _title(kind: str, scope: Scope) -> str:
    subject = ""
    if scope.cluster:
        subject = f" · 话题 {scope.cluster[:12]}"
    elif scope.topic:
        subject = f" · 专题 {scope.topic}"
    elif scope.rule_ids:
        subject = f" · 规则 {', '.join(scope.rule_ids)}"
    return f"{KIND_NAMES[kind]}{subject}"


TITLES = {
    "overview": "概览 · Overview",
    "sentiment": "情感 · Sentiment",
    "channels": "渠道分布 · Channels",
    "sources": "主要来源 · Top sources",
    "regions": "地域分布 · Regions",
    "topics": "热点话题 · Hot topics",
    "keywords": "关键词 · Keywords",
    "alerts": "预警与处置 · Alerts and response",
    "rules": "规则与竞品对比 · Rules by topic",
    "propagation": "传播路径 · Propagation",
    "story": "传播路径 · Propagation",
}

NOTES = [
    "声量按发布时间计入时段，无发布时间的文档按抓取时间计入。Volume counts a document in the period of its "
    "publish time, or of its crawl time when it has none.",
    "环比 = (本期 − 上期) / 上期，上期为紧邻的等长时段。"
    "Change compares with the period of the same length just before.",
    "情感占比以有情感标注的文档为分母。Sentiment shares are over the documents that have a sentiment label.",
    "净情感值 = (正面 − 负面) / (正面 + 负面)，取值 −1 至 +1。Net sentiment = (positive − negative) / "
    "(positive + negative), from −1 to +1; neutral documents do not move it.",
    "MTTR = 已处置预警的 (处置时间 − 发现时间) 的平均值；发现时间为首篇文档的抓取时间。MTTR is the mean of "
    "(response − detection) over responded alerts; detection is when the first document was fetched.",
]


def _headline(data: dict) -> list[tuple[str, str]]:
    o = data["overview"]
    cards = [("声量 Volume", fmt.count(o["volume"])),
             ("环比 Change", fmt.pct(o["change"], signed=True)),
             ("净情感 Net sentiment", fmt.net(o["sentiment"]["net"])),
             ("负面占比 Negative", fmt.pct(o["sentiment"]["shares"]["negative"]))]
    alerts = data.get("alerts")
    if alerts and alerts["exists"]:
        cards += [("预警 Alerts", fmt.count(alerts["total"])), ("MTTR", fmt.span(alerts["mttr_s"]))]
    return cards


# -- sections ----------------------------------------------------------------

def _overview(data: dict, window: Window) -> Section:
    o = data["overview"]
    section = Section("overview", TITLES["overview"])
    previous = window.previous()
    if o["volume"] == 0:
        section.empty = (f"{NO_DOCUMENTS}: {window.label()}。上期（{previous.label()}）"
                         f"{fmt.count(o['previous_volume'])} 篇。")
        return section
    section.lines.append(
        f"本期（{window.label()}）共 {fmt.count(o['volume'])} 篇，来自 {fmt.count(o['sources'])} 个来源；"
        f"上期（{previous.label()}）{fmt.count(o['previous_volume'])} 篇，环比 {fmt.pct(o['change'], signed=True)}。")
    buckets = data["timeline"]["buckets"]
    peak = max(buckets, key=lambda b: b["count"])
    unit = {"hour": "小时", "day": "天", "week": "周"}[data["timeline"]["interval"]]
    section.lines.append(f"峰值：{peak['label']}（{fmt.count(peak['count'])} 篇/{unit}）。")
    section.charts.append(Chart("volume", "声量趋势（按渠道）", charts.volume(buckets)))
    return section


def _sentiment(data: dict, window: Window) -> Section:
    o = data["overview"]
    mood, before = o["sentiment"], o["previous_sentiment"]
    section = Section("sentiment", TITLES["sentiment"])
    if not mood["labelled"]:
        section.empty = f"本期 {fmt.count(o['volume'])} 篇文档均无情感标注 · No document has a sentiment label"
        return section
    shares = mood["shares"]
    section.lines.append(
        f"正面 {fmt.pct(shares['positive'])}、中性 {fmt.pct(shares['neutral'])}、负面 {fmt.pct(shares['negative'])}"
        f"（{fmt.count(mood['labelled'])} 篇有情感标注，{fmt.count(mood['unlabelled'])} 篇无）。")
    section.lines.append(f"净情感值 {fmt.net(mood['net'])}，上期 {fmt.net(before['net'])}。")
    section.charts.append(Chart("sentiment-shares", "情感占比", charts.shares(mood["counts"], "情感占比")))
    if "timeline" in data:
        section.charts.append(Chart("sentiment", "情感走势与净情感值", charts.sentiment(data["timeline"]["buckets"])))
    names = charts.SENTIMENT_NAMES
    section.tables.append(Table(
        ["情感 sentiment", "本期 count", "占比 share", "上期 previous"],
        [[names[label], fmt.count(mood["counts"][label]), fmt.pct(shares[label]),
          fmt.count(before["counts"][label])] for label in figures.SENTIMENTS],
        numeric=(1, 2, 3)))
    return section


def _channels(data: dict, window: Window) -> Section:
    rows = data["channels"]
    section = Section("channels", TITLES["channels"])
    if not rows:
        section.empty = "本期文档没有渠道字段 · No document of the period has a channel"
        return section
    lead = rows[0]
    section.lines.append(f"{charts.channel_name(lead['channel'])}渠道最多：{fmt.count(lead['count'])} 篇"
                         f"（{fmt.pct(lead['share'])}）。")
    section.charts.append(Chart("channels", "渠道分布", charts.bars(
        [(charts.channel_name(r["channel"]), r["count"]) for r in rows], "渠道分布（文档数）")))
    section.tables.append(Table(
        ["渠道 channel", "文档 count", "占比 share", "负面 negative", "净情感 net"],
        [[f"{charts.channel_name(r['channel'])} ({r['channel']})", fmt.count(r["count"]), fmt.pct(r["share"]),
          fmt.count(r["sentiment"]["negative"]), fmt.net(r["net_sentiment"])] for r in rows],
        numeric=(1, 2, 3, 4)))
    return section


def _sources(data: dict, window: Window) -> Section:
    rows = data["sources"]
    section = Section("sources", TITLES["sources"])
    if not rows:
        section.empty = "本期文档没有来源字段 · No document of the period has a source"
        return section
    section.lines.append(f"前 {len(rows)} 个来源合计 {fmt.count(sum(r['count'] for r in rows))} 篇；"
                         f"最多的是 {rows[0]['source']}（{fmt.count(rows[0]['count'])} 篇）。")
    section.charts.append(Chart("sources", "主要来源", charts.bars(
        [(fmt.clip(r["source"], 24), r["count"]) for r in rows], "主要来源（文档数，红色为负面）",
        highlight=[r["negative"] for r in rows], highlight_label="负面")))
    section.tables.append(Table(
        ["来源 source", "渠道 channel", "文档 count", "占比 share", "负面 negative", "净情感 net",
         "转发 reposts", "评论 comments", "最大粉丝 followers"],
        [[r["source"], charts.channel_name(r["channel"] or ""), fmt.count(r["count"]), fmt.pct(r["share"]),
          fmt.count(r["negative"]), fmt.net(r["net_sentiment"]), fmt.count(r["engagement"]["reposts"]),
          fmt.count(r["engagement"]["comments"]),
          fmt.count(int(r["max_followers"])) if r["max_followers"] is not None else "—"] for r in rows],
        numeric=(2, 3, 4, 5, 6, 7, 8)))
    return section


def _regions(data: dict, window: Window) -> Section:
    found = data["regions"]
    section = Section("regions", TITLES["regions"])
    if not found["regions"]:
        section.empty = "本期文档均无地域信息 · No document of the period has a region"
        return section
    section.lines.append(f"{fmt.count(found['located'])} 篇可定位到省份，"
                         f"{fmt.count(found['unlocated'])} 篇无地域信息。")
    rows = found["regions"]
    section.charts.append(Chart("regions", "地域分布", charts.bars(
        [(r["province"], r["count"]) for r in rows], "地域分布（省份，文档数）", color=charts.PALETTE[2])))
    section.tables.append(Table(
        ["省份 province", "文档 count", "占比 share", "主要城市 cities"],
        [[r["province"], fmt.count(r["count"]), fmt.pct(r["share"]), "、".join(r["cities"])] for r in rows],
        numeric=(1, 2)))
    return section


def _topics(data: dict, window: Window) -> Section:
    rows = data["topics"]
    section = Section("topics", TITLES["topics"])
    if not rows:
        section.empty = "本期没有热点话题 · No hot topic in this period"
        return section
    lead = rows[0]
    section.lines.append(f"{len(rows)} 个热点话题（按声量与增速排序：热度 = 本期声量 × √((本期 + 1) / (上期 + 1))）。"
                         f"最热：{fmt.clip(lead['title'], 40)}（{fmt.count(lead['volume'])} 篇，上期 "
                         f"{fmt.count(lead['previous'])} 篇）。")
    section.charts.append(Chart("topics", "热点话题", charts.bars(
        [(fmt.clip(r["title"], 22), r["volume"]) for r in rows], "热点话题（本期文档数）", color=charts.PALETTE[4])))
    section.tables.append(Table(
        ["#", "话题 topic", "关键词 keywords", "本期 docs", "上期 before", "热度 score", "代表文档 representatives"],
        [[str(n), fmt.clip(r["title"], 40), "、".join(r["keywords"]), fmt.count(r["volume"]),
          fmt.count(r["previous"]), f"{r['score']:g}",
          [Link(f"{'首发' if d['role'] == 'origin' else '高互动'} {d['source'] or ''} {fmt.clip(d['title'], 30)}",
                d["url"]) for d in r["representatives"]]]
         for n, r in enumerate(rows, 1)],
        numeric=(0, 3, 4, 5)))
    return section


def _keywords(data: dict, window: Window) -> Section:
    words = data["keywords"]
    section = Section("keywords", TITLES["keywords"])
    if not words:
        section.empty = "本期文档没有提取关键词 · No keywords in this period's documents"
        return section
    section.lines.append("、".join(f"{w['keyword']}（{w['count']}）" for w in words[:10]) + "。")
    section.charts.append(Chart("keywords", "关键词云", cloud(words)))
    section.tables.append(Table(["关键词 keyword", "文档 count"],
                                [[w["keyword"], fmt.count(w["count"])] for w in words[:20]], numeric=(1,)))
    return section


def _alerts(data: dict, window: Window) -> Section:
    a = data["alerts"]
    section = Section("alerts", TITLES["alerts"])
    if not a["exists"]:
        section.empty = (f"预警索引 {a['index']} 不存在：还没有预警写入（由 yuqing alerts deliver 写入）· "
                         f"The alerts index {a['index']} does not exist: no alert has been delivered yet")
        return section
    if not a["total"]:
        section.empty = f"本期无预警 · No alert was detected in this period: {window.label()}"
        return section
    grades = "，".join(f"{g['symbol']}级 {g['count']}" for g in a["by_grade"] if g["count"])
    section.lines.append(f"本期发现预警 {fmt.count(a['total'])} 条（{grades}），首条发现于 "
                         f"{fmt.local(a['first_detected_at'], window.tz)}。")
    open_count = a["total"] - a["responded"]
    section.lines.append(f"已处置 {fmt.count(a['responded'])} 条，未处置 {fmt.count(open_count)} 条；"
                         f"MTTR（发现→处置）{fmt.span(a['mttr_s'])}，平均确认用时 {fmt.span(a['mtta_s'])}，"
                         f"平均发现延迟（发布→发现）{fmt.span(a['detection_delay_s'])}。")
    section.charts.append(Chart("alerts", "预警分级", charts.grades(a["by_grade"])))
    section.tables.append(Table(
        ["级别 grade", "预警 alerts", "已处置 responded", "首条发现 first detected", "MTTR"],
        [[f"{g['symbol']} {g['name']}", fmt.count(g["count"]), fmt.count(g["responded"]),
          fmt.local(g["first_detected_at"], window.tz), fmt.span(g["mttr_s"])] for g in a["by_grade"]],
        numeric=(1, 2, 4)))
    section.tables.append(Table(
        ["级别", "规则 rule", "首发文档 first document", "发现 detected", "处置 responded", "用时 time", "状态 state",
         "处置说明 note"],
        [[r["grade"], r["rule"], Link(fmt.clip(r["title"], 40), r["url"]), fmt.local(r["detected_at"], window.tz),
          fmt.local(r["responded_at"], window.tz), fmt.span(r["time_to_respond_s"]), r["state"] or "",
          fmt.clip(r["response_note"], 40)] for r in a["alerts"]],
        numeric=(5,)))
    return section


def _rules(data: dict, window: Window) -> Section:
    topics = data["rules"]["topics"]
    section = Section("rules", TITLES["rules"])
    if not any(r["count"] for t in topics for r in t["rules"]):
        section.empty = "本期没有文档命中规则 · No document of the period matched a rule"
        return section
    for t in topics:
        leader = t["rules"][0]
        section.lines.append(f"{t['topic'] or '（无专题）'}：{len(t['rules'])} 条规则共命中 {fmt.count(t['hits'])} 次，"
                             f"最多的是 {leader['name']}（{fmt.count(leader['count'])}，净情感 "
                             f"{fmt.net(leader['net_sentiment'])}）。")
    section.charts.append(Chart("rules", "规则 / 竞品对比", charts.rules(topics)))
    section.tables.append(Table(
        ["专题 topic", "规则 rule", "命中 hits", "正面", "中性", "负面", "净情感 net"],
        [[t["topic"] or "—", f"{r['name']} ({r['rule']})", fmt.count(r["count"]),
          fmt.count(r["sentiment"]["positive"]), fmt.count(r["sentiment"]["neutral"]),
          fmt.count(r["sentiment"]["negative"]), fmt.net(r["net_sentiment"])]
         for t in topics for r in t["rules"]],
        numeric=(2, 3, 4, 5, 6)))
    return section


def _propagation(data: dict, window: Window) -> Section:
    p = data["propagation"]
    section = Section("propagation", TITLES["propagation"])
    first = p["origin"]
    section.lines.append(f"首发：{first['source']} 于 {fmt.local(first['time'], window.tz)}"
                         f"《{fmt.clip(first['title'])}》；"
                         f"随后 {len(p['path']) - 1} 个来源跟进，{fmt.count(p['linked'])} 篇为转发或回复。")
    section.charts.append(Chart("propagation", "传播路径", charts.spread(p["path"], window.tz)))
    section.tables.append(Table(
        ["#", "首次出现 first seen", "来源 source", "渠道 channel", "文档 docs", "转发/回复 linked",
         "首篇 first document"],
        [[str(s["step"]), fmt.local(s["first_time"], window.tz), s["source"], charts.channel_name(s["channel"] or ""),
          fmt.count(s["count"]), fmt.count(s["linked"]), Link(fmt.clip(s["first_title"], 40), s["first_url"])]
         for s in p["path"]],
        numeric=(0, 4, 5)))
    return section


def _story(data: dict, window: Window) -> Section:
    story = data["story"]
    section = Section("story", TITLES["story"])
    if story is None:
        section.empty = "索引中没有这个话题的文档 · The index has no document of this story"
        return section
    first = story["origin"]
    section.lines.append(f"首发：{first['source']} 于 {fmt.local(first['time'], window.tz)}"
                         f"《{fmt.clip(first['title'])}》。"
                         f"共 {len(story['path'])} 篇、{story['sources']} 个来源；首日 {story['first_day']} 篇，"
                         f"速度 {story['speed_per_hour']:g} 篇/小时；{len(story['edges'])} 条转发/回复关系。")
    firsts: dict[str, dict] = {}
    for step in story["path"]:
        firsts.setdefault(step["source"], {"source": step["source"], "first_time": step["time"]})
    section.charts.append(Chart("propagation", "传播路径", charts.spread(list(firsts.values()), window.tz)))
    shown = story["path"][:STORY_STEPS]
    section.tables.append(Table(
        ["偏移 offset", "时间 time", "来源 source", "渠道 channel", "关系 link", "文档 document"],
        [[s["offset"], fmt.local(s["time"], window.tz), s["source"], charts.channel_name(s["channel"] or ""),
          s["link_kind"] or "", Link(fmt.clip(s["title"], 40), s["url"])] for s in shown]))
    if len(story["path"]) > len(shown):
        section.lines.append(f"下表列出前 {len(shown)} 篇，全部 {len(story['path'])} 篇见 JSON。")
    return section


def _hot_topics(c: "_Context") -> list[dict]:
    from yuqing.cluster.topics import hot_topics

    # The cluster package's ranking, over the same period and scope as the report.
    topics = hot_topics(ScopedStore(c.store, c.scope), c.window.length.total_seconds() / 3600, c.window.until,
                        limit=c.top)
    return [t.to_dict() for t in topics]


def _load_story(c: "_Context") -> dict | None:
    from yuqing.cluster.story import load_story

    story = load_story(c.store, c.scope.cluster)
    return story.to_dict() if story else None


@dataclass(frozen=True)
class _Context:
    store: object
    alert_index: object
    window: Window
    scope: Scope
    rules: list
    top: int


# Sections with figures of their own; the others state the overview's and timeline's.
COMPUTE: dict[str, Callable[[_Context], object]] = {
    "channels": lambda c: figures.channels(c.store, c.window, c.scope),
    "sources": lambda c: figures.sources(c.store, c.window, c.scope, c.top),
    "regions": lambda c: figures.regions(c.store, c.window, c.scope, c.top),
    "topics": _hot_topics,
    "story": _load_story,
    "keywords": lambda c: figures.keywords(c.store, c.window, c.scope),
    "alerts": lambda c: alert_figures(c.alert_index, c.window, c.scope),
    "rules": lambda c: figures.rule_comparison(c.store, c.window, c.scope, c.rules),
    "propagation": lambda c: propagation(c.store, c.window, c.scope),
}
WRITE = {
    "sentiment": _sentiment, "channels": _channels, "sources": _sources, "regions": _regions,
    "topics": _topics, "keywords": _keywords, "alerts": _alerts, "rules": _rules, "propagation": _propagation,
    "story": _story,
}
