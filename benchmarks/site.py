"""The benchmark web: a news site of any size, built from the test web's articles.

``/news/...`` serves ``pages`` articles, each one of the test web's real
article templates (same markup, clutter, languages and GBK/UTF-8 encodings)
with its own slug, publish time and a unique code (``BQ00042``) in the title
and lead, so every page is a document of its own and a rule can pick it out.
``/robots.txt`` names ``/sitemap.xml``, which lists them all (news-please
finds a site's sitemaps through robots.txt; our news spider is seeded with it).

``/render/<n>.html`` is a page for the browser benchmark: its text is built by
a script (so it needs rendering) and it loads 8 large images and a web font.

Requests are counted by the test web's own ``Stats`` (arrival time, path, user
agent), so every figure is measured at the server in the same way for every
crawler. ``latency_ms`` delays every counted response.
"""

from __future__ import annotations

import random
import struct
import threading
import time
import zlib
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from yuqing.testweb import news_site
from yuqing.testweb.content.news import ARTICLES, Article
from yuqing.testweb.response import Response, html, text, xml
from yuqing.testweb.server import Stats

IMAGES_PER_RENDER_PAGE = 8
_IMAGE_SIZE = (960, 640)


def code(n: int) -> str:
    return f"BQ{n:05d}"


@lru_cache(maxsize=None)
def article(n: int) -> Article:
    """Article ``n`` (1-based): template ``n`` modulo their number, published 53 minutes after ``n - 1``."""
    template = ARTICLES[n % len(ARTICLES)]
    published = datetime(2025, 1, 1, 6, 0) + timedelta(minutes=53 * n)
    tag = code(n)
    lead = (f"（{tag}）" if template.lang == "zh" else f" ({tag})")
    return replace(template, slug=f"{template.slug}-{n:05d}", title=template.title + lead,
                   published=published.strftime("%Y-%m-%d %H:%M"),
                   paragraphs=(template.paragraphs[0] + lead, *template.paragraphs[1:]))


@lru_cache(maxsize=None)
def _png(width: int, height: int, seed: int) -> bytes:
    # Noisy gradients: they compress about as well as news photos (~200 KB
    # here), and the browser decodes each to width x height x 4 bytes.
    rng = random.Random(seed)
    rows = bytearray()
    for y in range(height):
        noise = rng.randbytes(width * 3 // 12 + 1)
        rows.append(0)
        rows += bytes((x + y + noise[x // 12] // 32) & 0xFF for x in range(width * 3))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
            + chunk(b"IEND", b""))


@lru_cache(maxsize=1)
def _font() -> bytes:
    # A real font when the machine has one (Chromium parses it); otherwise
    # bytes of a typical web font's size, which still cost the download.
    for candidate in sorted(Path("/usr/share/fonts").glob("**/*.ttf")):
        return candidate.read_bytes()
    return random.Random(7).randbytes(300_000)


def _render_page(n: int) -> Response:
    a = article(n)
    images = "".join(f'<img src="/img/{n}-{k}.png" width="{_IMAGE_SIZE[0]}" height="{_IMAGE_SIZE[1]}" alt="">'
                     for k in range(IMAGES_PER_RENDER_PAGE))
    paragraphs = repr(list(a.paragraphs)).replace("</", "<\\/")
    return html(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(a.title)}</title>
<style>@font-face {{ font-family: Bench; src: url(/font/{n}.ttf); }} body {{ font-family: Bench, serif; }}</style>
</head><body>
<h1>{escape(a.title)}</h1>
<div id="app" data-state="loading"></div>
<div class="gallery">{images}</div>
<script>
const app = document.getElementById("app");
for (const text of {paragraphs}) {{ const p = document.createElement("p"); p.textContent = text; app.appendChild(p); }}
app.dataset.state = "done";
</script>
</body></html>
""")


def _sitemap(base: str, pages: int) -> Response:
    urls = "\n".join(f"<url><loc>{base}{article(n).path}</loc></url>" for n in range(1, pages + 1))
    return xml(f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n')


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        web = self.server.web
        path = urlsplit(self.path).path
        if path.startswith("/_stats"):
            self._send(Response(200, b"", "text/plain"))
            return
        started = time.time()
        web.stats.begin()
        status = 500
        try:
            if web.latency_ms:
                time.sleep(web.latency_ms / 1000)
            response = web.respond(path, f"http://{self.headers.get('Host') or web.host}")
            status = response.status
            self._send(response)
        finally:
            web.stats.end(self.path, status, self.headers.get("User-Agent"), started)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - base class signature
        pass

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    web: "BenchWeb"


class BenchWeb:
    """A running benchmark web; use as a context manager."""

    def __init__(self, pages: int, latency_ms: int = 0, host: str = "127.0.0.1"):
        self.pages = pages
        self.latency_ms = latency_ms
        self.host = host
        self.stats = Stats()
        self._server = _Server((host, 0), _Handler)
        self._server.web = self
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-web", daemon=True)
        self._cache: dict[str, Response] = {}

    def __enter__(self) -> "BenchWeb":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def article_urls(self) -> list[str]:
        return [self.url + article(n).path for n in range(1, self.pages + 1)]

    def respond(self, path: str, base: str) -> Response:
        cached = self._cache.get(path)
        if cached is None:
            cached = self._cache[path] = self._route(path, base)
        return cached

    def _route(self, path: str, base: str) -> Response:
        if path == "/":
            return html(f'<!DOCTYPE html><title>bench news</title><a href="/sitemap.xml">{self.pages} articles</a>')
        if path == "/robots.txt":
            return text(f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return _sitemap(base, self.pages)
        if path.startswith("/news/"):
            n = _number(path.rsplit("-", 1)[-1].removesuffix(".html"))
            if n and n <= self.pages and article(n).path == path:
                return news_site.article_response(article(n))
        elif path.startswith("/render/"):
            n = _number(path[len("/render/"):].removesuffix(".html"))
            if n:
                return _render_page(n)
        elif path.startswith("/img/"):
            n, _, k = path[len("/img/"):].removesuffix(".png").partition("-")
            if _number(n) and _number(k) is not None:
                return Response(200, _png(*_IMAGE_SIZE, int(k)), "image/png")
        elif path.startswith("/font/"):
            return Response(200, _font(), "font/ttf")
        return html("<!DOCTYPE html><title>404</title>", status=404)

    def arrivals(self, prefix: str = "/news/") -> list[dict]:
        """The server's log of counted requests under ``prefix``: ``t`` (arrival), ``path``, ``ua``."""
        return [entry for entry in self.stats.snapshot()["log"] if entry["path"].startswith(prefix)]


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None
