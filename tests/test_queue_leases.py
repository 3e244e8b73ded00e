"""The leased request queue (crawlers/queue.py) against a real Redis, and the
retry policy that feeds its delayed set."""

from __future__ import annotations

import json
import time

import pytest
import redis
import scrapy
from scrapy_playwright.page import PageMethod

from crawlers.middlewares.retry import failure_kind, retry_after, status_kind
from crawlers.queue import (DELAY_META, LEASE_META, REQUEST_DEADLETTERS, DeadLetters, JsonSerializer,
                            LeasedPriorityQueue, RedisDown, RedisGuard)
from crawlers.scheduler import _FinishOnError
from yuqing.services.base import free_port


class Spider(scrapy.Spider):
    name = "leasetest"

    def parse(self, response):
        pass

    def on_error(self, failure):
        pass


@pytest.fixture
def queue(redis_url):
    return LeasedPriorityQueue(redis.Redis.from_url(redis_url), Spider(), "yuqing:%(spider)s:requests")


def request(url: str = "http://example.com/a", **kwargs) -> scrapy.Request:
    spider = Spider()
    return scrapy.Request(url, callback=spider.parse, errback=spider.on_error, **kwargs)


def test_requests_are_stored_as_plain_json_and_come_back_whole(queue):
    original = request("http://example.com/p?q=1", method="POST", body=b"\x00\xffbinary", priority=3,
                       headers={"X-Token": "abc"}, cb_kwargs={"page": 2},
                       meta={"yq_kind": "article", "depth": 1, LEASE_META: "old-lease", DELAY_META: 5.0,
                             "playwright_page_methods": [PageMethod("wait_for_selector", "#feed", timeout=5)]})
    original.errback = _FinishOnError(original.errback, None, "old-lease")
    payload = queue.encode(original)
    data = json.loads(payload)
    assert data["url"] == "http://example.com/p?q=1" and data["errback"] == "on_error"
    assert LEASE_META not in data["meta"] and DELAY_META not in data["meta"]
    back = queue.decode(payload)
    assert (back.method, back.body, back.priority, back.cb_kwargs) == ("POST", b"\x00\xffbinary", 3, {"page": 2})
    assert back.headers[b"X-Token"] == b"abc" and back.meta["yq_kind"] == "article"
    method = back.meta["playwright_page_methods"][0]
    assert (method.method, method.args, method.kwargs) == ("wait_for_selector", ("#feed",), {"timeout": 5})
    assert back.callback.__name__ == "parse" and back.errback.__name__ == "on_error"


def test_live_objects_in_meta_are_refused(queue):
    with pytest.raises(TypeError, match="plain JSON meta"):
        queue.encode(request(meta={"page": object()}))
    with pytest.raises(TypeError, match="plain JSON meta"):
        JsonSerializer.dumps({"meta": {"callback": lambda: None}})


def test_taken_requests_stay_in_redis_until_acknowledged(queue):
    for url, priority in (("http://example.com/low", 0), ("http://example.com/high", 5),
                          ("http://example.com/low2", 0)):
        queue.push(request(url, priority=priority))
    taken = []
    for _ in range(3):
        lease, payload, requeued, buried = queue.lease("w1", 30, 3)
        taken.append((lease, json.loads(payload)["url"]))
    assert [url for _, url in taken] == ["http://example.com/high", "http://example.com/low",
                                         "http://example.com/low2"]
    assert queue.lease("w1", 30, 3)[0] is None
    assert len(queue) == 0 and queue.outstanding() == 3
    queue.ack([lease for lease, _ in taken])
    assert queue.outstanding() == 0
    assert all(queue.server.exists(key) == 0 for key in queue.keys.values())


def test_a_dead_workers_leases_run_out_and_their_requests_come_back(queue):
    queue.push(request("http://example.com/x"))
    lease, _, _, _ = queue.lease("dead-worker", 0.2, 3)
    assert queue.lease("survivor", 30, 3)[0] is None  # still leased
    time.sleep(0.3)
    again, payload, requeued, buried = queue.lease("survivor", 30, 3)
    assert (again, requeued, buried) == (lease, 1, 0)
    assert json.loads(payload)["url"] == "http://example.com/x"
    assert queue.server.hget(queue.keys["owners"], lease) == b"survivor"


def test_a_request_that_outlives_its_workers_goes_to_the_dead_letters(queue):
    queue.push(request("http://example.com/poison"))
    for attempt in range(3):
        lease, _, _, buried = queue.lease(f"worker-{attempt}", 0.05, 3)
        assert lease is not None and buried == 0
        time.sleep(0.1)
    lease, _, requeued, buried = queue.lease("worker-3", 30, 3)
    assert (lease, buried) == (None, 1)
    [entry] = DeadLetters(queue.server, REQUEST_DEADLETTERS).peek()
    assert entry["reason"].startswith("lease expired 3 times") and entry["spider"] == "leasetest"
    assert json.loads(entry["request"])["url"] == "http://example.com/poison"
    assert queue.outstanding() == 0


def test_renewed_leases_do_not_run_out_and_only_their_holder_renews_them(queue):
    queue.push(request())
    lease, _, _, _ = queue.lease("w1", 0.3, 3)
    for _ in range(3):
        time.sleep(0.15)
        assert queue.renew("w1", 0.3, [lease]) == []
    assert queue.lease("w2", 30, 3)[0] is None
    assert queue.renew("w2", 0.3, [lease]) == [lease]


