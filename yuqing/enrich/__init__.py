"""Document enrichment: sentiment, language, keywords and region, offline.

    from yuqing.enrich import enrich
    enrich({"title": "...", "content": "...", "region_hint": "IP属地：广东"})
    # {"sentiment": {"label": "positive", "score": 0.62}, "lang": "zh",
    #  "keywords": [...], "region": {"province": "广东省", ...}}

:class:`Enricher` holds the loaded models; :func:`enrich` uses one shared
instance per process.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from yuqing.enrich.keywords import extract_keywords
from yuqing.enrich.region import detect_region
from yuqing.enrich.sentiment import MODEL_PATH, NEUTRAL, SentimentModel
from yuqing.text import detect_lang

logger = logging.getLogger(__name__)

__all__ = ["Enricher", "enrich", "extract_keywords", "detect_region"]

# Bounds the work per document whatever the body size (a 5 MB page must not
# stall a pipeline worker): keywords and place names of a news item are in its
# first pages, and tokenising beyond that costs time linearly for no gain.
# Sentiment reads even less (sentiment.MAX_CHARS).
MAX_ANALYSED_CHARS = 20_000
TOP_K_KEYWORDS = 10


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


class Enricher:
    """Loads the sentiment model once; :meth:`enrich` is then cheap per document."""

    def __init__(self, model_path: Path | str = MODEL_PATH):
        self.sentiment_model = SentimentModel.load(model_path)

    def enrich(self, doc: dict) -> dict:
        """Fields to add to a normalized document: ``sentiment``, ``lang``,
        ``keywords`` and ``region``. Never raises on odd content: empty text
        gives neutral / "other" / [] / unknown region."""
        if not isinstance(doc, dict):
            doc = {"content": _text_of(doc)}
        title = _text_of(doc.get("title")).strip()
        content = _text_of(doc.get("content")).strip()
        text = (title + "\n" + content if title and content else title or content)[:MAX_ANALYSED_CHARS]

        lang = doc.get("lang")
        if lang not in ("zh", "en"):
            # "other" may just be the schema default of a spider that never set it.
            lang = detect_lang(text)
        sentiment = self.sentiment_model.predict(text, lang) if text else dict(NEUTRAL)
        ip_location = _text_of(doc.get("ip_location") or doc.get("region_hint")) or None
        return {
            "sentiment": sentiment,
            "lang": lang,
            "keywords": extract_keywords(text, lang, TOP_K_KEYWORDS),
            "region": detect_region(text, ip_location),
        }


@lru_cache(maxsize=1)
def default_enricher() -> Enricher:
    return Enricher()


def enrich(doc: dict) -> dict:
    """:meth:`Enricher.enrich` with the process-wide default :class:`Enricher`."""
    return default_enricher().enrich(doc)
