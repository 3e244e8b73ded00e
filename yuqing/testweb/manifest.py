"""``/manifest.json``: the ground truth about everything the test web serves.

Tests compare crawl results against it, so it is built from the same content
tables the pages are rendered from and never written by hand. URLs and ids
depend on the host the client used (ids of forum posts include it), hence one
manifest per base URL.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from yuqing.schema import canonical_url, make_id

from . import bad_pages, bulk_site, forum_site, mirror_sites, news_site, video_site
from .content import local_to_utc_iso
from .content.forum import BY_BID, THREADS, USERS as FORUM_USERS
from .content.news import ARTICLES, ATOM_SLUGS, BY_SLUG
from .content.social import POSTS, USERS as SOCIAL_USERS, page_posts, page_count
from .forum_site import thread_path
from .social_site import post_path, user_path

SOCIAL_PLATFORM = "testsocial"
FORUM_PLATFORM = "forum"

FIELDS = {
    "kind": "article | forum_post | social_post",
    "url": "canonical URL of the item (forum posts: thread page URL + #post-<pid>)",
    "platform / channel / source": "values the parser is expected to put in the Document "
                                   "(source: host name without port for news and forum, screen name for social)",
    "id": "expected Document.id (forum and social posts; articles' ids depend on the news parser's choice)",
    "post_id": "the platform's own id (forum pid, social post id)",
    "published_at": "UTC ISO 8601",
    "must_contain": "a distinctive phrase of the body, after normalize_text",
    "thread_url / thread_id": "forum: first page of the thread / Document.id of its first post",
    "parent / parent_id / parent_url": "forum replies: pid / Document.id / URL of the post replied to",
    "repost_of / repost_of_id": "social reposts: original post id / its Document.id",
    "bad[].expect": "error: nothing may be indexed from it; document: it must still be indexed",
}


def site_key(url: str) -> str:
    """Host (with non-default port) that scopes forum post ids, as the forum parser computes it."""
    return urlsplit(canonical_url(url)).netloc


def _articles(base: str) -> list[dict[str, Any]]:
    source = urlsplit(base).hostname
    return [{
        "kind": "article",
        "url": f"{base}{a.path}",
        "platform": "news",
        "channel": "news",
        "source": source,
        "site_name": news_site.SITE_NAME_EN if a.lang == "en" else news_site.SITE_NAME_ZH,
        "publisher": a.source_name,
        "title": a.title,
        "lang": a.lang,
        "encoding": a.encoding,
        "charset_declared": a.charset_declared,
        "has_meta_time": a.meta_time,
        "published_at": local_to_utc_iso(a.published),
        "author": a.author,
        "must_contain": a.must_contain,
        "tags": list(a.tags),
        "in_atom": a.slug in ATOM_SLUGS,
    } for a in ARTICLES]


def _forum_posts(base: str) -> list[dict[str, Any]]:
    host = site_key(base)

    def doc_id(pid: int) -> str:
        return make_id(platform=FORUM_PLATFORM, post_id=f"{host}:{pid}")

    def url(t, floor: int) -> str:
        return f"{base}{thread_path(t.tid, t.page_of(floor))}#post-{t.pid(floor)}"

    items = []
    for t in THREADS:
        board = BY_BID[t.bid]
        for floor, p in enumerate(t.posts, start=1):
            parent_floor = None if floor == 1 else (p.quote_floor or 1)
            items.append({
                "kind": "forum_post",
                "url": url(t, floor),
                "platform": FORUM_PLATFORM,
                "channel": "forum",
                "source": urlsplit(base).hostname,
                "id": doc_id(t.pid(floor)),
                "post_id": str(t.pid(floor)),
                "tid": t.tid,
                "board": board.name,
                "floor": floor,
                "page": t.page_of(floor),
                "title": t.title if floor == 1 else "",
                "thread_title": t.title,
                "thread_url": f"{base}{thread_path(t.tid)}",
                "thread_id": doc_id(t.pid(1)),
                "parent": str(t.pid(parent_floor)) if parent_floor else None,
                "parent_id": doc_id(t.pid(parent_floor)) if parent_floor else None,
                "parent_url": url(t, parent_floor) if parent_floor else None,
                "lang": board.lang,
                "encoding": board.encoding,
                "published_at": local_to_utc_iso(p.time),
                "author": FORUM_USERS[p.uid],
                "author_id": str(p.uid),
                "author_url": f"{base}/forum/user/{p.uid}",
                "must_contain": p.must_contain,
            })
    return items


def _social_posts(base: str) -> list[dict[str, Any]]:
    def doc_id(post_id: str) -> str:
        return make_id(platform=SOCIAL_PLATFORM, post_id=post_id)

    api_page = {p.id: n for n in range(1, page_count() + 1) for p in page_posts(n)}
    return [{
        "kind": "social_post",
        "url": f"{base}{post_path(p.id)}",
        "platform": SOCIAL_PLATFORM,
        "channel": "social",
        "source": SOCIAL_USERS[p.uid].name,
        "id": doc_id(p.id),
        "post_id": p.id,
        "api_page": api_page[p.id],
        "title": "",
        "lang": "en" if p.text.isascii() else "zh",
        "encoding": "utf-8",
        "published_at": local_to_utc_iso(p.time),
        "author": SOCIAL_USERS[p.uid].name,
        "author_id": p.uid,
        "author_url": f"{base}{user_path(p.uid)}",
        "must_contain": p.must_contain,
        "repost_of": p.repost_of,
        "repost_of_id": doc_id(p.repost_of) if p.repost_of else None,
        "region_hint": p.region,
        "likes": p.likes,
        "reposts": p.reposts,
        "comments": p.comments,
    } for p in POSTS]


def _bad(base: str) -> list[dict[str, Any]]:
    out = []
    for b in bad_pages.BAD_PAGES:
        response = b.render(base)
        entry = {"url": f"{base}{b.path}", "status": response.status, "content_type": response.content_type,
                 "reason": b.reason, "expect": b.expect}
        if b.expect == "document":
            entry.update(title=b.title, lang=b.lang, must_contain=b.must_contain,
                         published_at=local_to_utc_iso(b.published) if b.published else None)
        out.append(entry)
    return out


@lru_cache(maxsize=8)
def build(base: str) -> dict[str, Any]:
    """The manifest for clients that reach the test web at ``base`` (no trailing slash)."""
    items = _articles(base) + _forum_posts(base) + _social_posts(base)
    counts: dict[str, int] = {}
    for item in items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    mixed = [f"{base}{p}" for p in bad_pages.mixed_feed_paths()]
    return {
        "version": 1,
        "base_url": base,
        "fields": FIELDS,
        "counts": {**counts, "total": len(items), "bad": len(bad_pages.BAD_PAGES)},
        "entry_points": {
            "news_home": f"{base}/news/",
            "rss": f"{base}/news/feed.xml",
            "atom": f"{base}/news/atom.xml",
            "sitemap": f"{base}/news/sitemap.xml",
            "forum_boards": [f"{base}{forum_site.board_path(b)}" for b in sorted(BY_BID)],
            "social_feed": f"{base}/social/feed",
            "social_api": [f"{base}/social/api/posts?page={n}" for n in range(1, page_count() + 1)],
            "broken_feed": f"{base}/bad/feed.xml",
            "mixed_feed": f"{base}/bad/feed-mixed.xml",
        },
        "feeds": {
            "rss": [f"{base}{a.path}" for a in ARTICLES],
            "atom": [f"{base}{BY_SLUG[s].path}" for s in ATOM_SLUGS],
            "sitemap": [f"{base}{a.path}" for a in ARTICLES],
            "mixed_good": [u for u in mixed if "/bad/" not in u],
            "mixed_bad": [u for u in mixed if "/bad/" in u],
        },
        "items": items,
        "bad": _bad(base),
        "video": video_site.manifest(base),
        # Not in `items`: only /mirror/feed.xml links to them (clustering tests).
        "mirror": mirror_sites.manifest(base),
        # Not in `items` either: only /bulk/sitemap.xml links to them (fault tests).
        "bulk": bulk_site.manifest(base),
    }
