"""The report as Markdown (GitHub-flavoured tables); charts are SVG files
next to it, in ``<stem>.files/``, linked relatively."""

from __future__ import annotations

from .model import Link, Report, Section, Table


def render(report: Report, assets: str) -> str:
    """``assets``: the charts' directory, relative to the Markdown file."""
    w = report.window
    lines = [f"# {report.title}", "",
             f"{w.label()} · {report.scope.describe()} · 生成于 generated {report.generated_at}", "",
             "| " + " | ".join(label for label, _ in report.headline) + " |",
             "|" + "---:|" * len(report.headline),
             "| " + " | ".join(value for _, value in report.headline) + " |", ""]
    for section in report.sections:
        lines += _section(section, assets)
    lines += ["## 口径 Definitions", ""] + [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _section(section: Section, assets: str) -> list[str]:
    lines = [f"## {section.title}", ""]
    if section.empty:
        lines += [f"_{_escape(section.empty)}_", ""]
    lines += [line for text in section.lines for line in (text, "")]
    lines += [line for chart in section.charts for line in (f"![{chart.title}]({assets}/{chart.name}.svg)", "")]
    for table in section.tables:
        lines += _table(table) + [""]
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cell(value) -> str:
    if isinstance(value, list):
        return "<br>".join(_cell(v) for v in value)
    if isinstance(value, Link):
        if value.url and value.url.startswith(("http://", "https://")):
            text = _escape(value.text).replace("[", "\\[").replace("]", "\\]")
            return f"[{text}]({value.url.replace(')', '%29').replace(' ', '%20')})"
        return _escape(value.text)
    return _escape(value)


def _table(table: Table) -> list[str]:
    align = ["---:" if i in table.numeric else "---" for i in range(len(table.columns))]
    return (["| " + " | ".join(_escape(c) for c in table.columns) + " |", "| " + " | ".join(align) + " |"]
            + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows])
