"""Typed alert settings, read once from the Scrapy settings (``settings/pipelines.py``
documents each of them) by the pipeline, ``yuqing alerts deliver`` and the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from yuqing.alerts.grading import GRADES, grade_level
from yuqing.alerts.webhooks import TEMPLATES

__all__ = ["AlertsConfig", "Webhook", "parse_duration", "WEBHOOK_FORMATS"]

WEBHOOK_FORMATS = tuple(TEMPLATES)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: Any) -> float:
    """Seconds from ``90``, ``"90s"``, ``"10m"``, ``"6h"``, ``"14d"`` or ``"2w"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use seconds or 30s, 10m, 6h, 14d, 2w)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]


@dataclass(frozen=True)
class Webhook:
    url: str
    format: str = "generic"
    min_grade: str = "IV"
    """Least severe grade sent to this hook (``II`` sends Ⅰ and Ⅱ)."""
    name: str = ""
    """Names the hook's consumer group; defaults to a digest of the URL, so
    editing the URL starts a new group instead of inheriting another hook's."""
    secret: str | None = None
    """Signing secret of a DingTalk (加签) or Feishu robot."""

    @classmethod
    def from_dict(cls, data: Any) -> "Webhook":
        if isinstance(data, str):
            data = {"url": data}
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            raise ValueError(f"ALERTS_WEBHOOKS: each entry needs a 'url', got {data!r}")
        unknown = set(data) - {"url", "format", "min_grade", "name", "secret"}
        if unknown:
            raise ValueError(f"ALERTS_WEBHOOKS: unknown key {sorted(unknown)[0]!r} "
                             "(known: url, format, min_grade, name, secret)")
        fmt = data.get("format") or "generic"
        if fmt not in WEBHOOK_FORMATS:
            raise ValueError(f"ALERTS_WEBHOOKS: format {fmt!r} is not one of {', '.join(WEBHOOK_FORMATS)}")
        min_grade = str(data.get("min_grade") or "IV")
        if min_grade not in GRADES:
            raise ValueError(f"ALERTS_WEBHOOKS: min_grade {min_grade!r} is not one of {', '.join(GRADES)}")
        if data.get("secret") and fmt not in ("dingtalk", "feishu"):
            raise ValueError(f"ALERTS_WEBHOOKS: a secret signs dingtalk and feishu messages, not {fmt}")
        name = data.get("name") or _digest(data["url"])
        return cls(data["url"], fmt, min_grade, name, data.get("secret") or None)

    def accepts(self, grade: str) -> bool:
        return grade_level(grade) <= grade_level(self.min_grade)


def _digest(url: str) -> str:
    import hashlib

    return hashlib.sha1(url.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class AlertsConfig:
    dedup_window: float = 6 * 3600
    update_interval: float = 600
    max_samples: int = 10
    retention: float = 30 * 86400
    seen_ttl: float = 2 * 86400
    stream_maxlen: int = 100_000
    official_media_file: str | None = None
    influence_followers: int = 1_000_000
    influence_verified_followers: int = 100_000
    velocity_baselines: dict[str, float] = field(default_factory=lambda: {"default": 24 * 3600})
    velocity_min_hits: int = 5
    velocity_spike: float = 3.0
    velocity_surge: float = 10.0
    webhooks: tuple[Webhook, ...] = ()
    webhook_timeout: float = 10.0
    backoff: float = 1.0
    backoff_max: float = 300.0
    claim_after: float = 60.0

    @classmethod
    def from_settings(cls, settings) -> "AlertsConfig":
        webhooks = settings.get("ALERTS_WEBHOOKS") or []
        if isinstance(webhooks, str):
            import json

            webhooks = json.loads(webhooks)
        baselines = {str(k): parse_duration(v) for k, v in
                     (settings.getdict("ALERTS_VELOCITY_BASELINE") or {}).items()}
        baselines.setdefault("default", 24 * 3600)
        return cls(
            dedup_window=parse_duration(settings.get("ALERTS_DEDUP_WINDOW", "6h")),
            update_interval=parse_duration(settings.get("ALERTS_UPDATE_INTERVAL", "10m")),
            max_samples=settings.getint("ALERTS_MAX_SAMPLES", 10),
            retention=parse_duration(settings.get("ALERTS_RETENTION", "30d")),
            seen_ttl=parse_duration(settings.get("ALERTS_SEEN_TTL", "2d")),
            stream_maxlen=settings.getint("ALERTS_STREAM_MAXLEN", 100_000),
            official_media_file=settings.get("ALERTS_OFFICIAL_MEDIA_FILE") or None,
            influence_followers=settings.getint("ALERTS_INFLUENCE_FOLLOWERS", 1_000_000),
            influence_verified_followers=settings.getint("ALERTS_INFLUENCE_VERIFIED_FOLLOWERS", 100_000),
            velocity_baselines=baselines,
            velocity_min_hits=settings.getint("ALERTS_VELOCITY_MIN_HITS", 5),
            velocity_spike=settings.getfloat("ALERTS_VELOCITY_SPIKE", 3.0),
            velocity_surge=settings.getfloat("ALERTS_VELOCITY_SURGE", 10.0),
            webhooks=tuple(Webhook.from_dict(w) for w in webhooks),
            webhook_timeout=parse_duration(settings.get("ALERTS_WEBHOOK_TIMEOUT", 10)),
            backoff=parse_duration(settings.get("ALERTS_DELIVERY_BACKOFF", 1)),
            backoff_max=parse_duration(settings.get("ALERTS_DELIVERY_BACKOFF_MAX", "5m")),
            claim_after=parse_duration(settings.get("ALERTS_DELIVERY_CLAIM_AFTER", 60)),
        )

    def baseline_for(self, channel: str) -> float:
        return self.velocity_baselines.get(channel, self.velocity_baselines["default"])
