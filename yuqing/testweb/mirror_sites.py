"""The same story republished by several sites: ground truth for clustering.

``/mirror/<site>/<yyyymmdd>/<slug>.html`` serves articles of six fictional
publishers, each with its own page template and its own edits of what it
copies: a "转载：" or "Repost:" title prefix, a reworded headline, an editor's
note, a "本文转载自..." or "originally published by" footer, a dropped or
added paragraph, a related-links block. Two stories (one Chinese, one
English) are each republished this way; a few other articles share their
entities and vocabulary but tell a different story (the negatives every
near-duplicate detector must keep apart). ``/mirror/feed.xml`` lists all of
them. The manifest lists them under ``mirror`` (not ``items``: the main feeds
do not link here), each with the ``story`` label clustering is scored on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from typing import Any

from .content import SHANGHAI, local_to_offset_iso, local_to_utc_iso
from .response import Response, html, xml


@dataclass(frozen=True)
class Site:
    key: str
    name: str


SITES = {s.key: s for s in (
    Site("bhdaily", "滨海日报"),
    Site("dongan", "东岸资讯网"),
    Site("haifeng", "海风网"),
    Site("chaosheng", "今日潮声"),
    Site("beiwan", "北湾晚报"),
    Site("coastal", "Coastal Wire"),
    Site("bhpost", "Binhai Post"),
)}


@dataclass(frozen=True)
class MirrorArticle:
    site: str
    slug: str
    story: str
    """Clustering label: articles with the same label tell the same story."""
    published: str  # Asia/Shanghai wall clock
    title: str
    paragraphs: tuple[str, ...]
    must_contain: str
    author: str = ""
    related: tuple[str, ...] = ()
    """Slugs of other mirror articles linked below the body."""

    @property
    def path(self) -> str:
        return f"/mirror/{self.site}/{self.published[:10].replace('-', '')}/{self.slug}.html"

    @property
    def lang(self) -> str:
        return "en" if self.title.isascii() else "zh"


# --- Story "fire": a chemical warehouse fire, first reported by 滨海日报 -------

_FIRE = (
    "本报讯（记者 林晓峰）11月22日凌晨2时许，滨海市临港工业区海川化工有限公司一座原料仓库发生火灾。"
    "市消防救援支队接警后调派12辆消防车、68名指战员赶赴现场处置，经过约三个小时扑救，"
    "明火于凌晨5时10分被扑灭，事故未造成人员伤亡。",
    "据现场指挥员介绍，起火仓库为单层钢结构建筑，面积约1200平方米，主要存放塑料颗粒和包装材料。"
    "消防人员到场时仓库顶部已有部分坍塌，浓烟较大，指挥部随即设立警戒区，并组织周边两家企业的夜班员工有序撤离。",
    "为防止火势蔓延至相邻的溶剂储罐区，消防人员在储罐区外侧架设了四门移动水炮持续冷却，"
    "同时关闭厂区雨水排口，防止消防废水进入附近的临港河。",
    "市生态环境局在火灾发生后启动应急监测，在厂区下风向布设了5个空气监测点位。"
    "截至22日上午8时，各点位挥发性有机物和颗粒物浓度均未超过相关标准，临港河入海口水质监测结果也未见异常。",
    "海川化工有限公司相关负责人表示，公司已停止厂区全部生产作业，配合有关部门开展调查，"
    "并将对受影响的周边企业进行沟通和补偿。",
    "目前，起火原因正在调查中。临港工业区管委会表示，将在全区开展为期一个月的消防安全隐患排查，"
    "重点检查仓储场所的电气线路和可燃物堆放情况。",
)
_FIRE_TITLE = "临港工业区一化工仓库凌晨起火 消防连夜扑救无人员伤亡"

# --- Story "bridge": a bridge closure, first reported by Binhai Post ---------

_BRIDGE = (
    "The Harbour Road bridge over the Qingshui River was closed to all traffic on Monday morning after "
    "a routine inspection found cracks up to 40 centimetres long in one of its steel support beams, "
    "the city's transport bureau said.",
    "Engineers discovered the damage on Sunday night during a scheduled check of the 38-year-old bridge, "
    "which carries about 26,000 vehicles a day between the old town and the port district. "
    "The bureau said it closed the bridge as a precaution while specialists assess whether the beam can be repaired.",
    "Buses on routes 7, 15 and 22 are being diverted via the Tongji Street bridge, adding ten to fifteen minutes "
    "to journeys at peak hours. Pedestrians and cyclists can still use a temporary walkway on the east side.",
    "A spokesperson for the transport bureau said a full structural assessment would take at least two weeks. "
    "The bridge was last strengthened in 2016, when two of its piers were reinforced.",
    "Residents of the port district said morning traffic on the diversion route was heavy, "
    "and several shop owners near the bridge worried about losing customers during the closure.",
)
_BRIDGE_TITLE = "Harbour Road bridge closed after inspectors find cracks in support beam"


ARTICLES: tuple[MirrorArticle, ...] = (
    # The origin: earliest publish time of the story.
    MirrorArticle("bhdaily", "lingang-fire", "fire", "2025-11-22 09:10", _FIRE_TITLE, _FIRE,
                  must_contain="明火于凌晨5时10分被扑灭", author="林晓峰",
                  related=("hc-upgrade",)),
    MirrorArticle("dongan", "zz-lingang-fire", "fire", "2025-11-22 10:02", "转载：" + _FIRE_TITLE, (
        "【编者按】近期本地工业园区火灾多发，本网转载此文，提醒各企业绷紧安全生产这根弦。",
        *_FIRE,
        "（本文转载自滨海日报，版权归原作者所有，如有侵权请联系删除）",
    ), must_contain="明火于凌晨5时10分被扑灭"),
    MirrorArticle("haifeng", "warehouse-fire", "fire", "2025-11-22 11:30",
                  "滨海临港工业区化工仓库起火，消防连夜扑救，未造成人员伤亡", (
        "海风网讯 11月22日凌晨2时许，滨海市临港工业区海川化工有限公司一座原料仓库起火。"
        "市消防救援支队接警后调派12辆消防车、68名指战员赶赴现场，经过约三个小时扑救，"
        "明火于凌晨5时10分被扑灭，事故未造成人员伤亡。",
        *_FIRE[1:4], _FIRE[5],
        "来源：滨海日报 编辑：周可",
    ), must_contain="各点位挥发性有机物和颗粒物浓度均未超过相关标准",
        related=("lingang-drill", "oldtown-kitchen-fire")),
    MirrorArticle("chaosheng", "fire-scene", "fire", "2025-11-22 13:45",
                  "突发！临港工业区化工仓库凌晨大火，最新情况来了", (
        "点击上方蓝字关注我们",
        "来源：滨海日报",
        *_FIRE,
        "— END —",
        "喜欢就点个在看吧",
        "声明：本文内容来源于网络，仅供学习交流，如有侵权请联系删除。",
    ), must_contain="关闭厂区雨水排口"),
    MirrorArticle("beiwan", "warehouse-fire-followup", "fire", "2025-11-23 07:20",
                  "化工仓库凌晨起火 消防三小时扑灭明火", (
        "原标题：" + _FIRE_TITLE,
        *_FIRE,
        "记者23日从临港工业区管委会获悉，事故调查组已初步排除人为纵火可能，具体原因仍在调查。",
    ), must_contain="事故调查组已初步排除人为纵火可能", author="北湾晚报综合"),

    MirrorArticle("bhpost", "harbour-road-bridge-closed", "bridge", "2025-11-24 08:30", _BRIDGE_TITLE, _BRIDGE,
                  must_contain="cracks up to 40 centimetres long", author="Helen Zhou",
                  related=("harbour-road-bridge-lighting",)),
    MirrorArticle("coastal", "harbour-bridge-shut", "bridge", "2025-11-24 09:45",
                  "Harbour Road bridge shut as cracks found in support beam", (
        "Editor's note: this story has been updated with bus diversion details.",
        *_BRIDGE,
        "This story was originally published by Binhai Post and is republished here with permission.",
    ), must_contain="temporary walkway on the east side", author="Binhai Post",
        related=("riverside-gym-roof",)),
    MirrorArticle("dongan", "repost-harbour-bridge", "bridge", "2025-11-24 12:10",
                  "Repost: Harbour Road bridge closed after inspectors find cracks", (
        *_BRIDGE[:4],
        "Read more: city transport updates and detour maps.",
        "Copyright Binhai Post. All rights reserved.",
    ), must_contain="strengthened in 2016"),

    # Negatives: same company, place, vocabulary or road; a different story each.
    MirrorArticle("bhdaily", "hc-upgrade", "neg-upgrade", "2025-11-20 16:40",
                  "海川化工投资2.3亿元建设废气治理升级项目", (
        "本报讯（记者 陈敏）滨海市临港工业区海川化工有限公司20日宣布，将投资2.3亿元对厂区废气收集和治理设施进行升级改造，"
        "项目预计明年6月建成投用。",
        "根据公司公布的方案，升级项目将新建两套蓄热式焚烧装置，对溶剂储罐区和生产车间的挥发性有机物进行集中收集处理，"
        "处理效率预计由目前的85%提高到97%以上。",
        "海川化工有限公司相关负责人表示，项目建成后公司挥发性有机物年排放量将减少约120吨，"
        "公司还将在厂界新增在线监测设备，数据实时接入市生态环境局平台。",
        "临港工业区管委会表示，园区今年已有11家化工企业启动类似改造，管委会将对按期完成的企业给予专项资金补助。",
    ), must_contain="新建两套蓄热式焚烧装置", author="陈敏"),
    MirrorArticle("haifeng", "lingang-drill", "neg-drill", "2025-11-21 15:20",
                  "临港工业区开展危化品仓库消防应急演练", (
        "海风网讯 11月21日下午，滨海市消防救援支队联合临港工业区管委会在园区内开展危化品仓库火灾应急演练，"
        "8家化工企业的应急队伍和15辆消防车参加演练。",
        "演练模拟一座存放溶剂的仓库因电气线路故障起火，现场浓烟较大。企业员工按预案报警、切断电源并组织人员撤离，"
        "消防人员到场后设立警戒区，架设移动水炮对相邻储罐进行冷却，并封堵雨水排口防止污水外流。",
        "市生态环境局同步开展应急监测演练，在下风向布设空气监测点位，演示污染物快速检测流程。",
        "临港工业区管委会有关负责人表示，园区将把演练中发现的通讯不畅、物资取用慢等问题纳入整改清单，"
        "并在年底前完成全部化工仓储场所的消防设施检查。",
    ), must_contain="8家化工企业的应急队伍"),
    MirrorArticle("dongan", "oldtown-kitchen-fire", "neg-kitchen", "2025-11-22 19:05",
                  "老城区一居民楼厨房起火 消防员十分钟扑灭", (
        "东岸资讯讯 11月22日晚6时许，滨海市老城区青石巷一栋六层居民楼的四楼住户厨房起火，"
        "浓烟从窗口冒出，楼内居民自行疏散到楼下空地。",
        "老城区消防救援站接警后派出3辆消防车赶到现场，消防员佩戴空气呼吸器进入室内，约十分钟将明火扑灭，"
        "事故未造成人员伤亡，厨房内部分家具和电器被烧毁。",
        "据了解，起火原因是住户外出时忘记关闭燃气灶，锅内食物干烧引燃了周围的可燃物。",
        "消防部门提醒市民，做饭时不要离开厨房，外出前检查燃气阀门，家中可配备灭火毯和小型灭火器。",
    ), must_contain="锅内食物干烧引燃了周围的可燃物"),
    MirrorArticle("bhpost", "harbour-road-bridge-lighting", "neg-lighting", "2025-11-19 17:00",
                  "Harbour Road bridge to get new lighting and fresh paint next spring", (
        "The Harbour Road bridge over the Qingshui River will be repainted and fitted with new LED lighting "
        "next spring, the city's transport bureau announced on Wednesday.",
        "The work, budgeted at 14 million yuan, will replace lamps installed in the 1990s and restore the bridge's "
        "original blue colour. The bureau said the project would be carried out mostly at night.",
        "One lane in each direction will stay open during the works, and buses on routes 7 and 15 will keep their "
        "usual stops. The bureau expects the project to take about four months.",
        "Local artists have been invited to propose designs for the lighting of the bridge's two towers.",
    ), must_contain="restore the bridge's original blue colour", author="Helen Zhou"),
    MirrorArticle("coastal", "riverside-gym-roof", "neg-gym", "2025-11-24 16:30",
                  "Cracks found in Riverside school gym roof; classes moved", (
        "Physical education classes at Riverside Middle School have been moved outdoors after inspectors found cracks "
        "in a steel roof beam of the school's gymnasium, the district education office said on Monday.",
        "The office said the gym was closed as a precaution and that engineers would assess the roof this week. "
        "No one was hurt, and the school's other buildings were checked and found to be safe.",
        "Parents said they were told about the closure in a message from the school on Monday afternoon.",
        "The gymnasium was built in 2004 and last renovated in 2018.",
    ), must_contain="moved outdoors after inspectors found cracks"),
)
_BY_PATH = {a.path: a for a in ARTICLES}
_BY_SLUG = {a.slug: a for a in ARTICLES}


def _dt(a: MirrorArticle) -> datetime:
    return datetime.strptime(a.published, "%Y-%m-%d %H:%M")


def _paragraphs(a: MirrorArticle) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)


def _related(a: MirrorArticle, heading: str) -> str:
    if not a.related:
        return ""
    items = "".join(f'<li><a href="{_BY_SLUG[s].path}">{escape(_BY_SLUG[s].title)}</a> '
                    f'<span>{_BY_SLUG[s].published[:10]}</span></li>' for s in a.related)
    return f'<div class="related"><h3>{heading}</h3><ul>{items}</ul></div>'


def _page(a: MirrorArticle, head: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{"en" if a.lang == "en" else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
            f"{head}\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _bhdaily(a: MirrorArticle) -> str:
    """A newspaper site: Open Graph metadata, byline under the headline."""
    head = (f"<title>{escape(a.title)} - 滨海日报</title>\n"
            f'<meta property="og:title" content="{escape(a.title)}">\n'
            f'<meta property="article:published_time" content="{local_to_offset_iso(a.published)}">\n'
            f'<meta name="author" content="{escape(a.author)}">')
    body = f"""<header><a href="/mirror/bhdaily/">滨海日报</a> <nav><a href="#">要闻</a> <a href="#">经济</a> <a href="#">社会</a></nav></header>
