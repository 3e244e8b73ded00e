"""Bilibili through its web API (api.bilibili.com).

Kinds: ``search`` (``x/web-interface/search/type?search_type=video``),
``video`` (``x/web-interface/view``), ``comments`` (``x/v2/reply`` and the
replies under one comment, ``x/v2/reply/reply``) and ``dynamics`` (a user's
space feed, ``x/polymer/web-dynamic/v1/feed/space``).

Three kinds of documents with three id spaces, so ids are keyed by kind:
videos by ``av{aid}`` (comment answers only know the aid, as ``oid``; the
search and view answers know both aid and bvid), comments by
``reply:{rpid}``, dynamics by ``dynamic:{id}``. A video posted as a dynamic
is the video document, so a video found by search, by view and in a feed is
one document.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (LOGIN_REQUIRED, RISK_CONTROL, hashtags, html_to_text, iso_time, load_json, need, need_count,
                     need_id, opt_count, query_param, region_from_label, with_query)


PLATFORM = "bilibili"
API = "https://api.bilibili.com"
# Answer codes that say "not you, not now" (-412 request blocked, -352 risk
# check failed, -509 too frequent) and "log in first".
_RISK_CODES = (-412, -352, -509, -799)
_LOGIN_CODES = (-101,)
_VIDEO_COMMENTS = 1  # the reply API's "type" for videos; dynamics use others


def video_doc_id(aid: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"av{aid}")


def reply_doc_id(rpid: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"reply:{rpid}")


def dynamic_doc_id(dynamic_id: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"dynamic:{dynamic_id}")


def video_url(bvid: str | None, aid: str) -> str:
    return f"https://www.bilibili.com/video/{bvid or f'av{aid}'}"


def search_api_url(keyword: str) -> str:
    return f"{API}/x/web-interface/search/type?search_type=video&keyword={quote(keyword)}&page=1"


def view_api_url(bvid: str) -> str:
    return f"{API}/x/web-interface/view?bvid={bvid}"


def comments_api_url(oid: str, comment_type: int | str = _VIDEO_COMMENTS) -> str:
    return f"{API}/x/v2/reply?type={comment_type}&oid={oid}&sort=0&pn=1&ps=20"


def replies_api_url(oid: str, comment_type: int | str, root: str) -> str:
    return f"{API}/x/v2/reply/reply?type={comment_type}&oid={oid}&root={root}&pn=1&ps=20"


def space_api_url(mid: str) -> str:
    return f"{API}/x/polymer/web-dynamic/v1/feed/space?host_mid={mid}"


def _text(value: Any) -> str:
    """Search titles carry ``<em class="keyword">`` marks; "-" means no text."""
    text = html_to_text(value) if isinstance(value, str) else ""
    return "" if text == "-" else text


class BilibiliParser(Parser):
    platform = PLATFORM
    channel = "video"
    kinds = ("search", "video", "comments", "dynamics")
    default_kind = "video"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        path = urlsplit(url).path
        for marker, kind in (("/search/", "search"), ("/web-interface/view", "video"),
                             ("/wbi/view", "video"), ("/v2/reply", "comments"), ("/feed/space", "dynamics")):
            if marker in path:
                return kind
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:
        handler = {"search": self.parse_search, "video": self.parse_video, "comments": self.parse_comments,
                   "dynamics": self.parse_dynamics}.get(kind)
        if handler is None:
            raise ParseError("unknown_kind", f"bilibili parser has no page kind {kind!r}")
        return handler(page)

    def _data(self, page: Page) -> Any:
        payload = load_json(page)
        code = payload.get("code") if isinstance(payload, dict) else None
        if not isinstance(code, int) or isinstance(code, bool):
            raise ShapeError(PLATFORM, "code")
        if code == 0:
            return payload.get("data")
        message = payload.get("message") or payload.get("msg") or ""
        if code in _RISK_CODES:
            raise ParseError(RISK_CONTROL, f"{page.url}: Bilibili refused the request ({code}: {message})")
        if code in _LOGIN_CODES:
            raise ParseError(LOGIN_REQUIRED, f"{page.url}: Bilibili wants a login ({code}: {message})")
        raise ParseError("api_error", f"{page.url}: Bilibili answered {code}: {message}")

    # ------------------------------------------------------------------ videos

    def parse_search(self, page: Page) -> ParseResult:
        data = self._data(page)
        result = ParseResult()
        if isinstance(data, dict) and data.get("numResults") == 0:
            result.warnings.append("no_results")
            return result
        for item in need(data, "result", list, platform=PLATFORM, path="data.result"):
            # Other result types (users, live rooms) show up in mixed searches.
            if isinstance(item, dict) and item.get("type", "video") == "video":
                result.documents.append(self._search_video(item, page))
                result.links.append(Link(view_api_url(result.documents[-1].post_id), "video"))
        current, pages = data.get("page"), data.get("numPages")
        if result.documents and isinstance(current, int) and isinstance(pages, int) and current < pages:
            result.links.append(Link(with_query(page.url, page=current + 1), "search"))
        return result

    def _search_video(self, item: dict, page: Page) -> Document:
        aid = need_id(item, "aid", platform=PLATFORM, path="result.aid")
        mid = need_id(item, "mid", platform=PLATFORM, path="result.mid")
        author = Author(name=need(item, "author", str, platform=PLATFORM, path="result.author"), id=mid,
                        url=f"https://space.bilibili.com/{mid}")
        engagement = Engagement(
            likes=opt_count(item, "like"),
            comments=opt_count(item, "review"),
            views=need_count(item, "play", platform=PLATFORM, path="result.play"),
        )
        tags = [t.strip() for t in str(item.get("tag") or "").split(",") if t.strip()]
        title = _text(need(item, "title", str, platform=PLATFORM, path="result.title"))
        return self._video(page, aid, need(item, "bvid", str, platform=PLATFORM, path="result.bvid"), title,
                           _text(item.get("description")), author, self._pubdate(item, page, "result.pubdate"),
                           engagement, tags)

    def parse_video(self, page: Page) -> ParseResult:
        data = self._data(page)
        if not isinstance(data, dict):
            raise ShapeError(PLATFORM, "data")
        aid = need_id(data, "aid", platform=PLATFORM, path="data.aid")
        bvid = need(data, "bvid", str, platform=PLATFORM, path="data.bvid")
        owner = need(data, "owner", dict, platform=PLATFORM, path="data.owner")
        mid = need_id(owner, "mid", platform=PLATFORM, path="data.owner.mid")
        staff = next((s for s in data.get("staff") or () if isinstance(s, dict) and str(s.get("mid")) == mid), {})
        official = (staff.get("official") or {}).get("type")
        author = Author(name=need(owner, "name", str, platform=PLATFORM, path="data.owner.name"), id=mid,
                        url=f"https://space.bilibili.com/{mid}", followers=opt_count(staff, "follower"),
                        verified=official in (0, 1) if isinstance(official, int) else None)
        stat = need(data, "stat", dict, platform=PLATFORM, path="data.stat")
        engagement = Engagement(
            likes=need_count(stat, "like", platform=PLATFORM, path="data.stat.like"),
            comments=need_count(stat, "reply", platform=PLATFORM, path="data.stat.reply"),
            reposts=opt_count(stat, "share"),
            views=need_count(stat, "view", platform=PLATFORM, path="data.stat.view"),
        )
        tags = ([data["tname"]] if isinstance(data.get("tname"), str) and data["tname"] else [])
        tags += [t for t in hashtags(str(data.get("dynamic") or "")) if t not in tags]
        doc = self._video(page, aid, bvid, _text(need(data, "title", str, platform=PLATFORM, path="data.title")),
                          _text(data.get("desc")), author, self._pubdate(data, page, "data.pubdate"), engagement, tags)
        result = ParseResult(documents=[doc])
        if engagement.comments:
            result.links.append(Link(comments_api_url(aid), "comments"))
        return result

    def _video(self, page: Page, aid: str, bvid: str | None, title: str, content: str, author: Author,
               published: str, engagement: Engagement, tags: list[str]) -> Document:
        return Document(
            id=video_doc_id(aid),
            platform=PLATFORM,
            channel=self.channel,
            url=video_url(bvid, aid),
            title=title,
            content=content,
            author=author,
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source=author.name or "",
            post_id=bvid or f"av{aid}",
            engagement=engagement,
            tags=tags,
        )

    def _pubdate(self, obj: dict, page: Page, path: str, key: str = "pubdate") -> str:
        raw = need(obj, key, int, platform=PLATFORM, path=path)
        published = iso_time(raw, page)
        if published is None:
            raise ShapeError(PLATFORM, path, f"{PLATFORM}: unreadable time {raw!r}")
        return published

    # ------------------------------------------------------------------ comments

    def parse_comments(self, page: Page) -> ParseResult:
        data = self._data(page)
        if not isinstance(data, dict) or "replies" not in data:
            raise ShapeError(PLATFORM, "data.replies")
        oid, comment_type = query_param(page.url, "oid"), query_param(page.url, "type") or str(_VIDEO_COMMENTS)
        if not oid:
            raise ParseError("bad_url", f"{page.url}: a comments URL needs the oid")
        subject_id, subject_url = page.meta.get("yq_subject_id"), page.meta.get("yq_subject_url")
        if not subject_id and comment_type == str(_VIDEO_COMMENTS):
            subject_id, subject_url = video_doc_id(oid), video_url(None, oid)
        result = ParseResult()
        if not subject_id:
            result.warnings.append("subject_unknown")
        base_url = subject_url or page.url.split("?")[0]
        context = {"yq_subject_id": subject_id, "yq_subject_url": subject_url} if subject_id else {}

        upper = data.get("upper") if isinstance(data.get("upper"), dict) else {}
        top = data.get("top") if isinstance(data.get("top"), dict) else {}
        pinned = [upper.get("top"), *top.values()]
        seen: set[str] = set()
        for reply in [*pinned, *(data.get("hots") or ()), *(data.get("replies") or ())]:
            # Hot and pinned comments come again in the plain list.
            if not isinstance(reply, dict) or not self._add_reply(result, reply, page, base_url, subject_id, seen):
                continue
            shown = [r for r in reply.get("replies") or () if isinstance(r, dict)]
            for child in shown:
                self._add_reply(result, child, page, base_url, subject_id, seen)
            # A comment shows its first few replies; the rest sit behind reply/reply.
            if (opt_count(reply, "rcount") or 0) > len(shown) and "/reply/reply" not in page.url:
                result.links.append(Link(replies_api_url(oid, comment_type, str(reply["rpid"])), "comments", context))

        paging = data.get("page") if isinstance(data.get("page"), dict) else {}
        num, size, count = (opt_count(paging, k) for k in ("num", "size", "count"))
        if num and size and count and num * size < count and data.get("replies"):
            result.links.append(Link(with_query(page.url, pn=num + 1), "comments", context))
        return result

    def _add_reply(self, result: ParseResult, reply: dict, page: Page, base_url: str, subject_id: str | None,
                   seen: set[str]) -> bool:
        """Add the comment unless it was added already; say whether it was new."""
        rpid = need_id(reply, "rpid", platform=PLATFORM, path="reply.rpid")
        if rpid in seen:
            return False
        seen.add(rpid)
        member = need(reply, "member", dict, platform=PLATFORM, path="reply.member")
        mid = need_id(member, "mid", platform=PLATFORM, path="reply.member.mid")
        content = _text(need(need(reply, "content", dict, platform=PLATFORM, path="reply.content"), "message", str,
                             platform=PLATFORM, path="reply.content.message"))
        parent = str(reply.get("parent") or "0")
        official = (member.get("official_verify") or {}).get("type")
        control = reply.get("reply_control") if isinstance(reply.get("reply_control"), dict) else {}
        result.documents.append(Document(
            id=reply_doc_id(rpid),
            platform=PLATFORM,
            channel=self.channel,
            url=f"{base_url}#reply{rpid}",
            content=content,
            author=Author(name=need(member, "uname", str, platform=PLATFORM, path="reply.member.uname"), id=mid,
                          url=f"https://space.bilibili.com/{mid}",
                          verified=official in (0, 1) if isinstance(official, int) else None),
            published_at=self._pubdate(reply, page, "reply.ctime", key="ctime"),
            crawled_at=page.crawled_at or "",
            lang=detect_lang(content),
            source=str(member.get("uname") or ""),
            post_id=rpid,
            # Replies name the comment they answer; top-level comments answer the subject.
            parent_id=reply_doc_id(parent) if parent != "0" else subject_id,
            thread_id=subject_id,
            engagement=Engagement(likes=need_count(reply, "like", platform=PLATFORM, path="reply.like"),
                                  comments=opt_count(reply, "rcount")),
            # Since 2022 comments show "IP属地：北京" under reply_control.location.
            region_hint=region_from_label(control.get("location")),
        ))
        return True

    # ------------------------------------------------------------------ dynamics

    def parse_dynamics(self, page: Page) -> ParseResult:
        data = self._data(page)
        items = need(data, "items", list, platform=PLATFORM, path="data.items")
        result = ParseResult()
        for item in items:
            if isinstance(item, dict):
                self._add_dynamic(result, item, page)
        result.documents = _most_complete(result.documents)
        offset = data.get("offset")
        if data.get("has_more") and offset:
            result.links.append(Link(with_query(page.url, offset=offset), "dynamics"))
        return result

    def _add_dynamic(self, result: ParseResult, item: dict, page: Page, nested: bool = False) -> str | None:
        """Add the dynamic (and what it forwards); return its document id."""
        if item.get("type") == "DYNAMIC_TYPE_NONE" or item.get("visible") is False:
            # A forwarded dynamic that was deleted: no id, no author, no text.
            result.warnings.append("dynamic_unavailable")
            return None
        dynamic_id = need_id(item, "id_str", platform=PLATFORM, path="item.id_str")
        modules = need(item, "modules", dict, platform=PLATFORM, path="item.modules")
        author_module = need(modules, "module_author", dict, platform=PLATFORM, path="item.modules.module_author")
        dynamic = modules.get("module_dynamic") if isinstance(modules.get("module_dynamic"), dict) else {}
        stat = modules.get("module_stat")
        if not nested and not isinstance(stat, dict):
            raise ShapeError(PLATFORM, "item.modules.module_stat")
        stat = stat if isinstance(stat, dict) else {}
        mid = need_id(author_module, "mid", platform=PLATFORM, path="item.modules.module_author.mid")
        author = Author(name=need(author_module, "name", str, platform=PLATFORM,
                                  path="item.modules.module_author.name"),
                        id=mid, url=f"https://space.bilibili.com/{mid}")
        published = self._pubdate(author_module, page, "item.modules.module_author.pub_ts", key="pub_ts")
        engagement = Engagement(likes=_stat(stat, "like"), comments=_stat(stat, "comment"),
                                reposts=_stat(stat, "forward"))
        major = dynamic.get("major") if isinstance(dynamic.get("major"), dict) else {}
        desc_node = dynamic.get("desc")
        desc = _text(desc_node.get("text")) if isinstance(desc_node, dict) else ""

        archive = major.get("archive")
        if isinstance(archive, dict):
            aid = need_id(archive, "aid", platform=PLATFORM, path="major.archive.aid")
            bvid = archive.get("bvid") if isinstance(archive.get("bvid"), str) else None
            doc = self._video(page, aid, bvid, _text(need(archive, "title", str, platform=PLATFORM,
                                                          path="major.archive.title")),
                              "\n".join(t for t in (desc, _text(archive.get("desc"))) if t), author, published,
                              Engagement(likes=engagement.likes, comments=engagement.comments,
                                         reposts=engagement.reposts, views=_views(archive)),
                              hashtags(desc))
            result.documents.append(doc)
            if bvid:
                result.links.append(Link(view_api_url(bvid), "video"))
            return doc.id

        repost_of = None
        original = item.get("orig")
        if isinstance(original, dict):
            repost_of = self._add_dynamic(result, original, page, nested=True)
        title, body = _major_text(major)
        content = "\n".join(t for t in (desc, body) if t)
        if not (title or content):
            result.warnings.append("empty_dynamic")
            return None
        topic = dynamic.get("topic") if isinstance(dynamic.get("topic"), dict) else {}
        tags = [topic["name"]] if isinstance(topic.get("name"), str) else []
        tags += [t for t in hashtags(content) if t not in tags]
        doc = Document(
            id=dynamic_doc_id(dynamic_id),
            platform=PLATFORM,
            channel=self.channel,
            url=f"https://t.bilibili.com/{dynamic_id}",
            title=title,
            content=content,
            author=author,
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source=author.name or "",
            post_id=dynamic_id,
            repost_of=repost_of,
            engagement=engagement,
            tags=tags,
        )
        result.documents.append(doc)
        basic = item.get("basic") if isinstance(item.get("basic"), dict) else {}
        if engagement.comments and basic.get("comment_id_str") and basic.get("comment_type"):
            result.links.append(Link(comments_api_url(basic["comment_id_str"], basic["comment_type"]),
                                     "comments", {"yq_subject_id": doc.id, "yq_subject_url": doc.url}))
        return doc.id


def _most_complete(documents: list[Document]) -> list[Document]:
    """One document per id. A forwarded dynamic comes without its counters; when
    the feed also lists it on its own, that complete copy must win (the dedupe
    pipeline would drop it as a repeat of the same text)."""
    chosen: dict[str, Document] = {}
    for doc in documents:
        known = chosen.get(doc.id)
        if known is None or _counted(doc) > _counted(known):
            chosen[doc.id] = doc
    return list(chosen.values())


def _counted(doc: Document) -> int:
    e = doc.engagement
    return sum(value is not None for value in (e.likes, e.comments, e.reposts, e.views))


def _views(archive: dict) -> int | None:
    stat = archive.get("stat") if isinstance(archive.get("stat"), dict) else {}
    return opt_count(stat, "play")


def _stat(stat: dict, name: str) -> int | None:
    entry = stat.get(name)
    return opt_count(entry, "count") if isinstance(entry, dict) else None


def _major_text(major: dict) -> tuple[str, str]:
    """Title and text of the main card of a dynamic: an article, an "opus"
    (the 2023+ form of text-and-picture posts) or a live/course card."""
    for key in ("opus", "article", "common", "live", "pgc", "courses"):
        card = major.get(key)
        if not isinstance(card, dict):
            continue
        summary = card.get("summary")
        body = summary.get("text") if isinstance(summary, dict) else card.get("desc")
        return _text(card.get("title")), _text(body)
    return "", ""
