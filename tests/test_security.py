"""Credentials stay out of logs and documents; private addresses are refused;
robots.txt can only be ignored by an explicit line in a spider."""

from __future__ import annotations

import asyncio
import io
import logging
import secrets

import pytest
import redis
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawlers.middlewares.robots import RobotsPolicyMiddleware
from crawlers.middlewares.urlfilter import UrlFilterMiddleware
from faults import Workers, all_docs, web_stats
from settings import crawl as defaults
from yuqing.demo import seed, worker_env
from yuqing.logging_filters import SecretFilter, install, mask_url, secrets_from_settings
from yuqing.services.redis import RedisService
from yuqing.store.search import SearchStore
from yuqing.worker import project_settings


class PasswordRedis(RedisService):
    """A Redis that requires a password, as production ones do."""

    def __init__(self, run_dir, password: str):
        super().__init__(run_dir)
        self.password = password

    def command(self) -> list[str]:
        return [*super().command(), "--requirepass", self.password]

    def ready(self) -> bool:
        client = redis.Redis(host=self.host, port=self.port, password=self.password, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@{self.host}:{self.port}/0"


# -- private addresses ---------------------------------------------------------

def test_private_and_loopback_seeds_are_refused_by_default():
    assert defaults.URLFILTER_ALLOW_PRIVATE is False
    middleware = UrlFilterMiddleware.from_crawler(get_crawler(settings_dict={
        "URLFILTER_ALLOW_PRIVATE": defaults.URLFILTER_ALLOW_PRIVATE, "URLFILTER_SCHEMES": defaults.URLFILTER_SCHEMES}))
    for url in ("http://10.0.0.1/news/feed.xml", "http://127.0.0.1:8080/", "http://[::1]/", "http://localhost/",
                "ftp://example.com/file", "file:///etc/passwd"):
        with pytest.raises(IgnoreRequest):  # refused before any connection is attempted
            middleware.process_request(Request(url))


@pytest.mark.e2e
def test_a_worker_fetches_nothing_from_loopback_unless_allowed(redis_url, testweb, tmp_path):
    seed(redis_url, testweb.url, {"news": ["/news/feed.xml"]})
    before = web_stats(testweb.url)["total"]
    env = worker_env(redis_url, "", "security")
    env.pop("YUQING_ALLOW_PRIVATE_HOSTS")
    workers = Workers(tmp_path, env).start(1)
    assert workers.wait(120) == [0]
    assert web_stats(testweb.url)["total"] == before
    assert workers.total("urlfilter/refused/private_address") == 1
    assert f"refused {testweb.url}/news/feed.xml: private_address" in workers.log_text()


# -- secrets -------------------------------------------------------------------

def test_the_filter_masks_url_passwords_and_named_secrets_everywhere_in_a_record():
    mask = SecretFilter(["s3cr3t-api-key"])
    assert mask_url("rediss://:hunter22@redis.internal:6380/0") == "rediss://:***@redis.internal:6380/0"
    assert mask_url("mongodb://yq:p%40ss@db/yuqing?tls=true") == "mongodb://yq:***@db/yuqing?tls=true"
    assert mask_url("http://example.com/a:b@c") == "http://example.com/a:b@c"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "connecting to %s with %s",
                               ("redis://:hunter22@h:1/0", "s3cr3t-api-key"), None)
    try:
        raise ConnectionError("auth failed for s3cr3t-api-key at http://u:hunter22@h/")
    except ConnectionError:
        import sys
        record.exc_info = sys.exc_info()
    mask.filter(record)
    text = logging.Formatter().format(record)
    assert "hunter22" not in text and "s3cr3t-api-key" not in text
    assert "redis://:***@h:1/0" in text and "http://u:***@h/" in text


def test_secrets_come_from_the_settings_that_hold_them():
    settings = project_settings()
    settings.setdict({"SEARCH_PASSWORD": "pw-from-env", "REDIS_URL": "redis://:r%2Fpw@h/0",
                      "MONGO_URL": "mongodb://u:mpw1@h/db", "SEARCH_API_KEY": None}, priority="cmdline")
    found = secrets_from_settings(settings, settings.getlist("LOG_MASK_SETTINGS"))
    assert {"pw-from-env", "r/pw", "r%2Fpw", "mpw1"} <= set(found)
    shared = install(found)
    assert install(["another-one"]) is shared
    # A handler added afterwards (Scrapy replaces the root handler for every
    # crawler it sets up) still only ever sees masked records.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("yuqing.test.probe")
    logger.addHandler(handler)
    try:
        logger.warning("connecting with %s to %s", "pw-from-env", "mongodb://u:mpw1@h/db")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "connecting with *** to mongodb://u:***@h/db\n"


@pytest.mark.e2e
def test_no_secret_from_the_environment_reaches_logs_or_documents(search_service, testweb, tmp_path):
    password, search_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    service = PasswordRedis(tmp_path / "redis", password)
    service.start()
    try:
        seed(service.url, testweb.url, {"news": ["/news/feed.xml"]})
        env = worker_env(service.url, search_service.url, "security",
                         {"SEARCH_USERNAME": "yuqing", "SEARCH_PASSWORD": search_password})
        # A seed with credentials in it: Scrapy logs every URL it fetches.
        redis.Redis.from_url(service.url).rpush(
            "yuqing:news:start_urls",
            f'{{"url": "http://reader:{search_password}@{testweb.url.split("//")[1]}/news/atom.xml"}}')
        workers = Workers(tmp_path / "run", env, settings={"LOG_LEVEL": "DEBUG",
                                                           "SPOOL_DIR": tmp_path / "spool"}).start(1)
        assert workers.wait(180) == [0]
    finally:
        service.stop()
    logs = workers.log_text()
    assert workers.total("item_scraped_count") > 10
    assert password not in logs and search_password not in logs
    assert f"reader:***@{testweb.url.split('//')[1]}" in logs  # the fetched URL, masked
    store = SearchStore.from_url(search_service.url, prefix="security")
    docs = repr(all_docs(store))
    assert password not in docs and search_password not in docs
    store.drop()


# -- robots.txt ----------------------------------------------------------------

class Obedient(Spider):
    name = "obedient"


class Defiant(Spider):
    name = "defiant"
    robots_override = "ignore"


class Sloppy(Spider):
    name = "sloppy"
    robots_override = True


def test_robots_txt_is_obeyed_unless_a_spider_says_ignore(caplog):
    settings = {"ROBOTSTXT_OBEY": True}
    assert not RobotsPolicyMiddleware(get_crawler(Obedient, settings)).ignore
    crawler = get_crawler(Defiant, settings)
    middleware = RobotsPolicyMiddleware(crawler)
    assert middleware.ignore
    # No robots.txt is fetched or consulted: there is no engine to fetch it with.
    assert asyncio.run(middleware.process_request(Request("http://example.com/private"))) is None
    with caplog.at_level(logging.WARNING):
        middleware.spider_opened(Defiant())
    assert "defiant ignores robots.txt" in caplog.text
    with pytest.raises(ValueError, match="robots_override"):
        RobotsPolicyMiddleware(get_crawler(Sloppy, settings))
    assert defaults.ROBOTSTXT_OBEY is True
