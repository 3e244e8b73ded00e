"""Rules, the YAML rule file, and a store that reloads it while the process runs.

Rule file (kept in git by the analysts)::

    rules:
      - id: huawei-complaints          # unique, required
        name: 华为投诉                   # defaults to the id
        topic: brand-huawei            # owner / topic group
        query: '华为 (投诉 OR 维权 OR "质量问题")'
        priority: high                 # low | medium (default) | high | critical, or 1-4
        sentiment: negative            # only documents with this label; omit for any
        enabled: true                  # default true
        description: free text         # optional, not used by the matcher
        tags: [brand]                  # optional, not used by the matcher

A top-level list of rules is accepted too. Every rule is validated on load: an
invalid rule is reported (:class:`RuleError`: id, position, message) and
skipped; the other rules keep matching.

:class:`RuleStore` re-reads the file when its mtime/size change (one ``stat``
per ``check_interval`` seconds at most) and swaps in a new matcher; optionally
it also reads rules from a Redis hash (field = rule id, value = the rule as a
JSON object), which override file rules with the same id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from yuqing.rules.matcher import Match, Matcher
from yuqing.rules.parser import Node, RuleSyntaxError, parse

logger = logging.getLogger(__name__)

__all__ = ["Rule", "RuleError", "InvalidRule", "RuleSet", "RuleStore", "PRIORITIES", "SENTIMENTS",
           "read_entries", "write_entries", "default_rules_path"]

PRIORITIES = ("low", "medium", "high", "critical")
"""Ordered; the file may also say 1-4 (1 = low)."""
SENTIMENTS = ("negative", "neutral", "positive")
REDIS_KEY = "yuqing:rules"
_KEYS = {"id", "name", "topic", "query", "priority", "sentiment", "enabled", "description", "tags"}


def default_rules_path() -> Path:
    from settings.env import read_env

    return Path(read_env().get("RULES_FILE") or "rules.yaml")


@dataclass(frozen=True)
class RuleError:
    rule_id: str
    message: str
    position: int | None = None
    """0-based offset into the query for syntax errors."""

    def __str__(self) -> str:
        where = f" at position {self.position}" if self.position is not None else ""
        return f"rule {self.rule_id}: {self.message}{where}"


class InvalidRule(ValueError):
    def __init__(self, error: RuleError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    query: str
    topic: str = ""
    priority: str = "medium"
    sentiment: str | None = None
    enabled: bool = True
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """description / tags, kept so that rewriting the file does not lose them."""
    ast: Node | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Any, fallback_id: str = "?") -> "Rule":
        """Validate one rule entry; raise :class:`InvalidRule`."""
        if not isinstance(data, dict):
            raise InvalidRule(RuleError(fallback_id, "a rule must be a mapping"))
        rule_id = data.get("id")
        if isinstance(rule_id, int) and not isinstance(rule_id, bool):
            rule_id = str(rule_id)
        if not isinstance(rule_id, str) or not rule_id.strip():
            raise InvalidRule(RuleError(fallback_id, "missing 'id'"))

        def bad(message: str, position: int | None = None) -> InvalidRule:
            return InvalidRule(RuleError(rule_id, message, position))

        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise bad(f"unknown key '{unknown[0]}' (known: {', '.join(sorted(_KEYS))})")
        query = data.get("query")
        if not isinstance(query, str):
            raise bad("missing 'query'")
        try:
            ast = parse(query)
        except RuleSyntaxError as exc:
            raise bad(exc.message, exc.position) from None
        priority = data.get("priority", "medium")
        if isinstance(priority, int) and not isinstance(priority, bool) and 1 <= priority <= 4:
            priority = PRIORITIES[priority - 1]
        if priority not in PRIORITIES:
            raise bad(f"priority must be one of {', '.join(PRIORITIES)} or 1-4, got {priority!r}")
        sentiment = data.get("sentiment")
        if sentiment not in (None, *SENTIMENTS):
            raise bad(f"sentiment must be one of {', '.join(SENTIMENTS)}, got {sentiment!r}")
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise bad(f"enabled must be true or false, got {enabled!r}")
        name, topic = data.get("name") or rule_id, data.get("topic") or ""
        if not isinstance(name, str) or not isinstance(topic, str):
            raise bad("name and topic must be strings")
        extra = {k: data[k] for k in ("description", "tags") if k in data}
        return cls(rule_id, name, query, topic, priority, sentiment, enabled, extra, ast)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.topic:
            out["topic"] = self.topic
        out["query"] = self.query
        out["priority"] = self.priority
        if self.sentiment:
            out["sentiment"] = self.sentiment
        out["enabled"] = self.enabled
        out.update(self.extra)
        return out


def read_entries(path: str | os.PathLike) -> list[Any]:
    """The raw rule entries of a rule file (``rules:`` mapping or a bare list)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if data is None:
        return []
    if isinstance(data, dict) and set(data) <= {"rules"}:
        data = data.get("rules") or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of rules or a 'rules:' list")
    return data


