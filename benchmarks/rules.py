"""Rule matching: 100, 1,000 and 10,000 analyst rules over the same documents.

Rules are generated the way analysts write them (a subject and an issue, an
exclusion, proximity, a phrase, a title scope, English with a wildcard, a
platform scope) from the words of real posts: the dev corpus's Weibo posts and
sentiment sets, or the test web's text when the corpus is absent. Each size
runs in a process of its own, which loads the rules from YAML as a worker does
and matches every document; CPU seconds and RSS growth are that process's.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import yaml

from benchmarks.common import RUN_DIR, rss_of, run_measured, say, target

SIZES = (100, 1_000, 10_000)
TARGET_DOCS_PER_CORE = 2_000
_ZH_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
_EN_WORD = re.compile(r"[a-z]{4,12}")
_PLATFORMS = ("weibo", "news", "forum", "douyin", "bilibili")


def corpus_dir() -> Path | None:
    from yuqing.extract.evaluate import find_corpus

    return find_corpus()


def corpus_documents() -> tuple[list[dict], str]:
    """Documents to match (shaped like ours) and where they came from."""
    corpus = corpus_dir()
    docs: list[dict] = []
    if corpus is not None and (corpus / "posts" / "zh_weibo_posts.jsonl").exists():
        with open(corpus / "posts" / "zh_weibo_posts.jsonl", encoding="utf-8") as posts:
            docs += [_post(json.loads(line)["text"], "zh", "weibo") for line in posts if line.strip()]
        for path in sorted((corpus / "sentiment").glob("*.csv")):
            with open(path, encoding="utf-8", newline="") as rows:
                docs += [_post(row["text"], path.stem, "weibo" if path.stem == "zh" else "twitter")
                         for row in csv.DictReader(rows)]
        source = "dev corpus (Weibo posts, sentiment sets) + test web news"
    else:
        source = "test web (corpus not found)"
    docs += test_web_documents()
    return docs, source


def test_web_documents() -> list[dict]:
    from yuqing.testweb.content.news import ARTICLES
    from yuqing.testweb.content.social import POSTS

    docs = [{"title": a.title, "content": "\n".join(a.paragraphs), "lang": a.lang, "platform": "news",
             "channel": "news", "source": "news.binhai.example", "author": {"name": a.author}} for a in ARTICLES]
    return docs + [_post(p.text, "zh", "testsocial") for p in POSTS]


def _post(text: str, lang: str, platform: str) -> dict:
    return {"title": text[:30], "content": text, "lang": lang, "platform": platform,
            "channel": "social", "source": platform, "author": {"name": None}}


def vocabulary(docs: list[dict]) -> tuple[list[str], list[str]]:
    """Chinese words (jieba) and English words of the documents, most frequent first."""
    import jieba

    jieba.setLogLevel(60)
    zh_stop, en_stop = _stop_words("zh"), _stop_words("en")
    zh, en = Counter(), Counter()
    for doc in docs:
        text = doc["content"]
        if doc["lang"] == "zh":
            zh.update(w for w in jieba.lcut(text) if _ZH_WORD.fullmatch(w) and w not in zh_stop)
        else:
            en.update(w for w in _EN_WORD.findall(text.lower()) if w not in en_stop)
    # Words seen once are mostly noise; the few hundred most frequent are the
    # everyday words no analyst builds a rule on.
    return ([w for w, c in zh.most_common() if c > 1][50:3050],
            [w for w, c in en.most_common() if c > 1][50:1550])


def _stop_words(lang: str) -> set[str]:
    from yuqing.enrich.keywords import DATA_DIR

    lines = (DATA_DIR / f"{lang}_stopwords.txt").read_text(encoding="utf-8").splitlines()
    return {w.strip().lower() for w in lines if w.strip() and not w.startswith("#")}


def generate_rules(count: int, zh: list[str], en: list[str], seed: int = 9) -> list[dict]:
    rng = random.Random(seed)

    def any_of(words: list[str], n: int) -> str:
        picked = rng.sample(words, n)
        return picked[0] if n == 1 else "(" + " OR ".join(picked) + ")"

    shapes = (
        (30, lambda: f"{any_of(zh, 3)} {any_of(zh, 3)} -{rng.choice(zh)}"),
        (15, lambda: f"{any_of(zh, 2)} NEAR/8 {any_of(zh, 3)}"),
        (10, lambda: f'"{rng.choice(zh)} {rng.choice(zh)}" OR ({rng.choice(zh)} {any_of(zh, 2)})'),
        (10, lambda: f"title:{any_of(zh, 2)} {any_of(zh, 2)}"),
        (20, lambda: f"({rng.choice(en)} OR {rng.choice(en)[:5]}*) {any_of(en, 3)} -{rng.choice(en)}"),
        (10, lambda: f"platform:{rng.choice(_PLATFORMS)} {any_of(zh, 2)} {rng.choice(zh)}"),
        (5, lambda: f"({any_of(zh, 2)} OR {rng.choice(en)}) NEAR/12f {any_of(zh, 2)}"),
    )
    weights = [w for w, _ in shapes]
    rules = []
    for n in range(count):
        make = rng.choices([s for _, s in shapes], weights)[0]
        rule = {"id": f"bench-{n:05d}", "query": make(), "priority": rng.choice(("low", "medium", "high", "critical"))}
        if rng.random() < 0.2:
            rule["sentiment"] = "negative"
        rules.append(rule)
    return rules


def write_rules(path: Path, rules: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"rules": rules}, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def material() -> tuple[list[dict], str, list[str], list[str]]:
    """Documents, their source, and their Chinese and English vocabularies (a few seconds: computed once)."""
    docs, source = corpus_documents()
    return (docs, source, *vocabulary(docs))


def analyst_rules(count: int, directory: Path) -> Path:
    """A rules file of ``count`` generated rules (the crawl benchmarks' workers load it)."""
    _, _, zh, en = material()
    return write_rules(directory / f"rules-{count}.yaml", generate_rules(count, zh, en))


def run(ctx) -> dict:
    work = RUN_DIR / "rules"
    work.mkdir(parents=True, exist_ok=True)
    docs, source, zh, en = material()
    all_rules = generate_rules(max(SIZES), zh, en)
    docs_file = work / "docs.jsonl"
    docs_file.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    rows, figures = [], {}
    for size in SIZES:
        rules_file = write_rules(work / f"rules-{size}.yaml", all_rules[:size])
        say(f"rules: {size} rules over {len(docs)} documents")
        out = work / f"result-{size}.json"
        measured = run_measured([sys.executable, "-m", "benchmarks.rules", "--child", str(rules_file),
                                 str(docs_file), str(out)], log=work / f"child-{size}.log", timeout=300)
        if measured.returncode != 0:
            raise RuntimeError(f"rule matching child failed; log {work / f'child-{size}.log'}")
        child = json.loads(out.read_text())
        figures[size] = child
        rows.append([f"{size:,}", f"{child['docs_per_cpu_second']:,.0f}", f"{child['match_ms_per_doc']:.3f}",
                     f"{child['rss_growth_mib']:.1f}", f"{child['load_seconds']:.2f}",
                     f"{child['matched_share']:.1%}", f"{child['mean_rules_per_doc']:.2f}"])
    big = figures[max(SIZES)]
    return {
        "title": "Rule matching (streaming matcher, CPU time of one process)",
        "columns": ["rules", "docs/s per core", "ms/doc", "RSS growth MiB", "load+compile s",
                    "docs matching >= 1 rule", "rules matched/doc"],
        "rows": rows,
        "figures": {"documents": len(docs), "document_source": source, "vocabulary_zh": len(zh),
                    "vocabulary_en": len(en), "by_size": figures},
        "targets": [target(f"docs/s per core with {max(SIZES):,} rules", big["docs_per_cpu_second"], ">=",
                           TARGET_DOCS_PER_CORE, "{:,.0f}")],
        "notes": [f"{len(docs):,} documents from the {source}; rules drawn from {len(zh):,} Chinese and "
                  f"{len(en):,} English words of the same texts (the most frequent 50 skipped). Memory is the "
                  "RSS growth of loading the YAML and compiling the matcher."],
    }


def child(rules_file: str, docs_file: str, out_file: str) -> None:
    """One size, in a fresh process: load + compile, then match every document."""
    import gc
    import os
    import time

    from yuqing.rules import Matcher, RuleSet

    docs = [json.loads(line) for line in open(docs_file, encoding="utf-8")]
    Matcher(RuleSet.from_entries([{"id": "warm", "query": "预热"}]).rules).match(docs[0])  # imports, caches
    gc.collect()
    before = rss_of(os.getpid())
    started = time.process_time()
    ruleset = RuleSet.load(rules_file)
    matcher = Matcher(ruleset.rules)
    load_seconds = time.process_time() - started
    gc.collect()
    growth = rss_of(os.getpid()) - before
    for doc in docs[:200]:  # warm the per-text caches the way a running worker has them
        matcher.match(doc)
    started = time.process_time()
    hits = [len(matcher.match(doc)) for doc in docs]
    cpu = time.process_time() - started
    Path(out_file).write_text(json.dumps({
        "rules": len(ruleset.rules), "invalid_rules": len(ruleset.errors), "documents": len(docs),
        "cpu_seconds": cpu, "docs_per_cpu_second": len(docs) / cpu, "match_ms_per_doc": cpu / len(docs) * 1000,
        "rss_growth_mib": growth / 1024 / 1024, "load_seconds": load_seconds,
        "matched_share": sum(1 for h in hits if h) / len(docs), "mean_rules_per_doc": sum(hits) / len(docs),
    }))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child(*sys.argv[2:])
    else:
        sys.exit("usage: python -m benchmarks.rules --child RULES.yaml DOCS.jsonl OUT.json (the runner calls it)")
