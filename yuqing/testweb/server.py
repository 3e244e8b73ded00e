"""Threaded HTTP server for the test web, with request accounting.

Politeness and benchmark tests measure at the server: ``/_stats`` reports
how many requests each path got, the peak number of requests in flight, and
a log with arrival times and user agents. ``/_stats`` and ``/manifest.json``
are test plumbing and are not counted.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import site
from .response import Response

logger = logging.getLogger(__name__)

_LOG_LIMIT = 50_000
_UNCOUNTED = ("/_stats", "/manifest.json")


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._paths: Counter[str] = Counter()
            self._urls: Counter[str] = Counter()
            self._statuses: Counter[int] = Counter()
            self._log: deque[dict] = deque(maxlen=_LOG_LIMIT)
            self._in_flight = 0
            self._max_in_flight = 0

    def begin(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def end(self, path_and_query: str, status: int, user_agent: str | None, started: float) -> None:
        with self._lock:
            self._in_flight -= 1
            self._paths[urlsplit(path_and_query).path] += 1
            self._urls[path_and_query] += 1
            self._statuses[status] += 1
            self._log.append({"t": started, "path": path_and_query, "status": status, "ua": user_agent})

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self._paths.values()),
                "paths": dict(self._paths),
                "urls": dict(self._urls),
                "statuses": {str(k): v for k, v in self._statuses.items()},
                "max_in_flight": self._max_in_flight,
                "in_flight": self._in_flight,
                "log": list(self._log),
            }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "yuqing-testweb/1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._serve(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(send_body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature of the base class
        logger.debug("%s " + format, self.address_string(), *args)

    def _serve(self, send_body: bool) -> None:
        web = self.server.web
        path = urlsplit(self.path).path
        if path.startswith(_UNCOUNTED):
            self._send(self._respond(path), send_body)
            return
        started = time.time()
        web.stats.begin()
        status = 500
        try:
            if web.latency_ms:
                time.sleep(web.latency_ms / 1000)
            response = self._respond(path)
            status = response.status
            self._send(response, send_body)
        finally:
            web.stats.end(self.path, status, self.headers.get("User-Agent"), started)

    def _respond(self, path: str) -> Response:
        stats = self.server.web.stats
        try:
            if path == "/_stats/reset":
                stats.reset()
            if path.startswith("/_stats"):
                body = json.dumps(stats.snapshot(), ensure_ascii=False).encode("utf-8")
                return Response(200, body, "application/json; charset=utf-8")
            return site.handle(self.path, self._base())
        except Exception:  # noqa: BLE001 - a page bug must not kill the server thread
            logger.exception("test web failed on %s", self.path)
            return Response(500, b"internal error", "text/plain; charset=utf-8")

    def _base(self) -> str:
        host = self.headers.get("Host") or f"{self.server.web.host}:{self.server.web.port}"
        return f"http://{host}"

    def _send(self, response: Response, send_body: bool) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in getattr(response, "headers", ()):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    web: TestWeb


class TestWeb:
    """A running test web; stop it with :meth:`stop` or use it as a context manager."""

    __test__ = False  # not a pytest test class despite the name

    def __init__(self, host: str = "127.0.0.1", port: int = 0, latency_ms: int = 0):
        self.host = host
        self.latency_ms = latency_ms
        self.stats = Stats()
        self._server = _Server((host, port), _Handler)
        self._server.web = self
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"testweb-{self.port}", daemon=True)

    def start(self) -> TestWeb:
        self._thread.start()
        logger.info("test web serving at %s (latency %d ms)", self.url, self.latency_ms)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TestWeb:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 0, latency_ms: int = 0) -> TestWeb:
    """Start the test web in a background thread and return it."""
    return TestWeb(host, port, latency_ms).start()
