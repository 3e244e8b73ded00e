"""Count and log what is wrong with a response, and let it through.

Parsers cope with damaged pages (they recover text from truncated HTML, guess
a charset, strip control characters); this middleware makes the damage
visible. Before the callback runs, it looks at the raw response and counts
each problem under ``input/<reason>`` with a warning naming the URL:

``not_html``        an HTML content type on a binary body (an image, a PDF...)
``not_json``        a JSON content type on a body that is not JSON (an HTML error page)
``wrong_charset``   a body that is not valid in the charset its header declares
``control_chars``   C0 control or zero-width characters in a text body
``truncated_html``  an HTML page that stops before ``</html>``
``huge_body``       a body over ``DOWNLOAD_WARNSIZE``

Bodies over ``DOWNLOAD_MAXSIZE`` never get here: the retry middleware counts
them as ``fetch/error/too_large``.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b", b"RIFF")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xe2\x80[\x8b-\x8f]|\xef\xbb\xbf|\xe2\x81\xa0")
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def problems(content_type: str, body: bytes, warn_size: int) -> list[str]:
    """What is wrong with a response body, as stats-friendly reasons."""
    found = []
    content_type = content_type.lower()
    head = body[:512].lstrip()
    if warn_size and len(body) > warn_size:
        found.append("huge_body")
    if "html" in content_type and (head.startswith(_BINARY_MAGIC) or b"\x00" in body[:1024]):
        return found + ["not_html"]
    if "json" in content_type and head[:1] not in (b"{", b"[", b'"') and body.strip():
        found.append("not_json")
    if not any(kind in content_type for kind in ("html", "xml", "json", "text")):
        return found
    declared = _CHARSET.search(content_type)
    if declared:
        try:
            body.decode(codecs.lookup(declared.group(1)).name)
        except LookupError:
            pass  # an unknown charset name: the parser guesses
        except UnicodeDecodeError:
            found.append("wrong_charset")
    if _CONTROL.search(body[3:] if body.startswith(codecs.BOM_UTF8) else body):
        found.append("control_chars")
    if "html" in content_type and body.strip() and b"</html" not in body[-2048:].lower():
        found.append("truncated_html")
    return found


class BadInputMiddleware:
    def __init__(self, stats, warn_size: int):
        self.stats = stats
        self.warn_size = warn_size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.getint("DOWNLOAD_WARNSIZE"))

    def process_spider_input(self, response):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        for reason in problems(content_type, response.body, self.warn_size):
            self.stats.inc_value(f"input/{reason}")
            logger.warning("%s: %s (%s, %d bytes)", reason, response.url, content_type or "no content type",
                           len(response.body))
