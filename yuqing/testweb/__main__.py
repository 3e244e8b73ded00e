"""``python -m yuqing.testweb``: serve the test web until SIGTERM/SIGINT.

The first line on stdout is the base URL, so scripts can start the server with
``--port 0`` and read where it listens.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from .server import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m yuqing.testweb", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=int, default=0, help="fixed delay added to every response")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    web = serve(args.host, args.port, args.latency_ms)
    print(web.url, flush=True)
    # A timed wait keeps the main thread responsive to signals on every platform.
    while not stop.wait(0.5):
        pass
    web.stop()


if __name__ == "__main__":
    main()
