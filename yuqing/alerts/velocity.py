"""How fast a rule is hitting, counted in Redis so every worker sees one count.

Each new hit of a rule on a channel increments a per-minute bucket
``yuqing:velocity:<rule>:<channel>:m:<epoch minute>`` (kept 2 hours) and a
per-hour bucket ``...:h:<epoch hour>`` (kept as long as the channel's
baseline); the increment happens in the same Lua call that records the alert
(:mod:`yuqing.alerts.book`), so a re-crawled document is not counted twice.

*Last hour*: the sum of the last 60 minute buckets. *Baseline*: the hourly
mean of the hour buckets of the ``B`` hours before the current hour, without
the minutes that are already in the last hour. Hour buckets keep the baseline
read to a few hundred keys even for 14 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Velocity", "Reading", "MIN_BASELINE"]

KEY = "yuqing:velocity:{rule}:{channel}"
MIN_BASELINE = 1.0
"""Hits an hour the baseline is never taken below (a new or quiet rule)."""


@dataclass(frozen=True)
class Reading:
    last_hour: int
    """Hits in the last 60 minutes, the one being graded included."""
    baseline: float
    """Mean hits an hour over the baseline window."""
    level: int
    """0 normal, 1 spike, 2 surge."""

    @property
    def ratio(self) -> float:
        return self.last_hour / max(self.baseline, MIN_BASELINE)

    @property
    def reason(self) -> str:
        word = ("normal", "spike", "surge")[self.level]
        return f"{word}: {self.last_hour} hits in the last hour vs {self.baseline:.1f}/h baseline"


class Velocity:
    def __init__(self, redis, config):
        self.redis = redis
        self.config = config

    def _prefix(self, rule_id: str, channel: str) -> str:
        return KEY.format(rule=rule_id, channel=channel or "other")

    def buckets(self, rule_id: str, channel: str, now: float) -> list[tuple[str, int]]:
        """(key, ttl seconds) of the two buckets a hit at ``now`` increments."""
        prefix = self._prefix(rule_id, channel)
        baseline = self.config.baseline_for(channel)
        return [(f"{prefix}:m:{int(now // 60)}", 2 * 3600),
                (f"{prefix}:h:{int(now // 3600)}", int(baseline) + 2 * 3600)]

    def read(self, rule_id: str, channel: str, now: float) -> Reading:
        """The velocity a new hit at ``now`` would have (it is counted as one)."""
        prefix = self._prefix(rule_id, channel)
        minute, hour = int(now // 60), int(now // 3600)
        hours = max(1, math.ceil(self.config.baseline_for(channel) / 3600))
        minute_keys = [f"{prefix}:m:{m}" for m in range(minute - 59, minute + 1)]
        hour_keys = [f"{prefix}:h:{h}" for h in range(hour - hours, hour)]
        values = self.redis.mget(minute_keys + hour_keys)
        minutes = [int(v or 0) for v in values[:60]]
        last_hour = sum(minutes) + 1
        # Minutes of the last hour that fall in the previous hour bucket are
        # counted there too; take them out of the baseline.
        overlap_minutes = max(0, hour * 60 - (minute - 59))
        overlap = sum(minutes[:overlap_minutes])
        covered = hours * 60 - overlap_minutes
        baseline = max(0, sum(int(v or 0) for v in values[60:]) - overlap) * 60 / covered
        ratio = last_hour / max(baseline, MIN_BASELINE)
        level = 0
        if last_hour >= self.config.velocity_min_hits:
            if ratio >= self.config.velocity_surge:
                level = 2
            elif ratio >= self.config.velocity_spike:
                level = 1
        return Reading(last_hour, baseline, level)
