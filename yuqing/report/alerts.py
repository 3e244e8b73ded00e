"""Alert figures from the ``<prefix>-alerts`` index (one request).

An alert belongs to the period it was detected in (``detected_at``: when its
first document was fetched). **MTTR** is the mean of ``time_to_respond_s``
(response − detection) over the alerts that were responded to; alerts still
open do not enter it, and how many there are is shown next to it. The mean
detection delay is publish → detection.
"""

from __future__ import annotations

import logging

from yuqing.alerts.grading import GRADE_NAMES, GRADES, GRADE_SYMBOLS

from .figures import epoch_iso
from .query import Scope, Window, alert_query

logger = logging.getLogger(__name__)

_ROW_FIELDS = ["id", "rule", "grade", "state", "count", "first_document", "detected_at", "acknowledged_at",
               "responded_at", "response_note", "time_to_respond_s", "detection_delay_s", "story"]


def alert_figures(index, window: Window, scope: Scope, limit: int = 50) -> dict:
    """Counts by grade with first detection and MTTR, overall MTTR/MTTA and
    the most severe alerts (``limit``). ``index`` is a
    :class:`yuqing.store.alerts.AlertIndex`."""
    if not index.backend.index_exists(index.index):
        return {"index": index.index, "exists": False, "total": 0}
    timing = {
        "first": {"min": {"field": "detected_at"}},
        "mttr": {"avg": {"field": "time_to_respond_s"}},
        "responded": {"value_count": {"field": "time_to_respond_s"}},
    }
    body = {
        "size": limit,
        "track_total_hits": True,
        "query": alert_query(window, scope),
        "sort": [{"grade_level": "asc"}, {"detected_at": "asc"}],
        "_source": {"includes": _ROW_FIELDS},
        "aggs": {
            "grades": {"terms": {"field": "grade", "size": len(GRADES)}, "aggs": timing},
            "states": {"terms": {"field": "state", "size": 10}},
            "mtta": {"avg": {"field": "time_to_ack_s"}},
            "delay": {"avg": {"field": "detection_delay_s"}},
            **timing,
        },
    }
    answer = index.search(body)
    aggs = answer["aggregations"]
    total = answer["hits"]["total"]
    found = {b["key"]: b for b in aggs["grades"]["buckets"]}
    by_grade = []
    for grade in GRADES:  # every grade, most severe first, zeros included
        b = found.get(grade)
        by_grade.append({
            "grade": grade, "symbol": GRADE_SYMBOLS[grade], "name": GRADE_NAMES[grade],
            "count": b["doc_count"] if b else 0,
            "responded": int(b["responded"]["value"]) if b else 0,
            "mttr_s": b["mttr"]["value"] if b else None,
            "first_detected_at": epoch_iso(b["first"]["value"]) if b else None,
        })
    alerts = []
    for hit in answer["hits"]["hits"]:
        a = hit["_source"]
        first = a.get("first_document") or {}
        alerts.append({"id": a["id"], "grade": a["grade"], "state": a.get("state"),
                       "rule": (a.get("rule") or {}).get("name") or (a.get("rule") or {}).get("id"),
                       "topic": (a.get("rule") or {}).get("topic") or "", "count": a.get("count"),
                       "title": first.get("title") or "", "url": first.get("url"),
                       "detected_at": a.get("detected_at"), "responded_at": a.get("responded_at"),
                       "time_to_respond_s": a.get("time_to_respond_s"),
                       "response_note": a.get("response_note") or ""})
    return {
        "index": index.index,
        "exists": True,
        "total": total["value"] if isinstance(total, dict) else int(total),
        "by_grade": by_grade,
        "states": {b["key"]: b["doc_count"] for b in aggs["states"]["buckets"]},
        "first_detected_at": epoch_iso(aggs["first"]["value"]),
        "responded": int(aggs["responded"]["value"]),
        "mttr_s": aggs["mttr"]["value"],
        "mtta_s": aggs["mtta"]["value"],
        "detection_delay_s": aggs["delay"]["value"],
        "alerts": alerts,
    }
