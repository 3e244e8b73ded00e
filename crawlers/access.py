"""How a spider reaches its platform: one base class per access style.

Pick by what the platform serves for the data you need:

* :class:`JsonApiSpider` - a public JSON API (Mastodon, Bluesky, Reddit's
  ``.json`` views, HN Algolia, V2EX). Sends JSON ``Accept`` headers; error
  answers (4xx with ``{"error": ...}``) are decoded with the parser's
  ``envelope_error`` and counted by reason (``api/error/rate_limited``)
  instead of only by status.
* :class:`HtmlSpider` - server-rendered HTML pages read with CSS/XPath.
* :class:`BrowserSpider` - pages that only a browser can produce: the data
  is built by the page's script or fetched by it with signed parameters
  (YouTube, Douyin). Kinds in ``browser_kinds`` go through Chromium;
  ``xhr_capture`` names, per kind, the JSON answers (URL regex) the page
  loads, and those bodies reach the parser as ``page.meta["yq_xhr"]``
  (plain ``{"url", "status", "body"}`` dicts) - read them rather than the
  DOM, they change less. Prefer a JSON API when one is reachable: a browser
  page costs ~100x the CPU and memory of a request.
* :class:`FeedSpider` - RSS/Atom/JSON feeds polled for new entries.

Every access style shares :class:`AccessSpider`: ``headers``, the account
flags (``use_accounts``: use a pooled account when one is free;
``needs_login``: never fetch without one; both install
``crawlers.middlewares.accounts.AccountsMiddleware``), ``canary_url`` /
``canary_kind`` for ``yuqing canary``, and ``search_kind`` /
``account_kind``, the page kinds behind ``search_url()`` / ``account_url()``
(``yuqing seed --keyword/--account``).

Browser pages are never handed to callbacks (no ``playwright_include_page``):
scrapy-playwright closes each page after its download and on every error, so
no errback has to, and ``PLAYWRIGHT_MAX_PAGES_PER_CONTEXT`` /
``PLAYWRIGHT_MAX_CONTEXTS`` bound how many are open.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import scrapy
from scrapy_playwright.page import PageMethod

from crawlers.base import YuqingSpider

logger = logging.getLogger(__name__)

ACCOUNTS_MIDDLEWARE = "crawlers.middlewares.accounts.AccountsMiddleware"
# After the redirect middleware (600) on the way in, so it sees redirects to
# login pages before they are followed, and sets cookies after the UA middleware.
ACCOUNTS_MIDDLEWARE_PRIORITY = 650
BROWSER_HOOKS_MIDDLEWARE = "crawlers.middlewares.browser_hooks.BrowserHooksMiddleware"
# Above the retry middleware (550): it takes its hooks off a failed request
# before a retry sends it back to the shared queue.
BROWSER_HOOKS_PRIORITY = 700
JSON_ACCEPT = "application/json, text/plain;q=0.5, */*;q=0.1"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.1"
HOOKED = "_yq_browser_hooks"
# A captured answer larger than this is cut: post lists are a few hundred kB.
MAX_XHR_BYTES = 4 * 1024 * 1024


class AccessSpider(YuqingSpider):
    headers: ClassVar[dict[str, str]] = {}
    """Sent with every request (``setdefault``: a middleware may override)."""
    use_accounts: ClassVar[bool] = False
    needs_login: ClassVar[bool] = False
    canary_url: ClassVar[str | None] = None
    """The smallest real request that shows whether the platform still answers
    in the shape the parser expects (``yuqing canary``)."""
    canary_kind: ClassVar[str | None] = None
    search_kind: ClassVar[str | None] = None
    account_kind: ClassVar[str | None] = None

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if cls.use_accounts or cls.needs_login:
            add_downloader_middleware(settings, ACCOUNTS_MIDDLEWARE, ACCOUNTS_MIDDLEWARE_PRIORITY)

    def make_request(self, url: str, kind: str, meta: dict[str, Any] | None = None,
                     dont_filter: bool = False) -> scrapy.Request:
        request = super().make_request(url, kind, meta=meta, dont_filter=dont_filter)
        for name, value in self.headers.items():
            request.headers.setdefault(name, value)
        return request


def add_downloader_middleware(settings, path: str, priority: int) -> None:
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    middlewares.setdefault(path, priority)
    # Spider priority: a CrawlerProcess re-applies its own (project) settings
    # over a crawler created ahead of crawl(), as the worker does.
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="spider")


class JsonApiSpider(AccessSpider):
    headers = {"Accept": JSON_ACCEPT}

    def on_error(self, failure) -> None:
        response = getattr(failure.value, "response", None)
        envelope = getattr(self.parser, "envelope_error", None)
        if response is not None and envelope is not None and response.body:
            try:
                error = envelope(json.loads(response.body))
            except (ValueError, UnicodeDecodeError):
                error = None
            if error is not None:
                self.crawler.stats.inc_value(f"api/error/{error.reason}")
                logger.warning("API error on %s (HTTP %d): %s", response.url, response.status, error)
        super().on_error(failure)


class HtmlSpider(AccessSpider):
    headers = {"Accept": HTML_ACCEPT}


class FeedSpider(AccessSpider):
    headers = {"Accept": FEED_ACCEPT}


class BrowserSpider(AccessSpider):
    headers = {"Accept": HTML_ACCEPT}
    xhr_capture: ClassVar[dict[str, str]] = {}
    """Page kind -> regex of the URLs whose fetch/XHR answers the parser reads."""
    xhr_wait_ms: ClassVar[int] = 10_000
    """How long to wait for the first matching answer after the page rendered."""
    browser_scrolls: ClassVar[dict[str, int]] = {}
    """Page kind -> how many times to scroll to the end (infinite lists)."""
    custom_settings = {
        # One browser page per request in flight: keep requests within the pages
        # scrapy-playwright may open (PLAYWRIGHT_MAX_PAGES_PER_CONTEXT x contexts).
        "CONCURRENT_REQUESTS": 4,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    }

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        add_downloader_middleware(settings, BROWSER_HOOKS_MIDDLEWARE, BROWSER_HOOKS_PRIORITY)

    def make_request(self, url: str, kind: str, meta: dict[str, Any] | None = None,
                     dont_filter: bool = False) -> scrapy.Request:
        """Only plain data goes in the request (the shared queue stores JSON):
        ``crawlers.middlewares.browser_hooks`` turns ``yq_scrolls`` and
        ``yq_xhr_pattern`` into Playwright hooks when the request is fetched."""
        request = super().make_request(url, kind, meta=meta, dont_filter=dont_filter)
        if not request.meta.get("playwright"):
            return request
        if self.browser_scrolls.get(kind):
            request.meta["yq_scrolls"] = self.browser_scrolls[kind]
        if self.xhr_capture.get(kind):
            request.meta["yq_xhr_pattern"] = self.xhr_capture[kind]
            request.meta["yq_xhr_wait_ms"] = self.xhr_wait_ms
        return request


def attach_hooks(request) -> None:
    """Add the Playwright hooks the plain ``yq_`` meta asks for."""
    request.meta[HOOKED] = True
    methods = request.meta.setdefault("playwright_page_methods", [])
    if request.meta.get("yq_scrolls"):
        methods.append(PageMethod(scroll_to_end, request.meta["yq_scrolls"]))
    if request.meta.get("yq_xhr_pattern"):
        request.meta["yq_xhr"] = []
        request.meta["playwright_page_init_callback"] = capture_xhr
        methods.append(PageMethod(drain_xhr, request.meta.get("yq_xhr_wait_ms", 10_000)))


def detach_hooks(meta: dict) -> None:
    """Remove what :func:`attach_hooks` added (live functions a queue cannot store)."""
    if not meta.pop(HOOKED, False):
        return
    meta.pop("playwright_page_init_callback", None)
    if "playwright_page_methods" in meta:
        meta["playwright_page_methods"] = [m for m in meta["playwright_page_methods"]
                                           if isinstance(getattr(m, "method", None), str)]


# --------------------------------------------------------------------------- XHR capture

_pending: WeakKeyDictionary = WeakKeyDictionary()


async def capture_xhr(page, request) -> None:
    """``playwright_page_init_callback``: before navigation, start recording
    the fetch/XHR answers whose URL matches ``yq_xhr_pattern`` into
    ``request.meta["yq_xhr"]``."""
    pattern = re.compile(request.meta["yq_xhr_pattern"])
    store: list = request.meta.setdefault("yq_xhr", [])
    tasks: set = set()
    _pending[page] = tasks

    def on_response(response) -> None:
        if response.request.resource_type in ("xhr", "fetch") and pattern.search(response.url):
            tasks.add(asyncio.ensure_future(_read(response, store)))

    page.on("response", on_response)


async def _read(response, store: list) -> None:
    try:
        body = await response.body()
    except Exception as exc:  # noqa: BLE001 - page closed or body evicted: lose this answer only
        logger.warning("could not read %s: %s", response.url, exc)
        return
    if len(body) > MAX_XHR_BYTES:
        logger.warning("captured answer %s cut at %d bytes", response.url, MAX_XHR_BYTES)
        body = body[:MAX_XHR_BYTES]
    store.append({"url": response.url, "status": response.status, "body": body.decode("utf-8", "replace")})


async def drain_xhr(page, timeout_ms: int) -> int:
    """Page method run last: wait for the first matching answer (pages often
    fetch after ``load``), then for every body read still in flight."""
    tasks: set = _pending.get(page, set())
    deadline = time.monotonic() + timeout_ms / 1000
    while not tasks and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    while True:
        unfinished = [t for t in tasks if not t.done()]
        remaining = deadline - time.monotonic()
        if not unfinished or remaining <= 0:
            break
        await asyncio.wait(unfinished, timeout=remaining)
    return len(tasks)


async def scroll_to_end(page, times: int, settle_ms: int = 800) -> None:
    """Scroll to the bottom ``times`` times, letting the list load more each time."""
    for _ in range(times):
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await page.wait_for_timeout(settle_ms)
