"""Pool of platform accounts (login cookies) shared by all workers in Redis.

Per platform, a hash ``yuqing:accounts:<platform>`` maps account names to
JSON records: cookies, the user agent the account always presents (a
session that changes browser between requests is a classic bot signal), an
hourly request budget and whether an operator disabled it. Hourly usage is a
counter per account and hour (``...:used:<name>:<hour>``, expiring), and a
pause is a key with a TTL (``...:paused:<name>``: reason and until-time), so
a paused account comes back by itself and every worker sees it at once.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

PREFIX = "yuqing:accounts"
DEFAULT_BUDGET_PER_HOUR = 300
# How long an account rests after each kind of refusal (seconds).
PAUSE_SECONDS = {
    "risk_control": 3600,      # captcha, 418/461: let the platform cool down
    "rate_limited": 900,
    "login_required": 86400,   # cookies expired: an operator must refresh them
}


class AccountError(ValueError):
    pass


@dataclass
class Account:
    platform: str
    name: str
    cookies: dict[str, str]
    user_agent: str
    budget_per_hour: int = DEFAULT_BUDGET_PER_HOUR
    disabled: bool = False
    added_at: float = field(default_factory=time.time)
    # Filled from Redis when read, never stored in the record:
    paused_until: float | None = None
    pause_reason: str | None = None
    used_this_hour: int = 0

    @property
    def state(self) -> str:
        if self.disabled:
            return "disabled"
        if self.paused_until and self.paused_until > time.time():
            return "paused"
        return "active"

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def record(self) -> str:
        data = asdict(self)
        for transient in ("paused_until", "pause_reason", "used_this_hour"):
            data.pop(transient)
        return json.dumps(data, ensure_ascii=False)


def parse_cookies(value: str) -> dict[str, str]:
    """Cookies from a file or a string: a JSON object, a JSON list of
    ``{"name", "value"}`` (browser extension exports), a Netscape
    ``cookies.txt`` or a ``Cookie:`` header (``a=1; b=2``)."""
    text = value
    path = Path(value)
    try:
        if len(value) < 4096 and path.is_file():
            text = path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = text.strip()
    if not text:
        raise AccountError("no cookies given")
    if text[0] in "[{":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AccountError(f"cookies look like JSON but are not: {exc}") from None
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items()}
        if all(isinstance(c, dict) and "name" in c and "value" in c for c in data):
            return {str(c["name"]): str(c["value"]) for c in data}
        raise AccountError("a JSON cookie list must hold objects with 'name' and 'value'")
    if "\t" in text:
        # Netscape cookies.txt: domain, subdomains, path, secure, expiry, name, value.
        cookies = {}
        for line in text.splitlines():
            fields = line.removeprefix("#HttpOnly_").split("\t")
            if len(fields) == 7 and not line.startswith("# "):
                cookies[fields[5]] = fields[6]
        if cookies:
            return cookies
    cookies = {}
    for part in text.removeprefix("Cookie:").split(";"):
        name, sep, val = part.strip().partition("=")
        if sep and name:
            cookies[name.strip()] = val.strip()
    if not cookies:
        raise AccountError("cannot read cookies: expected JSON, cookies.txt or 'name=value; ...'")
    return cookies


def random_user_agent() -> str:
    from fake_useragent import UserAgent

    return UserAgent(platforms="desktop").random


class AccountPool:
    def __init__(self, redis_client, prefix: str = PREFIX):
        self.redis = redis_client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = PREFIX) -> "AccountPool":
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True), prefix)

    # ------------------------------------------------------------------ keys

    def _hash(self, platform: str) -> str:
        return f"{self.prefix}:{platform}"

    def _paused(self, platform: str, name: str) -> str:
        return f"{self.prefix}:{platform}:paused:{name}"

    def _used(self, platform: str, name: str, hour: int | None = None) -> str:
        hour = int(time.time() // 3600) if hour is None else hour
        return f"{self.prefix}:{platform}:used:{name}:{hour}"

    # ------------------------------------------------------------------ operator

    def add(self, platform: str, name: str, cookies: dict[str, str], user_agent: str | None = None,
            budget_per_hour: int = DEFAULT_BUDGET_PER_HOUR) -> Account:
        """Add or replace an account; a replaced one keeps its user agent
        unless a new one is given, so refreshing cookies keeps the session."""
        if not name or ":" in name:
            raise AccountError(f"bad account name {name!r} (no ':' allowed)")
        if budget_per_hour < 1:
            raise AccountError("the hourly budget must be at least 1")
        old = self.get(platform, name)
        account = Account(platform=platform, name=name, cookies=cookies,
                          user_agent=user_agent or (old.user_agent if old else random_user_agent()),
                          budget_per_hour=budget_per_hour)
        self.redis.hset(self._hash(platform), name, account.record())
        self.redis.delete(self._paused(platform, name))
        self.redis.sadd(f"{self.prefix}:platforms", platform)
        return account

    def get(self, platform: str, name: str) -> Account | None:
        raw = self.redis.hget(self._hash(platform), name)
        return self._load(platform, name, raw) if raw else None

    def list(self, platform: str | None = None) -> list[Account]:
        platforms = [platform] if platform else sorted(self.redis.smembers(f"{self.prefix}:platforms"))
        accounts = []
        for p in platforms:
            for name, raw in sorted(self.redis.hgetall(self._hash(p)).items()):
                accounts.append(self._load(p, name, raw))
        return accounts

    def set_disabled(self, platform: str, name: str, disabled: bool) -> Account:
        account = self.get(platform, name)
        if account is None:
            raise AccountError(f"no {platform} account named {name!r}")
        account.disabled = disabled
        self.redis.hset(self._hash(platform), name, account.record())
        if not disabled:
            self.redis.delete(self._paused(platform, name))
        return account

    # ------------------------------------------------------------------ workers

    def pause(self, platform: str, name: str, reason: str, seconds: int | None = None) -> float:
        """Rest the account; returns the until-time (unix seconds)."""
        seconds = seconds or PAUSE_SECONDS.get(reason, 3600)
        until = time.time() + seconds
        self.redis.set(self._paused(platform, name), json.dumps({"reason": reason, "until": until}),
                       ex=int(seconds) + 1)
        logger.warning("account %s/%s paused for %ds: %s", platform, name, seconds, reason)
        return until

    def acquire(self, platform: str, exclude: tuple[str, ...] = ()) -> Account | None:
        """An active account with budget left this hour, least used first;
        its use is counted. None when every account is spent or resting."""
        candidates = [a for a in self.list(platform) if a.state == "active" and a.name not in exclude
                      and a.used_this_hour < a.budget_per_hour]
        for account in sorted(candidates, key=lambda a: a.used_this_hour / a.budget_per_hour):
            key = self._used(platform, account.name)
            with self.redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, 7200)
                used, _ = pipe.execute()
            # Another worker may have taken the last unit since list() read it.
            if used <= account.budget_per_hour:
                account.used_this_hour = used
                return account
        return None

    def _load(self, platform: str, name: str, raw: str) -> Account:
        data = json.loads(raw)
        account = Account(**{k: v for k, v in data.items() if k in Account.__dataclass_fields__})
        paused = self.redis.get(self._paused(platform, name))
        if paused:
            info = json.loads(paused)
            account.paused_until, account.pause_reason = info["until"], info["reason"]
        account.used_this_hour = int(self.redis.get(self._used(platform, name)) or 0)
        return account
