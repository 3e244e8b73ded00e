"""Seeding sources on time, 7x24, from any number of scheduler replicas.

Per source, Redis holds its state (``SCHEDULE_STATE_KEY``, a hash): when the
next run is due (``next_due``), the last run, how many runs and skips. A run
is identified by its slot, the due time it fires for. A replica that finds a
source due:

1. takes the slot's lease, ``SET <state key>:<slot> <owner> NX PX``, so only
   one replica works on a slot at a time (a crashed holder's lease expires);
2. WATCHes the state and re-reads ``next_due`` (the slot may be done already);
3. in one MULTI/EXEC pushes the run's seeds to the spider's seed list *and*
   moves ``next_due`` to the first slot after now.

Seeding and advancing commit together or not at all, so a slot is seeded
exactly once whatever replicas crash or restart, and a restarted replica picks
up ``next_due`` from Redis: no double seeding, no skipped slot. Slots missed
while every replica was down collapse into one run.

A run is *skipped* (and counted) while the previous run is still queued:
definition - one of its seeds is still in the spider's seed list, i.e. no
worker has taken it yet. Requests that seeds led to are not traced per source.

``publish_policies`` writes the sources' per-domain overrides for the workers.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis

from yuqing.sources import Source, domain_policies, load_sources, rules_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    source: str
    slot: int
    action: str
    """``seeded`` or ``skipped`` (the previous run still queued)."""
    seeds: int = 0


def read_states(client, settings) -> list[dict]:
    """Every scheduled source's state, for ``yuqing status``."""
    states = []
    for raw in sorted(client.smembers(settings.get("SCHEDULE_INDEX_KEY"))):
        source_id = raw.decode()
        fields = {k.decode(): v.decode() for k, v in
                  client.hgetall(settings.get("SCHEDULE_STATE_KEY") % {"source": source_id}).items()}
        state = {"source": source_id, "spider": fields.get("spider", ""),
                 "interval": float(fields.get("interval") or 0),
                 "enabled": fields.get("enabled", "1") == "1",
                 "next_due": float(fields["next_due"]) if fields.get("next_due") else None,
                 "last_run": float(fields["last_run"]) if fields.get("last_run") else None,
                 "last_seeds": int(fields.get("last_seeds") or 0),
                 "runs": int(fields.get("runs") or 0), "skipped": int(fields.get("skipped") or 0),
                 "last_skip": float(fields["last_skip"]) if fields.get("last_skip") else None}
        states.append(state)
    return states


