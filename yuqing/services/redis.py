"""A throwaway Redis: Debian's redis-server on a loopback port, one run dir."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from yuqing.services.base import ManagedProcess, ServiceError

log = logging.getLogger(__name__)


def redis_server_binary() -> str:
    configured = os.environ.get("YUQING_REDIS_SERVER")
    for candidate in (configured, shutil.which("redis-server"), "/usr/bin/redis-server"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ServiceError("redis-server not found: run bin/bootstrap (installs Debian's redis-server) "
                       "or set YUQING_REDIS_SERVER")


class RedisService(ManagedProcess):
    """`persistent=True` turns the append-only file on so that `restart()`
    (graceful, SIGTERM flushes the AOF) comes back with the same keys. RDB
    snapshots stay off (`save ''`): they fork and write the whole dataset.
    Stopping sends SIGTERM rather than SHUTDOWN: it works while the server is
    still loading and it fsyncs the AOF when persistence is on."""

    name = "redis"
    scheme = "redis"
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, run_dir: Path | str, port: int | None = None, persistent: bool = False,
                 db: int = 0, **kwargs):
        super().__init__(run_dir, port=port, **kwargs)
        self.persistent = persistent
        self.db = db

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}"

    def command(self) -> list[str]:
        return [
            redis_server_binary(),
            "--bind", self.host,
            "--port", str(self.port),
            "--dir", str(self.run_dir),
            "--pidfile", str(self.run_dir / "redis-server.pid"),
            "--daemonize", "no",
            "--logfile", "",  # stdout, which goes to redis.log
            "--save", "",
            "--appendonly", "yes" if self.persistent else "no",
            "--appendfsync", "everysec",
            "--protected-mode", "yes",
        ]

    def client(self, **kwargs):
        import redis

        kwargs.setdefault("socket_timeout", 5)
        return redis.Redis(host=self.host, port=self.port, db=self.db, **kwargs)

    def ready(self) -> bool:
        import redis

        client = redis.Redis(host=self.host, port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            # Answers LOADING (an exception) while it replays the AOF.
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def to_state(self) -> dict:
        return {**super().to_state(), "persistent": self.persistent}
