"""Weibo through the mobile site's JSON (m.weibo.cn).

Kinds: ``profile`` (``getIndex?type=uid&value={uid}``, which names the
user's timeline container), ``search`` and ``timeline`` (``getIndex`` card lists),
``status`` (``statuses/show?id=``), ``detail`` (the ``/detail/{mid}`` HTML
page, whose status JSON sits in ``var $render_data``), ``long_text``
(``statuses/extend?id=``) and ``comments`` (``comments/hotflow``).

Card lists cut long posts after ~140 characters and end them with a "全文"
link. Such a post is yielded as it is (so it is never lost) and a
``long_text`` link carries the whole document in its meta; the extend answer
then yields the same document (same id) with the full text, which replaces
the cut one in the index.

A repost yields two documents: the repost (``repost_of`` = the original's
id) and the original itself, which the card embeds. Comments point to the
post with ``parent_id``/``thread_id``; replies inside a comment point to it.
Weibo's status and comment ids come from one id service, so both are keyed
by the bare id.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (LOGIN_REQUIRED, RISK_CONTROL, hashtags, html_to_text, iso_time, load_json, need,
                     need_count, need_id, opt_count, query_param, region_from_label, with_query)


PLATFORM = "weibo"
BASE = "https://m.weibo.cn"
_LIST_KINDS = ("search", "timeline")
# The card type of a post ("mblog") in getIndex card lists; type 11 groups cards.
_POST_CARD = 9
# ok=0 with one of these messages is an empty list (no results, no comments
# yet, past the last page), not a refusal.
_EMPTY_MESSAGES = ("还没有内容", "还没有人评论", "快来发表", "没有更多", "暂无")
_LOGIN_MARKERS = ("passport.weibo.cn", "passport.weibo.com", "login.sina.com.cn")
_NOT_FOUND_MARKERS = ("微博不存在", "暂无查看权限", "已被作者删除")
_FULL_TEXT_LINK = re.compile(r"<a[^>]*>\s*全文\s*</a>\s*$")
_RENDER_DATA = re.compile(r"var\s+\$render_data\s*=\s*(\[.*\])\s*\[0\]\s*\|\|", re.S)


def post_doc_id(mid: str) -> str:
    return make_id(platform=PLATFORM, post_id=mid)


def post_url(mid: str) -> str:
    return f"{BASE}/detail/{mid}"


def search_api_url(keyword: str) -> str:
    containerid = quote(f"100103type=1&q={keyword}", safe="")
    return f"{BASE}/api/container/getIndex?containerid={containerid}&page_type=searchall"


def profile_api_url(uid: str) -> str:
    return f"{BASE}/api/container/getIndex?type=uid&value={uid}"


def timeline_api_url(containerid: str) -> str:
    return f"{BASE}/api/container/getIndex?containerid={containerid}"


def long_text_url(mid: str) -> str:
    return f"{BASE}/statuses/extend?id={mid}"


def comments_url(mid: str) -> str:
    return f"{BASE}/comments/hotflow?id={mid}&mid={mid}&max_id_type=0"


def _login_page(page: Page) -> bool:
    host = urlsplit(page.url).hostname or ""
    return host.startswith(("passport.", "login.")) or any(m.encode() in page.body[:50_000] for m in _LOGIN_MARKERS)


class WeiboParser(Parser):
    platform = PLATFORM
    channel = "social"
    kinds = ("profile", "search", "timeline", "status", "detail", "long_text", "comments")
    default_kind = "status"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        path = urlsplit(url).path.rstrip("/")
        if path.endswith("/api/container/getIndex"):
            if query_param(url, "type") == "uid":
                return "profile"
            containerid = query_param(url, "containerid") or ""
            return {"100103": "search", "107603": "timeline"}.get(containerid[:6])
        for prefix, kind in (("/statuses/show", "status"), ("/statuses/extend", "long_text"),
                             ("/comments/hotflow", "comments"), ("/detail/", "detail"), ("/status/", "detail")):
            if path.startswith(prefix):
                return kind
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind in _LIST_KINDS:
            return self.parse_cards(page, kind)
        handler = {"profile": self.parse_profile, "status": self.parse_status, "detail": self.parse_detail,
                   "long_text": self.parse_long_text, "comments": self.parse_comments}.get(kind)
        if handler is None:
            raise ParseError("unknown_kind", f"weibo parser has no page kind {kind!r}")
        return handler(page)

    # ------------------------------------------------------------------ answers

    def _payload(self, page: Page) -> dict | None:
        """The API answer once Weibo said ``ok: 1``; None for an empty list."""
        if (urlsplit(page.url).hostname or "").startswith("passport."):
            raise ParseError(LOGIN_REQUIRED, f"{page.url}: redirected to the Weibo login")
        try:
            payload = load_json(page)
        except ParseError as exc:
            if exc.reason == "not_json" and _login_page(page):
                raise ParseError(LOGIN_REQUIRED, f"{page.url}: Weibo answered with its login page") from None
            raise
        if not isinstance(payload, dict) or "ok" not in payload:
            raise ShapeError(PLATFORM, "ok")
        ok = payload["ok"]
        if ok == 1:
            return payload
        message = str(payload.get("msg") or payload.get("message") or "")
        if ok == -100 or any(m in str(payload.get("url") or "") for m in _LOGIN_MARKERS):
            raise ParseError(LOGIN_REQUIRED, f"{page.url}: Weibo wants a login (ok={ok}) {message}".strip())
        if ok == 0 and any(m in message for m in _EMPTY_MESSAGES):
            return None
        raise ParseError(RISK_CONTROL, f"{page.url}: Weibo refused the request (ok={ok}): {message or 'no message'}")

    # ------------------------------------------------------------------ posts

    def parse_profile(self, page: Page) -> ParseResult:
        """A user's profile names the container of their posts (``107603{uid}``
        today); following the answer keeps working if the prefix changes."""
        payload = self._payload(page)
        if payload is None:
            raise ParseError("not_found", f"{page.url}: Weibo has no such user")
        data = need(payload, "data", dict, platform=PLATFORM)
        need(data, "userInfo", dict, platform=PLATFORM, path="data.userInfo")
        tabs = need(need(data, "tabsInfo", dict, platform=PLATFORM, path="data.tabsInfo"), "tabs", list,
                    platform=PLATFORM, path="data.tabsInfo.tabs")
        for tab in tabs:
            if isinstance(tab, dict) and tab.get("tab_type") == "weibo" and tab.get("containerid"):
                return ParseResult(links=[Link(timeline_api_url(str(tab["containerid"])), "timeline")])
        raise ShapeError(PLATFORM, "data.tabsInfo.tabs.containerid")

    def parse_cards(self, page: Page, kind: str) -> ParseResult:
        result = ParseResult()
        payload = self._payload(page)
        if payload is None:
            result.warnings.append("end_of_results")
            return result
        data = need(payload, "data", dict, platform=PLATFORM)
        cards = need(data, "cards", list, platform=PLATFORM, path="data.cards")
        posts = list(_mblogs(cards))
        for mblog in posts:
            self._add_post(result, mblog, page)
        if not posts:
            result.warnings.append("no_posts")
            return result
        next_url = _next_page(page.url, data.get("cardlistInfo"))
        if next_url:
            result.links.append(Link(next_url, kind))
        return result

    def parse_status(self, page: Page) -> ParseResult:
        result = ParseResult()
        payload = self._payload(page)
        if payload is None:
            raise ParseError("not_found", f"{page.url}: Weibo has no such post")
        self._add_post(result, need(payload, "data", dict, platform=PLATFORM), page)
        return result

    def parse_detail(self, page: Page) -> ParseResult:
        text = page.body.decode("utf-8", errors="replace")
        m = _RENDER_DATA.search(text)
        if m is None:
            if _login_page(page):
                raise ParseError(LOGIN_REQUIRED, f"{page.url}: Weibo answered with its login page")
            if any(marker in text for marker in _NOT_FOUND_MARKERS):
                raise ParseError("not_found", f"{page.url}: the post is deleted or hidden")
            raise ShapeError(PLATFORM, "$render_data")
        try:
            render_data = json.loads(m.group(1))
        except ValueError:
            raise ShapeError(PLATFORM, "$render_data", f"{PLATFORM}: $render_data is not JSON") from None
        first = render_data[0] if isinstance(render_data, list) and render_data else None
        result = ParseResult()
        self._add_post(result, need(first, "status", dict, platform=PLATFORM, path="$render_data.status"), page)
        return result

    def parse_long_text(self, page: Page) -> ParseResult:
        post = page.meta.get("yq_post")
        if not isinstance(post, dict):
            # The extend answer has neither author nor time: alone it would
            # replace a complete document with a bare one.
            raise ParseError("missing_context", f"{page.url}: long text fetched without the post it belongs to")
        payload = self._payload(page)
        if payload is None:
            raise ParseError("not_found", f"{page.url}: Weibo has no long text for this post")
        data = need(payload, "data", dict, platform=PLATFORM)
        content = html_to_text(need(data, "longTextContent", str, platform=PLATFORM, path="data.longTextContent"))
        if not content:
            raise ShapeError(PLATFORM, "data.longTextContent")
        doc = Document.from_dict(post)
        doc.content = content
        doc.lang = detect_lang(content)
        doc.tags = hashtags(content)
        doc.crawled_at = page.crawled_at or doc.crawled_at
        # The extend answer carries fresher counters than the card had.
        doc.engagement = Engagement(
            likes=_fresher(opt_count(data, "attitudes_count"), doc.engagement.likes),
            comments=_fresher(opt_count(data, "comments_count"), doc.engagement.comments),
            reposts=_fresher(opt_count(data, "reposts_count"), doc.engagement.reposts),
            views=doc.engagement.views,
        )
        return ParseResult(documents=[doc])

    def _add_post(self, result: ParseResult, mblog: dict, page: Page) -> None:
        """The post, the original it reposts, and the links both lead to."""
        original = mblog.get("retweeted_status")
        repost_of = None
        if isinstance(original, dict):
            original_mid = need_id(original, "id", platform=PLATFORM, path="retweeted_status.id")
            repost_of = post_doc_id(original_mid)
            if isinstance(original.get("user"), dict):
                self._add_single(result, original, page, "retweeted_status")
            else:
                # Deleted or hidden originals keep their id but lose their author.
                result.warnings.append("repost_original_unavailable")
        self._add_single(result, mblog, page, "mblog", repost_of)

    def _add_single(self, result: ParseResult, mblog: dict, page: Page, path: str,
                    repost_of: str | None = None) -> None:
        doc, truncated = self._post_document(mblog, page, path)
        doc.repost_of = repost_of
        if not doc.content:
            result.warnings.append("empty_post")
            return
        result.documents.append(doc)
        if truncated:
            result.links.append(Link(long_text_url(doc.post_id), "long_text", {"yq_post": doc.to_dict()}))
        if doc.engagement.comments:
            result.links.append(Link(comments_url(doc.post_id), "comments"))

    def _post_document(self, mblog: dict, page: Page, path: str) -> tuple[Document, bool]:
        mid = need_id(mblog, "id", platform=PLATFORM, path=f"{path}.id")
        user = need(mblog, "user", dict, platform=PLATFORM, path=f"{path}.user")
        author = _author(user, f"{path}.user")
        published = _time(mblog, page, path)
        html = need(mblog, "text", str, platform=PLATFORM, path=f"{path}.text")
        truncated = bool(mblog.get("isLongText")) and bool(_FULL_TEXT_LINK.search(html))
        content = html_to_text(_FULL_TEXT_LINK.sub("", html))
        if truncated:
            # "...全文" cut: drop the ellipsis the card puts before the link.
            content = content.rstrip(" .…")
        engagement = Engagement(
            likes=need_count(mblog, "attitudes_count", platform=PLATFORM, path=f"{path}.attitudes_count"),
            comments=need_count(mblog, "comments_count", platform=PLATFORM, path=f"{path}.comments_count"),
            reposts=need_count(mblog, "reposts_count", platform=PLATFORM, path=f"{path}.reposts_count"),
        )
        doc = Document(
            id=post_doc_id(mid),
            platform=PLATFORM,
            channel=self.channel,
            url=post_url(mid),
            content=content,
            author=author,
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(content),
            source=author.name or "",
            post_id=mid,
            engagement=engagement,
            tags=hashtags(content),
            region_hint=region_from_label(mblog.get("region_name")),
        )
        return doc, truncated

    # ------------------------------------------------------------------ comments

    def parse_comments(self, page: Page) -> ParseResult:
        result = ParseResult()
        mid = query_param(page.url, "mid") or query_param(page.url, "id")
        if not mid:
            raise ParseError("bad_url", f"{page.url}: a comments URL needs the post's mid")
        payload = self._payload(page)
        if payload is None:
            return result
        data = need(payload, "data", dict, platform=PLATFORM)
        comments = need(data, "data", list, platform=PLATFORM, path="data.data")
        post_id = post_doc_id(mid)
        for comment in comments:
            doc = self._comment(comment, page, mid, parent_id=post_id)
            result.documents.append(doc)
            for reply in comment.get("comments") or ():
                if isinstance(reply, dict):
                    result.documents.append(self._comment(reply, page, mid, parent_id=doc.id))
        max_id = data.get("max_id")
        if comments and max_id not in (None, 0, "0", ""):
            result.links.append(Link(with_query(page.url, max_id=max_id, max_id_type=data.get("max_id_type", 0)),
                                     "comments"))
        return result

    def _comment(self, comment: Any, page: Page, mid: str, parent_id: str) -> Document:
        cid = need_id(comment, "id", platform=PLATFORM, path="comment.id")
        author = _author(need(comment, "user", dict, platform=PLATFORM, path="comment.user"), "comment.user")
        content = html_to_text(need(comment, "text", str, platform=PLATFORM, path="comment.text"))
        return Document(
            id=make_id(platform=PLATFORM, post_id=cid),
            platform=PLATFORM,
            channel=self.channel,
            url=f"{post_url(mid)}#comment-{cid}",
            content=content,
            author=author,
            published_at=_time(comment, page, "comment"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(content),
            source=author.name or "",
            post_id=cid,
            parent_id=parent_id,
            thread_id=post_doc_id(mid),
            engagement=Engagement(
                likes=need_count(comment, "like_count", platform=PLATFORM, path="comment.like_count"),
                comments=opt_count(comment, "total_number"),
            ),
            tags=hashtags(content),
            # Since 2022 a comment's "source" is its IP location ("来自北京").
            region_hint=region_from_label(comment.get("source")),
        )


def _mblogs(cards: list) -> Iterator[dict]:
    for card in cards:
        if not isinstance(card, dict):
            continue
        if isinstance(card.get("mblog"), dict):
            yield card["mblog"]
        elif card.get("card_type") == _POST_CARD:
            raise ShapeError(PLATFORM, "mblog")
        elif isinstance(card.get("card_group"), list):
            yield from _mblogs(card["card_group"])


def _next_page(url: str, info: Any) -> str | None:
    """Timelines page by ``since_id``, search by ``page`` (the next page's number)."""
    if not isinstance(info, dict):
        return None
    since_id = info.get("since_id")
    if since_id not in (None, "", 0):
        return with_query(url, since_id=since_id)
    next_page = info.get("page")
    current = query_param(url, "page")
    current_page = int(current) if current and current.isdigit() else 1
    if isinstance(next_page, int) and next_page > current_page:
        return with_query(url, page=next_page)
    return None


def _author(user: dict, path: str) -> Author:
    uid = need_id(user, "id", platform=PLATFORM, path=f"{path}.id")
    verified = user.get("verified")
    return Author(
        name=need(user, "screen_name", str, platform=PLATFORM, path=f"{path}.screen_name"),
        id=uid,
        url=f"{BASE}/u/{uid}",
        followers=opt_count(user, "followers_count"),
        verified=verified if isinstance(verified, bool) else None,
    )


def _time(obj: dict, page: Page, path: str) -> str:
    raw = need(obj, "created_at", (str, int), platform=PLATFORM, path=f"{path}.created_at")
    published = iso_time(raw, page)
    if published is None:
        raise ShapeError(PLATFORM, f"{path}.created_at", f"{PLATFORM}: unreadable time {raw!r}")
    return published


def _fresher(new: int | None, old: int | None) -> int | None:
    return new if new is not None else old
