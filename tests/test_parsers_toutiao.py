"""Toutiao parser on article pages in the three layouts Toutiao has used and
on the search API (``tests/fixtures/toutiao/README.md`` says where each
fixture's shape comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.common import RISK_CONTROL
from crawlers.parsers.toutiao import ToutiaoParser
from crawlers.spiders.toutiao import ToutiaoSpider
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "toutiao"
CRAWLED = "2025-11-20T08:00:00Z"
SEARCH_URL = ("https://www.toutiao.com/api/search/content/?aid=24&app_name=web_search&offset=0&format=json"
              "&keyword=%E9%B2%9C%E5%91%B3%E5%9D%8A&autoload=true&count=20&en_qc=1&cur_tab=1&from=search_tab"
              "&pd=synthesis")
NOTICE_ID = "7304512345678901234"
STATEMENT_ID = "7304611122233344556"
WANBAO = Author(name="滨海晚报", id="50012345678", url="https://www.toutiao.com/c/user/50012345678/")


def url(group_id: str) -> str:
    return f"https://www.toutiao.com/article/{group_id}/"


def page(name: str, address: str, body: bytes | None = None) -> Page:
    kind = "application/json" if name.endswith(".json") else "text/html; charset=utf-8"
    return Page(url=address, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": kind}, crawled_at=CRAWLED)


def parse(name: str, kind: str, address: str, **kwargs):
    result = ToutiaoParser().parse(page(name, address, **kwargs), kind)
    for doc in result.documents:
        validate(doc)
    return result


def test_article_2019_layout_with_base_data():
    result = parse("article-2019.html", "article", f"https://www.toutiao.com/a{NOTICE_ID}/")
    assert result.documents == [Document(
        id=make_id(platform="toutiao", post_id=NOTICE_ID), platform="toutiao", channel="self-media", url=url(NOTICE_ID),
        title="鲜味坊万达店停业整改，市场监管局通报调查进展",
        content="11月19日晚，一段“鲜味坊万达店后厨使用过期食材”的视频在网上流传。滨海市市场监管局连夜组织执法人员赴该店检查。\n"
                "门店已张贴停业告示\n"
                "现场查封过期鸡腿肉12公斤，责令门店停业整改。涉事企业其他门店同步开展排查， 调查结果将及时向社会公布。",
        author=WANBAO, published_at="2025-11-20T01:30:12Z", crawled_at=CRAWLED, lang="zh", source="滨海晚报",
        post_id=NOTICE_ID, engagement=Engagement(comments=2), tags=["食品安全", "滨海"],
    )]
    assert result.links == []


def test_gallery_captions_are_the_text():
    (doc,) = parse("gallery-2019.html", "article", "https://www.toutiao.com/a7304598765432109876/").documents
    assert (doc.title, doc.content) == ("鲜味坊万达店现场：门口已贴停业告示", "门口贴出的停业整改告示。\n同商场的其他餐饮店照常营业。")
    assert doc.author == Author(name="滨海随手拍", id="60012345678", url="https://www.toutiao.com/c/user/60012345678/")
    assert (doc.published_at, doc.engagement, doc.url) == ("2025-11-20T03:05:40Z", Engagement(comments=0),
                                                          url("7304598765432109876"))


def test_article_2021_layout_without_base_data():
    (doc,) = parse("article-2023.html", "article", url(STATEMENT_ID)).documents
    token = "MS4wLjABAAAAx7Qm2nR5bVt3kLp9sWqYz1cD4eF6gH8iJ0kL2mN4oP"
    assert doc == Document(
        id=make_id(platform="toutiao", post_id=STATEMENT_ID), platform="toutiao", channel="self-media",
        url=url(STATEMENT_ID), title="鲜味坊回应：已停业自查，全部门店排查冷链",
        content="11月20日，鲜味坊餐饮管理有限公司发布声明，称万达店已停业自查。\n声明称，公司已对全部门店的冷链和库存进行排查，\n"
                "并将配合监管部门调查。",
        author=Author(name="滨海财经观察", id=token, url=f"https://www.toutiao.com/c/user/token/{token}/"),
        published_at="2025-11-20T06:12:00Z", crawled_at=CRAWLED, lang="zh", source="滨海财经观察",
        post_id=STATEMENT_ID, region_hint="江苏",
    )


def test_search_cards_are_lightweight_documents_leading_to_articles():
    result = parse("search-p1.json", "search", SEARCH_URL)
    card, second = result.documents  # the "大家都在搜" card is no article
    assert card == Document(
        id=make_id(platform="toutiao", post_id=NOTICE_ID), platform="toutiao", channel="self-media", url=url(NOTICE_ID),
        title="鲜味坊万达店停业整改，市场监管局通报调查进展",
        content="11月19日晚，一段“鲜味坊万达店后厨使用过期食材”的视频在网上流传……",
        author=Author(name="滨海晚报", id="50012345678", url="https://www.toutiao.com/c/user/50012345678/", verified=True),
        published_at="2025-11-20T01:30:12Z", crawled_at=CRAWLED, lang="zh", source="滨海晚报", post_id=NOTICE_ID,
        engagement=Engagement(likes=0, comments=2, views=12034),
    )
    assert second.id == make_id(platform="toutiao", post_id=STATEMENT_ID)
    assert result.links == [Link(url(NOTICE_ID), "article"), Link(url(STATEMENT_ID), "article"),
                            Link(SEARCH_URL.replace("&offset=0", "") + "&offset=20", "search")]


@pytest.mark.parametrize("kind, body, reason", [
    ("search", b'{"message": "error", "data": null, "has_more": 0}', RISK_CONTROL),
    ("search", "<html><body><div id='verify'>请完成下列验证后继续</div></body></html>".encode(), RISK_CONTROL),
    ("article", b"<html><head><script>var __ac_nonce='0656f1a2b003';window.byted_acrawler.init({aid:24});"
                b"</script></head><body></body></html>", RISK_CONTROL),
    ("search", b"", "empty_body"),
])
def test_blocked_answers_are_parse_errors(kind, body, reason):
    with pytest.raises(ParseError) as exc:
        if kind == "search":
            parse("search-p1.json", kind, SEARCH_URL, body=body)
        else:
            parse("article-2019.html", kind, url(NOTICE_ID), body=body)
    assert exc.value.reason == reason


@pytest.mark.parametrize("name, old, new, field", [
    ("article-2019.html", 'class="article-', 'class="post-', "article-content"),
    ("article-2019.html", '<h1 class="article-title">', '<h2 class="article-title">', "title"),
    ("article-2019.html", "<span>2025-11-20 09:30:12</span>", "<span>今天上午</span>", "publish_time"),
    ("article-2023.html", "<article ", "<section ", "article-content"),
    ("gallery-2019.html", '<h2 class="title">', '<h3 class="title">', "title"),
])
def test_article_shape_changes_name_the_field(name, old, new, field):
    body = (FIXTURES / name).read_text(encoding="utf-8")
    assert old in body
    body = body.replace(old, new)
    if field == "publish_time":
        body = body.replace("time: '2025-11-20 09:30:12'", "time: ''")
    with pytest.raises(ShapeError) as exc:
        parse(name, "article", url(NOTICE_ID), body=body.encode())
    assert (exc.value.platform, exc.value.field) == ("toutiao", field)


@pytest.mark.parametrize("old, new, field", [
    ('"data"', '"items"', "data"),
    ('"media_name"', '"author_name"', "data.media_name"),
    ('"publish_time": 1763602212', '"publish_time": "soon"', "data.publish_time"),
])
def test_search_shape_changes_name_the_field(old, new, field):
    body = (FIXTURES / "search-p1.json").read_text(encoding="utf-8")
    assert old in body
    with pytest.raises(ShapeError) as exc:
        parse("search-p1.json", "search", SEARCH_URL, body=body.replace(old, new).encode())
    assert (exc.value.platform, exc.value.field) == ("toutiao", field)


def test_seeding():
    assert ToutiaoSpider.search_url("鲜味坊") == SEARCH_URL
    assert ToutiaoParser.kind_for_url(SEARCH_URL) == "search"
    assert ToutiaoParser.kind_for_url(f"https://www.toutiao.com/a{NOTICE_ID}/") == "article"
    assert ToutiaoParser.kind_for_url(url(NOTICE_ID)) == "article"
    request = ToutiaoSpider().request_from_seed({"url": url(NOTICE_ID)})
    assert request.meta["yq_kind"] == "article" and request.meta["playwright"] is True
