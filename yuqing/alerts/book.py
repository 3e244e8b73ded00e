"""Alerts in Redis: the one record every worker and every CLI call shares.

Keys::

    yuqing:alert:<rule>:<story>         -> alert id, expires ALERTS_DEDUP_WINDOW after the alert opened
    yuqing:alerts:doc:<id>              -> the alert (JSON), expires ALERTS_RETENTION after its last change
    yuqing:alerts:all                   zset id -> created time, for `yuqing alerts list`
    yuqing:alerts:seen:<rule>:<doc id>  a document already counted for the rule (ALERTS_SEEN_TTL)
    yuqing:alerts:due                   zset id -> when its held-back update may be sent
    yuqing:alerts                       the event stream: {event: created|updated|state, alert: JSON}

A hit is recorded by one Lua script, so concurrent workers never create two
alerts for one rule and story, never lose a count, and the event for a change
is in the stream exactly when the change is stored. Updates are throttled
there: one ``updated`` event per alert per ``ALERTS_UPDATE_INTERVAL`` at most;
a change made within the interval is held back and sent when it ends by
:meth:`AlertBook.flush_due` (the deliverer calls it every second), so the
last count always goes out. Workflow changes (ack, respond, close) are
optimistic transactions (WATCH) and always emit a ``state`` event.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis

from yuqing.alerts.model import apply_transition, make_sample, new_alert

logger = logging.getLogger(__name__)

__all__ = ["AlertBook", "Recorded", "AlertNotFound", "STREAM"]

STREAM = "yuqing:alerts"
STORY_KEY = "yuqing:alert:{rule}:{story}"
DOC_PREFIX = "yuqing:alerts:doc:"
ALL_KEY = "yuqing:alerts:all"
DUE_KEY = "yuqing:alerts:due"
SEEN_KEY = "yuqing:alerts:seen:{rule}:{doc}"

# KEYS: seen, story, minute bucket, hour bucket, stream, due, all
# ARGV: seen ttl, minute ttl, hour ttl, window, retention, now, new alert JSON,
#       sample JSON, grade, grade level, grade reasons JSON, max samples,
#       update interval, stream maxlen, doc key prefix, now ISO
_RECORD = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {'duplicate'} end
redis.call('INCR', KEYS[3]); redis.call('EXPIRE', KEYS[3], ARGV[2])
redis.call('INCR', KEYS[4]); redis.call('EXPIRE', KEYS[4], ARGV[3])
local now = tonumber(ARGV[6])
local alert
local id = redis.call('GET', KEYS[2])
if id then
  local raw = redis.call('GET', ARGV[15] .. id)
  if raw then
    alert = cjson.decode(raw)
    if alert.state == 'closed' then alert = nil end
  end
end
if not alert then
  local raw = ARGV[7]
  id = cjson.decode(raw).id
  redis.call('SET', ARGV[15] .. id, raw, 'EX', ARGV[5])
  redis.call('SET', KEYS[2], id, 'EX', ARGV[4])
  redis.call('ZADD', KEYS[7], now, id)
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[14], '*', 'event', 'created', 'alert', raw)
  return {'created', raw}
end
alert.count = alert.count + 1
table.insert(alert.samples, cjson.decode(ARGV[8]))
while #alert.samples > tonumber(ARGV[12]) do table.remove(alert.samples, 1) end
if tonumber(ARGV[10]) < alert.grade_level then
  alert.grade = ARGV[9]
  alert.grade_level = tonumber(ARGV[10])
  alert.grade_reasons = cjson.decode(ARGV[11])
end
alert.updated_at = ARGV[16]
alert.version = alert.version + 1
local due = alert.notified_at + tonumber(ARGV[13])
local event = 'held'
if now >= due then
  alert.notified_at = now
  alert.notified_version = alert.version
  event = 'updated'
else
  redis.call('ZADD', KEYS[6], 'NX', due, id)
end
local raw = cjson.encode(alert)
redis.call('SET', ARGV[15] .. id, raw, 'EX', ARGV[5])
if event == 'updated' then
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[14], '*', 'event', 'updated', 'alert', raw)
end
return {event, raw}
"""

