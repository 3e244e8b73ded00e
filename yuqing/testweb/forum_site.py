"""Pages of the forum: index, paginated boards, paginated threads, user pages.

The markup follows the classic Chinese bulletin-board layout: GBK bytes on the
Chinese board, floors named 楼主/沙发/板凳, quotes of earlier floors inside
the reply, signatures under each post.
"""

from __future__ import annotations

from html import escape

from .content.forum import (BOARDS, BY_BID, BY_TID, POSTS_PER_PAGE, THREADS_PER_BOARD_PAGE, USERS, Board, Thread,
                            board_pages, board_threads)
from .response import Response, html, not_found

FORUM_NAME = "滨海论坛"
_ZH_FLOOR_NAMES = {1: "楼主", 2: "沙发", 3: "板凳", 4: "地板"}
_SIGNATURES = {
    30211: "生活不止眼前的鸡腿饭",
    28870: "每天五公里，北湖见",
    40112: "Sent from my Stellar X9 (while it still has battery)",
}


def thread_path(tid: int, page: int = 1) -> str:
    return f"/forum/thread/{tid}" if page == 1 else f"/forum/thread/{tid}?page={page}"


def board_path(bid: int, page: int = 1) -> str:
    return f"/forum/board/{bid}" if page == 1 else f"/forum/board/{bid}?page={page}"


def _words(board: Board) -> dict[str, str]:
    if board.lang == "zh":
        return {"next": "下一页", "prev": "上一页", "home": "论坛首页", "views": "查看", "replies": "回复",
                "posted": "发表于", "author": "作者", "topic": "主题"}
    return {"next": "Next ›", "prev": "‹ Prev", "home": "Forum home", "views": "Views", "replies": "Replies",
            "posted": "Posted", "author": "Author", "topic": "Topic"}


def _pager(path_of, page: int, pages: int, words: dict[str, str]) -> str:
    if pages <= 1:
        return ""
    links = []
    if page > 1:
        links.append(f'<a class="prev" href="{path_of(page - 1)}">{words["prev"]}</a>')
    for n in range(1, pages + 1):
        links.append(f"<strong>{n}</strong>" if n == page else f'<a href="{path_of(n)}">{n}</a>')
    if page < pages:
        links.append(f'<a class="next" href="{path_of(page + 1)}">{words["next"]}</a>')
    return f'<div class="pages">{" ".join(links)}</div>'


def _page(board: Board, title: str, crumbs: str, body: str) -> Response:
    meta = '<meta charset="utf-8">' if board.encoding == "utf-8" else ""
    doc = f"""<!DOCTYPE html>
<html lang="{'zh-CN' if board.lang == 'zh' else 'en'}">
<head>{meta}<title>{escape(title)} - {FORUM_NAME}</title></head>
<body>
<div id="hd"><a class="logo" href="/forum/">{FORUM_NAME}</a> <a href="/forum/">{_words(board)["home"]}</a></div>
<div id="pt" class="breadcrumb">{crumbs}</div>
{body}
<div id="ft">&copy; 2003-2026 {FORUM_NAME} 版权所有 | Powered by BBS 7.2</div>
</body>
</html>
"""
    return html(doc, encoding=board.encoding)