<article>
<h1>{escape(a.title)}</h1>
<div class="info">{a.published} 来源：滨海日报 作者：{escape(a.author)}</div>
<div class="content">
{_paragraphs(a)}
</div>
<p class="editor">（责任编辑：郑楠）</p>
</article>
{_related(a, "相关新闻")}
<footer>滨海日报社版权所有 &copy; 1999-2026 未经授权不得转载</footer>"""
    return _page(a, head, body)


def _dongan(a: MirrorArticle) -> str:
    """A portal with a table layout; its English pages' visible dates carry no
    zone, so the offset is in a meta tag."""
    dt = _dt(a)
    when = (a.published if a.lang == "en"
            else f"{dt.year}年{dt.month}月{dt.day}日 {dt:%H:%M}")
    label = "Published" if a.lang == "en" else "发布时间："
    head = f"<title>{escape(a.title)}_东岸资讯网</title>"
    if a.lang == "en":
        head += f'\n<meta name="pubdate" content="{local_to_offset_iso(a.published)}">'
    body = f"""<table class="layout"><tr><td colspan="2"><div class="logo">东岸资讯网 DONGAN.NET</div>
<a href="#">首页</a> | <a href="#">本地</a> | <a href="#">国内</a> | <a href="#">English</a></td></tr>
<tr><td class="main">
<h1 class="title">{escape(a.title)}</h1>
<div class="meta">{label} {when}　点击：1024</div>
<div id="article-body">
{_paragraphs(a)}
</div>
<div class="share">分享到：微博 微信 QQ空间</div>
</td>
<td class="side"><h3>今日热点</h3><ul><li><a href="#">东岸区明起调整两条公交线路</a></li><li><a href="#">周末气温回升</a></li></ul></td></tr></table>
<div class="foot">东岸资讯网 版权所有 联系电话：0000-12345678</div>"""
    return _page(a, head, body)


def _haifeng(a: MirrorArticle) -> str:
    """A news site with a related-links block that carries its own dates."""
    dt = _dt(a)
    head = (f"<title>{escape(a.title)}|海风网</title>\n"
            f'<meta name="publishdate" content="{dt:%Y-%m-%d %H:%M:%S}">')
    body = f"""<div class="topnav"><a href="#">海风网</a> &gt; <a href="#">滨海</a> &gt; 正文</div>
