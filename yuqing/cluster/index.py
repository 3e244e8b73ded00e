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
4. the cluster of its nearest near-duplicate within Hamming distance
   ``max_distance``, among the candidates: documents within ``window``
   seconds whose SimHash agrees with its own on one of the four 16-bit bands
   or, with ``probe``, differs there in one bit;
5. the cluster reserved for the original it links to, when an earlier repost
   or reply of that original reserved one and the original is still unknown;
6. otherwise a new cluster, whose id is this document's id. When it links to
   an original not seen yet, it reserves itself for that original (3, 5).

Clusters never merge (that would rewrite indexed documents); a cluster's id is
the id of its first-seen member and never changes. Its *origin* is the member
with the earliest time (publish time, else crawl time) and moves when an
earlier member arrives later.

Keys (``<prefix>`` is ``CLUSTER_KEY_PREFIX``):

* ``<prefix>:doc:<id>``, hash: cluster ``c``, time ``t``, source ``s``;
* ``<prefix>:band:<n>:<hhhh>``, sorted set of ``<simhash hex><id>`` by time;
* ``<prefix>:cluster:<id>``, hash: ``origin_id``, ``origin_time``,
  ``origin_source``, ``size``, ``created_at``, ``updated_at``; written when
  a second member joins (most documents stay alone, and a lone document's own
  key says all there is to say);
* ``<prefix>:await:<id>``: the cluster reserved for document ``id``.

Keys expire ``ttl`` seconds after their last write (a document's also when
it is seen again), and a band drops members more than ``ttl`` seconds older
than the document being added. The script builds key names itself, so it
needs one Redis server (or all keys on one Redis Cluster slot), like the
shared scheduler queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from .simhash import Fingerprint

