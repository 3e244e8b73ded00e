"""URL map of the test web: request path -> :class:`Response`."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from . import bad_pages, bulk_site, forum_site, manifest, news_site, social_site, video_site
from . import mirror_sites, throttle_site
from .response import Response, html, json_response, not_found, text

_ROUTES_WITH_ID = (
    (re.compile(r"/forum/board/(\d+)"), lambda m, page: forum_site.board(int(m[1]), page)),
    (re.compile(r"/forum/thread/(\d+)"), lambda m, page: forum_site.thread(int(m[1]), page)),
    (re.compile(r"/forum/user/(\d+)"), lambda m, page: forum_site.user(int(m[1]))),
    (re.compile(r"/social/p/(\d+)"), lambda m, page: social_site.post_page(m[1])),
    (re.compile(r"/social/u/(\d+)"), lambda m, page: social_site.user_page(m[1])),
)


def _index() -> Response:
    return html("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>yuqing test web</title></head>
<body><h1>yuqing test web</h1><ul>
<li><a href="/news/">滨海新闻网 (news)</a></li>
<li><a href="/forum/">滨海论坛 (forum)</a></li>
<li><a href="/social/feed">滨海圈 (social, JavaScript)</a></li>
</ul></body></html>
""")


def _robots(base: str) -> Response:
    return text(f"User-agent: *\nAllow: /\n\nSitemap: {base}/news/sitemap.xml\n")


def handle(path_and_query: str, base: str) -> Response:
    """Serve one GET; ``base`` is ``http://host:port`` as the client addressed us."""
    parts = urlsplit(path_and_query)
    path = parts.path
    page_values = parse_qs(parts.query).get("page", ["1"])
    if not page_values[0].isdigit():
        return not_found()
    page = int(page_values[0])

    fixed = {
        "/": _index,
        "/robots.txt": lambda: _robots(base),
        "/manifest.json": lambda: json_response(manifest.build(base)),
        "/news/": news_site.homepage,
        "/news/feed.xml": lambda: news_site.rss(base),
        "/news/atom.xml": lambda: news_site.atom(base),
        "/news/sitemap.xml": lambda: news_site.sitemap(base),
        "/forum/": forum_site.index,
        "/social/feed": social_site.feed_shell,
        "/social/static/feed.js": social_site.feed_script,
        "/social/api/posts": lambda: social_site.api_posts(page),
        "/bad/feed-mixed.xml": lambda: bad_pages.mixed_feed(base),
    }
    if path in fixed:
        return fixed[path]()
    if path.startswith("/throttle/"):
        return throttle_site.handle(path_and_query, base)
    if path.startswith("/mirror/"):
        return mirror_sites.handle(path, base) or not_found()
    if path.startswith("/video/"):
        return video_site.handle(path_and_query, base) or not_found()
    article = news_site.article_for_path(path)
    if article is not None:
        return news_site.article_response(article)
    bad = bad_pages.render(path, base)
    if bad is not None:
        return bad
    if path.startswith("/bulk/"):
        return bulk_site.render(path, base) or not_found()
    for pattern, route in _ROUTES_WITH_ID:
        m = pattern.fullmatch(path)
        if m:
            return route(m, page)
    return not_found()
