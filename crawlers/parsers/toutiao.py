"""Toutiao (今日头条) self-media articles.

Kinds: ``search`` (``api/search/content/?keyword=`` JSON: lightweight
documents from the result cards plus links to the articles) and ``article``
(a rendered article page). Article pages have come in three layouts, all
read here: the 2019 article (``.article-box`` and a ``BASE_DATA`` script with
ids, source, time, tags and comment count), the 2019 picture gallery
(``.galleryBox``, captions in ``BASE_DATA.galleryInfo``) and the 2021+ layout
(``.article-content`` with ``h1``, ``.article-meta`` and ``<article>``).

Articles are keyed by their group id, the number in ``/article/<id>/`` and
``/group/<id>/`` URLs, so a search card and the article it leads to are one
document (the article, fetched later, replaces the card's abstract).
"""

from __future__ import annotations

import html
import json
import logging
import re
from urllib.parse import quote, urljoin, urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (RISK_CONTROL, element_text, html_to_text, iso_time, load_html, load_json, looks_like_html,
                     need, need_id, opt_count, region_from_label, with_query)

logger = logging.getLogger(__name__)

PLATFORM = "toutiao"
BASE = "https://www.toutiao.com"
_ID_IN_URL = re.compile(r"/(?:article|group|item|a|i)/?(\d{8,})")
_USER_IN_URL = re.compile(r"/c/user/(?:token/)?([^/?#]+)")
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
# Bytedance's anti-bot challenge page: a script that computes a signature.
_CHALLENGE_MARKERS = ("byted_acrawler", "__ac_nonce", "_$jsvmprt")


def article_doc_id(group_id: str) -> str:
    return make_id(platform=PLATFORM, post_id=group_id)


def article_url(group_id: str) -> str:
    return f"{BASE}/article/{group_id}/"


def search_api_url(keyword: str) -> str:
    return (f"{BASE}/api/search/content/?aid=24&app_name=web_search&offset=0&format=json"
            f"&keyword={quote(keyword)}&autoload=true&count=20&en_qc=1&cur_tab=1&from=search_tab&pd=synthesis")


def _script_value(script: str, *keys: str) -> str | None:
    """``key: 'value'`` from the ``BASE_DATA`` object literal (JavaScript, not JSON)."""
    for key in keys:
        m = re.search(rf"\b{key}\s*:\s*'([^']*)'", script)
        if m and m.group(1):
            return m.group(1)
    return None


def _block(script: str, name: str) -> str:
    """The ``name: {...}`` sub-object of BASE_DATA (flat objects only)."""
    m = re.search(rf"\b{name}\s*:\s*\{{(.*?)\}}", script, re.S)
    return m.group(1) if m else ""


def _first(el, css: str):
    found = el.cssselect(css)
    return found[0] if found else None


