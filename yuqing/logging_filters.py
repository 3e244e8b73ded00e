"""Keep credentials out of every log line.

``SecretFilter`` masks, in each record's message and traceback, the password
of any URL with user info (``scheme://user:***@host``) and every literal
secret it was given: the values of the settings named by ``LOG_MASK_SETTINGS``
(whole values for passwords and API keys, the password part for URLs). It is
installed as the process's log record factory, so no handler ever sees an
unmasked record, by ``crawlers.extensions.logmask.MaskSecrets`` in workers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

MASK = "***"
# Shorter "secrets" would garble every log line they happen to occur in.
MIN_SECRET_LENGTH = 4

_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):(?P<password>[^@/\s]+)@")


def mask_url(url: str) -> str:
    """The URL with the password of its user info replaced by ``***``."""
    return _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", url)


def secrets_from_settings(settings, names: Iterable[str]) -> list[str]:
    """Literal secrets to mask: each named setting's value, or a URL's password."""
    found: list[str] = []
    for name in names:
        value = settings.get(name)
        if not value or not isinstance(value, str):
            continue
        if "://" in value:
            password = urlsplit(value).password
            if password:
                found += [password, unquote(password)]
        else:
            found.append(value)
    return found


class SecretFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        known = set(self.secrets) | {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted(known, key=len, reverse=True)

    def mask(self, text: str) -> str:
        text = mask_url(text)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the handler's to report
            return True
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_SHARED: SecretFilter | None = None


def install(secrets: Iterable[str]) -> SecretFilter:
    """Mask every log record of this process from the moment it is created.

    A record factory rather than a handler filter: Scrapy replaces the root
    log handler each time a crawler applies its settings (a worker hosts
    several crawlers), which would drop a filter attached to the handler.
    """
    global _SHARED  # noqa: PLW0603 - one filter per process, shared by all crawlers
    if _SHARED is None:
        _SHARED = SecretFilter()
        make_record = logging.getLogRecordFactory()

        def masked_record(*args, **kwargs):
            record = make_record(*args, **kwargs)
            _SHARED.filter(record)
            return record

        logging.setLogRecordFactory(masked_record)
    _SHARED.add(secrets)
    return _SHARED
