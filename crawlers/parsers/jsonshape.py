"""Helpers shared by the parsers of JSON platform APIs.

A platform API changes without notice; every field a parser relies on is read
through :class:`Shape`, so a renamed or retyped field becomes a
:class:`ShapeError` naming the dotted path (``account.acct``) instead of a
``KeyError`` deep in a crawl or, worse, a silently empty document.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import html as lxml_html

from yuqing.text import detect_lang, normalize_text, parse_datetime, to_iso

from .base import Page, ParseError, Parser, ShapeError
from .common import load_json  # noqa: F401 - re-exported for the parsers built on Shape

_MISSING = object()
_MACHINE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|$)|^\d{9,13}(?:\.\d+)?$")
_BLOCK_TAGS = ("p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr")


class Shape:
    """Typed field access for one platform; failures name the field path."""

    def __init__(self, platform: str):
        self.platform = platform

    def fail(self, path: str, why: str | None = None) -> ShapeError:
        return ShapeError(self.platform, path, f"{self.platform}: {why}" if why else None)

    def get(self, obj: Any, key: str, kind: type | tuple[type, ...], path: str | None = None,
            default: Any = _MISSING) -> Any:
        """``obj[key]`` checked against ``kind``. With ``default``, a missing or
        null value returns it; a present value of the wrong type still fails."""
        path = path or key
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None and default is not _MISSING:
            return default
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # bool is an int subclass; a count that became a flag is a shape change.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(path)
        return value

    def count(self, obj: Any, key: str, path: str | None = None, default: Any = _MISSING) -> int | None:
        """A non-negative count that may arrive as an int or a digit string."""
        value = self.get(obj, key, (int, str), path, default=default)
        if value is None:
            return None
        if isinstance(value, str):
            if not value.isdigit():
                raise self.fail(path or key, f"count {value!r} is not a number")
            value = int(value)
        if value < 0:
            raise self.fail(path or key, f"negative count {value}")
        return value

    def time(self, obj: Any, key: str, path: str | None = None) -> str:
        """A timestamp (ISO string or unix seconds) as UTC ISO 8601."""
        value = self.get(obj, key, (str, int, float), path)
        # API times are machine times: "yesterday" in one is a shape change.
        machine = not isinstance(value, str) or _MACHINE_TIME.match(value)
        parsed = parse_datetime(value, default_tz="UTC") if machine else None
        if parsed is None:
            raise self.fail(path or key, f"unreadable time {value!r}")
        return to_iso(parsed)


def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment (post bodies): paragraphs and ``<br>``
    become line breaks, entities are decoded, whitespace normalized."""
    if not fragment or not fragment.strip():
        return ""
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for el in root.iter(*_BLOCK_TAGS):
        # HN and others open paragraphs without closing them: break on both sides.
        el.text = "\n\n" + (el.text or "")
        el.tail = "\n\n" + (el.tail or "")
    return normalize_text(root.text_content())


_LANG_CODE = re.compile(r"^([a-z]{2,3})\b", re.I)


def lang_of(code: str | None, text: str) -> str:
    """The schema language of a post. The text decides when it can: platform
    language tags are a user's default setting and often wrong (English posts
    tagged ``de``); the tag only settles what the text cannot."""
    detected = detect_lang(text)
    if detected != "other":
        return detected
    m = _LANG_CODE.match(code or "")
    primary = m.group(1).lower() if m else ""
    return primary if primary in ("zh", "en") else "other"


class JsonApiParser(Parser):
    """Base of the parsers of JSON APIs: the body is decoded and checked for
    the platform's error envelope before any field is read."""

    shape: Shape

    def envelope_error(self, data: Any) -> ParseError | None:
        """The platform's error envelope (``{"error": ...}``) as a ParseError
        whose reason is ``login_required``, ``risk_control``, ``rate_limited``,
        ``not_found`` or ``api_error``; None for a normal answer."""
        return None

    def load(self, page: Page) -> Any:
        data = load_json(page)
        error = self.envelope_error(data)
        if error is not None:
            raise error
        return data


def with_query(url: str, **params: Any) -> str:
    """``url`` with the given query parameters set (None removes one)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in params.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    return urlunsplit(parts._replace(query=urlencode(query)))


def query_param(url: str, name: str, default: str | None = None) -> str | None:
    return dict(parse_qsl(urlsplit(url).query)).get(name, default)


_SHORT_COUNT = re.compile(r"^([\d.]+)\s*([kmb万亿w]?)$", re.I)
_SHORT_FACTOR = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000, "w": 10_000, "万": 10_000,
                 "亿": 100_000_000}


def short_count(text: str) -> int | None:
    """Display counts: ``"2.7K"`` -> 2700, ``"1,204"`` -> 1204, ``"3.2万"`` -> 32000."""
    m = _SHORT_COUNT.match(text.strip().replace(",", ""))
    if not m:
        return None
    try:
        return int(round(float(m.group(1)) * _SHORT_FACTOR[m.group(2).lower()]))
    except ValueError:
        return None


def embedded_json(text: str, name: str) -> Any:
    """The JSON value assigned to the script variable ``name`` in a page
    (``var ytInitialData = {...};``, ``window["x"] = {...}``); None if absent."""
    pattern = re.compile(r"""(?:\b%s|\[["']%s["']\])\s*=\s*""" % (re.escape(name), re.escape(name)))
    decoder = json.JSONDecoder()
    for m in pattern.finditer(text):
        try:
            value, _ = decoder.raw_decode(text, m.end())
        except ValueError:
            continue
        return value
    return None
