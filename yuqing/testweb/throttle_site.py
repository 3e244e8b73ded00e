"""A plain section for politeness and scaling tests: one sitemap of N small
articles, and on request one article that answers 429 with Retry-After the
first time it is fetched.

``/throttle/<run>/sitemap.xml?pages=N[&trip=K&retry_after=S]`` lists
``/throttle/<run>/a/<i>.html`` for i < N; with ``trip``, the K-th article
request of the run (whichever page it is for) answers ``429`` +
``Retry-After: S``; every other one, its retry included, gets the page.
``<run>`` is any token a test picks, so runs never share the count.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

from .response import Response, html, not_found, xml

_ARTICLE = re.compile(r"/throttle/([\w-]+)/a/(\d+)\.html")
_SITEMAP = re.compile(r"/throttle/([\w-]+)/sitemap\.xml")
_article_requests: dict[str, int] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class HeaderResponse(Response):
    headers: tuple[tuple[str, str], ...] = ()


def _int(query: dict, name: str, default: int | None = None) -> int | None:
    value = query.get(name, [None])[0]
    return int(value) if value is not None and value.isdigit() else default


def handle(path_and_query: str, base: str) -> Response:
    parts = urlsplit(path_and_query)
    query = parse_qs(parts.query)
    m = _SITEMAP.fullmatch(parts.path)
    if m:
        return _sitemap(base, m[1], _int(query, "pages", 10), parts.query)
    m = _ARTICLE.fullmatch(parts.path)
    if m:
        run, number = m[1], int(m[2])
        with _lock:
            _article_requests[run] = count = _article_requests.get(run, 0) + 1
        if count == _int(query, "trip"):
            return HeaderResponse(429, b"slow down", "text/plain; charset=utf-8",
                                  (("Retry-After", str(_int(query, "retry_after", 2))),))
        return _article(run, number)
    return not_found()


def _sitemap(base: str, run: str, pages: int, query: str) -> Response:
    # Articles keep the sitemap's query (minus `pages`) so they know the trip.
    rest = "&".join(p for p in query.split("&") if p and not p.startswith("pages="))
    suffix = escape(f"?{rest}") if rest else ""
    urls = "".join(f"<url><loc>{base}/throttle/{run}/a/{i}.html{suffix}</loc></url>" for i in range(pages))
    return xml(f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def _article(run: str, number: int) -> Response:
    minute = number % 60
    body = "".join(f"<p>Paragraph {p} of paced article {number} in run {run}: the harbour committee met "
                   f"again to discuss the ferry timetable, the new pier and the winter schedule.</p>"
                   for p in range(4))
    return html(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Paced article {number}</title>
<meta property="article:published_time" content="2024-03-01T10:{minute:02d}:00+08:00"></head>
<body><article><h1>Paced article {number}</h1>{body}</article></body></html>
""")
