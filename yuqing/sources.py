"""What to monitor, as configuration: the sources file read by ``yuqing schedule``.

::

    defaults:                    # optional; every source inherits these fields
      interval: 15m
    sources:
      - id: binhai-news          # unique; letters, digits, . _ -
        spider: news             # a spider of this project (`scrapy list`)
        seeds:                   # at least one of:
          urls: [https://news.example.com/feed.xml]  # fetched as the spider's seed kind
          boards: [https://bbs.example.com/board/1]  # forum board URLs
          accounts: ["1234567"]  # the spider's account_url(account) builds the URL
          keywords: [华为, 荣耀]  # the spider's search_url(keyword) builds the URL
          # keywords: {from_rules: brand-huawei}   # searches from the analyst rules of a topic
        kind: feed               # optional page kind of the url seeds
        interval: 10m            # 30s, 5m, 1h, 1d, 1h30m
        priority: 5              # integer, higher first when jobs are due together
        politeness:              # per-domain overrides shared by all workers
          rate: 2                # requests per second per domain
          burst: 2
          concurrency: 2         # requests in flight per domain, cluster-wide
          account_rate: 0.2      # requests per second per account
          domains: [example.com] # default: the hosts of the seeds
        proxies: true            # route through the proxy pool (default: PROXY_POOL_ENABLED)
        rotate_user_agent: true  # browser user agent per session (default: USERAGENT_ROTATE)
        enabled: true

Each seed carries ``meta`` {source, run, and watched_account or keyword};
the spider's requests see them as ``yq_source``, ``yq_run``... (the login
account a request uses, ``yq_account``, is the accounts middleware's business).

The file is checked as a whole by a small hand-written validator (no schema
library): every problem is reported, each naming the source and the field.
Keywords drawn ``from_rules`` are the positive term combinations of the
topic's enabled rules (``华为 (投诉 OR 维权)`` searches ``华为 投诉`` and
``华为 维权``), re-read at every run so analysts' edits apply at once.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)\s*([smhd]))", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SOURCE_KEYS = {"id", "spider", "seeds", "kind", "interval", "priority", "politeness", "proxies",
                "rotate_user_agent", "enabled"}
_SEED_KEYS = {"urls", "boards", "accounts", "keywords"}
_POLITENESS_NUMBERS = {"rate": float, "burst": float, "concurrency": int, "account_rate": float}
# Searches one rule may expand to; past this the rule is too broad to search.
MAX_SEARCHES_PER_RULE = 20


class SourcesError(ValueError):
    def __init__(self, path: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{path}: {len(errors)} error(s)\n" + "\n".join(f"  - {e}" for e in errors))


def parse_duration(value: Any) -> float:
    """``90`` / ``"90s"`` / ``"5m"`` / ``"1h30m"`` -> seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().replace(" ", "")
        parts = _DURATION.findall(text)
        if "".join(n + u for n, u in parts).lower() != text.lower():
            raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h, 1d or 1h30m")
        seconds = sum(float(n) * _UNITS[u.lower()] for n, u in parts)
    else:
        raise ValueError(f"{value!r} is not a duration like 30s, 5m, 1h, 1d or 1h30m")
    if seconds < 1:
        raise ValueError(f"{value!r} is shorter than one second")
    return seconds


@dataclass(frozen=True)
class Seeds:
    urls: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    keywords_from_rules: str | None = None
    """A rule topic whose rules give the keyword searches."""


