"""The shared request queue with leases, and the dead-letter lists.

A worker that takes a request does not remove it from Redis: it *leases* it.
Per spider, next to the pending queue at ``SCHEDULER_QUEUE_KEY``::

    <key>            sorted set  id -> -priority      requests waiting
    <key>:payloads   hash        id -> JSON request   every request not yet acknowledged
    <key>:leased     sorted set  id -> deadline (ms)  requests a worker is working on
    <key>:owners     hash        id -> worker         who holds each lease
    <key>:delayed    sorted set  id -> due time (ms)  retries waiting for their backoff, new
                                                      requests waiting for the dupefilter
    <key>:expiries   hash        id -> count          leases of this request that ran out

Taking a request moves its id from the pending set to the leased set in one
Lua script; the worker acknowledges it (deletes it everywhere) only once the
response was processed and its documents stored, and renews its leases while
it works. A worker that dies stops renewing: once the deadline passes, the
next pop by any worker puts the request back in the pending set, without
going through the dupefilter, which already let it in once. A request whose
lease ran out ``max_expiries`` times (it kills every worker that takes it) goes
to the dead letters instead. Deadlines and due times use the Redis server's
clock, so workers' clocks need not agree.

Requests are stored as JSON, not pickle: a payload is readable by any tool and
cannot execute code when loaded. Meta values must be plain data; Playwright
page methods given by name are the one kind of object that is translated.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
from types import SimpleNamespace
from typing import Any

import redis
from scrapy.http import Request
from scrapy.utils.request import request_from_dict
from scrapy_playwright.page import PageMethod
from scrapy_redis.queue import Base

logger = logging.getLogger(__name__)

# Meta keys the scheduler sets and reads; neither is ever stored in a payload.
LEASE_META = "_yq_lease"
"""Lease id of the request a worker is working on."""
DELAY_META = "_yq_delay"
"""Seconds a retry waits in the delayed set before it may be taken."""

# A new request waits this long at most for the dupefilter's answer: stored
# first, marked seen second, so that a worker dying in between leaves it
# queued (fetched once more at worst), never marked seen and queued nowhere.
STAGE_SECONDS = 30.0

REQUEST_DEADLETTERS = "yuqing:deadletter:requests"
DOCUMENT_DEADLETTERS = "yuqing:deadletter:documents"

_POP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local requeued, buried = 0, 0
-- Leases nobody renewed: the worker died. Back to the queue, or to the dead
-- letters once the request has outlived too many workers.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 200)) do
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    local n = redis.call('HINCRBY', KEYS[6], id, 1)
    if n >= tonumber(ARGV[3]) then
      redis.call('RPUSH', KEYS[7], cjson.encode({kind = 'request', spider = ARGV[4], at = now / 1000,
        reason = 'lease expired ' .. n .. ' times: the workers holding it died or hung',
        request = payload}))
      redis.call('HDEL', KEYS[2], id)
      redis.call('HDEL', KEYS[6], id)
      buried = buried + 1
    else
      redis.call('ZADD', KEYS[1], -(cjson.decode(payload)['priority'] or 0), id)
      requeued = requeued + 1
    end
  end
end
-- Retries whose backoff is over.
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 200)) do
  redis.call('ZREM', KEYS[5], id)
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    redis.call('ZADD', KEYS[1], -(cjson.decode(payload)['priority'] or 0), id)
  end
end
local out = {requeued, buried}
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  local id = head[1]
  if not id then break end
  redis.call('ZREM', KEYS[1], id)
  local payload = redis.call('HGET', KEYS[2], id)
  if payload then
    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), id)
    redis.call('HSET', KEYS[4], id, ARGV[1])
    table.insert(out, id)
    table.insert(out, payload)
    break
  end
end
return out
"""

# ARGV: id, payload, score, delay in ms (0: straight to the pending set).
_PUSH = """
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local delay = tonumber(ARGV[4])
if delay > 0 then
  local t = redis.call('TIME')
  redis.call('ZADD', KEYS[3], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + delay, ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
"""

# ARGV: id, score. A staged request the dupefilter let in: now it may be taken.
_PROMOTE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
"""

# ARGV: worker, lease ms, ids. Returns the ids this worker no longer holds.
_RENEW = """
local t = redis.call('TIME')
local deadline = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
local lost = {}
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""

# ARGV: worker, ids. Leases this worker gives back unprocessed (it is closing).
_RELEASE = """
local n = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[4], ARGV[i]) == ARGV[1] then
    redis.call('ZREM', KEYS[3], ARGV[i])
    redis.call('HDEL', KEYS[4], ARGV[i])
    local payload = redis.call('HGET', KEYS[2], ARGV[i])
    if payload then
      redis.call('ZADD', KEYS[1], -(cjson.decode(payload)['priority'] or 0), ARGV[i])
      n = n + 1
    end
  end
end
return n
"""


