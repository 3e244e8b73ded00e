"""``yuqing rules``: try, add, list, disable and compile analyst rules; run one
over the indexed history (``backtest``); export them as Kibana saved searches.

Exit codes: 0 success (``test``: matched), 1 ``test`` did not match, the rule
to disable does not exist or the search cluster is unreachable, 2 invalid
rule, query or input.
The rule file is ``--file``, else ``$YUQING_RULES_FILE``, else ``./rules.yaml``;
``backtest`` and ``kibana`` also read the rules in Redis (``yuqing:rules``)
when ``REDIS_URL`` is set, as the workers do.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from yuqing.rules.compiler import compile_query, compile_rule
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

    backtest = commands.add_parser(
        "backtest", help="hits per day of a rule (id) or query over the indexed history",
        description="Counts per day (local days of --tz) by publish time; documents without one "
                    "count on the day they were crawled, in a column of their own.")
    backtest.add_argument("rule", metavar="RULE_ID_OR_QUERY", help="a rule id of the rule sources, else a query")
    backtest.add_argument("--since", default="7d", help="7d, 36h... ago, or a date/time (default: 7d)")
    backtest.add_argument("--until", help="same forms (default: now)")
    backtest.add_argument("--tz", help="time zone of the days (default: NORMALIZE_DEFAULT_TZ, Asia/Shanghai)")
    backtest.add_argument("--samples", type=int, default=5, help="sample hits to show (default: 5)")
    backtest.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    backtest.add_argument("--file", type=Path)
    backtest.add_argument("--search-url", help="default: SEARCH_URL")
    backtest.set_defaults(func=cmd_backtest)

    kibana = commands.add_parser("kibana", help="export the enabled rules as Kibana saved searches (NDJSON)",
                                 description="Import the file in Kibana: Stack Management > Saved objects > "
                                             "Import. Each rule's compiled query is the saved search's filter.")
    kibana.add_argument("--out", type=Path, help="default: standard output")
    kibana.add_argument("--data-view", help="id of the data view searched (default: <prefix>-docs, yuqing-docs)")
    kibana.add_argument("--with-data-view", action="store_true",
                        help="also write that data view (pattern <prefix>-docs, time field published_at)")
    kibana.add_argument("--file", type=Path)
    kibana.set_defaults(func=cmd_kibana)


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


# -- backtest and Kibana -------------------------------------------------------

def _live_rules(args, settings) -> RuleSet:
    """The rule file plus the Redis hash, as a worker would load them."""
    from yuqing.rules.store import RuleStore

    path = _rules_file(args)
    if path.exists():
        read_entries(path)  # an unreadable file raises here; RuleStore would only log it
    client = None
    if settings.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(settings.get("REDIS_URL"), socket_timeout=5)
        try:
            client.ping()
        except redis.RedisError as exc:
            print(f"rules: Redis at REDIS_URL unreachable ({exc}); using {path} only", file=sys.stderr)
            client = None
    return RuleStore(path if path.exists() else None, redis=client).ruleset


def _resolve(spec: str, args, settings) -> tuple[Rule | None, bool]:
    """(the rule with id ``spec``, True), else (``spec`` as a query, False);
    (None, False) after a syntax error."""
    rule = _live_rules(args, settings).get(spec)
    if rule is not None:
        return rule, True
    try:
        return Rule.from_dict({"id": "query", "name": spec, "query": spec}), False
    except InvalidRule as exc:
        _syntax_error(spec, exc.error.message, exc.error.position or 0)
        return None, False


def _parse_when(value: str, now: datetime, tz) -> datetime:
    """``7d``/``36h``/``90m`` ago, or a date (local midnight) or date-time (local unless it says)."""
    from yuqing.alerts.config import parse_duration

    try:
        return now - timedelta(seconds=parse_duration(value))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a duration or a date: {value!r} (use 7d, 36h, 2025-11-20 or 2025-11-20T08:00)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(timezone.utc)


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def backtest(store, rule: Rule, since: datetime, until: datetime, tz: str, samples: int = 5,
             progress=None, named: bool = True) -> dict:
    """Hits of ``rule`` per local day of ``tz`` in [since, until): by publish
    time, and by crawl time for documents that have no publish time.
    ``named``: ``rule`` is a rule of the sources, not an ad-hoc query."""
    from zoneinfo import ZoneInfo

    query = compile_rule(rule)
    window = {"gte": _iso(since), "lt": _iso(until)}
    by_published = {"range": {"published_at": window}}
    by_crawled = {"bool": {"must_not": [{"exists": {"field": "published_at"}}],
                           "filter": [{"range": {"crawled_at": window}}]}}

    def per_day(field: str) -> dict:
        return {"date_histogram": {"field": field, "calendar_interval": "day", "time_zone": tz}}

    body = {
        "size": samples,
        "track_total_hits": True,
        "query": {"bool": {"filter": [query, {"bool": {"should": [by_published, by_crawled],
                                                       "minimum_should_match": 1}}]}},
        "aggs": {"published_at": {"filter": by_published, "aggs": {"days": per_day("published_at")}},
                 "crawled_at": {"filter": by_crawled, "aggs": {"days": per_day("crawled_at")}}},
        "sort": [{"published_at": {"order": "desc", "missing": "_last"}}, {"crawled_at": {"order": "desc"}}],
        "_source": {"excludes": ["seg", "match"]},
    }
    answer = store.search_body(body)
    if progress:
        progress()
    zone = ZoneInfo(tz)
    day, last = since.astimezone(zone).date(), (until - timedelta(microseconds=1)).astimezone(zone).date()
    days: dict[str, dict] = {}
    while day <= last:
        days[day.isoformat()] = {"date": day.isoformat(), "count": 0, "published_at": 0, "crawled_at": 0}
        day += timedelta(days=1)
    for field in ("published_at", "crawled_at"):
        for bucket in answer["aggregations"][field]["days"]["buckets"]:
            # key_as_string is the bucket's local midnight, offset included.
            entry = days.get(bucket["key_as_string"][:10])
            if entry is not None:
                entry[field] += bucket["doc_count"]
                entry["count"] += bucket["doc_count"]
    matcher = Matcher([replace(rule, enabled=True)])
    hits = []
    for hit in answer["hits"]["hits"]:
        source = hit["_source"]
        matches = matcher.match(source)
        terms = []
        for term in (matches[0].terms if matches else ()):
            text = source.get(term.field) if term.field in ("title", "content") else None
            terms.append({"field": term.field, "term": term.term, "start": term.start, "end": term.end,
                          "text": text[term.start:term.end] if isinstance(text, str) else None})
        hits.append({"id": hit["_id"], "title": source.get("title") or "", "url": source.get("url"),
                     "time": source.get("published_at") or source.get("crawled_at"),
                     "time_field": "published_at" if source.get("published_at") else "crawled_at",
                     "content": source.get("content") or "", "terms": terms})
        if progress:
            progress()
    total = answer["hits"]["total"]
    return {
        "rule": rule.to_dict() if named else None,
        "query": rule.query,
        "compiled": query,
        "since": _iso(since),
        "until": _iso(until),
        "time_zone": tz,
        "time_field": "published_at; crawled_at for documents without a publish time",
        "total": total["value"] if isinstance(total, dict) else int(total),
        "days": list(days.values()),
        "samples": hits,
    }


def cmd_backtest(args) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from yuqing.store.flavor import SearchUnavailable
    from yuqing.cli.common import service_settings
    from yuqing.store.search import SearchStore

    settings = service_settings(args, "rules backtest")
    if settings is None:
        return 2
    tz = args.tz or settings.get("NORMALIZE_DEFAULT_TZ") or "UTC"
    try:
        zone = ZoneInfo(tz)
        now = datetime.now(timezone.utc)
        since = _parse_when(args.since, now, zone)
        until = _parse_when(args.until, now, zone) if args.until else now
    except (ValueError, ZoneInfoNotFoundError) as exc:
        print(f"rules backtest: {exc}", file=sys.stderr)
        return 2
    if since >= until:
        print(f"rules backtest: --since {_iso(since)} is not before --until {_iso(until)}", file=sys.stderr)
        return 2
    try:
        rule, named = _resolve(args.rule, args, settings)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"rules backtest: cannot read the rules: {exc}", file=sys.stderr)
        return 2
    if rule is None:
        return 2
    try:
        store = SearchStore.from_settings(settings)
        if args.json:
            result = backtest(store, rule, since, until, tz, args.samples, named=named)
        else:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

            with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                          console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task(f"backtesting on {store.alias}", total=1 + args.samples)
                result = backtest(store, rule, since, until, tz, args.samples,
                                  progress=lambda: bar.advance(task), named=named)
    except SearchUnavailable as exc:
        print(f"rules backtest: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for sample in result["samples"]:
            del sample["content"]
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print_backtest(result)
    return 0


def _print_backtest(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    name = result["rule"]["id"] if result["rule"] else result["query"]
    days = Table(title=f"{result['total']} hit(s) of {name} from {result['since']} to {result['until']} "
                       f"(days in {result['time_zone']})")
    for column, justify in (("day", "left"), ("hits", "right"), ("by published_at", "right"),
                            ("by crawled_at (no publish time)", "right"), ("", "left")):
        days.add_column(column, justify=justify)
    peak = max([d["count"] for d in result["days"]] + [1])
    for d in result["days"]:
        days.add_row(d["date"], str(d["count"]), str(d["published_at"]), str(d["crawled_at"]),
                     "█" * round(20 * d["count"] / peak))
    console.print(days)
    if not result["samples"]:
        return
    samples = Table(title="latest hits")
    for column in ("time", "title / matched text", "url"):
        samples.add_column(column, overflow="fold")
    for hit in result["samples"]:
        samples.add_row(f"{hit['time']}\n[dim]{hit['time_field']}[/dim]", _highlighted(hit), hit["url"])
    console.print(samples)


def _highlighted(hit: dict):
    """Title, and a content snippet around the first content hit, terms in bold."""
    from rich.text import Text

    text = Text(hit["title"] or "(no title)")
    for term in hit["terms"]:
        if term["field"] == "title":
            text.stylize("bold red", term["start"], term["end"])
    content_terms = [t for t in hit["terms"] if t["field"] == "content"]
    if content_terms:
        start = max(0, content_terms[0]["start"] - 30)
        end = min(len(hit["content"]), content_terms[0]["end"] + 50)
        snippet = Text(("…" if start else "") + hit["content"][start:end], style="dim")
        shift = start - (1 if start else 0)
        for term in content_terms:
            if term["start"] >= start and term["end"] <= end:
                snippet.stylize("bold red", term["start"] - shift, term["end"] - shift)
        text.append("\n")
        text.append(snippet)
    terms = sorted({t["term"] for t in hit["terms"]})
    if terms:
        text.append("\n" + "matched: " + ", ".join(terms), style="italic")
    return text


def kibana_objects(rules: list[Rule], data_view: str, *, pattern: str | None = None) -> list[dict]:
    """Kibana saved objects: one ``search`` per enabled rule, its compiled query
    as a custom filter on data view ``data_view``; the data view first when
    ``pattern`` is given."""
    objects = []
    if pattern:
        objects.append({"id": data_view, "type": "index-pattern", "references": [],
                        "attributes": {"title": pattern, "name": pattern, "timeFieldName": "published_at"}})
    index_ref = "kibanaSavedObjectMeta.searchSourceJSON.index"
    filter_ref = "kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index"
    for rule in rules:
        if not rule.enabled:
            continue
        query = compile_rule(rule)
        source = {
            "query": {"query": "", "language": "kuery"},
            "filter": [{
                "meta": {"alias": f"yuqing rule {rule.id}", "type": "custom", "key": "query",
                         "value": json.dumps(query, ensure_ascii=False), "disabled": False, "negate": False,
                         "indexRefName": filter_ref},
                "query": query,
                "$state": {"store": "appState"},
            }],
            "indexRefName": index_ref,
        }
        objects.append({
            "id": f"yuqing-rule-{rule.id}",
            "type": "search",
            "attributes": {
                "title": f"[yuqing] {rule.name}",
                "description": f"rule {rule.id}" + (f" · topic {rule.topic}" if rule.topic else "")
                               + f" · priority {rule.priority}"
                               + (f" · sentiment {rule.sentiment}" if rule.sentiment else "")
                               + f"\n{rule.query}",
                "columns": ["title", "source", "platform", "channel", "url"],
                "sort": [["published_at", "desc"]],
                "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, ensure_ascii=False)},
            },
            "references": [{"id": data_view, "name": index_ref, "type": "index-pattern"},
                           {"id": data_view, "name": filter_ref, "type": "index-pattern"}],
        })
    return objects


def cmd_kibana(args) -> int:
    from yuqing.worker import project_settings

    settings = project_settings()
    alias = f"{settings.get('SEARCH_INDEX_PREFIX') or 'yuqing'}-docs"
    try:
        ruleset = _live_rules(args, settings)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"rules kibana: cannot read the rules: {exc}", file=sys.stderr)
        return 2
    objects = kibana_objects(ruleset.rules, args.data_view or alias,
                             pattern=alias if args.with_data_view else None)
    text = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        searches = sum(o["type"] == "search" for o in objects)
        print(f"wrote {searches} saved search(es) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for error in ruleset.errors:
        print(f"rules kibana: skipped invalid {error}", file=sys.stderr)
    return 0
