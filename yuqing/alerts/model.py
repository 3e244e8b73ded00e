"""The alert record and its incident workflow.

An alert is a JSON object (stored in Redis, mirrored into ``<prefix>-alerts``
and carried by every stream event)::

    id                 "20251126-3f9a1c" (UTC day + random), what `yuqing alerts ack` takes
    rule               {id, name, topic, priority}
    grade, grade_level "II", 2 (1 = Ⅰ most severe); the most severe of its hits
    grade_reasons      why that grade: ["priority high", "negative", "spike: ..."]
    story              the documents' cluster_id, or null: one alert per rule
    first_document     {id, url, title, source, published_at, crawled_at}
    count              distinct matching documents
    samples            the last ALERTS_MAX_SAMPLES hits {id, url, title, source, time, grade, terms}
    state              open -> acknowledged -> responded -> closed (steps may be skipped)
    detected_at        crawled_at of the first document: when we fetched it
    published_at       its publish time, if the page gave one
    detection_delay_s  detected_at - published_at
    acknowledged_at, responded_at, response_note, closed_at
    time_to_ack_s      acknowledged_at - detected_at
    time_to_respond_s  responded_at - detected_at: averaged, the MTTR
    created_at, updated_at
    version            +1 on every change; orders snapshots in the search mirror
    notified_version, notified_at   what webhooks were last sent (update throttling)
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Any

from yuqing.alerts.grading import Grade

__all__ = ["STATES", "ACTIONS", "TransitionError", "new_alert", "make_sample", "apply_transition",
           "iso", "parse_iso"]

STATES = ("open", "acknowledged", "responded", "closed")
ACTIONS = {"ack": "acknowledged", "respond": "responded", "close": "closed"}
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class TransitionError(ValueError):
    pass


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(_FORMAT)


def parse_iso(value: str | None) -> float | None:
    if not value:
        return None
    return datetime.strptime(value, _FORMAT).replace(tzinfo=timezone.utc).timestamp()


def new_id(now: float) -> str:
    return f"{datetime.fromtimestamp(now, timezone.utc):%Y%m%d}-{secrets.token_hex(3)}"


def make_sample(doc: dict[str, Any], grade: Grade, terms: list[str]) -> dict[str, Any]:
    sample = {"id": doc["id"], "url": doc.get("url"), "title": doc.get("title") or _snippet(doc),
              "source": doc.get("source") or "", "time": doc.get("published_at") or doc.get("crawled_at"),
              "grade": grade.grade}
    if terms:  # an empty list would come back from Lua's cjson as {}
        sample["terms"] = terms
    return sample


def _snippet(doc: dict[str, Any]) -> str:
    content = " ".join((doc.get("content") or "").split())
    return content[:60] + ("…" if len(content) > 60 else "")


def new_alert(rule, doc: dict[str, Any], grade: Grade, sample: dict[str, Any], now: float) -> dict[str, Any]:
    detected = doc.get("crawled_at") or iso(now)
    published = doc.get("published_at")
    delay = parse_iso(detected) - parse_iso(published) if published else None
    return {
        "id": new_id(now),
        "rule": {"id": rule.id, "name": rule.name, "topic": rule.topic, "priority": rule.priority},
        "grade": grade.grade,
        "grade_level": grade.level,
        "grade_reasons": list(grade.reasons),
        "story": doc.get("cluster_id"),
        "first_document": {"id": doc["id"], "url": doc.get("url"), "title": sample["title"],
                           "source": doc.get("source") or "", "published_at": published,
                           "crawled_at": detected},
        "count": 1,
        "samples": [sample],
        "state": "open",
        "detected_at": detected,
        "published_at": published,
        "detection_delay_s": delay,
        "acknowledged_at": None,
        "responded_at": None,
        "response_note": None,
        "closed_at": None,
        "time_to_ack_s": None,
        "time_to_respond_s": None,
        "created_at": iso(now),
        "updated_at": iso(now),
        "version": 1,
        "notified_version": 1,
        "notified_at": now,
    }


def apply_transition(alert: dict[str, Any], action: str, now: float, note: str | None = None) -> dict[str, Any]:
    """The alert after ``ack``, ``respond`` or ``close``; states only move forward."""
    target = ACTIONS[action]
    current = alert["state"]
    if STATES.index(target) <= STATES.index(current):
        raise TransitionError(f"alert {alert['id']} is {current}: cannot {action} it")
    alert = dict(alert)
    stamp = iso(now)
    detected = parse_iso(alert["detected_at"])
    # Responding implies having seen it: MTTA stays defined for every responded alert.
    if target in ("acknowledged", "responded") and not alert.get("acknowledged_at"):
        alert["acknowledged_at"] = stamp
        alert["time_to_ack_s"] = now - detected
    if target == "responded":
        alert["responded_at"] = stamp
        alert["time_to_respond_s"] = now - detected
        alert["response_note"] = note
    if target == "closed":
        alert["closed_at"] = stamp
    alert["state"] = target
    alert["updated_at"] = stamp
    alert["version"] += 1
    return alert
