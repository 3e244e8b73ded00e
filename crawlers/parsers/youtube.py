"""YouTube videos from the data the pages embed, never from their markup.

Page kinds:

* ``watch``: a watch page (as served or as rendered by the browser). The page
  script assigns ``ytInitialPlayerResponse`` (video details, microformat with
  publish date and likes) and ``ytInitialData`` (comment count); the DOM
  YouTube builds from them changes far more often than these objects.
* ``player``: the InnerTube ``/youtubei/v1/player`` JSON, the same player
  response without a page (no publish date or likes in it).
* ``search``: a results or channel-videos page; its ``ytInitialData`` lists
  video renderers, which become ``watch`` links.

A video's id is its post id; documents point at the page's canonical URL
(the watch URL built from the id when a response names none).
"""

from __future__ import annotations

import logging
from typing import Any, Iterator
from urllib.parse import urljoin

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult
from .jsonshape import JsonApiParser, Shape, embedded_json, short_count

logger = logging.getLogger(__name__)

PLATFORM = "youtube"
WEB = "https://www.youtube.com"
_COMMENTS_PANEL = "engagement-panel-comments-section"
# Renderers that stand for one video in search results, channel tabs and shelves.
_VIDEO_RENDERERS = ("videoRenderer", "gridVideoRenderer")


def watch_url(video_id: str) -> str:
    return f"{WEB}/watch?v={video_id}"


class YoutubeParser(JsonApiParser):
    platform = PLATFORM
    channel = "video"
    kinds = ("watch", "player", "search")
    default_kind = "watch"
    shape = Shape(PLATFORM)

    def envelope_error(self, data: Any) -> ParseError | None:
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return None
        code = error.get("code")
        reason = {401: "login_required", 403: "risk_control", 429: "rate_limited"}.get(code, "api_error")
        return ParseError(reason, f"youtube: {error.get('message') or code}")

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind == "player":
            return self._video(self.load(page), None, page)
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"youtube parser has no page kind {kind!r}")
        if not page.body.strip():
            raise ParseError("empty_body", f"{page.url}: empty page")
        text = page.body.decode("utf-8", errors="replace")
        initial_data = embedded_json(text, "ytInitialData")
        if kind == "search":
            return self._search(initial_data, page)
        player = embedded_json(text, "ytInitialPlayerResponse")
        if player is None:
            raise self.shape.fail("ytInitialPlayerResponse", "watch page without an embedded player response")
        return self._video(player, initial_data, page)

    # ------------------------------------------------------------------ search

    def _search(self, data: Any, page: Page) -> ParseResult:
        if not isinstance(data, dict):
            raise self.shape.fail("ytInitialData", "results page without embedded data")
        self.shape.get(data, "contents", dict, "ytInitialData.contents")
        result = ParseResult()
        seen = set()
        for renderer in _renderers(data):
            video_id = renderer.get("videoId")
            if isinstance(video_id, str) and video_id not in seen:
                seen.add(video_id)
                target = (((renderer.get("navigationEndpoint") or {}).get("commandMetadata") or {})
                          .get("webCommandMetadata") or {}).get("url")
                url = urljoin(page.url, target) if isinstance(target, str) else watch_url(video_id)
                result.links.append(Link(url, "watch"))
        if not seen:
            result.warnings.append("no_results")
        return result

    # ------------------------------------------------------------------ video

    def _video(self, player: Any, initial_data: Any, page: Page) -> ParseResult:
        s = self.shape
        status = s.get(s.get(player, "playabilityStatus", dict), "status", str, "playabilityStatus.status")
        if status != "OK":
            reason_text = str(player["playabilityStatus"].get("reason") or status)
            if status == "LOGIN_REQUIRED":
                # "Sign in to confirm you're not a bot" is risk control wearing a login prompt.
                reason = "risk_control" if "bot" in reason_text.lower() else "login_required"
            else:
                reason = "unavailable"
            raise ParseError(reason, f"youtube: {status}: {reason_text}")
        details = s.get(player, "videoDetails", dict)
        video_id = s.get(details, "videoId", str, "videoDetails.videoId")
        title = normalize_text(s.get(details, "title", str, "videoDetails.title"))
        description = normalize_text(s.get(details, "shortDescription", str, "videoDetails.shortDescription",
                                            default=""))
        channel_id = s.get(details, "channelId", str, "videoDetails.channelId")
        micro = (player.get("microformat") or {}).get("playerMicroformatRenderer") or {}
        result = ParseResult()
        published = None
        if micro:
            field = "publishDate" if micro.get("publishDate") else "uploadDate"
            published = s.time(micro, field, f"microformat.playerMicroformatRenderer.{field}")
        else:
            result.warnings.append("no_date")
        likes = s.count(micro, "likeCount", "microformat.playerMicroformatRenderer.likeCount", default=None)
        canonical = micro.get("canonicalUrl")
        result.documents.append(Document(
            id=make_id(platform=PLATFORM, post_id=video_id),
            platform=PLATFORM,
            channel=self.channel,
            url=canonical if isinstance(canonical, str) and canonical.startswith("http") else watch_url(video_id),
            title=title,
            content=description,
            author=Author(name=s.get(details, "author", str, "videoDetails.author"), id=channel_id,
                          url=f"{WEB}/channel/{channel_id}"),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{description}"),
            source=details["author"],
            post_id=video_id,
            engagement=Engagement(
                likes=likes,
                comments=_comment_count(initial_data),
                views=s.count(details, "viewCount", "videoDetails.viewCount"),
            ),
            tags=[normalize_text(k) for k in details.get("keywords") or [] if isinstance(k, str)],
        ))
        return result


def _renderers(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _VIDEO_RENDERERS and isinstance(value, dict):
                yield value
            else:
                yield from _renderers(value)
    elif isinstance(node, list):
        for value in node:
            yield from _renderers(value)


def _comment_count(initial_data: Any) -> int | None:
    """The comment count the comments panel header shows (``"2.7K"``): rounded
    by YouTube, but the only count a page carries before comments load."""
    panels = initial_data.get("engagementPanels") if isinstance(initial_data, dict) else None
    for panel in panels or []:
        section = (panel or {}).get("engagementPanelSectionListRenderer") or {}
        if section.get("targetId") != _COMMENTS_PANEL:
            continue
        header = (section.get("header") or {}).get("engagementPanelTitleHeaderRenderer") or {}
        runs = (header.get("contextualInfo") or {}).get("runs") or []
        text = "".join(r.get("text", "") for r in runs if isinstance(r, dict))
        return short_count(text) if text else None
    return None
