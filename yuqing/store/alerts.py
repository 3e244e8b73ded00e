"""The ``<prefix>-alerts`` index: every alert's latest snapshot, for Kibana and
reports (MTTR = mean ``time_to_respond_s``, detection delay = mean
``detection_delay_s``).

Snapshots are written with the alert's ``version`` as an external version, so
whichever order consumers write them in, the index keeps the newest; an older
snapshot is refused (409) and that is not an error. Only ``bulk`` is used for
writing, which has one shape on every engine (see :mod:`yuqing.store.flavor`).
"""

from __future__ import annotations

import logging
from typing import Any

from .flavor import Backend, SearchConfig, connect

logger = logging.getLogger(__name__)

__all__ = ["AlertIndex", "alerts_template"]

_KW = {"type": "keyword"}
_DATE = {"type": "date"}
_DOC_REF = {"properties": {
    "id": _KW, "url": _KW, "source": _KW, "published_at": _DATE, "crawled_at": _DATE,
    "title": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 512}}},
}}

MAPPINGS = {
    "dynamic": "false",
    "properties": {
        "id": _KW,
        "rule": {"properties": {"id": _KW, "name": _KW, "topic": _KW, "priority": _KW}},
        "grade": _KW,
        "grade_level": {"type": "byte"},
        "grade_reasons": _KW,
        "story": _KW,
        "first_document": _DOC_REF,
        "count": {"type": "integer"},
        "samples": {"type": "object", "enabled": False},
        "state": _KW,
        "detected_at": _DATE,
        "published_at": _DATE,
        "detection_delay_s": {"type": "float"},
        "acknowledged_at": _DATE,
        "responded_at": _DATE,
        "response_note": {"type": "text"},
        "closed_at": _DATE,
        "time_to_ack_s": {"type": "float"},
        "time_to_respond_s": {"type": "float"},
        "created_at": _DATE,
        "updated_at": _DATE,
        "version": {"type": "long"},
    },
}


def alerts_template(prefix: str, *, replicas: int = 0) -> dict:
    return {
        "index_patterns": [f"{prefix}-alerts"],
        "priority": 200,
        "template": {
            "settings": {"number_of_shards": 1, "number_of_replicas": replicas, "refresh_interval": "1s"},
            "mappings": MAPPINGS,
        },
        "_meta": {"managed_by": "yuqing", "schema_version": 1},
    }


class AlertIndex:
    def __init__(self, backend: Backend, prefix: str = "yuqing", replicas: int = 0):
        self.backend = backend
        self.prefix = prefix
        self.replicas = replicas
        self.index = f"{prefix}-alerts"

    @classmethod
    def from_settings(cls, settings) -> "AlertIndex":
        return cls(connect(SearchConfig.from_settings(settings)),
                   prefix=settings.get("SEARCH_INDEX_PREFIX", "yuqing"),
                   replicas=settings.getint("SEARCH_INDEX_REPLICAS", 0))

    def ensure_index(self) -> None:
        """Template, then the index. Idempotent: every deliverer calls it at start."""
        self.backend.put_index_template(self.index, alerts_template(self.prefix, replicas=self.replicas))
        if not self.backend.index_exists(self.index):
            try:
                self.backend.client.indices.create(index=self.index)
            except Exception as exc:  # another deliverer created it first
                if "already_exists" not in str(exc):
                    raise

    def write(self, alerts: list[dict[str, Any]]) -> int:
        """Index the snapshots; returns how many were newer than the index's.
        Raises on anything but success or a stale version, so the caller retries."""
        operations: list[dict] = []
        for alert in alerts:
            operations.append({"index": {"_index": self.index, "_id": alert["id"],
                                         "version": int(alert["version"]), "version_type": "external"}})
            operations.append(alert)
        answer = self.backend.bulk(operations)
        written = 0
        for item in answer.get("items", []):
            result = item.get("index") or next(iter(item.values()))
            status = int(result.get("status", 500))
            if status < 300:
                written += 1
            elif status != 409:
                raise RuntimeError(f"alert {result.get('_id')} not indexed: {status} {result.get('error')}")
        return written

    def refresh(self) -> None:
        self.backend.refresh(self.index)

    def search(self, body: dict) -> dict:
        return self.backend.search(self.index, body)

    def drop(self) -> None:
        self.backend.delete_index(self.index)
