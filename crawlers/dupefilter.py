"""Shared request dupefilter in Redis, keyed per spider.

scrapy-redis's filter, with these changes: fingerprints come from Scrapy's own
request fingerprinter (so a request seen locally and in Redis agree);
``clear_dupefilter`` lets a new crawl of the same spider start fresh; and the
store behind it is chosen by settings:

``DUPEFILTER_BACKEND = "set"`` (default)
    A Redis set of fingerprints at the spider's key: exact, as scrapy-redis.
    With a TTL (``DUPEFILTER_TTL``) it is a sorted set fingerprint -> expiry,
    so a URL may be fetched again once its entry expires.
``DUPEFILTER_BACKEND = "bloom"``
    A Bloom filter in a plain Redis string (SETBIT/GETBIT in a Lua script, so
    check-and-add is atomic across workers), sized for
    ``DUPEFILTER_BLOOM_CAPACITY`` fingerprints at ``DUPEFILTER_BLOOM_ERROR_RATE``.
    With a TTL, fingerprints go to one filter per TTL-long time bucket and a
    URL counts as seen while it is in the current or the previous bucket: it is
    fetched again between TTL and 2 x TTL after it was last fetched.

Seeds are ``dont_filter`` requests and never reach the filter.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from scrapy.utils.request import RequestFingerprinter
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter

logger = logging.getLogger(__name__)

BACKENDS = ("set", "bloom")
# A Redis string holds at most 512 MiB.
MAX_BLOOM_BITS = 2 ** 32

# KEYS: the filters to look in (newest first; a new item goes to the first).
# ARGV: add (0/1), size in bits, expiry of a new filter in ms (0 = none), k,
# then k bit offsets per item. -> one 0/1 (seen before) per item.
_BLOOM_SCRIPT = """
local add, bits, expire_ms, k = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local seen = {}
for first = 5, #ARGV, k do
  local found = 0
  for _, key in ipairs(KEYS) do
    found = 1
    for i = first, first + k - 1 do
      if redis.call('GETBIT', key, ARGV[i]) == 0 then found = 0 break end
    end
    if found == 1 then break end
  end
  if found == 0 and add == 1 then
    if redis.call('EXISTS', KEYS[1]) == 0 then
      -- Allocate the whole bit array at once: a stable size from the first add on.
      redis.call('SETBIT', KEYS[1], bits - 1, 0)
      if expire_ms > 0 then redis.call('PEXPIRE', KEYS[1], expire_ms) end
    end
    for i = first, first + k - 1 do redis.call('SETBIT', KEYS[1], ARGV[i], 1) end
  end
  seen[#seen + 1] = found
end
return seen
"""

# KEYS[1]: sorted set fingerprint -> expiry (ms, server clock). ARGV: fingerprint, ttl ms.
_EXPIRING_SET_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Each expired entry is removed once, so this costs O(log N) amortized.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 0
"""


def bloom_size(capacity: int, error_rate: float) -> tuple[int, int]:
    """(bits, hash functions) of the optimal filter for ``capacity`` items."""
    if capacity < 1:
        raise ValueError(f"DUPEFILTER_BLOOM_CAPACITY must be positive, got {capacity}")
    if not 0 < error_rate < 1:
        raise ValueError(f"DUPEFILTER_BLOOM_ERROR_RATE must be between 0 and 1, got {error_rate}")
    bits = math.ceil(-capacity * math.log(error_rate) / math.log(2) ** 2)
    if bits > MAX_BLOOM_BITS:
        raise ValueError(f"a Bloom filter for {capacity} items at {error_rate} needs {bits} bits, "
                         f"more than a Redis string holds ({MAX_BLOOM_BITS}): lower the capacity "
                         "or raise the error rate")
    return bits, max(1, round(bits / capacity * math.log(2)))


class BloomFilter:
    """A Bloom filter in Redis strings; ``ttl`` > 0 rotates it by time bucket."""

    def __init__(self, server, key: str, capacity: int, error_rate: float, ttl: float = 0,
                 clock=time.time):
        self.server = server
        self.key = key
        self.bits, self.hashes = bloom_size(capacity, error_rate)
        self.ttl = ttl
        self.clock = clock
        self.script = server.register_script(_BLOOM_SCRIPT)

    def offsets(self, item: str) -> list[int]:
        # k positions from one SHA-1 by double hashing (Kirsch & Mitzenmacher):
        # as good as k independent hashes for a Bloom filter.
        digest = hashlib.sha1(item.encode("utf-8")).digest()
        h1 = int.from_bytes(digest[:8], "big")
        h2 = int.from_bytes(digest[8:16], "big") | 1
        return [(h1 + i * h2) % self.bits for i in range(self.hashes)]

    def keys(self) -> list[str]:
        if not self.ttl:
            return [self.key]
        bucket = int(self.clock() // self.ttl)
        return [f"{self.key}:{bucket}", f"{self.key}:{bucket - 1}"]

    def _run(self, items, add: bool) -> list[bool]:
        # A bucket's filter lives through its own bucket and the next one.
        expire_ms = int(self.ttl * 2000) + 60_000 if self.ttl else 0
        offsets = [o for item in items for o in self.offsets(item)]
        answer = self.script(keys=self.keys(), args=[int(add), self.bits, expire_ms, self.hashes, *offsets])
        return [bool(seen) for seen in answer]

    def seen(self, item: str) -> bool:
        """True if ``item`` was (probably) added before; adds it otherwise."""
        return self._run([item], add=True)[0]

    def __contains__(self, item: str) -> bool:
        return self._run([item], add=False)[0]

    def seen_many(self, items, add: bool = True) -> list[bool]:
        """``seen`` (or ``in`` with ``add=False``) for a batch in one round trip,
        e.g. to import fingerprints; Redis runs the whole batch atomically."""
        return self._run(list(items), add)


class RedisDupeFilter(RFPDupeFilter):
    _fingerprinter = RequestFingerprinter()

    def __init__(self, server, key, debug=False, backend: str = "set", ttl: float = 0,
                 bloom: BloomFilter | None = None):
        super().__init__(server, key=key, debug=debug)
        self.backend = backend
        self.ttl = ttl
        self.bloom = bloom
        self.expiring = server.register_script(_EXPIRING_SET_SCRIPT) if backend == "set" and ttl else None

    @classmethod
    def from_spider(cls, spider):
        settings = spider.settings
        server = connection.from_settings(settings)
        key = dupefilter_key(settings, spider.name)
        backend = settings.get("DUPEFILTER_BACKEND", "set")
        if backend not in BACKENDS:
            raise ValueError(f"DUPEFILTER_BACKEND must be one of {', '.join(BACKENDS)}, got {backend!r}")
        ttl = dupefilter_ttl(settings, spider.name)
        bloom = None
        if backend == "bloom":
            bloom = BloomFilter(server, key, settings.getint("DUPEFILTER_BLOOM_CAPACITY"),
                                settings.getfloat("DUPEFILTER_BLOOM_ERROR_RATE"), ttl)
        _check_key_type(server, key, backend, ttl)
        if ttl or backend != "set":
            logger.info("dupefilter for %s: %s%s", spider.name, backend,
                        f", URLs fetched again after {ttl:g}s" if ttl else "")
        return cls(server, key=key, debug=settings.getbool("DUPEFILTER_DEBUG"),
                   backend=backend, ttl=ttl, bloom=bloom)

    def request_fingerprint(self, request):
        return self._fingerprinter.fingerprint(request).hex()

    def request_seen(self, request):
        fp = self.request_fingerprint(request)
        if self.bloom is not None:
            return self.bloom.seen(fp)
        if self.expiring is not None:
            return bool(self.expiring(keys=[self.key], args=[fp, int(self.ttl * 1000)]))
        return self.server.sadd(self.key, fp) == 0

    def clear(self):
        clear_dupefilter(self.server, self.key)

    def log(self, request, spider):
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request)
        spider.crawler.stats.inc_value("dupefilter/filtered")


def dupefilter_key(settings, spider_name: str) -> str:
    return settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider_name}


