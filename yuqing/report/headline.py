"""The headline figures: what ``yuqing stats`` prints. A report computes the
same figures with the same functions (its overview, channels, sources,
regions and alerts sections)."""

from __future__ import annotations

from . import figures
from .alerts import alert_figures
from .query import Scope, Window, iso


def stats(store, alert_index, window: Window, scope: Scope, top: int = 10) -> dict:
    return {
        "window": {"since": iso(window.since), "until": iso(window.until), "tz": window.tz.key},
        "scope": scope.describe(),
        "overview": figures.overview(store, window, scope),
        "channels": figures.channels(store, window, scope),
        "sources": figures.sources(store, window, scope, top),
        "regions": figures.regions(store, window, scope, top),
        "alerts": alert_figures(alert_index, window, scope),
    }
