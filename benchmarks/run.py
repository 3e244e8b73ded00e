"""Run the benchmarks and write ``benchmarks/results/<date>.json`` and ``.md``
(and ``latest.md`` after a full run).

    .venv/bin/python -m benchmarks.run               # all, in this order
    .venv/bin/python -m benchmarks.run --only rules  # one (repeatable)

Each benchmark module has ``run(ctx) -> dict`` with ``title``, a table
(``columns``, ``rows``), raw ``figures``, ``targets`` (PASS/MISS) and
``notes``. A benchmark that fails is reported as ERROR and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
import traceback
from datetime import date, datetime, timezone

from benchmarks.common import REPO, Context, load_average, machine, say

BENCHMARKS = ("crawl", "scaling", "indexing", "rules", "dedup", "browser", "alerts", "extraction")
RESULTS = REPO / "benchmarks" / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=BENCHMARKS, metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    started = time.monotonic()
    ctx = Context()
    results: dict[str, dict] = {}
    try:
        for number, name in enumerate(names, 1):
            say(f"== [{number}/{len(names)}] {name} (load average {load_average():.1f})")
            began, load = time.monotonic(), load_average()
            try:
                result = importlib.import_module(f"benchmarks.{name}").run(ctx)
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not lose the others' figures
                say(f"{name} failed: {exc}")
                result = {"title": name, "error": f"{type(exc).__name__}: {exc}",
                          "traceback": traceback.format_exc(), "targets": []}
            result.update(seconds=round(time.monotonic() - began, 1), load_average_at_start=round(load, 2))
            results[name] = result
            for t in result.get("targets", []):
                say(f"   {t['status']}  {t['what']}: {t['shown']} (target {t['target']})")
        report = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "seconds": round(time.monotonic() - started, 1), "machine": machine(ctx),
                  "benchmarks": results}
    finally:
        ctx.close()
    stem = date.today().isoformat() + ("" if not args.only else "-" + "-".join(names))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n",
                                          encoding="utf-8")
    markdown = render(report)
    (RESULTS / f"{stem}.md").write_text(markdown, encoding="utf-8")
    if not args.only:
        (RESULTS / "latest.md").write_text(markdown, encoding="utf-8")
    say(f"done in {report['seconds']:.0f}s: {(RESULTS / stem).relative_to(REPO)}.json and .md")
    return 0


def render(report: dict) -> str:
    m = report["machine"]
    described = [m["cpu"], f"{m['cores']} cores", f"{m['ram_gib']} GiB RAM", m["os"], f"Python {m['python']}",
                 f"Scrapy {m['scrapy']}", m.get("search"), m.get("redis") and f"Redis {m['redis']}", m.get("chromium")]
    lines = [f"# Benchmarks, {report['date'][:10]}", "",
             f"Measured {report['date']} in {report['seconds']:.0f} s on: "
             + ", ".join(d for d in described if d) + ".",
             "", "Ratios compare figures measured in the same run, one right after the other; the machine "
             "may be shared, so the load average at each benchmark's start is shown.", "",
             "## Targets", "", "| benchmark | figure | measured | target | |", "|---|---|---:|---|---|"]
    for name, result in report["benchmarks"].items():
        if result.get("error"):
            lines.append(f"| {name} | (failed: {_cell(result['error'])}) | | | ERROR |")
        for t in result.get("targets", []):
            lines.append(f"| {name} | {_cell(t['what'])} | {t['shown']} | {t['target']} | {t['status']} |")
    for name, result in report["benchmarks"].items():
        lines += ["", f"## {result.get('title', name)}", "",
                  f"`--only {name}` · {result['seconds']:.0f} s · load average {result['load_average_at_start']}", ""]
        if result.get("error"):
            lines += ["```", result.get("traceback", result["error"]).strip(), "```"]
            continue
        if result.get("rows"):
            lines.append("| " + " | ".join(result["columns"]) + " |")
            lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(result["columns"]))) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in result["rows"]]
            lines.append("")
        lines += [f"- {note}" for note in result.get("notes", [])]
    return "\n".join(lines).rstrip() + "\n"


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    raise SystemExit(main())
