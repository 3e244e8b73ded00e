"""``yuqing rules``: try, add, list, disable and compile analyst rules.

Exit codes: 0 success (``test``: matched), 1 ``test`` did not match or the rule
to disable does not exist, 2 invalid rule, query or input.
The rule file is ``--file``, else ``$YUQING_RULES_FILE``, else ``./rules.yaml``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import unicodedata
from pathlib import Path

from yuqing.rules.compiler import compile_query
from yuqing.rules.matcher import Matcher
from yuqing.rules.parser import RuleSyntaxError, parse
from yuqing.rules.store import (PRIORITIES, SENTIMENTS, InvalidRule, Rule, RuleSet,
                                default_rules_path, read_entries, write_entries)

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser("rules", help="analyst rules: test, add, list, disable, compile",
                                   description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=lambda args: _usage(parser))
    commands = parser.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")

    test = commands.add_parser("test", help="match QUERY against one JSON document read on stdin")
    test.add_argument("query")
    test.add_argument("--json", action="store_true", help="one compact JSON line (default: indented)")
    test.set_defaults(func=cmd_test)

    add = commands.add_parser("add", help="validate a rule and append it to the rule file")
    add.add_argument("--id", required=True)
    add.add_argument("--name")
    add.add_argument("--query", required=True)
    add.add_argument("--topic", default="")
    add.add_argument("--priority", default="medium", help=f"{' | '.join(PRIORITIES)} or 1-4")
    add.add_argument("--sentiment", choices=SENTIMENTS)
    add.add_argument("--file", type=Path)
    add.set_defaults(func=cmd_add)

    listing = commands.add_parser("list", help="show the rules of the rule file and their errors")
    listing.add_argument("--file", type=Path)
    listing.set_defaults(func=cmd_list)

    disable = commands.add_parser("disable", help="set enabled: false on a rule")
    disable.add_argument("id")
    disable.add_argument("--file", type=Path)
    disable.set_defaults(func=cmd_disable)

    compile_ = commands.add_parser("compile", help="print the Elasticsearch/OpenSearch query for QUERY")
    compile_.add_argument("query")
    compile_.set_defaults(func=cmd_compile)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _syntax_error(query: str, message: str, position: int) -> int:
    print(f"syntax error at position {position}: {message}", file=sys.stderr)
    print(f"  {query}", file=sys.stderr)
    # East Asian wide characters take two terminal columns.
    pad = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in query[:position])
    print("  " + " " * pad + "^", file=sys.stderr)
    return 2


def _read_doc() -> dict:
    doc = json.loads(sys.stdin.read())
    if not isinstance(doc, dict):
        raise ValueError("expected a JSON object")
    if isinstance(doc.get("sentiment"), str):
        doc["sentiment"] = {"label": doc["sentiment"]}
    return doc


def cmd_test(args) -> int:
    try:
        rule = Rule.from_dict({"id": "test", "query": args.query})
    except InvalidRule as exc:
        return _syntax_error(args.query, exc.error.message, exc.error.position or 0)
    try:
        doc = _read_doc()
    except ValueError as exc:
        print(f"rules test: stdin is not one JSON document: {exc}", file=sys.stderr)
        return 2
    matches = Matcher([rule]).match(doc)
    terms = []
    for hit in (matches[0].terms if matches else ()):
        entry = hit.to_dict()
        text = doc.get(hit.field) if hit.field in ("title", "content") else None
        if isinstance(text, str):
            entry["text"] = text[hit.start:hit.end]
        terms.append(entry)
    result = {"matched": bool(matches), "terms": terms, "query": str(rule.ast)}
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0 if matches else 1


def _rules_file(args) -> Path:
    return args.file or default_rules_path()


def _load_entries(path: Path) -> list:
    return read_entries(path) if path.exists() else []


def cmd_add(args) -> int:
    path = _rules_file(args)
    priority = int(args.priority) if args.priority.isdigit() else args.priority
    entry = {"id": args.id, "name": args.name or args.id, "topic": args.topic, "query": args.query,
             "priority": priority, "sentiment": args.sentiment}
    try:
        rule = Rule.from_dict(entry)
    except InvalidRule as exc:
        if exc.error.position is not None:
            return _syntax_error(args.query, exc.error.message, exc.error.position)
        print(f"rules add: {exc.error.message}", file=sys.stderr)
        return 2
    try:
        entries = _load_entries(path)
    except (OSError, ValueError) as exc:
        print(f"rules add: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    if any(isinstance(e, dict) and str(e.get("id")) == rule.id for e in entries):
        print(f"rules add: a rule with id {rule.id!r} already exists in {path}", file=sys.stderr)
        return 2
    write_entries(path, entries + [rule.to_dict()])
    print(f"added rule {rule.id} to {path}")
    return 0


def cmd_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    path = _rules_file(args)
    try:
        ruleset = RuleSet.from_entries(_load_entries(path))
    except (OSError, ValueError) as exc:
        print(f"rules list: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    console = Console()
    table = Table(title=f"{len(ruleset.rules)} rules in {path}")
    for column in ("id", "name", "topic", "priority", "sentiment", "enabled", "query"):
        table.add_column(column, overflow="fold")
    for rule in ruleset.rules:
        table.add_row(rule.id, rule.name, rule.topic, rule.priority, rule.sentiment or "",
                      "yes" if rule.enabled else "[dim]no[/dim]", rule.query, style=None if rule.enabled else "dim")
    console.print(table)
    for error in ruleset.errors:
        console.print(f"[red]invalid:[/red] {error}", markup=True, highlight=False)
    return 0


def cmd_disable(args) -> int:
    path = _rules_file(args)
    try:
        entries = _load_entries(path)
    except (OSError, ValueError) as exc:
        print(f"rules disable: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    for entry in entries:
        if isinstance(entry, dict) and str(entry.get("id")) == args.id:
            entry["enabled"] = False
            write_entries(path, entries)
            print(f"disabled rule {args.id} in {path}")
            return 0
    print(f"rules disable: no rule {args.id!r} in {path}", file=sys.stderr)
    return 1


def cmd_compile(args) -> int:
    try:
        node = parse(args.query)
    except RuleSyntaxError as exc:
        return _syntax_error(args.query, exc.message, exc.position)
    print(json.dumps(compile_query(node), ensure_ascii=False, indent=2))
    return 0
