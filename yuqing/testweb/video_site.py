"""Video pages of the test web that only a browser can read.

``/video/user/<sec_uid>`` is a Douyin-like creator page: its HTML has no
posts; its script fetches them page by page from
``/video/aweme/v1/web/aweme/post/`` (the first page on load, the next ones
when the visitor scrolls to the end) and draws them. ``/video/results`` and
``/video/watch`` are YouTube-like: each embeds ``ytInitialData`` (and the
watch page ``ytInitialPlayerResponse``) and a script mounts ``<ytd-app>``
from it. Every page also pulls images, a web font and a video, which a text
crawler's browser must block: they are served (tiny) so blocking is the only
reason not to see them in ``/_stats``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from .content import local_to_utc_iso
from .response import Response, html, json_response, not_found

PAGE_SIZE = 3
STATIC = "/video/static"
POST_API = "/video/aweme/v1/web/aweme/post/"


@dataclass(frozen=True)
class Creator:
    sec_uid: str
    uid: str
    nickname: str
    followers: int


@dataclass(frozen=True)
class Clip:
    aweme_id: str
    time: str  # Asia/Shanghai wall clock
    desc: str
    tags: tuple[str, ...]
    likes: int
    comments: int
    shares: int
    region: str


CREATOR = Creator("MS4wLjABAAAAyuqingTestCreator01", "71000000001", "滨海小记者", 52310)
# Newest first, as the creator page lists them. All content is fictional.
CLIPS = (
    Clip("7441000000000000001", "2025-11-21 20:15", "滨海地铁3号线夜间抢修现场，工人们连夜更换道岔 #滨海地铁#", ("滨海地铁",),
         8812, 431, 97, "广东"),
    Clip("7441000000000000002", "2025-11-20 18:02", "实探极光S7召回服务点：排队两小时，现场加开夜间工位 #极光S7召回#", ("极光S7召回",),
         15620, 2304, 688, "上海"),
    Clip("7441000000000000003", "2025-11-19 12:40", "台风过后滨海海堤巡查，部分步道暂时封闭", (), 3306, 118, 25, "广东"),
    Clip("7441000000000000004", "2025-11-18 09:30", "Night market reopens on Harbour Road after renovation #BinhaiLife#",
         ("BinhaiLife",), 942, 37, 11, "广东"),
    Clip("7441000000000000005", "2025-11-17 21:10", "外卖骑手雨天送餐实录：一小时跑了九单 #城市打工人#", ("城市打工人",),
         27400, 5120, 1302, "浙江"),
    Clip("7441000000000000006", "2025-11-16 16:45", "滨海新区学校食堂开放日，家长试吃午餐", (), 1208, 96, 14, "广东"),
    Clip("7441000000000000007", "2025-11-15 10:05", "老城区旧改首批居民回迁，钥匙交接现场 #滨海旧改#", ("滨海旧改",),
         6045, 512, 140, "广东"),
)


@dataclass(frozen=True)
class Video:
    video_id: str
    title: str
    description: str
    published: str  # ISO 8601 with offset, as YouTube's microformat gives it
    views: int
    likes: int
    comments_label: str
    comments: int
    keywords: tuple[str, ...]


CHANNEL_NAME = "Binhai Daily"
CHANNEL_ID = "UCyuqingTestChannel00001"
VIDEOS = (
    Video("yqVid000001", "Binhai Metro Line 3: what went wrong on Monday night",
          "A minute-by-minute account of the Line 3 signal fault and what the operator promised.\nSources below.",
          "2025-11-18T09:30:00-08:00", 48213, 1920, "1.2K", 1200, ("Binhai", "metro", "transport")),
    Video("yqVid000002", "Aurora S7 recall: owners queue through the night",
          "We spent a night at a recall service centre. Battery modules, waiting times, and what owners told us.",
          "2025-11-19T20:05:00+08:00", 130442, 5210, "3.4K", 3400, ("Aurora S7", "recall", "EV")),
    Video("yqVid000003", "滨海台风过境全记录",
          "台风“海燕”过境滨海的十二个小时：积水、停电与抢修。",
          "2025-07-10T09:00:00+08:00", 902114, 30110, "8.9K", 8900, ("台风", "滨海")),
)
SEARCH_QUERY = "binhai"


def clip_api(c: Clip) -> dict:
    return {
        "aweme_id": c.aweme_id,
        "desc": c.desc,
        "create_time": int(_epoch(c.time)),
        "author": {"uid": CREATOR.uid, "sec_uid": CREATOR.sec_uid, "nickname": CREATOR.nickname,
                   "follower_count": CREATOR.followers, "custom_verify": "", "enterprise_verify_reason": ""},
        "statistics": {"aweme_id": c.aweme_id, "digg_count": c.likes, "comment_count": c.comments,
                       "share_count": c.shares, "play_count": 0, "collect_count": 0},
        "text_extra": [{"hashtag_name": t, "type": 1} for t in c.tags],
        "video": {"cover": {"url_list": [f"{STATIC}/cover/{c.aweme_id}.jpg"]}, "duration": 15000},
        "ip_label": c.region,
    }


def _epoch(local: str) -> float:
    return datetime.strptime(local_to_utc_iso(local), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def post_api(query: dict[str, list[str]]) -> Response:
    if query.get("sec_user_id", [""])[0] != CREATOR.sec_uid:
        return json_response({"status_code": 0, "aweme_list": [], "has_more": 0, "max_cursor": 0})
    cursor = int(query.get("max_cursor", ["0"])[0] or 0)
    older = [c for c in CLIPS if not cursor or _epoch(c.time) * 1000 < cursor]
    page = older[:PAGE_SIZE]
    return json_response({
        "status_code": 0,
        "aweme_list": [clip_api(c) for c in page],
        "max_cursor": int(_epoch(page[-1].time) * 1000) if page else cursor,
        "min_cursor": int(_epoch(page[0].time) * 1000) if page else cursor,
        "has_more": 1 if len(older) > PAGE_SIZE else 0,
    })


_MEDIA = (f'<link rel="preload" href="{STATIC}/font.woff2" as="font" type="font/woff2" crossorigin>'
          f"<style>@font-face{{font-family:yq;src:url({STATIC}/font.woff2) format('woff2')}}"
          "body{font-family:yq,sans-serif}.video-card{min-height:700px}</style>")

_USER_SCRIPT = """
(function () {
  "use strict";
  var list = document.getElementById("videos");
  var cursor = 0, busy = false, more = true;
  function esc(s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function load() {
    if (busy || !more) { return; }
    busy = true;
    fetch("%(api)s?sec_user_id=" + encodeURIComponent(list.dataset.secUid) + "&max_cursor=" + cursor + "&count=%(size)d")
      .then(function (r) { return r.json(); })
      .then(function (data) {
        data.aweme_list.forEach(function (a) {
          var li = document.createElement("li");
          li.className = "video-card";
          li.setAttribute("data-aweme-id", a.aweme_id);
          li.innerHTML = '<img src="' + esc(a.video.cover.url_list[0]) + '" alt=""><p class="desc">' + esc(a.desc) + "</p>";
          list.appendChild(li);
        });
        cursor = data.max_cursor;
        more = data.has_more === 1;
        list.setAttribute("data-state", more ? "more" : "done");
        busy = false;
      });
  }
  window.addEventListener("scroll", function () {
    if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 50) { load(); }
  });
  load();
})();
"""


def user_page(sec_uid: str) -> Response:
    if sec_uid != CREATOR.sec_uid:
        return not_found()
    script = _USER_SCRIPT % {"api": POST_API, "size": PAGE_SIZE}
    return html(f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(CREATOR.nickname)}的主页 - 滨海视频</title>{_MEDIA}</head>
<body>
<header><img class="avatar" src="{STATIC}/avatar/{CREATOR.uid}.jpg" alt=""><h1>{escape(CREATOR.nickname)}</h1>
<video class="intro" src="{STATIC}/intro.mp4" autoplay muted playsinline preload="auto"></video></header>
<ul id="videos" data-e2e="user-post-list" data-sec-uid="{escape(CREATOR.sec_uid)}" data-state="loading"></ul>
<script>{script}</script>
</body></html>
""")


