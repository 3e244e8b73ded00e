from pathlib import Path

import pytest

from crawlers.parsers.base import Page, ParseError
from crawlers.parsers.news import NewsParser
from yuqing.schema import make_id, validate

FIXTURES = Path(__file__).parent / "fixtures" / "news"


def page(name, url="https://news.example.cn/feed.xml", **kw):
    return Page(url=url, body=(FIXTURES / name).read_bytes(), crawled_at="2025-11-21T00:00:00Z", **kw)


def test_rss_items_become_article_links_with_feed_hints():
    result = NewsParser().parse(page("feed.rss.xml"), "feed")
    assert [(l.url, l.kind) for l in result.links] == [
        ("https://news.example.cn/2025/11/recall.html?utm_source=rss", "article"),
        ("https://news.example.cn/2025/11/metro.html", "article"),
    ]
    assert result.links[0].meta == {"feed_published": "Thu, 20 Nov 2025 06:30:00 GMT",
                                    "feed_title": "极光汽车宣布召回部分电池组"}
    assert result.warnings == ["feed_item_without_link"]


def test_atom_uses_the_alternate_link():
    result = NewsParser().parse(page("feed.atom.xml"), "feed")
    assert [l.url for l in result.links] == ["https://tribune.example.com/2025/11/flood-barrier"]
    assert result.links[0].meta["feed_published"] == "2025-11-19T14:00:00-05:00"


def test_sitemap_and_sitemap_index():
    urls = NewsParser().parse(page("sitemap.xml"), "sitemap").links
    assert [(l.url, l.kind) for l in urls] == [
        ("https://news.example.cn/2025/11/recall.html", "article"),
        ("https://news.example.cn/2025/11/metro.html", "article")]
    nested = NewsParser().parse(page("sitemap-index.xml"), "feed").links
    assert [(l.url, l.kind) for l in nested] == [("https://news.example.cn/sitemap-2025-11.xml", "sitemap")]


@pytest.mark.parametrize("body, reason", [
    (b"", "empty_body"),
    ((FIXTURES / "broken-feed.xml").read_bytes(), "broken_feed"),
    (b"<html><body>not a feed</body></html>", "not_a_feed"),
])
def test_bad_listings_raise_parse_errors_with_reasons(body, reason):
    with pytest.raises(ParseError) as info:
        NewsParser().parse(Page(url="https://n.example/feed", body=body), "feed")
    assert info.value.reason == reason


def test_gbk_article_without_header_charset():
    url = "https://news.example.cn/2025/11/recall.html"
    result = NewsParser().parse(page("article-gbk.html", url=url), "article")
    (doc,) = result.documents
    validate(doc)
    assert doc.id == make_id(platform="news", url=url)
    assert doc.title == "极光汽车宣布召回部分电池组"
    assert "单体电压异常" in doc.content and "版权所有" not in doc.content
    assert doc.published_at == "2025-11-20T06:30:00Z"  # 14:30 Beijing time
    assert doc.author.name == "王晓明"
    assert (doc.lang, doc.channel, doc.source) == ("zh", "news", "news.example.cn")


def test_article_date_falls_back_to_the_feed_date():
    body = b"<html><body><h1>Flood barrier</h1>" + b"<p>The council voted for the barrier budget after a long debate about costs and timing.</p>" * 5 + b"</body></html>"
    p = Page(url="https://tribune.example.com/x", body=body,
             meta={"yq_feed_published": "2025-11-19T14:00:00-05:00"}, crawled_at="2025-11-21T00:00:00Z")
    result = NewsParser().parse(p, "article")
    assert result.documents[0].published_at == "2025-11-19T19:00:00Z"
    assert result.warnings == ["date_from_feed"]


def test_non_html_article_is_a_parse_error():
    with pytest.raises(ParseError) as info:
        NewsParser().parse(Page(url="https://n.example/a", body=b"\x89PNG\r\n\x1a\n\x00\x00binary"), "article")
    assert info.value.reason == "not_html"


LIST_HTML = """<html><body><ul class="news-list">
<li><a href="/2025/11/a.html">甲</a></li><li><a href="https://news.example.cn/2025/11/b.html">乙</a></li>
<li><a href="/2025/11/a.html">甲 again</a></li><li><a href="javascript:void(0)">x</a></li></ul>
<div class="pager"><a href="?page=2">下一页</a></div></body></html>""".encode()


def test_list_page_with_configured_rules():
    rules = {"links": "css:ul.news-list a::attr(href)", "next": "xpath://div[@class='pager']/a[text()='下一页']/@href"}
    p = Page(url="https://news.example.cn/list", body=LIST_HTML, meta={"yq_list_rules": rules})
    result = NewsParser().parse(p, "listpage")
    assert [(l.url, l.kind) for l in result.links] == [
        ("https://news.example.cn/2025/11/a.html", "article"),
        ("https://news.example.cn/2025/11/b.html", "article"),
        ("https://news.example.cn/list?page=2", "listpage")]
    assert result.links[-1].meta == {"list_rules": rules}


def test_list_page_rules_that_match_nothing_are_a_shape_error():
    p = Page(url="https://news.example.cn/list", body=LIST_HTML, meta={"yq_list_rules": {"links": "css:div.gone a::attr(href)"}})
    with pytest.raises(ParseError) as info:
        NewsParser().parse(p, "listpage")
    assert info.value.reason == "shape_error" and info.value.field == "links"


def test_list_page_without_rules_says_how_to_configure_them():
    with pytest.raises(ParseError, match="NEWS_LIST_RULES") as info:
        NewsParser().parse(Page(url="https://news.example.cn/list", body=LIST_HTML), "listpage")
    assert info.value.reason == "no_list_rules"


def test_spider_attaches_the_rules_of_the_site(testweb):
    from scrapy.utils.test import get_crawler

    from crawlers.spiders.news import NewsSpider

    rules = {"links": "css:ul.news-list a::attr(href)"}
    crawler = get_crawler(NewsSpider, settings_dict={"NEWS_LIST_RULES": {"127.0.0.1": rules}})
    spider = NewsSpider.from_crawler(crawler)
    request = spider.request_from_seed({"url": f"{testweb.url}/news/", "kind": "listpage"})
    assert request.meta["yq_list_rules"] == rules
    import urllib.request
    body = urllib.request.urlopen(f"{testweb.url}/news/").read()
    result = NewsParser().parse(Page(url=f"{testweb.url}/news/", body=body, meta=request.meta), "listpage")
    manifest = __import__("json").load(urllib.request.urlopen(f"{testweb.url}/manifest.json"))
    articles = {i["url"] for i in manifest["items"] if i["kind"] == "article"}
    assert {l.url for l in result.links} == articles
