"""V2EX through its public API v1 (no login; 120 requests per hour per IP).

Page kinds: ``topics`` (a list of topics: ``/api/topics/latest.json``,
``/api/topics/hot.json``, ``/api/topics/show.json?id=|node_name=|username=``)
and ``replies`` (``/api/replies/show.json?topic_id=``: every reply of a topic).

Topic and reply ids are separate sequences that overlap, so post ids are
``topic:<id>`` and ``reply:<id>``. V2EX replies are flat: each one's parent is
the topic, which is also the thread.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, query_param

logger = logging.getLogger(__name__)

PLATFORM = "v2ex"
WEB = "https://www.v2ex.com"


def topic_doc_id(topic_id: Any) -> str:
    return make_id(platform=PLATFORM, post_id=f"topic:{topic_id}")


class V2exParser(JsonApiParser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("topics", "replies")
    default_kind = "topics"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        if not (isinstance(data, dict) and (data.get("status") == "error" or "message" in data)):
            return None
        message = str(data.get("message") or "error")
        lowered = message.lower()
        if "rate limit" in lowered:
            return ParseError("rate_limited", f"v2ex: {message}")
        if "not found" in lowered:
            return ParseError("not_found", f"v2ex: {message}")
        return ParseError("api_error", f"v2ex: {message}")

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"v2ex parser has no page kind {kind!r}")
        data = self.load(page)
        if not isinstance(data, list):
            raise self.shape.fail(kind, f"expected a list of {kind}")
        result = ParseResult()
        if kind == "topics":
            base = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}"
            for i, topic in enumerate(data):
                doc = self._topic(topic, page, f"[{i}]")
                result.documents.append(doc)
                if doc.engagement.comments:
                    result.links.append(Link(f"{base}/api/replies/show.json?topic_id={topic['id']}", "replies"))
        else:
            topic_id = query_param(page.url, "topic_id")
            if not topic_id:
                raise ParseError("no_topic", f"{page.url}: a replies URL names its topic_id")
            for i, reply in enumerate(data):
                doc = self._reply(reply, topic_id, page, f"[{i}]")
                if doc is None:
                    result.warnings.append("empty_reply")
                else:
                    result.documents.append(doc)
        return result

    def _member(self, obj: dict, where: str) -> Author:
        member = self.shape.get(obj, "member", dict, f"{where}.member")
        name = self.shape.get(member, "username", str, f"{where}.member.username")
        return Author(name=name, id=str(self.shape.get(member, "id", int, f"{where}.member.id")),
                      url=f"{WEB}/member/{name}")

    def _topic(self, topic: Any, page: Page, where: str) -> Document:
        s = self.shape
        topic_id = s.get(topic, "id", int, f"{where}.id")
        title = normalize_text(s.get(topic, "title", str, f"{where}.title"))
        content = normalize_text(s.get(topic, "content", str, f"{where}.content", default=""))
        node = s.get(topic, "node", dict, f"{where}.node")
        return Document(
            id=topic_doc_id(topic_id),
            platform=PLATFORM,
            channel=self.channel,
            url=f"{WEB}/t/{topic_id}",
            title=title,
            content=content,
            author=self._member(topic, where),
            published_at=s.time(topic, "created", f"{where}.created"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source="www.v2ex.com",
            post_id=f"topic:{topic_id}",
            engagement=Engagement(comments=s.count(topic, "replies", f"{where}.replies")),
            tags=[normalize_text(s.get(node, "title", str, f"{where}.node.title"))],
        )

    def _reply(self, reply: Any, topic_id: str, page: Page, where: str) -> Document | None:
        s = self.shape
        reply_id = s.get(reply, "id", int, f"{where}.id")
        content = normalize_text(s.get(reply, "content", str, f"{where}.content"))
        if not content:
            return None
        topic = topic_doc_id(topic_id)
        return Document(
            id=make_id(platform=PLATFORM, post_id=f"reply:{reply_id}"),
            platform=PLATFORM,
            channel=self.channel,
            url=f"{WEB}/t/{topic_id}#r_{reply_id}",
            content=content,
            author=self._member(reply, where),
            published_at=s.time(reply, "created", f"{where}.created"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(content),
            source="www.v2ex.com",
            post_id=f"reply:{reply_id}",
            parent_id=topic,
            thread_id=topic,
            engagement=Engagement(likes=s.count(reply, "thanks", f"{where}.thanks", default=None)),
        )
