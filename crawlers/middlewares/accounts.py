"""Log requests in with pooled accounts and switch account when refused.

For spiders with ``use_accounts`` (an account when one is free) or
``needs_login`` (never without one), every request gets an active account
from :class:`crawlers.accounts.AccountPool`: its cookies and the user agent
that account always uses; ``meta["yq_account"]`` names it.

A refusal pauses that account (reason and until-time in Redis, stat
``accounts/paused/<platform>``) and the request is sent again with another
account, at most ``ACCOUNTS_MAX_SWITCHES`` times. Refusals are seen at two
levels: here for HTTP (412/418/461 risk control, 401 or a redirect to a login
or verification page), and in the parser for answers that look fine to HTTP
(``ParseError("risk_control" | "login_required" | "rate_limited")`` - the
spider's parser is wrapped at spider open so those reach this middleware).

Settings: ``ACCOUNTS_REDIS_URL`` (default ``REDIS_URL``),
``ACCOUNTS_MAX_SWITCHES`` (default 3).
"""

from __future__ import annotations

import logging
import re

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawlers.accounts import AccountPool
from crawlers.parsers.base import ParseError

logger = logging.getLogger(__name__)

RISK_STATUSES = {412, 418, 461}
LOGIN_STATUSES = {401}
ACCESS_REASONS = ("risk_control", "login_required", "rate_limited")
_LOGIN_URL = re.compile(r"/(?:login|signin|sign_in|newlogin|passport|account/login)\b|passport\.|"
                        r"accounts\.google\.com/ServiceLogin", re.I)
_VERIFY_URL = re.compile(r"captcha|verifycenter|/verify\b|security-check|sec\.douyin", re.I)


def refusal(status: int, url: str, location: str | None) -> str | None:
    """Why an HTTP answer refuses the account, or None."""
    if status in RISK_STATUSES:
        return "risk_control"
    if status in LOGIN_STATUSES:
        return "login_required"
    target = location if 300 <= status < 400 and location else url
    if _VERIFY_URL.search(target):
        return "risk_control"
    if _LOGIN_URL.search(target):
        return "login_required"
    return None


class _GuardedParser:
    """The spider's parser, reporting access refusals to the middleware."""

    def __init__(self, parser, middleware: "AccountsMiddleware", spider):
        self._parser = parser
        self._middleware = middleware
        self._spider = spider

    def __getattr__(self, name):
        return getattr(self._parser, name)

    def parse(self, page, kind):
        try:
            return self._parser.parse(page, kind)
        except ParseError as exc:
            if exc.reason in ACCESS_REASONS:
                self._middleware.refused_in_parser(self._spider, page, kind, exc.reason)
            raise


class AccountsMiddleware:
    def __init__(self, crawler, pool: AccountPool, max_switches: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = pool
        self.max_switches = max_switches

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        url = settings.get("ACCOUNTS_REDIS_URL") or settings.get("REDIS_URL")
        if not url:
            raise NotConfigured("no REDIS_URL: no account pool, requests go out without accounts")
        middleware = cls(crawler, AccountPool.from_url(url), settings.getint("ACCOUNTS_MAX_SWITCHES", 3))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    @staticmethod
    def wanted(spider) -> bool:
        return bool(getattr(spider, "use_accounts", False) or getattr(spider, "needs_login", False))

    def spider_opened(self, spider) -> None:
        if self.wanted(spider) and not isinstance(spider.parser, _GuardedParser):
            spider.parser = _GuardedParser(spider.parser, self, spider)

    # ------------------------------------------------------------------ requests

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        if not self.wanted(spider) or "yq_account" in request.meta:
            return None
        platform = spider.platform
        account = self.pool.acquire(platform, exclude=tuple(request.meta.get("yq_accounts_refused", ())))
        if account is None:
            self.stats.inc_value(f"accounts/none_available/{platform}")
            if getattr(spider, "needs_login", False):
                raise IgnoreRequest(f"no active {platform} account with budget left for {request.url}")
            request.meta["yq_account"] = None
            return None
        request.meta["yq_account"] = account.name
        request.headers["Cookie"] = account.cookie_header()
        request.headers["User-Agent"] = account.user_agent
        self.stats.inc_value(f"accounts/requests/{platform}")
        return None

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        name = request.meta.get("yq_account")
        if not self.wanted(spider) or not name:
            return response
        location = response.headers.get("Location")
        reason = refusal(response.status, response.url, location.decode("latin-1") if location else None)
        if reason is None:
            return response
        retry = self._switch(spider, request, name, reason)
        return retry if retry is not None else response

    # ------------------------------------------------------------------ refusals

    def _pause(self, spider, name: str, reason: str) -> None:
        self.pool.pause(spider.platform, name, reason)
        self.stats.inc_value(f"accounts/paused/{spider.platform}")
        self.stats.inc_value(f"accounts/paused/{spider.platform}/{reason}")

    def _switch(self, spider, request, name: str, reason: str):
        """Pause ``name`` and return the request for another account (None
        when the request has switched accounts too often already)."""
        self._pause(spider, name, reason)
        refused = [*request.meta.get("yq_accounts_refused", ()), name]
        if len(refused) > self.max_switches:
            logger.error("%s refused by %d accounts in a row (%s); giving up", request.url, len(refused), reason)
            self.stats.inc_value(f"accounts/gave_up/{spider.platform}")
            return None
        logger.warning("%s: account %s refused (%s); retrying with another", request.url, name, reason)
        self.stats.inc_value(f"accounts/switched/{spider.platform}")
        meta = {k: v for k, v in request.meta.items() if k != "yq_account"}
        meta["yq_accounts_refused"] = refused
        retry = request.replace(meta=meta, dont_filter=True)
        for header in ("Cookie", "User-Agent"):
            retry.headers.pop(header, None)
        return retry

    def refused_in_parser(self, spider, page, kind: str, reason: str) -> None:
        name = page.meta.get("yq_account")
        if not name:
            return
        meta = {k: v for k, v in page.meta.items() if k not in ("yq_kind", "yq_xhr")}
        request = spider.make_request(page.url, kind, meta=meta, dont_filter=True)
        retry = self._switch(spider, request, name, reason)
        if retry is not None:
            self.crawler.engine.crawl(retry)
