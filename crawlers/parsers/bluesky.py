"""Bluesky through the public AppView XRPC API (no login needed).

Page kinds: ``search`` (``app.bsky.feed.searchPosts``), ``feed``
(``app.bsky.feed.getAuthorFeed``) and ``thread`` (``app.bsky.feed.getPostThread``).

A post's ``at://`` URI is its global id. Replies carry ``reply.parent`` and
``reply.root`` references, which become ``parent_id`` and ``thread_id``. A
repost in an author feed is a document by the reposter with ``repost_of``
pointing at the original (emitted too); a quote post is a repost with its own
text, so it gets ``repost_of`` as well.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, lang_of, with_query

logger = logging.getLogger(__name__)

PLATFORM = "bluesky"
_REPOST = "app.bsky.feed.defs#reasonRepost"
_THREAD_POST = "app.bsky.feed.defs#threadViewPost"
_TAG_FACET = "app.bsky.richtext.facet#tag"
_ERROR_REASONS = {
    "AuthMissing": "login_required", "AuthenticationRequired": "login_required",
    "ExpiredToken": "login_required", "InvalidToken": "login_required",
    "RateLimitExceeded": "rate_limited", "NotFound": "not_found",
}


def doc_id(uri: str) -> str:
    return make_id(platform=PLATFORM, post_id=uri)


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


class BlueskyParser(JsonApiParser):
    platform = PLATFORM
    channel = "social"
    kinds = ("search", "feed", "thread")
    default_kind = "search"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        if not (isinstance(data, dict) and isinstance(data.get("error"), str)):
            return None
        message = f"bluesky: {data['error']}: {data.get('message') or ''}".strip()
        return ParseError(_ERROR_REASONS.get(data["error"], "api_error"), message)

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"bluesky parser has no page kind {kind!r}")
        data = self.load(page)
        result = ParseResult()
        if kind == "search":
            for i, post in enumerate(self.shape.get(data, "posts", list)):
                self._add(result, page, post, f"posts[{i}]")
        elif kind == "feed":
            for i, item in enumerate(self.shape.get(data, "feed", list)):
                self._add_feed_item(result, page, item, f"feed[{i}]")
        else:
            self._add_thread(result, page, self.shape.get(data, "thread", dict), "thread", up=True)
        if kind != "thread":
            cursor = self.shape.get(data, "cursor", str, default=None)
            items = data.get("posts") or data.get("feed")
            if cursor and items:
                result.links.append(Link(with_query(page.url, cursor=cursor), kind))
        return result

    # ------------------------------------------------------------------ structure

    def _add(self, result: ParseResult, page: Page, post: Any, where: str) -> Document | None:
        doc = self._document(post, page, where)
        if doc is None:
            result.warnings.append("empty_post")
            return None
        result.documents.append(doc)
        if doc.engagement.comments:
            parts = urlsplit(page.url)
            url = (f"{parts.scheme}://{parts.netloc}/xrpc/app.bsky.feed.getPostThread"
                   f"?uri={quote(doc.post_id, safe='')}&depth=10&parentHeight=0")
            result.links.append(Link(url, "thread"))
        return doc

    def _add_feed_item(self, result: ParseResult, page: Page, item: Any, where: str) -> None:
        post = self.shape.get(item, "post", dict, f"{where}.post")
        original = self._add(result, page, post, f"{where}.post")
        reason = item.get("reason")
        if not (isinstance(reason, dict) and reason.get("$type") == _REPOST) or original is None:
            return
        by = self.shape.get(reason, "by", dict, f"{where}.reason.by")
        author = self._author(by, f"{where}.reason.by")
        result.documents.append(Document(
            id=doc_id(f"{original.post_id}#repost/{author.id}"),
            platform=PLATFORM,
            channel=self.channel,
            url=original.url,
            content=original.content,
            author=author,
            published_at=self.shape.time(reason, "indexedAt", f"{where}.reason.indexedAt"),
            crawled_at=page.crawled_at or "",
            lang=original.lang,
            source=by.get("handle") or "",
            post_id=f"{original.post_id}#repost/{author.id}",
            repost_of=original.id,
            tags=list(original.tags),
        ))

    def _add_thread(self, result: ParseResult, page: Page, node: Any, where: str, up: bool = False) -> None:
        # Deleted and blocked posts appear as notFoundPost/blockedPost stubs.
        if not isinstance(node, dict) or node.get("$type", _THREAD_POST) != _THREAD_POST:
            return
        doc = self._document(self.shape.get(node, "post", dict, f"{where}.post"), page, f"{where}.post")
        if doc is None:
            result.warnings.append("empty_post")
        else:
            result.documents.append(doc)
        if up and node.get("parent"):
            self._add_thread(result, page, node["parent"], f"{where}.parent", up=True)
        for i, reply in enumerate(node.get("replies") or []):
            self._add_thread(result, page, reply, f"{where}.replies[{i}]")

    # ------------------------------------------------------------------ documents

    def _author(self, author: Any, where: str) -> Author:
        handle = self.shape.get(author, "handle", str, f"{where}.handle")
        return Author(name=normalize_text(author.get("displayName") or "") or handle,
                      id=self.shape.get(author, "did", str, f"{where}.did"),
                      url=f"https://bsky.app/profile/{handle}")

    def _document(self, post: Any, page: Page, where: str) -> Document | None:
        s = self.shape
        uri = s.get(post, "uri", str, f"{where}.uri")
        author_data = s.get(post, "author", dict, f"{where}.author")
        author = self._author(author_data, f"{where}.author")
        record = s.get(post, "record", dict, f"{where}.record")
        text = normalize_text(s.get(record, "text", str, f"{where}.record.text"))
        quoted_uri, quoted_text = self._quote(post, record)
        content = text or quoted_text or self._alt_texts(record)
        if not content:
            return None
        reply = record.get("reply")
        parent_id = thread_id = None
        if reply is not None:
            parent_id = doc_id(s.get(s.get(reply, "parent", dict, f"{where}.record.reply.parent"),
                                     "uri", str, f"{where}.record.reply.parent.uri"))
            thread_id = doc_id(s.get(s.get(reply, "root", dict, f"{where}.record.reply.root"),
                                     "uri", str, f"{where}.record.reply.root.uri"))
        langs = record.get("langs") or [None]
        return Document(
            id=doc_id(uri),
            platform=PLATFORM,
            channel=self.channel,
            url=post_url(author_data["handle"], uri),
            content=content,
            author=author,
            published_at=s.time(record, "createdAt", f"{where}.record.createdAt"),
            crawled_at=page.crawled_at or "",
            lang=lang_of(langs[0], content),
            source=author_data["handle"],
            post_id=uri,
            parent_id=parent_id,
            repost_of=doc_id(quoted_uri) if quoted_uri else None,
            thread_id=thread_id,
            engagement=Engagement(
                likes=s.count(post, "likeCount", f"{where}.likeCount"),
                comments=s.count(post, "replyCount", f"{where}.replyCount"),
                reposts=s.count(post, "repostCount", f"{where}.repostCount"),
            ),
            tags=self._tags(record),
        )

    @staticmethod
    def _quote(post: dict, record: dict) -> tuple[str | None, str]:
        """URI and text of the post this one quotes, if it quotes one."""
        embed = record.get("embed") or {}
        ref = embed.get("record") if isinstance(embed, dict) else None
        if isinstance(ref, dict) and isinstance(ref.get("record"), dict):
            ref = ref["record"]  # recordWithMedia nests the record once more
        uri = ref.get("uri") if isinstance(ref, dict) else None
        if not isinstance(uri, str) or "/app.bsky.feed.post/" not in uri:
            return None, ""
        view = (post.get("embed") or {}).get("record") or {}
        if isinstance(view.get("record"), dict) and "value" not in view:
            view = view["record"]
        value = view.get("value") if isinstance(view, dict) else None
        text = value.get("text") if isinstance(value, dict) else None
        return uri, normalize_text(text or "")

    @staticmethod
    def _alt_texts(record: dict) -> str:
        embed = record.get("embed") or {}
        media = embed.get("media") if isinstance(embed.get("media"), dict) else embed
        images = media.get("images") if isinstance(media, dict) else None
        return normalize_text("\n".join(i.get("alt") or "" for i in images or [] if isinstance(i, dict)))

    @staticmethod
    def _tags(record: dict) -> list[str]:
        tags = [t for t in record.get("tags") or [] if isinstance(t, str)]
        for facet in record.get("facets") or []:
            for feature in facet.get("features") or [] if isinstance(facet, dict) else []:
                if isinstance(feature, dict) and feature.get("$type") == _TAG_FACET and feature.get("tag"):
                    tags.append(feature["tag"])
        return list(dict.fromkeys(tags))

