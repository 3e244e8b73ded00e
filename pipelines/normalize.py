"""Validate and normalize every document before anything else sees it."""

from __future__ import annotations

import logging
from dataclasses import is_dataclass

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from yuqing.schema import Document, DocumentError, utc_now_iso, validate
from yuqing.text import detect_lang, normalize_text, parse_datetime, to_iso

logger = logging.getLogger(__name__)


class NormalizePipeline:
    """Text cleaned (entities, control and zero-width characters, whitespace),
    times in UTC ISO 8601, language detected, schema checked. An invalid
    document is dropped with its URL and the failing field in stats and log."""

    def __init__(self, stats, default_tz: str):
        self.stats = stats
        self.default_tz = default_tz

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.get("NORMALIZE_DEFAULT_TZ", "Asia/Shanghai"))

    def process_item(self, item):
        try:
            doc = self.normalize(item)
        except DocumentError as exc:
            url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
            self.stats.inc_value(f"item/invalid/{exc.field}")
            logger.warning("invalid document from %s: %s", url, exc)
            raise DropItem(f"invalid document from {url}: {exc}") from None
        self.stats.inc_value("item/valid")
        return doc

    def normalize(self, item) -> Document:
        if isinstance(item, Document):
            doc = item
        elif isinstance(item, dict):
            doc = Document.from_dict(item)
        elif is_dataclass(item):
            doc = Document.from_dict(ItemAdapter(item).asdict())
        else:
            raise DocumentError("item", f"unsupported item type {type(item).__name__}")
        doc.title = normalize_text(doc.title or "").replace("\n", " ").strip()
        doc.content = normalize_text(doc.content or "")
        if doc.author.name:
            doc.author.name = normalize_text(doc.author.name).strip() or None
        doc.published_at = self._utc(doc.published_at, "published_at")
        doc.crawled_at = self._utc(doc.crawled_at, "crawled_at") or utc_now_iso()
        if doc.lang not in ("zh", "en"):
            doc.lang = detect_lang(f"{doc.title}\n{doc.content[:2000]}")
        return validate(doc)

    def _utc(self, value, name: str) -> str | None:
        if not value:
            return None
        parsed = parse_datetime(value, default_tz=self.default_tz)
        if parsed is None:
            # An unreadable date must not cost the document: keep it undated.
            self.stats.inc_value(f"item/unparsed_date/{name}")
            logger.warning("unparseable %s %r: stored without it", name, value)
            return None
        return to_iso(parsed)
