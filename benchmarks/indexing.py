"""Indexing: documents/second through our bulk indexer vs opensearch-py's helpers.

Ours is ``SearchStore.bulk_index`` called as ``pipelines/index.py`` calls it:
batches of ``BULK_INDEXER_BATCH_SIZE`` one after another. The baseline is
``opensearchpy.helpers.streaming_bulk`` (what ``helpers.bulk`` wraps), on the
same client, with the same documents turned into the same ``_source``
(``SearchStore.to_source``: the derived ``seg.*`` and ``match.*`` fields are
part of indexing a document in our schema) in its action generator. Both run
at our batch size and at larger ones, so the code and the batch size can be
told apart. Besides docs/s, the CPU both sides spend per document (this
process and the OpenSearch JVM) is measured: unlike docs/s, it hardly moves
with what else the machine runs.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from datetime import datetime, timedelta, timezone

from benchmarks.common import process_cpu, say, target

UNIQUE_ARTICLES = 160
COPIES = 4
LARGER_BATCHES = (500, 2000)
MONTHS = 3
ROUNDS = 3
WARM_UP_RUNS = 4
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
            docs.append(asdict(replace(doc, id=f"{doc.id[:24]}{copy:08x}", url=f"{doc.url}?copy={copy}",
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


def _new_ids(docs: list[dict], run: int) -> list[dict]:
    # Every run adds new documents to the same indices: no run updates
    # another's, and no index is deleted or created between runs (both keep
    # the node busy in the background).
    return [{**doc, "id": f"{doc['id']}{run:08x}"} for doc in docs]


def run(ctx) -> dict:
    from yuqing.store.search import SearchStore
    from yuqing.worker import project_settings

    configured = project_settings().getint("BULK_INDEXER_BATCH_SIZE")
    sizes = (configured, *LARGER_BATCHES)
    say("indexing: preparing documents (parse, normalize, enrich)")
    docs = documents()
    store = SearchStore.from_url(ctx.search_url, prefix=PREFIX)
    server = ctx.pid("opensearch")
    _fresh(store, docs)
    for run in range(WARM_UP_RUNS):  # unmeasured: the JVM compiles its indexing path
        (_ours if run % 2 else _helpers)(store, _new_ids(docs, run), configured)
    plan = [(kind, size) for size in sizes for kind in ("ours", "helpers")]
    runs: dict[tuple[str, int], list[tuple[float, float]]] = {step: [] for step in plan}
    # Rounds in a rotating order: a burst of load from another process hits
    # one run, not always the same indexer.
    for round_ in range(ROUNDS):
        say(f"indexing: round {round_ + 1}/{ROUNDS}: {len(docs):,} documents, ours and streaming_bulk at "
            f"batches of {', '.join(map(str, sizes))}")
        for kind, size in plan[round_:] + plan[:round_]:
            batch = _new_ids(docs, WARM_UP_RUNS + round_ * len(plan) + plan.index((kind, size)))
            cpu = time.process_time() + process_cpu(server)
            seconds = (_ours if kind == "ours" else _helpers)(store, batch, size)
            cpu = time.process_time() + process_cpu(server) - cpu
            runs[kind, size].append((len(docs) / seconds, cpu / len(docs) * 1000))
    started = time.process_time()
    for doc in docs:
        store.to_source(doc)
    source_ms = (time.process_time() - started) / len(docs) * 1000
    store.drop()
    store.backend.close()
    rate = {step: max(r for r, _ in measured) for step, measured in runs.items()}
    cpu_ms = {step: min(ms for _, ms in measured) for step, measured in runs.items()}
    best_size = max(sizes, key=lambda size: rate["helpers", size])
    ours = rate["ours", configured]
    rows = [[size, f"{rate['ours', size]:,.0f}", f"{rate['helpers', size]:,.0f}",
             f"{rate['ours', size] / rate['helpers', size]:.2f}", f"{cpu_ms['ours', size]:.2f}",
             f"{cpu_ms['helpers', size]:.2f}"] for size in sizes]
    return {
        "title": "Indexing: our bulk indexer vs opensearch-py helpers",
        "columns": ["batch / chunk", "ours docs/s", "streaming_bulk docs/s", "ours / helpers",
                    "ours CPU ms/doc", "helpers CPU ms/doc"],
        "rows": rows,
        "figures": {"documents": len(docs), "configured_batch": configured, "best_chunk_size": best_size,
                    "to_source_cpu_ms_per_doc": source_ms,
                    "runs": [{"indexer": k, "size": s, "docs_per_second": [r for r, _ in m],
                              "cpu_ms_per_doc": [c for _, c in m]} for (k, s), m in runs.items()]},
        "targets": [
            target(f"ours (batch {configured}, as configured) / best helpers (chunk {best_size}) docs/s",
                   ours / rate["helpers", best_size], ">=", TARGET_RATIO),
            target(f"ours / helpers at the same batch ({configured}) docs/s", ours / rate["helpers", configured],
                   ">=", TARGET_RATIO),
        ],
        "notes": [f"{len(docs):,} documents ({UNIQUE_ARTICLES} benchmark-site articles and up to as many corpus "
                  f"posts, parsed and enriched, {COPIES} copies each over {MONTHS} publish months) into one "
                  "OpenSearch node, into monthly indices created before timing, each run adding new documents. "
                  f"{ROUNDS} runs of each, after {WARM_UP_RUNS} warm-up runs: docs/s the best, CPU (client + "
                  "server per document) the least.",
                  f"Both sides build each document's _source with SearchStore.to_source (jieba words, "
                  f"normalized match fields): {source_ms:.2f} ms CPU per document of the client's time.",
                  f"The pipeline sends a batch when {configured} documents are buffered or the oldest is "
                  "BULK_INDEXER_FLUSH_INTERVAL old, so a worker crawling a few dozen pages a second sends "
                  "smaller batches still; full batches occur when a spool is replayed."],
    }
