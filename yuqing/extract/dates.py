"""Publication date: structured markup first, then the lines around the body.

Candidates are scored by where they come from; the best one wins, and a
date-only winner borrows the time of day from a candidate written for the same
calendar day (a visible "November 15, 2025 18:10 (GMT+8)" refines a bare
"2025-11-15"). Numeric (``2025-11-15 18:10``, ``2025年11月15日``) and English
month-name dates (``Nov. 15, 2025, 6:10 p.m. EST``) are read with the zone
written after them, if any.
Copyright lines, dates inside links (related-article lists) and dates in the
running text are never used.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from lxml import etree

from yuqing.text import AMPM_PATTERN, ZONE_PATTERN, month_name_dates, parse_local_datetime

from .zones import Zones

logger = logging.getLogger(__name__)

_PUBLISHED_META = {
    "article:published_time": 100, "og:published_time": 100, "article:published": 95,
    "datepublished": 100, "published_time": 95, "publishdate": 95, "publish_date": 95, "publish-date": 95,
    "pubdate": 95, "pubtime": 95, "pub_date": 95, "publishtime": 95, "publishedtime": 95,
    "og:release_date": 90, "release_date": 85, "weibo:article:create_at": 90, "bytedance:published_time": 90,
    "sailthru.date": 90, "parsely-pub-date": 95, "article.published": 90, "article_date_original": 90,
    "originalpublicationdate": 90, "dc.date.issued": 85, "dcterms.issued": 85, "dc.date": 80, "dcterms.date": 80,
    "dc.date.created": 80, "dcterms.created": 80, "citation_publication_date": 85, "date": 75,
    "datecreated": 75, "creation_date": 70, "firstpublishedtime": 90, "publication_date": 90,
    # Last-modified values are a last resort: better than a guess from the text.
    "article:modified_time": 25, "og:updated_time": 25, "datemodified": 25, "dateupdate": 25,
    "lastmod": 20, "last-modified": 20,
}
_LD_KEYS = {"datePublished": 98, "dateCreated": 80, "uploadDate": 80, "dateModified": 25}

_FULL_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<mo>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:[T\s]|星期.|周.)*\s*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?"
    r"(?:\s*" + AMPM_PATTERN + r")?(?:\s*" + ZONE_PATTERN + r")?)?(?!\d)"
)
# Portals stamp fresh stories relatively ("3小时前", "昨天 12:30") or without the year.
_RELATIVE = re.compile(
    r"(?:\d+|半)\s*(?:秒|分钟|小时|天|周|个月)前|(?:今天|昨天|前天)\s*\d{1,2}[:：]\d{2}|刚刚|"
    r"\d+\s+(?:minutes?|hours?|days?)\s+ago|(?<![\d-])\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2}(?!\d)",
    re.I,
)
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")
_LABEL = re.compile(
    r"[发發]布|[发發]表|[时時][间間]|日期|更新|刊[发發]|出版|上[传傳]|posted|published|updated|date|on\s*$", re.I
)
_COPYRIGHT = re.compile(r"©|&copy;|copyright|版[权權]|[备備]案|ICP", re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)")


@dataclass
class Candidate:
    score: float
    when: datetime        # UTC
    has_time: bool
    source: str
    day: date | None = None   # the calendar day as written (in the value's own zone)


def _meta_candidates(tree: etree._Element, tz: str, now) -> list[Candidate]:
    out = []
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        score = _PUBLISHED_META.get(key)
        if score is None or not m.get("content"):
            continue
        _add(out, m.get("content"), score, f"meta:{key}", tz, now)
    for el in tree.xpath('//*[@itemprop="datePublished" or @itemprop="dateCreated"][not(self::meta)]'):
        _add(out, el.get("datetime") or el.get("content") or " ".join(el.itertext()), 95, "itemprop", tz, now)
    times = [el for el in tree.iter("time") if el.get("datetime")]
    for el in times:
        pub = el.get("pubdate") is not None or "pub" in (el.get("class") or "").lower()
        # Many <time> elements mean teaser lists, where the first is not ours.
        _add(out, el.get("datetime"), 85 if pub else (70 if len(times) <= 2 else 45), "time", tz, now)
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        out.extend(_ld_candidates(script.text or "", tz, now))
    return out


def _ld_candidates(raw: str, tz: str, now) -> list[Candidate]:
    out: list[Candidate] = []
    try:
        data = json.loads(raw)
    except ValueError:
        # Broken JSON-LD is common; a regex still finds the fields.
        for key, score in _LD_KEYS.items():
            m = re.search(rf'"{key}"\s*:\s*"([^"]+)"', raw)
            if m:
                _add(out, m.group(1), score, f"ld:{key}", tz, now)
        return out
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, score in _LD_KEYS.items():
                if isinstance(node.get(key), str):
                    _add(out, node[key], score, f"ld:{key}", tz, now)
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    return out


def _add(out: list[Candidate], value, score: float, source: str, tz: str, now) -> None:
    local = parse_local_datetime(value, default_tz=tz, now=now)
    if local is not None:
        text = str(value)
        has_time = (bool(re.search(r"\d{1,2}:\d{2}|\d\s*[ap]\.?m\b", text, re.I))
                    and not re.search(r"[T ]00:00(:00)?", text))
        out.append(Candidate(score, local.astimezone(timezone.utc), has_time, source, local.date()))


@dataclass
class TextDate:
    when: datetime        # UTC
    has_time: bool
    pos: int
    day: date             # as written


def _text_date(value: str, has_time: bool, pos: int, tz: str, now) -> TextDate | None:
    local = parse_local_datetime(value, default_tz=tz, now=now)
    return TextDate(local.astimezone(timezone.utc), has_time, pos, local.date()) if local is not None else None


def _text_dates(text: str, tz: str, now, year_month: bool = False) -> list[TextDate]:
    """Dates written in a line of text, in reading order."""
    found = []
    for m in _FULL_DATE.finditer(text):
        hh = m.group("H")
        value = f"{m.group('y')}-{m.group('mo')}-{m.group('d')}"
        if hh:
            value += f" {hh}:{m.group('M')}:{m.group('S') or '00'} {m.group('ap') or ''} {m.group('tz') or ''}"
        found.append(_text_date(value, hh is not None, m.start(), tz, now))
    for start, end, parts in month_name_dates(text):
        found.append(_text_date(text[start:end], parts[3] is not None, start, tz, now))
    found = sorted((f for f in found if f is not None), key=lambda f: f.pos)
    if not found:
        for m in _RELATIVE.finditer(text):
            f = _text_date(m.group(0), True, m.start(), tz, now)
            if f is not None:
                found.append(f)
                break
    if year_month and not found:
        for m in _YEAR_MONTH.finditer(text):
            f = _text_date(f"{m.group(1)}-{m.group(2)}", False, m.start(), tz, now)
            if f is not None:
                found.append(f)
    return found


def _zone_candidates(zones: Zones, tz: str, now) -> list[Candidate]:
    out = []
    for index in range(zones.header_start, zones.start):
        block = zones.blocks[index]
        if _COPYRIGHT.search(block.text) or block.link_ratio > 0.5 or block.chars > 120:
            continue
        for f in _text_dates(block.text, tz, now)[:1]:
            labelled = bool(_LABEL.search(block.text))
            score = 60 + 10 * f.has_time + 10 * labelled - min(zones.distance_to_top(index), 15)
            out.append(Candidate(score, f.when, f.has_time, "header", f.day))
    for block in zones.body_head:
        if block.chars <= 80 and not _COPYRIGHT.search(block.text):
            for f in _text_dates(block.text, tz, now)[:1]:
                out.append(Candidate(55 + 10 * f.has_time, f.when, f.has_time, "body-head", f.day))
    # Inside and under the body only labelled stamps count ("发表于 …", "posted
    # on …"; the first one on forum pages, where each reply has its own), and
    # a short dateline closing an essay ("——《北京之春》1998年3月号").
    for block in zones.body + zones.footer:
        if _COPYRIGHT.search(block.text) or block.link_ratio > 0.5 or block.chars > 80:
            continue
        found = _text_dates(block.text, tz, now)
        if found and _LABEL.search(block.text):
            f = found[0]
            out.append(Candidate(50 + 5 * f.has_time, f.when, f.has_time, "stamp", f.day))
            break
    for block in zones.body_tail:
        if block.chars <= 30 and not _COPYRIGHT.search(block.text):
            for f in _text_dates(block.text, tz, now, year_month=True)[:1]:
                out.append(Candidate(48, f.when, f.has_time, "dateline", f.day))
    return out


def _url_candidates(url: str | None, tz: str, now) -> list[Candidate]:
    m = _URL_DATE.search(url or "")
    if not m:
        return []
    out: list[Candidate] = []
    _add(out, "-".join(m.groups()), 40, "url", tz, now)
    return out


def find_published(tree: etree._Element, zones: Zones | None, url: str | None, tz: str,
                   now: datetime | None = None, fallback: str | None = None) -> datetime | None:
    """Publication time of the page; ``fallback`` is htmldate's guess (via trafilatura)."""
    cands = _meta_candidates(tree, tz, now)
    if zones is not None:
        cands += _zone_candidates(zones, tz, now)
    cands += _url_candidates(url, tz, now)
    if fallback:
        _add(cands, fallback, 30, "htmldate", tz, now)
    if not cands:
        return None
    best = max(cands, key=lambda c: c.score)
    if not best.has_time:
        # A date-only value is local midnight: take the time written for the
        # same day elsewhere. "Same day" is the day as written, in the
        # candidate's own zone: 06:30 GMT+8 on the 15th is the 14th in UTC.
        for c in sorted(cands, key=lambda c: -c.score):
            if c.has_time and (c.day == best.day or 0 <= (c.when - best.when).total_seconds() < 86400):
                logger.debug("date %s from %s, time from %s", best.day, best.source, c.source)
                return c.when
    logger.debug("date %s from %s", best.when, best.source)
    return best.when
