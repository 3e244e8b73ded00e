"""Hacker News parser on fixtures shaped like the Algolia HN Search API
(``tests/fixtures/hackernews``; shapes from the recorded samples, see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.hackernews import HackerNewsParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "hackernews"
ALGOLIA = "https://hn.algolia.com/api/v1"
CRAWLED = "2026-01-02T03:04:05Z"


def hid(item_id: int) -> str:
    return make_id(platform="hackernews", post_id=str(item_id))


def parse(name: str, url: str, kind: str, body: bytes | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json; charset=utf-8"}, crawled_at=CRAWLED)
    result = HackerNewsParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


def author(name: str) -> Author:
    return Author(name=name, id=name, url=f"https://news.ycombinator.com/user?id={name}")


STORY = Document(
    id=hid(46010001), platform="hackernews", channel="forum", url="https://news.ycombinator.com/item?id=46010001",
    title="Binhai Metro publishes its signal fault report", content="https://transit.example/report",
    author=author("trainspotter"), published_at="2025-11-20T09:00:00Z", crawled_at=CRAWLED, lang="en",
    source="news.ycombinator.com", post_id="46010001", engagement=Engagement(likes=212, comments=3),
    tags=["front_page"],
)
COMMENT = Document(
    id=hid(46010007), platform="hackernews", channel="forum", url="https://news.ycombinator.com/item?id=46010007",
    content='The interlocking was 30 years old.\n\nReplacing it is a "multi-year" job.',
    author=author("ops_person"), published_at="2025-11-20T09:30:00Z", crawled_at=CRAWLED, lang="en",
    source="news.ycombinator.com", post_id="46010007", parent_id=hid(46010001), thread_id=hid(46010001),
)


def test_search_hits_item_links_and_next_page():
    url = f"{ALGOLIA}/search_by_date?query=metro&tags=(story,comment)&hitsPerPage=2"
    result = parse("search-by-date.json", url, "search")
    assert result.documents == [STORY, COMMENT]
    assert result.links == [
        Link(f"{ALGOLIA}/items/46010001", "item"),
        Link(f"{ALGOLIA}/search_by_date?query=metro&tags=%28story%2Ccomment%29&hitsPerPage=2&page=1", "search"),
    ]


def test_last_page_has_no_next_link():
    data = json.loads((FIXTURES / "search-by-date.json").read_text(encoding="utf-8"))
    data["page"] = 2
    result = parse("search-by-date.json", f"{ALGOLIA}/search?query=metro&page=2", "search", json.dumps(data).encode())
    assert [link.kind for link in result.links] == ["item"]


def test_item_tree_gives_every_comment_its_parent():
    result = parse("item.json", f"{ALGOLIA}/items/46010001", "item")
    story, comment, reply = result.documents
    # The tree counts its comments, deleted ones included (as HN does).
    assert story == Document(**{**STORY.__dict__, "tags": [], "engagement": Engagement(likes=212, comments=3)})
    assert comment == COMMENT
    assert (reply.content, reply.parent_id, reply.thread_id) == ("Source?", COMMENT.id, STORY.id)
    assert result.warnings == ["deleted_item"] and result.links == []


def test_error_envelope():
    with pytest.raises(ParseError) as exc:
        parse("item.json", f"{ALGOLIA}/items/1", "item", body=b'{"status":404,"error":"Not Found"}')
    assert exc.value.reason == "not_found"


@pytest.mark.parametrize("mutate, kind, path", [
    (lambda d: d["hits"][0].pop("objectID"), "search", "hits[0].objectID"),
    (lambda d: d["hits"][1].__setitem__("created_at_i", "yesterday"), "search", "hits[1].created_at_i"),
    (lambda d: d.pop("nbPages"), "search", "nbPages"),
    (lambda d: d["children"][0]["children"][0].pop("parent_id"), "item", "children[0].children[0].parent_id"),
])
def test_changed_shape_names_the_field(mutate, kind, path):
    name = "search-by-date.json" if kind == "search" else "item.json"
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse(name, f"{ALGOLIA}/search?query=x", kind, body=json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("hackernews", path)
