"""What several subcommands share: project settings with command-line
overrides of the service URLs, and one clear error when a service is missing."""

from __future__ import annotations

import sys


def service_settings(args, command: str, required: tuple[str, ...] = ("SEARCH_URL",)):
    """Project settings with ``--search-url``/``--redis-url`` applied; None
    (after saying what is missing on stderr) when a required URL is unset."""
    from yuqing.worker import project_settings

    settings = project_settings()
    for option, name in ((getattr(args, "search_url", None), "SEARCH_URL"),
                         (getattr(args, "redis_url", None), "REDIS_URL")):
        if option:
            settings.set(name, option, priority="cmdline")
    for name in required:
        if not settings.get(name):
            what = {"SEARCH_URL": "search cluster", "REDIS_URL": "Redis"}.get(name, name)
            flag = "--" + name.lower().replace("_", "-")
            print(f"yuqing {command}: no {what}: set {name} or pass {flag}", file=sys.stderr)
            return None
    return settings


def cluster_index(settings):
    """The shared cluster index when Redis is configured, else None."""
    if not settings.get("REDIS_URL"):
        return None
    import redis

    from yuqing.cluster.index import ClusterIndex

    return ClusterIndex.from_settings(redis.Redis.from_url(settings["REDIS_URL"]), settings)
