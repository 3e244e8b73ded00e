import pytest

from yuqing.schema import Author, Document, DocumentError, canonical_url, make_id, validate


def doc(**overrides):
    values = dict(id="x", platform="news", channel="news", url="https://a.example/p/1",
                  title="标题", content="正文", crawled_at="2025-11-20T06:00:00Z", lang="zh")
    values.update(overrides)
    return Document(**values)


def test_canonical_url_drops_tracking_fragment_default_port_and_sorts_query():
    assert canonical_url("HTTPS://News.Example.com:443/a?b=2&utm_source=x&a=1#top") == \
        "https://news.example.com/a?a=1&b=2"
    assert canonical_url("http://h.example:8080/x") == "http://h.example:8080/x"


def test_make_id_prefers_post_id_and_is_stable():
    by_post = make_id(platform="weibo", post_id="123", url="https://m.weibo.cn/detail/123")
    assert by_post == make_id(platform="weibo", post_id="123")
    assert by_post != make_id(platform="bilibili", post_id="123")
    assert make_id(platform="news", url="https://a.example/x?utm_medium=rss") == \
        make_id(platform="news", url="https://a.example/x")
    with pytest.raises(DocumentError):
        make_id(platform="news")


def test_validate_accepts_a_good_document():
    assert validate(doc()).title == "标题"


@pytest.mark.parametrize("overrides, field", [
    ({"channel": "tv"}, "channel"),
    ({"lang": "fr"}, "lang"),
    ({"url": "ftp://a.example/x"}, "url"),
    ({"title": "", "content": ""}, "content"),
    ({"published_at": "2025-11-20 08:00"}, "published_at"),
    ({"published_at": "1970-01-01T00:00:00Z"}, "published_at"),
    ({"crawled_at": ""}, "crawled_at"),
    ({"id": ""}, "id"),
])
def test_validate_names_the_failing_field(overrides, field):
    with pytest.raises(DocumentError) as info:
        validate(doc(**overrides))
    assert info.value.field == field


def test_negative_engagement_is_refused():
    d = doc()
    d.engagement.likes = -1
    with pytest.raises(DocumentError, match="engagement.likes"):
        validate(d)


def test_round_trip_through_dict():
    d = doc(author=Author(name="张三", id="42"))
    again = Document.from_dict(d.to_dict())
    assert again == d
    with pytest.raises(DocumentError, match="bogus"):
        Document.from_dict({**d.to_dict(), "bogus": 1})