class ToutiaoParser(Parser):
    platform = PLATFORM
    channel = "self-media"
    kinds = ("search", "article")
    default_kind = "article"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        path = urlsplit(url).path
        if path.startswith("/api/search/"):
            return "search"
        return "article" if _ID_IN_URL.search(path) else None

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind == "search":
            return self.parse_search(page)
        if kind == "article":
            return self.parse_article(page)
        raise ParseError("unknown_kind", f"toutiao parser has no page kind {kind!r}")

    # ------------------------------------------------------------------ search

    def parse_search(self, page: Page) -> ParseResult:
        if looks_like_html(page.body):
            raise ParseError(RISK_CONTROL, f"{page.url}: Toutiao answered the search with a page, not JSON")
        payload = load_json(page)
        if not isinstance(payload, dict):
            raise ShapeError(PLATFORM, "data")
        if payload.get("message") not in (None, "success") and not payload.get("data"):
            raise ParseError(RISK_CONTROL, f"{page.url}: Toutiao refused the search ({payload.get('message')})")
        items = need(payload, "data", list, platform=PLATFORM)
        result = ParseResult()
        for item in items:
            # Cards without a group id are related searches, user cards, ads.
            if isinstance(item, dict) and item.get("group_id") and item.get("title"):
                doc = self._search_card(item, page)
                result.documents.append(doc)
                result.links.append(Link(doc.url, "article"))
        offset = payload.get("offset")
        if payload.get("has_more") and isinstance(offset, int) and items:
            result.links.append(Link(with_query(page.url, offset=offset), "search"))
        return result

    def _search_card(self, item: dict, page: Page) -> Document:
        group_id = need_id(item, "group_id", platform=PLATFORM, path="data.group_id")
        title = html_to_text(need(item, "title", str, platform=PLATFORM, path="data.title"))
        content = html_to_text(item.get("abstract") if isinstance(item.get("abstract"), str) else "")
        name = need(item, "media_name", str, platform=PLATFORM, path="data.media_name")
        uid = str(item.get("user_id") or "") or None
        media_url = item.get("media_url")
        published = iso_time(need(item, "publish_time", (int, str), platform=PLATFORM, path="data.publish_time"), page)
        if published is None:
            raise ShapeError(PLATFORM, "data.publish_time")
        return Document(
            id=article_doc_id(group_id),
            platform=PLATFORM,
            channel=self.channel,
            url=article_url(group_id),
            title=title,
            content=content,
            author=Author(name=name, id=uid, url=urljoin(BASE, media_url) if isinstance(media_url, str) else None,
                          verified=item["user_verified"] if isinstance(item.get("user_verified"), bool) else None),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source=name,
            post_id=group_id,
            engagement=Engagement(comments=opt_count(item, "comment_count"), likes=opt_count(item, "digg_count"),
                                  views=opt_count(item, "read_count")),
        )

    # ------------------------------------------------------------------ article

    def parse_article(self, page: Page) -> ParseResult:
        tree = load_html(page)
        script = next((s.text for s in tree.iter("script") if s.text and "BASE_DATA" in s.text), "")
        if not tree.cssselect(".article-box, .galleryBox, .article-content"):
            text = page.body[:20_000].decode("utf-8", errors="replace")
            if any(marker in text for marker in _CHALLENGE_MARKERS):
                raise ParseError(RISK_CONTROL, f"{page.url}: Toutiao answered with its anti-bot challenge")
            raise ShapeError(PLATFORM, "article-content")

        m = _ID_IN_URL.search(urlsplit(page.url).path)
        group_id = (_script_value(script, "groupId", "group_id") or _script_value(script, "itemId", "item_id")
                    or (m.group(1) if m else None))
        if not group_id:
            raise ShapeError(PLATFORM, "group_id")
        if tree.cssselect(".galleryBox"):
            fields = self._gallery(tree, script)
        else:
            fields = self._article(tree, script)

        published = iso_time(fields["time"], page) if fields["time"] else None
        if published is None:
            raise ShapeError(PLATFORM, "publish_time", f"{PLATFORM}: unreadable time {fields['time']!r}")
        media = _block(script, "mediaInfo")
        name = fields["author"] or _script_value(media, "name") or _script_value(script, "source")
        if not name:
            raise ShapeError(PLATFORM, "media_name")
        open_url = _script_value(media, "openUrl") or fields["author_url"]
        user = _USER_IN_URL.search(open_url or "")
        uid = _script_value(media, "uid", "user_id") or (user.group(1) if user else None)
        comments = re.search(r"\bcomments_count\s*:\s*(\d+)", script)
        doc = Document(
            id=article_doc_id(group_id),
            platform=PLATFORM,
            channel=self.channel,
            url=article_url(group_id),
            title=fields["title"],
            content=fields["content"],
            author=Author(name=name, id=uid, url=urljoin(BASE, open_url).split("?")[0] if open_url else None),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{fields['title']}\n{fields['content']}"),
            source=name,
            post_id=group_id,
            engagement=Engagement(comments=int(comments.group(1)) if comments else None),
            tags=fields["tags"] or _script_tags(script),
            region_hint=fields["region"],
        )
        return ParseResult(documents=[doc])

    def _article(self, tree, script: str) -> dict:
        """2019 ``.article-box`` pages and the 2021+ ``.article-content`` layout."""
        box = _first(tree, ".article-box")
        if box is not None:
            body = _first(box, ".article-content")
        else:
            box = _first(tree, ".article-content")
            body = _first(box, "article")
        title_el = _first(box, "h1")
        title = normalize_text(title_el.text_content()) if title_el is not None else ""
        if not title:
            raise ShapeError(PLATFORM, "title")
        if body is None:
            raise ShapeError(PLATFORM, "article-content")
        meta_spans = [normalize_text(s.text_content()) for s in box.cssselect(".article-sub span, .article-meta span")]
        author_el = _first(box, ".article-meta .name a")
        if author_el is None:
            author_el = _first(box, ".article-meta .name")
        subinfo = _block(script, "subInfo")
        author_name = normalize_text(author_el.text_content()) if author_el is not None else None
        if author_name is None and not subinfo:
            # 2019 pages put the source between the "原创" tag and the time.
            author_name = next((s for s in meta_spans if s and s != "原创" and not _DATE.fullmatch(s)), None)
        return {
            "title": title,
            "content": element_text(body),
            "time": next((s for s in meta_spans if _DATE.fullmatch(s)), None) or _script_value(subinfo, "time"),
            "author": author_name or _script_value(subinfo, "source"),
            "author_url": author_el.get("href") if author_el is not None else None,
            "tags": [normalize_text(a.text_content()) for a in tree.cssselect(".article-tag a.label-link")],
            "region": next((r for r in map(region_from_label, meta_spans) if r), None),
        }

    def _gallery(self, tree, script: str) -> dict:
        """Picture galleries: the captions are the text."""
        box = _first(tree, ".galleryBox")
        title_el = _first(box, "h2.title")
        if title_el is None:
            raise ShapeError(PLATFORM, "title")
        for tag in title_el.cssselect("span"):
            tag.drop_tree()  # the "原创" badge
        captions = _gallery_captions(script)
        if not captions:
            abstract = _first(box, ".abstract")
            if abstract is None:
                raise ShapeError(PLATFORM, "sub_abstracts")
            for index in abstract.cssselect(".abstract-index"):
                index.drop_tree()
            captions = [normalize_text(abstract.text_content())]
        time_el = _first(box, ".snsBox .time, span.time")
        author_el = _first(box, ".pgc .media-user")
        return {
            "title": normalize_text(title_el.text_content()),
            "content": "\n".join(c for c in captions if c),
            "time": normalize_text(time_el.text_content()) if time_el is not None else None,
            "author": normalize_text(author_el.text_content()) if author_el is not None else None,
            "author_url": author_el.get("href") if author_el is not None else None,
            "tags": [normalize_text(a.text_content()) for a in box.cssselect(".tag-list a")],
            "region": None,
        }


def _gallery_captions(script: str) -> list[str]:
    m = re.search(r"gallery\s*:\s*JSON\.parse\(\"(.*?)\"\)", script, re.S)
    if not m:
        return []
    try:
        gallery = json.loads(json.loads(f'"{m.group(1)}"'))
    except ValueError:
        logger.debug("unreadable gallery JSON")
        return []
    captions = gallery.get("sub_abstracts") if isinstance(gallery, dict) else None
    return [normalize_text(c) for c in captions if isinstance(c, str)] if isinstance(captions, list) else []


def _script_tags(script: str) -> list[str]:
    m = re.search(r"\btags\s*:\s*(\[.*?\])", script, re.S)
    if not m:
        return []
    try:
        tags = json.loads(html.unescape(m.group(1)))
    except ValueError:
        return []
    return [normalize_text(t["name"]) for t in tags if isinstance(t, dict) and isinstance(t.get("name"), str)]
