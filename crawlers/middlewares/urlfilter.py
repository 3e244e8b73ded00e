"""Refuse URLs a crawler must never fetch: other schemes than http(s), and
loopback/private/link-local addresses unless ``URLFILTER_ALLOW_PRIVATE``.

Why: a seed list or a followed link is outside input; fetching internal
addresses from a crawler is a classic server-side request forgery path.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)


def is_private_host(host: str) -> bool:
    """True for loopback/private/link-local/reserved IPs and names resolving to them."""
    host = host.strip("[]").lower()
    if host in ("localhost",) or host.endswith(".localhost"):
        return True
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable: the download fails on its own
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved
               or a.is_unspecified for a in addresses)


class UrlFilterMiddleware:
    def __init__(self, allow_private: bool, schemes: list[str], stats):
        self.allow_private = allow_private
        self.schemes = set(schemes)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.getbool("URLFILTER_ALLOW_PRIVATE"),
                   settings.getlist("URLFILTER_SCHEMES", ["http", "https"]), crawler.stats)

    def check(self, url: str) -> str | None:
        """The reason a URL is refused, or None."""
        parts = urlsplit(url)
        if parts.scheme not in self.schemes:
            return "scheme"
        if not parts.hostname:
            return "no_host"
        if not self.allow_private and is_private_host(parts.hostname):
            return "private_address"
        return None

    def process_request(self, request):
        reason = self.check(request.url)
        if reason:
            self.stats.inc_value(f"urlfilter/refused/{reason}")
            logger.warning("refused %s: %s (set URLFILTER_ALLOW_PRIVATE to allow private hosts)",
                           request.url, reason)
            raise IgnoreRequest(f"URL refused ({reason}): {request.url}")
        return None
