"""``yuqing analyze``: sentiment, language, keywords and region of stdin lines.

Each input line is either plain text or a JSON object shaped like a document
(``title``, ``content``, ``lang``, ``region_hint`` / ``ip_location``...). One
JSON line is printed per input line, empty lines included, in input order.
"""
from __future__ import annotations

import json
import logging
import sys
from typing import Iterator, TextIO

logger = logging.getLogger(__name__)

OUTPUT_FIELDS = ("sentiment", "lang", "keywords", "region")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="sentiment / language / keywords / region of text or JSON documents on stdin (JSON lines out)",
        description=__doc__.split("\n\n")[1],
    )
    p.set_defaults(func=run)


def _lines(stream: TextIO) -> Iterator[str]:
    # Bytes in, so a stray non-UTF-8 line is replaced rather than fatal.
    raw = getattr(stream, "buffer", None)
    if raw is None:
        yield from stream
        return
    for line in raw:
        yield line.decode("utf-8", errors="replace")


def _document(line: str) -> dict:
    line = line.rstrip("\r\n")
    if line.lstrip().startswith("{"):
        try:
            value = json.loads(line)
        except ValueError:
            logger.debug("line looks like JSON but is not; analysing it as text")
        else:
            if isinstance(value, dict):
                return value
    return {"content": line}


def run(args) -> int:
    from yuqing.enrich import default_enricher

    enricher = default_enricher()
    out = sys.stdout
    if hasattr(out, "reconfigure") and (out.encoding or "").lower().replace("-", "") != "utf8":
        # ensure_ascii=False output must not die on a C-locale terminal.
        out.reconfigure(encoding="utf-8")
    for line in _lines(sys.stdin):
        result = enricher.enrich(_document(line))
        out.write(json.dumps({k: result[k] for k in OUTPUT_FIELDS}, ensure_ascii=False) + "\n")
        out.flush()
    return 0
