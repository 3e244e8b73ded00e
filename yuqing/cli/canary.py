"""``yuqing canary [PLATFORM...]``: is each platform still answering the way
its parser expects?

Every spider that declares ``canary_url`` / ``canary_kind`` gets that one
small real request, and its parser reads the answer. The verdict per
platform: ``ok``, ``changed`` (the parser's ShapeError, naming the field),
``blocked`` (risk control, rate limits), ``login required``, ``unreachable``
(no connection) or ``error``. ``--base-url`` sends the requests to another
server instead (same path and query), e.g. one replaying recorded answers.
Exit code 0 when every platform is ok, 1 otherwise.
"""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

OK, CHANGED, BLOCKED, LOGIN, UNREACHABLE, ERROR = (
    "ok", "changed", "blocked", "login required", "unreachable", "error")
_VERDICT_OF_REASON = {"risk_control": BLOCKED, "rate_limited": BLOCKED, "login_required": LOGIN}


@dataclass
class CanaryResult:
    platform: str
    spider: str
    url: str
    verdict: str
    detail: str = ""
    field: str | None = None
    documents: int = 0
    status: int | None = None


def register(subparsers) -> None:
    p = subparsers.add_parser("canary", help="one small live request per platform: does its parser still fit?")
    p.add_argument("platforms", nargs="*", metavar="PLATFORM", help="platform or spider names (default: all)")
    p.add_argument("--base-url", help="send the requests here instead of the platform (keeps path and query)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def canary_spiders(settings) -> dict[str, type]:
    """Spider classes with a canary request, by spider name."""
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(settings)
    found = {}
    for name in loader.list():
        cls = loader.load(name)
        if getattr(cls, "canary_url", None) and getattr(cls, "canary_kind", None):
            found[name] = cls
    return found


def target_url(canary_url: str, base_url: str | None) -> str:
    if not base_url:
        return canary_url
    parts = urlsplit(canary_url)
    return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects like urllib does, remembering where each one went:
    a hop through a login or captcha page is the verdict."""

    def __init__(self):
        self.hops: list[str] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.hops.append(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check(spider_cls, user_agent: str, base_url: str | None = None, timeout: float = 15.0) -> CanaryResult:
    from crawlers.middlewares.accounts import refusal
    from crawlers.parsers.base import Page, ParseError, ShapeError
    from yuqing.schema import utc_now_iso

    url = target_url(spider_cls.canary_url, base_url)
    result = CanaryResult(platform=spider_cls.platform, spider=spider_cls.name, url=url, verdict=ERROR)
    headers = {"User-Agent": user_agent, **getattr(spider_cls, "headers", {})}
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=timeout) as answer:
            status, body, final_url = answer.status, answer.read(), answer.geturl()
            answer_headers = {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as exc:
        status, body, final_url = exc.code, exc.read(), exc.geturl() or url
        answer_headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        result.verdict = UNREACHABLE
        result.detail = str(getattr(exc, "reason", exc))
        return result
    result.status = status
    parser = spider_cls.parser_cls()
    for hop in [*redirects.hops, final_url]:
        reason = refusal(status if hop == final_url else 302, final_url, hop)
        if reason:
            result.verdict, result.detail = _VERDICT_OF_REASON[reason], f"HTTP {status} via {hop}"
            return result
    if status >= 400:
        envelope = getattr(parser, "envelope_error", None)
        try:
            error = envelope(json.loads(body)) if envelope and body else None
        except ValueError:
            error = None
        reason = error.reason if error else None
        result.verdict = _VERDICT_OF_REASON.get(reason) or (BLOCKED if status in (403, 429) else ERROR)
        result.detail = f"HTTP {status}" + (f": {error}" if error else "")
        return result
    page = Page(url=final_url, body=body, headers=answer_headers, crawled_at=utc_now_iso())
    try:
        parsed = parser.parse(page, spider_cls.canary_kind)
    except ShapeError as exc:
        result.verdict, result.field, result.detail = CHANGED, exc.field, str(exc)
        return result
    except ParseError as exc:
        result.verdict, result.detail = _VERDICT_OF_REASON.get(exc.reason, ERROR), f"{exc.reason}: {exc}"
        return result
    result.verdict, result.documents = OK, len(parsed.documents)
    result.detail = f"{len(parsed.documents)} document(s), {len(parsed.links)} link(s)"
    return result


def run(args) -> int:
    from yuqing.worker import project_settings

    settings = project_settings()
    spiders = canary_spiders(settings)
    wanted = set(args.platforms)
    chosen = [cls for name, cls in sorted(spiders.items()) if not wanted or name in wanted or cls.platform in wanted]
    unknown = wanted - {c.name for c in spiders.values()} - {c.platform for c in spiders.values()}
    if unknown:
        print(f"yuqing canary: no canary for {', '.join(sorted(unknown))}; known: {', '.join(sorted(spiders))}",
              file=sys.stderr)
        return 2
    results = [check(cls, settings.get("USER_AGENT"), args.base_url, args.timeout) for cls in chosen]
    if args.json:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    else:
        _table(results)
    return 0 if all(r.verdict == OK for r in results) else 1


def _table(results: list[CanaryResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    styles = {OK: "green", CHANGED: "bold red", BLOCKED: "yellow", LOGIN: "yellow", UNREACHABLE: "dim", ERROR: "red"}
    table = Table(title="platform canary")
    for column in ("platform", "verdict", "field", "detail", "url"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(r.platform, f"[{styles[r.verdict]}]{r.verdict}[/]", r.field or "", r.detail, r.url)
    Console().print(table)
