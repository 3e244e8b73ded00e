"""Hacker News through the Algolia HN Search API (no login, generous limits).

Page kinds: ``search`` (``/api/v1/search`` and ``/api/v1/search_by_date``:
hits that are stories or comments, paginated by ``page``) and ``item``
(``/api/v1/items/<id>``: a story or comment with its whole reply tree in
``children``).

HN item ids are global, so they are the post ids; a comment's ``parent_id``
and ``story_id`` become ``parent_id`` and ``thread_id``. Every document links
to the item page on news.ycombinator.com, where people read it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, html_text, with_query

logger = logging.getLogger(__name__)

PLATFORM = "hackernews"
WEB = "https://news.ycombinator.com"
_KEPT_TAGS = ("ask_hn", "show_hn", "poll", "job", "front_page")


def doc_id(item_id: Any) -> str:
    return make_id(platform=PLATFORM, post_id=str(item_id))


def item_url(item_id: Any) -> str:
    return f"{WEB}/item?id={item_id}"


class HackerNewsParser(JsonApiParser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("search", "item")
    default_kind = "search"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        status = data.get("status") if isinstance(data, dict) else None
        if not (isinstance(status, int) and status >= 400):
            return None
        message = f"hackernews: {data.get('message') or data.get('error') or status}"
        reason = {429: "rate_limited", 404: "not_found", 403: "risk_control"}.get(status, "api_error")
        return ParseError(reason, message)

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"hackernews parser has no page kind {kind!r}")
        data = self.load(page)
        result = ParseResult()
        if kind == "search":
            self._search(result, data, page)
        else:
            self._item(result, data, page, "")
        return result

    def _search(self, result: ParseResult, data: Any, page: Page) -> None:
        s = self.shape
        hits = s.get(data, "hits", list)
        parts = urlsplit(page.url)
        for i, hit in enumerate(hits):
            where = f"hits[{i}]"
            tags = s.get(hit, "_tags", list, f"{where}._tags")
            item_id = s.get(hit, "objectID", str, f"{where}.objectID")
            if "comment" in tags:
                doc = self._comment(hit, item_id, s.get(hit, "comment_text", str, f"{where}.comment_text",
                                                        default=""), page, where)
            else:
                doc = self._story(hit, item_id, tags, page, where,
                                  comments=s.count(hit, "num_comments", f"{where}.num_comments", default=None))
            if doc is None:
                result.warnings.append("deleted_item")
                continue
            result.documents.append(doc)
            if doc.engagement.comments:
                result.links.append(Link(f"{parts.scheme}://{parts.netloc}/api/v1/items/{item_id}", "item"))
        number = s.get(data, "page", int)
        if hits and number + 1 < s.get(data, "nbPages", int):
            result.links.append(Link(with_query(page.url, page=number + 1), "search"))

    def _item(self, result: ParseResult, item: Any, page: Page, where: str) -> None:
        s = self.shape
        prefix = f"{where}." if where else ""
        item_id = s.get(item, "id", int, f"{prefix}id")
        kind = s.get(item, "type", str, f"{prefix}type")
        if kind == "comment":
            doc = self._comment(item, item_id, s.get(item, "text", str, f"{prefix}text", default=""), page, where)
        else:
            doc = self._story(item, item_id, [kind], page, where, comments=_descendants(item))
        if doc is None:
            result.warnings.append("deleted_item")
        else:
            result.documents.append(doc)
        for i, child in enumerate(s.get(item, "children", list, f"{prefix}children")):
            self._item(result, child, page, f"{prefix}children[{i}]")

    # ------------------------------------------------------------------ documents

    def _author(self, name: str | None) -> Author:
        return Author(name=name, id=name, url=f"{WEB}/user?id={name}") if name else Author()

    def _story(self, data: dict, item_id: Any, tags: list, page: Page, where: str,
               comments: int | None) -> Document | None:
        s = self.shape
        prefix = f"{where}." if where else ""
        title = normalize_text(s.get(data, "title", str, f"{prefix}title", default=""))
        text = html_text(s.get(data, "story_text", str, f"{prefix}story_text", default="")
                         or s.get(data, "text", str, f"{prefix}text", default=""))
        # A link story's content is the link it shares: that is what people discuss.
        content = text or s.get(data, "url", str, f"{prefix}url", default="")
        if not (title or content):
            return None
        return Document(
            id=doc_id(item_id),
            platform=PLATFORM,
            channel=self.channel,
            url=item_url(item_id),
            title=title,
            content=content,
            author=self._author(data.get("author")),
            published_at=s.time(data, "created_at_i", f"{prefix}created_at_i"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source="news.ycombinator.com",
            post_id=str(item_id),
            engagement=Engagement(
                likes=s.count(data, "points", f"{prefix}points", default=None),
                comments=comments,
            ),
            tags=[t for t in tags if t in _KEPT_TAGS],
        )

    def _comment(self, data: dict, item_id: Any, text_html: str, page: Page, where: str) -> Document | None:
        s = self.shape
        prefix = f"{where}." if where else ""
        text = html_text(text_html)
        if not text:
            return None
        parent = s.get(data, "parent_id", (int, str), f"{prefix}parent_id")
        story = s.get(data, "story_id", (int, str), f"{prefix}story_id")
        return Document(
            id=doc_id(item_id),
            platform=PLATFORM,
            channel=self.channel,
            url=item_url(item_id),
            content=text,
            author=self._author(data.get("author")),
            published_at=s.time(data, "created_at_i", f"{prefix}created_at_i"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(text),
            source="news.ycombinator.com",
            post_id=str(item_id),
            parent_id=doc_id(parent),
            thread_id=doc_id(story),
            engagement=Engagement(likes=s.count(data, "points", f"{prefix}points", default=None)),
        )


def _descendants(item: dict) -> int:
    children = item.get("children") or []
    return len(children) + sum(_descendants(c) for c in children if isinstance(c, dict))
