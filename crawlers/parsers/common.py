"""Helpers shared by the Chinese platform parsers (Weibo, Bilibili, Tieba,
Discuz!, Toutiao, WeChat): reading API JSON and HTML, turning post markup
into text, reading "1.2万"-style counts and IP-location labels, and the two
error reasons the account pool reacts to.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from yuqing.extract.document import ExtractionError, load
from yuqing.text import normalize_text, parse_datetime, to_iso

from .base import Page, ParseError, ShapeError

RISK_CONTROL = "risk_control"
"""``ParseError.reason`` when the platform refused to answer because it
suspects automation: a rate limit, a captcha or verification page, Weibo's
``ok: 0`` refusals, Bilibili's ``-412``/``-352``. Retrying at once with the
same account or IP makes it worse: back off, rotate the account or proxy."""

LOGIN_REQUIRED = "login_required"
"""``ParseError.reason`` when the content needs a logged-in session: a
redirect to the platform's login page, Weibo's ``ok: -100``, Bilibili's
``-101``, Discuz's ``to_login``. An anonymous retry fails the same way; only
a request with a (valid) account cookie can succeed."""

_COUNT = re.compile(r"^(\d+(?:\.\d+)?)\s*(万|w|k|千|亿)?\+?$", re.I)
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "k": 1_000, "千": 1_000, "亿": 100_000_000}
_REGION_LABEL = re.compile(r"^(?:发布于|IP属地|IP 属地|来自)\s*[:：]?\s*")
# After the label only a place name may follow; client names ("来自微博视频号",
# "来自iPhone客户端") share the "来自" prefix and must not become regions.
_PLACE = re.compile(r"^[\u4e00-\u9fff·]{2,12}$")
_NOT_A_PLACE = ("客户端", "微博", "手机", "网页", "浏览器", "视频", "版")
_BLOCK_TAGS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "pre")
_HASHTAG = re.compile(r"#([^#\n]{1,64})#")
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
_TAG = re.compile(r"<[a-zA-Z/!]")


# --------------------------------------------------------------------------- bodies

def load_json(page: Page) -> Any:
    """The decoded JSON body; ``empty_body``/``not_json`` ParseErrors otherwise."""
    if not page.body.strip():
        raise ParseError("empty_body", f"{page.url}: empty response")
    try:
        return json.loads(page.body)
    except (ValueError, UnicodeDecodeError):
        raise ParseError("not_json", f"{page.url}: expected JSON, got {page.content_type or 'no content type'}") from None


def load_html(page: Page) -> lxml.html.HtmlElement:
    """The parsed page (any charset, GBK included); ParseErrors for non-HTML bodies."""
    try:
        return load(page.body, url=page.url, content_type=page.content_type).tree
    except ExtractionError as exc:
        raise ParseError(exc.reason, f"{page.url}: {exc.message}") from None


def looks_like_html(body: bytes) -> bool:
    return body.lstrip()[:1] == b"<"


# --------------------------------------------------------------------------- text

def element_text(el) -> str:
    """Plain text of a post body: one line per ``<br>``/block, emoticon images
    kept as their alt text (``[哈哈]``), scripts dropped."""
    if el is None:
        return ""
    el = copy.deepcopy(el)
    for node in el.xpath(".//script | .//style"):
        node.drop_tree()
    # Line breaks in the markup are spaces to a browser; only <br> and blocks break lines.
    for node in el.iter():
        if node.tag == "pre" or any(parent.tag == "pre" for parent in node.iterancestors()):
            continue
        if node.text:
            node.text = _HTML_SPACE.sub(" ", node.text)
        if node.tail:
            node.tail = _HTML_SPACE.sub(" ", node.tail)
    for img in el.iter("img"):
        alt = (img.get("alt") or "").strip()
        # Only emoticons carry "[...]" alt text; other images repeat the title.
        if alt.startswith("[") and alt.endswith("]"):
            img.tail = alt + (img.tail or "")
    for node in el.iter("br", *_BLOCK_TAGS):
        node.tail = "\n" + (node.tail or "")
        if node.tag != "br":
            node.text = "\n" + (node.text or "")
    return _without_blank_lines(el.text_content())


def html_to_text(markup: str | None) -> str:
    """``element_text`` of an HTML fragment, e.g. a Weibo ``text`` field."""
    if not markup or not markup.strip():
        return ""
    if not _TAG.search(markup):
        return _without_blank_lines(markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return _without_blank_lines(re.sub(r"<[^>]+>", " ", markup))
    return element_text(root)


def _without_blank_lines(text: str) -> str:
    # Blank lines carry no meaning in posts ("<br /><br />" is just spacing).
    return "\n".join(line for line in normalize_text(text).split("\n") if line)


def hashtags(text: str) -> list[str]:
    """Topics written as ``#话题#`` (Weibo, Bilibili), in order, without duplicates."""
    seen: dict[str, None] = {}
    for tag in _HASHTAG.findall(text or ""):
        tag = tag.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


