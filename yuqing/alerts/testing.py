"""A local webhook receiver for tests and trials: records every POST with its
arrival time and answers with a status (and body) that can be changed while
it runs, to play a webhook that is down, failing, or back.

    with WebhookReceiver() as hook:
        ... ALERTS_WEBHOOKS=[{"url": hook.url + "/generic"}] ...
        hook.wait_for(lambda calls: any(c.ok for c in calls))
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

__all__ = ["WebhookReceiver", "Call"]


@dataclass(frozen=True)
class Call:
    t: float
    """Arrival time (``time.time()``)."""
    path: str
    body: Any
    status: int

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        arrived = time.time()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        receiver = self.server.receiver
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        status, answer = receiver.status, receiver.answer
        with receiver.lock:
            receiver.calls.append(Call(arrived, self.path, body, status))
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: "WebhookReceiver"


class WebhookReceiver:
    __test__ = False

    def __init__(self, port: int = 0, status: int = 200, answer: Any = None):
        self.status = status
        self.answer = {"errcode": 0, "errmsg": "ok"} if answer is None else answer
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.receiver = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"webhook-receiver-{self.port}")
        self._thread.start()

    def snapshot(self) -> list[Call]:
        with self.lock:
            return list(self.calls)

    def wait_for(self, condition: Callable[[list[Call]], Any], timeout: float = 15.0) -> Any:
        """Poll until ``condition(calls)`` is truthy; return its value or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition(self.snapshot())
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhook receiver: condition not met in {timeout}s; calls: {self.snapshot()}")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
