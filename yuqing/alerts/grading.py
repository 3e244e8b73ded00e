"""Alert grades Ⅰ–Ⅳ, the four levels of China's emergency-response scale:
Ⅰ 特别重大 (most severe), Ⅱ 重大, Ⅲ 较大, Ⅳ 一般.

Every rule hit is graded from four signals, added up as points::

    signal      value                                            points
    ---------   ----------------------------------------------   ------
    priority    low / medium / high / critical (the rule's)      0 / 1 / 2 / 3
    sentiment   negative / neutral or absent / positive           +1 / 0 / -1
    influence   influential source (see below)                    +1
    velocity    spike: last-hour hits >= 3x the hourly baseline   +1
                surge: last-hour hits >= 10x the hourly baseline  +2

    points      >= 4      3       2       <= 1
    grade       Ⅰ 特别重大  Ⅱ 重大   Ⅲ 较大   Ⅳ 一般

which gives, for the common cases::

    priority   plain hit   + negative   + negative, influential   + negative, influential, spike
    low        Ⅳ           Ⅳ            Ⅲ                         Ⅱ
    medium     Ⅳ           Ⅲ            Ⅱ                         Ⅰ
    high       Ⅲ           Ⅱ            Ⅰ                         Ⅰ
    critical   Ⅱ           Ⅰ            Ⅰ                         Ⅰ

*Influential*: the document comes from official media (``official_media.yaml``:
its URL host or ``source`` is, or is under, a listed host; or its author or
``source`` is a listed account, Traditional/Simplified and width folded), or
its author has at least ``ALERTS_INFLUENCE_FOLLOWERS`` followers (1,000,000),
or is verified with at least ``ALERTS_INFLUENCE_VERIFIED_FOLLOWERS`` (100,000).

*Velocity* (:mod:`yuqing.alerts.velocity`): the rule's hits on the document's
channel in the last hour, this one included, against the hourly mean of the
baseline before it (previous 12 hours for social, 14 days for news; per
channel, ``ALERTS_VELOCITY_BASELINE``), taken as at least 1 hit an hour so
that a quiet rule's second hit is no spike; a spike also needs at least
``ALERTS_VELOCITY_MIN_HITS`` hits in the hour (5).

An alert keeps the most severe grade of its hits: a spike raises it, nothing
lowers it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from yuqing.rules.normalize import normalize_for_index

logger = logging.getLogger(__name__)

__all__ = ["GRADES", "GRADE_NAMES", "Grade", "Grader", "OfficialMedia", "grade_for", "grade_level"]

GRADES = ("I", "II", "III", "IV")
"""Most severe first; stored as ASCII, shown as Ⅰ-Ⅳ."""
GRADE_NAMES = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
GRADE_SYMBOLS = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
PRIORITY_POINTS = {"low": 0, "medium": 1, "high": 2, "critical": 3}
SENTIMENT_POINTS = {"negative": 1, "neutral": 0, "positive": -1}
VELOCITY_POINTS = {0: 0, 1: 1, 2: 2}
"""Velocity level (0 normal, 1 spike, 2 surge) -> points."""
OFFICIAL_MEDIA_FILE = Path(__file__).with_name("official_media.yaml")


def grade_for(points: int) -> str:
    if points >= 4:
        return "I"
    if points == 3:
        return "II"
    if points == 2:
        return "III"
    return "IV"


def grade_level(grade: str) -> int:
    """1 for Ⅰ ... 4 for Ⅳ: smaller is more severe."""
    return GRADES.index(grade) + 1


@dataclass(frozen=True)
class Grade:
    grade: str
    points: int
    reasons: tuple[str, ...]
    """Why, in words an analyst reads in the alert: ``priority high``, ``negative``..."""

    @property
    def level(self) -> int:
        return grade_level(self.grade)


class OfficialMedia:
    """The shipped (or ``ALERTS_OFFICIAL_MEDIA_FILE``) list of official media."""

    def __init__(self, hosts: list[str], accounts: list[str]):
        self.hosts = {h.lower().strip(".") for h in hosts}
        self.accounts = {normalize_for_index(a).strip() for a in accounts}

    @classmethod
    def load(cls, path: str | Path | None = None) -> "OfficialMedia":
        data = yaml.safe_load(Path(path or OFFICIAL_MEDIA_FILE).read_text(encoding="utf-8")) or {}
        return cls(list(data.get("hosts") or []), [str(a) for a in data.get("accounts") or []])

    def match(self, doc: dict[str, Any]) -> str | None:
        """The listed host or account this document comes from, if any."""
        source = (doc.get("source") or "").strip()
        for host in (urlsplit(doc.get("url") or "").hostname or "", source.lower()):
            labels = host.split(".")
            for n in range(len(labels) - 1):
                if ".".join(labels[n:]) in self.hosts:
                    return ".".join(labels[n:])
        author = (doc.get("author") or {}).get("name") or ""
        for name in (author, source):
            if name and normalize_for_index(name).strip() in self.accounts:
                return name
        return None


class Grader:
    def __init__(self, official: OfficialMedia, *, followers: int = 1_000_000,
                 verified_followers: int = 100_000):
        self.official = official
        self.followers = followers
        self.verified_followers = verified_followers

    @classmethod
    def from_config(cls, config) -> "Grader":
        return cls(OfficialMedia.load(config.official_media_file), followers=config.influence_followers,
                   verified_followers=config.influence_verified_followers)

    def influence(self, doc: dict[str, Any]) -> str | None:
        """Why the source is influential, or None."""
        official = self.official.match(doc)
        if official:
            return f"official media {official}"
        author = doc.get("author") or {}
        followers = author.get("followers") or 0
        if followers >= self.followers:
            return f"{followers:,} followers"
        if author.get("verified") and followers >= self.verified_followers:
            return f"verified, {followers:,} followers"
        return None

    def grade(self, priority: str, doc: dict[str, Any], velocity_level: int = 0,
              velocity_reason: str = "") -> Grade:
        points = PRIORITY_POINTS[priority]
        reasons = [f"priority {priority}"]
        label = (doc.get("sentiment") or {}).get("label") or "neutral"
        if SENTIMENT_POINTS.get(label):
            points += SENTIMENT_POINTS[label]
            reasons.append(label)
        influence = self.influence(doc)
        if influence:
            points += 1
            reasons.append(influence)
        if velocity_level:
            points += VELOCITY_POINTS[velocity_level]
            reasons.append(velocity_reason or ("surge" if velocity_level == 2 else "spike"))
        return Grade(grade_for(points), points, tuple(reasons))
