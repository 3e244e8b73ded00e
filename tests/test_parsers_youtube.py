"""YouTube parser on fixtures shaped like a watch page, the InnerTube player
JSON and a results page (``tests/fixtures/youtube``; see README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers.base import Link, Page, ParseError, ShapeError
from crawlers.parsers.youtube import YoutubeParser
from yuqing.schema import Author, Document, Engagement, make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
WEB = "https://www.youtube.com"
CRAWLED = "2026-01-02T03:04:05Z"


def parse(name: str, url: str, kind: str, body: bytes | None = None):
    page = Page(url=url, body=(FIXTURES / name).read_bytes() if body is None else body, crawled_at=CRAWLED)
    result = YoutubeParser().parse(page, kind)
    for doc in result.documents:
        validate(doc)
    return result


VIDEO = Document(
    id=make_id(platform="youtube", post_id="yqFix000001"), platform="youtube", channel="video",
    url=f"{WEB}/watch?v=yqFix000001", title="Line 3 outage explained in 5 minutes",
    content="What failed on Line 3, and what the operator promised.\n\nTimestamps:\n0:00 intro",
    author=Author(name="Binhai Explained", id="UCyuqingFixtureChannel01", url=f"{WEB}/channel/UCyuqingFixtureChannel01"),
    published_at="2025-11-20T14:00:08Z", crawled_at=CRAWLED, lang="en", source="Binhai Explained",
    post_id="yqFix000001", engagement=Engagement(likes=1920, comments=1200, views=48213),
    tags=["Binhai", "metro", "signal fault"],
)


def test_watch_page_reads_the_embedded_player_response():
    result = parse("watch.html", f"{WEB}/watch?v=yqFix000001", "watch")
    assert result.documents == [VIDEO] and result.warnings == [] and result.links == []


def test_innertube_player_gives_the_same_video_without_date_and_likes():
    result = parse("player.json", f"{WEB}/youtubei/v1/player", "player")
    assert result.documents == [Document(**{**VIDEO.__dict__, "published_at": None,
                                            "engagement": Engagement(views=48213)})]
    assert result.warnings == ["no_date"]


def test_results_page_links_each_video_once():
    result = parse("results.html", f"{WEB}/results?search_query=binhai+metro", "search")
    assert result.documents == []
    assert result.links == [Link(f"{WEB}/watch?v={v}", "watch") for v in ("yqFix000001", "yqFix000002", "yqFix000003")]


def test_bot_check_is_risk_control():
    with pytest.raises(ParseError) as exc:
        parse("player-login-required.json", f"{WEB}/youtubei/v1/player", "player")
    assert exc.value.reason == "risk_control"


def test_page_without_player_response_is_a_shape_error():
    body = (FIXTURES / "watch.html").read_bytes().replace(b"ytInitialPlayerResponse", b"ytPlayerResponseV2")
    with pytest.raises(ShapeError) as exc:
        parse("watch.html", f"{WEB}/watch?v=yqFix000001", "watch", body)
    assert exc.value.field == "ytInitialPlayerResponse"


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["videoDetails"].pop("viewCount"), "videoDetails.viewCount"),
    (lambda d: d["videoDetails"].__setitem__("channel", d["videoDetails"].pop("channelId")), "videoDetails.channelId"),
    (lambda d: d.__setitem__("details", d.pop("videoDetails")), "videoDetails"),
    (lambda d: d["playabilityStatus"].pop("status"), "playabilityStatus.status"),
])
def test_changed_shape_names_the_field(mutate, path):
    data = json.loads((FIXTURES / "player.json").read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(ShapeError) as exc:
        parse("player.json", f"{WEB}/youtubei/v1/player", "player", json.dumps(data).encode())
    assert (exc.value.platform, exc.value.field) == ("youtube", path)
