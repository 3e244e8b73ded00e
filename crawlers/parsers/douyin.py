"""Douyin (抖音) videos from the JSON its pages load.

Page kinds:

* ``user``: a creator page (``www.douyin.com/user/<sec_uid>``) rendered in the
  browser. Its HTML holds no posts: the page script fetches them from
  ``aweme/post`` endpoints that need signed parameters only the page's own
  script computes, so the browser runs it and the spider captures those XHR
  answers (``page.meta["yq_xhr"]``: ``[{"url", "status", "body"}]``).
* ``post_api``: one ``aweme/post`` answer fetched directly (the older
  ``iesdouyin.com/web/api/v2/aweme/post/`` shape), paginated by ``max_cursor``.

Douyin answers a refused signature or a suspected bot with HTTP 200 and an
empty body, so an empty answer reads as risk control, not as "no posts".
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Any

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text, to_iso

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, with_query

logger = logging.getLogger(__name__)

PLATFORM = "douyin"
WEB = "https://www.douyin.com"
# Endpoints whose answers carry a creator's posts (web app and the older share API).
POST_XHR = re.compile(r"/aweme/v1/web/aweme/post/|/web/api/v2/aweme/post/|/api/aweme/post")
_CAPTCHA_MARKERS = (b"verifycenter", b"captcha", "验证码".encode())


def doc_id(aweme_id: str) -> str:
    return make_id(platform=PLATFORM, post_id=aweme_id)


class DouyinParser(JsonApiParser):
    platform = PLATFORM
    channel = "video"
    kinds = ("user", "post_api")
    default_kind = "post_api"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        code = data.get("status_code") if isinstance(data, dict) else None
        if code in (None, 0):
            return None
        message = str(data.get("status_msg") or code)
        if "登录" in message:
            return ParseError("login_required", f"douyin: {message}")
        if "验证" in message or "频繁" in message:
            return ParseError("risk_control", f"douyin: {message}")
        return ParseError("api_error", f"douyin: status_code {code}: {message}")

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind == "post_api":
            if not page.body.strip():
                raise ParseError("risk_control", f"{page.url}: empty answer (signature refused or bot suspected)")
            result = ParseResult()
            data = self.load(page)
            self._posts(result, data, page, "")
            if self.shape.get(data, "has_more", (bool, int)) and data.get("aweme_list"):
                cursor = self.shape.get(data, "max_cursor", int)
                result.links.append(Link(with_query(page.url, max_cursor=cursor), "post_api"))
            return result
        if kind == "user":
            return self._user_page(page)
        raise ParseError("unknown_kind", f"douyin parser has no page kind {kind!r}")

    def _user_page(self, page: Page) -> ParseResult:
        captured = [x for x in page.meta.get("yq_xhr") or [] if POST_XHR.search(x.get("url", ""))]
        if not captured:
            if any(marker in page.body for marker in _CAPTCHA_MARKERS):
                raise ParseError("risk_control", f"{page.url}: captcha page instead of the creator page")
            raise ParseError("no_xhr", f"{page.url}: the page loaded no post list (was it rendered?)")
        result = ParseResult()
        for n, xhr in enumerate(captured):
            body = xhr.get("body") or ""
            if not body.strip():
                raise ParseError("risk_control", f"{xhr['url']}: empty answer (signature refused or bot suspected)")
            xhr_page = Page(url=xhr["url"], body=body.encode("utf-8"), crawled_at=page.crawled_at)
            self._posts(result, self.load(xhr_page), page, f"xhr[{n}].")
        return result

    def _posts(self, result: ParseResult, data: Any, page: Page, prefix: str) -> None:
        posts = self.shape.get(data, "aweme_list", list, f"{prefix}aweme_list")
        for i, aweme in enumerate(posts):
            doc = self._document(aweme, page, f"{prefix}aweme_list[{i}]", result)
            if doc is None:
                result.warnings.append("empty_post")
            else:
                result.documents.append(doc)

    def _document(self, aweme: Any, page: Page, where: str, result: ParseResult) -> Document | None:
        s = self.shape
        aweme_id = s.get(aweme, "aweme_id", str, f"{where}.aweme_id")
        text = normalize_text(s.get(aweme, "desc", str, f"{where}.desc"))
        if not text:
            return None
        author = s.get(aweme, "author", dict, f"{where}.author")
        stats = s.get(aweme, "statistics", dict, f"{where}.statistics")
        if aweme.get("create_time"):
            published = s.time(aweme, "create_time", f"{where}.create_time")
        else:
            # Older answers omit create_time; the id's high 32 bits are the
            # upload time in unix seconds (within seconds of the real value).
            published = to_iso(datetime.fromtimestamp(int(aweme_id) >> 32, tz=timezone.utc))
            if "date_from_id" not in result.warnings:
                result.warnings.append("date_from_id")
        sec_uid = s.get(author, "sec_uid", str, f"{where}.author.sec_uid")
        verified = bool(author.get("custom_verify") or author.get("enterprise_verify_reason"))
        plays = s.count(stats, "play_count", f"{where}.statistics.play_count", default=0)
        return Document(
            id=doc_id(aweme_id),
            platform=PLATFORM,
            channel=self.channel,
            url=f"{WEB}/video/{aweme_id}",
            content=text,
            author=Author(
                name=normalize_text(s.get(author, "nickname", str, f"{where}.author.nickname")),
                id=s.get(author, "uid", str, f"{where}.author.uid"),
                url=f"{WEB}/user/{sec_uid}",
                followers=s.count(author, "follower_count", f"{where}.author.follower_count", default=None),
                verified=verified,
            ),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(text),
            source=normalize_text(author["nickname"]),
            post_id=aweme_id,
            engagement=Engagement(
                likes=s.count(stats, "digg_count", f"{where}.statistics.digg_count"),
                comments=s.count(stats, "comment_count", f"{where}.statistics.comment_count"),
                reposts=s.count(stats, "share_count", f"{where}.statistics.share_count"),
                # Douyin reports 0 plays when it hides the count.
                views=plays or None,
            ),
            tags=_hashtags(aweme),
            region_hint=aweme.get("ip_label") or None,
        )


def _hashtags(aweme: dict) -> list[str]:
    tags = [t.get("hashtag_name") for t in aweme.get("text_extra") or [] if isinstance(t, dict)]
    tags += [c.get("cha_name") for c in aweme.get("cha_list") or [] if isinstance(c, dict)]
    return list(dict.fromkeys(normalize_text(t) for t in tags if isinstance(t, str) and t.strip()))

