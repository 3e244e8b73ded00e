"""A browser user agent per session instead of the crawler's own.

A session is one spider run on one domain, or on one account when the request
carries ``yq_account``: a site sees one consistent browser per session (a user
agent changing between the pages of one visit is itself a bot signal) while
different sessions look like different browsers. Agents come from
fake-useragent's bundled data, filtered by ``USERAGENT_BROWSERS`` and
``USERAGENT_PLATFORMS``.

On with ``USERAGENT_ROTATE`` (per spider through ``custom_settings``); a source
switches it per domain with ``rotate_user_agent`` in the sources file.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from crawlers.middlewares.politeness import DomainPolicies, async_redis

logger = logging.getLogger(__name__)

# Sessions remembered per spider run; the oldest is forgotten past this.
_MAX_SESSIONS = 10_000


class SessionUserAgentMiddleware:
    def __init__(self, stats, rotate: bool, browsers: list[str], platforms: list[str],
                 policies: DomainPolicies | None = None):
        self.stats = stats
        self.rotate = rotate
        self.policies = policies
        self.browsers = browsers
        self.platforms = platforms
        self.agents = None
        self.sessions: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        rotate = settings.getbool("USERAGENT_ROTATE")
        policies = None
        if settings.get("REDIS_URL"):
            policies = DomainPolicies.from_settings(settings, async_redis(settings))
        elif not rotate:
            raise NotConfigured("USERAGENT_ROTATE is off and no sources can switch it on (no REDIS_URL)")
        mw = cls(crawler.stats, rotate, settings.getlist("USERAGENT_BROWSERS"),
                 settings.getlist("USERAGENT_PLATFORMS"), policies)
        if policies is not None:
            crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    async def spider_closed(self):
        await self.policies.client.aclose()

    async def process_request(self, request):
        host = urlparse_cached(request).hostname or ""
        domain, rotate = host, self.rotate
        if self.policies is not None:
            domain, policy = await self.policies.lookup(host)
            rotate = bool(policy.get("rotate_user_agent", rotate))
        if not rotate:
            return None
        account = request.meta.get("yq_account")
        session = f"account:{account}" if account else f"domain:{domain}"
        agent = self.sessions.get(session)
        if agent is None:
            if self.agents is None:  # loading the agent data takes a moment: only when needed
                from fake_useragent import UserAgent

                self.agents = UserAgent(browsers=self.browsers or None, platforms=self.platforms or None)
            agent = self.agents.random
            self.sessions[session] = agent
            if len(self.sessions) > _MAX_SESSIONS:
                self.sessions.popitem(last=False)
            self.stats.inc_value("useragent/sessions")
            logger.debug("session %s browses as %s", session, agent)
        else:
            self.sessions.move_to_end(session)
        request.headers[b"User-Agent"] = agent
        return None
