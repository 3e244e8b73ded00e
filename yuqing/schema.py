"""The normalized public-opinion document: one schema for every platform.

Every spider's parser turns one response into :class:`Document` objects; the
pipelines validate them with :func:`validate`, enrichment fills the analysis
fields, and the search store indexes ``Document.to_dict()`` under ``id``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

CHANNELS = ("news", "forum", "social", "video", "self-media", "other")
LANGS = ("zh", "en", "other")

# Query parameters that never change what a page shows; dropping them makes the
# same article reached from a feed and from a sitemap share one id.
_TRACKING_PARAMS = {
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "spm", "from", "fromid", "share_token", "share_source", "ref", "fbclid",
}


class DocumentError(ValueError):
    """A document failed validation; ``field`` names the offending field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass
class Author:
    name: str | None = None
    """Display name as the platform shows it (screen name, byline)."""
    id: str | None = None
    """The platform's own stable user id, when it has one."""
    url: str | None = None
    """Profile page of the author."""
    followers: int | None = None
    """Follower count at crawl time; used to weigh source influence."""
    verified: bool | None = None
    """Platform verification (blue V, official media account...)."""


@dataclass
class Engagement:
    likes: int | None = None
    """Likes / upvotes / 点赞."""
    comments: int | None = None
    """Replies or comments counted by the platform (评论)."""
    reposts: int | None = None
    """Reposts / shares / retweets (转发)."""
    views: int | None = None
    """Views / plays / reads (阅读, 播放)."""


@dataclass
class Document:
    """One piece of public opinion: a news article, a forum post, a social post,
    a video or a comment. Fields are platform-neutral; platform-specific raw
    values stay in the evidence archive, not here."""

    id: str
    """Stable natural key: sha1 of ``platform:post_id`` when the platform has ids,
    else of the canonical URL. Used as the search ``_id`` so re-crawls update."""
    platform: str
    """Short platform name: ``news`` (generic sites), ``weibo``, ``bilibili``, ``forum``..."""
    channel: str
    """One of ``news``, ``forum``, ``social``, ``video``, ``self-media``, ``other``."""
    url: str
    """Canonical URL of the document (for comments: the URL of the thread + anchor)."""
    title: str = ""
    """Headline or thread title; empty for posts that have none."""
    content: str = ""
    """Main text, normalized (entities unescaped, whitespace collapsed, paragraphs by newline)."""
    author: Author = field(default_factory=Author)
    """Who published it."""
    published_at: str | None = None
    """Publish time, UTC ISO 8601 (``2025-01-02T03:04:05Z``); None if the page gives none."""
    crawled_at: str = ""
    """When we fetched it, UTC ISO 8601."""
    lang: str = "other"
    """``zh``, ``en`` or ``other``."""
    source: str = ""
    """Site host (news, forums) or account/board name (social, self-media)."""
    post_id: str | None = None
    """The platform's own id for this post/article/comment."""
    parent_id: str | None = None
    """For replies and comments: ``id`` (our document id) of the post replied to."""
    repost_of: str | None = None
    """For reposts: ``id`` of the original document."""
    thread_id: str | None = None
    """For forum posts and comments: our ``id`` of the thread's first post."""
    engagement: Engagement = field(default_factory=Engagement)
    """Engagement counts where the platform shows them."""
    tags: list[str] = field(default_factory=list)
    """Hashtags, topics or categories the platform attaches."""
    keywords: list[str] = field(default_factory=list)
    """Extracted keywords (enrichment), for tag clouds."""
    sentiment: dict[str, Any] | None = None
    """Enrichment: ``{"label": positive|neutral|negative, "score": float}``."""
    region: dict[str, Any] | None = None
    """Enrichment: ``{"province", "city", "location": {"lat","lon"}, "source"}``."""
    region_hint: str | None = None
    """Raw location text from the platform (e.g. Weibo IP属地), input to region enrichment."""
    matched_rules: list[str] = field(default_factory=list)
    """Ids of the analyst rules this document matched."""
    matched_terms: list[dict[str, Any]] = field(default_factory=list)
    """Matched terms with field and character offsets, for highlighting."""
    cluster_id: str | None = None
    """Near-duplicate / repost cluster this document belongs to."""
    spider: str | None = None
    """Name of the spider that produced the document."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise DocumentError(sorted(unknown)[0], "unknown field")
        values = dict(data)
        if isinstance(values.get("author"), dict):
            values["author"] = Author(**values["author"])
        if isinstance(values.get("engagement"), dict):
            values["engagement"] = Engagement(**values["engagement"])
        try:
            return cls(**values)
        except TypeError as exc:
            raise DocumentError("document", str(exc)) from None


def canonical_url(url: str) -> str:
    """Lower-case scheme/host, drop fragments, default ports and tracking params."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in _TRACKING_PARAMS]
    query.sort()
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", urlencode(query), ""))


def make_id(*, platform: str, post_id: str | None = None, url: str | None = None) -> str:
    """Stable document id; prefers the platform's own post id over the URL."""
    if post_id:
        key = f"{platform}:{post_id}"
    elif url:
        key = canonical_url(url)
    else:
        raise DocumentError("id", "needs a post_id or a url")
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_iso(name: str, value: str | None, required: bool) -> None:
    if value is None or value == "":
        if required:
            raise DocumentError(name, "is required")
        return
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        raise DocumentError(name, f"not a UTC ISO 8601 time: {value!r}") from None
    if parsed.year < 1990:
        raise DocumentError(name, f"implausible time: {value!r}")


def validate(doc: Document) -> Document:
    """Check the invariants every consumer relies on; raise DocumentError."""
    for name in ("id", "platform", "url"):
        if not getattr(doc, name):
            raise DocumentError(name, "is required")
    if doc.channel not in CHANNELS:
        raise DocumentError("channel", f"{doc.channel!r} is not one of {', '.join(CHANNELS)}")
    if doc.lang not in LANGS:
        raise DocumentError("lang", f"{doc.lang!r} is not one of {', '.join(LANGS)}")
    if not urlsplit(doc.url).scheme in ("http", "https"):
        raise DocumentError("url", f"not an http(s) URL: {doc.url!r}")
    if not (doc.title or doc.content):
        raise DocumentError("content", "document has neither title nor content")
    _check_iso("published_at", doc.published_at, required=False)
    _check_iso("crawled_at", doc.crawled_at, required=True)
    for name in ("likes", "comments", "reposts", "views"):
        value = getattr(doc.engagement, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise DocumentError(f"engagement.{name}", f"must be a non-negative int, got {value!r}")
    return doc
