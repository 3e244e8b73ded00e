"""From raw response bytes to a parsed, cleaned lxml tree (shared by all extractors)."""
from __future__ import annotations

import html as html_lib
import logging
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from yuqing.text import decode_html

logger = logging.getLogger(__name__)


class ExtractionError(Exception):
    """Extraction failed; ``reason`` is one of "empty_body", "not_html", "no_content"."""

    REASONS = ("empty_body", "not_html", "no_content")

    def __init__(self, reason: str, message: str):
        if reason not in self.REASONS:
            raise ValueError(f"unknown extraction failure reason {reason!r}")
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


_MAGIC = (
    (b"%PDF", "PDF"), (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"RIFF", "RIFF media"), (b"OggS", "Ogg media"),
    (b"\x00\x00\x00", "binary data"), (b"ID3", "MP3 audio"), (b"BM", "BMP image"), (b"\x7fELF", "ELF binary"),
    (b"Rar!", "RAR archive"), (b"7z\xbc\xaf", "7z archive"), (b"wOF", "web font"), (b"\xd0\xcf\x11\xe0", "OLE document"),
)
_HTML_TYPES = ("html", "xml")
_HTML_SNIFF = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|title|meta|div|p|table|article|script|br|a\s|h[1-6]|span|font|center)\b",
    re.I,
)
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<\s*(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
# CleanEval-style corpus wrapper put before <html>: <text id="URL" title="…" encoding="…">.
_WRAPPER = re.compile(r"^\s*<text\s+([^>]*)>", re.I)
_WRAPPER_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WRAPPER_END = re.compile(r"</text>\s*$", re.I)


@dataclass
class Document:
    text: str                 # decoded HTML source
    encoding: str
    tree: lxml.html.HtmlElement
    url: str | None
    wrapper_title: str | None


def _looks_binary(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head[:1024] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    return None


def _strip_wrapper(text: str) -> tuple[str, dict[str, str]]:
    m = _WRAPPER.match(text)
    if not m:
        return text, {}
    attrs = {k.lower(): html_lib.unescape(a or b) for k, a, b in _WRAPPER_ATTR.findall(m.group(1))}
    return _WRAPPER_END.sub("", text[m.end():]), attrs


def load(body: bytes | str, url: str | None = None, content_type: str | None = None) -> Document:
    """Validate, decode and parse a response body; raise ExtractionError when it is no web page."""
    if body is None or (isinstance(body, (bytes, bytearray)) and not body.strip()) \
            or (isinstance(body, str) and not body.strip()):
        raise ExtractionError("empty_body", "the response body is empty")
    if isinstance(body, (bytes, bytearray)):
        what = _looks_binary(bytes(body[:2048]))
        if what:
            raise ExtractionError("not_html", f"the body is {what}, not an HTML page")
        text, encoding = decode_html(bytes(body), content_type)
    else:
        text, encoding = body, "utf-8"

    text, wrapper = _strip_wrapper(text)
    declared_type = (content_type or "").split(";")[0].strip().lower()
    # Servers label some pages text/plain; then only a real document start counts.
    sniff = _HTML_START if declared_type == "text/plain" else _HTML_SNIFF
    looks_html = bool(sniff.search(text[:20_000]))
    if not looks_html:
        kind = declared_type or "text without HTML markup"
        raise ExtractionError("not_html", f"the body is {kind}, not an HTML page")
    if declared_type and not any(t in declared_type for t in _HTML_TYPES) and not declared_type.startswith("text/"):
        raise ExtractionError("not_html", f"the body is {declared_type}, not an HTML page")

    tree = _parse(text)
    if tree is None:
        raise ExtractionError("not_html", "the body could not be parsed as HTML")
    return Document(text, encoding, tree, url or wrapper.get("id") or None, wrapper.get("title") or None)


def _parse(text: str) -> lxml.html.HtmlElement | None:
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("HTML parse failed: %s", exc)
        return None
    return tree
