"""Pages of the news site: homepage, article pages, RSS, Atom and sitemap.

Article pages carry the clutter real news pages have (navigation, breadcrumb,
related links with their own dates, a comment teaser, a copyright footer with
a year range) because that clutter is what extractors get wrong.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape

from .content import SHANGHAI, local_to_offset_iso
from .content.news import ARTICLES, ATOM_SLUGS, BY_SLUG, Article
from .response import Response, html, xml

SITE_NAME_ZH = "滨海新闻网"
SITE_NAME_EN = "Binhai News"
_BY_PATH = {a.path: a for a in ARTICLES}


def _newest_first() -> list[Article]:
    return sorted(ARTICLES, key=lambda a: a.published, reverse=True)


def _visible_time(a: Article) -> str:
    dt = datetime.strptime(a.published, "%Y-%m-%d %H:%M")
    if a.lang == "en":
        return f"{dt:%B} {dt.day}, {dt:%Y} {dt:%H:%M} (GMT+8)"
    if a.byline == "reporter":
        return f"{dt.year}年{dt.month:02d}月{dt.day:02d}日 {dt:%H:%M}"
    return a.published


def _head(a: Article) -> str:
    site = SITE_NAME_EN if a.lang == "en" else SITE_NAME_ZH
    parts = []
    if a.charset_declared == "header" and a.encoding == "utf-8":
        parts.append('<meta charset="utf-8">')
    elif a.charset_declared == "meta":
        # Understates the codec on purpose: the bytes are GBK/GB18030.
        parts.append("<meta charset=gb2312>")
    parts += [
        f"<title>{escape(a.title)}_{site}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="keywords" content="{escape(",".join(a.tags))}">',
        f'<meta name="description" content="{escape(a.summary)}">',
    ]
    if a.meta_time:
        parts += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{escape(a.title)}">',
            f'<meta property="og:site_name" content="{site}">',
            f'<meta property="article:published_time" content="{local_to_offset_iso(a.published)}">',
            f'<meta name="author" content="{escape(a.author)}">',
            f'<link rel="canonical" href="{a.path}">',
        ]
    parts.append('<link rel="alternate" type="application/rss+xml" title="RSS" href="/news/feed.xml">')
    return "\n".join(parts)


def _byline(a: Article) -> str:
    time = escape(_visible_time(a))
    if a.lang == "en":
        return (f'<p class="byline">By <span class="author-name">{escape(a.author)}</span>, {escape(a.source_name)}</p>\n'
                f'<p class="dateline">Published <span class="pub-date">{time}</span></p>')
    if a.byline == "reporter":
        # The reporter's name is only in the lead paragraph ("本报讯（记者 X）").
        return f'<div class="article-info"><span class="pub-time">{time}</span> <span class="source">来源：{escape(a.source_name)}</span></div>'
    return (f'<div class="article-info"><span class="pub-time">{time}</span> '
            f'<span class="source">来源：{escape(a.source_name)}</span> '
            f'<span class="author">作者：{escape(a.author)}</span></div>')


def _related(a: Article) -> str:
    heading = "Related" if a.lang == "en" else "相关阅读"
    items = "".join(
        f'<li><a href="{r.path}">{escape(r.title)}</a> <span class="date">{r.published[:10]}</span></li>'
        for r in (BY_SLUG[s] for s in a.related)
    )
    return f'<div class="related"><h3>{heading}</h3><ul>{items}</ul></div>'


def _hot_list(a: Article) -> str:
    """Sidebar of other same-language headlines: more dates for date extractors to trip on."""
    others = [o for o in _newest_first() if o.lang == a.lang and o.slug != a.slug][:4]
    heading = "Most read" if a.lang == "en" else "热点排行"
    items = "".join(f'<li><a href="{o.path}">{escape(o.title)}</a><em>{o.published}</em></li>' for o in others)
    return f'<aside class="sidebar"><h3>{heading}</h3><ol>{items}</ol></aside>'


def _chrome_top(lang: str, crumb: str) -> str:
    if lang == "en":
        nav = '<a href="/news/">Home</a> <a href="/news/#en">English</a> <a href="/news/#zh">中文</a>'
        return (f'<header class="site-header"><a class="logo" href="/news/">{SITE_NAME_EN}</a><nav>{nav}</nav></header>\n'
                f'<div class="breadcrumb"><a href="/news/">Home</a> &gt; {escape(crumb)} &gt; Article</div>')
    nav = '<a href="/news/">首页</a> <a href="/news/#zh">要闻</a> <a href="/news/#zh">社会</a> <a href="/news/#en">English</a>'
    return (f'<div class="top-bar">{SITE_NAME_ZH} · 滨海市重点新闻网站 <a href="#">登录</a> <a href="#">注册</a></div>\n'
            f'<header class="site-header"><a class="logo" href="/news/">{SITE_NAME_ZH}</a><nav>{nav}</nav></header>\n'
            f'<div class="breadcrumb">当前位置：<a href="/news/">首页</a> &gt; {escape(crumb)} &gt; 正文</div>')


def _footer(lang: str) -> str:
    if lang == "en":
        return ('<footer class="site-footer"><a href="#">About us</a> | <a href="#">Contact</a> | <a href="#">Privacy</a>'
                f'<p>&copy; 2003-2026 {SITE_NAME_EN} Network. All rights reserved. 版权所有</p></footer>')
    return ('<footer class="site-footer"><a href="#">关于我们</a> | <a href="#">联系我们</a> | <a href="#">广告服务</a> | '
            f'<a href="#">违法和不良信息举报</a><p>&copy; 2003-2026 {SITE_NAME_ZH} 版权所有 未经授权禁止转载</p>'
            '<p>滨ICP备05012345号</p></footer>')


def render_article(a: Article) -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    if a.lang == "en":
        teaser = f'<div class="comments-teaser"><h3>Comments ({a.comments})</h3><a href="#comments">Join the discussion</a></div>'
        editor = ""
    else:
        teaser = (f'<div class="comments-teaser"><h3>网友评论</h3><p>已有 <b>{a.comments}</b> 条评论，'
                  '<a href="#comments">点击查看全部评论</a></p></div>')
        editor = '<p class="editor">（责任编辑：王思琪）</p>'
    return f"""<!DOCTYPE html>
