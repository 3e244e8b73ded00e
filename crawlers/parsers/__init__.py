"""Platform parsers (page objects), one module per platform.

Every ``Parser`` subclass defined in a module of this package is registered
under its ``platform`` name, which is what ``yuqing parse PLATFORM FILE``
takes: adding a platform means adding a module, nothing else.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError


@cache
def registry() -> dict[str, type[Parser]]:
    found: dict[str, type[Parser]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Parser) and value is not Parser
                    and value.__module__ == module.__name__ and getattr(value, "platform", None)):
                if value.platform in found and found[value.platform] is not value:
                    raise RuntimeError(f"two parsers claim platform {value.platform!r}: "
                                       f"{found[value.platform].__module__} and {module.__name__}")
                found[value.platform] = value
    return found


def get_parser(platform: str) -> Parser:
    parsers = registry()
    if platform not in parsers:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(sorted(parsers))}")
    return parsers[platform]()


__all__ = ["registry", "get_parser", "Link", "Page", "ParseError", "ParseResult", "Parser", "ShapeError"]