class JobScheduler:
    """One scheduler replica. ``tick()`` fires what is due now; ``run()`` ticks until stopped."""

    def __init__(self, client, settings, sources: list[Source], spiders: dict[str, type], *,
                 clock=time.time, owner: str | None = None, rules_file: str | Path | None = None):
        self.client = client
        self.settings = settings
        self.spiders = spiders
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.rules_file = rules_file or rules_path(settings)
        self.state_template = settings.get("SCHEDULE_STATE_KEY")
        self.seed_template = settings.get("REDIS_START_URLS_KEY")
        self.lease_ms = int(settings.getfloat("SCHEDULE_LEASE", 60) * 1000)
        self.stopping = threading.Event()
        self.sources: list[Source] = []
        self.set_sources(sources)

    def state_key(self, source: Source) -> str:
        return self.state_template % {"source": source.id}

    def set_sources(self, sources: list[Source]) -> None:
        """Adopt a (re)loaded sources file: register each source and publish the
        domain policies. A source's ``next_due`` survives; an interval made
        shorter takes effect at once."""
        self.sources = sorted(sources, key=lambda s: -s.priority)
        now = self.clock()
        with self.client.pipeline() as pipe:
            for source in self.sources:
                key = self.state_key(source)
                pipe.hset(key, mapping={"spider": source.spider, "interval": source.interval,
                                        "enabled": int(source.enabled)})
                pipe.hsetnx(key, "next_due", now)
                pipe.sadd(self.settings.get("SCHEDULE_INDEX_KEY"), source.id)
            pipe.execute()
        for source in self.sources:
            self._shorten(source, now)
        publish_policies(self.client, self.settings, self.sources)

    def _shorten(self, source: Source, now: float) -> None:
        key = self.state_key(source)
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(key)
                due = pipe.hget(key, "next_due")
                if due is not None and float(due) > now + source.interval:
                    pipe.multi()
                    pipe.hset(key, "next_due", now + source.interval)
                    pipe.execute()
            except redis.WatchError:
                pass  # another replica changed it: its value stands

    def tick(self) -> list[Outcome]:
        outcomes = []
        for source in self.sources:
            if not source.enabled or self.stopping.is_set():
                continue
            try:
                outcome = self.fire(source)
            except redis.RedisError as exc:
                logger.warning("schedule: %s not fired (%s); trying again next tick", source.id, exc)
                continue
            except (ValueError, OSError) as exc:  # e.g. the rules file went bad: other sources go on
                logger.error("schedule: cannot build the seeds of %s: %s", source.id, exc)
                continue
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def fire(self, source: Source) -> Outcome | None:
        """Seed (or skip) ``source``'s due slot; None if not due or not ours."""
        key = self.state_key(source)
        now = self.clock()
        due = self.client.hget(key, "next_due")
        if due is None or now < float(due):
            return None
        due = float(due)
        slot = int(due)
        lease = f"{key}:{slot}"
        if not self.client.set(lease, self.owner, nx=True, px=self.lease_ms):
            return None  # another replica holds it, or did it
        try:
            outcome = self._commit(source, key, due, slot, now, lease)
        except BaseException:
            self._release(lease)
            raise
        if outcome is None:
            self._release(lease)
        return outcome

    def _commit(self, source: Source, key: str, due: float, slot: int, now: float,
                lease: str) -> Outcome | None:
        seed_key = self.seed_template % {"name": source.spider}
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(key)
                current, last_payloads = pipe.hmget(key, "next_due", "last_payloads")
                if current is None or float(current) != due:
                    return None  # done by a replica whose lease had expired
                queued = self._still_queued(seed_key, last_payloads)
                payloads = [] if queued else [
                    json.dumps(s, ensure_ascii=False)
                    for s in source.seeds_for_run(self.spiders.get(source.spider), str(slot), self.rules_file)]
                # The first slot after now: runs missed while no replica ran collapse into this one.
                next_due = due + source.interval * max(1, math.floor((now - due) / source.interval) + 1)
                pipe.multi()
                if queued:
                    pipe.hincrby(key, "skipped", 1)
                    pipe.hset(key, "last_skip", now)
                else:
                    if payloads:
                        pipe.rpush(seed_key, *payloads)
                    pipe.hincrby(key, "runs", 1)
                    pipe.hset(key, mapping={"last_run": now, "last_slot": slot, "last_seeds": len(payloads),
                                            "last_payloads": json.dumps(payloads, ensure_ascii=False)})
                pipe.hset(key, mapping={"next_due": next_due, "last_owner": self.owner})
                # The lease becomes a record that this slot is done.
                pipe.set(lease, f"done:{self.owner}", px=max(self.lease_ms, int(source.interval * 2000)))
                pipe.execute()
            except redis.WatchError:
                return None
        if queued:
            logger.warning("schedule: %s skipped (slot %d): its previous run is still queued in %s",
                           source.id, slot, seed_key)
            return Outcome(source.id, slot, "skipped")
        logger.info("schedule: %s seeded %d seed(s) into %s (slot %d); next at %s", source.id,
                    len(payloads), seed_key, slot, time.strftime("%H:%M:%S", time.localtime(next_due)))
        return Outcome(source.id, slot, "seeded", len(payloads))

    def _still_queued(self, seed_key: str, last_payloads) -> bool:
        payloads = json.loads(last_payloads) if last_payloads else []
        if not payloads:
            return False
        with self.client.pipeline(transaction=False) as check:
            for payload in payloads:
                check.lpos(seed_key, payload)
            return any(position is not None for position in check.execute())

    def _release(self, lease: str) -> None:
        # Only our own lease: after an expiry it may be another replica's.
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(lease)
                if pipe.get(lease) == self.owner.encode():
                    pipe.multi()
                    pipe.delete(lease)
                    pipe.execute()
            except redis.WatchError:
                pass

    def run(self, sources_file: str | Path | None = None, loader=None) -> None:
        """Tick every ``SCHEDULE_TICK`` seconds until :meth:`stop`; re-read
        ``sources_file`` (with ``loader``) when it changes. A file that turns
        invalid is reported and the sources already loaded keep running."""
        tick = self.settings.getfloat("SCHEDULE_TICK", 1.0)
        signature = _signature(sources_file)
        logger.info("scheduler %s: %d source(s)", self.owner, len(self.sources))
        while not self.stopping.is_set():
            if sources_file and loader and _signature(sources_file) != signature:
                signature = _signature(sources_file)
                try:
                    self.set_sources(loader())
                    logger.info("schedule: reloaded %s (%d sources)", sources_file, len(self.sources))
                except ValueError as exc:
                    logger.error("schedule: keeping the current sources: %s", exc)
                except redis.RedisError as exc:
                    signature = None  # try again next tick
                    logger.warning("schedule: cannot register reloaded sources (%s)", exc)
            self.tick()
            self.stopping.wait(tick)

    def stop(self, *_args) -> None:
        self.stopping.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)


def _signature(path) -> tuple | None:
    try:
        st = Path(path).stat()
    except (OSError, TypeError):
        return None
    return (st.st_mtime_ns, st.st_size)


def publish_policies(client, settings, sources: list[Source]) -> None:
    """Replace the per-domain overrides workers read (crawlers/middlewares/politeness.py)."""
    key = settings.get("POLICY_KEY")
    policies = domain_policies(sources)
    with client.pipeline() as pipe:
        pipe.delete(key)
        if policies:
            pipe.hset(key, mapping={d: json.dumps(p, sort_keys=True) for d, p in policies.items()})
        pipe.execute()


def load_project_sources(path: str | Path, settings) -> tuple[list[Source], dict[str, type]]:
    """Sources checked against this project's spiders and rules."""
    from scrapy.spiderloader import SpiderLoader

    loader = SpiderLoader.from_settings(settings)
    spiders = {name: loader.load(name) for name in loader.list()}
    return load_sources(path, spiders, rules_path(settings)), spiders