def worker_id() -> str:
    """How this process signs its leases (as its heartbeat names it)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_id() -> str:
    # Time first: among requests of one priority, Redis orders the pending set
    # by member, so the queue is first in, first out.
    return f"{time.time_ns():x}-{os.urandom(4).hex()}"


class JsonSerializer:
    """The queue's serializer: scrapy-redis's ``dumps``/``loads`` interface, in JSON."""

    @staticmethod
    def dumps(obj: dict) -> str:
        return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def loads(data: str | bytes) -> dict:
        return json.loads(data, object_hook=_revive)


def _plain(value: Any, path: str = "request") -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, bytes):
        if path == "request.headers" and value.isascii():
            return value.decode("ascii")
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if path == "request.headers":
            # Header names are bytes: kept as [name, [values]] pairs.
            return [[_plain(k, path), [_plain(v, path) for v in vs]] for k, vs in value.items()]
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} has a non-string key {key!r}: requests carry plain JSON meta")
            out[key] = _plain(item, f"{path}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, path) for v in value]
    if isinstance(value, PageMethod) and isinstance(value.method, str):
        return {"$page_method": [value.method, _plain(list(value.args), path), _plain(value.kwargs, path)]}
    raise TypeError(f"{path} holds a {type(value).__name__}, which a shared queue cannot store: "
                    "requests carry plain JSON meta")


def _revive(obj: dict) -> Any:
    if "$bytes" in obj and len(obj) == 1:
        return base64.b64decode(obj["$bytes"])
    if "$page_method" in obj and len(obj) == 1:
        method, args, kwargs = obj["$page_method"]
        return PageMethod(method, *args, **kwargs)
    return obj


class LeasedPriorityQueue(Base):
    """scrapy-redis's priority queue (same key, same ``-priority`` score),
    taking requests under lease. ``SCHEDULER_QUEUE_CLASS`` names it."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer or JsonSerializer)
        self.keys = {name: f"{self.key}:{name}" for name in
                     ("payloads", "leased", "owners", "delayed", "expiries")}
        self.deadletter_key = REQUEST_DEADLETTERS
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)
        self._promote = server.register_script(_PROMOTE)

    @classmethod
    def for_spider_name(cls, server, key: str, name: str) -> "LeasedPriorityQueue":
        """A spider's queue outside a crawl (``yuqing dead replay``): for pushing payloads."""
        return cls(server, SimpleNamespace(name=name), key)

    # -- payloads ------------------------------------------------------------
    def encode(self, request: Request) -> str:
        """The JSON payload of a request, without this worker's bookkeeping."""
        errback = getattr(request.errback, "original", request.errback)
        meta = {k: v for k, v in request.meta.items() if k not in (LEASE_META, DELAY_META)}
        request = request.replace(errback=errback, meta=meta)
        return self.serializer.dumps(request.to_dict(spider=self.spider))

    def decode(self, payload: str | bytes) -> Request:
        return request_from_dict(self.serializer.loads(payload), spider=self.spider)

    # -- queue operations ----------------------------------------------------
    def __len__(self) -> int:
        return self.server.zcard(self.key)

    def outstanding(self) -> int:
        """Requests not finished anywhere: pending, waiting to be retried, leased."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.key).zcard(self.keys["delayed"]).zcard(self.keys["leased"])
            return sum(pipe.execute())

    def push(self, request: Request, delay: float = 0.0, payload: str | None = None) -> str:
        """Queue a request (after ``delay`` seconds); returns its id."""
        return self.push_payload(payload or self.encode(request), request.priority, delay)

    def push_payload(self, payload: str, priority: int, delay: float = 0.0) -> str:
        request_id = new_id()
        self._push(keys=[self.key, self.keys["payloads"], self.keys["delayed"]],
                   args=[request_id, payload, -priority, int(delay * 1000)])
        return request_id

    def stage(self, request: Request, payload: str) -> str:
        """Store a request the dupefilter has yet to let in, out of reach until
        :meth:`promote`, or until ``STAGE_SECONDS`` pass (its worker died)."""
        return self.push_payload(payload, request.priority, STAGE_SECONDS)

    def promote(self, request: Request, request_id: str) -> None:
        self._promote(keys=[self.keys["delayed"], self.key], args=[request_id, -request.priority])

    def remove(self, request_id: str) -> None:
        """Take back a staged request (the dupefilter had seen it)."""
        with self.server.pipeline() as pipe:
            pipe.zrem(self.key, request_id).zrem(self.keys["delayed"], request_id)
            pipe.hdel(self.keys["payloads"], request_id)
            pipe.execute()

    def lease(self, worker: str, seconds: float, max_expiries: int) -> tuple[str | None, str | None, int, int]:
        """Take the next request under a lease: (lease id, payload, requeued, buried).

        Also returns to the queue the requests of workers whose leases ran out
        (``requeued``), or buries them in the dead letters (``buried``)."""
        out = self._pop(keys=[self.key, self.keys["payloads"], self.keys["leased"], self.keys["owners"],
                              self.keys["delayed"], self.keys["expiries"], self.deadletter_key],
                        args=[worker, int(seconds * 1000), max_expiries, self.spider.name])
        requeued, buried = int(out[0]), int(out[1])
        if len(out) < 4:
            return None, None, requeued, buried
        lease, payload = out[2], out[3]
        return _text(lease), _text(payload), requeued, buried

    def pop(self, timeout=0):
        raise NotImplementedError("take requests with lease(): a popped request must be acknowledged")

    def renew(self, worker: str, seconds: float, leases: list[str]) -> list[str]:
        """Push the deadlines of ``leases`` back; returns those this worker lost."""
        if not leases:
            return []
        lost = self._renew(keys=[self.keys["leased"], self.keys["owners"]],
                           args=[worker, int(seconds * 1000), *leases])
        return [_text(x) for x in lost]

    def ack(self, leases: list[str]) -> None:
        """These requests are done: forget them everywhere, whoever holds them now."""
        if not leases:
            return
        with self.server.pipeline() as pipe:
            pipe.zrem(self.keys["leased"], *leases).zrem(self.key, *leases).zrem(self.keys["delayed"], *leases)
            pipe.hdel(self.keys["owners"], *leases).hdel(self.keys["payloads"], *leases)
            pipe.hdel(self.keys["expiries"], *leases)
            pipe.execute()

    def release(self, worker: str, leases: list[str]) -> int:
        """Give unprocessed leases back to the queue at once (the worker closes)."""
        if not leases:
            return 0
        return int(self._release(keys=[self.key, self.keys["payloads"], self.keys["leased"],
                                       self.keys["owners"]], args=[worker, *leases]))

    def clear(self):
        self.server.delete(self.key, *self.keys.values())


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class DeadLetters:
    """A dead-letter list in Redis: JSON entries with ``kind``, ``reason``,
    ``at`` (epoch seconds), ``spider`` and the ``request`` payload or the
    ``document``. Entries are appended at the tail and replayed from the head."""

    def __init__(self, server, key: str):
        self.server = server
        self.key = key

    @staticmethod
    def entry(kind: str, reason: str, spider: str, **data: Any) -> str:
        return json.dumps({"kind": kind, "reason": reason, "at": round(time.time(), 3), "spider": spider,
                           **data}, ensure_ascii=False)

    def add(self, *entries: str) -> None:
        if entries:
            self.server.rpush(self.key, *entries)

    def __len__(self) -> int:
        return self.server.llen(self.key)

    def peek(self, limit: int | None = None) -> list[dict]:
        raw = self.server.lrange(self.key, 0, -1 if limit is None else limit - 1)
        return [json.loads(x) for x in raw]

    def drop_head(self, count: int) -> None:
        """Remove the first ``count`` entries, once they are replayed (the tail may grow meanwhile)."""
        if count:
            self.server.ltrim(self.key, count, -1)

    def purge(self) -> int:
        with self.server.pipeline() as pipe:
            pipe.llen(self.key).delete(self.key)
            count, _ = pipe.execute()
        return int(count)


class RedisGuard:
    """Runs a component's Redis calls and rides out outages.

    A call that fails with a connection error starts an outage: one warning,
    then the component skips Redis until the next retry time (doubling from
    ``base`` to ``cap`` seconds) instead of blocking or crashing; the first
    call that works again ends it with one more line."""

    errors = (redis.ConnectionError, redis.TimeoutError)

    def __init__(self, component: str, stats=None, base: float = 0.5, cap: float = 30.0, clock=time.monotonic):
        self.component = component
        self.stats = stats
        self.base = base
        self.cap = cap
        self.clock = clock
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.delay = base

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def available(self) -> bool:
        return self.down_since is None or self.clock() >= self.retry_at

    def call(self, fn, *args, **kwargs):
        """``fn(*args)``; raises :class:`RedisDown` during an outage."""
        if not self.available():
            raise RedisDown(self.component)
        try:
            result = fn(*args, **kwargs)
        except self.errors as exc:
            self.failed(exc)
            raise RedisDown(self.component) from exc
        if self.down_since is not None:
            logger.warning("redis is back for the %s after %.1fs", self.component, self.clock() - self.down_since)
            self.down_since = None
            self.delay = self.base
        return result

    def failed(self, exc: BaseException) -> None:
        now = self.clock()
        if self.down_since is None:
            self.down_since = now
            self.delay = self.base
            if self.stats:
                self.stats.inc_value("redis/outages")
            logger.warning("redis unreachable for the %s (%s): working on and retrying with backoff "
                           "up to %gs", self.component, exc, self.cap)
        else:
            self.delay = min(self.cap, self.delay * 2)
        if self.stats:
            self.stats.inc_value("redis/errors")
        self.retry_at = now + self.delay


class RedisDown(ConnectionError):
    """Redis is unreachable; the guard retries it later."""
