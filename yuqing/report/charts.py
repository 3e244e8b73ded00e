"""Charts as self-contained SVG (matplotlib, no pyplot).

Text is drawn as glyph outlines (``svg.fonttype: path``), so a report shows
its Chinese labels on any machine, with no font and no request. The glyphs
come from the first CJK font found (Noto Sans CJK on Debian, ``fonts-noto-cjk``);
without one, Chinese labels would be empty boxes, which is logged once.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timezone, tzinfo
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")  # never a GUI backend, even with a DISPLAY

from matplotlib import font_manager  # noqa: E402
from matplotlib.dates import DateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

logger = logging.getLogger(__name__)

# Simplified Chinese first; matplotlib before 3.10 names a .ttc by its first
# face only (Noto Sans CJK JP), which has every Han glyph too.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "PingFang SC", "SimHei", "Noto Sans CJK JP")
SENTIMENT_COLORS = {"positive": "#2e9d5b", "neutral": "#a3acb9", "negative": "#d64545"}
SENTIMENT_NAMES = {"positive": "正面", "neutral": "中性", "negative": "负面"}
CHANNEL_NAMES = {"news": "新闻", "forum": "论坛", "social": "社交", "video": "视频",
                 "self-media": "自媒体", "other": "其他"}
PALETTE = ("#3b6fb6", "#e08a2c", "#4aa39a", "#c4553b", "#8a63b8", "#7f8c8d", "#b8a23b", "#d46a9f")
GRADE_COLORS = {"I": "#b71c1c", "II": "#e53935", "III": "#f9a825", "IV": "#1e88e5"}


@lru_cache(maxsize=1)
def style() -> dict:
    """rcParams for every chart; the CJK font first so that Chinese has glyphs."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed]
    if not cjk:
        logger.warning("no CJK font found (install fonts-noto-cjk): Chinese chart labels will not render")
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*cjk, "DejaVu Sans"],
        "axes.unicode_minus": False,  # CJK fonts often lack U+2212
        "svg.fonttype": "path",
        "svg.hashsalt": "yuqing",  # stable element ids: the same data gives the same file
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
    }


def new_figure(width: float = 8.0, height: float = 3.2) -> Figure:
    with matplotlib.rc_context(style()):
        return Figure(figsize=(width, height), layout="constrained")


def to_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(style()):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def _ticks(ax, labels: list[str]) -> None:
    """At most about a dozen readable time labels."""
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step), [labels[i] for i in range(0, len(labels), step)],
                  rotation=0 if len(labels) <= 8 else 45, ha="center" if len(labels) <= 8 else "right")


def volume(buckets: list[dict], title: str = "声量趋势（按渠道）") -> str:
    """Documents per bucket, stacked by channel."""
    with matplotlib.rc_context(style()):
        figure = new_figure()
        ax = figure.add_subplot()
        names = sorted({c for b in buckets for c in b["channels"]},
                       key=lambda c: -sum(b["channels"].get(c, 0) for b in buckets))
        bottom = [0] * len(buckets)
        for n, name in enumerate(names):
            values = [b["channels"].get(name, 0) for b in buckets]
            ax.bar(range(len(buckets)), values, bottom=bottom, color=PALETTE[n % len(PALETTE)],
                   label=channel_name(name), width=0.8)
            bottom = [a + v for a, v in zip(bottom, values)]
        _ticks(ax, [b["label"] for b in buckets])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("文档数")
        ax.set_title(title)
        if names:
            figure.legend(loc="outside lower center", ncols=min(len(names), 6), frameon=False)
        return to_svg(figure)


def sentiment(buckets: list[dict], title: str = "情感走势与净情感值") -> str:
    """Stacked sentiment labels per bucket; net sentiment on the right axis."""
    with matplotlib.rc_context(style()):
        figure = new_figure()
        ax = figure.add_subplot()
        x = range(len(buckets))
        bottom = [0] * len(buckets)
        for label in ("negative", "neutral", "positive"):
            values = [b["sentiment"][label] for b in buckets]
            ax.bar(x, values, bottom=bottom, color=SENTIMENT_COLORS[label], label=SENTIMENT_NAMES[label], width=0.8)
            bottom = [a + v for a, v in zip(bottom, values)]
        _ticks(ax, [b["label"] for b in buckets])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("文档数")
        net = ax.twinx()
        net.spines["right"].set_visible(True)
        points = [(i, b["net_sentiment"]) for i, b in enumerate(buckets) if b["net_sentiment"] is not None]
        if points:
            net.plot([p[0] for p in points], [p[1] for p in points], color="#222222", marker="o",
                     markersize=3, linewidth=1.4, label="净情感值")
        net.axhline(0, color="#888888", linewidth=0.6, linestyle=":")
        net.set_ylim(-1.05, 1.05)
        net.set_ylabel("净情感值")
        handles, labels = ax.get_legend_handles_labels()
        more, more_labels = net.get_legend_handles_labels()
        figure.legend(handles + more, labels + more_labels, loc="outside lower center", ncols=4, frameon=False)
        ax.set_title(title)
        return to_svg(figure)


