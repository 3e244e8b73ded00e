"""Pages of the JavaScript-rendered social site (a Weibo-like timeline).

``/social/feed`` ships no posts in its markup: ``feed.js`` fetches the
JSON API and builds the DOM, so only a browser-rendering crawl sees posts
there. Post permalinks (``/social/p/<id>``) are server-rendered with the same
markup, like platforms do for search engines.
"""

from __future__ import annotations

import re
from html import escape
from importlib import resources

from .content import local_to_offset_iso
from .content.social import BY_ID, USERS, SocialPost, page_count, page_posts
from .response import Response, html, json_response, not_found

SITE_NAME = "滨海圈"
_TOPIC = re.compile(r"#([^#\n]+)#")


def post_path(post_id: str) -> str:
    return f"/social/p/{post_id}"


def user_path(uid: str) -> str:
    return f"/social/u/{uid}"


def api_post(p: SocialPost) -> dict:
    user = USERS[p.uid]
    data = {
        "id": p.id,
        "created_at": local_to_offset_iso(p.time),
        "text": p.text,
        "url": post_path(p.id),
        "user": {"id": user.uid, "screen_name": user.name, "profile_url": user_path(user.uid),
                 "verified": user.verified},
        "reposts_count": p.reposts,
        "comments_count": p.comments,
        "attitudes_count": p.likes,
    }
    if p.region:
        data["region_name"] = f"发布于 {p.region}"
    if p.repost_of:
        original = BY_ID[p.repost_of]
        data["retweeted_status"] = {"id": original.id, "url": post_path(original.id),
                                    "user": {"id": original.uid, "screen_name": USERS[original.uid].name}}
    return data


def api_posts(page: int) -> Response:
    posts = page_posts(page)
    next_page = page + 1 if 1 <= page < page_count() else None
    return json_response({"ok": 1, "data": {"page": page, "total_pages": page_count(), "next_page": next_page,
                                            "list": [api_post(p) for p in posts]}})


def _short_count(n: int) -> str:
    return f"{n / 10000:.1f}万" if n >= 10000 else str(n)


def render_post_html(data: dict) -> str:
    """The markup feed.js builds for one API post (keep the two in step)."""
    repost = data.get("retweeted_status")
    repost_attr = f' data-repost-of="{escape(repost["id"])}"' if repost else ""
    created = data["created_at"]
    out = [f'<article class="post" data-id="{escape(data["id"])}"{repost_attr}>',
           f'<header class="post-head"><a class="author" href="{escape(data["user"]["profile_url"])}">'
           f'{escape(data["user"]["screen_name"])}</a>']
    if data["user"]["verified"]:
        out.append('<span class="verified" title="认证用户">V</span>')
    out.append(f'<a class="permalink" href="{escape(data["url"])}"><time datetime="{escape(created)}">'
               f'{created[:10]} {created[11:16]}</time></a>')
    if data.get("region_name"):
        out.append(f'<span class="region">{escape(data["region_name"])}</span>')
    text = _TOPIC.sub(r'<span class="topic">#\1#</span>', escape(data["text"], quote=False))
    out.append(f'</header><div class="text">{text}</div>')
    if repost:
        out.append(f'<div class="repost-ref">转发自 <a href="{escape(repost["url"])}">@'
                   f'{escape(repost["user"]["screen_name"])}</a></div>')
    counters = "".join(f'<span class="{cls}" data-count="{data[key]}">{_short_count(data[key])}</span>'
                       for cls, key in (("reposts", "reposts_count"), ("comments", "comments_count"),
                                        ("likes", "attitudes_count")))
    out.append(f'<footer class="actions">{counters}</footer></article>')
    return "".join(out)


def _shell(title: str, main: str, script: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>{escape(title)} - {SITE_NAME}</title>{script}</head>
<body>
<header class="topbar"><a class="logo" href="/social/feed">{SITE_NAME}</a></header>
<main>
{main}
</main>
</body>
</html>
"""


def feed_shell() -> Response:
    main = ('<section id="feed" class="feed" data-state="loading" aria-live="polite"></section>\n'
            "<noscript>请开启 JavaScript 以查看动态。</noscript>")
    return html(_shell("热门动态", main, '<script src="/social/static/feed.js" defer></script>'))


def feed_script() -> Response:
    body = resources.files("yuqing.testweb").joinpath("feed.js").read_bytes()
    return Response(200, body, "application/javascript; charset=utf-8")


def post_page(post_id: str) -> Response:
    p = BY_ID.get(post_id)
    if p is None:
        return not_found()
    main = f'<section id="feed" class="feed single">{render_post_html(api_post(p))}</section>'
    return html(_shell(f"{USERS[p.uid].name}的动态", main))


def user_page(uid: str) -> Response:
    user = USERS.get(uid)
    if user is None:
        return not_found()
    count = sum(1 for p in BY_ID.values() if p.uid == uid)
    badge = '<span class="verified" title="认证用户">V</span>' if user.verified else ""
    main = (f'<h1 class="screen-name">{escape(user.name)}{badge}</h1>'
            f'<p class="stats">动态 {count}</p><a href="/social/feed">返回首页</a>')
    return html(_shell(user.name, main))
