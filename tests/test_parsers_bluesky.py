"""Bluesky parser on fixtures shaped like the public AppView's XRPC answers
(``tests/fixtures/bluesky``; shapes from the recorded samples, see README)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.bluesky import BlueskyParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
XRPC = "https://public.api.bsky.app/xrpc"
CRAWLED = "2026-01-02T03:04:05Z"
CITY_DID, ANN_DID = "did:plc:cityxxxxxxxxxxxxxxxxxxx2", "did:plc:annxxxxxxxxxxxxxxxxxxxx1"
ROOT_URI = f"at://{CITY_DID}/app.bsky.feed.post/3lpa00000001a"
REPLY_URI = f"at://{ANN_DID}/app.bsky.feed.post/3lpa00000002b"


def bid(uri: str) -> str:
    return make_id(platform="bluesky", post_id=uri)


def parse(name: str, url: str, kind: str, body: bytes | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body,
                headers={"content-type": "application/json; charset=utf-8"}, crawled_at=CRAWLED)
    result = BlueskyParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


CITY = Author(name="Binhai Transit", id=CITY_DID, url="https://bsky.app/profile/binhai-transit.bsky.social")
ANN = Author(name="Ann Lee", id=ANN_DID, url="https://bsky.app/profile/ann.bsky.social")
ROOT = Document(
    id=bid(ROOT_URI), platform="bluesky", channel="social",
    url="https://bsky.app/profile/binhai-transit.bsky.social/post/3lpa00000001a",
    content="Line 3 service is suspended between Harbour Rd and Central. #BinhaiMetro",
    author=CITY, published_at="2025-11-20T00:10:00Z", crawled_at=CRAWLED, lang="en",
    source="binhai-transit.bsky.social", post_id=ROOT_URI,
    engagement=Engagement(likes=120, comments=2, reposts=45), tags=["BinhaiMetro"],
)
REPLY = Document(
    id=bid(REPLY_URI), platform="bluesky", channel="social",
    url="https://bsky.app/profile/ann.bsky.social/post/3lpa00000002b", content="Any shuttle buses?",
    author=ANN, published_at="2025-11-20T00:12:30Z", crawled_at=CRAWLED, lang="en", source="ann.bsky.social",
    post_id=REPLY_URI, parent_id=bid(ROOT_URI), thread_id=bid(ROOT_URI),
    engagement=Engagement(likes=3, comments=1, reposts=0),
)


def thread_link(uri: str) -> Link:
    return Link(f"{XRPC}/app.bsky.feed.getPostThread?uri={quote(uri, safe='')}&depth=10&parentHeight=0", "thread")


def test_search_posts():
    result = parse("search-posts.json", f"{XRPC}/app.bsky.feed.searchPosts?q=line+3&limit=4", "search")
    root, reply, quote_post, zh = result.documents
    assert (root, reply) == (ROOT, REPLY)
    # A quote without words of its own carries the quoted text and points at it.
    assert (quote_post.content, quote_post.repost_of) == (ROOT.content, ROOT.id)
    assert (zh.lang, zh.content) == ("zh", "地铁停运，今天只能骑车上班了")
    assert result.links == [thread_link(ROOT_URI), thread_link(REPLY_URI),
                            Link(f"{XRPC}/app.bsky.feed.searchPosts?q=line+3&limit=4&cursor=4", "search")]


def test_author_feed_repost_is_a_document_of_the_reposter():
    result = parse("author-feed.json", f"{XRPC}/app.bsky.feed.getAuthorFeed?actor=ann.bsky.social", "feed")
    zh, root, repost, reply = result.documents
    assert root == ROOT and reply == REPLY
    assert repost == Document(
        id=bid(f"{ROOT_URI}#repost/{ANN_DID}"), platform="bluesky", channel="social", url=ROOT.url,
        content=ROOT.content, author=ANN, published_at="2025-11-20T00:30:00Z", crawled_at=CRAWLED, lang="en",
        source="ann.bsky.social", post_id=f"{ROOT_URI}#repost/{ANN_DID}", repost_of=ROOT.id, tags=["BinhaiMetro"],
    )
    assert result.links[-1] == Link(f"{XRPC}/app.bsky.feed.getAuthorFeed?actor=ann.bsky.social"
                                    "&cursor=2025-11-20T00%3A12%3A30.561Z", "feed")


def test_thread_replies_and_missing_posts():
    result = parse("post-thread.json", f"{XRPC}/app.bsky.feed.getPostThread?uri=x", "thread")
    root, reply, reply2 = result.documents
    assert (root, reply) == (ROOT, REPLY)
    assert (reply2.parent_id, reply2.thread_id) == (REPLY.id, ROOT.id)
    # The thread answer holds the replies already: nothing more to fetch.
    assert result.links == []


def test_error_envelope():
    body = b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}'
    with pytest.raises(ParseError) as exc:
        parse("search-posts.json", f"{XRPC}/app.bsky.feed.searchPosts?q=x", "search", body=body)
    assert exc.value.reason == "rate_limited"


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["posts"][1]["record"].pop("createdAt"), "posts[1].record.createdAt"),
    (lambda d: d["posts"][0].__setitem__("likeCount", "many"), "posts[0].likeCount"),
    (lambda d: d["posts"][1]["record"]["reply"]["parent"].pop("uri"), "posts[1].record.reply.parent.uri"),
    (lambda d: d.__setitem__("items", d.pop("posts")), "posts"),
])
def test_changed_shape_names_the_field(mutate, path):
    data = json.loads((FIXTURES / "search-posts.json").read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse("search-posts.json", f"{XRPC}/app.bsky.feed.searchPosts?q=x", "search", body=json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("bluesky", path)