<html lang="{'en' if a.lang == 'en' else 'zh-CN'}">
<head>
{_head(a)}
</head>
<body>
{_chrome_top(a.lang, a.section)}
<div class="main">
<article class="article">
<h1 class="article-title">{escape(a.title)}</h1>
{_byline(a)}
<div class="article-content" id="content">
{paragraphs}
</div>
{editor}
</article>
{_related(a)}
{teaser}
</div>
{_hot_list(a)}
{_footer(a.lang)}
</body>
</html>
"""


def article_response(a: Article) -> Response:
    return html(render_article(a), encoding=a.encoding, header_charset=a.charset_declared == "header")


def article_for_path(path: str) -> Article | None:
    return _BY_PATH.get(path)


def homepage() -> Response:
    def block(lang: str, heading: str) -> str:
        items = "".join(
            f'<li><a href="{a.path}">{escape(a.title)}</a> <span class="date">{a.published}</span></li>'
            for a in _newest_first() if a.lang == lang
        )
        return f'<section id="{lang}"><h2>{heading}</h2><ul class="news-list">{items}</ul></section>'

    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{SITE_NAME_ZH} - 滨海市重点新闻网站</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/news/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="/news/atom.xml"></head>
<body>
{_chrome_top("zh", "要闻")}
{block("zh", "要闻")}
{block("en", "English")}
{_footer("zh")}
</body>
</html>
"""
    return html(page)


def _rfc822(local: str) -> str:
    return format_datetime(datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI))


def rss(base: str) -> Response:
    articles = _newest_first()
    items = "\n".join(
        f"""<item>
<title>{escape(a.title)}</title>
<link>{base}{a.path}</link>
<guid isPermaLink="true">{base}{a.path}</guid>
<pubDate>{_rfc822(a.published)}</pubDate>
<description>{escape(a.summary)}</description>
</item>"""
        for a in articles
    )
    return xml(f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
<channel>
<title>{SITE_NAME_ZH}</title>
<link>{base}/news/</link>
<description>{SITE_NAME_ZH}最新新闻 / Latest news from {SITE_NAME_EN}</description>
<language>zh-cn</language>
<lastBuildDate>{_rfc822(articles[0].published)}</lastBuildDate>
{items}
</channel>
</rss>
""", content_type="application/rss+xml; charset=utf-8")


def atom(base: str) -> Response:
    chosen = [BY_SLUG[s] for s in ATOM_SLUGS]
    entries = "\n".join(
        f"""<entry>
<title>{escape(a.title)}</title>
<link rel="alternate" href="{base}{a.path}"/>
<id>{base}{a.path}</id>
<published>{local_to_offset_iso(a.published)}</published>
<updated>{local_to_offset_iso(a.published)}</updated>
<author><name>{escape(a.author)}</name></author>
<summary>{escape(a.summary)}</summary>
</entry>"""
        for a in chosen
    )
    newest = max(a.published for a in chosen)
    return xml(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{SITE_NAME_EN} - latest</title>
<link rel="self" href="{base}/news/atom.xml"/>
<link rel="alternate" href="{base}/news/"/>
<id>{base}/news/</id>
<updated>{local_to_offset_iso(newest)}</updated>
{entries}
</feed>
""", content_type="application/atom+xml; charset=utf-8")


def sitemap(base: str) -> Response:
    urls = "\n".join(
        f"<url><loc>{base}{a.path}</loc><lastmod>{local_to_offset_iso(a.published)}</lastmod></url>"
        for a in _newest_first()
    )
    return xml(f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
""")
