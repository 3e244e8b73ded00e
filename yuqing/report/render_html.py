"""One self-contained HTML file: styles inline, charts as SVG data URIs, no
script and nothing fetched, so it opens offline and can be mailed as is."""

from __future__ import annotations

import base64
from html import escape

from .model import Chart, Link, Report, Section, Table

CSS = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --accent: #3b6fb6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.6 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif;
       color: var(--ink); background: #f5f7fa; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0; }
.card { flex: 1 1 140px; background: white; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card .label { color: var(--muted); font-size: 12px; }
.card .value { font-size: 24px; font-weight: 700; }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 16px 0; }
section h2 { margin: 0 0 8px; font-size: 18px; border-left: 4px solid var(--accent); padding-left: 8px; }
section p { margin: 6px 0; }
p.empty { color: var(--muted); font-style: italic; }
figure.chart { margin: 12px 0; text-align: center; }
figure.chart img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 10px 0; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
a { color: var(--accent); text-decoration: none; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
footer li { margin: 2px 0; }
"""


def render(report: Report) -> str:
    w = report.window
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<title>{escape(report.title)} {escape(w.label())}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f"<p>{escape(w.label())} · {escape(report.scope.describe())} · "
        f"生成于 generated {escape(report.generated_at)}</p>",
        "</header>",
        '<div class="cards">',
        *(f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div></div>'
          for label, value in report.headline),
        "</div>",
        *(_section(section) for section in report.sections),
        "<footer><p>口径 Definitions</p><ul>",
        *(f"<li>{escape(note)}</li>" for note in report.notes),
        "</ul></footer>",
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _section(section: Section) -> str:
    parts = [f'<section id="{escape(section.key)}" data-section="{escape(section.key)}">',
             f"<h2>{escape(section.title)}</h2>"]
    if section.empty:
        parts.append(f'<p class="empty">{escape(section.empty)}</p>')
    parts += [f"<p>{escape(line)}</p>" for line in section.lines]
    parts += [_chart(chart, section.key) for chart in section.charts]
    parts += [_table(table) for table in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def _chart(chart: Chart, section: str) -> str:
    data = base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    return (f'<figure class="chart" data-section="{escape(section)}" data-chart="{escape(chart.name)}">'
            f'<img alt="{escape(chart.title)}" src="data:image/svg+xml;base64,{data}"></figure>')


def _cell(value) -> str:
    if isinstance(value, list):
        return "<br>".join(_cell(v) for v in value)
    if isinstance(value, Link):
        # Only web links: a report must not carry script URLs from crawled pages.
        if value.url and value.url.startswith(("http://", "https://")):
            return f'<a href="{escape(value.url)}" rel="noreferrer">{escape(value.text)}</a>'
        return escape(value.text)
    return escape(value)


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = []
    for row in table.rows:
        cells = "".join(f'<td class="num">{_cell(v)}</td>' if i in table.numeric else f"<td>{_cell(v)}</td>"
                        for i, v in enumerate(row))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