@dataclass(frozen=True)
class Source:
    id: str
    spider: str
    seeds: Seeds
    interval: float
    priority: int = 0
    kind: str | None = None
    politeness: dict[str, float | int] = field(default_factory=dict)
    domains: tuple[str, ...] = ()
    """Domains the politeness/proxy/UA overrides apply to."""
    proxies: bool | None = None
    rotate_user_agent: bool | None = None
    enabled: bool = True

    def policy(self) -> dict[str, Any]:
        """What workers apply to this source's domains (crawlers/middlewares/politeness.py)."""
        policy: dict[str, Any] = dict(self.politeness)
        if self.proxies is not None:
            policy["proxies"] = self.proxies
        if self.rotate_user_agent is not None:
            policy["rotate_user_agent"] = self.rotate_user_agent
        return policy

    def seeds_for_run(self, spider_cls, run: str, rules_file: str | Path | None = None) -> list[dict]:
        """The seed objects (as ``yuqing seed`` pushes them) of one run."""
        meta = {"source": self.id, "run": run}
        seeds = [_seed(url, self.kind, meta, self.priority) for url in (*self.seeds.urls, *self.seeds.boards)]
        for account in self.seeds.accounts:
            seeds.append(_seed(spider_cls.account_url(account), getattr(spider_cls, "account_kind", None),
                               {**meta, "watched_account": account}, self.priority))
        keywords = list(self.seeds.keywords)
        if self.seeds.keywords_from_rules:
            keywords += keywords_from_rules(self.seeds.keywords_from_rules, rules_file)
        for keyword in dict.fromkeys(keywords):
            seeds.append(_seed(spider_cls.search_url(keyword), getattr(spider_cls, "search_kind", None),
                               {**meta, "keyword": keyword}, self.priority))
        return seeds


def _seed(url: str, kind: str | None, meta: dict, priority: int) -> dict:
    seed: dict[str, Any] = {"url": url, "meta": meta}
    if kind:
        seed["kind"] = kind
    if priority:
        seed["priority"] = priority
    return seed


# --------------------------------------------------------------------------- rules


def rules_path(settings=None) -> Path:
    from yuqing.rules.store import default_rules_path

    configured = settings.get("RULES_FILE") if settings is not None else None
    return Path(configured) if configured else default_rules_path()


def keywords_from_rules(topic: str, rules_file: str | Path | None = None) -> list[str]:
    """Keyword searches for a topic: each enabled rule's positive terms,
    expanded to the AND combinations a search box understands."""
    from yuqing.rules.store import RuleSet

    ruleset = RuleSet.load(rules_file or rules_path())
    searches: list[str] = []
    for rule in ruleset.rules:
        if rule.enabled and rule.topic == topic and rule.ast is not None:
            searches += [" ".join(terms) for terms in _conjunctions(rule.ast)[:MAX_SEARCHES_PER_RULE]]
    return list(dict.fromkeys(s for s in searches if s))


def _conjunctions(node) -> list[tuple[str, ...]]:
    """The rule as OR of ANDs of positive terms. Negations and field filters
    only narrow what a search finds (the rules pipeline applies them to what
    comes back), so they are left out."""
    from yuqing.rules.parser import And, Near, Not, Or, Term

    if isinstance(node, Term):
        if node.prefix or not node.tokens:
            return []  # a search box cannot say `explod*`: no search covers this branch
        return [(node.text or " ".join(node.tokens),)]
    if isinstance(node, Or):
        return [c for child in node.children for c in _conjunctions(child)]
    if isinstance(node, (And, Near)):
        parts = [_conjunctions(child) for child in (node.children if isinstance(node, And) else node.units)]
        combos = itertools.islice(itertools.product(*parts), MAX_SEARCHES_PER_RULE)
        return [tuple(dict.fromkeys(t for group in combo for t in group)) for combo in combos]
    if isinstance(node, Not):
        return [()]
    return [()]  # a whole-value field filter (site:, author:...)


# --------------------------------------------------------------------------- loading


