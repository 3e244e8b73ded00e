"""The shared dupefilter's backends against a real Redis: the exact set (the
default), the Bloom filter, and TTL expiry for pages whose content changes."""

from __future__ import annotations

import hashlib
import time

import pytest
import redis
from scrapy import Request, Spider

from crawlers.dupefilter import BloomFilter, RedisDupeFilter, bloom_size, clear_dupefilter
from yuqing.worker import project_settings

N = 200_000
BATCH = 2_000


def fingerprints(prefix: str, n: int) -> list[str]:
    return [hashlib.sha1(f"{prefix}{i}".encode()).hexdigest() for i in range(n)]


def in_batches(bloom: BloomFilter, items: list[str], add: bool) -> list[bool]:
    out: list[bool] = []
    for i in range(0, len(items), BATCH):
        out += bloom.seen_many(items[i:i + BATCH], add=add)
    return out


def make_filter(redis_url: str, spider: str = "news", **settings) -> RedisDupeFilter:
    # The project's settings, as a worker has them; the scheduler only needs
    # the spider's name and settings.
    spider_obj = Spider(name=spider)
    spider_obj.settings = project_settings({"REDIS_URL": redis_url, "DUPEFILTER_TTL_BY_SPIDER": {}, **settings})
    return RedisDupeFilter.from_spider(spider_obj)


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


def test_bloom_has_no_false_negatives_and_about_the_configured_false_positive_rate(client):
    bloom = BloomFilter(client, "t:bloom", capacity=N, error_rate=0.01)
    added = fingerprints("added-", N)
    in_batches(bloom, added, add=True)
    assert all(in_batches(bloom, added, add=False)), "a Bloom filter must never forget an item"
    probes = fingerprints("never-added-", N)
    rate = sum(in_batches(bloom, probes, add=False)) / N
    print(f"\nbloom: {N} fingerprints, configured error rate 0.01, measured {rate:.4f}")
    assert 0.007 <= rate <= 0.013


def test_bloom_memory_per_url_against_the_set(client):
    bits, hashes = bloom_size(1_000_000, 0.001)
    bloom = BloomFilter(client, "t:million", capacity=1_000_000, error_rate=0.001)
    bloom.seen("first")  # allocates the whole bit array
    strlen, usage = client.strlen("t:million"), client.memory_usage("t:million")
    assert strlen == (bits + 7) // 8 and hashes == 10
    per_url = strlen / 1_000_000
    # The exact set, as scrapy-redis keeps it: 40-character hex fingerprints.
    sample = fingerprints("set-", 50_000)
    for i in range(0, len(sample), 5_000):
        client.sadd("t:set", *sample[i:i + 5_000])
    set_per_url = client.memory_usage("t:set", samples=0) / len(sample)
    print(f"\nbloom at 0.1%: {strlen:,} bytes per million URLs ({per_url:.2f} B/URL, MEMORY USAGE {usage:,}); "
          f"set: {set_per_url:.1f} B/URL")
    assert 1.7 < per_url < 1.9
    assert usage < 1.05 * strlen + 1024
    assert set_per_url > 40 * per_url


def test_backend_is_chosen_by_setting(redis_url, client):
    request = Request("https://example.com/a/1.html")
    exact = make_filter(redis_url, "news")
    assert not exact.request_seen(request) and exact.request_seen(request)
    assert client.type("yuqing:news:dupefilter") == b"set"
    bloom = make_filter(redis_url, "forum", DUPEFILTER_BACKEND="bloom", DUPEFILTER_BLOOM_CAPACITY=10_000)
    assert not bloom.request_seen(request) and bloom.request_seen(request)
    assert not bloom.request_seen(Request("https://example.com/a/2.html"))
    assert client.type("yuqing:forum:dupefilter") == b"string"
    assert client.strlen("yuqing:forum:dupefilter") == (bloom_size(10_000, 0.001)[0] + 7) // 8


@pytest.mark.parametrize("backend", ["set", "bloom"])
def test_ttl_lets_a_url_be_fetched_again(redis_url, client, backend):
    ttl = 1.0
    df = make_filter(redis_url, "social_feed", DUPEFILTER_BACKEND=backend, DUPEFILTER_BLOOM_CAPACITY=10_000,
                     DUPEFILTER_TTL_BY_SPIDER={"social_feed": ttl})
    post = Request("https://social.example.com/p/42")
    assert not df.request_seen(post)
    assert df.request_seen(post), "within the TTL the URL is a duplicate"
    # The set forgets after TTL; the bucketed Bloom filter after TTL..2xTTL.
    deadline = time.monotonic() + 3 * ttl + 1
    while df.request_seen(post):
        assert time.monotonic() < deadline, "the fingerprint never expired"
        time.sleep(0.1)
    assert df.request_seen(post), "fetched again once, then a duplicate again"
    other = make_filter(redis_url, "news", DUPEFILTER_BACKEND=backend, DUPEFILTER_BLOOM_CAPACITY=10_000)
    assert other.ttl == 0


def test_switching_backend_on_a_live_key_names_the_fix(redis_url):
    make_filter(redis_url, "news").request_seen(Request("https://example.com/"))
    with pytest.raises(ValueError, match="seed --fresh"):
        make_filter(redis_url, "news", DUPEFILTER_BACKEND="bloom")


def test_clear_forgets_bucketed_filters_too(redis_url, client):
    df = make_filter(redis_url, "social_feed", DUPEFILTER_BACKEND="bloom", DUPEFILTER_BLOOM_CAPACITY=1_000,
                     DUPEFILTER_TTL_BY_SPIDER={"social_feed": 3600})
    df.request_seen(Request("https://social.example.com/p/1"))
    assert client.keys("yuqing:social_feed:dupefilter:*")
    clear_dupefilter(client, "yuqing:social_feed:dupefilter")
    assert not client.keys("yuqing:social_feed:dupefilter*")
