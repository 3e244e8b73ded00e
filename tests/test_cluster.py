"""SimHash fingerprints, the shared cluster index in a real Redis, and the
clustering pipeline."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter

import pytest
import redis
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from pipelines.cluster import ClusterPipeline
from yuqing.cluster import story_time
from yuqing.cluster.evaluate import mirror_labeled_set, pairwise
from yuqing.cluster.index import ClusterIndex
from yuqing.cluster.simhash import (Fingerprint, clean_content, clean_title, fingerprint, hamming, shingles,
                                    simhash, words)
from yuqing.schema import Document

BODY = (
    "滨海市临港工业区海川化工有限公司一座原料仓库11月22日凌晨发生火灾，市消防救援支队调派12辆消防车赶赴现场，"
    "经过约三个小时扑救，明火于凌晨5时10分被扑灭，事故未造成人员伤亡。\n"
    "市生态环境局在火灾发生后启动应急监测，各点位挥发性有机物和颗粒物浓度均未超过相关标准。\n"
    "临港工业区管委会表示，将在全区开展为期一个月的消防安全隐患排查，重点检查仓储场所的电气线路。"
)
OTHER = (
    "滨海市老城区一栋居民楼厨房22日晚起火，老城区消防救援站派出3辆消防车赶到现场，约十分钟将明火扑灭，"
    "事故未造成人员伤亡。起火原因是住户外出时忘记关闭燃气灶，锅内食物干烧引燃了周围的可燃物。\n"
    "消防部门提醒市民，做饭时不要离开厨房，外出前检查燃气阀门，家中可配备灭火毯和小型灭火器。"
)


def reference_simhash(features: Counter) -> int:
    """The textbook bit-by-bit vote the lane arithmetic must reproduce."""
    from yuqing.cluster.simhash import _hash64

    votes = [0] * 64
    for feature, weight in features.items():
        h = _hash64(feature)
        for bit in range(64):
            votes[bit] += weight if h >> bit & 1 else -weight
    return sum(1 << bit for bit in range(64) if votes[bit] > 0)


# --------------------------------------------------------------------------- SimHash

def test_simhash_equals_the_bitwise_definition():
    rnd = random.Random(5)
    for _ in range(50):
        features = Counter({f"w{rnd.random()}": rnd.randint(1, 9) for _ in range(rnd.randint(1, 400))})
        assert simhash(features) == reference_simhash(features)
    assert simhash(Counter()) == 0


def test_words_are_jieba_words_for_chinese_and_lowercased_words_for_english():
    assert words("Harbour Road 大桥封闭，The BRIDGE's beams") == ["harbour", "road", "大桥", "封闭", "the", "bridge",
                                                             "s", "beams"]
    assert words("臨港工業區") == words("临港工业区")  # Traditional folds to Simplified
    assert shingles(["a", "b", "c"], 2) == Counter({"a b": 1, "b c": 1})


def test_republishing_boilerplate_is_removed():
    assert clean_title("转载：临港工业区仓库起火") == "临港工业区仓库起火"
    assert clean_title("【独家】突发！仓库起火") == "仓库起火"
    assert clean_title("Repost: Bridge closed") == "Bridge closed"
    text = "\n".join(["【编者按】本网转载此文，提醒各企业注意安全。", "正文第一段。", "（本文转载自滨海日报，如有侵权请联系删除）",
                      "Editor's note: this story has been updated with bus diversion details.",
                      "This story was originally published by Binhai Post and is republished here with permission.",
                      "点击上方蓝字关注我们", "— END —", "原文见 https://example.com/a?b=1 @某用户"])
    assert clean_content(text) == "正文第一段。\n原文见"
    # A long line is article text even when it mentions a source.
    long_line = "据滨海日报报道，" + "消防人员在储罐区外侧架设了四门移动水炮持续冷却。" * 3
    assert clean_content(long_line) == long_line


def test_a_reprint_with_notes_is_the_same_fingerprint_and_another_story_is_far():
    original = fingerprint("临港工业区一化工仓库凌晨起火", BODY)
    reprint = fingerprint("转载：临港工业区化工仓库起火，最新情况来了",
                          "【编者按】近期火灾多发，本网转载此文。\n" + BODY + "\n（本文转载自滨海日报，版权归原作者所有）")
    assert original.tokens >= 20
    assert reprint == original  # the headline only counts for short bodies
    assert hamming(original.simhash, fingerprint("", OTHER).simhash) > 20


def test_a_repost_chain_is_fingerprinted_by_the_text_it_quotes():
    quoted = fingerprint("", BODY)
    repost = fingerprint("", f"说得好//@网友甲:转发//@滨海日报:{BODY}")
    assert repost.simhash == quoted.simhash
    # A chain ending in a remark too short to tell is judged by all its text.
    assert fingerprint("", f"{BODY}//@网友乙:转发微博").simhash != quoted.simhash


def test_short_texts_count_their_title_and_stay_short():
    fp = fingerprint("仓库起火", "明火已被扑灭。")
    assert fp.tokens < 20
    assert fingerprint("", "").tokens == 0


def test_mirror_pages_separate_stories_from_same_entity_negatives():
    """Offline, through the real news parser: every pair of different stories
    is far apart (the precision margin), every story has a chain of close
    copies linking all its versions (what clustering needs)."""
    docs = mirror_labeled_set()
    fps = {d.id: fingerprint(d.title, d.content) for d in docs}
    label = {d.id: d.label for d in docs}
    cross = [hamming(fps[a].simhash, fps[b].simhash) for a, b in itertools.combinations(fps, 2)
             if label[a] != label[b]]
    assert min(cross) > 16
    for story in ("fire", "bridge"):
        members = [s for s in fps if label[s] == story]
        linked = {members[0]}
        for _ in members:
            linked |= {m for m in members for n in linked if hamming(fps[m].simhash, fps[n].simhash) <= 10}
        assert linked == set(members), story


# --------------------------------------------------------------------------- the index in Redis

T0 = 1_763_600_000  # 2025-11-20


def fp(h: int) -> Fingerprint:
    return Fingerprint(h, 50)


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


def test_create_join_and_a_recrawl_keeps_its_cluster(client):
    index = ClusterIndex(client, max_distance=3)
    h = 0x0123456789ABCDEF
    first = index.assign("a", fp(h), T0, now=T0, source="site-a")
    assert (first.cluster_id, first.action, first.via) == ("a", "created", "new")
    near = index.assign("b", fp(h ^ 0b101), T0 + 60, now=T0, source="site-b")
    assert (near.cluster_id, near.action, near.via, near.distance) == ("a", "joined", "simhash", 2)
    far = index.assign("c", fp(h ^ 0xFF), T0 + 60, now=T0)  # 8 and 6 bits away
    assert far.action == "created" and far.cluster_id == "c"
    assert index.assign("b", fp(h), T0, now=T0).action == "known"
    assert index.cluster_of("b") == "a"
    info = index.info("a")
    assert info["origin_id"] == "a" and info["origin_source"] == "site-a" and info["size"] == 2
    assert index.info("c") == {"cluster_id": "c", "origin_id": "c", "origin_time": T0 + 60, "origin_source": "",
                               "size": 1}
    assert index.info("nope") is None


def test_an_earlier_document_arriving_later_becomes_the_origin_under_the_same_id(client):
    index = ClusterIndex(client)
    h = 0xF0F0F0F0F0F0F0F0
    index.assign("late", fp(h), T0 + 7200, now=T0, source="copier")
    index.assign("later", fp(h ^ 1), T0 + 9000, now=T0, source="copier2")
    assert index.info("late")["origin_id"] == "late"
    moved = index.assign("early", fp(h ^ 2), T0, now=T0, source="newspaper")
    assert moved.cluster_id == "late" and moved.origin_moved
    info = index.info("late")
    assert (info["origin_id"], info["origin_time"], info["origin_source"], info["size"]) == \
        ("early", T0, "newspaper", 3)
    assert not index.assign("middle", fp(h ^ 3), T0 + 60, now=T0).origin_moved


def test_the_probe_finds_copies_whose_bands_all_differ(client):
    h = 0x1111222233334444
    # One bit flipped in every band: no band agrees exactly.
    copy = h ^ 0x0001000100010001
    assert ClusterIndex(client, prefix="exact", probe=False).assign("a", fp(h), T0, now=T0).action == "created"
    assert ClusterIndex(client, prefix="exact", probe=False).assign("b", fp(copy), T0, now=T0).action == "created"
    probing = ClusterIndex(client, prefix="probe", probe=True)
    probing.assign("a", fp(h), T0, now=T0)
    joined = probing.assign("b", fp(copy), T0, now=T0)
    assert (joined.cluster_id, joined.distance) == ("a", 4)


def test_reposts_and_replies_follow_their_original_in_any_order(client):
    index = ClusterIndex(client)
    # Reposts seen before their original: the first reserves a cluster, the
    # second and the original itself join it; the original becomes the origin.
    r1 = index.assign("r1", None, T0 + 600, now=T0, repost_of="orig")
    r2 = index.assign("r2", None, T0 + 900, now=T0, repost_of="orig")
    orig = index.assign("orig", fp(0xABCDEF0123456789), T0, now=T0, source="author")
    assert r1.action == "created" and (r2.cluster_id, r2.via) == ("r1", "sibling")
    assert (orig.cluster_id, orig.via, orig.origin_moved) == ("r1", "awaited", True)
    assert index.info("r1")["origin_id"] == "orig"
    # Known original: a reply joins directly, short text or not.
    reply = index.assign("reply", None, T0 + 1200, now=T0, parent_id="r2")
    assert (reply.cluster_id, reply.via) == ("r1", "reply")
    # A link beats a near-duplicate elsewhere.
    index.assign("other", fp(0x1), T0, now=T0)
    linked = index.assign("linked", fp(0x1), T0, now=T0, repost_of="orig")
    assert (linked.cluster_id, linked.via) == ("r1", "repost")


def test_short_documents_never_match_by_text(client):
    index = ClusterIndex(client)
    index.assign("a", fp(0x5), T0, now=T0)
    assert index.assign("b", None, T0, now=T0).action == "created"


def test_candidates_outside_the_window_or_expired_are_ignored(client):
    index = ClusterIndex(client, window=3600)
    h = 0x9999AAAABBBBCCCC
    index.assign("a", fp(h), T0, now=T0)
    assert index.assign("b", fp(h), T0 + 7200, now=T0).action == "created"
    # The document "expired": its band entries are dropped when next seen.
    client.delete(f"{index.prefix}:doc:b")
    assert index.assign("c", fp(h), T0 + 7200, now=T0).cluster_id == "c"
    assert not any(m.endswith(b"b") for key in client.scan_iter(f"{index.prefix}:band:*")
                   for m in client.zrange(key, 0, -1))
    assert client.ttl(f"{index.prefix}:doc:c") > 0


def test_two_workers_racing_on_the_same_stories_make_one_cluster_each(redis_url):
    """Two threads with their own connections insert copies of the same
    stories in different orders at the same time: every story must end in
    exactly one cluster whose origin is its earliest copy."""
    rnd = random.Random(11)
    stories = {f"s{n}": rnd.getrandbits(64) for n in range(40)}
    copies = []  # (doc id, story, simhash, time)
    for story, h in stories.items():
        for c in range(6):
            noise = 0 if c == 0 else 1 << rnd.randrange(64) | 1 << rnd.randrange(64)
            copies.append((f"{story}-{c}", story, h ^ noise, T0 + rnd.randrange(86400)))
    assigned: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def worker(seed: int) -> None:
        client = redis.Redis.from_url(redis_url)
        index = ClusterIndex(client, max_distance=6)
        mine = copies[:]
        random.Random(seed).shuffle(mine)
        barrier.wait()
        for doc_id, _, h, t in mine:
            assigned[doc_id] = index.assign(doc_id, fp(h), t, now=T0).cluster_id
        client.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    index = ClusterIndex(redis.Redis.from_url(redis_url))
    for story in stories:
        members = [c for c in copies if c[1] == story]
        clusters = {assigned[c[0]] for c in members}
        assert len(clusters) == 1, story
        info = index.info(clusters.pop())
        earliest = min(members, key=lambda c: c[3])
        assert (info["origin_id"], info["origin_time"], info["size"]) == (earliest[0], earliest[3], 6)
    assert pairwise({c[0]: c[1] for c in copies}, assigned).precision == 1.0


# --------------------------------------------------------------------------- pipeline

def test_pipeline_sets_cluster_ids_and_counts(redis_url):
    crawler = get_crawler(settings_dict={"REDIS_URL": redis_url})
    crawler.stats.open_spider()
    pipeline = ClusterPipeline.from_crawler(crawler)

    def doc(n: int, content: str, published: str | None, **extra) -> Document:
        return Document(id=f"d{n}", platform="news", channel="news", url=f"https://site{n}.example/a",
                        title=f"标题{n}", content=content, published_at=published, crawled_at="2025-11-22T08:00:00Z",
                        source=f"site{n}.example", **extra)

    copy = pipeline.process_item(doc(1, "转载自滨海日报\n" + BODY, "2025-11-22T03:00:00Z"))
    original = pipeline.process_item(doc(2, BODY, "2025-11-22T01:10:00Z"))
    other = pipeline.process_item(doc(3, OTHER, None))
    comment = pipeline.process_item(doc(4, "同意", None, parent_id="d2"))
    assert copy.cluster_id == original.cluster_id == comment.cluster_id == "d1"
    assert other.cluster_id == "d3"
    assert pipeline.index.info("d1")["origin_id"] == "d2"
    stats = crawler.stats.get_stats()
    assert stats["cluster/created"] == 2 and stats["cluster/joined"] == 2
    assert stats["cluster/joined/simhash"] == 1 and stats["cluster/joined/reply"] == 1
    assert stats["cluster/origin_moved"] == 1 and stats["cluster/short"] == 1
    assert story_time(None, "2025-11-22T08:00:00Z") == 1763798400


def test_pipeline_lets_documents_pass_when_redis_is_down():
    crawler = get_crawler(settings_dict={"REDIS_URL": "redis://127.0.0.1:1/0"})
    crawler.stats.open_spider()
    pipeline = ClusterPipeline.from_crawler(crawler)
    doc = Document(id="x", platform="news", channel="news", url="https://a.example/x", content=BODY,
                   crawled_at="2025-11-22T08:00:00Z")
    assert pipeline.process_item(doc).cluster_id is None
    assert crawler.stats.get_value("cluster/error") == 1


def test_pipeline_needs_redis_and_can_be_switched_off():
    with pytest.raises(NotConfigured, match="REDIS_URL"):
        ClusterPipeline.from_crawler(get_crawler(settings_dict={"REDIS_URL": None}))
    with pytest.raises(NotConfigured, match="CLUSTER_ENABLED"):
        ClusterPipeline.from_crawler(get_crawler(settings_dict={"CLUSTER_ENABLED": False,
                                                                "REDIS_URL": "redis://127.0.0.1:1/0"}))
