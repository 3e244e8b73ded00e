"""Platform parsers (page objects), one module per platform.

``PARSERS`` maps the platform name used by ``yuqing parse PLATFORM FILE`` to
the parser class; import is lazy so one broken optional parser cannot stop
the others from loading.
"""

from __future__ import annotations

from importlib import import_module

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError

PARSERS: dict[str, str] = {
    "news": "crawlers.parsers.news:NewsParser",
    "forum": "crawlers.parsers.forum:ForumParser",
    "testsocial": "crawlers.parsers.social_feed:SocialFeedParser",
}


def get_parser(platform: str) -> Parser:
    try:
        target = PARSERS[platform]
    except KeyError:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(sorted(PARSERS))}") from None
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)()


__all__ = ["PARSERS", "get_parser", "Link", "Page", "ParseError", "ParseResult", "Parser", "ShapeError"]
