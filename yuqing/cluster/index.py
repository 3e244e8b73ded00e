"""The cluster index in Redis, shared by every worker.

One Lua script assigns a document to a cluster: it reads the candidates,
decides and writes in one step, so two workers that see two copies of the
same story at the same moment cannot both open a cluster for it. In order, a
document joins:

1. the cluster it already has (a re-crawl keeps its cluster);
2. the cluster of the document it reposts or replies to (``repost_of``,
   ``parent_id``), when that one is known;
3. the cluster that reposts or replies seen earlier reserved for it, when
   they arrived before their original did;
4. the cluster of its nearest near-duplicate: candidates share one 16-bit band
   of the SimHash and lie within ``window`` seconds; the nearest within
   Hamming distance ``max_distance`` wins;
5. the cluster reserved for the original it links to by a repost or reply
   seen earlier, when that original is not known yet;
6. otherwise a new cluster, whose id is this document's id. When it links to
   an original not seen yet, it reserves itself for that original (3).

Clusters never merge (that would rewrite indexed documents); a cluster's id is
the id of its first-seen member and never changes. Its *origin* is the member
with the earliest time (publish time, else crawl time) and moves when an
earlier member arrives later. Keys expire ``ttl`` seconds after the last write
to them; a document's band entries go when its own key has expired.

Keys (``<prefix>`` is ``CLUSTER_KEY_PREFIX``): ``<prefix>:doc:<id>`` (hash:
cluster ``c``, SimHash ``h``, time ``t``), ``<prefix>:band:<n>:<hhhh>``
(sorted set of document ids by time), ``<prefix>:cluster:<id>`` (hash: origin
and counters), ``<prefix>:members:<id>`` (sorted set of member ids by time),
``<prefix>:await:<id>`` (the cluster reserved for document ``id``). The script
builds key names itself, so it needs one Redis server (or all keys on one
Redis Cluster slot), like the shared scheduler queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .simhash import Fingerprint

logger = logging.getLogger(__name__)

_ASSIGN = """
local p, id, hex, t = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local source, url, repost_of, parent = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local k, window, cap, ttl, now = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]),
    tonumber(ARGV[12]), tonumber(ARGV[13])
local probe = tonumber(ARGV[14])
local dkey = p .. ':doc:' .. id

local known = redis.call('HGET', dkey, 'c')
if known then
  return {known, 'known', '', -1, 0}
end

local function popcount(x)
  local n = 0
  while x ~= 0 do
    x = bit.band(x, x - 1)
    n = n + 1
  end
  return n
end

