"""Start, find and stop the local services of a demo or a dev shell.

State lives in ``<state_dir>/state.json`` (pids, ports, run dirs) so that a
later process - ``yuqing services down`` - can stop what ``up`` started.
A service whose URL variable is already set in the environment belongs to
the user and is only reported, never started or stopped."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from yuqing.services.base import ManagedProcess, ServiceError, pid_alive, port_is_free, rss_bytes
from yuqing.services.ferretdb import FerretDBService
from yuqing.services.opensearch import OpenSearchService
from yuqing.services.redis import RedisService

log = logging.getLogger(__name__)

SERVICES: dict[str, type[ManagedProcess]] = {
    "redis": RedisService,
    "opensearch": OpenSearchService,
    "ferretdb": FerretDBService,
}
ENV_VARS = {"redis": "REDIS_URL", "opensearch": "SEARCH_URL", "ferretdb": "MONGO_URL"}
ALIASES = {"search": "opensearch", "es": "opensearch", "mongo": "ferretdb", "mongodb": "ferretdb"}
DEFAULT_SERVICES = ("redis", "opensearch")


def normalize_names(names) -> list[str]:
    if isinstance(names, str):
        names = names.split(",")
    result = []
    for raw in names:
        name = ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if not name:
            continue
        if name not in SERVICES:
            raise ServiceError(f"unknown service {raw!r}: choose from {', '.join(SERVICES)}")
        if name not in result:
            result.append(name)
    return result


def tcp_answers(url: str, timeout: float = 2.0) -> bool:
    parts = urlsplit(url)
    default = {"redis": 6379, "http": 80, "https": 443, "mongodb": 27017}.get(parts.scheme, 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default), timeout=timeout):
            return True
    except OSError:
        return False


class ServiceManager:
    def __init__(self, state_dir: Path | str = ".run/services", environ: dict | None = None):
        self.state_dir = Path(state_dir).resolve()
        self.state_file = self.state_dir / "state.json"
        self.environ = os.environ if environ is None else environ
        self._live: dict[str, ManagedProcess] = {}  # started by this process

    # -- state file -------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        # Two `up`s at once (a demo and a test run) must not start twins.
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / "lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _load(self) -> dict:
        try:
            return json.loads(self.state_file.read_text()).get("services", {})
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self.state_file, exc)
            return {}

    def _save(self, services: dict) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"services": services, "updated": time.time()}, indent=2))
        tmp.replace(self.state_file)  # atomic: status never reads half a file

    def _service(self, name: str, entry: dict | None = None, keep: bool = True,
                 port: int | None = None) -> ManagedProcess:
        live = self._live.get(name)
        if (live is not None and entry is not None and live.pid == entry.get("pid")
                and live.pid_start_time == entry.get("pid_start_time")):
            return live  # our own child: it can be polled and reaped
        service = SERVICES[name](self.state_dir / name, port=port, keep=keep)
        if entry is not None:
            service.adopt(entry)
        return service

    # -- public API -------------------------------------------------------
    def external(self) -> dict[str, str]:
        """Services the user runs, by name: their URL variable is set."""
        return {name: self.environ[var] for name, var in ENV_VARS.items() if self.environ.get(var)}

    def up(self, names=DEFAULT_SERVICES, keep: bool = True, fresh: bool = False) -> dict[str, str]:
        """Start the named services unless running already; returns the URL
        variables (REDIS_URL, SEARCH_URL, MONGO_URL) of everything up.

        keep=True lets them outlive this process (stop with down()); keep=False
        stops them when this process exits. fresh=True wipes their data first."""
        # The JVM first: its ~10 s start then overlaps the others' (waits go
        # in the opposite order so each start time is measured on its own).
        names = sorted(normalize_names(names), key=lambda n: n != "opensearch")
        external = self.external()
        with self._locked():
            state = self._load()
            starting: list[ManagedProcess] = []
            try:
                for name in names:
                    if name in external:
                        log.info("%s: using external %s=%s", name, ENV_VARS[name], external[name])
                        continue
                    entry = state.get(name)
                    port = None
                    if entry:
                        service = self._service(name, entry, keep=keep)
                        if service.alive():
                            log.info("%s already running (pid %s) on %s", name, service.pid, service.url)
                            continue
                        # Crashed or killed: it may still be exiting and holding
                        # its port. Wait until it is gone (reaped, if ours).
                        service.stop()
                        self._live.pop(name, None)
                        # Same port as last time when possible: URLs in shells stay valid.
                        if entry.get("port") and port_is_free(entry["port"]):
                            port = entry["port"]
                    service = self._service(name, keep=keep, port=port)
                    if fresh and service.run_dir.exists():
                        shutil.rmtree(service.run_dir)
                    service.start(wait=False)
                    starting.append(service)
                    self._live[name] = service
                    state[name] = {**service.to_state(), "kept": keep, "ready": False}
                    self._save(state)
                for service in reversed(starting):
                    service.wait_ready()
                    state[service.name] = {**service.to_state(), "kept": keep, "ready": True,
                                           "started_seconds": round(service.started_seconds or 0, 2)}
                    self._save(state)
            except BaseException:
                for service in starting:
                    with contextlib.suppress(Exception):
                        service.stop()
                    state.pop(service.name, None)
                    self._live.pop(service.name, None)
                self._save(state)
                raise
        return self.env()

    def down(self, names=None, purge: bool = False) -> list[str]:
        """Stop what up() started (in any process); purge=True deletes data."""
        wanted = normalize_names(names) if names else None
        stopped = []
        with self._locked():
            state = self._load()
            for name, entry in list(state.items()):
                if wanted and name not in wanted:
                    continue
                if name not in SERVICES:
                    state.pop(name)
                    continue
                service = self._service(name, entry)
                was_alive = service.alive()
                service.stop()  # also waits for a crashed one to finish exiting
                if was_alive:
                    stopped.append(name)
                self._live.pop(name, None)
                state.pop(name)
                if purge and service.run_dir.exists():
                    shutil.rmtree(service.run_dir)
            self._save(state)
        return stopped

    def status(self) -> list[dict]:
        rows = []
        state = self._load()
        for name, url in self.external().items():
            if name not in state:
                rows.append({"name": name, "pid": None, "url": url, "alive": tcp_answers(url),
                             "external": True, "rss_bytes": None})
        for name, entry in state.items():
            if name not in SERVICES:
                continue
            service = self._service(name, entry)
            running = pid_alive(entry.get("pid"), entry.get("pid_start_time"))
            answering = False
            if running:
                try:
                    answering = service.ready()
                except Exception as exc:  # noqa: BLE001 - any failure means not answering
                    log.debug("%s probe failed: %s", name, exc)
            rows.append({"name": name, "pid": entry.get("pid") if running else None, "url": entry.get("url"),
                         "alive": running and answering, "external": False,
                         "rss_bytes": rss_bytes(entry.get("pid")) if running else None})
        order = list(SERVICES)
        return sorted(rows, key=lambda row: order.index(row["name"]))

    def env(self) -> dict[str, str]:
        """URL variables for every service that is up (managed or external)."""
        result = {ENV_VARS[name]: url for name, url in self.external().items()}
        for name, entry in self._load().items():
            if name in SERVICES and pid_alive(entry.get("pid"), entry.get("pid_start_time")):
                result.setdefault(ENV_VARS[name], entry["url"])
        return result
