"""``yuqing reindex --from-archive``: rebuild the search index from MongoDB.

Reads the latest version of every archived document (``documents``
collection, in ``_id`` order), optionally only those seen since a time, and
bulk-indexes them. The position (last ``_id`` done) is saved in the archive
after every batch, per index prefix and ``--since``, so an interrupted run
resumes where it stopped; ``--restart`` starts over.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

_RELATIVE = re.compile(r"(\d+)([hd])")


def register(subparsers) -> None:
    p = subparsers.add_parser("reindex", help="rebuild the search index from the evidence archive")
    p.add_argument("--from-archive", action="store_true", required=True,
                   help="read documents from the MongoDB archive (the only source for now)")
    p.add_argument("--since", help="only documents seen since then: ISO date/time, or 12h / 7d ago")
    p.add_argument("--batch", type=int, default=500, help="documents per bulk request (default: %(default)s)")
    p.add_argument("--limit", type=int, help="stop after this many documents; run again to go on")
    p.add_argument("--restart", action="store_true", help="forget the saved position and start over")
    p.add_argument("--mongo-url", help="default: MONGO_URL")
    p.add_argument("--search-url", help="default: SEARCH_URL")
    p.add_argument("--index-prefix", help="default: SEARCH_INDEX_PREFIX")
    p.set_defaults(func=run)


def parse_since(text: str | None, now: datetime | None = None) -> datetime | None:
    if not text:
        return None
    m = _RELATIVE.fullmatch(text.strip())
    if m:
        unit = timedelta(hours=1) if m[2] == "h" else timedelta(days=1)
        return (now or datetime.now(timezone.utc)) - int(m[1]) * unit
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def run(args) -> int:
    from pymongo.errors import PyMongoError
    from rich.console import Console

    from yuqing.store.archive import Archive
    from yuqing.store.flavor import SearchUnavailable
    from yuqing.store.search import SearchStore
    from yuqing.worker import project_settings

    console = Console(stderr=True)
    settings = project_settings()
    for option, name in ((args.mongo_url, "MONGO_URL"), (args.search_url, "SEARCH_URL"),
                         (args.index_prefix, "SEARCH_INDEX_PREFIX")):
        if option:
            settings.set(name, option, priority="cmdline")
    if args.batch < 1 or (args.limit is not None and args.limit < 1):
        console.print("yuqing reindex: --batch and --limit must be positive")
        return 2
    try:
        since = parse_since(args.since)
    except ValueError:
        console.print(f"yuqing reindex: --since {args.since!r}: use an ISO date/time, or e.g. 12h or 7d")
        return 2
    try:
        archive = Archive.from_settings(settings)
        store = SearchStore.from_settings(settings)
        store.ensure_index()
    except (ValueError, SearchUnavailable) as exc:
        console.print(f"yuqing reindex: {exc}")
        return 2
    try:
        return _reindex(archive, store, args, since, console)
    except PyMongoError as exc:
        console.print(f"yuqing reindex: the archive is unavailable ({exc}); run again to resume")
        return 1
    finally:
        archive.close()


def _reindex(archive, store, args, since: datetime | None, console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # Named by what was asked: a resumed "--since 7d" goes on with the window it started with.
    name = f"{store.alias}|{args.since or 'all'}"
    if args.restart:
        archive.clear_position(name)
    position = archive.position(name) or {}
    if position.get("done"):
        console.print(f"reindex into {store.alias} already complete ({position.get('count', 0)} documents); "
                      "--restart to run it again")
        return 0
    if position:
        since = position.get("since")
    else:
        archive.save_position(name, since=since, count=0, refused=0, done=False)
    after, done, refused = position.get("last_id"), int(position.get("count", 0)), int(position.get("refused", 0))
    total = archive.count_documents(since)
    if after:
        console.print(f"resuming after document {after} ({done} of {total} done)")
    sent_now = 0
    with Progress(TextColumn("reindex"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console) as progress:
        bar = progress.add_task("reindex", total=total, completed=done)
        for batch in archive.document_batches(since, after, args.batch):
            if args.limit is not None:
                batch = batch[:args.limit - sent_now]
            failed = _index(store, batch, console)
            if failed is None:
                return 1
            done += len(batch)
            sent_now += len(batch)
            refused += failed
            archive.save_position(name, last_id=batch[-1]["id"], count=done, refused=refused, done=False)
            progress.update(bar, completed=done)
            if args.limit is not None and sent_now >= args.limit:
                console.print(f"stopped after {sent_now} document(s) (--limit); run again to resume")
                return 0
    archive.save_position(name, count=done, refused=refused, done=True)
    console.print(f"reindexed {sent_now} document(s) into {store.alias}; {done} in all, {refused} refused")
    return 0 if not refused else 1


def _index(store, batch: list[dict], console, retries: int = 5) -> int | None:
    """Index one batch; the number refused for good, or None if the cluster stays unavailable."""
    pending, failed = batch, 0
    for attempt in range(retries + 1):
        outcome = store.bulk_index(pending)
        for doc, reason in outcome.failed:
            console.print(f"refused {doc.get('id')} ({doc.get('url')}): {reason}")
        failed += len(outcome.failed)
        pending = outcome.retry
        if not pending:
            return failed
        time.sleep(min(30.0, 0.5 * 2 ** attempt))
    console.print(f"yuqing reindex: the cluster did not take {len(pending)} document(s): stopping; "
                  "run again to resume from here")
    return None
