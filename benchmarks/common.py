"""What the benchmarks share: services, measured child processes, workers,
steady-state rates, targets and the machine description.

Every figure comes from a process of its own, measured by the kernel
(``wait4`` rusage: CPU seconds, peak RSS) or at the benchmark web server
(arrival times), so our code and each baseline are measured the same way.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUN_DIR = REPO / ".run" / "bench"
BASELINE_VENV = REPO / "benchmarks" / ".venv-baselines"
# Pinned so a result can be reproduced; jieba is what newspaper4k (inside
# news-please) needs for Chinese and does not install itself.
BASELINE_PACKAGES = ("news-please==1.6.16", "jieba==0.42.1")

_started = time.monotonic()


def say(message: str) -> None:
    """Progress on stderr, stamped with the time since the run started."""
    print(f"[{time.monotonic() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- services

class Context:
    """Services started on first use, so ``--only rules`` starts none."""

    def __init__(self) -> None:
        from yuqing.services.manager import ServiceManager

        # Our own state dir and no adoption of the caller's REDIS_URL/SEARCH_URL:
        # the benchmarks flush Redis and drop indices.
        self.manager = ServiceManager(RUN_DIR / "services", environ={})
        self.urls: dict[str, str] = {}

    def up(self, names: tuple[str, ...]) -> None:
        missing = [n for n in names if {"redis": "REDIS_URL", "opensearch": "SEARCH_URL"}[n] not in self.urls]
        if missing:
            say(f"starting {', '.join(missing)}")
            self.urls.update(self.manager.up(tuple(missing), keep=False))

    @property
    def redis_url(self) -> str:
        self.up(("redis",))
        return self.urls["REDIS_URL"]

    @property
    def search_url(self) -> str:
        self.up(("redis", "opensearch"))
        return self.urls["SEARCH_URL"]

    def pid(self, name: str) -> int | None:
        """Process id of a service this run started (``opensearch``, ``redis``)."""
        return next((row["pid"] for row in self.manager.status() if row["name"] == name), None)

    def redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def fresh_redis(self):
        """The benchmark Redis, emptied: queues, dupefilters, alerts of an earlier benchmark are gone."""
        client = self.redis()
        client.flushdb()
        return client

    def close(self) -> None:
        if self.urls:
            self.manager.down()


# --------------------------------------------------------------------------- processes

@dataclass
class Measured:
    returncode: int
    wall: float
    cpu: float
    """User + system CPU seconds of the process (and of children it waited for)."""
    max_rss: int
    """Peak resident set size in bytes."""


def run_measured(cmd: list[str], *, log: Path, env: dict | None = None, timeout: float = 300,
                 cwd: Path = REPO) -> Measured:
    """Run ``cmd`` to its end and return its own rusage (not the whole tree's:
    ``wait4`` on its pid)."""
    return wait_measured(start(cmd, log=log, env=env, cwd=cwd), timeout, log)


def start(cmd: list[str], *, log: Path, env: dict | None = None, cwd: Path = REPO) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w", encoding="utf-8") as out:
        # Same session as the runner: a Ctrl-C stops the children too.
        return subprocess.Popen(cmd, env=env, cwd=str(cwd), stdout=out, stderr=subprocess.STDOUT)


def wait_measured(process: subprocess.Popen, timeout: float, log: Path) -> Measured:
    started = time.monotonic()
    while True:
        # wait4 reaps the child itself, so Popen never sees it: no poll() here.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > timeout:
            process.kill()
            os.wait4(process.pid, 0)
            process.returncode = -9
            raise TimeoutError(f"{' '.join(process.args[:4])}... did not finish in {timeout:.0f}s; log {log}")
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(process.returncode, time.monotonic() - started, usage.ru_utime + usage.ru_stime,
                    usage.ru_maxrss * 1024)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL: for services such as the alert deliverer."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_command(spiders: tuple[str, ...], stats_file: Path, *, max_idle: int = 3,
                   settings: dict[str, object] | None = None) -> list[str]:
    """``yuqing worker`` exactly as ``yuqing.demo.crawl_site`` starts it."""
    cmd = [sys.executable, "-m", "yuqing", "worker", *spiders, "--max-idle", str(max_idle),
           "--stats-file", str(stats_file)]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def worker_environment(ctx: Context, prefix: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """``yuqing.demo.worker_env`` on the benchmark's services, every other
    setting at the project's default: a variable of the caller's shell
    (MONGO_URL, YUQING_CONCURRENCY...) must not change what is measured."""
    from settings.env import ENV_SETTINGS
    from yuqing.demo import worker_env

    env = worker_env(ctx.redis_url, ctx.search_url, prefix, extra)
    kept = {"REDIS_URL", "SEARCH_URL", "SEARCH_INDEX_PREFIX", "YUQING_ALLOW_PRIVATE_HOSTS", *(extra or {})}
    for variable in set(ENV_SETTINGS) - kept:
        env.pop(variable, None)
        env.pop(f"{variable}_FILE", None)
    return env


def read_stats(stats_file: Path, spider: str) -> dict:
    try:
        return json.loads(stats_file.read_text(encoding="utf-8")).get(spider, {})
    except FileNotFoundError:
        return {}


def baseline_python() -> Path:
    """The separate virtualenv for baselines with old pins (news-please), made on first use."""
    python = BASELINE_VENV / "bin" / "python"
    check = [str(python), "-c", "import newsplease, jieba"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    say(f"installing {', '.join(BASELINE_PACKAGES)} into {BASELINE_VENV.relative_to(REPO)} (once)")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *BASELINE_PACKAGES], check=True)
    return python


# --------------------------------------------------------------------------- figures

def steady_rate(times: list[float], trim: float = 0.1) -> float:
    """Events per second between the ``trim`` and ``1 - trim`` quantiles of
    their times: start-up and the drain at the end are left out."""
    times = sorted(times)
    if len(times) < 10:
        return float("nan")
    lo, hi = int(len(times) * trim), int(len(times) * (1 - trim)) - 1
    span = times[hi] - times[lo]
    return (hi - lo) / span if span > 0 else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def target(what: str, value: float, op: str, threshold: float, fmt: str = "{:.2f}") -> dict:
    passed = value >= threshold if op == ">=" else value <= threshold
    if value != value:  # NaN: nothing was measured
        passed = False
    return {"what": what, "value": value, "target": f"{op} {fmt.format(threshold)}",
            "shown": fmt.format(value), "status": "PASS" if passed else "MISS"}


def mib(n: float) -> float:
    return n / (1024 * 1024)


def load_average() -> float:
    return os.getloadavg()[0]


def rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a running process (all its threads) has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine(ctx: Context) -> dict:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
    os_name = platform.platform()
    release = Path("/etc/os-release")
    if release.exists():
        fields = dict(line.split("=", 1) for line in release.read_text().splitlines() if "=" in line)
        os_name = f"{fields.get('PRETTY_NAME', '').strip(chr(34))} (Linux {platform.release()})"
    import scrapy

    info = {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": round(mem_kib / 1024 / 1024, 1), "os": os_name,
            "python": platform.python_version(), "scrapy": scrapy.__version__}
    if ctx.urls.get("SEARCH_URL"):
        with urllib.request.urlopen(ctx.urls["SEARCH_URL"], timeout=10) as answer:
            version = json.load(answer)["version"]
        flavor = {"opensearch": "OpenSearch"}.get(version.get("distribution"), "Elasticsearch")
        info["search"] = f"{flavor} {version['number']}"
    if ctx.urls.get("REDIS_URL"):
        info["redis"] = ctx.redis().info("server")["redis_version"]
    chromium = "/usr/lib/chromium/chromium"
    if os.path.exists(chromium):
        info["chromium"] = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    return info
