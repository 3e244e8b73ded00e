"""``yuqing parse PLATFORM FILE``: the documents one saved response yields."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from yuqing.schema import utc_now_iso


def register(subparsers) -> None:
    p = subparsers.add_parser("parse", help="parse one saved platform response into documents (JSON lines)")
    p.add_argument("platform", help="platform name (see `yuqing parse --list`)", nargs="?")
    p.add_argument("file", nargs="?", help="saved response body")
    p.add_argument("--url", help="the URL the response was fetched from")
    p.add_argument("--kind", help="page kind (default: the parser's default for a saved file)")
    p.add_argument("--content-type", help="Content-Type header of the saved response")
    p.add_argument("--links", action="store_true", help="also print the links the page leads to")
    p.add_argument("--list", action="store_true", help="list known platforms")
    p.set_defaults(func=run)


def run(args) -> int:
    from crawlers.parsers import Page, ParseError, get_parser, registry

    if args.list or not args.platform:
        for name in sorted(registry()):
            print(name)
        return 0 if args.list else 2
    if not args.file:
        print("yuqing parse: FILE is required", file=sys.stderr)
        return 2
    try:
        parser = get_parser(args.platform)
    except KeyError as exc:
        print(f"yuqing parse: {exc.args[0]}", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"yuqing parse: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    kind = args.kind or parser.default_kind or parser.kinds[-1]
    if kind not in parser.kinds:
        print(f"yuqing parse: {args.platform} has no page kind {kind!r}; kinds: {', '.join(parser.kinds)}",
              file=sys.stderr)
        return 2
    headers = {"content-type": args.content_type} if args.content_type else {}
    page = Page(url=args.url or path.resolve().as_uri().replace("file://", "http://localhost"),
                body=body, headers=headers, crawled_at=utc_now_iso())
    try:
        result = parser.parse(page, kind)
    except ParseError as exc:
        print(f"yuqing parse: {path}: {exc.reason}: {exc}", file=sys.stderr)
        return 1
    for doc in result.documents:
        print(json.dumps(doc.to_dict(), ensure_ascii=False))
    if args.links:
        for link in result.links:
            print(json.dumps({"link": link.url, "kind": link.kind, "meta": link.meta}, ensure_ascii=False))
    for warning in result.warnings:
        print(f"yuqing parse: warning: {warning}", file=sys.stderr)
    return 0
