"""The service manager against real processes: Redis, OpenSearch, FerretDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from yuqing.services import manager as manager_module
from yuqing.services.base import ManagedProcess, ServiceError, pid_alive, port_is_free
from yuqing.services.manager import ENV_VARS, ServiceManager
from yuqing.services.opensearch import RUNNER_MAX_HTTP_PORT, OpenSearchService
from yuqing.services.redis import RedisService
from yuqing.services.testing import ExternalService

pytestmark = pytest.mark.timeout(600)

# A stand-in for `yuqing services ...` that needs no other subcommand module:
# the same register()/func contract yuqing.cli uses.
CLI = """
import argparse, sys
from yuqing.cli import services
parser = argparse.ArgumentParser(prog="yuqing")
services.register(parser.add_subparsers())
args = parser.parse_args(["services"] + sys.argv[1:])
sys.exit(args.func(args))
"""


def _managed(service):
    if isinstance(service, ExternalService):
        pytest.skip(f"{service.name} is external: this test starts and stops it")


def _clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ENV_VARS.values()}


def _cli(state_dir, *argv, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", CLI, "--state-dir", str(state_dir), *argv],
                          capture_output=True, text=True, env=_clean_env(), timeout=300)
    if check and done.returncode != 0:
        raise AssertionError(f"{argv} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


# -- Redis ------------------------------------------------------------------

def test_redis_set_get(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("greeting", "你好")
    assert client.get("greeting").decode() == "你好"
    assert client.dbsize() == 1  # redis_url flushed whatever came before


def test_redis_url_is_flushed_between_tests(redis_url):
    import redis

    assert redis.Redis.from_url(redis_url).dbsize() == 0


def test_redis_restart_keeps_data_on_same_port(redis_service, redis_url):
    import redis

    _managed(redis_service)
    redis.Redis.from_url(redis_url).rpush("queue", "a", "b")
    port, old_pid = redis_service.port, redis_service.pid
    redis_service.restart()
    assert redis_service.port == port and redis_service.pid != old_pid
    assert redis.Redis.from_url(redis_url).lrange("queue", 0, -1) == [b"a", b"b"]


def test_redis_stop_then_start(redis_service, redis_url):
    import redis

    _managed(redis_service)
    old_pid = redis_service.pid
    redis_service.stop()
    assert not pid_alive(old_pid)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(redis_url, socket_connect_timeout=1).ping()
    redis_service.start()
    assert redis.Redis.from_url(redis_url).ping()


def test_redis_without_persistence_forgets(tmp_path):
    service = RedisService(tmp_path / "r", persistent=False)
    try:
        service.start()
        service.client().set("k", "v")
        service.restart()
        assert service.client().get("k") is None
    finally:
        service.stop()
    assert service.pid is None


# -- OpenSearch ---------------------------------------------------------------

def test_search_version_and_health(search_service):
    from opensearchpy import OpenSearch

    client = OpenSearch(search_service.url)
    info = client.info()
    assert info["version"]["distribution"] == "opensearch"
    assert info["version"]["number"].split(".")[0] in ("2", "3")
    assert client.cluster.health()["status"] in ("green", "yellow")
    if isinstance(search_service, OpenSearchService):
        assert info["cluster_name"] == "yuqing-test"
        assert search_service.port <= RUNNER_MAX_HTTP_PORT
        assert search_service.started_seconds is not None


def test_search_index_and_query(search_service):
    from opensearchpy import OpenSearch

    client = OpenSearch(search_service.url)
    index = f"test-services-{uuid.uuid4().hex[:8]}"
    try:
        client.indices.create(index=index, body={"settings": {"number_of_shards": 1}})
        client.index(index=index, id="1", body={"title": "电池召回 battery recall", "n": 1}, refresh=True)
        hits = client.search(index=index, body={"query": {"match": {"title": "battery"}}})["hits"]
        assert hits["total"]["value"] == 1
        assert hits["hits"][0]["_source"]["n"] == 1
    finally:
        client.indices.delete(index=index, ignore_unavailable=True)


def test_search_restart_same_port_keeps_data(search_service):
    from opensearchpy import OpenSearch

    _managed(search_service)
    client = OpenSearch(search_service.url)
    index = f"test-restart-{uuid.uuid4().hex[:8]}"
    client.index(index=index, id="1", body={"title": "persisted"}, refresh=True)
    url = search_service.url
    search_service.stop()
    assert not search_service.alive()
    search_service.start()
    assert search_service.url == url
    try:
        assert OpenSearch(url).get(index=index, id="1")["_source"]["title"] == "persisted"
    finally:
        OpenSearch(url).indices.delete(index=index, ignore_unavailable=True)


def test_search_bad_java_home_is_named(tmp_path):
    service = OpenSearchService(tmp_path / "os", java_home=str(tmp_path / "no-jdk"))
    with pytest.raises(ServiceError, match="no java at"):
        service.start()
    assert service.pid is None


# -- FerretDB -----------------------------------------------------------------

def test_mongo_insert_find(mongo_service):
    import pymongo

    client = pymongo.MongoClient(mongo_service.url, serverSelectionTimeoutMS=5000)
    collection = client["yuqing_test"][f"c{uuid.uuid4().hex[:8]}"]
    collection.insert_many([{"url": "http://a", "n": 1}, {"url": "http://b", "n": 2}])
    assert collection.count_documents({"n": {"$gt": 1}}) == 1
    collection.drop()


# -- Manager and CLI ----------------------------------------------------------

def test_manager_status_alive_then_dead(tmp_path):
    manager = ServiceManager(tmp_path / "state", environ={})
    try:
        env = manager.up(("redis",))
        assert env["REDIS_URL"].startswith("redis://127.0.0.1:")
        (row,) = manager.status()
        assert row["name"] == "redis" and row["alive"] and row["pid"] and not row["external"]
        pid = row["pid"]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (row,) = manager.status()
        assert not row["alive"] and row["pid"] is None
        # up again: a fresh process on the same port, so URLs stay valid.
        assert manager.up(("redis",))["REDIS_URL"] == env["REDIS_URL"]
        assert manager.status()[0]["alive"]
    finally:
        manager.down()
    assert manager.status() == []


# exit(2), which ends the calling thread only (os._exit ends them all).
_SYS_EXIT = {"x86_64": 60, "aarch64": 93}.get(os.uname().machine)

# A server that, on SIGUSR1, dies the way a SIGKILLed multi-threaded one does
# on a busy machine: its main thread is a zombie at once (pid_alive says dead)
# while another thread still holds the listening socket for a while.
_SLOW_EXIT_SERVER = """
import ctypes, signal, socket, sys, threading, time
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
signal.sigwait({signal.SIGUSR1})
threading.Thread(target=time.sleep, args=(1.5,)).start()
ctypes.CDLL(None).syscall(int(sys.argv[2]), 0)
"""


class _SlowExitService(ManagedProcess):
    name = "redis"
    scheme = "redis"
    start_timeout = 20.0

    def command(self) -> list[str]:
        return [sys.executable, "-c", _SLOW_EXIT_SERVER, str(self.port), str(_SYS_EXIT)]

    def ready(self) -> bool:
        import socket

        with socket.create_connection((self.host, self.port), timeout=1):
            return True


@pytest.mark.skipif(_SYS_EXIT is None, reason="exit(2) syscall number unknown on this machine")
def test_manager_up_restarts_a_service_that_is_still_exiting(tmp_path, monkeypatch):
    # up() once took such a process for running ("already running", its
    # Popen could not reap it yet) and returned no URL for it.
    monkeypatch.setitem(manager_module.SERVICES, "redis", _SlowExitService)
    manager = ServiceManager(tmp_path / "state", environ={})
    try:
        env = manager.up(("redis",))
        (row,) = manager.status()
        pid, port = row["pid"], int(env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
        os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(pid) and not port_is_free(port), "no window: the old server is gone already"
        (row,) = manager.status()
        assert not row["alive"] and row["pid"] is None
        assert manager.up(("redis",))["REDIS_URL"] == env["REDIS_URL"]
        (row,) = manager.status()
        assert row["alive"] and row["pid"] not in (None, pid)
    finally:
        manager.down()
    assert manager.status() == []


def test_manager_reports_external_services(tmp_path, redis_service, search_service):
    environ = {"REDIS_URL": redis_service.url, "SEARCH_URL": search_service.url}
    manager = ServiceManager(tmp_path / "state", environ=environ)
    env = manager.up(("redis", "opensearch"))
    assert env == environ
    rows = manager.status()
    assert [(r["name"], r["external"], r["alive"]) for r in rows] == [
        ("redis", True, True), ("opensearch", True, True)]
    assert manager.down() == []  # never stops what it did not start
    assert not (tmp_path / "state" / "redis").exists()


def test_manager_up_is_idempotent(tmp_path):
    manager = ServiceManager(tmp_path / "state", environ={})
    try:
        first = manager.up("redis")
        pid = manager.status()[0]["pid"]
        assert ServiceManager(tmp_path / "state", environ={}).up("redis") == first
        assert manager.status()[0]["pid"] == pid
    finally:
        manager.down()


def test_manager_rejects_unknown_service(tmp_path):
    with pytest.raises(ServiceError, match="unknown service 'postgres'"):
        ServiceManager(tmp_path / "state", environ={}).up(("redis", "postgres"))


def test_cli_up_status_down_across_processes(tmp_path):
    from yuqing.services.ferretdb import find_ferretdb

    only = "redis,ferretdb" if find_ferretdb() else "redis"
    state = tmp_path / "state"
    pids: list[int] = []
    try:
        up = json.loads(_cli(state, "up", "--only", only, "--json").stdout)
        assert set(up["env"]) == {ENV_VARS[n] for n in only.split(",")}
        pids = [row["pid"] for row in up["services"]]
        assert all(row["alive"] for row in up["services"]) and all(pids)
        # the processes outlived the `up` process
        assert all(pid_alive(pid) for pid in pids)
        status = json.loads(_cli(state, "status", "--json").stdout)
        assert [row["pid"] for row in status] == pids
        table = _cli(state, "status").stdout
        assert "redis" in table and "alive" in table
    finally:
        down = _cli(state, "down", check=False)
    assert down.returncode == 0, down.stderr
    assert "stopped: redis" in down.stderr
    deadline = time.monotonic() + 5
    while any(pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(pid_alive(pid) for pid in pids), "leftover service processes after down"
    after = _cli(state, "status", "--json", check=False)
    assert after.returncode == 1 and json.loads(after.stdout) == []
