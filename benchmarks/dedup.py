"""Dedup: Redis memory per URL and false-positive rate, set vs Bloom filter.

A million request fingerprints (40 hex characters, what the dupefilter
stores) go into each backend of ``crawlers/dupefilter.py`` in a real Redis;
memory is Redis's own ``MEMORY USAGE`` of the key. False positives are counted
on a million fingerprints never added.
"""

from __future__ import annotations

import hashlib
import math
import time

from benchmarks.common import say, target

URLS = 1_000_000
PROBES = 250_000
ERROR_RATE = 0.001
BATCH = 5_000
TARGET_BYTES_PER_URL = 2.0


def fingerprints(start: int, count: int) -> list[str]:
    # Request fingerprints are SHA-1 hex digests; these are of distinct article URLs.
    return [hashlib.sha1(f"https://news{i % 97}.example.com/{i // 97}/article-{i}.html".encode()).hexdigest()
            for i in range(start, start + count)]


def _set_backend(client, added: list[str], probes: list[str]) -> dict:
    key = "bench:dupefilter:set"
    started = time.perf_counter()
    for i in range(0, len(added), BATCH):
        client.sadd(key, *added[i:i + BATCH])
    insert = time.perf_counter() - started
    memory = client.memory_usage(key, samples=0)
    false = sum(sum(client.smismember(key, probes[i:i + BATCH])) for i in range(0, len(probes), BATCH))
    client.delete(key)
    return {"bytes": memory, "insert_seconds": insert, "false_positives": false}


def _bloom_backend(client, added: list[str], probes: list[str]) -> dict:
    from crawlers.dupefilter import BloomFilter

    key = "bench:dupefilter:bloom"
    bloom = BloomFilter(client, key, capacity=len(added), error_rate=ERROR_RATE)
    started = time.perf_counter()
    for i in range(0, len(added), BATCH):
        bloom.seen_many(added[i:i + BATCH])
    insert = time.perf_counter() - started
    memory = client.memory_usage(key, samples=0)
    false = sum(sum(bloom.seen_many(probes[i:i + BATCH], add=False)) for i in range(0, len(probes), BATCH))
    client.delete(key)
    return {"bytes": memory, "insert_seconds": insert, "false_positives": false, "bits": bloom.bits,
            "hashes": bloom.hashes}


def run(ctx) -> dict:
    client = ctx.fresh_redis()
    added, probes = fingerprints(0, URLS), fingerprints(URLS, PROBES)
    from crawlers import dupefilter

    backends = {"Redis set": _set_backend}
    has_bloom = hasattr(dupefilter, "BloomFilter")
    if has_bloom:
        backends["Bloom filter"] = _bloom_backend
    figures, rows = {}, []
    for name, measure in backends.items():
        say(f"dedup: {URLS:,} fingerprints into the {name}")
        f = measure(client, added, probes)
        f["bytes_per_url"] = f["bytes"] / URLS
        f["false_positive_rate"] = f["false_positives"] / PROBES
        figures[name] = f
        rows.append([name, f"{f['bytes'] / 1024 / 1024:.1f}", f"{f['bytes_per_url']:.2f}",
                     f"{f['false_positive_rate']:.4%}", f"{URLS / f['insert_seconds']:,.0f}"])
    notes = [f"{URLS:,} fingerprints added, {PROBES:,} others probed; memory is MEMORY USAGE of the key "
             "(all elements sampled)."]
    targets = []
    if has_bloom:
        bloom = figures["Bloom filter"]
        # The measured rate wanders around the configured one by the binomial
        # error of PROBES draws; 3 standard deviations above it still meets it.
        tolerance = 3 * math.sqrt(ERROR_RATE * (1 - ERROR_RATE) / PROBES)
        targets = [
            target(f"Bloom bytes per URL (sized for {URLS:,} at {ERROR_RATE:.1%})", bloom["bytes_per_url"], "<=",
                   TARGET_BYTES_PER_URL),
            target("Bloom false-positive rate at capacity", bloom["false_positive_rate"], "<=",
                   ERROR_RATE + tolerance, "{:.4%}"),
        ]
        notes.append(f"Bloom filter: {bloom['bits']:,} bits, {bloom['hashes']} hashes; the false-positive "
                     f"target is {ERROR_RATE:.1%} plus 3 binomial standard deviations of {PROBES:,} probes.")
        notes.append(f"Set / Bloom memory: {figures['Redis set']['bytes'] / bloom['bytes']:.0f}x.")
    else:
        notes.append("The Bloom filter backend is not in crawlers/dupefilter.py yet: the Redis set alone is reported.")
    return {"title": "Dedup: memory and false positives, Redis set vs Bloom filter",
            "columns": ["backend", "MiB", "bytes per URL", "false positives", "inserts/s"],
            "rows": rows, "figures": figures, "targets": targets, "notes": notes}
