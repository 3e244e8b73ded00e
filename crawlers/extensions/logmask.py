"""Installs ``yuqing.logging_filters.SecretFilter`` on the worker's log handlers.

Extensions are built before Scrapy logs the overridden settings, so no line
of the worker's log goes out unmasked. Always on: there is no reason to log
a password.
"""

from __future__ import annotations

import logging

from yuqing.logging_filters import install, secrets_from_settings

logger = logging.getLogger(__name__)


class MaskSecrets:
    def __init__(self, secrets: list[str]):
        self.filter = install(secrets)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(secrets_from_settings(crawler.settings, crawler.settings.getlist("LOG_MASK_SETTINGS")))
