"""What the cluster is doing, read from Redis (and the local spool directory):
the data behind ``yuqing status`` and the queue-depth metrics.

Workers come from their heartbeats (crawlers/extensions/heartbeat.py),
sources from the scheduler's state (yuqing/schedule.py), queues from the keys
every worker shares.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

_LENGTH = {b"list": "llen", b"zset": "zcard", b"set": "scard", b"hash": "hlen", b"stream": "xlen"}


def key_length(client, key: str) -> int:
    """Entries in ``key`` whatever its type (queues may be lists or sorted sets)."""
    kind = client.type(key)
    kind = kind.encode() if isinstance(kind, str) else kind
    method = _LENGTH.get(kind)
    return int(getattr(client, method)(key)) if method else 0


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _pattern(template: str, **names: str) -> str:
    return template % {name: "*" for name in names}


def _spider_from_key(key: str, template: str, placeholder: str) -> str | None:
    prefix, _, suffix = (template % {placeholder: "\x00"}).partition("\x00")
    if key.startswith(prefix) and key.endswith(suffix) and len(key) > len(prefix) + len(suffix):
        return key[len(prefix):len(key) - len(suffix)]
    return None


def workers(client, settings, now: float | None = None) -> list[dict]:
    now = time.time() if now is None else now
    template = settings.get("HEARTBEAT_KEY")
    stale_after = settings.getfloat("HEARTBEAT_STALE_AFTER", 3)
    found = []
    for raw_key in client.scan_iter(match=_pattern(template, worker=""), count=500):
        key = _text(raw_key)
        fields = {_text(k): _text(v) for k, v in client.hgetall(key).items()}
        if not fields:
            continue
        spiders = {}
        for name, value in fields.items():
            if name.startswith("spider:"):
                try:
                    spiders[name[len("spider:"):]] = json.loads(value)
                except ValueError:
                    continue
        last_beat = float(fields.get("last_beat") or 0)
        interval = float(fields.get("interval") or 5)
        worker = {
            "id": _spider_from_key(key, template, "worker") or key,
            "host": fields.get("host", ""),
            "pid": int(fields.get("pid") or 0),
            "started": float(fields.get("started") or 0),
            "last_beat": last_beat,
            "age": round(now - last_beat, 1),
            "state": "alive" if now - last_beat <= interval * stale_after else "stale",
            "metrics_port": int(fields["metrics_port"]) if fields.get("metrics_port") else None,
            "spiders": sorted(spiders),
        }
        for counter in ("pages", "items", "errors", "browser_pages", "pages_per_min", "items_per_min"):
            worker[counter] = round(sum(s.get(counter, 0) for s in spiders.values()), 1)
        found.append(worker)
    return sorted(found, key=lambda w: (w["host"], w["pid"]))


def queues(client, settings, spiders: list[str] = ()) -> list[dict]:
    """Requests and seeds waiting per spider: the named spiders and any with keys in Redis."""
    requests_template = settings.get("SCHEDULER_QUEUE_KEY")
    seeds_template = settings.get("REDIS_START_URLS_KEY")
    names = set(spiders)
    for template, placeholder in ((requests_template, "spider"), (seeds_template, "name")):
        for raw_key in client.scan_iter(match=_pattern(template, **{placeholder: ""}), count=500):
            name = _spider_from_key(_text(raw_key), template, placeholder)
            if name and ":" not in name:
                names.add(name)
    # Leased and delayed requests live next to the queue (crawlers/queue.py).
    return [{"spider": name,
             "requests": key_length(client, requests_template % {"spider": name}),
             "leased": key_length(client, requests_template % {"spider": name} + ":leased"),
             "delayed": key_length(client, requests_template % {"spider": name} + ":delayed"),
             "seeds": key_length(client, seeds_template % {"name": name})}
            for name in sorted(names)]


def dead_letters(client, settings) -> dict[str, int]:
    pattern = settings.get("DEADLETTER_KEY_PATTERN")
    return {_text(k): key_length(client, k) for k in sorted(client.scan_iter(match=pattern, count=500))}


def spool(directory: str | Path) -> dict:
    path = Path(directory)
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
    return {"dir": str(path), "files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def sources(client, settings) -> list[dict]:
    from yuqing.schedule import read_states

    return read_states(client, settings)


def snapshot(client, settings, spool_dir: str | None = None) -> dict:
    now = time.time()
    found = workers(client, settings, now)
    scheduled = sources(client, settings)
    # Empty queues matter too when a worker or a source expects work there.
    spiders = {s for w in found for s in w["spiders"]} | {s["spider"] for s in scheduled if s["spider"]}
    return {
        "time": now,
        "workers": found,
        "alive": sum(w["state"] == "alive" for w in found),
        "stale": sum(w["state"] == "stale" for w in found),
        "queues": queues(client, settings, sorted(spiders)),
        "dead_letters": dead_letters(client, settings),
        "spool": spool(spool_dir or settings.get("SPOOL_DIR")),
        "sources": scheduled,
    }
