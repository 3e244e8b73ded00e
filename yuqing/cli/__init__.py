"""The ``yuqing`` command. Each subcommand lives in its own module exposing
``register(subparsers)``; the handler returns the process exit code."""

from __future__ import annotations

import argparse
import logging
import sys
from importlib import import_module

# Order is the order of `yuqing --help`.
COMMANDS = ("extract", "parse", "analyze", "rules", "alerts", "search", "story", "topics", "seed", "worker",
            "schedule", "status", "proxies", "accounts", "canary",
            "services", "demo", "dead", "reindex", "stats", "report")


SCRAPY_LOGGING_COMMANDS = {"worker"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yuqing", description="public-opinion monitoring crawler")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        import_module(f"yuqing.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Scrapy installs its own log handler in crawling commands; a second root
    # handler would print every line twice.
    if args.command not in SCRAPY_LOGGING_COMMANDS:
        logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
