"""Base spider: navigation only. Parsing is the platform parser's job.

A spider declares its platform, channel, parser, seeding style and whether a
kind of page needs a browser; ``parse_page`` runs the parser on any response,
yields its documents and schedules its links. Every failure is counted in
stats under a namespaced key and logged with its URL; none stops the worker.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Iterator

import scrapy
from scrapy.http import Response
from scrapy_playwright.page import PageMethod

from crawlers.parsers.base import Link, Page, ParseError, Parser, ShapeError
from yuqing.schema import utc_now_iso

logger = logging.getLogger(__name__)


class YuqingSpider(scrapy.Spider):
    platform: ClassVar[str]
    channel: ClassVar[str]
    parser_cls: ClassVar[type[Parser]]
    seed_kind: ClassVar[str]
    """Kind of page a seed URL points at (``feed``, ``board``...)."""
    seeding: ClassVar[str] = "url"
    """How the spider is seeded: ``url``, ``keyword``, ``account`` or ``board``."""
    browser_kinds: ClassVar[dict[str, str]] = {}
    """Page kinds that need JavaScript, mapped to the CSS selector to wait for."""
    default_seeds: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.start_urls = list(start_urls or self.default_seeds)
        self.parser = self.parser_cls()

    @classmethod
    def update_settings(cls, settings) -> None:
        super().update_settings(settings)
        if cls.browser_kinds:
            handler = settings.get("PLAYWRIGHT_DOWNLOAD_HANDLER")
            settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="spider")

    @classmethod
    def needs_browser(cls) -> bool:
        return bool(cls.browser_kinds)

    def seed_kind_for(self, url: str) -> str:
        return self.parser_cls.kind_for_url(url) or self.seed_kind

    async def start(self):
        for url in self.start_urls:
            yield self.make_request(url, self.seed_kind_for(url), dont_filter=True)

    def request_from_seed(self, data: dict[str, Any]) -> scrapy.Request:
        """A request from a JSON seed pushed to Redis by ``yuqing seed``."""
        meta = data.get("meta") or {}
        if not isinstance(meta, dict):
            raise ValueError("seed 'meta' must be an object")
        request = self.make_request(data["url"], data.get("kind") or self.seed_kind_for(data["url"]),
                                    meta=meta, dont_filter=True)
        priority = data.get("priority")
        if priority is not None:
            if not isinstance(priority, int):
                raise ValueError("seed 'priority' must be an integer")
            request = request.replace(priority=priority)
        return request

    def make_request(self, url: str, kind: str, meta: dict[str, Any] | None = None,
                     dont_filter: bool = False) -> scrapy.Request:
        request_meta: dict[str, Any] = {f"yq_{k}" if not k.startswith("yq_") else k: v
                                        for k, v in (meta or {}).items()}
        request_meta["yq_kind"] = kind
        selector = self.browser_kinds.get(kind)
        if selector:
            request_meta["playwright"] = True
            request_meta["playwright_page_methods"] = [
                PageMethod("wait_for_selector", selector, timeout=15_000),
            ]
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error,
                              meta=request_meta, dont_filter=dont_filter)

    def parse_page(self, response: Response) -> Iterator[Any]:
        kind = response.meta.get("yq_kind", self.seed_kind)
        stats = self.crawler.stats
        page = Page.from_response(response)
        page.crawled_at = utc_now_iso()
        try:
            result = self.parser.parse(page, kind)
        except ShapeError as exc:
            stats.inc_value(f"parse/shape_error/{exc.platform}")
            logger.error("shape error on %s (%s): %s", response.url, kind, exc)
            return
        except ParseError as exc:
            stats.inc_value(f"parse/error/{exc.reason}")
            logger.warning("cannot parse %s as %s: %s", response.url, kind, exc)
            return
        stats.inc_value(f"parse/pages/{kind}")
        for warning in result.warnings:
            stats.inc_value(f"parse/warning/{warning}")
            logger.warning("%s on %s (%s)", warning, response.url, kind)
        for doc in result.documents:
            doc.spider = self.name
            if not doc.crawled_at:
                doc.crawled_at = page.crawled_at
            stats.inc_value(f"parse/documents/{self.platform}")
            yield doc
        for link in result.links:
            yield self.follow_link(link)

    def follow_link(self, link: Link) -> scrapy.Request:
        return self.make_request(link.url, link.kind, meta=link.meta)

    def on_error(self, failure) -> None:
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"http_{response.status}"
        else:
            reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"fetch/error/{reason}")
        logger.warning("fetch failed %s: %s", request.url, reason)