# KEYS: due, stream   ARGV: now, doc key prefix, stream maxlen
_FLUSH = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
local sent = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local raw = redis.call('GET', ARGV[2] .. id)
  if raw then
    local alert = cjson.decode(raw)
    if alert.version > alert.notified_version and alert.state ~= 'closed' then
      alert.notified_version = alert.version
      alert.notified_at = tonumber(ARGV[1])
      raw = cjson.encode(alert)
      redis.call('SET', ARGV[2] .. id, raw, 'KEEPTTL')
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'event', 'updated', 'alert', raw)
      sent = sent + 1
    end
  end
end
return sent
"""


class AlertNotFound(KeyError):
    pass


@dataclass(frozen=True)
class Recorded:
    action: str
    """``created``, ``updated`` (event sent), ``held`` (updated, event held
    back by the throttle) or ``duplicate`` (document already counted)."""
    alert: dict[str, Any] | None


class AlertBook:
    def __init__(self, client: redis.Redis, config):
        self.redis = client
        self.config = config
        self._record = client.register_script(_RECORD)
        self._flush = client.register_script(_FLUSH)

    def record(self, rule, doc: dict[str, Any], grade, terms: list[str], buckets: list[tuple[str, int]],
               now: float | None = None) -> Recorded:
        """Count one matching document: open an alert or update the story's alert."""
        now = time.time() if now is None else now
        sample = make_sample(doc, grade, terms)
        alert = new_alert(rule, doc, grade, sample, now)
        story = doc.get("cluster_id") or "-"
        (minute_key, minute_ttl), (hour_key, hour_ttl) = buckets
        keys = [SEEN_KEY.format(rule=rule.id, doc=doc["id"]), STORY_KEY.format(rule=rule.id, story=story),
                minute_key, hour_key, STREAM, DUE_KEY, ALL_KEY]
        args = [int(self.config.seen_ttl), minute_ttl, hour_ttl, int(self.config.dedup_window),
                int(self.config.retention), repr(now), _dumps(alert), _dumps(sample), grade.grade,
                grade.level, _dumps(list(grade.reasons)), self.config.max_samples,
                repr(self.config.update_interval), self.config.stream_maxlen, DOC_PREFIX, alert["updated_at"]]
        answer = self._record(keys=keys, args=args)
        action = _text(answer[0])
        return Recorded(action, json.loads(answer[1]) if len(answer) > 1 else None)

    def flush_due(self, now: float | None = None) -> int:
        """Send the held-back updates whose interval is over; returns how many."""
        now = time.time() if now is None else now
        return int(self._flush(keys=[DUE_KEY, STREAM], args=[repr(now), DOC_PREFIX, self.config.stream_maxlen]))

    def get(self, alert_id: str) -> dict[str, Any] | None:
        raw = self.redis.get(DOC_PREFIX + alert_id)
        return json.loads(raw) if raw else None

    def list(self, states: list[str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first. Ids whose alert expired are dropped from the listing key."""
        found: list[dict[str, Any]] = []
        start = 0
        while len(found) < limit:
            ids = [_text(i) for i in self.redis.zrevrange(ALL_KEY, start, start + 199)]
            if not ids:
                break
            start += len(ids)
            expired = []
            for alert_id, raw in zip(ids, self.redis.mget([DOC_PREFIX + i for i in ids])):
                if raw is None:
                    expired.append(alert_id)
                    continue
                alert = json.loads(raw)
                if not states or alert["state"] in states:
                    found.append(alert)
            if expired:
                self.redis.zrem(ALL_KEY, *expired)
                start -= len(expired)
        return found[:limit]

    def transition(self, alert_id: str, action: str, note: str | None = None,
                   now: float | None = None) -> dict[str, Any]:
        """ack / respond / close; raises AlertNotFound or model.TransitionError."""
        now = time.time() if now is None else now
        key = DOC_PREFIX + alert_id
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    if raw is None:
                        raise AlertNotFound(alert_id)
                    alert = apply_transition(json.loads(raw), action, now, note)
                    encoded = _dumps(alert)
                    pipe.multi()
                    pipe.set(key, encoded, ex=int(self.config.retention))
                    pipe.xadd(STREAM, {"event": "state", "alert": encoded},
                              maxlen=self.config.stream_maxlen, approximate=True)
                    pipe.execute()
                    return alert
                except redis.WatchError:  # a worker updated it meanwhile: apply on the new value
                    continue


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value
