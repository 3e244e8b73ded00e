"""Mastodon (and compatible fediverse servers) through the public REST API.

Page kinds: ``search`` (``/api/v2/search?type=statuses``), ``timeline`` (a
list of statuses: ``/api/v1/timelines/tag/<tag>``, public and account
timelines), ``status`` (``/api/v1/statuses/<id>``) and ``context``
(``/api/v1/statuses/<id>/context``: the ancestors and replies of a status).

Status ids are only unique on the server that answered (the same post has
another id on every instance that federates it), so documents are keyed by
``host:id``; ``in_reply_to_id`` is an id on that same host, which keeps reply
links consistent. A reblog is a document of its own by the reblogger with
``repost_of`` pointing at the original, which is emitted too.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, html_text, lang_of, query_param, with_query

logger = logging.getLogger(__name__)

PLATFORM = "mastodon"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_CONTEXT_PATH = re.compile(r"/api/v1/statuses/([^/]+)/context$")
# Mastodon's default page size when the request names none.
_DEFAULT_LIMIT = 20


def doc_id(host: str, status_id: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"{host}:{status_id}")


class MastodonParser(JsonApiParser):
    platform = PLATFORM
    channel = "social"
    kinds = ("search", "timeline", "status", "context")
    default_kind = "timeline"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        if not (isinstance(data, dict) and isinstance(data.get("error"), str)):
            return None
        message = data["error"]
        lowered = message.lower()
        if "authenticat" in lowered or "token" in lowered or "authoriz" in lowered:
            return ParseError("login_required", f"mastodon: {message}")
        if "too many requests" in lowered:
            return ParseError("rate_limited", f"mastodon: {message}")
        if "not found" in lowered:
            return ParseError("not_found", f"mastodon: {message}")
        return ParseError("api_error", f"mastodon: {message}")

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"mastodon parser has no page kind {kind!r}")
        data = self.load(page)
        host = urlsplit(page.url).netloc
        result = ParseResult()
        if kind == "search":
            statuses = self.shape.get(data, "statuses", list)
            self._add_statuses(result, statuses, host, page, "statuses")
            limit = int(query_param(page.url, "limit") or _DEFAULT_LIMIT)
            if statuses and len(statuses) >= limit:
                offset = int(query_param(page.url, "offset") or 0) + len(statuses)
                result.links.append(Link(with_query(page.url, offset=offset), "search"))
        elif kind == "timeline":
            if not isinstance(data, list):
                raise self.shape.fail("statuses", "a timeline must be a list of statuses")
            self._add_statuses(result, data, host, page, "statuses")
            next_url = self._next_page(page, data)
            if next_url:
                result.links.append(Link(next_url, "timeline"))
        elif kind == "status":
            if not isinstance(data, dict):
                raise self.shape.fail("status", "expected one status object")
            self._add_statuses(result, [data], host, page, "status")
        else:
            self._add_context(result, data, host, page)
        return result

    # ------------------------------------------------------------------ pages

    def _next_page(self, page: Page, statuses: list) -> str | None:
        m = _LINK_NEXT.search(page.headers.get("link", ""))
        if m:
            return m.group(1)
        # Servers behind proxies that drop the Link header: a full page means
        # there may be more, older statuses below the last id.
        limit = int(query_param(page.url, "limit") or _DEFAULT_LIMIT)
        if statuses and len(statuses) >= limit:
            last = self.shape.get(statuses[-1], "id", str, "statuses[].id")
            return with_query(page.url, max_id=last, min_id=None, since_id=None)
        return None

    def _add_statuses(self, result: ParseResult, statuses: list, host: str, page: Page, path: str,
                      thread_id: str | None = None) -> None:
        for i, status in enumerate(statuses):
            where = f"{path}[{i}]"
            reblog = status.get("reblog") if isinstance(status, dict) else None
            if reblog is not None:
                original = self._document(reblog, host, page, f"{where}.reblog", thread_id)
                result.documents.append(original)
                result.documents.append(self._document(status, host, page, where, thread_id, original))
                self._follow_replies(result, reblog, host, page)
            else:
                result.documents.append(self._document(status, host, page, where, thread_id))
                self._follow_replies(result, status, host, page)

    def _follow_replies(self, result: ParseResult, status: dict, host: str, page: Page) -> None:
        if status.get("replies_count"):
            url = f"{urlsplit(page.url).scheme}://{host}/api/v1/statuses/{status['id']}/context"
            result.links.append(Link(url, "context"))

    def _add_context(self, result: ParseResult, data: Any, host: str, page: Page) -> None:
        ancestors = self.shape.get(data, "ancestors", list)
        descendants = self.shape.get(data, "descendants", list)
        m = _CONTEXT_PATH.search(urlsplit(page.url).path)
        focal = m.group(1) if m else None
        root = ancestors[0].get("id") if ancestors and isinstance(ancestors[0], dict) else focal
        thread_id = doc_id(host, str(root)) if root else None
        for i, status in enumerate(ancestors):
            result.documents.append(self._document(status, host, page, f"ancestors[{i}]", thread_id))
        # Replies of replies come back in the same answer: no further links.
        for i, status in enumerate(descendants):
            result.documents.append(self._document(status, host, page, f"descendants[{i}]", thread_id))

    # ------------------------------------------------------------------ documents

    def _document(self, status: Any, host: str, page: Page, where: str, thread_id: str | None = None,
                  reblogged: Document | None = None) -> Document:
        s = self.shape
        status_id = s.get(status, "id", str, f"{where}.id")
        account = s.get(status, "account", dict, f"{where}.account")
        acct = s.get(account, "acct", str, f"{where}.account.acct")
        if "@" not in acct:
            # Local accounts are named without their server.
            acct = f"{acct}@{host}"
        author = Author(
            name=normalize_text(s.get(account, "display_name", str, f"{where}.account.display_name"))
            or s.get(account, "username", str, f"{where}.account.username"),
            id=acct,
            url=s.get(account, "url", str, f"{where}.account.url"),
            followers=s.count(account, "followers_count", f"{where}.account.followers_count", default=None),
        )
        if reblogged is not None:
            content = reblogged.content
            tags = list(reblogged.tags)
        else:
            content = html_text(s.get(status, "content", str, f"{where}.content"))
            spoiler = s.get(status, "spoiler_text", str, f"{where}.spoiler_text", default="")
            if spoiler.strip():
                content = f"{spoiler.strip()}\n\n{content}".strip()
            tags = [s.get(t, "name", str, f"{where}.tags[].name") for t in s.get(status, "tags", list, f"{where}.tags")]
        reply_to = s.get(status, "in_reply_to_id", (str, int), f"{where}.in_reply_to_id", default=None)
        parent_id = doc_id(host, str(reply_to)) if reply_to is not None else None
        own_id = doc_id(host, status_id)
        return Document(
            id=own_id,
            platform=PLATFORM,
            channel=self.channel,
            url=status.get("url") or s.get(status, "uri", str, f"{where}.uri"),
            content=content,
            author=author,
            published_at=s.time(status, "created_at", f"{where}.created_at"),
            crawled_at=page.crawled_at or "",
            lang=reblogged.lang if reblogged else lang_of(status.get("language"), content),
            source=acct,
            post_id=f"{host}:{status_id}",
            parent_id=parent_id,
            repost_of=reblogged.id if reblogged else None,
            thread_id=thread_id if thread_id != own_id else None,
            engagement=Engagement(
                likes=s.count(status, "favourites_count", f"{where}.favourites_count"),
                comments=s.count(status, "replies_count", f"{where}.replies_count"),
                reposts=s.count(status, "reblogs_count", f"{where}.reblogs_count"),
            ),
            tags=tags,
        )
