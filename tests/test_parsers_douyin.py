"""Douyin parser on fixtures shaped like ``aweme/post`` answers, fetched
directly or captured from a rendered creator page (``tests/fixtures/douyin``;
see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.douyin import DouyinParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "douyin"
SHARE_API = "https://www.iesdouyin.com/web/api/v2/aweme/post/?sec_uid=MS4wLjABAAAAfixtureCreatorSecUid0001&count=2"
WEB_API = "https://www.douyin.com/aweme/v1/web/aweme/post/?sec_user_id=MS4wLjABAAAAfixtureCreatorSecUid0001&max_cursor=0"
USER_PAGE = "https://www.douyin.com/user/MS4wLjABAAAAfixtureCreatorSecUid0001"
CRAWLED = "2026-01-02T03:04:05Z"
CREATOR = Author(name="滨海骑手小周", id="58000000001", url="https://www.douyin.com/user/MS4wLjABAAAAfixtureCreatorSecUid0001",
                 followers=12045, verified=False)


def parse_page(page: Page, kind: str):
    result = DouyinParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


def api_page(name: str = "aweme-post.json", body: bytes | None = None) -> Page:
    return Page(url=SHARE_API, body=(FIXTURES / name).read_bytes() if body is None else body, crawled_at=CRAWLED)


def rendered_page(*bodies: str) -> Page:
    """A creator page as the browser spider hands it over: DOM plus captured XHR."""
    xhr = [{"url": f"{WEB_API}&n={n}", "status": 200, "body": body} for n, body in enumerate(bodies)]
    xhr.append({"url": "https://www.douyin.com/aweme/v1/web/im/spotlight/relation/", "status": 200, "body": "{}"})
    return Page(url=USER_PAGE, body=b"<html><body><ul data-e2e='user-post-list'></ul></body></html>",
                meta={"yq_xhr": xhr}, crawled_at=CRAWLED)


def test_share_api_posts_dates_from_ids_and_cursor_link():
    result = parse_page(api_page(), "post_api")
    (doc,) = result.documents
    assert doc == Document(
        id=make_id(platform="douyin", post_id="7441234567890123456"), platform="douyin", channel="video",
        url="https://www.douyin.com/video/7441234567890123456", content="下雨天送餐，一小时跑了九单#外卖小哥#",
        author=CREATOR, published_at="2024-11-25T15:10:34Z", crawled_at=CRAWLED, lang="zh", source="滨海骑手小周",
        post_id="7441234567890123456", engagement=Engagement(likes=4517, comments=479, reposts=27),
        tags=["外卖小哥"],
    )
    assert result.warnings == ["date_from_id", "empty_post"]
    assert result.links == [Link(f"{SHARE_API}&max_cursor=1732000000000", "post_api")]


def test_rendered_creator_page_reads_the_captured_post_lists():
    body = (FIXTURES / "web-aweme-post.json").read_text(encoding="utf-8")
    result = parse_page(rendered_page(body), "user")
    first, second = result.documents
    assert (first.post_id, first.published_at, first.region_hint, first.tags) == (
        "7574000000000000001", "2025-11-20T14:46:40Z", "广东", ["滨海台风"])
    assert first.engagement == Engagement(likes=15620, comments=2304, reposts=688)
    assert (second.content, second.published_at) == ("凌晨两点的城中村", "2025-11-20T00:53:20Z")
    # Scrolling is the browser's pagination: no links, no warnings.
    assert result.links == [] and result.warnings == []


def test_page_without_captured_lists_is_an_error_and_captcha_is_risk_control():
    with pytest.raises(ParseError) as exc:
        parse_page(Page(url=USER_PAGE, body=b"<html></html>", meta={"yq_xhr": []}), "user")
    assert exc.value.reason == "no_xhr"
    captcha = Page(url=USER_PAGE, body="<html><div id='captcha_container'>验证码</div></html>".encode())
    with pytest.raises(ParseError) as exc:
        parse_page(captcha, "user")
    assert exc.value.reason == "risk_control"


@pytest.mark.parametrize("page", [api_page(body=b""), rendered_page("")], ids=["api", "captured"])
def test_empty_answer_is_risk_control(page):
    with pytest.raises(ParseError) as exc:
        parse_page(page, "post_api" if page.url == SHARE_API else "user")
    assert exc.value.reason == "risk_control"


def test_error_status_code():
    with pytest.raises(ParseError) as exc:
        parse_page(api_page("error.json"), "post_api")
    assert exc.value.reason == "risk_control"


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["aweme_list"][0]["statistics"].pop("digg_count"), "xhr[0].aweme_list[0].statistics.digg_count"),
    (lambda d: d["aweme_list"][1]["author"].pop("sec_uid"), "xhr[0].aweme_list[1].author.sec_uid"),
    (lambda d: d.__setitem__("data", d.pop("aweme_list")), "xhr[0].aweme_list"),
])
def test_changed_shape_names_the_field(mutate, path):
    data = json.loads((FIXTURES / "web-aweme-post.json").read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse_page(rendered_page(json.dumps(data, ensure_ascii=False)), "user")
    assert (exc.value.platform, exc.value.field) == ("douyin", path)
