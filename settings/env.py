"""The one place that reads environment variables.

Every setting a deployment may change is listed here with the variable that
sets it; ``settings/__init__.py`` applies the result over the defaults. Secrets
(passwords, API keys) are only ever read from the environment or from a file
named by ``<VAR>_FILE``, never from the repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# variable -> (setting name, type)
ENV_SETTINGS: dict[str, tuple[str, type]] = {
    "REDIS_URL": ("REDIS_URL", str),
    "SEARCH_URL": ("SEARCH_URL", str),
    "SEARCH_FLAVOR": ("SEARCH_FLAVOR", str),
    "SEARCH_USERNAME": ("SEARCH_USERNAME", str),
    "SEARCH_PASSWORD": ("SEARCH_PASSWORD", str),
    "SEARCH_API_KEY": ("SEARCH_API_KEY", str),
    "SEARCH_CA_CERTS": ("SEARCH_CA_CERTS", str),
    "SEARCH_VERIFY_CERTS": ("SEARCH_VERIFY_CERTS", bool),
    "SEARCH_INDEX_PREFIX": ("SEARCH_INDEX_PREFIX", str),
    "MONGO_URL": ("MONGO_URL", str),
    "CHROMIUM_PATH": ("PLAYWRIGHT_CHROMIUM_PATH", str),
    "YUQING_MAX_IDLE": ("MAX_IDLE_TIME_BEFORE_CLOSE", int),
    "YUQING_CONCURRENCY": ("CONCURRENT_REQUESTS", int),
    "YUQING_LOG_LEVEL": ("LOG_LEVEL", str),
    "YUQING_ALLOW_PRIVATE_HOSTS": ("URLFILTER_ALLOW_PRIVATE", bool),
    "YUQING_BULK_SIZE": ("BULK_INDEXER_BATCH_SIZE", int),
    "YUQING_BULK_INTERVAL": ("BULK_INDEXER_FLUSH_INTERVAL", float),
    "YUQING_ROBOTSTXT_OBEY": ("ROBOTSTXT_OBEY", bool),
    "YUQING_RULES_FILE": ("RULES_FILE", str),
    "YUQING_LEASE_TIMEOUT": ("SCHEDULER_LEASE_TIMEOUT", float),
    "YUQING_SPOOL_DIR": ("SPOOL_DIR", str),
    "YUQING_RULES_RELOAD_INTERVAL": ("RULES_RELOAD_INTERVAL", float),
    "ALERTS_ENABLED": ("ALERTS_ENABLED", bool),
    # A JSON list (settings/pipelines.py); the URLs carry tokens: prefer ALERTS_WEBHOOKS_FILE.
    "ALERTS_WEBHOOKS": ("ALERTS_WEBHOOKS", list),
    "ALERTS_DEDUP_WINDOW": ("ALERTS_DEDUP_WINDOW", str),
    "ALERTS_UPDATE_INTERVAL": ("ALERTS_UPDATE_INTERVAL", str),
    "YUQING_SOURCES": ("SOURCES_FILE", str),
    "YUQING_DUPEFILTER": ("DUPEFILTER_BACKEND", str),
    "YUQING_BLOOM_CAPACITY": ("DUPEFILTER_BLOOM_CAPACITY", int),
    "YUQING_BLOOM_ERROR_RATE": ("DUPEFILTER_BLOOM_ERROR_RATE", float),
    "YUQING_POLITENESS_RATE": ("POLITENESS_RATE", float),
    "YUQING_POLITENESS_CONCURRENCY": ("POLITENESS_CONCURRENCY", int),
    "YUQING_PROXY_POOL": ("PROXY_POOL_ENABLED", bool),
    "YUQING_ROTATE_UA": ("USERAGENT_ROTATE", bool),
    "YUQING_HEARTBEAT_INTERVAL": ("HEARTBEAT_INTERVAL", float),
    # A port, 0 (off) or "auto".
    "METRICS_PORT": ("METRICS_PORT", str),
    "METRICS_HOST": ("METRICS_HOST", str),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(var: str, raw: str, kind: type):
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"environment variable {var}={raw!r} is not a boolean (use 1/0, true/false)")
    if kind is list:
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise ValueError(f"environment variable {var} is not JSON: {exc}") from None
        if not isinstance(value, list):
            raise ValueError(f"environment variable {var} must be a JSON list")
        return value
    if kind is int or kind is float:
        try:
            return kind(raw)
        except ValueError:
            raise ValueError(f"environment variable {var}={raw!r} is not a {kind.__name__}") from None
    return raw


def read_env(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Settings overrides from the environment (``VAR`` or ``VAR_FILE``)."""
    environ = os.environ if environ is None else environ
    overrides: dict[str, object] = {}
    for var, (setting, kind) in ENV_SETTINGS.items():
        raw = environ.get(var)
        if raw is None and environ.get(f"{var}_FILE"):
            raw = Path(environ[f"{var}_FILE"]).read_text(encoding="utf-8").strip()
        if raw is None:
            continue
        overrides[setting] = _convert(var, raw, kind)
    return overrides