# --------------------------------------------------------------------------- values

def parse_count(value: Any) -> int | None:
    """``"1.2万"`` -> 12000, ``"10万+"`` -> 100000, ``"1,234"`` -> 1234, ``57`` -> 57;
    None for anything that is not a count (``""``, ``"-"``, ``None``, ``True``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    m = _COUNT.match(value.strip().replace(",", "").replace(" ", ""))
    if not m:
        return None
    return int(round(float(m.group(1)) * _MULTIPLIERS.get((m.group(2) or "").lower(), 1)))


def region_from_label(label: Any) -> str | None:
    """``"发布于 北京"``, ``"IP属地：广东"``, ``"来自上海"`` -> the place; None for
    anything else, client names included."""
    if not isinstance(label, str):
        return None
    text = normalize_text(label)
    m = _REGION_LABEL.match(text)
    if not m:
        return None
    place = text[m.end():].strip()
    if not _PLACE.match(place) or any(word in place for word in _NOT_A_PLACE):
        return None
    return place


def crawl_time(page: Page) -> datetime | None:
    """Relative times ("3小时前") are relative to when the page was fetched."""
    return parse_datetime(page.crawled_at, default_tz="UTC") if page.crawled_at else None


def iso_time(value: Any, page: Page, default_tz: str = "Asia/Shanghai") -> str | None:
    parsed = parse_datetime(value, default_tz=default_tz, now=crawl_time(page))
    return to_iso(parsed) if parsed else None


# --------------------------------------------------------------------------- JSON fields

def need(obj: Any, key: str, types: type | tuple[type, ...], *, platform: str, path: str | None = None) -> Any:
    """``obj[key]`` when present and of ``types``; otherwise the platform changed
    its answer: ShapeError naming ``path`` (default ``key``)."""
    types = types if isinstance(types, tuple) else (types,)
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None or not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise ShapeError(platform, path or key)
    return value


def need_id(obj: Any, key: str, *, platform: str, path: str | None = None) -> str:
    """An id that platforms send as a number or a digit string, as a string."""
    value = str(need(obj, key, (str, int), platform=platform, path=path)).strip()
    if not value or value == "0":
        raise ShapeError(platform, path or key)
    return value


def need_count(obj: Any, key: str, *, platform: str, path: str | None = None) -> int:
    value = parse_count(obj.get(key) if isinstance(obj, dict) else None)
    if value is None:
        raise ShapeError(platform, path or key)
    return value


def opt_count(obj: Any, key: str) -> int | None:
    return parse_count(obj.get(key)) if isinstance(obj, dict) else None


# --------------------------------------------------------------------------- URLs

def query_param(url: str, name: str) -> str | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


def with_query(url: str, **params: Any) -> str:
    """``url`` with the given query parameters set (others kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
