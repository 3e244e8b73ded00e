"""``/bulk/``: a large generated news section for fault and load tests.

``/bulk/sitemap.xml`` lists ``COUNT`` short articles ``/bulk/a/<n>.html``, in
four sitemaps of ``PAGE`` each under a sitemap index, so that a crawl of it
runs long enough to kill a worker, stop a store or restart Redis in the
middle. Every article is built from ``n`` alone (a code ``BK<n>`` in its text,
a publish time, one of a few topics), so the manifest's ``bulk`` section is
exact and each page is a document of its own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import escape

from .content import local_to_offset_iso, local_to_utc_iso
from .response import Response, html, xml

COUNT = 1000
PAGE = 250

_TOPICS = (
    ("公交", "滨海市公交集团调整{d}条线路的首末班时间，方便夜间通勤的市民出行"),
    ("社区", "街道办在{d}个社区试点“家门口”便民服务站，提供证照代办和维修服务"),
    ("教育", "区教育局公布{d}所中小学的课后服务安排，家长可在线上预约托管时段"),
    ("环境", "市生态环境局发布第{d}期空气质量通报，细颗粒物浓度同比有所下降"),
    ("医疗", "市卫健委新增{d}个夜间门诊服务点，缓解儿科就诊高峰的排队压力"),
)
_ARTICLE = re.compile(r"/bulk/a/(\d{4})\.html")
_SITEMAP = re.compile(r"/bulk/sitemap-(\d+)\.xml")
_START = datetime(2025, 10, 1, 8, 0)


def article_path(n: int) -> str:
    return f"/bulk/a/{n:04d}.html"


def published(n: int) -> str:
    """Local Asia/Shanghai publish time of article ``n`` (one every 37 minutes)."""
    return (_START + timedelta(minutes=37 * n)).strftime("%Y-%m-%d %H:%M")


def code(n: int) -> str:
    return f"BK{n:04d}"


def title(n: int) -> str:
    topic, _ = _TOPICS[n % len(_TOPICS)]
    return f"滨海快讯{code(n)}：{topic}服务新举措发布"


def must_contain(n: int) -> str:
    _, lead = _TOPICS[n % len(_TOPICS)]
    return lead.format(d=n % 17 + 3)


def _article(n: int) -> Response:
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{escape(title(n))}_滨海新闻网</title>
<meta property="article:published_time" content="{local_to_offset_iso(published(n))}"></head>
<body>
<header class="site-header"><a class="logo" href="/news/">滨海新闻网</a></header>
<article class="article">
<h1 class="article-title">{escape(title(n))}</h1>
<div class="article-info"><span class="pub-time">{published(n)}</span> <span class="source">来源：滨海快讯</span></div>
<div class="article-content" id="content">
<p>本报讯 近日，{must_contain(n)}。相关负责人表示，这项工作编号为{code(n)}，将根据市民反馈持续改进。</p>
<p>记者在现场看到，不少市民专程前来咨询，工作人员逐一耐心解答，并发放了图文并茂的服务指南。</p>
<p>据介绍，下一步还将通过热线电话和政务网站收集意见建议，每月公开办理进度，接受社会监督。</p>
</div>
</article>
<footer class="site-footer"><p>&copy; 2003-2026 滨海新闻网 版权所有</p></footer>
</body>
</html>
"""
    return html(page)


def _sitemap_index(base: str) -> Response:
    entries = "\n".join(f"<sitemap><loc>{base}/bulk/sitemap-{p}.xml</loc></sitemap>"
                        for p in range(1, COUNT // PAGE + 1))
    return xml(f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{entries}
</sitemapindex>
""")


def _sitemap(base: str, page: int) -> Response:
    urls = "\n".join(f"<url><loc>{base}{article_path(n)}</loc></url>"
                     for n in range((page - 1) * PAGE + 1, page * PAGE + 1))
    return xml(f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
""")


def render(path: str, base: str) -> Response | None:
    if path == "/bulk/sitemap.xml":
        return _sitemap_index(base)
    m = _SITEMAP.fullmatch(path)
    if m and 1 <= int(m[1]) <= COUNT // PAGE:
        return _sitemap(base, int(m[1]))
    m = _ARTICLE.fullmatch(path)
    if m and 1 <= int(m[1]) <= COUNT:
        return _article(int(m[1]))
    return None


def manifest(base: str) -> dict:
    """The ``bulk`` section of ``/manifest.json``."""
    return {
        "sitemap": f"{base}/bulk/sitemap.xml",
        "count": COUNT,
        "items": [{"url": f"{base}{article_path(n)}", "title": title(n), "lang": "zh",
                   "published_at": local_to_utc_iso(published(n)), "must_contain": must_contain(n)}
                  for n in range(1, COUNT + 1)],
    }
