"""Broken responses under ``/bad/``: what a crawler meets on the real web.

Each entry says what a robust crawler should make of it: ``expect="error"``
(count a failure with ``reason``, index nothing) or ``expect="document"``
(index a document despite the damage; ``must_contain`` is the normalized text
that must survive).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import cache
from html import escape
from collections.abc import Callable

from .content.news import BY_SLUG
from .response import Response, html, not_found, xml


@dataclass(frozen=True)
class BadPage:
    path: str
    reason: str
    expect: str
    render: Callable[[str], Response]
    """Called with the base URL (feeds need absolute links)."""
    title: str = ""
    lang: str = ""
    must_contain: str = ""
    published: str | None = None
    """Local Asia/Shanghai publish time shown on the page, when it is parseable."""


def _png() -> bytes:
    width = height = 16
    raw = b"".join(b"\x00" + bytes((x * 16 + y) % 256 for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _article(title: str, info: str, paragraphs: list[str], extra: str = "", meta_charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="{meta_charset}"><title>{title}_滨海新闻网</title></head>
<body>
<header class="site-header"><a class="logo" href="/news/">滨海新闻网</a></header>
<div class="breadcrumb">当前位置：<a href="/news/">首页</a> &gt; 城市 &gt; 正文</div>
<article class="article">
<h1 class="article-title">{title}</h1>
<div class="article-info">{info}</div>
<div class="article-content" id="content">
{body}
</div>
</article>
{extra}
<footer class="site-footer"><p>&copy; 2003-2026 滨海新闻网 版权所有</p></footer>
</body>
</html>
"""


_BAD_DATE_TITLE = "滨海市公交线路优化调整方案公开征求意见"
_BAD_DATE_PHRASE = "拟对全市23条公交线路进行优化调整"


def _bad_date(_base: str) -> Response:
    return html(_article(
        _BAD_DATE_TITLE,
        '<span class="pub-time">发布时间：2025-13-45 25:61</span> <span class="source">来源：滨海晚报</span>',
        [f"为配合地铁5号线开通，滨海市交通运输局近日发布公告，{_BAD_DATE_PHRASE}，其中撤销线路3条、缩短线路6条、新开接驳线路5条。",
         "交通部门表示，调整方案以减少与地铁重复线路、加密地铁站接驳为原则，市民可在公示期内通过热线或网站提交意见。",
         "不少沿线居民关心调整后老年人出行是否方便，交通部门回应称，将保留途经医院和菜市场的主要站点。"],
    ))


_TRUNCATED_TITLE = "滨海港集装箱吞吐量创同期新高"
_TRUNCATED_PHRASE = "前十个月集装箱吞吐量完成812万标箱"


def _truncated(_base: str) -> Response:
    page = _article(
        _TRUNCATED_TITLE,
        '<span class="pub-time">2025-11-10 10:30</span> <span class="source">来源：滨海日报</span>',
        [f"记者从滨海港集团获悉，滨海港{_TRUNCATED_PHRASE}，同比增长9.6%，创历史同期新高。",
         "港口负责人介绍，今年新开通的三条国际航线贡献了主要增量，冷链和新能源汽车出口增长尤为明显。",
         "业内人士认为，随着港区自动化码头二期投入使用，明年吞吐能力有望进一步提升，但也需关注外贸需求的波动。"],
    )
    # Cut inside the third paragraph's opening tag, as when a connection drops.
    return html(page[:page.index("<p>业内人士") + 2])


_HUGE_TITLE = "滨海市2025年民生实事项目网友留言汇总"
_HUGE_PHRASE = "市民通过留言板共提交意见建议三万六千余条"
_HUGE_COMMENTS = (
    "希望老小区加装电梯的审批再快一点。", "家门口的菜市场改造得很干净，点赞。", "公交站台能不能多装几个遮雨棚？",
    "建议学校周边增加上下学时段的交通疏导。", "社区食堂价格实惠，老人吃饭方便多了。", "夜间施工噪音太大，希望加强管理。",
    "公园里的健身器材有几个坏了，麻烦修一下。", "地铁站出口的共享单车停放太乱了。",
)


@cache
def _huge_body() -> bytes:
    comments = "\n".join(
        f'<li class="comment" id="c{n}"><span class="user">网友{n:05d}</span>：{_HUGE_COMMENTS[n % len(_HUGE_COMMENTS)]}</li>'
        for n in range(36000)
    )
    page = _article(
        _HUGE_TITLE,
        '<span class="pub-time">2025-11-05 09:00</span> <span class="source">来源：滨海新闻网</span>',
        [f"今年以来，{_HUGE_PHRASE}，涉及交通出行、教育医疗、社区服务等多个方面。",
         "市政府办公室表示，所有留言均已转交相关部门办理，办理结果将在网站上逐条公开。"],
        extra=f'<div class="comment-list"><h3>网友留言</h3><ul>\n{comments}\n</ul></div>',
    )
    return page.encode("utf-8")


def _huge(_base: str) -> Response:
    return Response(200, _huge_body(), "text/html; charset=utf-8")


_CONTROL_TITLE = "滨海市图书馆新馆今日试开放"
_CONTROL_PHRASE = "滨海市图书馆新馆今日试开放，首日接待读者八千余人次"


def _control_chars(_base: str) -> Response:
    # Zero-width marks and C0 controls inside words, as pasted from editors and chat apps.
    return html(_article(
        "滨海市\u200b图书馆新馆今日\u200d试开放",
        '<span class="pub-time">2025-11-08 18:20</span> <span class="source">来源：滨海晚报</span>',
        ["滨海市\u200b图书馆新馆\u200d今日\x07试开放，首日接待读者\ufeff八千余人次。\x0b新馆藏书量达到\u200e二百六十万册。",
         "新馆设有少儿阅读区、\x1f古籍修复展示区和24小时自助借还区，\u2060市民凭身份证即可办理借阅。"],
    ))