def test_released_leases_go_back_at_once(queue):
    queue.push(request())
    lease, _, _, _ = queue.lease("w1", 30, 3)
    assert queue.release("w2", [lease]) == 0  # not its lease
    assert queue.release("w1", [lease]) == 1
    assert queue.lease("w2", 30, 3)[0] == lease


def test_retries_wait_in_the_delayed_set(queue):
    queue.push(request(), delay=0.3)
    assert queue.lease("w1", 30, 3)[0] is None and queue.outstanding() == 1
    time.sleep(0.35)
    assert queue.lease("w1", 30, 3)[0] is not None


def test_staged_requests_wait_for_the_dupefilter(queue):
    new, duplicate = request("http://example.com/new"), request("http://example.com/dup")
    new_id, dup_id = queue.stage(new, queue.encode(new)), queue.stage(duplicate, queue.encode(duplicate))
    assert queue.lease("w1", 30, 3)[0] is None  # nobody takes a request before the dupefilter answered
    queue.promote(new, new_id)
    queue.remove(dup_id)
    lease, payload, _, _ = queue.lease("w1", 30, 3)
    assert json.loads(payload)["url"] == "http://example.com/new"
    queue.ack([lease])
    assert queue.outstanding() == 0


def test_the_guard_rides_out_an_outage_with_backoff_and_says_so_once(caplog):
    now = [100.0]
    guard = RedisGuard("test", base=0.5, cap=4.0, clock=lambda: now[0])
    down = redis.Redis(port=free_port(), socket_connect_timeout=1, retry=None)
    with pytest.raises(RedisDown):
        guard.call(down.ping)
    assert guard.down and not guard.available()
    with pytest.raises(RedisDown):  # skipped: not retried before its time
        guard.call(down.ping)
    for expected in (1.0, 2.0, 4.0, 4.0):
        now[0] = guard.retry_at
        with pytest.raises(RedisDown):
            guard.call(down.ping)
        assert guard.delay == expected
    assert caplog.text.count("redis unreachable for the test") == 1
    now[0] = guard.retry_at
    assert guard.call(lambda: "pong") == "pong" and not guard.down
    assert "redis is back for the test" in caplog.text


def test_failures_are_sorted_into_retry_kinds():
    from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError
    from twisted.internet.error import ConnectionRefusedError

    assert failure_kind(DownloadTimeoutError()) == "timeout"
    assert failure_kind(CannotResolveHostError()) == "dns"
    assert failure_kind(ConnectionRefusedError()) == "connection"
    assert failure_kind(DownloadCancelledError("Expected to receive 5 bytes")) == "too_large"
    assert failure_kind(ValueError()) is None
    assert [status_kind(s) for s in (429, 408, 503)] == ["http_429", "timeout", "http_5xx"]
    assert retry_after(b"120") == 120.0
    assert retry_after(b"Thu, 01 Jan 2099 00:00:10 GMT", now=4070908800.0) == 10.0
    assert retry_after(b"soon") is None and retry_after(None) is None


def test_the_scheduler_keeps_requests_through_a_redis_outage_and_acks_after_pushing_them(redis_service,
                                                                                          redis_url):
    from scrapy.utils.test import get_crawler

    from crawlers.dupefilter import RedisDupeFilter
    from crawlers.scheduler import Scheduler

    crawler = get_crawler(Spider)
    spider = Spider.from_crawler(crawler)
    server = redis.Redis.from_url(redis_url, retry=None, socket_connect_timeout=1)
    scheduler = Scheduler(server, lease_timeout=30, max_expiries=3, queue_key="yuqing:%(spider)s:requests",
                          queue_cls="crawlers.queue.LeasedPriorityQueue",
                          dupefilter=RedisDupeFilter(server, key="yuqing:leasetest:dupefilter"))
    # What open() sets up, without a running engine (no item buffers to wait for).
    scheduler.spider, scheduler.stats = spider, crawler.stats
    scheduler.queue = LeasedPriorityQueue(server, spider, "yuqing:%(spider)s:requests")
    scheduler.deadletters = DeadLetters(server, REQUEST_DEADLETTERS)
    scheduler._barriers = []

    assert scheduler.enqueue_request(request("http://example.com/parent"))
    parent = scheduler.next_request()
    assert parent.meta[LEASE_META] and isinstance(parent.errback, _FinishOnError)
    assert not scheduler.enqueue_request(request("http://example.com/parent"))  # the dupefilter saw it

    redis_service.stop()
    try:
        assert scheduler.enqueue_request(request("http://example.com/child"))  # kept in memory
        scheduler.output_done(parent.meta[LEASE_META])  # the parent is done, but its child is not pushed
        assert scheduler.next_request() is None and scheduler.has_pending_requests()
        scheduler._tick()
        assert len(scheduler.outbox) == 1 and scheduler.to_ack
    finally:
        redis_service.start()
    scheduler.guard.retry_at = 0  # do not wait for the backoff
    child = scheduler.next_request()  # pushes what was kept, then takes it
    assert child.url == "http://example.com/child" and not scheduler.outbox
    scheduler._tick()
    assert parent.meta[LEASE_META] not in scheduler.leases  # acknowledged once its child was pushed
    child.errback(None)  # its download failed for good: done too
    scheduler._tick()
    assert not scheduler.leases and scheduler.queue.outstanding() == 0
    assert crawler.stats.get_value("scheduler/outbox/kept") == 1
    assert crawler.stats.get_value("dupefilter/filtered") == 1
