"""WeChat parser: Sogou WeChat search, Sogou's redirect hop and article pages
(``tests/fixtures/wechat/README.md`` says where each fixture's shape comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.common import RISK_CONTROL
from crawlers.parsers.wechat import WechatParser
from crawlers.spiders.wechat import WechatSpider
from yuqing.schema import Author, Document, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
CRAWLED = "2025-11-20T08:00:00Z"
SEARCH_URL = "https://weixin.sogou.com/weixin?type=2&query=%E9%B2%9C%E5%91%B3%E5%9D%8A&ie=utf8"
SOGOU_ARTICLE = ("https://mp.weixin.qq.com/s?src=11&timestamp=1763627412&ver=5765&signature=Yk2bq1bmTUo7VwV1-hW"
                 "Fz3k4NRm8vKD5sJcZt*xQ-aN2pWcY6uLdB0rE7fH9iJtGkSlMoPnQrTsUvWx&new=1")
BIZ = "MzA5NzEyMzQ1Ng=="
LINK_PREFIX = "https://weixin.sogou.com/link?url=dn9a_-gY295K0Rci_xozVXfdMkSQTLW6cwJThYulHEtVjXrGTiVgS"
LINK_SUFFIX = "&type=2&query=%E9%B2%9C%E5%91%B3%E5%9D%8A&token=D8F3A1B2C3D4E5F60718293A4B5C6D7E8F9A0B1C691FA1B4"
NOTICE_META = {"yq_title": "关于鲜味坊万达店有关情况的通报", "yq_account": "滨海市场监管",
               "yq_published": "2025-11-20T02:15:00Z"}


def page(name: str, url: str, body: bytes | None = None, meta: dict | None = None) -> Page:
    return Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "text/html; charset=utf-8"}, meta=meta or {}, crawled_at=CRAWLED)


def parse(name: str, kind: str, url: str, **kwargs):
    result = WechatParser().parse(page(name, url, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def test_sogou_results_lead_through_the_redirect_with_their_card():
    result = parse("sogou-search-p1.html", "search", SEARCH_URL)
    assert result.documents == []
    assert result.links == [
        Link(f"{LINK_PREFIX}1C9X6WCwEkR5uVQ2aLwq8tYbEo1{LINK_SUFFIX}", "redirect", NOTICE_META),
        Link(f"{LINK_PREFIX}7PqR3sT9uV1wX5yZ0aB2cD4eF6g{LINK_SUFFIX}", "redirect",
             {"yq_title": "鲜味坊回应：已停业自查", "yq_account": "滨海财经观察", "yq_published": "2025-11-20T06:12:00Z"}),
        Link("https://weixin.sogou.com/weixin?query=%E9%B2%9C%E5%91%B3%E5%9D%8A&_sug_type_=&s_from=input&_sug_=n"
             "&type=2&page=2&ie=utf8", "search"),
    ]


def test_redirect_page_assembles_the_article_url():
    result = parse("sogou-link.html", "redirect", f"{LINK_PREFIX}1C9X6WCwEkR5uVQ2aLwq8tYbEo1{LINK_SUFFIX}",
                   meta=NOTICE_META)
    assert result.links == [Link(SOGOU_ARTICLE, "article", NOTICE_META)]


def test_article_is_keyed_by_account_message_and_position():
    result = parse("article.html", "article", SOGOU_ARTICLE, meta=NOTICE_META)
    assert result.documents == [Document(
        id=make_id(platform="wechat", post_id=f"{BIZ}:2650012345:1"), platform="wechat", channel="self-media",
        url="https://mp.weixin.qq.com/s?__biz=MzA5NzEyMzQ1Ng%3D%3D&mid=2650012345&idx=1&sn=3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
        title="关于鲜味坊万达店有关情况的通报",
        content="11月19日晚，网传“鲜味坊万达店后厨使用过期食材”视频引发关注。 市市场监管局连夜组织执法人员赴该店检查。\n"
                "经查，该店冷柜内存放超过保质期的鸡腿肉12公斤。执法人员已依法查封，并责令门店停业整改。\n"
                "滨海市市场监督管理局\n2025年11月20日",
        author=Author(name="滨海市场监管", id="gh_a1b2c3d4e5f6",
                      url="https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz=MzA5NzEyMzQ1Ng%3D%3D"),
        # "var ct" is exact where the page only shows "今天".
        published_at="2025-11-20T02:15:00Z", crawled_at=CRAWLED, lang="zh", source="滨海市场监管",
        post_id=f"{BIZ}:2650012345:1", region_hint="江苏",
    )]


def test_ip_location_from_the_script_when_not_rendered():
    body = (FIXTURES / "article.html").read_text(encoding="utf-8").replace('<span id="js_ip_wording">江苏</span>', "")
    (doc,) = parse("article.html", "article", SOGOU_ARTICLE, body=body.encode()).documents
    assert doc.region_hint == "江苏"


@pytest.mark.parametrize("kind, url, body, reason", [
    ("search", "https://weixin.sogou.com/antispider/?from=%2Fweixin%3Ftype%3D2%26query%3D%E9%B2%9C", b"<html></html>",
     RISK_CONTROL),
    ("search", SEARCH_URL, '<html><body><form name="authform" id="seccodeForm"><input name="c"></form>'
     '<p>用户您好，我们的系统检测到您网络中存在异常访问请求。</p></body></html>'.encode(), RISK_CONTROL),
    ("article", SOGOU_ARTICLE, '<html><body><div class="weui-msg"><p class="weui-msg__title">环境异常</p>'
     '<p>当前环境异常，完成验证后即可继续访问。</p></div></body></html>'.encode(), RISK_CONTROL),
    ("article", SOGOU_ARTICLE, '<html><body><div class="global_error_msg">该内容已被发布者删除</div></body></html>'.encode(),
     "not_found"),
    ("article", SOGOU_ARTICLE, '<html><body><div class="global_error_msg">链接已过期</div></body></html>'.encode(),
     "link_expired"),
])
def test_blocked_deleted_and_expired_pages(kind, url, body, reason):
    with pytest.raises(ParseError) as exc:
        parse("article.html", kind, url, body=body)
    assert exc.value.reason == reason


@pytest.mark.parametrize("name, kind, old, new, field", [
    ("article.html", "article", 'id="activity-name"', 'id="title"', "activity-name"),
    ("article.html", "article", 'id="js_content"', 'id="content"', "js_content"),
    ("article.html", "article", 'var biz = "MzA5NzEyMzQ1Ng=="||""', 'var bizid = "MzA5NzEyMzQ1Ng=="', "biz"),
    ("sogou-search-p1.html", "search", 'class="news-list"', 'class="result-list"', "news-list"),
    ("sogou-search-p1.html", "search", '<div class="txt-box">', '<div class="text-box">', "txt-box h3 a"),
    ("sogou-link.html", "redirect", "url += ", "link += ", "url"),
])
def test_shape_changes_name_the_field(name, kind, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    body = body.replace(old, new)
    if field == "biz":
        body = body.replace("__biz=MzA5NzEyMzQ1Ng==", "")
    with pytest.raises(ShapeError) as exc:
        parse(name, kind, SOGOU_ARTICLE if kind == "article" else SEARCH_URL, body=body.encode())
    assert (exc.value.platform, exc.value.field) == ("wechat", field)


def test_seeding():
    assert WechatSpider.search_url("鲜味坊") == SEARCH_URL
    kind = WechatParser.kind_for_url
    assert [kind(SEARCH_URL), kind(f"{LINK_PREFIX}x"), kind(SOGOU_ARTICLE), kind("https://example.com/")] == [
        "search", "redirect", "article", None]
    assert WechatSpider().request_from_seed({"url": SOGOU_ARTICLE}).meta["yq_kind"] == "article"