_GBK_TITLE = "滨海老街改造方案公示 居民意见不一"
_GBK_PHRASE = "老街改造方案在社区公示栏张贴后引发居民热议"


def _gbk_as_utf8(_base: str) -> Response:
    page = _article(
        _GBK_TITLE,
        '<span class="pub-time">2025-10-30 16:45</span> <span class="source">来源：滨海日报</span>',
        [f"近日，{_GBK_PHRASE}。方案提出保留沿街骑楼立面，同时对地下管网和消防通道进行整体更新。",
         "部分老住户担心改造后租金上涨、老字号难以为继；也有年轻居民认为，改造能让老街重新热闹起来。",
         "街道办表示，公示期内将召开三场居民座谈会，根据意见对方案进行修改完善。"],
    )
    return Response(200, page.encode("gbk"), "text/html; charset=utf-8")


def _api_html_error(_base: str) -> Response:
    page = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>系统繁忙</title></head>"
            "<body><h1>系统繁忙，请稍后再试</h1><p>错误代码：GW-502</p></body></html>")
    return Response(200, page.encode("utf-8"), "application/json; charset=utf-8")


def _broken_feed(base: str) -> Response:
    a = BY_SLUG["aurora-s7-recall"]
    b = BY_SLUG["qingxi-flood-relocation"]
    # Unescaped "&", an unclosed <description> and a missing </rss>.
    return xml(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>滨海新闻网 & 合作媒体</title>
<link>{base}/news/</link>
<item><title>{escape(a.title)}</title><link>{base}{a.path}</link><description>召回 & 更换
</item>
<item><title>{escape(b.title)}</title><link>{base}{b.path}</link>
</channel>
""", content_type="application/rss+xml; charset=utf-8")


BAD_PAGES: tuple[BadPage, ...] = (
    BadPage("/bad/not-html", "not_html", "error", lambda _b: Response(200, _png(), "text/html; charset=utf-8")),
    BadPage("/bad/empty", "empty_body", "error", lambda _b: Response(200, b"", "text/html; charset=utf-8")),
    BadPage("/bad/feed.xml", "bad_feed", "error", _broken_feed),
    BadPage("/bad/bad-date.html", "unparseable_date", "document", _bad_date,
            title=_BAD_DATE_TITLE, lang="zh", must_contain=_BAD_DATE_PHRASE),
    BadPage("/bad/404", "http_404", "error", lambda _b: not_found()),
    BadPage("/bad/500", "http_500", "error", lambda _b: html(
        "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
        "<body><h1>500 Internal Server Error</h1></body></html>", status=500)),
    BadPage("/bad/truncated.html", "truncated_html", "document", _truncated,
            title=_TRUNCATED_TITLE, lang="zh", must_contain=_TRUNCATED_PHRASE, published="2025-11-10 10:30"),
    BadPage("/bad/huge.html", "huge_body", "document", _huge,
            title=_HUGE_TITLE, lang="zh", must_contain=_HUGE_PHRASE, published="2025-11-05 09:00"),
    BadPage("/bad/control-chars.html", "control_chars", "document", _control_chars,
            title=_CONTROL_TITLE, lang="zh", must_contain=_CONTROL_PHRASE, published="2025-11-08 18:20"),
    BadPage("/bad/gbk-as-utf8.html", "wrong_charset", "document", _gbk_as_utf8,
            title=_GBK_TITLE, lang="zh", must_contain=_GBK_PHRASE, published="2025-10-30 16:45"),
    BadPage("/bad/api-html-error", "not_json", "error", _api_html_error),
)

BY_PATH = {b.path: b for b in BAD_PAGES}

# The mixed feed interleaves good articles (by slug) with every bad page an
# article link can meet (by path), so a crawl test can check that the good
# ones around the bad ones still get indexed.
_MIXED_FEED = ("/bad/not-html", "xianweifang-kitchen-video", "/bad/empty", "/bad/404", "aurora-recall-en",
               "/bad/500", "/bad/truncated.html", "binhai-metro-line5-opens", "/bad/bad-date.html",
               "/bad/control-chars.html", "qingxi-flood-rebuild", "/bad/gbk-as-utf8.html", "/bad/huge.html")


def mixed_feed_paths() -> list[str]:
    return [entry if entry.startswith("/") else BY_SLUG[entry].path for entry in _MIXED_FEED]


def mixed_feed(base: str) -> Response:
    items = []
    for n, path in enumerate(mixed_feed_paths()):
        article = next((a for a in BY_SLUG.values() if a.path == path), None)
        title = article.title if article else (BY_PATH[path].title or f"链接 {n + 1}")
        # pubDate strictly decreasing, one hour apart, from a fixed instant.
        items.append(f"<item><title>{escape(title)}</title><link>{base}{path}</link>"
                     f"<pubDate>Thu, 20 Nov 2025 {23 - n:02d}:00:00 +0800</pubDate></item>")
    return xml(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>滨海新闻网 - 合作稿件</title>
<link>{base}/news/</link>
<description>Mixed feed: good articles and broken pages</description>
{chr(10).join(items)}
</channel>
</rss>
""", content_type="application/rss+xml; charset=utf-8")


def render(path: str, base: str) -> Response | None:
    page = BY_PATH.get(path)
    return page.render(base) if page else None