local links = {}
if repost_of ~= '' then links[#links + 1] = {repost_of, 'repost'} end
if parent ~= '' and parent ~= repost_of then links[#links + 1] = {parent, 'reply'} end

local cid, via, distance = nil, nil, -1
for _, link in ipairs(links) do
  if not cid then
    local c = redis.call('HGET', p .. ':doc:' .. link[1], 'c')
    if c then cid, via = c, link[2] end
  end
end
if not cid then
  local c = redis.call('GET', p .. ':await:' .. id)
  if c then cid, via = c, 'awaited' end
end
if not cid and hex ~= '' then
  -- Candidates: members of the same 16-bit band value, or (probe = 1) of a
  -- value one bit away, within the time window. Members are "<hex><id>".
  local q, found, seen = {}, {}, {}
  for i = 1, 4 do q[i] = tonumber(string.sub(hex, 4 * i - 3, 4 * i), 16) end
  for i = 1, 4 do
    local values = {q[i]}
    if probe > 0 then
      for b = 0, 15 do values[#values + 1] = bit.bxor(q[i], bit.lshift(1, b)) end
    end
    for _, v in ipairs(values) do
      local bkey = p .. ':band:' .. i .. ':' .. string.format('%04x', v)
      for _, member in ipairs(redis.call('ZRANGEBYSCORE', bkey, t - window, t + window, 'LIMIT', 0, cap)) do
        if not seen[member] then
          seen[member] = true
          local d = 0
          for j = 1, 4 do
            d = d + popcount(bit.bxor(q[j], tonumber(string.sub(member, 4 * j - 3, 4 * j), 16)))
          end
          if d <= k then found[#found + 1] = {d, member} end
        end
      end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  for _, hit in ipairs(found) do
    local c = redis.call('HGET', p .. ':doc:' .. string.sub(hit[2], 17), 'c')
    if c then
      cid, via, distance = c, 'simhash', hit[1]
      break
    end
    -- Its document expired: forget it in every band.
    for j = 1, 4 do
      redis.call('ZREM', p .. ':band:' .. j .. ':' .. string.sub(hit[2], 4 * j - 3, 4 * j), hit[2])
    end
  end
end
if not cid then
  for _, link in ipairs(links) do
    if not cid then
      local c = redis.call('GET', p .. ':await:' .. link[1])
      if c then cid, via = c, 'sibling' end
    end
  end
end
local action = 'joined'
if not cid then cid, via, action = id, 'new', 'created' end
for _, link in ipairs(links) do
  if redis.call('EXISTS', p .. ':doc:' .. link[1]) == 0 then
    redis.call('SET', p .. ':await:' .. link[1], cid, 'NX', 'EX', ttl)
  end
end

redis.call('HSET', dkey, 'c', cid, 't', t)
if hex ~= '' then
  for i = 1, 4 do
    local bkey = p .. ':band:' .. i .. ':' .. string.sub(hex, 4 * i - 3, 4 * i)
    redis.call('ZADD', bkey, t, hex .. id)
    redis.call('EXPIRE', bkey, ttl)
  end
end
redis.call('EXPIRE', dkey, ttl)

local ckey, mkey = p .. ':cluster:' .. cid, p .. ':members:' .. cid
local moved = 0
local origin_time = redis.call('HGET', ckey, 'origin_time')
if not origin_time then
  -- New, or expired while a member document was still remembered.
  redis.call('HSET', ckey, 'created_at', now, 'origin_id', id, 'origin_time', t,
             'origin_source', source, 'origin_url', url)
elseif t < tonumber(origin_time) then
  redis.call('HSET', ckey, 'origin_id', id, 'origin_time', t, 'origin_source', source, 'origin_url', url)
  moved = 1
end
redis.call('HINCRBY', ckey, 'size', 1)
redis.call('HSET', ckey, 'updated_at', now)
redis.call('ZADD', mkey, t, id)
redis.call('EXPIRE', ckey, ttl)
redis.call('EXPIRE', mkey, ttl)
return {cid, action, via, distance, moved}
"""


@dataclass(frozen=True)
class Assignment:
    cluster_id: str
    action: str
    """``created``, ``joined`` or ``known`` (the document had its cluster already)."""
    via: str
    """Why: ``new``, ``simhash``, ``repost``, ``reply``, ``awaited``, ``sibling`` ('' when known)."""
    distance: int | None
    """Hamming distance to the nearest near-duplicate when ``via`` is ``simhash``."""
    origin_moved: bool
    """This document is earlier than the cluster's origin was and is now its origin."""


class ClusterIndex:
    def __init__(self, redis, *, prefix: str = "yuqing:cluster", max_distance: int = 3,
                 window: float = 7 * 86400, band_scan: int = 200, ttl: int = 30 * 86400, probe: int = 1):
        self.redis = redis
        self.prefix = prefix
        self.max_distance = max_distance
        self.window = window
        self.band_scan = band_scan
        self.ttl = ttl
        self.probe = probe
        self._assign = redis.register_script(_ASSIGN)

    @classmethod
    def from_settings(cls, redis, settings) -> "ClusterIndex":
        return cls(redis, prefix=settings.get("CLUSTER_KEY_PREFIX", "yuqing:cluster"),
                   max_distance=settings.getint("CLUSTER_MAX_DISTANCE", 3),
                   window=settings.getfloat("CLUSTER_WINDOW", 7 * 86400),
                   band_scan=settings.getint("CLUSTER_BAND_SCAN", 200),
                   ttl=settings.getint("CLUSTER_TTL", 30 * 86400))

    def assign(self, doc_id: str, fingerprint: Fingerprint | None, time: float, *, now: float,
               source: str = "", url: str = "", repost_of: str | None = None,
               parent_id: str | None = None) -> Assignment:
        """Put one document in a cluster; ``fingerprint`` None keeps it out of
        near-duplicate matching (too short), links still apply."""
        cluster_id, action, via, distance, moved = self._assign(args=[
            self.prefix, doc_id, fingerprint.hex if fingerprint else "", int(time), source or "", url or "",
            repost_of or "", parent_id or "", self.max_distance, int(self.window), self.band_scan, self.ttl,
            int(now), self.probe])
        text = (lambda v: v.decode() if isinstance(v, bytes) else v)
        return Assignment(text(cluster_id), text(action), text(via),
                          int(distance) if int(distance) >= 0 else None, bool(moved))

    def cluster_of(self, doc_id: str) -> str | None:
        value = self.redis.hget(f"{self.prefix}:doc:{doc_id}", "c")
        return value.decode() if isinstance(value, bytes) else value

    def info(self, cluster_id: str) -> dict | None:
        """The cluster's metadata: origin (id, time, source, url), size,
        creation and last update times (epoch seconds)."""
        raw = self.redis.hgetall(f"{self.prefix}:cluster:{cluster_id}")
        if not raw:
            return None
        info = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                for k, v in raw.items()}
        for name in ("origin_time", "size", "created_at", "updated_at"):
            if name in info:
                info[name] = int(float(info[name]))
        return {"cluster_id": cluster_id, **info}

    def members(self, cluster_id: str) -> list[tuple[str, int]]:
        """Member ids with their times, earliest first."""
        pairs = self.redis.zrange(f"{self.prefix}:members:{cluster_id}", 0, -1, withscores=True)
        return [(m.decode() if isinstance(m, bytes) else m, int(score)) for m, score in pairs]
