"""The plain response value every test-web page function returns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str | None


def html(text: str, encoding: str = "utf-8", header_charset: bool = True, status: int = 200) -> Response:
    """HTML encoded with ``encoding``; ``header_charset=False`` leaves the charset
    out of Content-Type so clients must sniff the bytes or the ``<meta>``."""
    content_type = f"text/html; charset={encoding}" if header_charset else "text/html"
    return Response(status, text.encode(encoding), content_type)


def xml(text: str, content_type: str = "application/xml; charset=utf-8") -> Response:
    return Response(200, text.encode("utf-8"), content_type)


def json_response(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8")


def text(body: str, content_type: str = "text/plain; charset=utf-8", status: int = 200) -> Response:
    return Response(status, body.encode("utf-8"), content_type)


def not_found() -> Response:
    return html("<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
                "<body><h1>404 Not Found</h1></body></html>", status=404)
