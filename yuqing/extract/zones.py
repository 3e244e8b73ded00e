"""Where metadata lives relative to the main text.

Bylines and dates sit in a short *header* right above the body (between the
headline and the first paragraph), in the body's first or last lines, or in a
*footer* just below it (blog "posted at", forum post stamps). Looking only
there keeps dates mentioned in the story, related-article lists and
copyright footers out of the way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .density import Block

_SQUASH = re.compile(r"\W+")

HEADER_REACH = 12   # blocks above the body examined when the headline is not found
TITLE_REACH = 40    # how far above the body a headline block may be
ABOVE_TITLE = 2     # blocks above the headline still in the header
FOOTER_REACH = 6


@dataclass
class Zones:
    blocks: list[Block]
    start: int            # body run [start, end)
    end: int
    title_index: int | None

    @property
    def header(self) -> list[Block]:
        return self.blocks[self.header_start:self.start]

    @property
    def body_head(self) -> list[Block]:
        return self.blocks[self.start:min(self.end, self.start + 3)]

    @property
    def body_tail(self) -> list[Block]:
        return self.blocks[max(self.start, self.end - 3):self.end]

    @property
    def body(self) -> list[Block]:
        return self.blocks[self.start:self.end]

    def distance_to_top(self, index: int) -> int:
        """Blocks between ``index`` and the nearest of headline and body start."""
        d = abs(self.start - index)
        if self.title_index is not None:
            d = min(d, abs(index - self.title_index))
        return d

    @property
    def header_start(self) -> int:
        # Newspaper-style pages put the issue date just above the headline.
        if self.title_index is not None:
            return max(0, self.title_index - ABOVE_TITLE)
        return max(0, self.start - HEADER_REACH)

    @property
    def footer(self) -> list[Block]:
        return self.blocks[self.end:self.end + FOOTER_REACH]


def squash(s: str) -> str:
    return _SQUASH.sub("", s).lower()


def find_zones(blocks: list[Block], start: int, end: int, title: str | None) -> Zones:
    return Zones(blocks, start, end, _title_index(blocks, start, title))


def _title_index(blocks: list[Block], start: int, title: str | None) -> int | None:
    """Index of the headline block nearest above (or at) the body start."""
    t = squash(title or "")
    if len(t) < 4:
        return None
    for i in range(min(start + 1, len(blocks) - 1), max(-1, start - TITLE_REACH), -1):
        s = squash(blocks[i].text)
        if s and (s == t or (len(s) >= 4 and s in t and len(s) >= 0.5 * len(t)) or (t in s and len(s) <= 1.5 * len(t))):
            return i
    return None
