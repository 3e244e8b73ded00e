"""``yuqing dead list|replay|purge``: what failed for good, and a second chance.

Two dead-letter lists in Redis: ``requests`` (fetches that failed after their
last retry, or that outlived several workers) and ``documents`` (documents
the search cluster refused for good). ``replay`` puts requests back in their
spider's queue with fresh retries, and sends documents to the index again;
what the cluster refuses again goes back to the end of the list.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

KINDS = {"requests": "REQUEST_DEADLETTERS", "documents": "DOCUMENT_DEADLETTERS"}


def register(subparsers) -> None:
    p = subparsers.add_parser("dead", help="list, replay or purge dead-lettered requests and documents")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    sub = p.add_subparsers(dest="dead_command", metavar="ACTION")
    for name, help_text in (("list", "show dead letters"), ("replay", "requests back to the queue, documents "
                                                                       "back to the index"),
                            ("purge", "delete dead letters")):
        action = sub.add_parser(name, help=help_text)
        action.add_argument("--kind", choices=sorted(KINDS), help="default: both")
        action.add_argument("--redis-url", help="default: REDIS_URL")
        if name in ("list", "replay"):
            action.add_argument("--limit", type=int, help="at most this many entries of each kind")
        if name == "list":
            action.add_argument("--json", action="store_true", help="JSON lines instead of a table")
        if name == "replay":
            action.add_argument("--search-url", help="default: SEARCH_URL (documents)")
            action.add_argument("--index-prefix", help="default: SEARCH_INDEX_PREFIX (documents)")
        action.set_defaults(func=globals()[f"run_{name}"])


def _lists(args):
    import redis

    from crawlers import queue
    from yuqing.worker import project_settings

    settings = project_settings()
    url = args.redis_url or settings.get("REDIS_URL")
    if not url:
        raise SystemExit("yuqing dead: no Redis: set REDIS_URL or pass --redis-url")
    server = redis.Redis.from_url(url)
    kinds = [args.kind] if args.kind else list(KINDS)
    return settings, server, {kind: queue.DeadLetters(server, getattr(queue, KINDS[kind])) for kind in kinds}


def _when(entry: dict) -> str:
    at = entry.get("at")
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds") if at else ""


def _subject(entry: dict) -> str:
    document = entry.get("document") or {}
    return entry.get("url") or document.get("url") or document.get("id") or ""


def run_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    _, _, lists = _lists(args)
    entries = [(kind, entry) for kind, letters in lists.items() for entry in letters.peek(args.limit)]
    if args.json:
        for kind, entry in entries:
            print(json.dumps({"list": kind, **entry}, ensure_ascii=False))
        return 0
    table = Table(title=", ".join(f"{len(letters)} dead {kind}" for kind, letters in lists.items()))
    for column in ("kind", "when", "spider", "reason", "url / id"):
        table.add_column(column, overflow="fold")
    for kind, entry in entries:
        table.add_row(kind, _when(entry), entry.get("spider", ""), entry.get("reason", ""), _subject(entry))
    Console().print(table)
    return 0


def run_replay(args) -> int:
    settings, server, lists = _lists(args)
    status = 0
    if "requests" in lists:
        status |= _replay_requests(settings, server, lists["requests"], args.limit)
    if "documents" in lists:
        status |= _replay_documents(settings, lists["documents"], args)
    return status


def _replay_requests(settings, server, letters, limit: int | None) -> int:
    from crawlers.queue import JsonSerializer, LeasedPriorityQueue

    entries = letters.peek(limit)
    queues: dict[str, LeasedPriorityQueue] = {}
    for entry in entries:
        spider = entry["spider"]
        if spider not in queues:
            queues[spider] = LeasedPriorityQueue.for_spider_name(server, settings.get("SCHEDULER_QUEUE_KEY"), spider)
        request = JsonSerializer.loads(entry["request"])
        # A second chance: its retries start over; the dupefilter saw it already.
        request["meta"].pop("retry_times", None)
        request["dont_filter"] = True
        queues[spider].push_payload(JsonSerializer.dumps(request), request.get("priority", 0))
    letters.drop_head(len(entries))
    print(f"replayed {len(entries)} request(s) into their spiders' queues")
    return 0


def _replay_documents(settings, letters, args) -> int:
    from crawlers.queue import DeadLetters
    from yuqing.store.flavor import SearchUnavailable
    from yuqing.store.search import SearchStore

    for option, name in ((args.search_url, "SEARCH_URL"), (args.index_prefix, "SEARCH_INDEX_PREFIX")):
        if option:
            settings.set(name, option, priority="cmdline")
    entries = letters.peek(args.limit)
    if not entries:
        print("no dead document to replay")
        return 0
    try:
        store = SearchStore.from_settings(settings)
        outcome = store.bulk_index([entry["document"] for entry in entries])
    except (SearchUnavailable, ValueError) as exc:
        print(f"yuqing dead replay: {exc}", file=sys.stderr)
        return 1
    spider_of = {id(entry["document"]): entry.get("spider", "") for entry in entries}
    refused = [DeadLetters.entry("document", reason, spider_of[id(doc)], document=doc)
               for doc, reason in outcome.failed]
    if outcome.retry:
        print(f"yuqing dead replay: the cluster is busy or down: {len(outcome.retry)} document(s) stay "
              "dead-lettered", file=sys.stderr)
        return 1
    letters.add(*refused)
    letters.drop_head(len(entries))
    print(f"indexed {outcome.indexed} document(s); {len(refused)} refused again")
    return 0 if not refused else 1


def run_purge(args) -> int:
    _, _, lists = _lists(args)
    for kind, letters in lists.items():
        print(f"purged {letters.purge()} dead {kind}")
    return 0
