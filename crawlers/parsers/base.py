"""Page objects: turn one saved response into documents and links.

A parser never touches the Scrapy engine. It gets the raw body, the URL and the
response headers, so the same code runs in a spider, in ``yuqing parse`` and in
tests that read ``tests/fixtures/`` files. Spiders only navigate: they schedule
the ``links`` a parser returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from yuqing.schema import Document


class ParseError(ValueError):
    """The response cannot be parsed at all (not HTML/JSON, empty...).

    ``reason`` is a short stats-friendly slug (``empty_body``, ``not_html``...).
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class ShapeError(ParseError):
    """The response parsed but does not have the shape this parser expects:
    a platform changed its markup/JSON. ``field`` names what was missing."""

    def __init__(self, platform: str, field_name: str, message: str | None = None):
        super().__init__("shape_error", message or f"{platform}: expected field {field_name!r} is missing or malformed")
        self.platform = platform
        self.field = field_name


@dataclass
class Link:
    url: str
    """Absolute URL to fetch next."""
    kind: str
    """What the parser expects there, e.g. ``article``, ``thread``, ``board``; the
    spider maps kinds to callbacks."""
    meta: dict[str, Any] = field(default_factory=dict)
    """Plain JSON-serialisable context for the next parse (never live objects)."""


@dataclass
class ParseResult:
    documents: list[Document] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Non-fatal problems (``no_date``, ``bad_item``...): the spider counts and logs them."""


@dataclass
class Page:
    """What a parser receives: the response reduced to plain data."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    """Lower-cased header names."""
    meta: dict[str, Any] = field(default_factory=dict)
    crawled_at: str | None = None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @classmethod
    def from_response(cls, response) -> "Page":
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        return cls(url=response.url, body=response.body, headers=headers,
                   meta={k: v for k, v in response.meta.items() if k.startswith("yq_")})


class Parser:
    """Base class of every platform parser. Subclasses set ``platform`` and
    ``channel`` and implement ``parse`` for each page ``kind`` they know."""

    platform: ClassVar[str]
    channel: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]] = ()
    default_kind: ClassVar[str] = ""
    """Kind assumed for a saved file given to ``yuqing parse`` without ``--kind``."""

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        """The page kind a URL's shape names (search, account, post...), so a
        seed pushed without a kind lands in the right parse; None = unknown."""
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:  # pragma: no cover - interface
        raise NotImplementedError
