"""The local test web's social timeline (``/social/``), a Weibo-like feed that
only JavaScript renders.

Two ways in, same documents out: ``feed_dom`` reads the DOM after the browser
ran the page's script, ``feed_api`` reads the JSON the script fetches. Both go
through one field set, so a crawl can switch between them without changing a
single document id or value.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from yuqing.extract.document import ExtractionError, load
from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text, parse_datetime, to_iso

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError

logger = logging.getLogger(__name__)

PLATFORM = "testsocial"
_TOPIC = re.compile(r"#([^#\n]+)#")
_COUNT = re.compile(r"^([\d.]+)\s*(万|w|k|亿)?$", re.I)
_MULTIPLIERS = {"万": 10_000, "w": 10_000, "k": 1_000, "亿": 100_000_000}
# "发布于 广东" (post footers), "IP属地：广东" (profiles): keep the place only.
_REGION_LABEL = re.compile(r"^(?:发布于|IP属地[:：]?|来自)\s*")
_USER_ID = re.compile(r"/u/([^/?#]+)")


def parse_count(text: str) -> int | None:
    """``"1.6万"`` -> 16000, ``"57"`` -> 57; None when it is no count."""
    m = _COUNT.match(text.strip().replace(",", ""))
    if not m:
        return None
    try:
        value = float(m.group(1))
    except ValueError:
        return None
    return int(round(value * _MULTIPLIERS.get((m.group(2) or "").lower(), 1)))


def region_from_label(label: str | None) -> str | None:
    place = _REGION_LABEL.sub("", normalize_text(label or ""))
    return place or None


class SocialFeedParser(Parser):
    platform = PLATFORM
    channel = "social"
    kinds = ("feed_dom", "feed_api")
    default_kind = "feed_dom"

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind == "feed_dom":
            return self.parse_dom(page)
        if kind == "feed_api":
            return self.parse_api(page)
        raise ParseError("unknown_kind", f"social feed parser has no page kind {kind!r}")

    # ------------------------------------------------------------------ DOM

    def parse_dom(self, page: Page) -> ParseResult:
        try:
            tree = load(page.body, url=page.url, content_type=page.content_type).tree
        except ExtractionError as exc:
            raise ParseError(exc.reason, f"{page.url}: {exc.message}") from None
        feed = tree.cssselect("#feed")
        state = feed[0].get("data-state") if feed else None
        posts = tree.cssselect("article.post")
        if not posts:
            if state == "loading":
                raise ParseError("not_rendered", f"{page.url}: feed markup without posts; was JavaScript run?")
            raise ShapeError(PLATFORM, "post")
        result = ParseResult()
        if state not in (None, "done"):
            # The script was still fetching pages when the DOM was captured.
            logger.debug("feed at %s captured in state %r after %d posts", page.url, state, len(posts))
            result.warnings.append("feed_incomplete")
        for el in posts:
            result.documents.append(self._document(self._dom_fields(el, page.url), page))
        return result

    def _dom_fields(self, el, base_url: str) -> dict[str, Any]:
        def one(css: str, name: str):
            found = el.cssselect(css)
            if not found:
                raise ShapeError(PLATFORM, name)
            return found[0]

        post_id = el.get("data-id")
        if not post_id:
            raise ShapeError(PLATFORM, "id")
        author = one("a.author", "author")
        time = one("time[datetime]", "time")
        permalink = one("a.permalink", "permalink")
        counts = {}
        for name in ("likes", "reposts", "comments"):
            counter = one(f".{name}", name)
            value = counter.get("data-count")
            count = int(value) if value and value.isdigit() else parse_count(counter.text_content())
            if count is None:
                raise ShapeError(PLATFORM, name, f"{PLATFORM}: unreadable {name} count {counter.text_content()!r}")
            counts[name] = count
        region = el.cssselect(".region")
        profile = urljoin(base_url, author.get("href", ""))
        uid = _USER_ID.search(urlsplit(profile).path)
        return {
            "id": post_id,
            "url": urljoin(base_url, permalink.get("href", "")),
            "author": Author(name=normalize_text(author.text_content()), id=uid.group(1) if uid else None,
                             url=profile, verified=bool(el.cssselect(".verified"))),
            "created_at": time.get("datetime"),
            "text": normalize_text(one(".text", "text").text_content()),
            "repost_of": el.get("data-repost-of"),
            "region": region_from_label(region[0].text_content()) if region else None,
            **counts,
        }

    # ------------------------------------------------------------------ API

    def parse_api(self, page: Page) -> ParseResult:
        if not page.body.strip():
            raise ParseError("empty_body", f"{page.url}: empty API response")
        try:
            payload = json.loads(page.body)
        except (ValueError, UnicodeDecodeError):
            raise ParseError("not_json", f"{page.url}: API answered something that is not JSON") from None
        if not isinstance(payload, dict) or payload.get("ok") != 1:
            raise ParseError("api_error", f"{page.url}: API reported an error")
        data = payload.get("data")
        posts = data.get("list") if isinstance(data, dict) else None
        if not isinstance(posts, list):
            raise ShapeError(PLATFORM, "data.list")
        result = ParseResult()
        for post in posts:
            result.documents.append(self._document(self._api_fields(post, page.url), page))
        next_page = data.get("next_page")
        if next_page:
            parts = urlsplit(page.url)
            query = {**{k: v[0] for k, v in parse_qs(parts.query).items()}, "page": str(next_page)}
            result.links.append(Link(urlunsplit(parts._replace(query=urlencode(query))), "feed_api"))
        return result

    def _api_fields(self, post: Any, base_url: str) -> dict[str, Any]:
        def get(obj: Any, key: str, path: str, kind: type | tuple[type, ...]):
            value = obj.get(key) if isinstance(obj, dict) else None
            if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
                raise ShapeError(PLATFORM, path)
            return value

        user = get(post, "user", "user", dict)
        profile = urljoin(base_url, get(user, "profile_url", "user.profile_url", str))
        repost = post.get("retweeted_status")
        return {
            "id": str(get(post, "id", "id", (str, int))),
            "url": urljoin(base_url, get(post, "url", "url", str)),
            "author": Author(name=normalize_text(get(user, "screen_name", "user.screen_name", str)),
                             id=str(get(user, "id", "user.id", (str, int))), url=profile,
                             verified=bool(user.get("verified"))),
            "created_at": get(post, "created_at", "created_at", str),
            "text": normalize_text(get(post, "text", "text", str)),
            "repost_of": str(get(repost, "id", "retweeted_status.id", (str, int))) if repost else None,
            "region": region_from_label(post.get("region_name")),
            "likes": get(post, "attitudes_count", "attitudes_count", int),
            "reposts": get(post, "reposts_count", "reposts_count", int),
            "comments": get(post, "comments_count", "comments_count", int),
        }

    # ------------------------------------------------------------------ shared

    def _document(self, f: dict[str, Any], page: Page) -> Document:
        published = parse_datetime(f["created_at"], default_tz="Asia/Shanghai")
        if published is None:
            raise ShapeError(PLATFORM, "created_at", f"{PLATFORM}: unreadable post time {f['created_at']!r}")
        return Document(
            id=make_id(platform=PLATFORM, post_id=f["id"]),
            platform=PLATFORM,
            channel=self.channel,
            url=f["url"],
            content=f["text"],
            author=f["author"],
            published_at=to_iso(published),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f["text"]),
            source=f["author"].name or "",
            post_id=f["id"],
            repost_of=make_id(platform=PLATFORM, post_id=f["repost_of"]) if f["repost_of"] else None,
            engagement=Engagement(likes=f["likes"], comments=f["comments"], reposts=f["reposts"]),
            tags=[t.strip() for t in _TOPIC.findall(f["text"]) if t.strip()],
            region_hint=f["region"],
        )
