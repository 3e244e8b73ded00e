"""Politeness shared by every worker of the cluster, through Redis.

Per domain: a token bucket (``POLITENESS_RATE`` requests/second, bursts of
``POLITENESS_BURST``), a bound on requests in flight (``POLITENESS_CONCURRENCY``,
a semaphore of expiring leases) and a "cooldown until" time set when the site
answers 429/503 - honouring Retry-After, else backing off exponentially - that
every worker obeys at once. Requests that carry an account (``yq_account``)
also take a token from that account's bucket (``POLITENESS_ACCOUNT_RATE``).
Sources override all of these per domain (``DomainPolicies``).

Every check and take is one Lua script, so workers never race each other for
the same token. A request that must wait sleeps in ``process_request`` (an
asyncio sleep: the reactor goes on serving every other request) and asks again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from email.utils import parsedate_to_datetime

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

KEY_PREFIX = "yuqing:polite"
# Why a request waited, as the acquire script reports it.
_REASONS = {1: "cooldown", 2: "rate", 3: "concurrency", 4: "account_rate"}
# A full semaphore frees up when some download ends; ask again this often (ms).
_SEMAPHORE_POLL_MS = 100

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: cooldown, domain bucket, domain leases, account bucket
# ARGV: rate, burst, concurrency, lease id, lease ms, account rate, account burst
# -> {wait ms, reason}; {0, 0} = go (token taken, lease held).
_ACQUIRE = _NOW + """
local cooldown = tonumber(redis.call('GET', KEYS[1]) or '0')
if cooldown > now then return {cooldown - now, 1} end
local function level(key, rate, burst)
  local s = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens, ts = tonumber(s[1]), tonumber(s[2])
  if not tokens then return burst end
  return math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
end
local rate, burst, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local arate, aburst = tonumber(ARGV[6]), tonumber(ARGV[7])
local tokens, atokens
if rate > 0 then
  tokens = level(KEYS[2], rate, burst)
  if tokens < 1 then return {math.ceil((1 - tokens) * 1000 / rate), 2} end
end
if arate > 0 then
  atokens = level(KEYS[4], arate, aburst)
  if atokens < 1 then return {math.ceil((1 - atokens) * 1000 / arate), 4} end
end
if conc > 0 then
  -- Leases of dead workers expire; live ones are removed on release.
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= conc then return {-1, 3} end
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[5]), ARGV[4])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[5]))
end
if rate > 0 then
  redis.call('HSET', KEYS[2], 'tokens', tostring(tokens - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[2], math.ceil(burst * 1000 / rate) + 1000)
end
if arate > 0 then
  redis.call('HSET', KEYS[4], 'tokens', tostring(atokens - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[4], math.ceil(aburst * 1000 / arate) + 1000)
end
return {0, 0}
"""

# KEYS: cooldown, domain leases, strikes
# ARGV: lease id ('' = none), back off (0/1), delay ms (-1 = exponential), base ms, max ms
# -> the cooldown (ms) now in force because of this answer, or 0.
_RELEASE = _NOW + """
if ARGV[1] ~= '' then redis.call('ZREM', KEYS[2], ARGV[1]) end
if ARGV[2] ~= '1' then return 0 end
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local base, max = tonumber(ARGV[4]), tonumber(ARGV[5])
local delay = tonumber(ARGV[3])
-- Answers to requests sent before the cooldown began belong to the same
-- episode: they must not escalate the backoff.
local strikes = tonumber(redis.call('GET', KEYS[3]) or '0')
if current <= now then
  strikes = redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], max * 2)
end
if delay < 0 then delay = math.min(max, base * 2 ^ (math.max(strikes, 1) - 1)) end
delay = math.floor(math.min(delay, max))
if now + delay > current and delay > 0 then
  redis.call('SET', KEYS[1], now + delay, 'PX', delay)
  return delay
