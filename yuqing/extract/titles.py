"""Headline extraction: the page's own headline element, without the site-name suffix."""
from __future__ import annotations

import re

from lxml import etree

from yuqing.text import normalize_text

from .zones import squash

# Separators between headline and site/channel name in <title>. Hyphens and
# bars need surrounding blanks ("COVID-19" must survive); the underscore is
# the usual Chinese CMS separator and needs none.
_TITLE_SPLIT = re.compile(r"\s+[-|–—~·»]\s+|\s*[_｜|]\s*|\s+::\s+|\s+-{2,}\s+|-{2,}")
_HEADLINE_ATTR = re.compile(r"title|headline|biaoti|heading|article-h", re.I)
_META_TITLE_KEYS = ("og:title", "twitter:title", "title", "headline", "dc.title")


def _text(el: etree._Element) -> str:
    return normalize_text(" ".join(el.itertext())).replace("\n", " ")


def meta_title(tree: etree._Element) -> str | None:
    for key in _META_TITLE_KEYS:
        for m in tree.iter("meta"):
            k = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
            if k == key and (m.get("content") or "").strip():
                return normalize_text(m.get("content"))
    return None


def headline_candidates(tree: etree._Element) -> list[str]:
    """Texts of h1 elements, then of other elements whose class/id says "title"."""
    out = [_text(h) for h in tree.iter("h1")]
    for el in tree.iter("h2", "h3", "div", "td", "span", "font", "p", "strong", "b"):
        attrs = f"{el.get('class', '')} {el.get('id', '')}"
        if attrs.strip() and _HEADLINE_ATTR.search(attrs):
            out.append(_text(el))
    return [t for t in out if 4 <= len(t) <= 200]


def _weight(s: str) -> int:
    # A Han character carries about as much as two Latin letters.
    return len(s) + len(re.findall(r"[\u4e00-\u9fff]", s))


def strip_site_name(title: str) -> str:
    """"Headline - Section - Site" → "Headline"; "Site | Headline" → "Headline"."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p and p.strip()]
    if len(parts) <= 1:
        return title.strip()
    longest = max(parts, key=_weight)
    return parts[0] if _weight(parts[0]) >= 0.6 * _weight(longest) else longest


def _tokens(s: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+|[\u4e00-\u9fff]", s.lower()))


def _overlap(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


def _sane_hint(hint: str | None, tree: etree._Element) -> str | None:
    """The corpus wrapper's title, unless it is mojibake (then the page never shows it)."""
    if not hint:
        return None
    hint = normalize_text(hint)
    body = tree.find(".//body")
    text = squash(" ".join((body if body is not None else tree).itertext()))
    head = squash(strip_site_name(hint))
    return hint if head and head[:12] in text else None


def extract_title(tree: etree._Element, wrapper_title: str | None = None, fallback: str | None = None) -> str | None:
    """Headline of the page; ``wrapper_title`` is a hint such as a CleanEval ``<text title=…>``."""
    title_el = tree.find(".//title")
    page_title = _text(title_el) if title_el is not None else ""
    hint = _sane_hint(wrapper_title, tree)
    og = meta_title(tree)
    heads = headline_candidates(tree)
    fulls = [squash(t) for t in (page_title, hint) if t]
    # A headline element repeated in <title> is the headline without the site
    # suffix; the longest such is the least truncated.
    contained = [c for c in heads + ([og] if og else [])
                 if len(squash(c)) >= 4 and any(squash(c) in full for full in fulls)]
    if contained:
        return max(contained, key=lambda c: len(squash(c)))
    if hint and (not page_title or squash(hint) not in squash(page_title)):
        return strip_site_name(hint)
    # Otherwise the visible headline, if it is about what og:title/<title> say
    # (sites A/B-test social titles; h1 may also be a logo or section name).
    reference = og or page_title
    if reference:
        h1 = max(heads[:5], key=lambda c: _overlap(c, reference), default=None)
        if h1 and _overlap(h1, reference) >= 0.5:
            return h1
    if og:
        return strip_site_name(og)
    if page_title:
        return strip_site_name(page_title)
    if fallback:
        return normalize_text(fallback)
    return heads[0] if heads else None
