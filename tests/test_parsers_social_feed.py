"""Social feed parser on saved responses of the test web's JS-rendered feed
(``tests/fixtures/social_feed``).

``feed-rendered.html`` is the DOM after ``feed.js`` ran in headless Chromium
(``chromium --headless --virtual-time-budget=5000 --dump-dom URL``); the other
fixtures are raw responses, checked against a live test web by
``test_fixtures_match_the_test_web``.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.social_feed import SocialFeedParser, parse_count, region_from_label
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "social_feed"
INDEX = json.loads((FIXTURES / "index.json").read_text(encoding="utf-8"))
BASE = "http://127.0.0.1:8765"
CRAWLED = "2026-01-02T03:04:05Z"
CHROMIUM = os.environ.get("YUQING_CHROMIUM", "/usr/lib/chromium/chromium")


def sid(post_id: str) -> str:
    return make_id(platform="testsocial", post_id=post_id)


def page(name: str, body: bytes | None = None) -> Page:
    info = INDEX[name]
    return Page(url=info["url"], body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": info["content_type"]}, crawled_at=CRAWLED)


def parse(name: str, kind: str, body: bytes | None = None):
    result = SocialFeedParser().parse(page(name, body), kind)
    for doc in result.documents:
        validate(doc)
    return result


def api_documents() -> list[Document]:
    return parse("api-page-1.json", "feed_api").documents + parse("api-page-2.json", "feed_api").documents


REPOST = Document(
    id=sid("5232178810291457"),
    platform="testsocial",
    channel="social",
    url=f"{BASE}/social/p/5232178810291457",
    content="处理速度点赞，但罚15万对一个连锁品牌来说是不是轻了点？希望别一阵风过去就松了。",
    author=Author(name="吃货小林同学", id="6120834412", url=f"{BASE}/social/u/6120834412", verified=False),
    published_at="2025-11-20T09:02:00Z",
    crawled_at=CRAWLED,
    lang="zh",
    source="吃货小林同学",
    post_id="5232178810291457",
    repost_of=sid("5232173345019874"),
    engagement=Engagement(likes=204, comments=57, reposts=12),
    region_hint="广东",
)

OFFICIAL = Document(
    id=sid("5231380219983317"),
    platform="testsocial",
    channel="social",
    url=f"{BASE}/social/p/5231380219983317",
    content="【召回进展】截至11月17日，极光S7电池模组更换已完成11236台。我们新增了夜间和周末服务时段，"
            "车主可在官方应用中预约。感谢每一位车主的理解与耐心。#极光S7召回#",
    author=Author(name="极光汽车官方", id="7301442085", url=f"{BASE}/social/u/7301442085", verified=True),
    published_at="2025-11-18T02:00:00Z",
    crawled_at=CRAWLED,
    lang="zh",
    source="极光汽车官方",
    post_id="5231380219983317",
    engagement=Engagement(likes=12460, comments=4301, reposts=980),
    tags=["极光S7召回"],
    region_hint="上海",
)


def test_api_page_documents():
    result = parse("api-page-1.json", "feed_api")
    docs = result.documents
    assert len(docs) == 7 and result.warnings == []
    assert docs[0] == REPOST
    assert docs[6] == OFFICIAL
    english = docs[5]
    assert (english.lang, english.region_hint, english.repost_of) == ("en", None, sid("5231380219983317"))
    assert english.author == Author(name="EV_Watcher", id="6401129950", url=f"{BASE}/social/u/6401129950",
                                    verified=False)
    assert docs[2].engagement == Engagement(likes=15820, comments=1203, reposts=2301)
    assert docs[3].tags == ["BinhaiMetro"]
    assert result.links == [Link(f"{BASE}/social/api/posts?page=2", "feed_api")]


def test_last_api_page_has_no_next_link():
    result = parse("api-page-2.json", "feed_api")
    assert len(result.documents) == 7 and result.links == []
    flood = result.documents[-1]
    assert flood.published_at == "2025-07-10T01:00:00Z" and flood.region_hint == "江西"
    assert flood.engagement.likes == 26734
    assert result.documents[-2].repost_of == flood.id


def test_rendered_dom_gives_the_same_documents_as_the_api():
    result = parse("feed-rendered.html", "feed_dom")
    assert result.warnings == [] and result.links == []
    assert result.documents == api_documents()
    assert len({d.id for d in result.documents}) == 14


def test_server_rendered_permalink_page_matches_the_api():
    (doc,) = parse("post-5231380219983317.html", "feed_dom").documents
    assert doc == OFFICIAL


def test_dom_counts_fall_back_to_display_text():
    body = (FIXTURES / "feed-rendered.html").read_bytes()
    stripped = body.replace(b' data-count="15820"', b"").replace(b' data-count="2301"', b"")
    docs = parse("feed-rendered.html", "feed_dom", stripped).documents
    assert docs[2].engagement == Engagement(likes=16000, comments=1203, reposts=2301)


def test_feed_captured_before_the_script_finished_is_flagged():
    body = (FIXTURES / "feed-rendered.html").read_bytes().replace(b'data-state="done"', b'data-state="loading"')
    result = parse("feed-rendered.html", "feed_dom", body)
    assert result.warnings == ["feed_incomplete"] and len(result.documents) == 14


def test_unrendered_shell_is_a_parse_error():
    with pytest.raises(ParseError) as exc:
        SocialFeedParser().parse(page("feed-shell.html"), "feed_dom")
    assert exc.value.reason == "not_rendered" and not isinstance(exc.value, ShapeError)


@pytest.mark.parametrize("text, count", [("57", 57), ("1.6万", 16000), ("2.7w", 27000), ("3k", 3000),
                                         ("1,204", 1204), ("1.2亿", 120000000), ("转发", None), ("", None)])
def test_parse_count(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize("label, region", [("发布于 广东", "广东"), ("IP属地：北京", "北京"), ("来自 上海", "上海"),
                                           ("", None), (None, None)])
def test_region_from_label(label, region):
    assert region_from_label(label) == region


@pytest.mark.parametrize("old, new, field", [
    (b'<article class="post" data-id="5232178810291457"', b'<article class="post"', "id"),
    (b'class="author"', b'class="nick"', "author"),
    (b"<time ", b"<span ", "time"),
    (b'class="text"', b'class="body"', "text"),
    (b'class="likes"', b'class="attitudes"', "likes"),
    (b'class="reposts"', b'class="forwards"', "reposts"),
    (b'class="permalink"', b'class="link"', "permalink"),
    (b'datetime="2025-11-20T17:02:00+08:00"', b'datetime="just after lunch"', "created_at"),
    (b'class="post"', b'class="card"', "post"),
])
def test_changed_dom_raises_shape_error_naming_the_field(old, new, field):
    body = (FIXTURES / "feed-rendered.html").read_bytes()
    assert old in body
    with pytest.raises(ShapeError) as exc:
        SocialFeedParser().parse(page("feed-rendered.html", body.replace(old, new)), "feed_dom")
    assert (exc.value.platform, exc.value.field) == ("testsocial", field)


@pytest.mark.parametrize("old, new, field", [
    ('"attitudes_count"', '"like_count"', "attitudes_count"),
    ('"screen_name"', '"nickname"', "user.screen_name"),
    ('"user"', '"author"', "user"),
    ('"created_at"', '"time"', "created_at"),
    ('"list"', '"statuses"', "data.list"),
    ('"id": "5232173345019874",\n     "url"', '"mid": "5232173345019874",\n     "url"', "retweeted_status.id"),
    ('"reposts_count": 12', '"reposts_count": "12"', "reposts_count"),
])
def test_changed_api_raises_shape_error_naming_the_field(old, new, field):
    body = (FIXTURES / "api-page-1.json").read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        SocialFeedParser().parse(page("api-page-1.json", body.replace(old, new).encode("utf-8")), "feed_api")
    assert (exc.value.platform, exc.value.field) == ("testsocial", field)


@pytest.mark.parametrize("body, reason", [
    (b"", "empty_body"),
    ("<html><body><h1>系统繁忙，请稍后再试</h1></body></html>".encode(), "not_json"),
    (b'{"ok": 0, "msg": "rate limited"}', "api_error"),
])
def test_api_failures(body, reason):
    with pytest.raises(ParseError) as exc:
        SocialFeedParser().parse(page("api-page-1.json", body), "feed_api")
    assert exc.value.reason == reason


def test_fixtures_match_the_test_web(testweb):
    for name, info in INDEX.items():
        if name == "feed-rendered.html":  # a browser's DOM, not a response
            continue
        with urllib.request.urlopen(testweb.url + info["url"][len(BASE):]) as response:
            assert response.read() == (FIXTURES / name).read_bytes(), name
            assert response.headers["Content-Type"] == info["content_type"]


def _get(url: str) -> Page:
    with urllib.request.urlopen(url) as response:
        return Page(url=url, body=response.read(), headers={"content-type": response.headers["Content-Type"]},
                    crawled_at=CRAWLED)


def _live_api_documents(base: str) -> list[Document]:
    parser, docs = SocialFeedParser(), []
    links = [Link(f"{base}/social/api/posts?page=1", "feed_api")]
    while links:
        result = parser.parse(_get(links[0].url), "feed_api")
        docs += result.documents
        links = result.links
    return docs


def test_live_api_matches_manifest(testweb):
    with urllib.request.urlopen(testweb.url + "/manifest.json") as response:
        manifest = json.loads(response.read())
    docs = _live_api_documents(testweb.url)
    items = [i for i in manifest["items"] if i["kind"] == "social_post"]
    assert [d.id for d in docs] == [i["id"] for i in items]
    for doc, item in zip(docs, items, strict=True):
        assert (doc.url, doc.post_id, doc.published_at, doc.lang, doc.source, doc.repost_of, doc.region_hint) == (
            item["url"], item["post_id"], item["published_at"], item["lang"], item["source"], item["repost_of_id"],
            item["region_hint"])
        assert (doc.engagement.likes, doc.engagement.reposts, doc.engagement.comments) == (
            item["likes"], item["reposts"], item["comments"])
        assert (doc.author.name, doc.author.id, doc.author.url) == (item["author"], item["author_id"],
                                                                    item["author_url"])
        assert item["must_contain"] in doc.content


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no system Chromium to run feed.js")
def test_live_browser_rendering_matches_the_api(testweb):
    """feed.js and render_post_html() must stay in step: render the live feed
    in Chromium and compare with what the API gives."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            tab = browser.new_page()
            tab.goto(testweb.url + "/social/feed")
            tab.wait_for_selector('#feed[data-state="done"]', timeout=15_000)
            rendered = tab.content().encode("utf-8")
        finally:
            browser.close()
    result = SocialFeedParser().parse(
        Page(url=testweb.url + "/social/feed", body=rendered, headers={"content-type": "text/html; charset=utf-8"},
             crawled_at=CRAWLED), "feed_dom")
    assert result.warnings == []
    assert result.documents == _live_api_documents(testweb.url)