end
return math.max(current - now, 0)
"""


def async_redis(settings):
    """An asyncio Redis client for ``REDIS_URL`` (connects on first use, on the reactor's loop)."""
    import redis.asyncio

    return redis.asyncio.Redis.from_url(settings.get("REDIS_URL"), socket_timeout=10,
                                        socket_connect_timeout=10)


def host_suffixes(host: str) -> list[str]:
    """``a.b.example.com`` -> itself, ``b.example.com``, ``example.com``."""
    if not host or host.replace(".", "").isdigit() or ":" in host:
        return [host]  # an IP address has no parent domain
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(max(1, len(parts) - 1))]


class DomainPolicies:
    """Per-domain overrides published by ``yuqing schedule`` from the sources
    file (``POLICY_KEY``: domain -> JSON object), re-read every
    ``POLICY_REFRESH_INTERVAL`` seconds. A policy for ``example.com`` covers its
    subdomains, and the domain it was found under names the shared buckets."""

    def __init__(self, client, key: str, refresh_interval: float, clock=time.monotonic):
        self.client = client
        self.key = key
        self.refresh_interval = refresh_interval
        self.clock = clock
        self.policies: dict[str, dict] = {}
        self.next_refresh = 0.0

    @classmethod
    def from_settings(cls, settings, client):
        return cls(client, settings.get("POLICY_KEY"), settings.getfloat("POLICY_REFRESH_INTERVAL", 10.0))

    async def lookup(self, host: str) -> tuple[str, dict]:
        if self.clock() >= self.next_refresh:
            await self.refresh()
        for domain in host_suffixes(host):
            if domain in self.policies:
                return domain, self.policies[domain]
        return host, {}

    async def refresh(self) -> None:
        # Set first: the other requests of this moment use the current policies
        # instead of all asking Redis.
        self.next_refresh = self.clock() + self.refresh_interval
        try:
            raw = await self.client.hgetall(self.key)
        except Exception as exc:  # keep the last known policies through a Redis hiccup
            logger.warning("cannot read domain policies from %s (%s); keeping the current ones", self.key, exc)
            return
        policies = {}
        for domain, value in raw.items():
            try:
                policies[domain.decode()] = json.loads(value)
            except ValueError:
                logger.error("domain policy %s in %s is not JSON; ignored", domain, self.key)
        self.policies = policies


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PolitenessMiddleware:
    def __init__(self, crawler, client, policies: DomainPolicies, *, rate: float, burst: float,
                 concurrency: int, account_rate: float, backoff_codes: list[int],
                 backoff_base: float, backoff_max: float, lease_timeout: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.client = client
        self.policies = policies
        self.rate = rate
        self.burst = burst
        self.concurrency = concurrency
        self.account_rate = account_rate
        self.backoff_codes = set(backoff_codes)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.lease_timeout = lease_timeout
        self.acquire = client.register_script(_ACQUIRE)
        self.release = client.register_script(_RELEASE)
        self.redis_down = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("no REDIS_URL: politeness is per worker (Scrapy's own settings)")
        if not settings.getbool("POLITENESS_ENABLED"):
            raise NotConfigured("POLITENESS_ENABLED is off")
        client = async_redis(settings)
        mw = cls(crawler, client, DomainPolicies.from_settings(settings, client),
                 rate=settings.getfloat("POLITENESS_RATE"),
                 burst=settings.getfloat("POLITENESS_BURST", 1.0),
                 concurrency=settings.getint("POLITENESS_CONCURRENCY"),
                 account_rate=settings.getfloat("POLITENESS_ACCOUNT_RATE"),
                 backoff_codes=[int(c) for c in settings.getlist("POLITENESS_BACKOFF_HTTP_CODES")],
                 backoff_base=settings.getfloat("POLITENESS_BACKOFF_BASE", 5.0),
                 backoff_max=settings.getfloat("POLITENESS_BACKOFF_MAX", 600.0),
                 lease_timeout=settings.getfloat("POLITENESS_LEASE_TIMEOUT", 120.0))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def spider_closed(self):
        await self.client.aclose()

    @staticmethod
    def keys(domain: str, account: str | None = None) -> list[str]:
        base = f"{KEY_PREFIX}:{domain}"
        account_key = f"{KEY_PREFIX}:account:{account}:bucket" if account else f"{base}:bucket"
        return [f"{base}:cooldown", f"{base}:bucket", f"{base}:leases", account_key]

    async def process_request(self, request):
        host = urlparse_cached(request).hostname
        if not host:
            return None
        domain, policy = await self.policies.lookup(host)
        account = request.meta.get("yq_account")
        rate = float(policy.get("rate", self.rate))
        concurrency = int(policy.get("concurrency", self.concurrency))
        account_rate = float(policy.get("account_rate", self.account_rate)) if account else 0.0
        burst = max(1.0, float(policy.get("burst", self.burst)))
        lease = uuid.uuid4().hex if concurrency > 0 else ""
        keys = self.keys(domain, account)
        args = [rate, burst, concurrency, lease, int(self.lease_timeout * 1000), account_rate, 1]
        waited, reasons = 0.0, set()
        while True:
            wait_ms, reason = await self._ask(keys, args)
            if wait_ms == 0:
                break
            if wait_ms < 0:
                wait_ms = _SEMAPHORE_POLL_MS
            # Jitter: workers that were told the same wait must not all ask at once.
            delay = wait_ms / 1000 * random.uniform(1.0, 1.1)
            if reason not in reasons:  # requests held for this reason, each counted once
                reasons.add(reason)
                self.stats.inc_value(f"politeness/delayed/{_REASONS.get(reason, 'redis')}")
            waited += delay
            await asyncio.sleep(delay)
        if waited:
            self.stats.inc_value("politeness/waited_seconds", round(waited, 3))
        request.meta["_yq_politeness"] = (domain, lease)
        return None

    async def _ask(self, keys, args) -> tuple[int, int]:
        try:
            wait_ms, reason = await self.acquire(keys=keys, args=args)
        except Exception as exc:  # Redis away: hold the request rather than hammer the site
            self.stats.inc_value("politeness/redis_error")
            if not self.redis_down:
                logger.warning("politeness: cannot reach Redis (%s); holding requests until it is back", exc)
            self.redis_down = True
            return 1000, 0
        if self.redis_down:
            logger.info("politeness: Redis is back")
            self.redis_down = False
        return int(wait_ms), int(reason)

    async def process_response(self, request, response):
        backoff = response.status in self.backoff_codes
        await self._release(request, backoff, response.headers.get(b"Retry-After") if backoff else None,
                            response.status)
        return response

    async def process_exception(self, request, exception):
        await self._release(request, False, None, None)
        return None

    async def _release(self, request, backoff: bool, retry_after: bytes | None, status) -> None:
        domain, lease = request.meta.pop("_yq_politeness", (None, ""))
        if domain is None or not (lease or backoff):
            return
        delay = retry_after_seconds(retry_after)
        args = [lease, int(backoff), -1 if delay is None else int(delay * 1000),
                int(self.backoff_base * 1000), int(self.backoff_max * 1000)]
        keys = self.keys(domain)
        try:
            cooldown_ms = await self.release(keys=[keys[0], keys[2], f"{KEY_PREFIX}:{domain}:strikes"], args=args)
        except Exception as exc:  # the lease expires by itself
            self.stats.inc_value("politeness/redis_error")
            logger.warning("politeness: cannot release %s (%s)", domain, exc)
            return
        if backoff:
            self.stats.inc_value(f"politeness/backoff/{status}")
            logger.warning("%s answered %s%s: every worker pauses %s for %.1fs", request.url, status,
                           f" (Retry-After {retry_after.decode('latin-1')})" if retry_after else "",
                           domain, int(cooldown_ms) / 1000)
