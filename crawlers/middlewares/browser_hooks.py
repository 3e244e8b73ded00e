"""Attach the Playwright hooks of :class:`crawlers.access.BrowserSpider`
requests at download time.

Requests wait in the shared queue as JSON, which cannot hold the functions
Playwright calls (XHR capture, scrolling). The spider stores plain meta
(``yq_xhr_pattern``, ``yq_scrolls``); this middleware adds the hooks right
before the download handler and takes them off again on the way back, so a
retried or re-queued request is plain data once more.
"""

from __future__ import annotations

from crawlers.access import HOOKED, attach_hooks, detach_hooks


class BrowserHooksMiddleware:
    def process_request(self, request, spider=None):
        if request.meta.get("playwright") and not request.meta.get(HOOKED):
            attach_hooks(request)
        return None

    def process_response(self, request, response, spider=None):
        detach_hooks(request.meta)
        return response

    def process_exception(self, request, exception, spider=None):
        detach_hooks(request.meta)
        return None