def load_sources(path: str | Path, spiders: dict[str, type] | None = None,
                 rules_file: str | Path | None = None) -> list[Source]:
    """Read and check a sources file; raise :class:`SourcesError` listing every problem.
    ``spiders`` (name -> class) lets spider names and their URL builders be checked."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise SourcesError(str(path), [f"not valid YAML: {exc}"]) from None
    return parse_sources(data, str(path), spiders, rules_file)


def parse_sources(data: Any, origin: str = "<sources>", spiders: dict[str, type] | None = None,
                  rules_file: str | Path | None = None) -> list[Source]:
    errors: list[str] = []
    if isinstance(data, list):
        data = {"sources": data}
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise SourcesError(origin, ["expected a 'sources:' list"])
    unknown = sorted(set(data) - {"defaults", "sources"})
    if unknown:
        errors.append(f"unknown top-level key '{unknown[0]}' (known: defaults, sources)")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        errors.append("'defaults' must be a mapping")
        defaults = {}
    sources: list[Source] = []
    seen: set[str] = set()
    for number, entry in enumerate(data["sources"], 1):
        checker = _SourceChecker(number, entry, defaults, spiders, rules_file)
        source = checker.check()
        errors += checker.errors
        if source is None:
            continue
        if source.id in seen:
            errors.append(f"source '{source.id}': duplicate id")
            continue
        seen.add(source.id)
        sources.append(source)
    errors += _policy_conflicts(sources)
    if errors:
        raise SourcesError(origin, errors)
    return sources


def _policy_conflicts(sources: list[Source]) -> list[str]:
    # Two sources on one domain must not ask for different treatment of it:
    # the workers could not tell which applies.
    owners: dict[str, tuple[str, dict]] = {}
    errors = []
    for source in sources:
        policy = source.policy()
        if not source.enabled or not policy:
            continue
        for domain in source.domains:
            if domain in owners and owners[domain][1] != policy:
                errors.append(f"source '{source.id}': field 'politeness': domain {domain} already has "
                              f"different settings from source '{owners[domain][0]}'")
            owners.setdefault(domain, (source.id, policy))
    return errors


def domain_policies(sources: list[Source]) -> dict[str, dict]:
    """domain -> policy for every enabled source that overrides something."""
    return {domain: {**s.policy(), "source": s.id}
            for s in sources if s.enabled and s.policy() for domain in s.domains}


class _SourceChecker:
    def __init__(self, number: int, entry: Any, defaults: dict, spiders, rules_file):
        self.number = number
        self.entry = {**defaults, **entry} if isinstance(entry, dict) else entry
        self.spiders = spiders
        self.rules_file = rules_file
        self.errors: list[str] = []
        self.name = f"source #{number}"

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(f"{self.name}: field '{field_name}': {message}")

    def check(self) -> Source | None:
        entry = self.entry
        if not isinstance(entry, dict):
            self.errors.append(f"{self.name}: must be a mapping")
            return None
        source_id = entry.get("id")
        if not isinstance(source_id, str) or not _ID.fullmatch(source_id):
            self.error("id", f"required, letters/digits/._- only, got {source_id!r}")
        else:
            self.name = f"source '{source_id}'"
        for key in sorted(set(entry) - _SOURCE_KEYS):
            self.error(key, f"unknown field (known: {', '.join(sorted(_SOURCE_KEYS))})")
        spider_cls = self._spider(entry.get("spider"))
        seeds = self._seeds(entry.get("seeds"), spider_cls)
        interval = self._interval(entry.get("interval"))
        priority = entry.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            self.error("priority", f"must be an integer, got {priority!r}")
        kind = entry.get("kind")
        if kind is not None and not isinstance(kind, str):
            self.error("kind", f"must be a page kind name, got {kind!r}")
        politeness, domains = self._politeness(entry.get("politeness"), seeds, spider_cls)
        flags = {}
        for flag in ("proxies", "rotate_user_agent", "enabled"):
            value = entry.get(flag)
            if value is not None and not isinstance(value, bool):
                self.error(flag, f"must be true or false, got {value!r}")
            flags[flag] = value
        if self.errors:
            return None
        return Source(id=source_id, spider=entry["spider"], seeds=seeds, interval=interval,
                      priority=priority, kind=kind, politeness=politeness, domains=domains,
                      proxies=flags["proxies"], rotate_user_agent=flags["rotate_user_agent"],
                      enabled=flags["enabled"] is not False)

    def _spider(self, name):
        if not isinstance(name, str) or not name:
            self.error("spider", "required: the name of a spider")
            return None
        if self.spiders is None:
            return None
        if name not in self.spiders:
            self.error("spider", f"unknown spider {name!r} (known: {', '.join(sorted(self.spiders))})")
            return None
        return self.spiders[name]

    def _interval(self, value) -> float:
        if value is None:
            self.error("interval", "required (or set it under 'defaults'), e.g. 15m")
            return 0.0
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.error("interval", str(exc))
            return 0.0

    def _strings(self, field_name: str, value) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, (str, int)) for v in value):
            self.error(field_name, "must be a non-empty list of strings")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    def _seeds(self, value, spider_cls) -> Seeds:
        if not isinstance(value, dict) or not value:
            self.error("seeds", f"required: a mapping with any of {', '.join(sorted(_SEED_KEYS))}")
            return Seeds()
        for key in sorted(set(value) - _SEED_KEYS):
            self.error(f"seeds.{key}", f"unknown seed type (known: {', '.join(sorted(_SEED_KEYS))})")
        urls = self._urls("seeds.urls", value["urls"]) if "urls" in value else ()
        boards = self._urls("seeds.boards", value["boards"]) if "boards" in value else ()
        accounts = self._strings("seeds.accounts", value["accounts"]) if "accounts" in value else ()
        keywords, topic = (), None
        if "keywords" in value:
            raw = value["keywords"]
            if isinstance(raw, dict):
                topic = self._topic(raw)
            else:
                keywords = self._strings("seeds.keywords", raw)
        if spider_cls is not None:
            self._builder(spider_cls, "accounts", "account_url", accounts)
            self._builder(spider_cls, "keywords", "search_url", keywords or ((topic,) if topic else ()))
        return Seeds(urls, boards, accounts, keywords, topic)

    def _urls(self, field_name: str, value) -> tuple[str, ...]:
        urls = self._strings(field_name, value)
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                self.error(field_name, f"{url!r} is not an http(s) URL")
        return urls

    def _topic(self, raw: dict) -> str | None:
        topic = raw.get("from_rules")
        if set(raw) != {"from_rules"} or not isinstance(topic, str) or not topic:
            self.error("seeds.keywords", "a list of keywords, or {from_rules: <rule topic>}")
            return None
        try:
            found = keywords_from_rules(topic, self.rules_file)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            self.error("seeds.keywords.from_rules", f"cannot read the rules file: {exc}")
            return None
        if not found:
            self.error("seeds.keywords.from_rules", f"no enabled rule with topic {topic!r} gives a keyword")
            return None
        return topic

    def _builder(self, spider_cls, field_name: str, method: str, samples) -> None:
        if not samples:
            return
        if not callable(getattr(spider_cls, method, None)):
            self.error(f"seeds.{field_name}", f"spider {spider_cls.name!r} has no {method}(): "
                       f"it cannot be seeded by {field_name}")
            return
        if field_name == "keywords":
            return  # every keyword makes a search URL
        for sample in samples:
            try:
                getattr(spider_cls, method)(sample)
            except ValueError as exc:
                self.error(f"seeds.{field_name}", str(exc))

    def _politeness(self, value, seeds: Seeds, spider_cls) -> tuple[dict, tuple[str, ...]]:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            self.error("politeness", "must be a mapping (rate, burst, concurrency, account_rate, domains)")
            return {}, ()
        politeness: dict[str, float | int] = {}
        for key, kind in _POLITENESS_NUMBERS.items():
            if key not in value:
                continue
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0 \
                    or (kind is int and not isinstance(number, int)):
                self.error(f"politeness.{key}", f"must be a non-negative {'integer' if kind is int else 'number'}, "
                           f"got {number!r}")
                continue
            politeness[key] = kind(number)
        for key in sorted(set(value) - set(_POLITENESS_NUMBERS) - {"domains"}):
            self.error(f"politeness.{key}", f"unknown field (known: {', '.join(sorted(_POLITENESS_NUMBERS))}, domains)")
        if "domains" in value:
            domains = tuple(d.lower() for d in self._strings("politeness.domains", value["domains"]))
        else:
            domains = self._seed_hosts(seeds, spider_cls)
        return politeness, domains

    def _seed_hosts(self, seeds: Seeds, spider_cls) -> tuple[str, ...]:
        urls = [*seeds.urls, *seeds.boards]
        if spider_cls is not None:
            try:
                if seeds.accounts and callable(getattr(spider_cls, "account_url", None)):
                    urls.append(spider_cls.account_url(seeds.accounts[0]))
                if (seeds.keywords or seeds.keywords_from_rules) and callable(getattr(spider_cls, "search_url", None)):
                    urls.append(spider_cls.search_url(seeds.keywords[0] if seeds.keywords else "x"))
            except ValueError:
                pass  # reported by _builder
        return tuple(dict.fromkeys(h for h in (urlsplit(u).hostname for u in urls) if h))