def bars(items: list[tuple[str, int]], title: str, *, highlight: list[int] | None = None,
         highlight_label: str = "", color: str = PALETTE[0]) -> str:
    """Horizontal bars, largest on top; ``highlight`` draws part of each bar
    (negative documents of a source) in red."""
    with matplotlib.rc_context(style()):
        figure = new_figure(8.0, max(1.6, 0.32 * len(items) + 0.8))
        ax = figure.add_subplot()
        labels = [label for label, _ in items][::-1]
        values = [value for _, value in items][::-1]
        ax.barh(labels, values, color=color, label="文档数" if highlight else None)
        if highlight:
            ax.barh(labels, highlight[::-1], color=SENTIMENT_COLORS["negative"], label=highlight_label)
            ax.legend(loc="lower right", frameon=False)
        for y, value in enumerate(values):
            ax.annotate(f"{value:,}", (value, y), xytext=(3, 0), textcoords="offset points", va="center")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(values + [1]) * 1.12)
        ax.set_title(title)
        return to_svg(figure)


def shares(counts: dict[str, int], title: str) -> str:
    """One 100% bar split by sentiment: the shares at a glance."""
    with matplotlib.rc_context(style()):
        figure = new_figure(8.0, 1.5)
        ax = figure.add_subplot()
        total = sum(counts.values()) or 1
        left = 0.0
        for label in ("positive", "neutral", "negative"):
            share = counts[label] / total
            ax.barh([0], [share], left=left, color=SENTIMENT_COLORS[label], label=SENTIMENT_NAMES[label])
            if share >= 0.06:
                ax.text(left + share / 2, 0, f"{SENTIMENT_NAMES[label]} {share:.1%}", ha="center", va="center",
                        color="white", fontweight="bold")
            left += share
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_title(title)
        return to_svg(figure)


def grades(by_grade: list[dict], title: str = "预警分级（已处置 / 总数）") -> str:
    with matplotlib.rc_context(style()):
        figure = new_figure(8.0, 2.6)
        ax = figure.add_subplot()
        labels = [f"{g['symbol']} {g['name']}" for g in by_grade]
        counts = [g["count"] for g in by_grade]
        ax.bar(labels, counts, color=[GRADE_COLORS[g["grade"]] for g in by_grade], alpha=0.35, label="预警数")
        ax.bar(labels, [g["responded"] for g in by_grade], color=[GRADE_COLORS[g["grade"]] for g in by_grade],
               width=0.5, label="已处置")
        for x, g in enumerate(by_grade):
            ax.annotate(f"{g['responded']}/{g['count']}", (x, g["count"]), xytext=(0, 3),
                        textcoords="offset points", ha="center")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max(counts + [1]) * 1.2)
        ax.legend(loc="upper right", frameon=False)
        ax.set_title(title)
        return to_svg(figure)


def rules(topics: list[dict], title: str = "规则 / 竞品对比（命中数，按情感）") -> str:
    """Each rule's hits split by sentiment, rules of a topic together."""
    rows = [(t["topic"] or "（无专题）", r) for t in topics for r in t["rules"]]
    with matplotlib.rc_context(style()):
        figure = new_figure(8.0, max(1.8, 0.34 * len(rows) + 0.9))
        ax = figure.add_subplot()
        labels = [f"{topic} · {r['name']}" for topic, r in rows][::-1]
        left = [0] * len(rows)
        for label in ("negative", "neutral", "positive"):
            values = [r["sentiment"][label] for _, r in rows][::-1]
            ax.barh(labels, values, left=left, color=SENTIMENT_COLORS[label], label=SENTIMENT_NAMES[label])
            left = [a + v for a, v in zip(left, values)]
        for y, (_, r) in enumerate(rows[::-1]):
            net = "—" if r["net_sentiment"] is None else f"{r['net_sentiment']:+.2f}"
            ax.annotate(f"{r['count']:,}  净 {net}", (left[y], y), xytext=(3, 0), textcoords="offset points",
                        va="center")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(left + [1]) * 1.3)
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(title)
        return to_svg(figure)


def spread(path: list[dict], tz: tzinfo, title: str = "传播路径：来源首次出现") -> str:
    """Cumulative sources over time (local time of ``tz``), each step labelled with its source."""
    steps = [s for s in path if s["first_time"]]
    with matplotlib.rc_context(style()):
        figure = new_figure(8.0, 3.2)
        ax = figure.add_subplot()
        times = [datetime.strptime(s["first_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
                 for s in steps]
        ax.step(times, range(1, len(times) + 1), where="post", color=PALETTE[0])
        ax.scatter(times, range(1, len(times) + 1), color=PALETTE[1], s=14, zorder=3)
        for n, (when, step) in enumerate(zip(times[:12], steps[:12]), 1):
            ax.annotate(step["source"], (when, n), xytext=(4, -2), textcoords="offset points", fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("累计来源数")
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d %H:%M", tz=tz))
        figure.autofmt_xdate()
        ax.set_title(title)
        return to_svg(figure)
