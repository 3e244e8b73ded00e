"""Discuz! forums, the software behind most Chinese bulletin boards.

Kinds: ``forumdisplay`` and ``viewthread`` (Discuz! X ``forum.php`` HTML,
also under rewritten ``forum-2-1.html``/``thread-1011-1-1.html`` URLs),
``archiver`` (the lightweight ``archiver/?tid-1011.html`` pages, often GBK)
and ``api_forumdisplay``/``api_viewthread`` (the mobile plugin's JSON at
``api/mobile/index.php?module=...``, which many forums leave open when their
HTML is behind anti-crawler scripts).

One parser serves many forums and a pid is unique only within one forum, so
ids are keyed by ``host:pid`` (like the generic forum parser). The archiver
shows no pids: its posts are keyed by thread, page and position. A reply's
``parent_id`` is the post it quotes when the quote links to one, else the
thread's first post; pages after the first learn that post from the link.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from yuqing.schema import Author, Document, Engagement, canonical_url, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (LOGIN_REQUIRED, element_text, iso_time, load_html, load_json, need, need_id, parse_count,
                     query_param, with_query)


PLATFORM = "discuz"
_PID_IN_HREF = re.compile(r"[?&;]pid=(\d+)")
_UID_IN_HREF = re.compile(r"(?:[?&;]uid=|space-uid-)(\d+)")
_TID_IN_URL = re.compile(r"(?:[?&]tid=|thread-|tid-)(\d+)")
_REWRITTEN_PAGE = re.compile(r"thread-\d+-(\d+)-\d+\.html|tid-\d+-page-(\d+)")
_POSTED = re.compile(r"^\s*发表于\s*")
# Noise Discuz hides in post bodies: edit notes, anti-copy "jammer" text,
# quoted posts (their text belongs to the quoted post), attachment boxes.
_NOISE = ("div.quote", "blockquote", "i.pstatus", ".jammer", "[style*='display:none']",
          "[style*='display: none']", "ignore_js_op", "div.attach_nopermission", "script", "style")


def site_key(url: str) -> str:
    """Host plus non-default port: Discuz pids are unique only within one forum."""
    return urlsplit(canonical_url(url)).netloc


def post_doc_id(url: str, pid: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"{site_key(url)}:{pid}")


@dataclass
class _Post:
    pid: str
    author: Author
    published_at: str
    content: str
    url: str
    quote_pid: str | None = None
    engagement: Engagement = field(default_factory=Engagement)


def _first(el, css: str):
    found = el.cssselect(css)
    return found[0] if found else None


def _message_text(el) -> str:
    el = copy.deepcopy(el)
    for node in el.cssselect(", ".join(_NOISE)):
        node.drop_tree()
    return element_text(el)


def _quoted_pid(el) -> str | None:
    for link in el.cssselect("div.quote a[href], blockquote a[href]"):
        m = _PID_IN_HREF.search(link.get("href", ""))
        if m:
            return m.group(1)
    return None


def _fragment(markup: str):
    try:
        return lxml.html.fragment_fromstring(markup or "", create_parent="div")
    except (etree.ParserError, ValueError):
        return lxml.html.fragment_fromstring("", create_parent="div")


def _shown_time(el) -> str:
    """Discuz shows recent times as "3 小时前" with the exact time in a title."""
    exact = _first(el, "span[title]")
    return exact.get("title") if exact is not None else _POSTED.sub("", normalize_text(el.text_content()))


def _base_url(tree, url: str) -> str:
    """Discuz pages declare ``<base href>`` (the site root) and link relative to it."""
    base = _first(tree, "base[href]")
    return urljoin(url, base.get("href")) if base is not None else url


def _api_base(url: str) -> str:
    """``https://bbs.example.com/2b/api/mobile/index.php`` -> ``https://bbs.example.com/2b/``."""
    return url.split("api/mobile/", 1)[0]


