"""Bulletin-board forums (Discuz-style): board pages list threads, thread pages
list posts, one Document per post.

Forum post ids are only unique within one forum, and one parser serves many
forums, so document ids are keyed by ``host:pid``. A reply's ``parent_id`` is
the post it quotes when it quotes one, else the thread's first post; page 2+
learns the first post's id from the link meta of the previous page.
"""

from __future__ import annotations

import copy
import logging
import re
from urllib.parse import parse_qs, urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

from yuqing.extract.document import ExtractionError, load
from yuqing.schema import Author, Document, canonical_url, make_id
from yuqing.text import detect_lang, normalize_text, parse_datetime, to_iso

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError

logger = logging.getLogger(__name__)

PLATFORM = "forum"
# Chinese boards name the first floors instead of numbering them.
_FLOOR_WORDS = {"楼主": 1, "沙发": 2, "板凳": 3, "地板": 4}
_FLOOR_NUMBER = re.compile(r"(\d+)")
_PID_IN_HREF = re.compile(r"#post-?(\d+)$|[?&]pid=(\d+)")
_POST_TIME = re.compile(r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?")
_QUOTED_FLOOR = re.compile(r"(?:引用\s*)?(\d+)\s*楼|#\s*(\d+)")
_NEXT_TEXT = ("下一页", "next")
_USER_ID = re.compile(r"(?:uid=|/user/|/space/)(\d+)")


def site_key(url: str) -> str:
    """Host plus non-default port: forum pids are unique only within one site."""
    return urlsplit(canonical_url(url)).netloc


def post_doc_id(url: str, pid: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"{site_key(url)}:{pid}")


def _tree(page: Page) -> lxml_html.HtmlElement:
    try:
        return load(page.body, url=page.url, content_type=page.content_type).tree
    except ExtractionError as exc:
        raise ParseError(exc.reason, f"{page.url}: {exc.message}") from None


def _text(el) -> str:
    return normalize_text(el.text_content()) if el is not None else ""


def _first(el, css: str):
    found = el.cssselect(css)
    return found[0] if found else None


def _next_link(tree, page_url: str) -> str | None:
    nxt = _first(tree, ".pages a.next, a[rel=next]")
    if nxt is None:
        nxt = next((a for a in tree.cssselect(".pages a, .pagination a")
                    if _text(a).lower().startswith(_NEXT_TEXT)), None)
    href = nxt.get("href") if nxt is not None else None
    return urldefrag(urljoin(page_url, href))[0] if href else None


def _page_number(url: str) -> int:
    value = parse_qs(urlsplit(url).query).get("page", ["1"])[0]
    return int(value) if value.isdigit() else 1


def _floor(post) -> int | None:
    label = _text(_first(post, ".floor"))
    for word, floor in _FLOOR_WORDS.items():
        if word in label:
            return floor
    if label.upper().endswith("(OP)") or label.upper() == "OP":
        return 1
    m = _FLOOR_NUMBER.search(label)
    return int(m.group(1)) if m else None


def _body_text(content) -> str:
    """Text of a post body without quoted text, one line per block."""
    content = copy.deepcopy(content)
    for node in content.xpath(".//blockquote | .//script | .//style | .//*[contains(@class, 'quote')]"):
        node.drop_tree()
    for node in content.xpath(".//br | .//p | .//div | .//li"):
        node.tail = "\n" + (node.tail or "")
    return normalize_text(content.text_content())


def _quote_target(post) -> tuple[str | None, int | None]:
    """(pid, floor) of the post a reply quotes, as far as the markup says."""
    quote = _first(post, "blockquote, .quote")
    if quote is None:
        return None, None
    link = _first(quote, "a[href]")
    if link is not None:
        m = _PID_IN_HREF.search(link.get("href", ""))
        if m:
            return m.group(1) or m.group(2), None
    m = _QUOTED_FLOOR.search(_text(_first(quote, ".quote-head")) or _text(quote))
    return None, int(m.group(1) or m.group(2)) if m else None


class ForumParser(Parser):
    platform = PLATFORM
    channel = "forum"
    kinds = ("board", "thread")
    default_kind = "thread"

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind == "board":
            return self.parse_board(page)
        if kind == "thread":
            return self.parse_thread(page)
        raise ParseError("unknown_kind", f"forum parser has no page kind {kind!r}")

    def parse_board(self, page: Page) -> ParseResult:
        tree = _tree(page)
        listing = _first(tree, "#threadlist, .thread-list")
        if listing is None:
            raise ShapeError(PLATFORM, "thread_list")
        result = ParseResult()
        seen = set()
        for a in listing.cssselect("a.thread-title, a.s.xst"):
            href = a.get("href")
            if not href:
                continue
            url = urldefrag(urljoin(page.url, href))[0]
            if url not in seen:
                seen.add(url)
                result.links.append(Link(url, "thread"))
        if not seen:
            result.warnings.append("empty_board")
        nxt = _next_link(tree, page.url)
        if nxt:
            result.links.append(Link(nxt, "board"))
        return result

    def parse_thread(self, page: Page) -> ParseResult:
        tree = _tree(page)
        title = _text(_first(tree, "h1.thread-title, #thread_subject"))
        if not title:
            raise ShapeError(PLATFORM, "title")
        posts = tree.cssselect("div.post")
        if not posts:
            raise ShapeError(PLATFORM, "post")

        page_url = urldefrag(page.url)[0]
        fields = [self._post_fields(post, page_url) for post in posts]
        floor_pid = {f["floor"]: f["pid"] for f in fields if f["floor"]}
        result = ParseResult()

        # Page 1 opens with the thread's main post; later pages rely on the
        # id handed over in the link meta.
        starts_thread = _page_number(page_url) == 1
        if starts_thread:
            thread_id = post_doc_id(page_url, fields[0]["pid"])
        else:
            thread_id = page.meta.get("yq_thread_id")
            if not thread_id:
                # Reached without the previous page (e.g. a seed URL): replies
                # that quote nobody cannot be tied to the thread.
                logger.debug("no first-post id for %s; thread_id left empty", page.url)
                result.warnings.append("thread_id_unknown")

        host = urlsplit(page_url).hostname or ""
        for index, f in enumerate(fields):
            is_main = starts_thread and index == 0
            doc_id = post_doc_id(page_url, f["pid"])
            parent_id = None
            if not is_main:
                quoted_pid = f["quote_pid"] or floor_pid.get(f["quote_floor"])
                parent_id = post_doc_id(page_url, quoted_pid) if quoted_pid else thread_id
            result.documents.append(Document(
                id=doc_id,
                platform=PLATFORM,
                channel=self.channel,
                url=f"{page_url}#post-{f['pid']}",
                title=title if is_main else "",
                content=f["content"],
                author=f["author"],
                published_at=f["published_at"],
                crawled_at=page.crawled_at or "",
                lang=detect_lang(f["content"] or title),
                source=host,
                post_id=f["pid"],
                parent_id=parent_id,
                thread_id=thread_id,
            ))

        nxt = _next_link(tree, page_url)
        if nxt:
            meta = {"yq_thread_title": title}
            if thread_id:
                meta["yq_thread_id"] = thread_id
            result.links.append(Link(nxt, "thread", meta))
        return result

    def _post_fields(self, post, page_url: str) -> dict:
        pid = post.get("data-pid") or (post.get("id") or "").removeprefix("post-").removeprefix("post_")
        if not pid.isdigit():
            raise ShapeError(PLATFORM, "post_id")
        author_link = _first(post, "a.author")
        if author_link is None or not _text(author_link):
            raise ShapeError(PLATFORM, "author", f"forum: post {pid} has no author link")
        profile = urljoin(page_url, author_link.get("href", "")) if author_link.get("href") else None
        uid = _USER_ID.search(profile or "")
        time_text = _text(_first(post, ".post-time"))
        m = _POST_TIME.search(time_text)
        published = parse_datetime(m.group(0), default_tz="Asia/Shanghai") if m else None
        if published is None:
            raise ShapeError(PLATFORM, "published_at", f"forum: post {pid} has no readable time ({time_text!r})")
        content_el = _first(post, ".post-content")
        if content_el is None:
            raise ShapeError(PLATFORM, "content", f"forum: post {pid} has no content element")
        quote_pid, quote_floor = _quote_target(post)
        return {
            "pid": pid,
            "floor": _floor(post),
            "author": Author(name=_text(author_link), id=uid.group(1) if uid else None, url=profile),
            "published_at": to_iso(published),
            "content": _body_text(content_el),
            "quote_pid": quote_pid,
            "quote_floor": quote_floor,
        }
