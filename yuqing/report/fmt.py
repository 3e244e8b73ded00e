"""How figures are written in reports and in ``yuqing stats``: one place, so
the two always print a number the same way."""

from __future__ import annotations

from datetime import tzinfo

from .query import parse_iso


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1%}" if signed else f"{value:.1%}"


def net(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def span(seconds: float | None) -> str:
    """``1h 05m``, ``2d 3h``, ``4m 10s``."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"


def local(value: str | None, tz: tzinfo) -> str:
    """A stored UTC time (``2025-11-20T06:30:00Z``) in the report's zone."""
    if not value:
        return "—"
    return parse_iso(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def clip(text: str, length: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