<div class="article">
<h1>{escape(a.title)}</h1>
<div class="source-time"><span>{dt:%Y/%m/%d %H:%M}</span></div>
<div class="txt">
{_paragraphs(a)}
</div>
</div>
{_related(a, "相关阅读")}
<div class="footer">海风网 &copy; 2026</div>"""
    return _page(a, head, body)


def _chaosheng(a: MirrorArticle) -> str:
    """A self-media account page (WeChat-like)."""
    head = (f"<title>{escape(a.title)}</title>\n"
            f'<meta property="og:title" content="{escape(a.title)}">\n'
            '<meta property="og:site_name" content="今日潮声">')
    body = f"""<div class="rich_media">
<h1 class="rich_media_title">{escape(a.title)}</h1>
<div class="rich_media_meta_list"><span class="rich_media_meta_nickname">今日潮声</span>
<em id="publish_time">{a.published}</em></div>
<div class="rich_media_content" id="js_content">
{_paragraphs(a)}
</div>
<div class="rich_media_tool">阅读 10万+　在看 2301</div>
</div>"""
    return _page(a, head, body)


def _beiwan(a: MirrorArticle) -> str:
    """An evening paper: JSON-LD metadata, author line below the body."""
    head = (f"<title>{escape(a.title)}-北湾晚报</title>\n"
            '<script type="application/ld+json">'
            f'{{"@type": "NewsArticle", "headline": "{escape(a.title)}", '
            f'"datePublished": "{local_to_offset_iso(a.published)}"}}</script>')
    body = f"""<div class="header">北湾晚报 · 数字报</div>