def write_entries(path: str | os.PathLike, entries: list[Any]) -> None:
    """Rewrite the rule file atomically (YAML comments are not preserved)."""
    path = Path(path)
    text = yaml.safe_dump({"rules": entries}, allow_unicode=True, sort_keys=False, width=1000)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)

    @classmethod
    def from_entries(cls, entries: list[Any], source: str = "") -> "RuleSet":
        ruleset, seen = cls(), set()
        for number, entry in enumerate(entries, 1):
            try:
                rule = Rule.from_dict(entry, fallback_id=f"#{number}")
            except InvalidRule as exc:
                ruleset.errors.append(exc.error)
                continue
            if rule.id in seen:
                ruleset.errors.append(RuleError(rule.id, "duplicate id (the first one is kept)"))
                continue
            seen.add(rule.id)
            ruleset.rules.append(rule)
        for error in ruleset.errors:
            logger.warning("%s%s (rule skipped)", f"{source}: " if source else "", error)
        return ruleset

    @classmethod
    def load(cls, path: str | os.PathLike) -> "RuleSet":
        """Load and validate a rule file; invalid rules land in ``errors``."""
        return cls.from_entries(read_entries(path), str(path))

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class RuleStore:
    """The live rule set of a long-running process.

    ``store.matcher`` is always a complete matcher: a reload builds a new one
    and swaps the reference, so concurrent ``match`` calls never see half a
    rule set. A file that is missing or unreadable on reload keeps the rules
    already loaded.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, check_interval: float = 5.0,
                 redis: Any = None, redis_key: str = REDIS_KEY,
                 clock: Callable[[], float] = time.monotonic):
        self.path = Path(path) if path is not None else None
        self.check_interval = check_interval
        self.redis = redis
        self.redis_key = redis_key
        self._clock = clock
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._next_check = 0.0
        self.ruleset = RuleSet()
        self._matcher = Matcher([])
        self.reload()

    @property
    def matcher(self) -> Matcher:
        self.maybe_reload()
        return self._matcher

    @property
    def errors(self) -> list[RuleError]:
        return self.ruleset.errors

    def match(self, doc: Any) -> list[Match]:
        return self.matcher.match(doc)

    def maybe_reload(self) -> bool:
        """Reload if a source changed; checks at most once per ``check_interval``."""
        if self._clock() < self._next_check:
            return False
        # One thread checks; the others go on with the current matcher.
        if not self._lock.acquire(blocking=False):
            return False
        try:
            self._next_check = self._clock() + self.check_interval
            return self._reload_if_changed()
        finally:
            self._lock.release()

    def reload(self) -> bool:
        """Re-read every source now, whatever their signatures say."""
        with self._lock:
            self._signature = None
            self._next_check = self._clock() + self.check_interval
            return self._reload_if_changed()

    def _reload_if_changed(self) -> bool:
        try:
            file_sig = self._file_signature()
            redis_entries = self._redis_entries()
        except Exception as exc:  # a source hiccup must not stop matching
            logger.error("rules: cannot check sources: %s", exc)
            return False
        signature = (file_sig, _digest(redis_entries))
        if signature == self._signature:
            return False
        entries: list[Any] = []
        if self.path is not None and file_sig is not None:
            try:
                entries = read_entries(self.path)
            except (OSError, ValueError, yaml.YAMLError) as exc:
                logger.error("rules: keeping the current rules, cannot read %s: %s", self.path, exc)
                return False
        elif self.path is not None:
            if self._signature is not None and self._signature[0] is not None:
                logger.warning("rules: %s is gone; keeping the current rules", self.path)
                return False
            logger.warning("rules: %s not found; starting with no file rules", self.path)
        if redis_entries:
            overridden = {e.get("id") for e in redis_entries if isinstance(e, dict)}
            entries = [e for e in entries if not (isinstance(e, dict) and e.get("id") in overridden)]
            entries += redis_entries
        ruleset = RuleSet.from_entries(entries, str(self.path or self.redis_key))
        matcher = Matcher(ruleset.rules)
        self.ruleset, self._matcher, self._signature = ruleset, matcher, signature
        logger.info("rules: loaded %d rules (%d invalid)", len(ruleset.rules), len(ruleset.errors))
        return True

    def _file_signature(self) -> tuple | None:
        if self.path is None:
            return None
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _redis_entries(self) -> list[Any]:
        if self.redis is None:
            return []
        entries = []
        for rule_id, raw in sorted(self.redis.hgetall(self.redis_key).items()):
            rule_id = rule_id.decode() if isinstance(rule_id, bytes) else rule_id
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                logger.warning("rules: %s[%s] is not a JSON object; skipped", self.redis_key, rule_id)
                continue
            entry.setdefault("id", rule_id)
            entries.append(entry)
        return entries


def _digest(entries: list[Any]) -> str:
    return hashlib.sha1(json.dumps(entries, sort_keys=True, default=str).encode()).hexdigest()
