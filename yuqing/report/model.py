"""What a report is made of, independent of its output format: the HTML and
Markdown writers render the same sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .query import Scope, Window


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None


@dataclass
class Table:
    columns: list[str]
    rows: list[list["str | Link | list[Link]"]]
    numeric: tuple[int, ...] = ()
    """Columns aligned right."""


@dataclass
class Chart:
    name: str
    """File stem for the Markdown's image (``volume`` -> ``volume.svg``)."""
    title: str
    svg: str


@dataclass
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    """Sentences that state the section's figures."""
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    empty: str | None = None
    """Set when the section has nothing to show: why, in plain words."""


@dataclass
class Report:
    kind: str
    """``daily``, ``weekly`` or ``special``."""
    title: str
    window: Window
    scope: Scope
    generated_at: str
    headline: list[tuple[str, str]]
    """(label, value) cards at the top."""
    sections: list[Section]
    figures: dict[str, Any]
    """Every figure, as computed (JSON-able): what tests and scripts read."""
    empty: bool
    notes: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        """File name without extension: kind, scope and dates."""
        tz = self.window.tz
        first = self.window.since.astimezone(tz).strftime("%Y%m%d")
        last = self.window.until.astimezone(tz).strftime("%Y%m%d")
        subject = ""
        if self.scope.cluster:
            subject = f"-cluster-{self.scope.cluster[:12]}"
        elif self.scope.topic:
            subject = "-topic-" + re.sub(r"[^\w.-]+", "_", self.scope.topic)
        elif self.scope.rule_ids:
            subject = "-rules"
        days = first if self.kind == "daily" else f"{first}-{last}"
        return f"yuqing-{self.kind}{subject}-{days}"
