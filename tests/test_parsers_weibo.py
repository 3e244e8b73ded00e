"""Weibo parser (m.weibo.cn JSON) on fixtures shaped like real answers
(``tests/fixtures/weibo/README.md`` says where each shape comes from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.common import LOGIN_REQUIRED, RISK_CONTROL, html_to_text, parse_count, region_from_label
from crawlers.parsers.weibo import WeiboParser
from crawlers.spiders.weibo import WeiboSpider
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
CRAWLED = "2025-11-20T08:00:00Z"  # 16:00 in Beijing: "3小时前" is 13:00 there
SEARCH_URL = ("https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D1%26q%3D%E9%B2%9C%E5%91%B3%E5%9D%8A"
              "&page_type=searchall")
TIMELINE_URL = "https://m.weibo.cn/api/container/getIndex?containerid=1076032876543210"
HOTFLOW_URL = "https://m.weibo.cn/comments/hotflow?id=5233105066608001&mid=5233105066608001&max_id_type=0"

BINHAI = Author(name="滨海发布", id="2876543210", url="https://m.weibo.cn/u/2876543210", followers=1580000, verified=True)
NOTICE_CUT = ("【情况通报】11月19日晚，网传“鲜味坊万达店后厨使用过期食材”视频引发关注。"
              "市市场监管局连夜组织执法人员赴该店检查，现场查封过期鸡腿肉12公斤，责令门店停业整改。\n"
              "目前，案件正在进一步调查中，涉事企业其他门店同步开展排查。我们将依法从严")
NOTICE_FULL = ("【情况通报】11月19日晚，网传“鲜味坊万达店后厨使用过期食材”视频引发关注。"
               "市市场监管局连夜组织执法人员赴该店检查，现场查封过期鸡腿肉12公斤，责令门店停业整改。\n"
               "目前，案件正在进一步调查中，涉事企业其他门店同步开展排查。我们将依法从严处理，调查结果将及时向社会公布。"
               "感谢广大网友的监督！\n#鲜味坊后厨#")


def wid(mid: str) -> str:
    return make_id(platform="weibo", post_id=mid)


def page(name: str, url: str, body: bytes | None = None, meta: dict | None = None) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json; charset=utf-8"}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str, url: str, **kwargs):
    result = WeiboParser().parse(page(name, url, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def post(mid: str, content: str, author: Author, published_at: str, likes: int, comments: int, reposts: int,
         **extra) -> Document:
    return Document(id=wid(mid), platform="weibo", channel="social", url=f"https://m.weibo.cn/detail/{mid}",
                    content=content, author=author, published_at=published_at, crawled_at=CRAWLED, lang="zh",
                    source=author.name, post_id=mid,
                    engagement=Engagement(likes=likes, comments=comments, reposts=reposts), **extra)


XIAOWANG = Author(name="滨海吃货小王", id="7312345601", url="https://m.weibo.cn/u/7312345601", followers=2380,
                  verified=False)
POST_A = post("5233105066608001", "鲜味坊万达店后厨视频我看了，冷柜里的鸡腿肉标签都是上个月的[怒]\n已经打了12315\n#鲜味坊后厨#",
              XIAOWANG, "2025-11-20T06:03:00Z", 1024, 128, 35, tags=["鲜味坊后厨"], region_hint="北京")
NOTICE = post("5233098765400003", NOTICE_CUT, BINHAI, "2025-11-20T02:30:00Z", 8800, 1200, 530, region_hint="江苏")


def test_search_page_posts_reposts_and_links():
    result = parse("search-p1.json", "search", SEARCH_URL)
    assert result.warnings == []
    repost = post("5233110321500002", "转发一下，等官方结果 //@滨海发布:已介入调查",
                  Author(name="热心市民李先生", id="6023456789", url="https://m.weibo.cn/u/6023456789",
                         followers=12000, verified=False),
                  "2025-11-20T05:00:00Z", 12, 5, 2, region_hint="广东", repost_of=wid("5233098765400003"))
    just_now = post("5233112233400004", "同一个商场的其他店没事吧？",
                    Author(name="momo不吃香菜", id="5098765432", url="https://m.weibo.cn/u/5098765432", followers=88,
                           verified=False),
                    CRAWLED, 0, 0, 0)
    # The reposted original comes first, as its own document.
    assert result.documents == [POST_A, NOTICE, repost, just_now]
    hotflow = "https://m.weibo.cn/comments/hotflow?id={0}&mid={0}&max_id_type=0"
    assert result.links == [
        Link(hotflow.format("5233105066608001"), "comments"),
        Link("https://m.weibo.cn/statuses/extend?id=5233098765400003", "long_text", {"yq_post": NOTICE.to_dict()}),
        Link(hotflow.format("5233098765400003"), "comments"),
        Link(hotflow.format("5233110321500002"), "comments"),
        Link(SEARCH_URL + "&page=2", "search"),
    ]


def test_long_text_completes_the_cut_post():
    result = parse("extend.json", "long_text", "https://m.weibo.cn/statuses/extend?id=5233098765400003",
                   meta={"yq_post": NOTICE.to_dict()})
    assert result.documents == [post("5233098765400003", NOTICE_FULL, BINHAI, "2025-11-20T02:30:00Z",
                                     9100, 1350, 560, tags=["鲜味坊后厨"], region_hint="江苏")]
    assert result.links == []


def test_long_text_without_its_post_is_refused():
    with pytest.raises(ParseError) as exc:
        parse("extend.json", "long_text", "https://m.weibo.cn/statuses/extend?id=5233098765400003")
    assert exc.value.reason == "missing_context"


def test_statuses_show_has_the_full_text_already():
    result = parse("status-show.json", "status", "https://m.weibo.cn/statuses/show?id=5233098765400003")
    full_author = Author(name="滨海发布", id="2876543210", url="https://m.weibo.cn/u/2876543210", followers=1581200,
                         verified=True)
    assert result.documents == [post("5233098765400003", NOTICE_FULL, full_author, "2025-11-20T02:30:00Z",
                                     9100, 1350, 560, tags=["鲜味坊后厨"], region_hint="江苏")]
    assert [link.kind for link in result.links] == ["comments"]


def test_detail_page_reads_render_data():
    result = parse("detail-5233105066608001.html", "detail", "https://m.weibo.cn/detail/5233105066608001")
    assert result.documents == [POST_A]


def test_timeline_pages_by_since_id_and_keeps_reposts_of_deleted_posts():
    result = parse("timeline-p1.json", "timeline", TIMELINE_URL)
    reminder, repost = result.documents
    assert reminder == post("5232990011200005", "【提醒】近期气温骤降，请市民注意防寒保暖[心]", BINHAI,
                            "2025-11-19T13:15:00Z", 40, 3, 10, region_hint="江苏")
    # "11-18" has no year: the crawl date supplies it.
    assert (repost.content, repost.published_at) == ("转发微博", "2025-11-17T16:00:00Z")
    assert repost.repost_of == wid("5231234511112222")
    assert result.warnings == ["repost_original_unavailable"]
    assert result.links[-1] == Link(TIMELINE_URL + "&since_id=5232560099900005", "timeline")


def test_profile_leads_to_the_timeline():
    result = parse("profile.json", "profile", "https://m.weibo.cn/api/container/getIndex?type=uid&value=2876543210")
    assert result.documents == []
    assert result.links == [Link(TIMELINE_URL, "timeline")]


def test_comments_point_to_the_post_and_replies_to_their_comment():
    result = parse("comments-hotflow.json", "comments", HOTFLOW_URL)
    first, reply, second = result.documents
    assert first == Document(
        id=wid("5233106000000101"), platform="weibo", channel="social",
        url="https://m.weibo.cn/detail/5233105066608001#comment-5233106000000101",
        content="支持曝光！这种店必须严查[赞]",
        author=Author(name="打工人小陈", id="3345678901", url="https://m.weibo.cn/u/3345678901", followers=36000,
                      verified=True),
        published_at="2025-11-20T06:20:11Z", crawled_at=CRAWLED, lang="zh", source="打工人小陈",
        post_id="5233106000000101", parent_id=POST_A.id, thread_id=POST_A.id,
        engagement=Engagement(likes=356, comments=4), region_hint="北京",
    )
    assert (reply.content, reply.parent_id, reply.thread_id) == ("回复@滨海吃货小王:谢谢支持", first.id, POST_A.id)
    assert (second.parent_id, second.region_hint, second.engagement.likes) == (POST_A.id, "江苏", 88)
    assert result.links == [Link(HOTFLOW_URL.replace("&max_id_type=0", "&max_id=139874560123456&max_id_type=0"),
                                 "comments")]


@pytest.mark.parametrize("body, reason", [
    (b'{"ok": 0, "msg": "\\u8bf7\\u6c42\\u8fc7\\u4e8e\\u9891\\u7e41"}', RISK_CONTROL),
    (b'{"ok": 0}', RISK_CONTROL),
    (b'{"ok": -100, "url": "https://passport.weibo.cn/signin/welcome?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F"}',
     LOGIN_REQUIRED),
    ('<html><head><title>微博</title></head><body><a href="https://passport.weibo.cn/signin/login">登录</a>'
     '</body></html>'.encode(), LOGIN_REQUIRED),
    (b"", "empty_body"),
    ("<html><body>系统繁忙</body></html>".encode(), "not_json"),
])
def test_refusals_are_parse_errors_with_reasons(body, reason):
    with pytest.raises(ParseError) as exc:
        parse("search-p1.json", "search", SEARCH_URL, body=body)
    assert exc.value.reason == reason


def test_redirect_to_the_login_host_is_login_required():
    with pytest.raises(ParseError) as exc:
        parse("search-p1.json", "search", "https://passport.weibo.cn/signin/welcome?entry=mweibo")
    assert exc.value.reason == LOGIN_REQUIRED


def test_empty_list_messages_end_the_crawl_quietly():
    body = '{"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}'.encode()
    result = parse("search-p1.json", "search", SEARCH_URL + "&page=9", body=body)
    assert (result.documents, result.links, result.warnings) == ([], [], ["end_of_results"])
    body = '{"ok": 0, "msg": "还没有人评论哦~快来抢沙发！"}'.encode()
    assert parse("comments-hotflow.json", "comments", HOTFLOW_URL, body=body).documents == []


@pytest.mark.parametrize("old, new, field", [
    ('"screen_name"', '"nick_name"', "mblog.user.screen_name"),
    ('"attitudes_count"', '"like_count"', "mblog.attitudes_count"),
    ('"created_at": "Thu Nov 20 14:03:00 +0800 2025"', '"created_at": "some time"', "mblog.created_at"),
    ('"mblog"', '"status"', "mblog"),
    ('"cards"', '"items"', "data.cards"),
    ('"id": "5233098765400003"', '"idstr": "5233098765400003"', "retweeted_status.id"),
    ('"ok": 1', '"status": 1', "ok"),
])
def test_search_shape_changes_name_the_field(old, new, field):
    body = (FIXTURES / "search-p1.json").read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse("search-p1.json", "search", SEARCH_URL, body=body.replace(old, new).encode())
    assert (exc.value.platform, exc.value.field) == ("weibo", field)


@pytest.mark.parametrize("name, kind, url, old, new, field", [
    ("comments-hotflow.json", "comments", HOTFLOW_URL, '"like_count"', '"likes"', "comment.like_count"),
    ("extend.json", "long_text", "https://m.weibo.cn/statuses/extend?id=5233098765400003",
     '"longTextContent"', '"longText"', "data.longTextContent"),
    ("detail-5233105066608001.html", "detail", "https://m.weibo.cn/detail/5233105066608001",
     "var $render_data", "var $renderData", "$render_data"),
    ("profile.json", "profile", "https://m.weibo.cn/api/container/getIndex?type=uid&value=2876543210",
     '"tabsInfo"', '"tabs_info"', "data.tabsInfo"),
])
def test_other_shape_changes_name_the_field(name, kind, url, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, url, body=body.replace(old, new).encode(), meta={"yq_post": NOTICE.to_dict()})
    assert (exc.value.platform, exc.value.field) == ("weibo", field)


def test_seed_urls_and_their_kinds():
    assert WeiboSpider.search_url("鲜味坊") == SEARCH_URL
    assert WeiboSpider.account_url("2876543210") == "https://m.weibo.cn/api/container/getIndex?type=uid&value=2876543210"
    with pytest.raises(ValueError):
        WeiboSpider.account_url("滨海发布")
    kind = WeiboParser.kind_for_url
    assert kind(SEARCH_URL) == "search"
    assert kind(WeiboSpider.account_url("2876543210")) == "profile"
    assert kind(TIMELINE_URL) == "timeline"
    assert kind("https://m.weibo.cn/detail/5233105066608001") == "detail"
    assert kind("https://m.weibo.cn/statuses/show?id=5233105066608001") == "status"
    assert kind(HOTFLOW_URL) == "comments"
    assert kind("https://m.weibo.cn/") is None
    # Seeds pushed without a kind get the one their URL names.
    assert WeiboSpider().request_from_seed({"url": TIMELINE_URL}).meta["yq_kind"] == "timeline"
    assert (WeiboSpider.search_kind, WeiboSpider.account_kind) == ("search", "profile")


def test_fixture_json_is_what_the_api_sends():
    # Guards against a hand edit that breaks the JSON the tests feed in.
    for name in ("search-p1.json", "timeline-p1.json", "status-show.json", "extend.json", "comments-hotflow.json",
                 "profile.json"):
        assert json.loads((FIXTURES / name).read_text(encoding="utf-8"))["ok"] == 1


# The shared helpers of the Chinese platform parsers, on the values Weibo sends.

@pytest.mark.parametrize("value, count", [
    (57, 57), ("57", 57), ("1.2万", 12000), ("145.5万", 1455000), ("100万+", 1000000), ("3.5亿", 350000000),
    ("1,234", 1234), ("2.3w", 23000), ("", None), ("-", None), (None, None), (True, None), (-1, None),
])
def test_parse_count(value, count):
    assert parse_count(value) == count


@pytest.mark.parametrize("label, region", [
    ("发布于 北京", "北京"), ("IP属地：广东", "广东"), ("IP属地:中国台湾", "中国台湾"), ("来自上海", "上海"),
    ("来自iPhone客户端", None), ("微博 weibo.com", None), ("来自微博视频号", None), ("发布于 ", None), (None, None),
])
def test_region_from_label(label, region):
    assert region_from_label(label) == region


def test_post_markup_to_text():
    markup = ('转发理由<span class="url-icon"><img alt=[哈哈] src="x.png" /></span><br />\n第二行 '
              '<a href="/n/滨海发布">@滨海发布</a><br /><br /><img alt="配图" src="y.jpg">')
    assert html_to_text(markup) == "转发理由[哈哈]\n第二行 @滨海发布"
    assert html_to_text("a <3 b\nline") == "a <3 b\nline"