class DiscuzParser(Parser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("forumdisplay", "viewthread", "archiver", "api_forumdisplay", "api_viewthread")
    default_kind = "viewthread"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        parts = urlsplit(url)
        module = query_param(url, "module") or query_param(url, "mod") or ""
        if "/api/mobile/" in parts.path:
            return {"viewthread": "api_viewthread", "forumdisplay": "api_forumdisplay"}.get(module)
        if "archiver" in parts.path:
            return "archiver" if "tid-" in url else None
        name = parts.path.rsplit("/", 1)[-1]
        if module == "viewthread" or name.startswith("thread-") or name == "viewthread.php":
            return "viewthread"
        if module == "forumdisplay" or name.startswith("forum-") or name == "forumdisplay.php":
            return "forumdisplay"
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:
        handler = {"forumdisplay": self.parse_forumdisplay, "viewthread": self.parse_viewthread,
                   "archiver": self.parse_archiver, "api_forumdisplay": self.parse_api_forumdisplay,
                   "api_viewthread": self.parse_api_viewthread}.get(kind)
        if handler is None:
            raise ParseError("unknown_kind", f"discuz parser has no page kind {kind!r}")
        return handler(page)

    # ------------------------------------------------------------------ shared

    def _thread_documents(self, page: Page, posts: list[_Post], title: str, first_pid: str | None,
                          result: ParseResult) -> None:
        if not first_pid:
            # A later page reached without page 1 or its link before it.
            result.warnings.append("thread_id_unknown")
        thread_id = post_doc_id(page.url, first_pid) if first_pid else None
        host = urlsplit(page.url).hostname or ""
        for post in posts:
            is_first = post.pid == first_pid
            if not (post.content or is_first):
                result.warnings.append("empty_post")
                continue
            parent_id = None
            if not is_first:
                parent_id = post_doc_id(page.url, post.quote_pid) if post.quote_pid else thread_id
            result.documents.append(Document(
                id=post_doc_id(page.url, post.pid),
                platform=PLATFORM,
                channel=self.channel,
                url=post.url,
                title=title if is_first else "",
                content=post.content,
                author=post.author,
                published_at=post.published_at,
                crawled_at=page.crawled_at or "",
                lang=detect_lang(post.content or title),
                source=host,
                post_id=post.pid,
                parent_id=parent_id,
                thread_id=thread_id,
                engagement=post.engagement if is_first else Engagement(),
            ))

    def _tree(self, page: Page):
        tree = load_html(page)
        message = _first(tree, "#messagetext")
        if message is not None:
            text = normalize_text(message.text_content())
            if _first(tree, "#messagelogin") is not None or "登录" in text:
                raise ParseError(LOGIN_REQUIRED, f"{page.url}: the forum wants a login: {text[:80]}")
            reason = "not_found" if any(w in text for w in ("不存在", "已被删除", "正在被审核")) else "forum_message"
            raise ParseError(reason, f"{page.url}: the forum answered: {text[:80]}")
        return tree

    def _time(self, raw: Any, page: Page, pid: str, name: str) -> str:
        published = iso_time(raw, page) if raw not in (None, "") else None
        if published is None:
            raise ShapeError(PLATFORM, name, f"{PLATFORM}: post {pid} has no readable time ({raw!r})")
        return published

    # ------------------------------------------------------------------ HTML

    def parse_forumdisplay(self, page: Page) -> ParseResult:
        tree = self._tree(page)
        table = _first(tree, "#threadlisttableid")
        if table is None:
            raise ShapeError(PLATFORM, "threadlisttableid")
        base = _base_url(tree, page.url)
        result = ParseResult()
        for tbody in table.cssselect("tbody[id^='normalthread_'], tbody[id^='stickthread_']"):
            link = _first(tbody, "a.xst")
            if link is None or not link.get("href"):
                raise ShapeError(PLATFORM, "xst")
            result.links.append(Link(urljoin(base, link.get("href")), "viewthread",
                                     {"yq_thread_title": normalize_text(link.text_content())}))
        if not result.links:
            result.warnings.append("empty_board")
        nxt = _first(tree, "div.pg a.nxt")
        href = nxt.get("href") if nxt is not None else None
        if not href:
            # Boards set to "load more" show a button carrying the next URL.
            more = _first(tree, "#autopbn[rel]")
            href = more.get("rel") if more is not None else None
        if href:
            result.links.append(Link(urljoin(base, href), "forumdisplay"))
        return result

    def parse_viewthread(self, page: Page) -> ParseResult:
        tree = self._tree(page)
        subject = _first(tree, "#thread_subject")
        if subject is None:
            raise ShapeError(PLATFORM, "thread_subject")
        title = normalize_text(subject.text_content())
        postlist = _first(tree, "#postlist")
        if postlist is None:
            raise ShapeError(PLATFORM, "postlist")
        tables = [t for t in postlist.cssselect("table[id^='pid']") if t.get("id", "")[3:].isdigit()]
        if not tables:
            raise ShapeError(PLATFORM, "pid")
        page_url, base = page.url.split("#", 1)[0], _base_url(tree, page.url)
        counters = [parse_count(normalize_text(s.text_content())) for s in postlist.cssselect("td.pls div.hm span.xi1")]
        views, replies = (counters + [None, None])[:2]
        posts = [self._html_post(t, page, page_url, base) for t in tables]
        posts[0].engagement = Engagement(comments=replies, views=views)

        current = _first(tree, "div.pg strong")
        page_number = int(current.text_content()) if current is not None and current.text_content().strip().isdigit() \
            else _page_number(page.url)
        first_pid = posts[0].pid if page_number == 1 else page.meta.get("yq_first_post_id")
        result = ParseResult()
        self._thread_documents(page, posts, title, first_pid, result)
        nxt = _first(tree, "div.pg a.nxt")
        if nxt is not None and nxt.get("href"):
            meta = {"yq_thread_title": title}
            if first_pid:
                meta["yq_first_post_id"] = first_pid
            result.links.append(Link(urljoin(base, nxt.get("href")), "viewthread", meta))
        return result

    def _html_post(self, table, page: Page, page_url: str, base: str) -> _Post:
        pid = table.get("id")[3:]
        author_link = _first(table, "td.pls div.authi a.xw1, div.authi a[href*='uid='], div.authi a[href*='space-uid-']")
        if author_link is not None:
            uid = _UID_IN_HREF.search(author_link.get("href", ""))
            author = Author(name=normalize_text(author_link.text_content()), id=uid.group(1) if uid else None,
                            url=urljoin(base, author_link.get("href")))
        else:
            # Anonymous and deleted users have a name without a profile link.
            anonymous = _first(table, "td.pls div.pi")
            name = normalize_text(anonymous.text_content()) if anonymous is not None else ""
            if not name:
                raise ShapeError(PLATFORM, "authi", f"{PLATFORM}: post {pid} has no author")
            author = Author(name=name)
        posted = _first(table, f"#authorposton{pid}, em[id^='authorposton']")
        if posted is None:
            raise ShapeError(PLATFORM, "authorposton", f"{PLATFORM}: post {pid} has no time")
        message = _first(table, f"#postmessage_{pid}, td.t_f")
        if message is None:
            locked = _first(table, "div.locked")
            if locked is None:
                raise ShapeError(PLATFORM, "postmessage", f"{PLATFORM}: post {pid} has no message")
            message = _fragment("")
        return _Post(pid=pid, author=author, published_at=self._time(_shown_time(posted), page, pid, "authorposton"),
                     content=_message_text(message), url=f"{page_url}#pid{pid}", quote_pid=_quoted_pid(message))

    def parse_archiver(self, page: Page) -> ParseResult:
        """Discuz! archiver thread pages: a header (author, time) and a message
        box per post; the subject is the message's leading bold line."""
        tree = self._tree(page)
        messages = tree.cssselect("div.t_msg")
        if not messages:
            raise ShapeError(PLATFORM, "t_msg")
        m = _TID_IN_URL.search(page.url)
        if m is None:
            raise ParseError("bad_url", f"{page.url}: an archiver thread URL names its tid")
        tid, page_number = m.group(1), _page_number(page.url)
        page_url = page.url.split("#", 1)[0]
        posts, title = [], ""
        for index, message in enumerate(messages, start=1):
            header = message.getprevious()
            author_el = _first(header, "b") if header is not None else None
            time_el = _first(header, "span.right") if header is not None else None
            if author_el is None or not normalize_text(author_el.text_content()):
                raise ShapeError(PLATFORM, "archiver.author")
            message = copy.deepcopy(message)
            lead = message[0] if len(message) and message[0].tag == "b" and not (message.text or "").strip() else None
            if lead is not None:
                title = title or normalize_text(lead.text_content())
                lead.drop_tree()
            key = f"tid{tid}-p{page_number}-{index}"
            posts.append(_Post(pid=key, author=Author(name=normalize_text(author_el.text_content())),
                               published_at=self._time(normalize_text(time_el.text_content()) if time_el is not None
                                                       else None, page, key, "archiver.time"),
                               content=_message_text(message), url=f"{page_url}#{index}"))
        if not title:
            title = normalize_text((tree.findtext(".//title") or "").split("(", 1)[0].split(" - ", 1)[0])
        first_pid = posts[0].pid if page_number == 1 else page.meta.get("yq_first_post_id")
        result = ParseResult()
        self._thread_documents(page, posts, title, first_pid, result)
        nxt = _first(tree, f"a[href*='tid-{tid}-page-{page_number + 1}']")
        if nxt is not None:
            meta = {"yq_thread_title": title, **({"yq_first_post_id": first_pid} if first_pid else {})}
            result.links.append(Link(urljoin(_base_url(tree, page.url), nxt.get("href")), "archiver", meta))
        return result

    # ------------------------------------------------------------------ mobile API

    def _variables(self, page: Page) -> dict:
        payload = load_json(page)
        if not isinstance(payload, dict):
            raise ShapeError(PLATFORM, "Variables")
        message = payload.get("Message")
        if isinstance(message, dict) and message.get("messageval"):
            value, text = str(message["messageval"]), str(message.get("messagestr") or "")
            if "login" in value:
                raise ParseError(LOGIN_REQUIRED, f"{page.url}: the forum wants a login ({value}: {text})")
            reason = "not_found" if "nonexistence" in value or "not_exist" in value else "forum_message"
            raise ParseError(reason, f"{page.url}: the forum answered {value}: {text}")
        return need(payload, "Variables", dict, platform=PLATFORM)

    def parse_api_forumdisplay(self, page: Page) -> ParseResult:
        variables = self._variables(page)
        threads = need(variables, "forum_threadlist", list, platform=PLATFORM, path="Variables.forum_threadlist")
        base = _api_base(page.url)
        version = query_param(page.url, "version") or "4"
        result = ParseResult()
        for thread in threads:
            tid = need_id(thread, "tid", platform=PLATFORM, path="forum_threadlist.tid")
            title = normalize_text(str(thread.get("subject") or ""))
            result.links.append(Link(f"{base}api/mobile/index.php?version={version}&module=viewthread&tid={tid}",
                                     "api_viewthread", {"yq_thread_title": title}))
        current, per_page = parse_count(variables.get("page")) or 1, parse_count(variables.get("tpp"))
        forum = variables.get("forum") if isinstance(variables.get("forum"), dict) else {}
        total = parse_count(forum.get("threads"))
        if threads and per_page and total and current * per_page < total:
            result.links.append(Link(with_query(page.url, page=current + 1), "api_forumdisplay"))
        return result

    def parse_api_viewthread(self, page: Page) -> ParseResult:
        variables = self._variables(page)
        thread = need(variables, "thread", dict, platform=PLATFORM, path="Variables.thread")
        postlist = need(variables, "postlist", list, platform=PLATFORM, path="Variables.postlist")
        tid = need_id(thread, "tid", platform=PLATFORM, path="thread.tid")
        title = normalize_text(need(thread, "subject", str, platform=PLATFORM, path="thread.subject"))
        if postlist and not any(isinstance(p, dict) and "message" in p for p in postlist):
            raise ShapeError(PLATFORM, "postlist.message")
        thread_url = f"{_api_base(page.url)}forum.php?mod=viewthread&tid={tid}"
        posts, first_pid = [], None
        for raw in postlist:
            pid = need_id(raw, "pid", platform=PLATFORM, path="postlist.pid")
            name = str(raw.get("author") or "")
            if not name and str(raw.get("anonymous")) != "1":
                raise ShapeError(PLATFORM, "postlist.author")
            uid = str(raw.get("authorid") or "")
            author = Author(name=name or "匿名", id=uid if uid not in ("", "0") else None,
                            url=f"{_api_base(page.url)}home.php?mod=space&uid={uid}" if uid not in ("", "0") else None)
            when = raw.get("dbdateline") or _shown_time(_fragment(str(raw.get("dateline") or "")))
            # Trade and poll threads open with a post whose text is the goods/poll card.
            message = _fragment(str(raw.get("message") or ""))
            post = _Post(pid=pid, author=author, published_at=self._time(when, page, pid, "postlist.dbdateline"),
                         content=_message_text(message), url=f"{thread_url}#pid{pid}", quote_pid=_quoted_pid(message))
            if str(raw.get("first")) == "1":
                first_pid = pid
                post.engagement = Engagement(comments=parse_count(thread.get("replies")),
                                             views=parse_count(thread.get("views")))
            posts.append(post)
        first_pid = first_pid or page.meta.get("yq_first_post_id")
        result = ParseResult()
        self._thread_documents(page, posts, title, first_pid, result)
        per_page, replies = parse_count(variables.get("ppp")), parse_count(thread.get("replies"))
        current = _page_number(page.url)
        if per_page and replies is not None and current < math.ceil((replies + 1) / per_page):
            meta = {"yq_thread_title": title, **({"yq_first_post_id": first_pid} if first_pid else {})}
            result.links.append(Link(with_query(page.url, page=current + 1), "api_viewthread", meta))
        return result


def _page_number(url: str) -> int:
    value = query_param(url, "page")
    if value and value.isdigit():
        return int(value)
    m = _REWRITTEN_PAGE.search(url)
    return int(m.group(1) or m.group(2)) if m else 1
