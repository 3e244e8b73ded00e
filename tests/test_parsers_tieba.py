"""Tieba parser on board and thread pages shaped like tieba.baidu.com's PC
markup (``tests/fixtures/tieba/README.md`` says where each shape comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.common import LOGIN_REQUIRED, RISK_CONTROL
from crawlers.parsers.tieba import TiebaParser
from crawlers.spiders.tieba import TiebaSpider
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "tieba"
CRAWLED = "2025-11-20T08:00:00Z"
BOARD_URL = "https://tieba.baidu.com/f?kw=%E6%BB%A8%E6%B5%B7&ie=utf-8"
THREAD_URL = "https://tieba.baidu.com/p/8123456789"
TITLE = "鲜味坊万达店后厨视频，大家怎么看"
FIRST = make_id(platform="tieba", post_id="150000000001")
LAOZHANG = Author(name="滨海老张", id="1234567890",
                  url="https://tieba.baidu.com/home/main?id=tb.1.5a1b2c3d.Zx9Yw8Vu7Ts6Rq5Po4Nm3A&fr=pb&ie=utf-8")


def page(name: str, url: str, body: bytes | None = None, meta: dict | None = None) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "text/html; charset=utf-8"}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str, url: str, **kwargs):
    result = TiebaParser().parse(page(name, url, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def test_raw_board_page_lists_threads_from_its_pagelet_comment():
    result = parse("board-raw.html", "board", BOARD_URL)
    assert result.documents == []
    assert result.links == [
        Link("https://tieba.baidu.com/p/8100000001", "thread",
             {"yq_thread_title": "【吧规】滨海吧发帖须知", "yq_first_post_id": "149000000001"}),
        Link(THREAD_URL, "thread", {"yq_thread_title": TITLE, "yq_first_post_id": "150000000001"}),
        Link("https://tieba.baidu.com/p/8123400002", "thread",
             {"yq_thread_title": "万达店停业了，门口贴了告示", "yq_first_post_id": "150000000100"}),
        Link(BOARD_URL + "&pn=50", "board"),
    ]


def test_thread_first_page_floors():
    result = parse("thread-8123456789-p1.html", "thread", THREAD_URL)
    assert result.warnings == []
    first, second, third = result.documents  # the ad between floors 1 and 2 is skipped
    assert first == Document(
        id=FIRST, platform="tieba", channel="forum", url=THREAD_URL, title=TITLE,
        content="昨晚刷到的视频，冷柜里的肉标签都是上个月的。\n有没有在万达店上班的朋友说说情况？",
        author=LAOZHANG, published_at="2025-11-19T13:30:00Z", crawled_at=CRAWLED, lang="zh", source="滨海吧",
        post_id="150000000001", thread_id=FIRST, engagement=Engagement(comments=32), region_hint="江苏",
    )
    assert second == Document(
        id=make_id(platform="tieba", post_id="150000000012"), platform="tieba", channel="forum",
        url=f"{THREAD_URL}?pid=150000000012#150000000012", content="坐等官方通报",
        author=Author(name="鸡腿饭爱好者", id="2234567890",
                      url="https://tieba.baidu.com/home/main?id=tb.1.6b2c3d4e.Ab1Cd2Ef3Gh4Ij5Kl6Mn7B&fr=pb&ie=utf-8"),
        published_at="2025-11-19T13:42:00Z", crawled_at=CRAWLED, lang="zh", source="滨海吧",
        post_id="150000000012", parent_id=FIRST, thread_id=FIRST, engagement=Engagement(comments=3),
        region_hint="上海",
    )
    # Emoticon images without alt text leave no trace in the text.
    assert (third.content, third.author, third.parent_id) == ("更新：门店已经停业了", LAOZHANG, FIRST)
    assert result.links == [Link(THREAD_URL + "?pn=2", "thread",
                                 {"yq_thread_title": TITLE, "yq_first_post_id": "150000000001"})]


def test_later_pages_take_the_first_floor_from_the_link():
    meta = {"yq_thread_title": TITLE, "yq_first_post_id": "150000000001"}
    result = parse("thread-8123456789-p2.html", "thread", THREAD_URL + "?pn=2", meta=meta)
    assert [(d.post_id, d.parent_id, d.thread_id, d.region_hint) for d in result.documents] == [
        ("150000000400", FIRST, FIRST, None), ("150000000411", FIRST, FIRST, "江苏")]
    assert result.links == []
    orphan = parse("thread-8123456789-p2.html", "thread", THREAD_URL + "?pn=2")
    assert orphan.warnings == ["thread_id_unknown"]
    assert all(d.parent_id is None and d.thread_id is None for d in orphan.documents)


@pytest.mark.parametrize("body, url, reason", [
    ("<html><head><title>百度安全验证</title></head><body>网络不给力，请稍后重试</body></html>".encode(), THREAD_URL,
     RISK_CONTROL),
    (b"<html><body>login</body></html>", "https://passport.baidu.com/v2/?login&u=https%3A%2F%2Ftieba.baidu.com%2Fp%2F1",
     LOGIN_REQUIRED),
    ("<html><head><title>贴吧404</title></head><body><div class='page404'>很抱歉，该贴已被删除。</div></body></html>".encode(),
     THREAD_URL, "not_found"),
    (b"", THREAD_URL, "empty_body"),
])
def test_blocked_and_missing_pages_are_parse_errors(body, url, reason):
    with pytest.raises(ParseError) as exc:
        parse("thread-8123456789-p1.html", "thread", url, body=body)
    assert exc.value.reason == reason


@pytest.mark.parametrize("name, kind, url, old, new, field", [
    ("thread-8123456789-p1.html", "thread", THREAD_URL, 'class="core_title_txt', 'class="title_txt', "core_title_txt"),
    ("thread-8123456789-p1.html", "thread", THREAD_URL, '"content":{', '"post":{', "data-field.content"),
    ("thread-8123456789-p1.html", "thread", THREAD_URL, '"post_id":150000000012', '"pid":150000000012',
     "data-field.content.post_id"),
    ("thread-8123456789-p1.html", "thread", THREAD_URL, "post_content", "post_body", "d_post_content"),
    ("thread-8123456789-p1.html", "thread", THREAD_URL, '<span class="tail-info">2025-11-19 21:42</span>',
     '<span class="tail-info">昨晚</span>', "tail-info"),
    ("thread-8123456789-p1.html", "thread", THREAD_URL, "l_post l_post_bright", "p_post p_post_bright", "l_post"),
    ("board-raw.html", "board", BOARD_URL, "j_thread_list", "j_topic_list", "j_thread_list"),
    ("board-raw.html", "board", BOARD_URL, 'class="j_th_tit "', 'class="j_topic_title "', "j_th_tit"),
])
def test_shape_changes_name_the_field(name, kind, url, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, url, body=body.replace(old, new).encode())
    assert (exc.value.platform, exc.value.field) == ("tieba", field)


def test_seed_kinds():
    assert TiebaParser.kind_for_url(BOARD_URL) == "board"
    assert TiebaParser.kind_for_url(THREAD_URL + "?pn=2") == "thread"
    assert TiebaSpider().request_from_seed({"url": THREAD_URL}).meta["yq_kind"] == "thread"
    assert TiebaSpider.seeding == "board"
