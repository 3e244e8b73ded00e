"""Browser spiders in real Chromium, run by a real worker process fed from
Redis, against the test web's video pages: a Douyin-like creator page whose
posts arrive only through XHR (captured, three pages by scrolling) and
YouTube-like results and watch pages embedding ``ytInitialData``.

Also checked from the worker's stats: images, fonts and media are blocked
(and never reach the server), and every browser page opened was closed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.demo import seed
from yuqing.schema import make_id
from yuqing.text import parse_datetime, to_iso

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/lib/chromium/chromium"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")


@pytest.fixture(scope="module")
def crawl(redis_service, testweb, tmp_path_factory):
    import redis

    redis.Redis.from_url(redis_service.url).flushdb()
    manifest = json.loads(__import__("urllib.request").request.urlopen(f"{testweb.url}/manifest.json").read())
    video = manifest["video"]
    entry = video["entry_points"]
    seed(redis_service.url, "", {"douyin": [entry["douyin_user"]], "youtube": [entry["youtube_search"]]})
    run_dir = tmp_path_factory.mktemp("browser")
    items, stats_file = run_dir / "items.jl", run_dir / "stats.json"
    env = {**os.environ, "REDIS_URL": redis_service.url, "YUQING_ALLOW_PRIVATE_HOSTS": "1",
           "SCRAPY_SETTINGS_MODULE": "settings"}
    env.pop("SEARCH_URL", None)
    cmd = [sys.executable, "-m", "yuqing", "worker", "douyin", "youtube", "--max-idle", "4",
           "--stats-file", str(stats_file), "-s", "FEEDS=" + json.dumps({str(items): {"format": "jsonlines"}}),
           "-s", "LOG_LEVEL=INFO"]
    log = run_dir / "worker.log"
    with open(log, "w") as out:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=300)
    docs = [json.loads(line) for line in items.read_text().splitlines()] if items.exists() else []
    return {"returncode": proc.returncode, "log": log, "docs": docs, "video": video, "web": testweb,
            "stats": json.loads(stats_file.read_text()) if stats_file.exists() else {}}


def by_platform(crawl, platform):
    return {d["post_id"]: d for d in crawl["docs"] if d["platform"] == platform}


def test_worker_exited_cleanly(crawl):
    assert crawl["returncode"] == 0, crawl["log"].read_text()[-3000:]
    assert "Traceback" not in crawl["log"].read_text()


def test_douyin_posts_come_from_captured_xhr(crawl):
    docs = by_platform(crawl, "douyin")
    expected = crawl["video"]["douyin_posts"]
    assert sorted(docs) == sorted(p["post_id"] for p in expected)
    for post in expected:
        doc = docs[post["post_id"]]
        assert doc["id"] == make_id(platform="douyin", post_id=post["post_id"])
        assert (doc["url"], doc["content"], doc["published_at"]) == (post["url"], post["content"], post["published_at"])
        assert doc["engagement"] == {"likes": post["likes"], "comments": post["comments"],
                                     "reposts": post["reposts"], "views": None}
        assert (doc["tags"], doc["region_hint"], doc["author"]["id"]) == (post["tags"], post["region_hint"],
                                                                          post["author_id"])
    stats = crawl["stats"]["douyin"]
    # Three post-list pages: one on load, two more from the spider's scrolling.
    pages = len(expected) // crawl["video"]["page_size"] + 1
    assert stats["playwright/request_count/resource_type/fetch"] == pages
    assert crawl["web"].stats.snapshot()["paths"]["/video/aweme/v1/web/aweme/post/"] >= pages


def test_youtube_videos_from_results_and_watch_pages(crawl):
    docs = by_platform(crawl, "youtube")
    expected = crawl["video"]["youtube_videos"]
    assert sorted(docs) == sorted(v["post_id"] for v in expected)
    for video in expected:
        doc = docs[video["post_id"]]
        assert (doc["url"], doc["title"], doc["content"]) == (video["url"], video["title"], video["content"])
        assert doc["published_at"] == to_iso(parse_datetime(video["published"]))
        assert doc["engagement"] == {"likes": video["likes"], "comments": video["comments"], "reposts": None,
                                     "views": video["views"]}
        assert (doc["author"]["name"], doc["author"]["id"], doc["tags"]) == (video["author"], video["author_id"],
                                                                             video["tags"])


@pytest.mark.parametrize("spider, pages", [("douyin", 1), ("youtube", 4)])
def test_every_browser_page_is_closed_and_bounded(crawl, spider, pages):
    stats = crawl["stats"][spider]
    assert stats["playwright/page_count"] == pages
    assert stats["playwright/page_count/closed"] == stats["playwright/page_count"]
    assert stats["playwright/page_count/max_concurrent"] <= 4


@pytest.mark.parametrize("spider", ["douyin", "youtube"])
def test_images_fonts_and_media_are_blocked(crawl, spider):
    stats = crawl["stats"][spider]
    heavy = sum(stats.get(f"playwright/request_count/resource_type/{t}", 0) for t in ("image", "font", "media"))
    assert heavy >= 8
    assert stats["playwright/request_count/aborted"] == heavy
    fetched_static = [p for p in crawl["web"].stats.snapshot()["paths"] if p.startswith(crawl["video"]["blocked_static_prefix"])]
    assert fetched_static == []
