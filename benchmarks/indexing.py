"""Indexing: documents/second through our bulk indexer vs opensearch-py's helpers.

Ours is ``SearchStore.bulk_index`` called as ``pipelines/index.py`` calls it:
batches of ``BULK_INDEXER_BATCH_SIZE`` one after another. The baseline is
``opensearchpy.helpers.streaming_bulk`` (what ``helpers.bulk`` wraps) at
several chunk sizes, on the same client, with the same documents turned into
the same ``_source`` (``SearchStore.to_source``: the derived ``seg.*`` and
``match.*`` fields are part of indexing a document in our schema) in its action
generator. Every run starts from dropped indices.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from datetime import datetime, timedelta, timezone

from benchmarks.common import say, target

UNIQUE_ARTICLES = 160
COPIES = 6
CHUNK_SIZES = (500, 1000, 2000)
MONTHS = 3
ROUNDS = 2
TARGET_RATIO = 0.9
PREFIX = "bench-index"


def documents() -> list[dict]:
    """Real documents: the benchmark site's articles and corpus posts, parsed,
    normalized and enriched as the pipeline does, then copied under new ids
    and publish months so each copy is a document of its own."""
    from scrapy.http import HtmlResponse, Request

    from benchmarks import rules, site
    from crawlers.parsers.base import Page
    from crawlers.parsers.news import NewsParser
    from pipelines.normalize import NormalizePipeline
    from yuqing.enrich import Enricher
    from yuqing.schema import Document, make_id, utc_now_iso
    from yuqing.testweb import news_site

    class _Stats:
        def inc_value(self, *args, **kwargs) -> None:
            pass

    parser, normalize, enricher = NewsParser(), NormalizePipeline(_Stats(), "Asia/Shanghai"), Enricher()
    base: list[Document] = []
    for n in range(1, UNIQUE_ARTICLES + 1):
        served = news_site.article_response(site.article(n))
        url = f"http://bench.example{site.article(n).path}"
        response = HtmlResponse(url, body=served.body, headers={"Content-Type": served.content_type},
                                request=Request(url))
        page = Page.from_response(response)
        page.crawled_at = utc_now_iso()
        base += parser.parse(page, "article").documents
    posts, _, _, _ = rules.material()
    for n, post in enumerate(p for p in posts if p["platform"] != "news"):
        if len(base) >= 2 * UNIQUE_ARTICLES:
            break
        base.append(Document(id=make_id(platform="weibo", post_id=str(n)), platform=post["platform"], channel="social",
                             url=f"https://weibo.example/p/{n}", content=post["content"], lang=post["lang"],
                             source=post["platform"], published_at="2025-06-01T08:00:00Z", crawled_at=utc_now_iso()))
    docs = []
    for doc in base:
        doc = normalize.normalize(doc)
        fields = enricher.enrich({"title": doc.title, "content": doc.content, "lang": doc.lang})
        doc = replace(doc, sentiment=fields["sentiment"], lang=fields["lang"], keywords=fields["keywords"],
                      region=fields["region"])
        for copy in range(COPIES):
            published = datetime(2024, 1 + copy % MONTHS, 1, tzinfo=timezone.utc) + timedelta(minutes=len(docs))
            docs.append(asdict(replace(doc, id=f"{doc.id[:32]}{copy:08x}", url=f"{doc.url}?copy={copy}",
                                       published_at=published.strftime("%Y-%m-%dT%H:%M:%SZ"))))
    return docs


def _ours(store, docs: list[dict], batch_size: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(docs), batch_size):
        outcome = store.bulk_index(docs[i:i + batch_size])
        if outcome.indexed != len(docs[i:i + batch_size]):
            raise RuntimeError(f"bulk_index: {len(outcome.retry)} to retry, {outcome.failed[:1]} failed")
    return time.perf_counter() - started


def _helpers(store, docs: list[dict], chunk_size: int) -> float:
    from opensearchpy.helpers import streaming_bulk

    actions = ({"_index": store.index_for(doc), "_id": doc["id"], "_source": store.to_source(doc)} for doc in docs)
    started = time.perf_counter()
    indexed = sum(ok for ok, _ in streaming_bulk(store.backend.client, actions, chunk_size=chunk_size,
                                                  max_retries=0, raise_on_error=True))
    if indexed != len(docs):
        raise RuntimeError(f"streaming_bulk indexed {indexed} of {len(docs)}")
    return time.perf_counter() - started


def _fresh(store, docs: list[dict]) -> None:
    # Monthly indices are created before the clock starts: in a running
    # deployment they exist nearly always, and creating one costs more than
    # indexing hundreds of documents.
    store.drop()
    store.ensure_index()
    for index in sorted({store.index_for(doc) for doc in docs} - {f"{store.alias}-undated"}):
        store.backend.client.indices.create(index=index)


def run(ctx) -> dict:
    from yuqing.store.search import SearchStore
    from yuqing.worker import project_settings

    batch_size = project_settings().getint("BULK_INDEXER_BATCH_SIZE")
    say("indexing: preparing documents (parse, normalize, enrich)")
    docs = documents()
    store = SearchStore.from_url(ctx.search_url, prefix=PREFIX)
    store.to_source(docs[0])  # jieba's dictionary loads once, outside every timing
    best_of: dict[tuple[str, int], float] = {}
    # Rounds over every indexer, the best of each kept: a burst of load from
    # another process on the machine hits one run, not one indexer.
    # Ours also at the largest chunk: tells the batch size from the code.
    plan = [("ours", batch_size), ("ours", max(CHUNK_SIZES)), *(("helpers", c) for c in CHUNK_SIZES)]
    for round_ in range(1, ROUNDS + 1):
        say(f"indexing: round {round_}/{ROUNDS}: {len(docs):,} documents, ours (batch {batch_size}, "
            f"{max(CHUNK_SIZES)}) and streaming_bulk (chunk {', '.join(map(str, CHUNK_SIZES))})")
        for kind, size in plan:
            _fresh(store, docs)
            rate = len(docs) / (_ours if kind == "ours" else _helpers)(store, docs, size)
            best_of[kind, size] = max(rate, best_of.get((kind, size), 0.0))
    runs = [(kind, size, rate) for (kind, size), rate in best_of.items()]
    started = time.process_time()
    for doc in docs:
        store.to_source(doc)
    source_ms = (time.process_time() - started) / len(docs) * 1000
    store.drop()
    store.backend.close()
    ours = best_of["ours", batch_size]
    best_size, best = max(((size, rate) for kind, size, rate in runs if kind == "helpers"), key=lambda r: r[1])
    rows = [[("SearchStore.bulk_index (ours), batch " if kind == "ours" else "helpers.streaming_bulk, chunk ")
             + str(size), f"{rate:,.0f}", f"{rate / best:.2f}"] for kind, size, rate in runs]
    return {
        "title": "Indexing: our bulk indexer vs opensearch-py helpers",
        "columns": ["indexer", "docs/s", "vs best helpers"],
        "rows": rows,
        "figures": {"documents": len(docs), "ours_docs_per_second": ours, "best_chunk_size": best_size,
                    "best_helpers_docs_per_second": best, "to_source_cpu_ms_per_doc": source_ms,
                    "runs": [{"indexer": k, "size": s, "docs_per_second": r} for k, s, r in runs]},
        "targets": [target(f"ours (batch {batch_size}, as configured) / best helpers (chunk {best_size}) docs/s",
                           ours / best, ">=", TARGET_RATIO)],
        "notes": [f"{len(docs):,} documents ({UNIQUE_ARTICLES} benchmark-site articles and up to as many corpus "
                  f"posts, parsed and enriched, {COPIES} copies each over {MONTHS} publish months) into one "
                  f"OpenSearch node, the monthly indices created before timing; each figure is the best of "
                  f"{ROUNDS} runs, the indexers taking turns.",
                  f"Both sides build each document's _source with SearchStore.to_source (jieba words, "
                  f"normalized match fields): {source_ms:.2f} ms CPU per document of the time measured.",
                  f"The pipeline sends a batch when {batch_size} documents are buffered or the oldest is "
                  "BULK_INDEXER_FLUSH_INTERVAL old, so a worker crawling a few dozen pages a second sends "
                  "smaller batches still; full batches occur when a spool is replayed."],
    }