# --------------------------------------------------------------------------- YouTube-like


def _runs(text: str) -> dict:
    return {"runs": [{"text": text}]}


def player_response(v: Video, base: str) -> dict:
    return {
        "playabilityStatus": {"status": "OK"},
        "videoDetails": {"videoId": v.video_id, "title": v.title, "lengthSeconds": "312",
                         "keywords": list(v.keywords), "channelId": CHANNEL_ID, "shortDescription": v.description,
                         "viewCount": str(v.views), "author": CHANNEL_NAME, "isPrivate": False},
        "microformat": {"playerMicroformatRenderer": {
            "title": {"simpleText": v.title}, "description": {"simpleText": v.description},
            "publishDate": v.published, "uploadDate": v.published, "likeCount": str(v.likes),
            "viewCount": str(v.views), "ownerChannelName": CHANNEL_NAME, "externalChannelId": CHANNEL_ID,
            "canonicalUrl": f"{base}/video/watch?v={v.video_id}"}},
    }


def watch_data(v: Video) -> dict:
    return {
        "contents": {"twoColumnWatchNextResults": {"results": {"results": {"contents": [
            {"videoPrimaryInfoRenderer": {"title": _runs(v.title)}}]}}}},
        "engagementPanels": [{"engagementPanelSectionListRenderer": {
            "targetId": "engagement-panel-comments-section",
            "header": {"engagementPanelTitleHeaderRenderer": {"title": _runs("Comments"),
                                                              "contextualInfo": _runs(v.comments_label)}}}}],
    }


