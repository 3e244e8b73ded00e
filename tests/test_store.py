"""The search store against a real OpenSearch node."""

import pytest

from yuqing.schema import Document, make_id
from yuqing.store.flavor import SearchConfig, SearchUnavailable, connect, detect_flavor
from yuqing.store.search import SearchStore


def make_doc(n, title, content, lang="zh", published="2025-11-20T06:30:00Z", **extra):
    url = f"https://news.example.cn/a/{n}.html"
    return Document(id=make_id(platform="news", url=url), platform="news", channel="news", url=url,
                    title=title, content=content, lang=lang, published_at=published,
                    crawled_at="2025-11-21T00:00:00Z", source="news.example.cn", **extra).to_dict()


@pytest.fixture
def store(search_service):
    store = SearchStore.from_url(search_service.url, prefix="teststore")
    store.drop()
    store.ensure_index()
    yield store
    store.drop()


def test_flavor_detection():
    assert detect_flavor({"version": {"number": "2.19.1", "distribution": "opensearch"}}) == ("opensearch", 2)
    assert detect_flavor({"version": {"number": "8.17.4", "build_flavor": "default"}}) == ("elasticsearch", 8)
    assert detect_flavor({"version": {"number": "9.1.0"}}) == ("elasticsearch", 9)


def test_connect_picks_the_client_from_the_cluster(search_service):
    backend = connect(SearchConfig(url=search_service.url))
    assert backend.flavor == "opensearch" and backend.major >= 2


def test_unreachable_cluster_is_a_clear_error():
    with pytest.raises(SearchUnavailable, match="127.0.0.1:9"):
        connect(SearchConfig(url="http://127.0.0.1:9", timeout=2))


def test_ensure_index_is_idempotent_and_creates_the_alias(store):
    store.ensure_index()
    store.ensure_index()
    assert store.backend.alias_exists("teststore-docs")


def test_documents_are_routed_by_month_and_reindexing_updates(store):
    docs = [make_doc(1, "极光汽车宣布召回部分电池组", "动力电池组在极端低温环境下可能出现单体电压异常。"),
            make_doc(2, "Flood barrier budget approved", "The council approved the flood barrier budget.",
                     lang="en", published=None)]
    outcome = store.bulk_index(docs)
    assert outcome.indexed == 2 and not outcome.failed and not outcome.retry
    assert store.index_for(docs[0]) == "teststore-docs-2025.11"
    assert store.index_for(docs[1]) == "teststore-docs-undated"
    docs[0]["title"] = "极光汽车扩大召回范围"
    assert store.bulk_index(docs).indexed == 2
    store.refresh()
    assert store.count() == 2
    assert store.search("扩大召回")[0]["id"] == docs[0]["id"]


def test_chinese_and_english_keyword_search(store):
    docs = [make_doc(1, "地铁五号线开通", "地铁五号线今日开通运营，首日客流平稳。"),
            make_doc(2, "高校招生风波", "某高校招生录取过程被指存在违规操作。"),
            make_doc(3, "Battery recall widens", "Aurora Motors widened its battery recall on Monday.", lang="en")]
    store.bulk_index(docs)
    store.refresh()
    assert [h["id"] for h in store.search("五号线")] == [docs[0]["id"]]
    assert [h["id"] for h in store.search("招生录取")] == [docs[1]["id"]]
    assert [h["id"] for h in store.search("recall")] == [docs[2]["id"]]
    assert store.search("潜水艇") == []
    assert [h["id"] for h in store.search("地铁", filters={"lang": "zh"})] == [docs[0]["id"]]


def test_traditional_text_is_found_with_simplified_query(store):
    store.bulk_index([make_doc(1, "華為發佈新手機", "華為今日發佈新款手機。")])
    store.refresh()
    assert len(store.search("华为")) == 1


def test_a_rejected_document_is_reported_not_lost(store):
    good = make_doc(1, "好", "正常文档")
    bad = make_doc(2, "坏", "日期字段错误")
    bad["published_at"] = "2025-13-45T99:00:00Z"  # the cluster refuses to parse it
    outcome = store.bulk_index([good, bad])
    assert outcome.indexed == 1
    assert [d["id"] for d, _ in outcome.failed] == [bad["id"]]
    assert "400" in outcome.failed[0][1] or "mapper_parsing" in outcome.failed[0][1]
