"""Forum parser on saved responses of the test web's forum (``tests/fixtures/forum``).

The fixtures were fetched from ``python -m yuqing.testweb --port 8765``;
``index.json`` keeps each one's URL and Content-Type. They hold no absolute
URLs, so ``test_fixtures_match_the_test_web`` can check them against a live
test web on any port (regenerate them the same way when the content changes).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.forum import ForumParser
from yuqing.schema import Author, Document, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "forum"
INDEX = json.loads((FIXTURES / "index.json").read_text(encoding="utf-8"))
BASE = "http://127.0.0.1:8765"
CRAWLED = "2026-01-02T03:04:05Z"
THREAD_1001 = "鲜味坊万达店的后厨视频大家看了吗？以后还敢去吃吗"


def pid_id(pid: int, host: str = "127.0.0.1:8765") -> str:
    return make_id(platform="forum", post_id=f"{host}:{pid}")


MAIN_1001 = pid_id(7712001)


def page(name: str, body: bytes | None = None, meta: dict | None = None, url: str | None = None) -> Page:
    info = INDEX[name]
    return Page(url=url or info["url"], body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": info["content_type"]}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str = "thread", **kwargs):
    result = ForumParser().parse(page(name, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def by_pid(result) -> dict[str, Document]:
    return {d.post_id: d for d in result.documents}


def test_ids_are_scoped_by_forum_host():
    assert hashlib.sha1(b"forum:127.0.0.1:8765:7712001").hexdigest() == MAIN_1001
    assert pid_id(7712001, host="127.0.0.1:8766") != MAIN_1001


def test_board_page_links_threads_and_next_page():
    result = parse("board-1-p1.html", "board")
    assert result.documents == [] and result.warnings == []
    assert result.links == [
        Link(f"{BASE}/forum/thread/1001", "thread"),
        Link(f"{BASE}/forum/thread/1002", "thread"),
        Link(f"{BASE}/forum/board/1?page=2", "board"),
    ]


def test_last_board_page_has_no_next_link():
    assert parse("board-2-p2.html", "board").links == [Link(f"{BASE}/forum/thread/2003", "thread")]


def test_thread_first_page_gbk():
    result = parse("thread-1001-p1.html")
    assert result.warnings == []
    assert result.documents[0] == Document(
        id=MAIN_1001,
        platform="forum",
        channel="forum",
        url=f"{BASE}/forum/thread/1001#post-7712001",
        title=THREAD_1001,
        content="昨晚刷到那个视频，冷柜里过期的鸡腿肉和当天的菜堆在一起，看得我一身冷汗。\n"
                "我家孩子特别爱吃他家的鸡腿饭，上周末还去过万达店。有没有知道内情的说说，这事到底是不是真的？",
        author=Author(name="海风吹吹", id="30211", url=f"{BASE}/forum/user/30211"),
        published_at="2025-11-18T00:40:00Z",
        crawled_at=CRAWLED,
        lang="zh",
        source="127.0.0.1",
        post_id="7712001",
        thread_id=MAIN_1001,
    )
    assert result.documents[1] == Document(
        id=pid_id(7712004),
        platform="forum",
        channel="forum",
        url=f"{BASE}/forum/thread/1001#post-7712004",
        title="",
        content="早上路过，门口已经贴了暂停营业的告示，监管的人昨晚就去了。",
        author=Author(name="老王在滨海", id="30588", url=f"{BASE}/forum/user/30588"),
        published_at="2025-11-18T00:57:00Z",
        crawled_at=CRAWLED,
        lang="zh",
        source="127.0.0.1",
        post_id="7712004",
        parent_id=MAIN_1001,
        thread_id=MAIN_1001,
    )
    assert [d.post_id for d in result.documents] == ["7712001", "7712004", "7712007", "7712010", "7712013"]
    assert all(d.parent_id == MAIN_1001 and d.thread_id == MAIN_1001 for d in result.documents[1:])
    assert result.links == [Link(f"{BASE}/forum/thread/1001?page=2", "thread",
                                 {"yq_thread_title": THREAD_1001, "yq_thread_id": MAIN_1001})]


def test_signatures_are_not_content():
    docs = parse("thread-1001-p2.html", meta={"yq_thread_id": MAIN_1001}).documents
    assert all("生活不止眼前的鸡腿饭" not in d.content and "每天五公里" not in d.content for d in docs)


def test_page_two_replies_link_to_quoted_floors_and_thread():
    result = parse("thread-1001-p2.html", meta={"yq_thread_id": MAIN_1001, "yq_thread_title": THREAD_1001})
    docs = by_pid(result)
    assert list(docs) == ["7712016", "7712019", "7712022", "7712025", "7712028"]
    assert all(d.thread_id == MAIN_1001 and d.title == "" for d in docs.values())
    # Floor 7 quotes floor 3 on page 1 (through the quote link's anchor).
    assert docs["7712019"].parent_id == pid_id(7712007)
    assert docs["7712019"].content == "等结果是应该的，但品牌方声明里说视频“可能并非近期”，这话听着像是在甩锅。"
    # Floor 9 quotes floor 8 on the same page; unquoted replies answer the thread.
    assert docs["7712025"].parent_id == pid_id(7712022)
    assert docs["7712025"].content == "所以说问题出在门店管理上，建议全市门店都查一遍。"
    assert docs["7712016"].parent_id == MAIN_1001
    assert docs["7712019"].url == f"{BASE}/forum/thread/1001?page=2#post-7712019"
    assert docs["7712019"].published_at == "2025-11-18T04:02:00Z"
    assert result.links == [Link(f"{BASE}/forum/thread/1001?page=3", "thread",
                                 {"yq_thread_title": THREAD_1001, "yq_thread_id": MAIN_1001})]


def test_page_two_without_link_meta_still_parses():
    result = parse("thread-1001-p2.html")
    docs = by_pid(result)
    assert result.warnings == ["thread_id_unknown"]
    assert all(d.thread_id is None for d in docs.values())
    assert docs["7712016"].parent_id is None
    assert docs["7712019"].parent_id == pid_id(7712007)


def test_quote_without_link_resolves_floor_on_the_same_page():
    body = (FIXTURES / "thread-1001-p2.html").read_bytes().replace(
        b'<a class="quote-link" href="/forum/thread/1001?page=2#post-7712022">', b"<span>")
    docs = by_pid(parse("thread-1001-p2.html", body=body, meta={"yq_thread_id": MAIN_1001}))
    assert docs["7712025"].parent_id == pid_id(7712022)


def test_last_thread_page_has_no_next_link():
    result = parse("thread-1001-p3.html", meta={"yq_thread_id": MAIN_1001})
    docs = by_pid(result)
    assert list(docs) == ["7712031", "7712034"]
    assert docs["7712034"].parent_id == MAIN_1001  # quotes the main post
    assert docs["7712034"].content == "感谢大家的消息。结论出来了我也放心点，不过短期内还是自己在家做饭吧。"
    assert docs["7712034"].published_at == "2025-11-20T09:08:00Z"
    assert result.links == []


def test_english_thread():
    result = parse("thread-2001-p1.html")
    docs = result.documents
    main = pid_id(7712230)
    assert [d.post_id for d in docs] == ["7712230", "7712233", "7712236", "7712239", "7712242"]
    assert docs[0].title == "Stellar X9 on 3.2 is draining 20% overnight. Anyone else?"
    assert docs[0].lang == "en" and docs[0].published_at == "2025-08-14T15:05:00Z"
    assert docs[0].author == Author(name="lily_chen", id="40112", url=f"{BASE}/forum/user/40112")
    assert docs[3].content == "Mine is fine after two days. Maybe the indexing finishes eventually? 🤔"
    assert docs[4].parent_id == pid_id(7712236)  # "Quote from #3 quietcoder"
    assert "Sent from my Stellar X9" not in docs[4].content
    assert result.links == [Link(f"{BASE}/forum/thread/2001?page=2", "thread",
                                 {"yq_thread_title": docs[0].title, "yq_thread_id": main})]
    page2 = parse("thread-2001-p2.html", meta={"yq_thread_id": main})
    assert [(d.post_id, d.parent_id) for d in page2.documents] == [("7712245", main), ("7712248", main)]


def test_same_post_reached_by_two_urls_keeps_its_id():
    plain = parse("thread-1001-p1.html").documents
    explicit = parse("thread-1001-p1.html", url=f"{BASE}/forum/thread/1001?page=1").documents
    assert [d.id for d in plain] == [d.id for d in explicit]
    elsewhere = parse("thread-1001-p1.html", url="http://forum.example.cn/forum/thread/1001").documents
    assert elsewhere[0].id == pid_id(7712001, host="forum.example.cn") != plain[0].id
    assert elsewhere[0].source == "forum.example.cn"


@pytest.mark.parametrize("name, old, new, field", [
    ("thread-1001-p1.html", b'class="post"', b'class="entry"', "post"),
    ("thread-1001-p1.html", b' id="post-7712004" data-pid="7712004"', b"", "post_id"),
    ("thread-1001-p1.html", b'class="post-time"', b'class="when"', "published_at"),
    ("thread-1001-p1.html", "发表于 2025-11-18 08:57".encode("gbk"), "发表于 昨天".encode("gbk"), "published_at"),
    ("thread-1001-p1.html", b'class="author"', b'class="poster"', "author"),
    ("thread-1001-p1.html", b'class="post-content"', b'class="message"', "content"),
    ("thread-2001-p1.html", b'<h1 class="thread-title" id="thread_subject">', b"<h1>", "title"),
    ("board-1-p1.html", b'id="threadlist" class="thread-list"', b'id="topics"', "thread_list"),
])
def test_changed_markup_raises_shape_error_naming_the_field(name, old, new, field):
    body = (FIXTURES / name).read_bytes()
    assert old in body
    kind = "board" if name.startswith("board") else "thread"
    with pytest.raises(ShapeError) as exc:
        ForumParser().parse(page(name, body=body.replace(old, new)), kind)
    assert exc.value.field == field and exc.value.platform == "forum"
    assert exc.value.reason == "shape_error"


@pytest.mark.parametrize("body, reason", [(b"", "empty_body"), (b"\x89PNG\r\n\x1a\n\x00\x00", "not_html")])
def test_unparseable_responses(body, reason):
    with pytest.raises(ParseError) as exc:
        ForumParser().parse(page("thread-1001-p1.html", body=body), "thread")
    assert exc.value.reason == reason


def test_unknown_kind():
    with pytest.raises(ParseError) as exc:
        ForumParser().parse(page("board-1-p1.html"), "profile")
    assert exc.value.reason == "unknown_kind"


def test_fixtures_match_the_test_web(testweb):
    import urllib.request

    for name, info in INDEX.items():
        path = info["url"][len(BASE):]
        with urllib.request.urlopen(testweb.url + path) as response:
            assert response.read() == (FIXTURES / name).read_bytes(), name
            assert response.headers["Content-Type"] == info["content_type"]


def test_crawl_of_live_forum_matches_manifest(testweb):
    """Follow the parser's own links from the board pages: every post of the
    manifest comes out once, with the ids, parents and texts it promises."""
    import urllib.request

    def get(url: str, meta: dict) -> Page:
        with urllib.request.urlopen(url) as response:
            return Page(url=url, body=response.read(), headers={"content-type": response.headers["Content-Type"]},
                        meta=meta, crawled_at=CRAWLED)

    with urllib.request.urlopen(testweb.url + "/manifest.json") as response:
        manifest = json.loads(response.read())
    parser = ForumParser()
    queue = [(url, "board", {}) for url in manifest["entry_points"]["forum_boards"]]
    docs: dict[str, Document] = {}
    while queue:
        url, kind, meta = queue.pop(0)
        result = parser.parse(get(url, meta), kind)
        assert result.warnings == []
        for doc in result.documents:
            assert doc.id not in docs
            docs[doc.id] = validate(doc)
        queue += [(link.url, link.kind, link.meta) for link in result.links]
    expected = {i["id"]: i for i in manifest["items"] if i["kind"] == "forum_post"}
    assert set(docs) == set(expected)
    for doc_id, item in expected.items():
        doc = docs[doc_id]
        assert (doc.url, doc.title, doc.published_at, doc.lang, doc.source, doc.post_id, doc.thread_id,
                doc.parent_id) == (item["url"], item["title"], item["published_at"], item["lang"], item["source"],
                                   item["post_id"], item["thread_id"], item["parent_id"])
        assert doc.author == Author(name=item["author"], id=item["author_id"], url=item["author_url"])
        assert item["must_contain"] in doc.content
