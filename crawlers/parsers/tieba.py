"""Baidu Tieba (tieba.baidu.com), PC pages.

Kinds: ``board`` (``/f?kw=<吧名>``: thread list -> thread links + next page)
and ``thread`` (``/p/<tid>``: one document per floor). Every floor's
``div.l_post`` carries a ``data-field`` JSON with the post id, floor number
and author id; text, time and IP location come from the markup around it.

Post ids (``pid``) are unique across Tieba, so documents are keyed by the
bare pid. Replies point to the thread's first floor (``parent_id`` and
``thread_id``); page 2+ learn its id from the link that led there (the board
list knows every thread's ``first_post_id``).

The server sends board lists inside HTML comments that the page's script
unpacks (``<code><!-- ... --></code>``); both that raw form and a rendered
DOM are read.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from yuqing.schema import Author, Document, Engagement, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (LOGIN_REQUIRED, RISK_CONTROL, element_text, iso_time, load_html, parse_count,
                     region_from_label)

logger = logging.getLogger(__name__)

PLATFORM = "tieba"
BASE = "https://tieba.baidu.com"
_TID = re.compile(r"/p/(\d+)")
_FLOOR = re.compile(r"^(\d+)\s*楼$")
_TAIL_TIME = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}")
_RISK_TITLES = ("百度安全验证", "安全验证")
_GONE_MARKERS = ("该贴已被删除", "贴子已被删除", "该吧被合并", "抱歉，您访问的贴子被隐藏")


def post_doc_id(pid: str) -> str:
    return make_id(platform=PLATFORM, post_id=pid)


def thread_url(tid: str) -> str:
    return f"{BASE}/p/{tid}"


def _data_field(el) -> dict | None:
    try:
        value = json.loads(el.get("data-field") or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _first(el, css: str):
    found = el.cssselect(css)
    return found[0] if found else None


class TiebaParser(Parser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("board", "thread")
    default_kind = "thread"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        path = urlsplit(url).path
        if _TID.match(path):
            return "thread"
        if path.rstrip("/") == "/f":
            return "board"
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind not in self.kinds:
            raise ParseError("unknown_kind", f"tieba parser has no page kind {kind!r}")
        host = urlsplit(page.url).hostname or ""
        if host.startswith(("passport.", "wappass.")):
            reason = LOGIN_REQUIRED if host.startswith("passport.") else RISK_CONTROL
            raise ParseError(reason, f"{page.url}: Baidu sent the request to {host}")
        tree = load_html(page)
        title = normalize_text(tree.findtext(".//title") or "")
        if any(t in title for t in _RISK_TITLES):
            raise ParseError(RISK_CONTROL, f"{page.url}: Baidu security check ({title})")
        return self.parse_board(tree, page) if kind == "board" else self.parse_thread(tree, page)

    # ------------------------------------------------------------------ board

    def parse_board(self, tree, page: Page) -> ParseResult:
        roots = [tree] if tree.cssselect("li.j_thread_list") else _thread_list_pagelets(tree)
        items = [item for root in roots for item in root.cssselect("li.j_thread_list")]
        if not items:
            raise ShapeError(PLATFORM, "j_thread_list")
        result = ParseResult()
        for item in items:
            field = _data_field(item) or {}
            link = _first(item, "a.j_th_tit")
            tid = str(field.get("id") or item.get("data-tid") or "")
            if link is None or not tid.isdigit():
                raise ShapeError(PLATFORM, "j_th_tit")
            meta = {"yq_thread_title": normalize_text(link.get("title") or link.text_content())}
            if field.get("first_post_id"):
                meta["yq_first_post_id"] = str(field["first_post_id"])
            result.links.append(Link(thread_url(tid), "thread", meta))
        nxt = next((a for root in roots for a in root.cssselect("a.next.pagination-item") if a.get("href")), None)
        if nxt is not None:
            result.links.append(Link(urljoin(page.url, nxt.get("href")), "board"))
        return result

    # ------------------------------------------------------------------ thread

    def parse_thread(self, tree, page: Page) -> ParseResult:
        title_el = _first(tree, ".core_title_txt")
        if title_el is None:
            text = page.body.decode("utf-8", errors="replace")
            if any(marker in text for marker in _GONE_MARKERS):
                raise ParseError("not_found", f"{page.url}: the thread is deleted or hidden")
            raise ShapeError(PLATFORM, "core_title_txt")
        title = normalize_text(title_el.get("title") or title_el.text_content())
        board_el = _first(tree, "a.card_title_fname")
        board = normalize_text(board_el.text_content()) if board_el is not None else ""
        posts = [el for el in tree.cssselect("div.l_post") if el.get("data-field")]
        if not posts:
            raise ShapeError(PLATFORM, "l_post")
        fields = [f for f in (self._post_fields(el, page) for el in posts) if f]
        if not fields:
            raise ShapeError(PLATFORM, "data-field.content")
        m = _TID.search(urlsplit(page.url).path)
        tid = m.group(1) if m else next((f["tid"] for f in fields if f["tid"]), "")
        result = ParseResult()
        first = next((f for f in fields if f["floor"] == 1), None)
        first_pid = first["pid"] if first else page.meta.get("yq_first_post_id")
        if not first_pid:
            # A later page reached without the board or page 1 before it.
            result.warnings.append("thread_id_unknown")
        thread_id = post_doc_id(first_pid) if first_pid else None
        # "32 回复贴，共2页": the thread's reply count, shown on every page.
        replies_el = _first(tree, "li.l_reply_num span.red")
        replies = parse_count(normalize_text(replies_el.text_content())) if replies_el is not None else None

        for f in fields:
            is_first = f["pid"] == first_pid
            if not (f["content"] or is_first):
                result.warnings.append("empty_post")
                continue
            result.documents.append(Document(
                id=post_doc_id(f["pid"]),
                platform=PLATFORM,
                channel=self.channel,
                url=thread_url(tid) if is_first else f"{thread_url(tid)}?pid={f['pid']}#{f['pid']}",
                title=title if is_first else "",
                content=f["content"],
                author=f["author"],
                published_at=f["published_at"],
                crawled_at=page.crawled_at or "",
                lang=detect_lang(f["content"] or title),
                source=board or "tieba.baidu.com",
                post_id=f["pid"],
                parent_id=None if is_first else thread_id,
                thread_id=thread_id,
                engagement=Engagement(comments=replies if is_first else f["comments"]),
                region_hint=f["region"],
            ))

        nxt = next((a for a in tree.cssselect("li.l_pager a") if normalize_text(a.text_content()) == "下一页"), None)
        if nxt is not None and nxt.get("href"):
            meta = {"yq_thread_title": title}
            if first_pid:
                meta["yq_first_post_id"] = first_pid
            result.links.append(Link(urljoin(page.url, nxt.get("href")), "thread", meta))
        return result

    def _post_fields(self, el, page: Page) -> dict[str, Any] | None:
        field = _data_field(el)
        content_field = field.get("content") if field else None
        if not isinstance(content_field, dict):
            # Ads and recommendation cards reuse l_post without a post record.
            return None
        pid = str(content_field.get("post_id") or "")
        if not pid.isdigit():
            raise ShapeError(PLATFORM, "data-field.content.post_id")
        author_field = field.get("author") if isinstance(field.get("author"), dict) else {}
        name_el = _first(el, "a.p_author_name")
        name = normalize_text(name_el.text_content()) if name_el is not None else ""
        name = name or author_field.get("user_nickname") or author_field.get("user_name")
        if not name:
            raise ShapeError(PLATFORM, "p_author_name", f"{PLATFORM}: post {pid} has no author")
        body = _first(el, f"#post_content_{pid}, .d_post_content")
        if body is None:
            raise ShapeError(PLATFORM, "d_post_content", f"{PLATFORM}: post {pid} has no content element")
        tails = [normalize_text(span.text_content()) for span in el.cssselect(".post-tail-wrap span, .core_reply_tail span")]
        when = next((t for t in reversed(tails) if _TAIL_TIME.match(t)), None) or content_field.get("date")
        published = iso_time(when, page) if when else None
        if published is None:
            raise ShapeError(PLATFORM, "tail-info", f"{PLATFORM}: post {pid} has no readable time ({when!r})")
        floor = content_field.get("post_no")
        if not isinstance(floor, int):
            floor = next((int(m.group(1)) for t in tails if (m := _FLOOR.match(t))), None)
        user_id = author_field.get("user_id")
        href = name_el.get("href") if name_el is not None else None
        return {
            "pid": pid,
            "tid": str(content_field.get("thread_id") or ""),
            "floor": floor,
            "author": Author(name=name, id=str(user_id) if user_id else None,
                             url=urljoin(BASE, href) if href else None),
            "published_at": published,
            "content": element_text(body),
            "comments": parse_count(content_field.get("comment_num")),
            "region": next((r for r in map(region_from_label, tails) if r), None),
        }


def _thread_list_pagelets(tree) -> list:
    """The thread list of a raw (not script-rendered) board page, which sits in
    an HTML comment inside a hidden ``<code>`` pagelet, parsed."""
    roots = []
    for comment in tree.iter(etree.Comment):
        text = comment.text or ""
        if "j_thread_list" not in text:
            continue
        try:
            roots.append(lxml.html.fragment_fromstring(text, create_parent="div"))
        except (etree.ParserError, ValueError):
            logger.debug("unreadable thread list pagelet")
    return roots