_ASSIGN = """
local p, id, hex, t, source = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local repost_of, parent = ARGV[6], ARGV[7]
local k, window, cap, ttl, now, probe = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]),
    tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local dkey = p .. ':doc:' .. id

local known = redis.call('HGET', dkey, 'c')
if known then
  -- Re-crawled (engagement updates): it stays a member as long as it is seen.
  redis.call('EXPIRE', dkey, ttl)
  return {known, 'known', '', -1, 0}
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
  if c then
    cid, via = c, 'awaited'
    -- From now on its own key leads there.
    redis.call('DEL', p .. ':await:' .. id)
  end
end

local function band_key(i, value)
  return p .. ':band:' .. i .. ':' .. value
end

if not cid and hex ~= '' then
  local ones = {[0] = 0}
  for i = 1, 255 do ones[i] = (i % 2) + ones[math.floor(i / 2)] end
  local q = {}
  for i = 1, 4 do q[i] = tonumber(string.sub(hex, 4 * i - 3, 4 * i), 16) end
  local found, seen = {}, {}
  for i = 1, 4 do
    local values = {q[i]}
    if probe > 0 then
      for b = 0, 15 do values[#values + 1] = bit.bxor(q[i], bit.lshift(1, b)) end
    end
    for _, v in ipairs(values) do
      local members = redis.call('ZRANGEBYSCORE', band_key(i, string.format('%04x', v)),
                                 t - window, t + window, 'LIMIT', 0, cap)
      for _, member in ipairs(members) do
        if not seen[member] then
          seen[member] = true
          local d, j = 0, 1
          while j <= 4 and d <= k do
            local x = bit.bxor(q[j], tonumber(string.sub(member, 4 * j - 3, 4 * j), 16))
            d = d + ones[bit.band(x, 255)] + ones[bit.rshift(x, 8)]
            j = j + 1
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
    for j = 1, 4 do redis.call('ZREM', band_key(j, string.sub(hit[2], 4 * j - 3, 4 * j)), hit[2]) end
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

redis.call('HSET', dkey, 'c', cid, 't', t, 's', source)
redis.call('EXPIRE', dkey, ttl)
if hex ~= '' then
  for i = 1, 4 do
    local key = band_key(i, string.sub(hex, 4 * i - 3, 4 * i))
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (t - ttl))
    redis.call('ZADD', key, t, hex .. id)
    redis.call('EXPIRE', key, ttl)
  end
end

local moved = 0
if action == 'joined' then
  local ckey = p .. ':cluster:' .. cid
  local origin_time = redis.call('HGET', ckey, 'origin_time')
  if not origin_time then
    -- The second member: the first one's own key holds the origin so far
    -- (unless it expired, then this member is the earliest known).
    local first = redis.call('HMGET', p .. ':doc:' .. cid, 't', 's')
    local origin = first[1] and {cid, first[1], first[2] or ''} or {id, t, source}
    redis.call('HSET', ckey, 'origin_id', origin[1], 'origin_time', origin[2], 'origin_source', origin[3],
               'size', 1, 'created_at', now)
    origin_time = origin[2]
  end
  if t < tonumber(origin_time) then
    redis.call('HSET', ckey, 'origin_id', id, 'origin_time', t, 'origin_source', source)
    moved = 1
  end
  redis.call('HINCRBY', ckey, 'size', 1)
  redis.call('HSET', ckey, 'updated_at', now)
  redis.call('EXPIRE', ckey, ttl)
end
return {cid, action, via, distance, moved}
"""


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


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
    def __init__(self, redis, *, prefix: str = "yuqing:cluster", max_distance: int = 10,
                 probe: bool = True, window: float = 3 * 86400, band_scan: int = 200,
                 ttl: int = 14 * 86400):
        self.redis = redis
        self.prefix = prefix
        self.max_distance = max_distance
        self.probe = probe
        self.window = window
        self.band_scan = band_scan
        self.ttl = ttl
        self._assign = redis.register_script(_ASSIGN)

    @classmethod
    def from_settings(cls, redis, settings) -> "ClusterIndex":
        return cls(redis, prefix=settings.get("CLUSTER_KEY_PREFIX", "yuqing:cluster"),
                   max_distance=settings.getint("CLUSTER_MAX_DISTANCE", 10),
                   probe=settings.getbool("CLUSTER_BAND_PROBE", True),
                   window=settings.getfloat("CLUSTER_WINDOW", 3 * 86400),
                   band_scan=settings.getint("CLUSTER_BAND_SCAN", 200),
                   ttl=settings.getint("CLUSTER_TTL", 14 * 86400))

    def assign(self, doc_id: str, fingerprint: Fingerprint | None, time: float, *, now: float,
               source: str = "", repost_of: str | None = None, parent_id: str | None = None) -> Assignment:
        """Put one document in a cluster. ``fingerprint`` None keeps it out of
        near-duplicate matching (too short to tell); its links still count."""
        cluster_id, action, via, distance, moved = self._assign(args=[
            self.prefix, doc_id, fingerprint.hex if fingerprint else "", int(time), source or "",
            repost_of or "", parent_id or "", self.max_distance, int(self.window), self.band_scan,
            self.ttl, int(now), 1 if self.probe else 0])
        return Assignment(_text(cluster_id), _text(action), _text(via),
                          int(distance) if int(distance) >= 0 else None, bool(moved))

    def cluster_of(self, doc_id: str) -> str | None:
        value = self.redis.hget(f"{self.prefix}:doc:{doc_id}", "c")
        return _text(value) if value is not None else None

    def info(self, cluster_id: str) -> dict | None:
        """The cluster's origin (``origin_id``, ``origin_time`` in epoch
        seconds, ``origin_source``) and ``size``; None when Redis no longer
        knows it."""
        raw = {_text(k): _text(v) for k, v in self.redis.hgetall(f"{self.prefix}:cluster:{cluster_id}").items()}
        if not raw:
            alone = self.redis.hmget(f"{self.prefix}:doc:{cluster_id}", "c", "t", "s")
            if _text(alone[0]) != cluster_id:
                return None
            raw = {"origin_id": cluster_id, "origin_time": _text(alone[1]), "origin_source": _text(alone[2]) or "",
                   "size": "1"}
        info = {"cluster_id": cluster_id, **raw}
        for name in ("origin_time", "size", "created_at", "updated_at"):
            if name in info:
                info[name] = int(float(info[name]))
        return info