def index() -> Response:
    items = "".join(f'<li><a class="board" href="{board_path(b.bid)}">{escape(b.name)}</a></li>' for b in BOARDS)
    return html(f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{FORUM_NAME}</title></head>
<body><h1>{FORUM_NAME}</h1><ul class="boards">{items}</ul></body></html>
""")


def board(bid: int, page: int) -> Response:
    b = BY_BID.get(bid)
    pages = board_pages(bid) if b else 0
    if b is None or not 1 <= page <= pages:
        return not_found()
    w = _words(b)
    start = (page - 1) * THREADS_PER_BOARD_PAGE
    rows = []
    for t in board_threads(bid)[start:start + THREADS_PER_BOARD_PAGE]:
        first, last = t.posts[0], t.posts[-1]
        rows.append(f"""<tbody class="thread" id="normalthread_{t.tid}">
<tr><th><a class="thread-title" href="{thread_path(t.tid)}">{escape(t.title)}</a></th>
<td class="by"><a href="/forum/user/{first.uid}">{escape(USERS[first.uid])}</a><em>{first.time[:10]}</em></td>
<td class="num">{len(t.posts) - 1} / {t.views}</td>
<td class="lastpost"><a href="/forum/user/{last.uid}">{escape(USERS[last.uid])}</a><em>{last.time}</em></td></tr>
</tbody>""")
    body = f"""<h1 class="board-name">{escape(b.name)}</h1>
<table id="threadlist" class="thread-list">
<thead><tr><th>{w["topic"]}</th><td>{w["author"]}</td><td>{w["replies"]}/{w["views"]}</td><td></td></tr></thead>
{"".join(rows)}
</table>
{_pager(lambda n: board_path(bid, n), page, pages, w)}"""
    crumbs = f'<a href="/forum/">{w["home"]}</a> &raquo; {escape(b.name)}'
    return _page(b, b.name, crumbs, body)


def _floor_label(board: Board, floor: int) -> str:
    if board.lang == "zh":
        return _ZH_FLOOR_NAMES.get(floor, f"{floor}楼")
    return "#1 (OP)" if floor == 1 else f"#{floor}"


def _quote(board: Board, t: Thread, floor: int) -> str:
    quoted = t.posts[floor - 1]
    href = thread_path(t.tid, t.page_of(floor)) + f"#post-{t.pid(floor)}"
    excerpt = quoted.text[0] if len(quoted.text[0]) <= 40 else quoted.text[0][:40] + "…"
    name = escape(USERS[quoted.uid])
    if board.lang == "zh":
        head = f'引用 <a class="quote-link" href="{href}">{floor}楼 {name}</a> 的发言：'
    else:
        head = f'Quote from <a class="quote-link" href="{href}">#{floor} {name}</a>:'
    return (f'<blockquote class="quote"><div class="quote-head">{head}</div>'
            f'<div class="quote-body">{escape(excerpt)}</div></blockquote>')


def _post(board: Board, t: Thread, floor: int) -> str:
    p = t.posts[floor - 1]
    pid = t.pid(floor)
    quote = _quote(board, t, p.quote_floor) if p.quote_floor else ""
    text = "".join(f"<p>{escape(par)}</p>" for par in p.text)
    sig = _SIGNATURES.get(p.uid)
    sig_html = f'<div class="signature">{escape(sig)}</div>' if sig else ""
    return f"""<div class="post" id="post-{pid}" data-pid="{pid}">
<table class="plhin"><tr>
<td class="pls"><div class="author-box"><a class="author" href="/forum/user/{p.uid}">{escape(USERS[p.uid])}</a>
<p class="uid">UID: {p.uid}</p></div></td>
<td class="plc">
<div class="post-meta"><a class="floor" href="#post-{pid}">{_floor_label(board, floor)}</a>
<span class="post-time">{_words(board)["posted"]} {p.time}</span></div>
<div class="post-content">{quote}{text}</div>
{sig_html}
</td></tr></table>
</div>"""


def thread(tid: int, page: int) -> Response:
    t = BY_TID.get(tid)
    if t is None or not 1 <= page <= t.pages:
        return not_found()
    b = BY_BID[t.bid]
    w = _words(b)
    first_floor = (page - 1) * POSTS_PER_PAGE + 1
    last_floor = min(len(t.posts), first_floor + POSTS_PER_PAGE - 1)
    posts = "\n".join(_post(b, t, f) for f in range(first_floor, last_floor + 1))
    body = f"""<div class="thread-head">
<h1 class="thread-title" id="thread_subject">{escape(t.title)}</h1>
<span class="thread-stats">{w["views"]}: {t.views} | {w["replies"]}: {len(t.posts) - 1}</span>
</div>
<div id="postlist">
{posts}
</div>
{_pager(lambda n: thread_path(tid, n), page, t.pages, w)}"""
    crumbs = (f'<a href="/forum/">{w["home"]}</a> &raquo; <a href="{board_path(b.bid)}">{escape(b.name)}</a>'
              f" &raquo; {escape(t.title)}")
    return _page(b, t.title, crumbs, body)


def user(uid: int) -> Response:
    name = USERS.get(uid)
    if name is None:
        return not_found()
    return html(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(name)} - {FORUM_NAME}</title></head>
<body><h1 class="username">{escape(name)}</h1><p>UID: {uid}</p><a href="/forum/">{FORUM_NAME}</a></body></html>
""")
