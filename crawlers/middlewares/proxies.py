"""A proxy pool in Redis shared by every worker, with health scores.

The pool is a sorted set: proxy URL -> the time (ms) it may next be used. A
request takes the ready proxy that was used longest ago and marks it used now,
so load spreads over the pool. A proxy that fails (connection error, or an
answer in ``PROXY_BAN_HTTP_CODES``) rests ``PROXY_REST_BASE * 2^(n-1)``
seconds after its n-th consecutive failure (at most ``PROXY_REST_MAX``), then
is tried again; a success clears its failures. Each proxy also carries a
health score, a moving average of its successes (1 = all good), for operators.
A request banned through a proxy is retried through another one (Scrapy's
``RETRY_TIMES`` bounds the retries).

On with ``PROXY_POOL_ENABLED``, per domain with ``proxies`` in the sources
file; manage the pool with ``yuqing proxies add|list|remove``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawlers.middlewares.politeness import DomainPolicies, async_redis

logger = logging.getLogger(__name__)

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: pool -> {proxy, 0} | {'', ms until one is ready} | {'', -1} (empty pool)
_PICK = _NOW + """
local ready = redis.call('ZRANGE', KEYS[1], '-inf', now, 'BYSCORE', 'LIMIT', 0, 1)
if #ready > 0 then
  redis.call('ZADD', KEYS[1], 'XX', now, ready[1])
  return {ready[1], 0}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return {'', -1} end
return {'', math.max(1, tonumber(first[2]) - now)}
"""

# KEYS: pool, failures, health. ARGV: proxy, ok (1/0), rest base ms, rest max ms
# -> ms the proxy now rests (0 after a success, -1 if it left the pool meanwhile).
_REPORT = _NOW + """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local health = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '1')
if ARGV[2] == '1' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[1], tostring(0.9 * health + 0.1))
  return 0
end
local failures = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('HSET', KEYS[3], ARGV[1], tostring(0.9 * health))
local rest = math.floor(math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (failures - 1)))
redis.call('ZADD', KEYS[1], 'XX', now + rest, ARGV[1])
return rest
"""


def pool_keys(key: str) -> list[str]:
    return [key, f"{key}:failures", f"{key}:health"]


@dataclass
class ProxyState:
    url: str
    ready_at: float
    """Epoch seconds from which it may be used (in the past: ready now)."""
    failures: int
    health: float


def add_proxies(client, key: str, urls: list[str]) -> int:
    """Add proxies (ready at once); already pooled ones keep their state."""
    return client.zadd(key, {u: 0 for u in urls}, nx=True)


def remove_proxies(client, key: str, urls: list[str]) -> int:
    pool, failures, health = pool_keys(key)
    with client.pipeline() as pipe:
        pipe.zrem(pool, *urls)
        pipe.hdel(failures, *urls)
        pipe.hdel(health, *urls)
        return pipe.execute()[0]


def list_proxies(client, key: str) -> list[ProxyState]:
    pool, failures, health = pool_keys(key)
    with client.pipeline() as pipe:
        pipe.zrange(pool, 0, -1, withscores=True)
        pipe.hgetall(failures)
        pipe.hgetall(health)
        members, fails, scores = pipe.execute()
    return [ProxyState(url.decode(), ready / 1000, int(fails.get(url, 0)), float(scores.get(url, 1.0)))
            for url, ready in members]


class ProxyPoolMiddleware:
    def __init__(self, crawler, client, policies: DomainPolicies, *, enabled: bool, key: str,
                 ban_codes: list[int], rest_base: float, rest_max: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.client = client
        self.policies = policies
        self.enabled = enabled
        self.keys = pool_keys(key)
        self.ban_codes = set(ban_codes)
        self.rest_args = [int(rest_base * 1000), int(rest_max * 1000)]
        self.pick = client.register_script(_PICK)
        self.report = client.register_script(_REPORT)
        self.warned_empty = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: the proxy pool lives in Redis")
        client = async_redis(settings)
        mw = cls(crawler, client, DomainPolicies.from_settings(settings, client),
                 enabled=settings.getbool("PROXY_POOL_ENABLED"), key=settings.get("PROXY_POOL_KEY"),
                 ban_codes=[int(c) for c in settings.getlist("PROXY_BAN_HTTP_CODES")],
                 rest_base=settings.getfloat("PROXY_REST_BASE", 30.0),
                 rest_max=settings.getfloat("PROXY_REST_MAX", 3600.0))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def spider_closed(self):
        await self.client.aclose()

    async def process_request(self, request):
        if "proxy" in request.meta and "_yq_proxy" not in request.meta:
            return None  # a proxy the spider chose itself
        _, policy = await self.policies.lookup(urlparse_cached(request).hostname or "")
        if not policy.get("proxies", self.enabled):
            return None
        while True:
            proxy, wait_ms = await self.pick(keys=self.keys[:1])
            if proxy:
                break
            if int(wait_ms) < 0:
                self.stats.inc_value("proxies/empty_pool")
                if not self.warned_empty:
                    logger.warning("proxy pool %s is empty: fetching directly (add proxies with "
                                   "`yuqing proxies add`)", self.keys[0])
                    self.warned_empty = True
                request.meta.pop("proxy", None)
                request.meta.pop("_yq_proxy", None)
                return None
            # Every proxy is resting: wait for the first to be ready rather than
            # expose the crawler's own address.
            self.stats.inc_value("proxies/waited")
            await asyncio.sleep(int(wait_ms) / 1000)
        proxy = proxy.decode()
        request.meta["proxy"] = request.meta["_yq_proxy"] = proxy
        self.stats.inc_value("proxies/used")
        return None

    async def process_response(self, request, response):
        proxy = request.meta.get("_yq_proxy")
        if not proxy:
            return response
        banned = response.status in self.ban_codes
        await self._report(proxy, not banned, f"http_{response.status}")
        if banned:
            retry = get_retry_request(request, spider=self.crawler.spider, reason=f"proxy_ban_{response.status}")
            if retry is not None:
                return retry
        return response

    async def process_exception(self, request, exception):
        proxy = request.meta.get("_yq_proxy")
        if proxy and not isinstance(exception, IgnoreRequest):
            await self._report(proxy, False, type(exception).__name__)
        return None

    async def _report(self, proxy: str, ok: bool, reason: str) -> None:
        try:
            rest_ms = int(await self.report(keys=self.keys, args=[proxy, int(ok), *self.rest_args]))
        except Exception as exc:  # health is advisory: the request itself goes on
            self.stats.inc_value("proxies/redis_error")
            logger.warning("cannot report proxy %s health (%s)", proxy, exc)
            return
        if not ok:
            self.stats.inc_value(f"proxies/failed/{reason}")
            if rest_ms > 0:
                logger.warning("proxy %s failed (%s): resting %.0fs", proxy, reason, rest_ms / 1000)
