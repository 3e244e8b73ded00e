"""News-article extraction tuned for Chinese pages.

``extract_article`` runs trafilatura and a text-density extractor on the same
page and lets them vote: trafilatura is precise on modern markup (it knows
comment sections and teasers), the density run is robust on the table
layouts of Chinese portals and forums where trafilatura keeps menus. Title,
date and author come from our own rules (structured markup, then the lines
around the body), with trafilatura's metadata as a fallback.
"""
from __future__ import annotations

import copy
import logging
import re
from datetime import datetime

import trafilatura

from yuqing.text import detect_lang, normalize_text, to_iso

from . import density
from .authors import find_author
from .dates import find_published
from .document import Document, ExtractionError, load
from .titles import extract_title
from .zones import find_zones

logger = logging.getLogger(__name__)

__all__ = ["extract_article", "ExtractionError"]

# Fewer letters/digits than this is no article (empty shells, pure link hubs).
MIN_CONTENT_CHARS = 20
_TZ_BY_LANG = {"zh": "Asia/Shanghai"}


def _trafilatura(doc: Document):
    # Extensive date search (htmldate scanning all text) costs seconds on some
    # pages and finds footer years; our own date rules come first anyway.
    # fast=True skips trafilatura's readability/jusText fallbacks: the density
    # run is our fallback, and they triple the time on large pages.
    date_params = {"original_date": True, "extensive_search": False,
                   "max_date": datetime.now().strftime("%Y-%m-%d"), "outputformat": "%Y-%m-%d %H:%M:%S"}
    try:
        return trafilatura.bare_extraction(doc.text, url=doc.url, fast=True, with_metadata=True, include_comments=False,
                                           date_extraction_params=date_params)
    except Exception:  # noqa: BLE001 - a trafilatura crash must not lose the page: density still runs
        logger.warning("trafilatura failed on %s", doc.url or "<no url>", exc_info=True)
        return None


def _meta_content(doc: Document, *keys: str) -> str | None:
    for m in doc.tree.iter("meta"):
        k = (m.get("property") or m.get("name") or "").strip().lower()
        if k in keys and (m.get("content") or "").strip():
            return normalize_text(m.get("content"))
    return None


def _clean_content(text: str) -> str:
    lines = (normalize_text(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def extract_article(body: bytes | str, url: str | None = None, content_type: str | None = None,
                    now: datetime | None = None) -> dict:
    """Extract the main article of a web page.

    Returns a dict with title, content (paragraphs joined by "\\n"), author,
    published_at (ISO 8601 UTC or None), lang, encoding, description,
    site_name and url. Raises ExtractionError ("empty_body", "not_html" or
    "no_content"). ``now`` anchors relative dates such as "3小时前".
    """
    doc = load(body, url, content_type)
    traf = _trafilatura(doc)
    traf_text = (traf.text or "") if traf else ""

    title = extract_title(doc.tree, doc.wrapper_title, fallback=traf.title if traf else None)
    root = density.clean_tree(copy.deepcopy(doc.tree))
    found = density.extract_body(root, reference=traf_text, title=title)
    content = _clean_content(found.text)
    if len(re.findall(r"\w", content)) < MIN_CONTENT_CHARS and traf_text:
        content = _clean_content(traf_text)
    if len(re.findall(r"\w", content)) < MIN_CONTENT_CHARS:
        raise ExtractionError("no_content", f"no main text found in {doc.url or 'the page'}")

    lang = detect_lang(content)
    if lang == "other" and detect_lang(title or "") == "zh":
        lang = "zh"
    tz = _TZ_BY_LANG.get(lang, "UTC")
    zones = find_zones(found.blocks, found.start, found.end, title) if found.end > found.start else None
    published = find_published(doc.tree, zones, doc.url, tz, now, fallback=traf.date if traf else None)
    author = find_author(doc.tree, zones, lang, fallback=traf.author if traf else None)

    return {
        "title": title,
        "content": content,
        "author": author,
        "published_at": to_iso(published) if published else None,
        "lang": lang,
        "encoding": doc.encoding,
        "description": (traf.description if traf else None)
        or _meta_content(doc, "description", "og:description"),
        "site_name": (traf.sitename if traf else None) or _meta_content(doc, "og:site_name"),
        "url": doc.url or (traf.url if traf else None),
    }
