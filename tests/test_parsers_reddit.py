"""Reddit parser on fixtures shaped like Reddit's JSON listings and comment
pages (``tests/fixtures/reddit``; shapes from the recorded samples, see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.reddit import RedditParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
WEB = "https://www.reddit.com"
CRAWLED = "2026-01-02T03:04:05Z"


def rid(fullname: str) -> str:
    return make_id(platform="reddit", post_id=fullname)


def parse(name: str, url: str, kind: str, body: bytes | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json; charset=UTF-8"}, crawled_at=CRAWLED)
    result = RedditParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


SUBMISSION = Document(
    id=rid("t3_1gx0001"), platform="reddit", channel="forum",
    url=f"{WEB}/r/Binhai/comments/1gx0001/line_3_down_again/", title="Line 3 down again?",
    content="Third time this month. Anyone know why?",
    author=Author(name="commuter_88", id="t2_commut", url=f"{WEB}/user/commuter_88"),
    published_at="2025-11-20T08:00:00Z", crawled_at=CRAWLED, lang="en", source="r/Binhai", post_id="t3_1gx0001",
    engagement=Engagement(likes=152, comments=3), tags=["Transit"],
)


def test_listing_documents_comment_links_and_after_pagination():
    result = parse("new.json", f"{WEB}/r/Binhai/new.json?limit=2&raw_json=1", "listing")
    submission, link_post = result.documents
    assert submission == SUBMISSION
    # Link posts carry the shared URL; deleted authors are anonymous.
    assert (link_post.content, link_post.author, link_post.engagement.comments) == (
        "https://news.example/aurora-s7-recall", Author(), 0)
    assert result.links == [
        Link(f"{WEB}/comments/1gx0001.json?sort=new&limit=500", "comments"),
        Link(f"{WEB}/r/Binhai/new.json?limit=2&raw_json=1&after=t3_1gx0002", "listing"),
    ]


def test_comment_tree_becomes_parent_links():
    result = parse("comments.json", f"{WEB}/comments/1gx0001.json?sort=new&limit=500", "comments")
    submission, top, nested = result.documents
    assert submission == SUBMISSION
    assert top == Document(
        id=rid("t1_lz00001"), platform="reddit", channel="forum",
        url=f"{WEB}/r/Binhai/comments/1gx0001/line_3_down_again/lz00001/",
        content="Signal fault at Harbour Rd according to the operator.",
        author=Author(name="railfan", id="t2_railfa", url=f"{WEB}/user/railfan"),
        published_at="2025-11-20T08:06:40Z", crawled_at=CRAWLED, lang="en", source="r/Binhai",
        post_id="t1_lz00001", parent_id=SUBMISSION.id, thread_id=SUBMISSION.id, engagement=Engagement(likes=41),
    )
    # Negative scores are clamped: engagement counts are never negative.
    assert (nested.parent_id, nested.thread_id, nested.engagement.likes) == (top.id, SUBMISSION.id, 0)
    assert result.warnings == ["deleted_comment"] and result.links == []


def test_refusal_envelope_is_risk_control():
    with pytest.raises(ParseError) as exc:
        parse("error-403.json", f"{WEB}/r/Binhai/new.json", "listing")
    assert exc.value.reason == "risk_control"


@pytest.mark.parametrize("mutate, kind, path", [
    (lambda d: d["data"]["children"][0]["data"].pop("created_utc"), "listing", "data.children[0].data.created_utc"),
    (lambda d: d["data"]["children"][1]["data"].__setitem__("num_comments", None), "listing",
     "data.children[1].data.num_comments"),
    (lambda d: d.__setitem__("kind", "Page"), "listing", "kind"),
    (lambda d: d[1]["data"]["children"][0]["data"]["replies"]["data"]["children"][0]["data"].pop("parent_id"),
     "comments", "[1].data.children[0].data.replies.data.children[0].data.parent_id"),
])
def test_changed_shape_names_the_field(mutate, kind, path):
    name = "new.json" if kind == "listing" else "comments.json"
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse(name, f"{WEB}/r/Binhai/new.json", kind, body=json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("reddit", path)
