"""A MongoDB-compatible store for tests: FerretDB v1 with its SQLite backend.

bin/bootstrap builds the binary from source (v1.24.2, Go >= 1.24) into the
cache; there is no Debian package and no MongoDB server in Debian 12."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from yuqing.services.base import ManagedProcess, ServiceError, cache_dir

log = logging.getLogger(__name__)

FERRETDB_VERSION = "v1.24.2"


def find_ferretdb() -> str | None:
    for candidate in (os.environ.get("YUQING_FERRETDB_BIN"), str(cache_dir() / "bin" / "ferretdb"),
                      shutil.which("ferretdb")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def ferretdb_binary() -> str:
    found = find_ferretdb()
    if not found:
        raise ServiceError(f"ferretdb not found in {cache_dir() / 'bin'}: run bin/bootstrap --with-ferretdb "
                           "(builds FerretDB with Go >= 1.24) or set YUQING_FERRETDB_BIN")
    return found


class FerretDBService(ManagedProcess):
    name = "ferretdb"
    scheme = "mongodb"
    start_timeout = 30.0
    stop_timeout = 10.0

    def __init__(self, run_dir: Path | str, port: int | None = None, **kwargs):
        super().__init__(run_dir, port=port, **kwargs)

    @property
    def url(self) -> str:
        return f"mongodb://{self.host}:{self.port}/"

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "state").mkdir(exist_ok=True)

    def command(self) -> list[str]:
        return [
            ferretdb_binary(),
            f"--listen-addr={self.host}:{self.port}",
            "--handler=sqlite",
            # A directory URI: one SQLite file per database. Trailing slash required.
            f"--sqlite-url=file:{self.data_dir}/",
            f"--state-dir={self.run_dir / 'state'}",
            "--telemetry=disable",
            # Its metrics/pprof listener defaults to a fixed port (8088): off.
            "--debug-addr=-",
            "--log-level=warn",
        ]

    def client(self, **kwargs):
        import pymongo

        kwargs.setdefault("serverSelectionTimeoutMS", 5000)
        return pymongo.MongoClient(self.url, **kwargs)

    def ready(self) -> bool:
        import pymongo
        from pymongo.errors import PyMongoError

        client = pymongo.MongoClient(self.url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000)
        try:
            return client.admin.command("ping").get("ok") == 1
        except PyMongoError:
            return False
        finally:
            client.close()
