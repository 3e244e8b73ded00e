"""Discuz! parser on forumdisplay/viewthread HTML (GBK and UTF-8), archiver
pages and the mobile API (``tests/fixtures/discuz/README.md`` says where each
fixture's shape comes from)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.common import LOGIN_REQUIRED
from crawlers.parsers.discuz import DiscuzParser
from crawlers.spiders.discuz import DiscuzSpider
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "discuz"
CRAWLED = "2025-11-20T08:00:00Z"
SITE = "https://bbs.binhai.example/"
THREAD_URL = f"{SITE}forum.php?mod=viewthread&tid=1011"
BOARD_URL = f"{SITE}forum.php?mod=forumdisplay&fid=2"
API_THREAD_URL = f"{SITE}api/mobile/index.php?version=4&module=viewthread&tid=1011"
API_BOARD_URL = f"{SITE}api/mobile/index.php?version=4&module=forumdisplay&fid=2"
ARCHIVER_URL = "http://bbs.binhai.example/archiver/?tid-1011.html"
TITLE = "鲜味坊万达店后厨过期食材，有图有真相"
TYPES = {".html": "text/html", ".json": "application/json"}


def pid_id(pid: str, host: str = "bbs.binhai.example") -> str:
    return make_id(platform="discuz", post_id=f"{host}:{pid}")


MAIN = pid_id("5001")
HAIFENG = Author(name="海风吹吹", id="1203", url=f"{SITE}home.php?mod=space&uid=1203")
LAOWANG = Author(name="老王在滨海", id="1377", url=f"{SITE}home.php?mod=space&uid=1377")
MAIN_TEXT = "昨晚刷到那个视频，冷柜里过期的鸡腿肉和当天的菜堆在一起，看得我一身冷汗。\n我家孩子特别爱吃他家的鸡腿饭，这事到底是不是真的？"


def page(name: str, url: str, body: bytes | None = None, meta: dict | None = None) -> Page:
    # Discuz sends no charset in the header of GBK pages often: the meta tag decides.
    return Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": TYPES[Path(name).suffix]}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str, url: str, **kwargs):
    result = DiscuzParser().parse(page(name, url, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def main_post(url: str) -> Document:
    return Document(id=MAIN, platform="discuz", channel="forum", url=url, title=TITLE, content=MAIN_TEXT,
                    author=HAIFENG, published_at="2025-11-18T00:40:00Z", crawled_at=CRAWLED, lang="zh",
                    source="bbs.binhai.example", post_id="5001", thread_id=MAIN,
                    engagement=Engagement(comments=36, views=1523))


def test_ids_are_scoped_by_forum_host():
    assert MAIN == hashlib.sha1("discuz:bbs.binhai.example:5001".encode()).hexdigest()
    assert pid_id("5001", "bbs.other.example") != MAIN


def test_forumdisplay_gbk_lists_threads_and_next_page():
    result = parse("forumdisplay-2.html", "forumdisplay", BOARD_URL)
    assert result.documents == [] and result.warnings == []
    assert result.links == [
        Link(f"{SITE}forum.php?mod=viewthread&tid=1000&extra=page%3D1", "viewthread",
             {"yq_thread_title": "【版规】滨海美食版发帖规范"}),
        Link(f"{SITE}forum.php?mod=viewthread&tid=1011&extra=page%3D1", "viewthread", {"yq_thread_title": TITLE}),
        Link(f"{SITE}forum.php?mod=viewthread&tid=1012&extra=page%3D1", "viewthread",
             {"yq_thread_title": "万达店停业了，有人知道什么时候开吗"}),
        Link(f"{SITE}forum.php?mod=forumdisplay&fid=2&page=2", "forumdisplay"),
    ]


def test_viewthread_gbk_first_page():
    result = parse("viewthread-1011-p1.html", "viewthread", THREAD_URL)
    assert result.warnings == []
    first, sofa, quoting, anonymous = result.documents
    # Edit notes, anti-copy "jammer" text, hidden spans and the signature are no content.
    assert first == main_post(f"{THREAD_URL}#pid5001")
    assert sofa == Document(
        id=pid_id("5004"), platform="discuz", channel="forum", url=f"{THREAD_URL}#pid5004",
        content="早上路过，门口已经贴了暂停营业的告示，监管的人昨晚就去了。", author=LAOWANG,
        published_at="2025-11-18T00:57:00Z", crawled_at=CRAWLED, lang="zh", source="bbs.binhai.example",
        post_id="5004", parent_id=MAIN, thread_id=MAIN,
    )
    # "3 小时前" carries the exact time in its title; the quoted floor is the parent.
    assert (quoting.content, quoting.published_at, quoting.parent_id) == (
        "真的假的？我下午去看看", "2025-11-20T05:03:21Z", pid_id("5004"))
    assert (anonymous.author, anonymous.parent_id) == (Author(name="匿名"), MAIN)
    assert result.links == [Link(f"{THREAD_URL}&extra=page%3D1&page=2", "viewthread",
                                 {"yq_thread_title": TITLE, "yq_first_post_id": "5001"})]


def test_viewthread_later_page_utf8():
    url = f"{THREAD_URL}&extra=page%3D1&page=2"
    result = parse("viewthread-1011-p2.html", "viewthread", url, meta={"yq_first_post_id": "5001"})
    (post,) = result.documents  # the post a moderator blocked has no text
    assert (post.post_id, post.parent_id, post.thread_id, post.title) == ("5031", MAIN, MAIN, "")
    assert result.warnings == ["empty_post"]
    assert result.links == []
    orphan = parse("viewthread-1011-p2.html", "viewthread", url)
    assert "thread_id_unknown" in orphan.warnings and orphan.documents[0].parent_id is None


def test_mobile_api_gives_the_same_documents_as_the_html():
    api = parse("api-viewthread-1011.json", "api_viewthread", API_THREAD_URL)
    html = parse("viewthread-1011-p1.html", "viewthread", THREAD_URL)
    assert [d.id for d in api.documents] == [d.id for d in html.documents]
    assert [(d.content, d.published_at, d.parent_id, d.author.name) for d in api.documents] == [
        (d.content, d.published_at, d.parent_id, d.author.name) for d in html.documents]
    assert api.documents[0] == main_post(f"{SITE}forum.php?mod=viewthread&tid=1011#pid5001")
    # 36 replies at 20 posts a page: a second page.
    assert api.links == [Link(API_THREAD_URL + "&page=2", "api_viewthread",
                              {"yq_thread_title": TITLE, "yq_first_post_id": "5001"})]


def test_mobile_api_board_links_threads_through_the_api():
    result = parse("api-forumdisplay-2.json", "api_forumdisplay", API_BOARD_URL)
    assert result.links == [
        Link(API_THREAD_URL, "api_viewthread", {"yq_thread_title": TITLE}),
        Link(f"{SITE}api/mobile/index.php?version=4&module=viewthread&tid=1012", "api_viewthread",
             {"yq_thread_title": "万达店停业了，有人知道什么时候开吗"}),
        Link(API_BOARD_URL + "&page=2", "api_forumdisplay"),
    ]


def test_archiver_page_gbk():
    result = parse("archiver-1011.html", "archiver", ARCHIVER_URL)
    first, reply = result.documents
    archived = make_id(platform="discuz", post_id="bbs.binhai.example:tid1011-p1-1")
    assert first == Document(
        id=archived, platform="discuz", channel="forum", url=f"{ARCHIVER_URL}#1", title=TITLE, content=MAIN_TEXT,
        author=Author(name="海风吹吹"), published_at="2025-11-18T00:40:00Z", crawled_at=CRAWLED, lang="zh",
        source="bbs.binhai.example", post_id="tid1011-p1-1", thread_id=archived,
    )
    assert (reply.author.name, reply.parent_id, reply.published_at) == ("老王在滨海", archived, "2025-11-18T00:57:00Z")
    # Links resolve against <base href>, not against the archiver's own path.
    assert result.links == [Link("http://bbs.binhai.example/archiver/?tid-1011-page-2.html", "archiver",
                                 {"yq_thread_title": TITLE, "yq_first_post_id": "tid1011-p1-1"})]


@pytest.mark.parametrize("kind, body, reason", [
    ("api_viewthread", '{"Version": "4", "Variables": {"member_uid": "0"}, "Message": {"messageval": '
     '"to_login//1", "messagestr": "您需要先登录才能继续本操作"}}'.encode(), LOGIN_REQUIRED),
    ("api_viewthread", '{"Version": "4", "Variables": {}, "Message": {"messageval": "thread_nonexistence", '
     '"messagestr": "抱歉，指定的主题不存在或已被删除或正在被审核"}}'.encode(), "not_found"),
    ("viewthread", '<html><body><div id="messagetext" class="alert_info"><p>抱歉，您尚未登录，没有权限访问该版块</p>'
     '</div><div id="messagelogin"></div></body></html>'.encode(), LOGIN_REQUIRED),
    ("viewthread", '<html><body><div id="messagetext" class="alert_error"><p>抱歉，指定的主题不存在或已被删除或正在被审核'
     '</p></div></body></html>'.encode(), "not_found"),
    ("forumdisplay", '<html><body><div id="messagetext" class="alert_error"><p>抱歉，您的 IP 地址不在被允许的范围内'
     '</p></div></body></html>'.encode(), "forum_message"),
])
def test_forum_messages_are_parse_errors(kind, body, reason):
    with pytest.raises(ParseError) as exc:
        parse("viewthread-1011-p1.html", kind, API_THREAD_URL if kind.startswith("api") else THREAD_URL, body=body)
    assert exc.value.reason == reason


def _gbk_replace(name: str, old: str, new: str) -> bytes:
    body = (FIXTURES / name).read_bytes().decode("gbk")
    assert old in body
    return body.replace(old, new).encode("gbk")


@pytest.mark.parametrize("name, kind, url, old, new, field", [
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, 'id="thread_subject"', 'id="subject"', "thread_subject"),
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, 'id="postlist"', 'id="posts"', "postlist"),
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, 'table id="pid', 'table id="post', "pid"),
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, "authorposton", "postdate", "authorposton"),
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, 'class="t_f" id="postmessage_', 'class="msg" id="msg_',
     "postmessage"),
    ("viewthread-1011-p1.html", "viewthread", THREAD_URL, "发表于 2025-11-18 08:57", "发表于 某天", "authorposton"),
    ("forumdisplay-2.html", "forumdisplay", BOARD_URL, 'id="threadlisttableid"', 'id="threads"', "threadlisttableid"),
    ("forumdisplay-2.html", "forumdisplay", BOARD_URL, 'class="s xst"', 'class="s title"', "xst"),
    ("archiver-1011.html", "archiver", ARCHIVER_URL, "t_msg", "msg", "t_msg"),
])
def test_html_shape_changes_name_the_field(name, kind, url, old, new, field):
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, url, body=_gbk_replace(name, old, new))
    assert (exc.value.platform, exc.value.field) == ("discuz", field)


@pytest.mark.parametrize("name, kind, url, old, new, field", [
    ("api-viewthread-1011.json", "api_viewthread", API_THREAD_URL, '"postlist"', '"posts"', "Variables.postlist"),
    ("api-viewthread-1011.json", "api_viewthread", API_THREAD_URL, '"message"', '"content"', "postlist.message"),
    ("api-viewthread-1011.json", "api_viewthread", API_THREAD_URL, '"pid"', '"post_id"', "postlist.pid"),
    ("api-viewthread-1011.json", "api_viewthread", API_THREAD_URL, '"Variables"', '"Data"', "Variables"),
    ("api-forumdisplay-2.json", "api_forumdisplay", API_BOARD_URL, '"forum_threadlist"', '"threadlist"',
     "Variables.forum_threadlist"),
])
def test_api_shape_changes_name_the_field(name, kind, url, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, url, body=body.replace(old, new).encode())
    assert (exc.value.platform, exc.value.field) == ("discuz", field)


def test_seed_urls_name_their_kind():
    kind = DiscuzParser.kind_for_url
    assert [kind(u) for u in (BOARD_URL, THREAD_URL, API_BOARD_URL, API_THREAD_URL, ARCHIVER_URL,
                              f"{SITE}forum-2-1.html", f"{SITE}thread-1011-2-1.html", f"{SITE}portal.php")] == [
        "forumdisplay", "viewthread", "api_forumdisplay", "api_viewthread", "archiver",
        "forumdisplay", "viewthread", None]
    assert DiscuzSpider().request_from_seed({"url": API_BOARD_URL}).meta["yq_kind"] == "api_forumdisplay"
    assert DiscuzSpider().request_from_seed({"url": f"{SITE}portal.php"}).meta["yq_kind"] == "forumdisplay"