def dupefilter_ttl(settings, spider_name: str) -> float:
    per_spider = settings.getdict("DUPEFILTER_TTL_BY_SPIDER")
    return float(per_spider.get(spider_name, settings.getfloat("DUPEFILTER_TTL", 0)))


def clear_dupefilter(server, key: str) -> int:
    """Forget every fingerprint under ``key``, time-bucketed Bloom filters included."""
    keys = [key, *server.scan_iter(match=f"{key}:*", count=1000)]
    return server.delete(*keys)


_EXPECTED_TYPES = {("set", False): b"set", ("set", True): b"zset", ("bloom", False): b"string"}


def _check_key_type(server, key: str, backend: str, ttl: float) -> None:
    # Switching a spider's backend (or TTL) leaves the old structure at its key;
    # Redis would answer every request with WRONGTYPE.
    expected = _EXPECTED_TYPES.get((backend, bool(ttl)))
    actual = server.type(key)
    actual = actual.encode() if isinstance(actual, str) else actual
    if expected and actual not in (b"none", expected):
        raise ValueError(f"{key} holds a Redis {actual.decode()}, but DUPEFILTER_BACKEND={backend!r} "
                         f"with DUPEFILTER_TTL={ttl:g} keeps a {expected.decode()} there: forget it with "
                         "`yuqing seed --fresh` (every URL is fetched again once) or keep the old settings")
