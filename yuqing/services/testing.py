"""pytest fixtures for real services; tests/conftest.py star-imports them.

Each service starts once per test session (per xdist worker) in the session's
temp dir and is stopped by a finalizer, by atexit, and - should pytest be
killed outright - by the kernel (PR_SET_PDEATHSIG). Set
``YUQING_TEST_REDIS_URL`` / ``YUQING_TEST_SEARCH_URL`` / ``YUQING_TEST_MONGO_URL``
to test against services you run yourself; those are never stopped, and
tests that need to stop or restart a service are skipped against them.
``redis_url`` flushes its database before each test: point
``YUQING_TEST_REDIS_URL`` at a database you can lose.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from yuqing.services.base import ManagedProcess
from yuqing.services.ferretdb import FerretDBService, find_ferretdb
from yuqing.services.manager import tcp_answers
from yuqing.services.opensearch import OpenSearchService
from yuqing.services.redis import RedisService

__all__ = ["redis_service", "search_service", "mongo_service", "redis_url"]


class ExternalService:
    """A service the developer runs: usable, never started or stopped here."""

    def __init__(self, name: str, url: str, variable: str):
        self.name = name
        self.url = url
        self.variable = variable
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port
        self.pid = None

    def _refuse(self) -> None:
        pytest.skip(f"{self.name} is external ({self.variable}={self.url}): tests cannot stop or restart it")

    def start(self):
        self._refuse()

    def stop(self):
        self._refuse()

    def restart(self):
        self._refuse()

    def kill(self):
        self._refuse()

    def alive(self) -> bool:
        return tcp_answers(self.url)

    def __repr__(self) -> str:
        return f"<ExternalService {self.name} {self.url}>"


def _session_service(request, tmp_path_factory, name: str, variable: str, factory):
    url = os.environ.get(variable)
    if url:
        return ExternalService(name, url, variable)
    service: ManagedProcess = factory(tmp_path_factory.mktemp(name))
    # Registered before start(): a start that times out still gets stopped.
    request.addfinalizer(service.stop)
    service.start()
    return service


def _ensure_running(service) -> None:
    # A fault test that stopped the service and failed before restarting it
    # must not take the following tests down with it.
    if isinstance(service, ManagedProcess) and not service.alive():
        service.start()


@pytest.fixture(scope="session")
def redis_service(request, tmp_path_factory):
    """Redis with the append-only file on: restart() keeps the data."""
    return _session_service(request, tmp_path_factory, "redis", "YUQING_TEST_REDIS_URL",
                            lambda d: RedisService(d, persistent=True))


@pytest.fixture(scope="session")
def search_service(request, tmp_path_factory):
    """One OpenSearch node (HTTP on 127.0.0.1, a port <= 9299): ``.url``."""
    return _session_service(request, tmp_path_factory, "opensearch", "YUQING_TEST_SEARCH_URL",
                            OpenSearchService)


@pytest.fixture(scope="session")
def mongo_service(request, tmp_path_factory):
    """FerretDB on SQLite (MongoDB wire protocol): ``.url``."""
    if not os.environ.get("YUQING_TEST_MONGO_URL") and find_ferretdb() is None:
        pytest.skip("FerretDB binary not found: run bin/bootstrap --with-ferretdb "
                    "(or set YUQING_TEST_MONGO_URL)")
    return _session_service(request, tmp_path_factory, "ferretdb", "YUQING_TEST_MONGO_URL",
                            FerretDBService)


@pytest.fixture
def redis_url(redis_service) -> str:
    """The session Redis, emptied (FLUSHDB) before this test."""
    import redis

    _ensure_running(redis_service)
    client = redis.Redis.from_url(redis_service.url, socket_timeout=5)
    try:
        client.flushdb()
    finally:
        client.close()
    return redis_service.url
