"""One worker process hosting one or more spiders on one reactor.

Operators scale by running more of these (on any host) against the same Redis;
docker compose's ``worker`` service runs exactly this.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def project_settings(overrides: dict[str, Any] | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if not settings.getbool("YUQING_SETTINGS"):
        raise RuntimeError(
            f"the settings module {os.environ['SCRAPY_SETTINGS_MODULE']!r} is not yuqing's: another "
            "installed package named 'settings' shadows it; run from the project root or reinstall")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_worker(spiders: list[str], overrides: dict[str, Any] | None = None,
               stats_file: str | None = None) -> dict[str, dict]:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(project_settings(overrides))
    crawlers = []
    for name in spiders:
        crawler = process.create_crawler(name)
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    stats = {c.spider.name if c.spider else "?": _jsonable(c.stats.get_stats()) for c in crawlers}
    if stats_file:
        Path(stats_file).parent.mkdir(parents=True, exist_ok=True)
        Path(stats_file).write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    return stats


def _jsonable(stats: dict) -> dict:
    return {k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v)) for k, v in stats.items()}
