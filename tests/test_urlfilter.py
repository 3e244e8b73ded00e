import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawlers.middlewares.urlfilter import UrlFilterMiddleware, is_private_host


@pytest.mark.parametrize("host, private", [
    ("127.0.0.1", True), ("10.0.0.1", True), ("192.168.1.5", True), ("169.254.1.1", True),
    ("localhost", True), ("[::1]", True), ("8.8.8.8", False), ("93.184.216.34", False),
])
def test_private_hosts(host, private):
    assert is_private_host(host) is private


def make(allow_private=False):
    crawler = get_crawler(settings_dict={"URLFILTER_ALLOW_PRIVATE": allow_private})
    return UrlFilterMiddleware.from_crawler(crawler), crawler


def test_private_seed_is_refused_by_default_and_counted():
    mw, crawler = make()
    for url in ("http://127.0.0.1:8000/feed.xml", "http://10.0.0.1/"):
        with pytest.raises(IgnoreRequest, match="private_address"):
            mw.process_request(Request(url))
    assert crawler.stats.get_value("urlfilter/refused/private_address") == 2


def test_private_allowed_when_configured():
    mw, _ = make(allow_private=True)
    assert mw.process_request(Request("http://127.0.0.1:8000/")) is None


def test_only_http_schemes():
    mw, crawler = make(allow_private=True)
    with pytest.raises(IgnoreRequest, match="scheme"):
        mw.process_request(Request("file:///etc/passwd"))
    assert crawler.stats.get_value("urlfilter/refused/scheme") == 1
