"""``yuqing extract FILE_OR_URL``: the article one saved page (or live URL) holds."""
from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

_FETCH_TIMEOUT = 30
_USER_AGENT = "Mozilla/5.0 (compatible; yuqing-extract/0.1)"


def register(subparsers) -> None:
    p = subparsers.add_parser("extract", help="extract the main article (title, text, author, date) from a page")
    p.add_argument("source", metavar="FILE_OR_URL", help="saved HTML file, or an http(s) URL to fetch")
    p.add_argument("--url", help="the page's original URL (helps date and site detection for saved files)")
    p.add_argument("--content-type", help="Content-Type header of the saved response (charset hint)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    p.set_defaults(func=run)


def _read(source: str) -> tuple[bytes, str | None, str | None]:
    """Body, content type and final URL of a file or http(s) URL."""
    if source.startswith(("http://", "https://")):
        req = urllib.request.Request(source, headers={"User-Agent": _USER_AGENT})
        with urllib.request.urlopen(req, timeout=_FETCH_TIMEOUT) as resp:
            return resp.read(), resp.headers.get("Content-Type"), resp.geturl()
    return Path(source).read_bytes(), None, None


def run(args) -> int:
    from yuqing.extract import ExtractionError, extract_article

    try:
        body, content_type, fetched_url = _read(args.source)
    except (OSError, ValueError) as exc:
        print(f"yuqing extract: cannot read {args.source}: {exc}", file=sys.stderr)
        return 1
    try:
        article = extract_article(body, url=args.url or fetched_url,
                                  content_type=args.content_type or content_type)
    except ExtractionError as exc:
        print(f"yuqing extract: {args.source}: {exc.reason}: {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(article, ensure_ascii=False))
    else:
        _print_summary(article)
    return 0


def _print_summary(article: dict) -> None:
    for key in ("title", "author", "published_at", "lang", "encoding", "site_name", "url"):
        print(f"{key + ':':<14}{article.get(key) or '-'}")
    content = article.get("content") or ""
    print(f"{'length:':<14}{len(content)} characters, {content.count(chr(10)) + 1} paragraphs")
    print()
    print(content)
