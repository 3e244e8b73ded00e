"""Shared plumbing for the locally started services: free ports, the cache
directory, and a child process that can be started, probed, stopped and
started again on the same port."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


class ServiceError(RuntimeError):
    """A service could not be found, started or stopped."""


def cache_dir() -> Path:
    """Where bin/bootstrap keeps built binaries and resolved classpaths."""
    configured = os.environ.get("YUQING_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "yuqing"


def free_port(host: str = LOOPBACK) -> int:
    """A port the kernel considers free right now (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Without SO_REUSEADDR a port in TIME_WAIT looks busy although the
        # servers we start (which all set it) could listen on it.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def log_tail(path: Path | str | None, lines: int = 40) -> str:
    if not path:
        return ""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, kernel start time) of pid, None if there is no such pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after it.
    fields = stat[stat.rfind(")") + 2:].split()
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None


def process_start_time(pid: int) -> int | None:
    """Kernel start time of pid (clock ticks since boot), None if it is gone.

    Stored next to a pid so that a later `down` never signals an unrelated
    process that happens to reuse the number."""
    stat = _proc_stat(pid)
    if stat is None or stat[0] == "Z":  # a zombie has exited already
        return None
    return stat[1]


def pid_alive(pid: int | None, start_time: int | None = None) -> bool:
    if not pid:
        return False
    current = process_start_time(pid)
    if current is None:
        return False
    return start_time is None or current == start_time


def process_gone(pid: int | None, start_time: int | None = None) -> bool:
    """True once pid has exited completely: no such process (or the number
    belongs to another one now), or nothing left of it but its zombie.

    Stricter than `not pid_alive(...)`: that turns True as soon as the main
    thread is a zombie, while the other threads of a multi-threaded server
    (redis-server's bio threads, a JVM's) may still be exiting - holding its
    files, the listening socket among them - and until the last of them is
    gone the parent cannot reap it either."""
    if not pid:
        return True
    stat = _proc_stat(pid)
    if stat is None:
        return True
    state, started = stat
    if start_time is not None and started != start_time:
        return True
    if state != "Z":
        return False
    try:
        return len(os.listdir(f"/proc/{pid}/task")) <= 1  # the zombie leader only
    except OSError:
        return True


def rss_bytes(pid: int | None) -> int | None:
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: if the test run that started
    # this service is killed outright (no atexit), the kernel sends SIGTERM.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort, atexit still applies
        pass


_running: set[ManagedProcess] = set()
_running_lock = threading.Lock()


@atexit.register
def _stop_all_at_exit() -> None:
    with _running_lock:
        services = list(_running)
    for service in services:
        try:
            service.stop()
        except Exception as exc:  # noqa: BLE001 - keep stopping the others
            log.warning("could not stop %s at exit: %s", service.name, exc)


