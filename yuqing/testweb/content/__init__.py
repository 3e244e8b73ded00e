"""Fixed, original content of the local test web.

Every incident, company, person and quote here is fictional and written for
this project; nothing is copied from real publishers. Times are local
Asia/Shanghai wall-clock times unless a value carries its own offset, and
nothing depends on the current date, so every run serves identical bytes.
"""

from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))  # no DST since 1991, so a fixed offset is exact


def local_to_utc_iso(local: str) -> str:
    """``"2025-11-20 14:03"`` (Asia/Shanghai) -> ``"2025-11-20T06:03:00Z"``."""
    dt = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_to_offset_iso(local: str) -> str:
    """``"2025-11-20 14:03"`` -> ``"2025-11-20T14:03:00+08:00"``."""
    return datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI).isoformat()
