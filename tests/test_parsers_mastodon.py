"""Mastodon parser on fixtures shaped like mastodon.social's REST answers
(``tests/fixtures/mastodon``; shapes from the recorded samples, see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.mastodon import MastodonParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
API = "https://mastodon.example/api"
CRAWLED = "2026-01-02T03:04:05Z"


def mid(status_id: str) -> str:
    return make_id(platform="mastodon", post_id=f"mastodon.example:{status_id}")


def parse(name: str, url: str, kind: str, body: bytes | None = None, headers: dict | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers=headers or {"content-type": "application/json; charset=utf-8"}, crawled_at=CRAWLED)
    result = MastodonParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


ALICE = Author(name="Alice Wong ✦", id="alice@mastodon.example", url="https://mastodon.example/@alice", followers=1520)
ROOT = Document(
    id=mid("113500000000000001"), platform="mastodon", channel="social",
    url="https://mastodon.example/@alice/113500000000000001",
    content="Line 3 is down again this morning. #BinhaiMetro\n\nBuses are packed.",
    author=ALICE, published_at="2025-11-20T08:15:30Z", crawled_at=CRAWLED, lang="en",
    source="alice@mastodon.example", post_id="mastodon.example:113500000000000001",
    engagement=Engagement(likes=17, comments=2, reposts=4), tags=["binhaimetro"],
)


def test_tag_timeline_documents_reblogs_and_links():
    link_header = f'<{API}/v1/timelines/tag/binhaimetro?max_id=113500000000000009>; rel="next", <{API}/v1/x>; rel="prev"'
    result = parse("tag-timeline.json", f"{API}/v1/timelines/tag/binhaimetro", "timeline",
                   headers={"link": link_header})
    docs = result.documents
    assert [d.post_id for d in docs] == ["mastodon.example:113500000000000001", "mastodon.example:113499000000000042",
                                         "mastodon.example:113500000000000007", "mastodon.example:113500000000000009"]
    assert docs[0] == ROOT
    original, boost = docs[1], docs[2]
    assert original.author == Author(name="transit", id="transit@city.example", url="https://city.example/@transit",
                                     followers=88)
    assert boost.repost_of == original.id and boost.content == original.content
    assert boost.author.id == "bob@mastodon.example" and boost.published_at == "2025-11-20T07:59:00Z"
    # A reblog has no web page of its own: its ActivityPub id stands in.
    assert boost.url == "https://mastodon.example/users/bob/statuses/113500000000000007"
    assert (boost.engagement.likes, original.engagement.reposts) == (0, 9)
    spoiler = docs[3]
    assert (spoiler.content, spoiler.lang) == ("通勤提醒\n\n滨海地铁3号线又停了，大家注意绕行。", "zh")
    assert result.links == [
        Link(f"{API}/v1/statuses/113500000000000001/context", "context"),
        Link(f"{API}/v1/timelines/tag/binhaimetro?max_id=113500000000000009", "timeline"),
    ]


def test_full_page_without_link_header_pages_by_max_id():
    result = parse("tag-timeline.json", f"{API}/v1/timelines/tag/binhaimetro?limit=3", "timeline")
    assert result.links[-1] == Link(f"{API}/v1/timelines/tag/binhaimetro?limit=3&max_id=113500000000000009", "timeline")
    short = parse("tag-timeline.json", f"{API}/v1/timelines/tag/binhaimetro?limit=40", "timeline")
    assert [link.kind for link in short.links] == ["context"]


def test_context_replies_point_at_their_parents_and_the_thread():
    result = parse("context.json", f"{API}/v1/statuses/113500000000000001/context", "context")
    first, second = result.documents
    assert first == Document(
        id=mid("113500000000000011"), platform="mastodon", channel="social",
        url="https://mastodon.example/@bob/113500000000000011", content="Same here, 40 minutes at Central.",
        author=Author(name="Bob", id="bob@mastodon.example", url="https://mastodon.example/@bob", followers=40),
        published_at="2025-11-20T08:20:00Z", crawled_at=CRAWLED, lang="en", source="bob@mastodon.example",
        post_id="mastodon.example:113500000000000011", parent_id=ROOT.id, thread_id=ROOT.id,
        engagement=Engagement(likes=3, comments=1, reposts=0),
    )
    assert (second.parent_id, second.thread_id) == (first.id, ROOT.id)
    assert second.content == "Operator says 10:00.\nFingers crossed."
    assert result.links == []


def test_search_pages_by_offset_when_full():
    result = parse("search.json", f"{API}/v2/search?q=binhai&type=statuses&limit=1", "search")
    assert [d.post_id for d in result.documents] == ["mastodon.example:113500000000000009"]
    assert result.links == [Link(f"{API}/v2/search?q=binhai&type=statuses&limit=1&offset=1", "search")]


def test_error_envelope_names_the_reason():
    with pytest.raises(ParseError) as exc:
        parse("error-auth.json", f"{API}/v2/search?q=x", "search")
    assert exc.value.reason == "login_required"


@pytest.mark.parametrize("field, path", [
    ("created_at", "statuses[0].created_at"),
    ("acct", "statuses[0].account.acct"),
    ("favourites_count", "statuses[0].favourites_count"),
])
def test_renamed_field_is_a_shape_error_naming_it(field, path):
    data = json.loads((FIXTURES / "tag-timeline.json").read_text(encoding="utf-8"))
    target = data[0]["account"] if field == "acct" else data[0]
    target[f"{field}_v2"] = target.pop(field)
    with pytest.raises(ShapeError) as exc:
        parse("tag-timeline.json", f"{API}/v1/timelines/tag/x", "timeline", body=json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("mastodon", path)


def test_object_where_a_timeline_list_belongs_is_a_shape_error():
    with pytest.raises(ShapeError) as exc:
        parse("search.json", f"{API}/v1/timelines/tag/x", "timeline")
    assert exc.value.field == "statuses"
