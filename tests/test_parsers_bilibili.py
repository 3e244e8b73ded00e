"""Bilibili parser on fixtures shaped like the web API's answers
(``tests/fixtures/bilibili/README.md`` says where each shape comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.bilibili import BilibiliParser
from crawlers.parsers.common import LOGIN_REQUIRED, RISK_CONTROL
from crawlers.spiders.bilibili import BilibiliSpider
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "bilibili"
CRAWLED = "2025-11-20T12:00:00Z"
API = "https://api.bilibili.com"
SEARCH_URL = f"{API}/x/web-interface/search/type?search_type=video&keyword=%E9%B2%9C%E5%91%B3%E5%9D%8A&page=1"
VIEW_URL = f"{API}/x/web-interface/view?bvid=BV1xK4y1c7Qa"
REPLY_URL = f"{API}/x/v2/reply?type=1&oid=113520480012345&sort=0&pn=1&ps=20"
SPACE_URL = f"{API}/x/polymer/web-dynamic/v1/feed/space?host_mid=3493118923000123"

AJIE = Author(name="滨海探店阿杰", id="3493118923000123", url="https://space.bilibili.com/3493118923000123")
VIDEO_ID = make_id(platform="bilibili", post_id="av113520480012345")
VIDEO_TITLE = "实探鲜味坊万达店：门口贴出停业整改通知"
VIDEO_DESC = "昨晚网传的后厨视频发酵后，今天中午去万达店看了看。\n门店已经停业，监管部门的封条还在。"
SUBJECT = {"yq_subject_id": VIDEO_ID, "yq_subject_url": "https://www.bilibili.com/video/av113520480012345"}


def reply_id(rpid: str) -> str:
    return make_id(platform="bilibili", post_id=f"reply:{rpid}")


def dynamic_id(dyn: str) -> str:
    return make_id(platform="bilibili", post_id=f"dynamic:{dyn}")


def page(name: str, url: str, body: bytes | None = None, meta: dict | None = None) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json; charset=utf-8"}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str, url: str, **kwargs):
    result = BilibiliParser().parse(page(name, url, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def video(**changes) -> Document:
    doc = Document(id=VIDEO_ID, platform="bilibili", channel="video", url="https://www.bilibili.com/video/BV1xK4y1c7Qa",
                   title=VIDEO_TITLE, content=VIDEO_DESC, author=AJIE, published_at="2025-11-20T05:40:00Z",
                   crawled_at=CRAWLED, lang="zh", source="滨海探店阿杰", post_id="BV1xK4y1c7Qa")
    for key, value in changes.items():
        setattr(doc, key, value)
    return doc


def test_video_search_yields_videos_and_leads_to_their_metadata():
    result = parse("search-video-p1.json", "search", SEARCH_URL)
    assert result.documents[0] == video(engagement=Engagement(likes=3502, comments=1293, views=48210),
                                        tags=["探店", "鲜味坊", "食品安全", "滨海"])
    second = result.documents[1]
    # "<em class="keyword">" marks are gone; "-" is Bilibili's empty description.
    assert (second.title, second.content, second.engagement) == (
        "冷冻鸡腿肉能放多久？从鲜味坊事件说起", "", Engagement(comments=38, views=1203))
    assert second.id == make_id(platform="bilibili", post_id="av113519876543210")
    assert result.links == [Link(f"{API}/x/web-interface/view?bvid=BV1xK4y1c7Qa", "video"),
                            Link(f"{API}/x/web-interface/view?bvid=BV1pZ4y1u7Wb", "video"),
                            Link(SEARCH_URL.replace("page=1", "page=2"), "search")]


def test_view_is_the_same_video_with_full_counts_and_leads_to_comments():
    result = parse("view.json", "video", VIEW_URL)
    assert result.documents == [video(engagement=Engagement(likes=3611, comments=1310, reposts=211, views=52344),
                                      tags=["美食制作", "鲜味坊", "食品安全"])]
    assert result.links == [Link(REPLY_URL, "comments")]


def test_comments_reply_chain_and_ip_location():
    result = parse("reply-p1.json", "comments", REPLY_URL)
    first, answer, answer_to_answer, other = result.documents
    assert first == Document(
        id=reply_id("245001000000101"), platform="bilibili", channel="video",
        url="https://www.bilibili.com/video/av113520480012345#reply245001000000101",
        content="终于有人去现场了，监管部门效率还可以",
        author=Author(name="吃瓜群众老张", id="40001234", url="https://space.bilibili.com/40001234", verified=False),
        published_at="2025-11-20T07:00:00Z", crawled_at=CRAWLED, lang="zh", source="吃瓜群众老张",
        post_id="245001000000101", parent_id=VIDEO_ID, thread_id=VIDEO_ID,
        engagement=Engagement(likes=1532, comments=5), region_hint="北京",
    )
    assert (answer.parent_id, answer.thread_id, answer.region_hint) == (first.id, VIDEO_ID, "江苏")
    assert (answer_to_answer.parent_id, answer_to_answer.content) == (answer.id, "回复 @冷柜观察员 :封条拍清楚点[doge]")
    assert (other.parent_id, other.author.verified, other.published_at) == (VIDEO_ID, True, "2025-11-20T09:00:00Z")
    # The hot comment is listed twice by the API and once here; its hidden
    # replies (5 counted, 2 shown) and the next page are links.
    assert result.links == [
        Link(f"{API}/x/v2/reply/reply?type=1&oid=113520480012345&root=245001000000101&pn=1&ps=20", "comments", SUBJECT),
        Link(REPLY_URL.replace("&pn=1&ps=20", "&ps=20&pn=2"), "comments", SUBJECT),
    ]


def test_dynamic_comments_need_their_subject_from_the_link():
    url = f"{API}/x/v2/reply?type=17&oid=1076543210987654321&sort=0&pn=1&ps=20"
    result = parse("reply-p1.json", "comments", url)
    assert result.warnings == ["subject_unknown"]
    assert result.documents[0].parent_id is None
    meta = {"yq_subject_id": dynamic_id("1076543210987654321"),
            "yq_subject_url": "https://t.bilibili.com/1076543210987654321"}
    first = parse("reply-p1.json", "comments", url, meta=meta).documents[0]
    assert (first.parent_id, first.url) == (meta["yq_subject_id"],
                                            "https://t.bilibili.com/1076543210987654321#reply245001000000101")


def test_space_dynamics_forwards_videos_and_opus_posts():
    result = parse("space-dynamics.json", "dynamics", SPACE_URL)
    word, forward, posted_video, opus, orphan = result.documents
    # The forwarded dynamic is also in the feed on its own: that copy, with
    # its counters, is the one kept.
    assert word == Document(
        id=dynamic_id("1076543210987654321"), platform="bilibili", channel="video",
        url="https://t.bilibili.com/1076543210987654321", content="明天去鲜味坊其他门店看看，想看哪家评论区说 #鲜味坊#",
        author=AJIE, published_at="2025-11-20T09:10:00Z", crawled_at=CRAWLED, lang="zh", source="滨海探店阿杰",
        post_id="1076543210987654321", engagement=Engagement(likes=410, comments=64, reposts=3),
        tags=["滨海探店", "鲜味坊"],
    )
    assert (forward.content, forward.repost_of) == ("补充一下，评论区很多人问地址", word.id)
    # A video posted to the feed is the video document ("5.2万" plays).
    assert posted_video == video(engagement=Engagement(likes=3611, comments=1310, reposts=45, views=52000))
    assert (opus.title, opus.content) == ("现场照片", "万达店门口的停业告示，拍得比较清楚。")
    assert (orphan.content, orphan.repost_of) == ("这条转发的原动态已经没了", None)
    assert result.warnings == ["dynamic_unavailable"]
    assert result.links == [
        Link(f"{API}/x/v2/reply?type=17&oid=1076550000000000001&sort=0&pn=1&ps=20", "comments",
             {"yq_subject_id": forward.id, "yq_subject_url": forward.url}),
        Link(f"{API}/x/v2/reply?type=17&oid=1076543210987654321&sort=0&pn=1&ps=20", "comments",
             {"yq_subject_id": word.id, "yq_subject_url": word.url}),
        Link(VIEW_URL, "video"),
        Link(SPACE_URL + "&offset=1076200000000000009", "dynamics"),
    ]


@pytest.mark.parametrize("body, reason", [
    (b'{"code": -412, "message": "request was banned", "ttl": 1}', RISK_CONTROL),
    ('{"code": -352, "message": "风控校验失败", "ttl": 1, "data": {"v_voucher": "voucher_1a2b"}}'.encode(), RISK_CONTROL),
    ('{"code": -101, "message": "账号未登录", "ttl": 1}'.encode(), LOGIN_REQUIRED),
    ('{"code": -404, "message": "啥都木有", "ttl": 1}'.encode(), "api_error"),
    (b"<html><body>502 Bad Gateway</body></html>", "not_json"),
])
def test_error_codes_are_parse_errors_with_reasons(body, reason):
    with pytest.raises(ParseError) as exc:
        parse("view.json", "video", VIEW_URL, body=body)
    assert exc.value.reason == reason
    if reason == "api_error":
        assert "啥都木有" in str(exc.value)


@pytest.mark.parametrize("name, kind, url, old, new, field", [
    ("search-video-p1.json", "search", SEARCH_URL, '"result"', '"items"', "data.result"),
    ("search-video-p1.json", "search", SEARCH_URL, '"play"', '"plays"', "result.play"),
    ("view.json", "video", VIEW_URL, '"owner"', '"up"', "data.owner"),
    ("view.json", "video", VIEW_URL, '"view": 52344', '"view": "lots"', "data.stat.view"),
    ("view.json", "video", VIEW_URL, '"pubdate"', '"pub_date"', "data.pubdate"),
    ("reply-p1.json", "comments", REPLY_URL, '"uname"', '"name"', "reply.member.uname"),
    ("reply-p1.json", "comments", REPLY_URL, '"replies"', '"comments"', "data.replies"),
    ("space-dynamics.json", "dynamics", SPACE_URL, '"module_stat"', '"module_stats"', "item.modules.module_stat"),
    ("space-dynamics.json", "dynamics", SPACE_URL, '"pub_ts"', '"pub_time_ts"', "item.modules.module_author.pub_ts"),
    ("view.json", "video", VIEW_URL, '"code": 0', '"status": 0', "code"),
])
def test_shape_changes_name_the_field(name, kind, url, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, url, body=body.replace(old, new).encode())
    assert (exc.value.platform, exc.value.field) == ("bilibili", field)


def test_seed_urls_and_their_kinds():
    assert BilibiliSpider.search_url("鲜味坊") == SEARCH_URL
    assert BilibiliSpider.account_url("3493118923000123") == SPACE_URL
    with pytest.raises(ValueError):
        BilibiliSpider.account_url("滨海探店阿杰")
    kind = BilibiliParser.kind_for_url
    assert [kind(u) for u in (SEARCH_URL, VIEW_URL, REPLY_URL, SPACE_URL, "https://www.bilibili.com/")] == [
        "search", "video", "comments", "dynamics", None]
    request = BilibiliSpider().request_from_seed({"url": SPACE_URL})
    assert request.meta["yq_kind"] == "dynamics"
