"""End to end: two workers crawl the test web's republished stories
(``/mirror/feed.xml``) into a real OpenSearch, clustering through one real
Redis; then the stories' paths, the hot topics, and pairwise precision/recall
on labeled sets (the mirror set always, the evaluation corpus when present)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis

from yuqing.cluster.evaluate import cluster_documents, news_labeled_set, pairwise, weibo_labeled_set
from yuqing.cluster.index import ClusterIndex
from yuqing.cluster.story import load_story
from yuqing.cluster.topics import hot_topics
from yuqing.demo import crawl_site
from yuqing.store.search import SearchStore

pytestmark = pytest.mark.e2e

PREFIX = "clustere2e"
ROOT = Path(__file__).resolve().parent.parent


def all_docs(store: SearchStore) -> list[dict]:
    answer = store.search_body({"size": 500, "query": {"match_all": {}}, "sort": ["_doc"]})
    return [h["_source"] for h in answer["hits"]["hits"]]


@pytest.fixture(scope="module")
def world(redis_service, search_service, testweb, tmp_path_factory):
    with urllib.request.urlopen(f"{testweb.url}/manifest.json") as answer:
        mirror = json.load(answer)["mirror"]
    store = SearchStore.from_url(search_service.url, prefix=PREFIX)
    store.drop()
    redis.Redis.from_url(redis_service.url).flushdb()
    run_dir = tmp_path_factory.mktemp("cluster-crawl")
    report = crawl_site(testweb.url, redis_service.url, search_service.url, workers=2, spiders=("news",),
                        seeds={"news": ["/mirror/feed.xml"]}, index_prefix=PREFIX, max_idle=5,
                        run_dir=str(run_dir), timeout=240)
    if any(report.returncodes):
        tails = [p.read_text()[-3000:] for p in sorted(run_dir.glob("worker-*.log"))]
        pytest.fail(f"worker exit codes {report.returncodes}:\n" + "\n---\n".join(tails))
    store.refresh()
    docs = {d["url"]: d for d in all_docs(store)}
    yield {"mirror": mirror, "docs": docs, "store": store, "report": report,
           "index": ClusterIndex(redis.Redis.from_url(redis_service.url)), "redis": redis_service,
           "search": search_service}
    store.drop()


def _story_clusters(world) -> dict[str, set[str]]:
    clusters: dict[str, set[str]] = {}
    for item in world["mirror"]:
        clusters.setdefault(item["story"], set()).add(world["docs"][item["url"]]["cluster_id"])
    return clusters


def test_every_mirror_article_is_indexed_once_with_a_cluster(world):
    assert set(world["docs"]) == {item["url"] for item in world["mirror"]}
    assert all(doc["cluster_id"] for doc in world["docs"].values())
    report = world["report"]
    # 2 stories of 5 and 3 copies, 5 different stories: 7 clusters, 6 joins by text.
    assert report.total("cluster/created") == 7
    assert report.total("cluster/joined/simhash") == 6
    assert report.total("cluster/error") == 0


def test_one_cluster_per_story_and_unrelated_articles_alone(world):
    clusters = _story_clusters(world)
    assert all(len(ids) == 1 for ids in clusters.values()), clusters
    assert len({next(iter(ids)) for ids in clusters.values()}) == len(clusters)


def test_the_origin_is_the_earliest_copy(world):
    for story, ids in _story_clusters(world).items():
        items = [i for i in world["mirror"] if i["story"] == story]
        earliest = min(items, key=lambda i: i["published_at"])
        cluster_id = next(iter(ids))
        info = world["index"].info(cluster_id)
        assert info["origin_id"] == world["docs"][earliest["url"]]["id"], story
        assert info["size"] == len(items)
        # The id is the first member the workers saw, whichever that was.
        assert cluster_id in {world["docs"][i["url"]]["id"] for i in items}


def test_pairwise_precision_and_recall_on_the_mirror_set(world):
    labels = {i["url"]: i["story"] for i in world["mirror"]}
    scores = pairwise(labels, {url: doc["cluster_id"] for url, doc in world["docs"].items()})
    print(f"\nmirror set ({len(labels)} articles, 2 republished stories + 5 negatives): {scores}")
    assert scores.precision == 1.0 and scores.recall == 1.0


def _fire(world) -> tuple[str, list[dict]]:
    items = sorted((i for i in world["mirror"] if i["story"] == "fire"), key=lambda i: i["published_at"])
    return world["docs"][items[0]["url"]]["cluster_id"], items


def _env(world) -> dict[str, str]:
    return {**os.environ, "SEARCH_URL": world["search"].url, "REDIS_URL": world["redis"].url,
            "SEARCH_INDEX_PREFIX": PREFIX, "SCRAPY_SETTINGS_MODULE": "settings", "COLUMNS": "200"}


def test_story_command_prints_the_path_with_offsets(world):
    cluster_id, items = _fire(world)
    env = _env(world)
    tree = subprocess.run([sys.executable, "-m", "yuqing", "story", cluster_id], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert tree.returncode == 0, tree.stderr
    print(tree.stdout)
    assert "origin" in tree.stdout and "5 documents" in tree.stdout
    for offset in ("+52m", "+2h20m", "+4h35m", "+22h10m"):
        assert offset in tree.stdout
    # Any member's id finds the story too; --json gives the path in time order.
    member = world["docs"][items[-1]["url"]]["id"]
    answer = subprocess.run([sys.executable, "-m", "yuqing", "story", member, "--json"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    data = json.loads(answer.stdout)
    assert [s["url"] for s in data["path"]] == [i["url"] for i in items]
    assert data["origin"]["url"] == items[0]["url"] and data["first_day"] == 5
    assert [s["offset"] for s in data["path"]] == ["+0m", "+52m", "+2h20m", "+4h35m", "+22h10m"]
    assert data["speed_per_hour"] == pytest.approx(5 / (22 + 10 / 60), abs=0.001)
    missing = subprocess.run([sys.executable, "-m", "yuqing", "story", "no-such-story"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1


def test_hot_topics_rank_the_republished_story_first(world):
    cluster_id, items = _fire(world)
    # 12:00 in Shanghai the day after the fire: the last 48 hours hold the
    # whole fire story and two other local stories.
    now = datetime(2025, 11, 23, 4, 0, tzinfo=timezone.utc)
    topics = hot_topics(world["store"], hours=48, now=now, index=world["index"])
    print("\n" + "\n".join(f"{t.score:6.2f} {t.volume}/{t.previous} {t.keywords} {t.title}" for t in topics))
    top = topics[0]
    assert top.clusters[0]["cluster_id"] == cluster_id and top.clusters[0]["volume"] == 5
    assert top.representatives[0]["role"] == "origin" and top.representatives[0]["url"] == items[0]["url"]
    assert top.volume >= 5 and top.score > max(t.score for t in topics[1:])
    answer = subprocess.run([sys.executable, "-m", "yuqing", "topics", "--hours", "48", "--now",
                             "2025-11-23T04:00:00Z", "--json"], env=_env(world), cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert [t["title"] for t in json.loads(answer.stdout)] == [t.title for t in topics]


def test_story_api_reads_origin_and_metadata_from_redis(world):
    cluster_id, items = _fire(world)
    story = load_story(world["store"], cluster_id, index=world["index"])
    assert story.redis["origin_id"] == story.origin.id == world["docs"][items[0]["url"]]["id"]
    assert story.hourly[0] == 2 and sum(story.hourly) == 5 and story.edges == []


# --------------------------------------------------------------------------- labeled corpus sets

def test_precision_and_recall_on_weibo_reposts(corpus, redis_url):
    posts = weibo_labeled_set(corpus / "posts" / "zh_weibo_posts.jsonl")
    clusters = cluster_documents(ClusterIndex(redis.Redis.from_url(redis_url)), posts)
    scores = pairwise({p.id: p.label for p in posts}, clusters)
    copies = pairwise({p.id: p.label for p in posts if p.kind == "post"}, clusters)
    chains = pairwise({p.id: p.label for p in posts if p.kind.startswith("chain")}, clusters)
    print(f"\nweibo set ({len(posts)} posts): {scores}\n  copies within the corpus: {copies}\n"
          f"  real repost chains and their ends: {chains}")
    assert scores.precision >= 0.99 and scores.recall >= 0.85


def test_precision_and_recall_on_republished_news(corpus, redis_url):
    docs = news_labeled_set(corpus)
    scores = pairwise({d.id: d.label for d in docs},
                      cluster_documents(ClusterIndex(redis.Redis.from_url(redis_url)), docs))
    print(f"\nnews set ({len(docs)} documents, {len({d.label for d in docs})} articles): {scores}")
    assert scores.precision >= 0.99 and scores.recall >= 0.75
