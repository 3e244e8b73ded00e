"""Reddit through its public JSON views (``.json`` after any listing URL).

Page kinds: ``listing`` (``/r/<sub>/new.json``, ``/search.json``: a Listing of
``t3`` submissions, paginated by ``after``) and ``comments``
(``/comments/<id>.json``: the submission plus its comment tree).

Every thing has a fullname (``t3_<id>`` submissions, ``t1_<id>`` comments)
that is also what ``parent_id`` and ``link_id`` refer to, so fullnames are
the post ids and reply links need no lookup. Collapsed ``more`` stubs are
left alone: ``/comments/<id>.json?limit=500`` already returns most trees whole.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, with_query

logger = logging.getLogger(__name__)

PLATFORM = "reddit"
WEB = "https://www.reddit.com"
_GONE = {"[deleted]", "[removed]"}


def doc_id(fullname: str) -> str:
    return make_id(platform=PLATFORM, post_id=fullname)


class RedditParser(JsonApiParser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("listing", "comments")
    default_kind = "listing"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        if not (isinstance(data, dict) and "error" in data and "data" not in data):
            return None
        code, message = data.get("error"), f"reddit: {data.get('message')} ({data.get('reason') or data.get('error')})"
        if code == 401:
            return ParseError("login_required", message)
        if code == 429:
            return ParseError("rate_limited", message)
        if code == 404:
            return ParseError("not_found", message)
        # A 403 without a reason (private, quarantined...) is Reddit refusing the client.
        if code == 403 and not data.get("reason"):
            return ParseError("risk_control", message)
        return ParseError("api_error", message)

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"reddit parser has no page kind {kind!r}")
        data = self.load(page)
        result = ParseResult()
        if kind == "listing":
            listing = self._listing(data, "")
            for i, child in enumerate(listing["children"]):
                doc = self._submission(self._thing(child, "t3", f"data.children[{i}]"), page, f"data.children[{i}].data")
                result.documents.append(doc)
                if doc.engagement.comments:
                    parts = urlsplit(page.url)
                    result.links.append(Link(f"{parts.scheme}://{parts.netloc}/comments/{doc.post_id[3:]}.json"
                                             "?sort=new&limit=500", "comments"))
            after = self.shape.get(listing, "after", str, "data.after", default=None)
            if after and listing["children"]:
                result.links.append(Link(with_query(page.url, after=after, count=None), "listing"))
        else:
            if not (isinstance(data, list) and len(data) == 2):
                raise self.shape.fail("[submission, comments]", "expected a two-listing array")
            submission_listing = self._listing(data[0], "[0]")
            if not submission_listing["children"]:
                raise self.shape.fail("[0].data.children", "no submission")
            submission = self._thing(submission_listing["children"][0], "t3", "[0].data.children[0]")
            result.documents.append(self._submission(submission, page, "[0].data.children[0].data"))
            self._comments(result, self._listing(data[1], "[1]"), page, "[1].data")
        return result

    # ------------------------------------------------------------------ structure

    def _listing(self, obj: Any, path: str) -> dict:
        """The ``data`` of the Listing at ``path`` (``""`` for the root)."""
        prefix = f"{path}." if path else ""
        if not (isinstance(obj, dict) and obj.get("kind") == "Listing"):
            raise self.shape.fail(f"{prefix}kind", "expected a Listing")
        listing = self.shape.get(obj, "data", dict, f"{prefix}data")
        self.shape.get(listing, "children", list, f"{prefix}data.children")
        return listing

    def _thing(self, child: Any, kind: str, path: str) -> dict:
        if self.shape.get(child, "kind", str, f"{path}.kind") != kind:
            raise self.shape.fail(f"{path}.kind", f"expected a {kind}, got {child.get('kind')!r}")
        return self.shape.get(child, "data", dict, f"{path}.data")

    def _comments(self, result: ParseResult, listing: dict, page: Page, path: str) -> None:
        for i, child in enumerate(listing["children"]):
            where = f"{path}.children[{i}]"
            kind = self.shape.get(child, "kind", str, f"{where}.kind")
            if kind == "more":
                logger.debug("collapsed comments at %s on %s", where, page.url)
                continue
            data = self._thing(child, "t1", where)
            doc = self._comment(data, page, f"{where}.data")
            if doc is None:
                result.warnings.append("deleted_comment")
            else:
                result.documents.append(doc)
            replies = data.get("replies")
            # "no replies" is an empty string, not an empty Listing.
            if replies:
                self._comments(result, self._listing(replies, f"{where}.data.replies"), page,
                               f"{where}.data.replies.data")

    # ------------------------------------------------------------------ documents

    def _author(self, data: dict, where: str) -> Author:
        name = self.shape.get(data, "author", str, f"{where}.author")
        if name in _GONE:
            return Author()
        return Author(name=name, id=data.get("author_fullname"), url=f"{WEB}/user/{name}")

    def _submission(self, data: dict, page: Page, where: str) -> Document:
        s = self.shape
        fullname = s.get(data, "name", str, f"{where}.name")
        title = normalize_text(s.get(data, "title", str, f"{where}.title"))
        selftext = normalize_text(s.get(data, "selftext", str, f"{where}.selftext", default=""))
        # A link post's content is the link it shares: that is what people react to.
        content = selftext if s.get(data, "is_self", bool, f"{where}.is_self") else (
            selftext or s.get(data, "url", str, f"{where}.url"))
        subreddit = s.get(data, "subreddit", str, f"{where}.subreddit")
        flair = data.get("link_flair_text")
        return Document(
            id=doc_id(fullname),
            platform=PLATFORM,
            channel=self.channel,
            url=WEB + s.get(data, "permalink", str, f"{where}.permalink"),
            title=title,
            content=content,
            author=self._author(data, where),
            published_at=s.time(data, "created_utc", f"{where}.created_utc"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source=f"r/{subreddit}",
            post_id=fullname,
            engagement=Engagement(
                likes=max(s.get(data, "score", int, f"{where}.score"), 0),
                comments=s.count(data, "num_comments", f"{where}.num_comments"),
            ),
            tags=[normalize_text(flair)] if isinstance(flair, str) and flair.strip() else [],
        )

    def _comment(self, data: dict, page: Page, where: str) -> Document | None:
        s = self.shape
        body = normalize_text(s.get(data, "body", str, f"{where}.body"))
        if not body or body in _GONE:
            return None
        fullname = s.get(data, "name", str, f"{where}.name")
        link_id = s.get(data, "link_id", str, f"{where}.link_id")
        subreddit = s.get(data, "subreddit", str, f"{where}.subreddit")
        # Old answers have no comment permalink; this path form is what Reddit serves.
        permalink = data.get("permalink") or f"/r/{subreddit}/comments/{link_id[3:]}/_/{fullname[3:]}/"
        return Document(
            id=doc_id(fullname),
            platform=PLATFORM,
            channel=self.channel,
            url=WEB + permalink,
            content=body,
            author=self._author(data, where),
            published_at=s.time(data, "created_utc", f"{where}.created_utc"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(body),
            source=f"r/{subreddit}",
            post_id=fullname,
            parent_id=doc_id(s.get(data, "parent_id", str, f"{where}.parent_id")),
            thread_id=doc_id(link_id),
            engagement=Engagement(likes=max(s.get(data, "score", int, f"{where}.score"), 0)),
        )