class ManagedProcess:
    """A server process on a loopback port, in its own process group.

    Subclasses provide the command line (`command`) and a readiness probe
    (`ready`). `keep=True` lets the process outlive this Python process (the
    `yuqing services up` case); otherwise it is stopped at exit and, through
    PR_SET_PDEATHSIG, when this process dies."""

    name = "service"
    scheme = "tcp"
    start_timeout = 30.0
    stop_timeout = 15.0

    def __init__(self, run_dir: Path | str, port: int | None = None, host: str = LOOPBACK,
                 keep: bool = False, start_timeout: float | None = None):
        self.run_dir = Path(run_dir).resolve()
        self.host = host
        self.port = port
        self.keep = keep
        if start_timeout is not None:
            self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.pid: int | None = None
        self.pid_start_time: int | None = None
        self.started_seconds: float | None = None  # last start-to-ready time
        self._t0 = 0.0

    # -- to be provided by subclasses ------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        """One quick probe: True once the service answers."""
        raise NotImplementedError

    def prepare(self) -> None:
        """Create directories and config files before each start."""

    def child_env(self) -> dict[str, str]:
        return dict(os.environ)

    def failure_hint(self) -> str:
        """Appended to the error when the process dies while starting."""
        return ""

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    # -- lifecycle --------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    def choose_port(self) -> int:
        return free_port(self.host)

    def start(self, wait: bool = True) -> ManagedProcess:
        if self.alive():
            return self
        if self.pid is not None:
            # The last process crashed or was killed: it may still be exiting
            # (and holding the port). Let it finish, reap it, then start anew.
            self._wait_exit(self.stop_timeout)
            self._forget()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = self.choose_port()
        elif not port_is_free(self.port, self.host):
            raise ServiceError(f"{self.name}: port {self.host}:{self.port} is already in use")
        self.prepare()
        cmd = self.command()
        log.info("starting %s on %s:%s: %s", self.name, self.host, self.port, " ".join(cmd))
        self._t0 = time.monotonic()
        with open(self.log_path, "ab") as out:
            out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            try:
                self.proc = subprocess.Popen(
                    cmd, cwd=self.run_dir, env=self.child_env(), stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.STDOUT,
                    # Own process group: a Ctrl-C in the terminal does not reach
                    # it, and stop() can signal the whole group.
                    start_new_session=True,
                    preexec_fn=None if self.keep else _die_with_parent,
                )
            except OSError as exc:
                raise ServiceError(f"{self.name}: could not run {cmd[0]}: {exc}") from exc
        self.pid = self.proc.pid
        # Even from a zombie (a server that failed at once): a pid without
        # its start time would match any process that reuses the number.
        stat = _proc_stat(self.pid)
        self.pid_start_time = stat[1] if stat else None
        self.pid_path.write_text(f"{self.pid}\n")
        if not self.keep:
            with _running_lock:
                _running.add(self)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float | None = None) -> ManagedProcess:
        deadline = time.monotonic() + (timeout or self.start_timeout)
        delay = 0.05
        while True:
            if not self.alive():
                self._wait_exit(5)  # reap it: the real exit code, no zombie left
                code = self.proc.poll() if self.proc else None
                self._forget()
                raise ServiceError(f"{self.name} exited during start (exit code {code}){self.failure_hint()}; "
                                   f"log {self.log_path}:\n{log_tail(self.log_path)}")
            try:
                if self.ready():
                    break
            except Exception as exc:  # noqa: BLE001 - any probe failure means "not yet"
                log.debug("%s not ready yet: %s", self.name, exc)
            if time.monotonic() > deadline:
                tail = log_tail(self.log_path)
                self.stop()
                raise ServiceError(f"{self.name} did not become ready on {self.url} within "
                                   f"{timeout or self.start_timeout:.0f}s; log {self.log_path}:\n{tail}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        self.started_seconds = time.monotonic() - self._t0
        log.info("%s ready on %s after %.1fs", self.name, self.url, self.started_seconds)
        return self

    def alive(self) -> bool:
        """Running and not exiting: the same answer `pid_alive` gives another
        process reading the state file. (`proc.poll()` alone is not enough: a
        killed multi-threaded server cannot be reaped - poll() says running -
        until all its threads have exited, although its main thread is a
        zombie already.)"""
        if self.proc is not None and self.proc.poll() is not None:
            return False
        return pid_alive(self.pid, self.pid_start_time)

    def graceful_stop(self) -> None:
        self._signal(signal.SIGTERM)

    def stop(self, timeout: float | None = None) -> None:
        """Stop gracefully, then kill the whole process group if it lingers."""
        was_alive = self.alive()
        if was_alive:
            log.info("stopping %s (pid %s)", self.name, self.pid)
            try:
                self.graceful_stop()
            except Exception as exc:  # noqa: BLE001 - fall back to signals
                log.debug("graceful stop of %s failed: %s", self.name, exc)
                self._signal(signal.SIGTERM)
            if not self._wait_exit(timeout or self.stop_timeout):
                log.warning("%s did not stop within %.0fs: killing it", self.name, timeout or self.stop_timeout)
                self._signal(signal.SIGKILL, group=True)
                if not self._wait_exit(5):
                    raise ServiceError(f"{self.name} (pid {self.pid}) survived SIGKILL")
            # Helpers the server may have forked share its group; none must
            # outlive it. Only right after it ran: a stale pid may be reused.
            self._signal(signal.SIGKILL, group=True)
        elif self.pid is not None and not self._wait_exit(timeout or self.stop_timeout):
            # It crashed or was killed and is still exiting: stopped means gone.
            log.warning("%s (pid %s) is still exiting after %.0fs", self.name, self.pid,
                        timeout or self.stop_timeout)
        self._forget()

    def kill(self) -> None:
        """Crash the service (SIGKILL, no shutdown): for fault tests."""
        if self.alive():
            self._signal(signal.SIGKILL, group=True)
        if self.pid is not None:
            self._wait_exit(5)
        self._forget()

    def restart(self) -> ManagedProcess:
        """Stop and start again on the same port and data directory."""
        self.stop()
        return self.start()

    # -- internals ----------------------------------------------------------
    def _signal(self, sig: int, group: bool = False) -> None:
        if not self.pid or (not group and not pid_alive(self.pid, self.pid_start_time)):
            return
        try:
            if group:
                # Our children lead their own group (start_new_session).
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _wait_exit(self, timeout: float) -> bool:
        """Wait until the process has exited completely (every thread, so its
        port is free again) and, if it is our child, reap it."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=0.1)  # returns once every thread has exited
                    return True
                except subprocess.TimeoutExpired:
                    pass
            elif process_gone(self.pid, self.pid_start_time):
                return True
            else:
                time.sleep(0.1)
            if time.monotonic() >= deadline:
                return False

    def _forget(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=0)
        self.proc = None
        self.pid = None
        self.pid_start_time = None
        with contextlib.suppress(OSError):
            self.pid_path.unlink()
        with _running_lock:
            _running.discard(self)

    # -- state for a later process (yuqing services down) ------------------
    def to_state(self) -> dict:
        return {"name": self.name, "port": self.port, "host": self.host, "url": self.url,
                "pid": self.pid, "pid_start_time": self.pid_start_time, "run_dir": str(self.run_dir)}

    def adopt(self, state: dict) -> ManagedProcess:
        """Take over a process another Python process started (from to_state)."""
        self.port = state.get("port")
        self.host = state.get("host", self.host)
        self.pid = state.get("pid")
        self.pid_start_time = state.get("pid_start_time")
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url} pid={self.pid}>"
