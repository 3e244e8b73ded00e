"""Keyword cloud: words sized by document count, packed on a spiral.

Deterministic (no randomness): the same keywords give the same picture, so
a report can be regenerated and compared. Words that find no free spot are
left out (the table next to the cloud still lists them).
"""

from __future__ import annotations

import logging
import math

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .charts import PALETTE, style, to_svg

logger = logging.getLogger(__name__)

MIN_SIZE, MAX_SIZE = 10.0, 38.0
PAD = 2.0
"""Pixels kept free around every word."""


def font_sizes(counts: list[int]) -> list[float]:
    """Area grows with the count: size with its square root, between MIN and MAX."""
    low, high = min(counts), max(counts)
    if high == low:
        return [(MIN_SIZE + MAX_SIZE) / 2] * len(counts)
    return [MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt((c - low) / (high - low)) for c in counts]


def cloud(words: list[dict], title: str = "关键词云") -> str:
    """SVG of ``[{"keyword", "count"}]`` (largest first)."""
    with matplotlib.rc_context(style()):
        figure = Figure(figsize=(8.0, 3.6))
        canvas = FigureCanvasAgg(figure)
        renderer = canvas.get_renderer()
        figure.suptitle(title, fontweight="bold")
        ax = figure.add_axes((0.01, 0.01, 0.98, 0.86))
        ax.set_axis_off()
        frame = ax.get_window_extent(renderer)
        cx, cy = (frame.x0 + frame.x1) / 2, (frame.y0 + frame.y1) / 2
        placed: list[tuple[float, float, float, float]] = []
        sizes = font_sizes([w["count"] for w in words]) if words else []
        for rank, (word, size) in enumerate(zip(words, sizes)):
            text = ax.text(0.5, 0.5, word["keyword"], fontsize=size, ha="center", va="center",
                           color=PALETTE[rank % len(PALETTE)], transform=ax.transAxes,
                           fontweight="bold" if rank < 3 else "normal")
            extent = text.get_window_extent(renderer)
            spot = _find_spot(extent.width + PAD, extent.height + PAD, cx, cy, frame, placed)
            if spot is None:
                text.remove()
                logger.debug("keyword cloud: no room for %r", word["keyword"])
                continue
            x, y = spot
            placed.append((x - extent.width / 2 - PAD, y - extent.height / 2 - PAD,
                           x + extent.width / 2 + PAD, y + extent.height / 2 + PAD))
            text.set_position(ax.transAxes.inverted().transform((x, y)))
        return to_svg(figure)


def _find_spot(width, height, cx, cy, frame, placed, steps: int = 3000):
    """First point of an Archimedean spiral, stretched to the frame's aspect,
    where a width x height box fits inside the frame and overlaps no placed box."""
    stretch = frame.width / frame.height
    for step in range(steps):
        angle = 0.25 * step
        radius = 0.9 * angle
        x, y = cx + radius * math.cos(angle) * stretch, cy + radius * math.sin(angle)
        box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        if box[0] < frame.x0 or box[2] > frame.x1 or box[1] < frame.y0 or box[3] > frame.y1:
            if radius * min(stretch, 1) > max(frame.width, frame.height):
                return None  # the spiral has left the frame on every side
            continue
        if not any(box[0] < p[2] and p[0] < box[2] and box[1] < p[3] and p[1] < box[3] for p in placed):
            return x, y
    return None
