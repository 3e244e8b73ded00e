"""Write a report to a directory: ``<stem>.html`` (self-contained),
``<stem>.md`` with its charts in ``<stem>.files/``, and ``<stem>.json`` (every
figure, for scripts)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from . import render_html, render_markdown
from .model import Report

logger = logging.getLogger(__name__)


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report.stem
    assets = out_dir / f"{stem}.files"
    charts = [chart for section in report.sections for chart in section.charts]
    if charts:
        assets.mkdir(exist_ok=True)
    for chart in charts:
        (assets / f"{chart.name}.svg").write_text(chart.svg, encoding="utf-8")
    paths = {"html": out_dir / f"{stem}.html", "markdown": out_dir / f"{stem}.md", "json": out_dir / f"{stem}.json"}
    paths["html"].write_text(render_html.render(report), encoding="utf-8")
    paths["markdown"].write_text(render_markdown.render(report, assets.name), encoding="utf-8")
    paths["json"].write_text(json.dumps({"title": report.title, "kind": report.kind, "empty": report.empty,
                                         "generated_at": report.generated_at, **report.figures},
                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("report written to %s", paths["html"])
    return paths