def search_data() -> dict:
    return {"contents": {"twoColumnSearchResultsRenderer": {"primaryContents": {"sectionListRenderer": {
        "contents": [{"itemSectionRenderer": {"contents": [{"videoRenderer": {
            "videoId": v.video_id, "title": _runs(v.title),
            "thumbnail": {"thumbnails": [{"url": f"{STATIC}/thumb/{v.video_id}.jpg"}]},
            "navigationEndpoint": {"commandMetadata": {"webCommandMetadata": {
                "url": f"/video/watch?v={v.video_id}"}}},
        }} for v in VIDEOS]}}]}}}}}


_MOUNT = """
(function () {
  var app = document.querySelector("ytd-app");
  var data = window.ytInitialData.contents;
  var items = [];
  if (data.twoColumnSearchResultsRenderer) {
    data.twoColumnSearchResultsRenderer.primaryContents.sectionListRenderer.contents[0].itemSectionRenderer.contents
      .forEach(function (c) {
        var v = c.videoRenderer;
        items.push('<a class="video" href="' + v.navigationEndpoint.commandMetadata.webCommandMetadata.url + '">' +
          '<img src="' + v.thumbnail.thumbnails[0].url + '">' + v.title.runs[0].text + "</a>");
      });
  } else {
    items.push("<h1>" + window.ytInitialPlayerResponse.videoDetails.title + "</h1>");
  }
  app.innerHTML = items.join("");
})();
"""


def _yt_page(title: str, scripts: dict[str, dict]) -> Response:
    assigned = "".join(f"<script>var {name} = {json.dumps(value, ensure_ascii=False)};</script>"
                       for name, value in scripts.items())
    return html(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - YouTube</title>{_MEDIA}</head>
<body><img class="logo" src="{STATIC}/yt-logo.png" alt="">{assigned}
<ytd-app style="display:block"></ytd-app>
<script>{_MOUNT}</script>
</body></html>
""")


def results_page(query: dict[str, list[str]]) -> Response:
    if query.get("search_query", [""])[0].lower() != SEARCH_QUERY:
        return _yt_page("No results", {"ytInitialData": {"contents": {"twoColumnSearchResultsRenderer": {
            "primaryContents": {"sectionListRenderer": {"contents": [{"itemSectionRenderer": {"contents": []}}]}}}}}})
    return _yt_page(SEARCH_QUERY, {"ytInitialData": search_data()})


def watch_page(query: dict[str, list[str]], base: str) -> Response:
    video = next((v for v in VIDEOS if v.video_id == query.get("v", [""])[0]), None)
    if video is None:
        return not_found()
    return _yt_page(video.title, {"ytInitialPlayerResponse": player_response(video, base),
                                  "ytInitialData": watch_data(video)})


# --------------------------------------------------------------------------- routing


_STATIC_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".woff2": "font/woff2", ".mp4": "video/mp4"}


def handle(path_and_query: str, base: str) -> Response | None:
    """The response for a ``/video/`` path, or None when it is not one of ours."""
    parts = urlsplit(path_and_query)
    path, query = parts.path, parse_qs(parts.query)
    if path.startswith("/video/user/"):
        return user_page(path.removeprefix("/video/user/"))
    if path == POST_API:
        return post_api(query)
    if path == "/video/results":
        return results_page(query)
    if path == "/video/watch":
        return watch_page(query, base)
    if path.startswith(STATIC + "/"):
        suffix = path[path.rfind("."):]
        if suffix in _STATIC_TYPES:
            # A few bytes are enough: nothing may ever fetch them.
            return Response(200, b"\0" * 16, _STATIC_TYPES[suffix])
    return None


def manifest(base: str) -> dict:
    """Ground truth for the video pages (``/manifest.json`` key ``video``)."""
    return {
        "entry_points": {
            "douyin_user": f"{base}/video/user/{quote(CREATOR.sec_uid)}",
            "youtube_search": f"{base}/video/results?search_query={SEARCH_QUERY}",
        },
        "douyin_posts": [{
            "post_id": c.aweme_id, "url": f"https://www.douyin.com/video/{c.aweme_id}",
            "published_at": local_to_utc_iso(c.time), "content": c.desc, "tags": list(c.tags),
            "likes": c.likes, "comments": c.comments, "reposts": c.shares, "region_hint": c.region,
            "author": CREATOR.nickname, "author_id": CREATOR.uid,
        } for c in CLIPS],
        "youtube_videos": [{
            "post_id": v.video_id, "url": f"{base}/video/watch?v={v.video_id}", "title": v.title,
            "content": v.description, "published": v.published, "views": v.views, "likes": v.likes,
            "comments": v.comments, "author": CHANNEL_NAME, "author_id": CHANNEL_ID, "tags": list(v.keywords),
        } for v in VIDEOS],
        "page_size": PAGE_SIZE,
        "blocked_static_prefix": STATIC,
    }