<div class="crumb">当前位置：首页 &gt; 滨海新闻</div>
<h1>{escape(a.title)}</h1>
<div class="time">{a.published}:00</div>
<div class="main-text">
{_paragraphs(a)}
<p class="author">{escape(a.author)}</p>
</div>
<div class="footer">北湾晚报 版权所有</div>"""
    return _page(a, head, body)


def _english(site_name: str):
    def render(a: MirrorArticle) -> str:
        dt = _dt(a)
        head = (f"<title>{escape(a.title)} | {site_name}</title>\n"
                f'<meta property="og:title" content="{escape(a.title)}">\n'
                f'<meta property="og:site_name" content="{site_name}">\n'
                f'<meta property="article:published_time" content="{local_to_offset_iso(a.published)}">')
        byline = f'<p class="byline">By {escape(a.author)}</p>' if a.author else ""
        body = f"""<header class="masthead"><a href="#">{site_name}</a> <nav><a href="#">City</a> <a href="#">Business</a> <a href="#">Opinion</a></nav></header>
<main><article>
<h1>{escape(a.title)}</h1>
{byline}
<time datetime="{local_to_offset_iso(a.published)}">{dt:%B} {dt.day}, {dt:%Y} {dt:%H:%M}</time>
<div class="story-body">
{_paragraphs(a)}
</div>
</article>
{_related(a, "Related stories")}
</main>
<footer>&copy; 2026 {site_name}. All rights reserved. <a href="#">Terms</a> <a href="#">Privacy</a></footer>"""
        return _page(a, head, body)
    return render


_TEMPLATES = {
    "bhdaily": _bhdaily,
    "dongan": _dongan,
    "haifeng": _haifeng,
    "chaosheng": _chaosheng,
    "beiwan": _beiwan,
    "coastal": _english("Coastal Wire"),
    "bhpost": _english("Binhai Post"),
}


def render(a: MirrorArticle) -> str:
    return _TEMPLATES[a.site](a)


def feed(base: str) -> Response:
    items = "\n".join(
        f"""<item>
<title>{escape(a.title)}</title>
<link>{base}{a.path}</link>
<guid isPermaLink="true">{base}{a.path}</guid>
<pubDate>{format_datetime(_dt(a).replace(tzinfo=SHANGHAI))}</pubDate>
<source>{escape(SITES[a.site].name)}</source>
</item>"""
        for a in sorted(ARTICLES, key=lambda a: a.published, reverse=True)
    )
    return xml(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>转载监测 / Republished stories</title>
<link>{base}/mirror/feed.xml</link>
<description>Articles from several sites, some republishing the same story</description>
{items}
</channel>
</rss>
""", content_type="application/rss+xml; charset=utf-8")


def handle(path: str, base: str) -> Response | None:
    if path == "/mirror/feed.xml":
        return feed(base)
    article = _BY_PATH.get(path)
    return html(render(article)) if article else None


def manifest(base: str) -> list[dict[str, Any]]:
    return [{
        "kind": "article",
        "url": f"{base}{a.path}",
        "site": a.site,
        "publisher": SITES[a.site].name,
        "story": a.story,
        "title": a.title,
        "lang": a.lang,
        "published_at": local_to_utc_iso(a.published),
        "must_contain": a.must_contain,
    } for a in ARTICLES]
