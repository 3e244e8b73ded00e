"""Publication date: structured markup first, then the lines around the body.

Candidates are scored by where they come from; the best one wins, and a
date-only winner borrows the time of day from a same-day text candidate.
Copyright lines, dates inside links (related-article lists) and dates in the
running text are never used.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from yuqing.text import parse_datetime

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
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:[T\s]|星期.|周.)*\s*(\d{1,2})\s*[:：时点]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?(?!\d)"
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
    when: datetime
    has_time: bool
    source: str


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
    dt = parse_datetime(value, default_tz=tz, now=now)
    if dt is not None:
        has_time = bool(re.search(r"\d{1,2}:\d{2}", str(value))) and not re.search(r"[T ]00:00(:00)?", str(value))
        out.append(Candidate(score, dt, has_time, source))


def _text_dates(text: str, tz: str, now, year_month: bool = False) -> list[tuple[datetime, bool, int]]:
    """(datetime, has_time, position) of dates written in a line of text."""
    found = []
    for m in _FULL_DATE.finditer(text):
        y, mo, d, hh, mi, ss = m.groups()
        value = f"{y}-{mo}-{d}" + (f" {hh}:{mi}:{ss or '00'}" if hh else "")
        dt = parse_datetime(value, default_tz=tz, now=now)
        if dt is not None:
            found.append((dt, hh is not None, m.start()))
    if not found:
        for m in _RELATIVE.finditer(text):
            dt = parse_datetime(m.group(0), default_tz=tz, now=now)
            if dt is not None:
                found.append((dt, True, m.start()))
                break
    if year_month and not found:
        for m in _YEAR_MONTH.finditer(text):
            dt = parse_datetime(f"{m.group(1)}-{m.group(2)}", default_tz=tz, now=now)
            if dt is not None:
                found.append((dt, False, m.start()))
    return found


def _zone_candidates(zones: Zones, tz: str, now) -> list[Candidate]:
    out = []
    for index in range(zones.header_start, zones.start):
        block = zones.blocks[index]
        if _COPYRIGHT.search(block.text) or block.link_ratio > 0.5 or block.chars > 120:
            continue
        for dt, has_time, _ in _text_dates(block.text, tz, now)[:1]:
            labelled = bool(_LABEL.search(block.text))
            score = 60 + 10 * has_time + 10 * labelled - min(zones.distance_to_top(index), 15)
            out.append(Candidate(score, dt, has_time, "header"))
    for block in zones.body_head:
        if block.chars <= 80 and not _COPYRIGHT.search(block.text):
            for dt, has_time, _ in _text_dates(block.text, tz, now)[:1]:
                out.append(Candidate(55 + 10 * has_time, dt, has_time, "body-head"))
    # Inside and under the body only labelled stamps count ("发表于 …", "posted
    # on …"; the first one on forum pages, where each reply has its own), and
    # a short dateline closing an essay ("——《北京之春》1998年3月号").
    for block in zones.body + zones.footer:
        if _COPYRIGHT.search(block.text) or block.link_ratio > 0.5 or block.chars > 80:
            continue
        found = _text_dates(block.text, tz, now)
        if found and _LABEL.search(block.text):
            dt, has_time, _ = found[0]
            out.append(Candidate(50 + 5 * has_time, dt, has_time, "stamp"))
            break
    for block in zones.body_tail:
        if block.chars <= 30 and not _COPYRIGHT.search(block.text):
            for dt, has_time, _ in _text_dates(block.text, tz, now, year_month=True)[:1]:
                out.append(Candidate(48, dt, has_time, "dateline"))
    return out


def _url_candidates(url: str | None, tz: str, now) -> list[Candidate]:
    m = _URL_DATE.search(url or "")
    if not m:
        return []
    dt = parse_datetime("-".join(m.groups()), default_tz=tz, now=now)
    return [Candidate(40, dt, False, "url")] if dt else []


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
        # A date-only value is local midnight: take a same-day time from elsewhere.
        for c in sorted(cands, key=lambda c: -c.score):
            if c.has_time and 0 <= (c.when - best.when).total_seconds() < 86400:
                return c.when
    logger.debug("date %s from %s", best.when, best.source)
    return best.when
