"""V2EX parser on fixtures shaped like V2EX API v1 answers
(``tests/fixtures/v2ex``; shapes from the recorded sample, see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.v2ex import V2exParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "v2ex"
API = "https://www.v2ex.com/api"
CRAWLED = "2026-01-02T03:04:05Z"
TOPIC_ID = make_id(platform="v2ex", post_id="topic:1171001")


def parse(name: str, url: str, kind: str, body: bytes | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json;charset=UTF-8"}, crawled_at=CRAWLED)
    result = V2exParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


def test_topics_and_reply_links():
    result = parse("latest.json", f"{API}/topics/latest.json", "topics")
    topic, english = result.documents
    assert topic == Document(
        id=TOPIC_ID, platform="v2ex", channel="forum", url="https://www.v2ex.com/t/1171001",
        title="滨海地铁 3 号线这个月第三次停运了", content="早上在中心站等了四十分钟。\n有没有人知道原因？",
        author=Author(name="binhai_dev", id="80001", url="https://www.v2ex.com/member/binhai_dev"),
        published_at="2025-11-20T02:40:00Z", crawled_at=CRAWLED, lang="zh", source="www.v2ex.com",
        post_id="topic:1171001", engagement=Engagement(comments=2), tags=["问与答"],
    )
    # A title-only topic is still a document; it has no replies to fetch.
    assert (english.content, english.lang, english.tags) == ("", "en", ["汽车"])
    assert result.links == [Link(f"{API}/replies/show.json?topic_id=1171001", "replies")]


def test_replies_hang_under_their_topic():
    result = parse("replies.json", f"{API}/replies/show.json?topic_id=1171001", "replies")
    (reply,) = result.documents
    assert reply == Document(
        id=make_id(platform="v2ex", post_id="reply:15900001"), platform="v2ex", channel="forum",
        url="https://www.v2ex.com/t/1171001#r_15900001", content="信号系统故障，官方微博发了说明。",
        author=Author(name="railfan", id="80003", url="https://www.v2ex.com/member/railfan"),
        published_at="2025-11-20T02:50:00Z", crawled_at=CRAWLED, lang="zh", source="www.v2ex.com",
        post_id="reply:15900001", parent_id=TOPIC_ID, thread_id=TOPIC_ID, engagement=Engagement(likes=3),
    )
    # An image-only reply has no text to index.
    assert result.warnings == ["empty_reply"]


def test_error_envelope():
    with pytest.raises(ParseError) as exc:
        parse("error-not-found.json", f"{API}/topics/show.json?id=1", "topics")
    assert exc.value.reason == "not_found"


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d[0]["member"].pop("username"), "[0].member.username"),
    (lambda d: d[0].__setitem__("topic_id", d[0].pop("id")), "[0].id"),
    (lambda d: d[0].__setitem__("replies", True), "[0].replies"),
    (lambda d: d[1].pop("node"), "[1].node"),
])
def test_changed_shape_names_the_field(mutate, path):
    data = json.loads((FIXTURES / "latest.json").read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse("latest.json", f"{API}/topics/latest.json", "topics", json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("v2ex", path)
