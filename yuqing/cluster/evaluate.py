"""Pairwise precision/recall of the clustering on labeled sets, and the sweep
that chose ``CLUSTER_MAX_DISTANCE``::

    python -m yuqing.cluster.evaluate --redis-url redis://127.0.0.1:6379/0

(keys under a throwaway prefix, deleted afterwards). Scores are pairwise:
every pair of documents with the same label is a positive, a pair put in one
cluster a predicted positive. Documents are clustered through the real Redis
index in a shuffled order, as a crawl would deliver them.

* mirror: the test web's republished stories and their negatives
  (:mod:`yuqing.testweb.mirror_sites`), through the real news parser;
* news: each gold article body of the evaluation corpus (``extraction*/``)
  republished three times with the mirror sites' edits: a reprint (editor's
  note, "转载自"/"originally published" footer), an edit (the middle one of at
  least five paragraphs dropped, an update sentence added) and a truncation
  (the last fifth of the paragraphs cut, as sites that end with "阅读全文" do);
* weibo: ``posts/zh_weibo_posts.jsonl``, labeled without SimHash so the labels
  do not echo the method: posts whose character 4-gram Jaccard similarity is
  at least 0.5 are one story (the corpus has real copies: the same news under
  another hashtag, template posts). Each post of 40 characters or more gets a
  repost in Weibo's chain syntax, ``<comment>//@<user>:<post>``, with the
  comment and user taken from the corpus' own chains; each real chain is
  paired with the text at its end.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .index import ClusterIndex
from .simhash import REPOST_MARK, Fingerprint, feature_words, fingerprint, hamming, shingles, simhash

# A pair of posts this similar (character 4-grams) is one story in the labels.
SAME_STORY_JACCARD = 0.5
MIN_POST_CHARS = 40
# Comments longer than this are commentary rather than a repost's remark.
MAX_COMMENT_CHARS = 20
_REPRINT = {
    "zh": ("【编者按】本网转载此文，供读者参考。", "（本文转载自{site}，版权归原作者所有，如有侵权请联系删除）",
           "记者发稿后获悉，有关部门将于近日公布进一步情况。"),
    "en": ("Editor's note: this story is republished with permission.",
           "This article was originally published by {site}. All rights reserved.",
           "Update: officials said more details would be released in the coming days."),
}


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    true_pairs: int
    false_pairs: int
    missed_pairs: int

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __str__(self) -> str:
        return (f"precision {self.precision:.3f} recall {self.recall:.3f} F1 {self.f1:.3f} "
                f"({self.true_pairs} pairs right, {self.false_pairs} wrong, {self.missed_pairs} missed)")


def pairwise(labels: dict[str, str], clusters: dict[str, str]) -> Scores:
    """Pairwise precision/recall of ``clusters`` (doc -> cluster) against
    ``labels`` (doc -> story), over the documents in ``labels``."""
    true = false = missed = 0
    for a, b in itertools.combinations(sorted(labels), 2):
        same_story = labels[a] == labels[b]
        same_cluster = clusters.get(a) is not None and clusters.get(a) == clusters.get(b)
        true += same_story and same_cluster
        false += same_cluster and not same_story
        missed += same_story and not same_cluster
    return Scores(true / (true + false) if true + false else 1.0,
                  true / (true + missed) if true + missed else 1.0, true, false, missed)


@dataclass(frozen=True)
class LabeledDoc:
    id: str
    label: str
    """Documents with the same label tell the same story."""
    title: str
    content: str
    kind: str
    """How it was made: mirror: the site; news: ``original``, ``reprint``,
    ``edited``, ``truncated``; weibo: ``post``, ``repost`` (constructed),
    ``chain`` (a real chain), ``chain-end`` (the text ending one)."""


def mirror_labeled_set() -> list[LabeledDoc]:
    from crawlers.parsers.base import Page
    from crawlers.parsers.news import NewsParser
    from yuqing.testweb import mirror_sites

    out = []
    for article in mirror_sites.ARTICLES:
        page = Page(url=f"http://127.0.0.1{article.path}", body=mirror_sites.render(article).encode("utf-8"),
                    headers={"content-type": "text/html; charset=utf-8"}, crawled_at="2025-12-01T00:00:00Z")
        doc = NewsParser().parse(page, "article").documents[0]
        out.append(LabeledDoc(article.slug, article.story, doc.title, doc.content, article.site))
    return out


def news_labeled_set(corpus: Path) -> list[LabeledDoc]:
    docs: list[LabeledDoc] = []
    for meta_path in sorted(corpus.glob("extraction*/*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        gold = meta.get("gold") or {}
        if not gold.get("body") or meta.get("lang") not in ("zh", "en"):
            continue
        story, title = meta["id"], gold.get("title") or ""
        paras = [p.strip() for p in gold["body"].split("\n") if p.strip()]
        note, footer, update = _REPRINT[meta["lang"]]
        prefix = "转载：" if meta["lang"] == "zh" else "Repost: "
        docs.append(LabeledDoc(story, story, title, "\n".join(paras), "original"))
        docs.append(LabeledDoc(f"{story}-reprint", story, prefix + title if title else "",
                               "\n".join([note, *paras, footer.format(site=meta.get("site") or "another site")]),
                               "reprint"))
        if len(paras) >= 5:
            middle = len(paras) // 2
            docs.append(LabeledDoc(f"{story}-edited", story, title,
                                   "\n".join(paras[:middle] + paras[middle + 1:] + [update]), "edited"))
            docs.append(LabeledDoc(f"{story}-truncated", story, title,
                                   "\n".join(paras[:len(paras) - len(paras) // 5]), "truncated"))
    return docs


def _grams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 4] for i in range(len(text) - 3)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def weibo_labeled_set(path: Path, seed: int = 7) -> list[LabeledDoc]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    chains = [r for r in rows if "//@" in r["text"]]
    posts = [r for r in rows if "//@" not in r["text"] and len(r["text"]) >= MIN_POST_CHARS]

    comments, users = ["转发微博"], []
    for row in chains:
        parts = REPOST_MARK.split(row["text"])
        users += parts[1::2]
        comments += [c.strip() for c in parts[0::2][:-1] if 0 < len(c.strip()) <= MAX_COMMENT_CHARS]

    grams = {r["id"]: _grams(r["text"]) for r in posts}
    parent = {r["id"]: r["id"] for r in posts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in itertools.combinations(grams, 2):
        if _jaccard(grams[a], grams[b]) >= SAME_STORY_JACCARD:
            parent[find(a)] = find(b)

    rnd = random.Random(seed)
    out: list[LabeledDoc] = []
    for r in posts:
        story = find(r["id"])
        out.append(LabeledDoc(r["id"], story, "", r["text"], "post"))
        out.append(LabeledDoc(f"{r['id']}-repost", story, "",
                              f"{rnd.choice(comments)}//@{rnd.choice(users)}:{r['text']}", "repost"))
    chain_stories: list[tuple[set[str], str]] = []
    for r in chains:
        end = REPOST_MARK.split(r["text"])[-1].strip()
        end_grams = _grams(end)
        known = [(grams[p["id"]], find(p["id"])) for p in posts] + chain_stories
        best_grams, best_story = max(known, key=lambda gs: _jaccard(gs[0], end_grams))
        if _jaccard(best_grams, end_grams) >= SAME_STORY_JACCARD:
            story = best_story
        else:
            story = f"{r['id']}-chain"
            chain_stories.append((end_grams, story))
        out.append(LabeledDoc(r["id"], story, "", r["text"], "chain"))
        if end:
            out.append(LabeledDoc(f"{r['id']}-end", story, "", end, "chain-end"))
    return out


def fingerprints(docs: list[LabeledDoc], min_tokens: int = 20) -> dict[str, Fingerprint | None]:
    """Each document's fingerprint, None for those too short to match by text."""
    out = {}
    for doc in docs:
        fp = fingerprint(doc.title, doc.content, min_tokens=min_tokens)
        out[doc.id] = fp if fp.tokens >= min_tokens else None
    return out


def cluster_documents(index: ClusterIndex, docs: list[LabeledDoc], *, seed: int = 1,
                      prints: dict[str, Fingerprint | None] | None = None) -> dict[str, str]:
    """Cluster ``docs`` through ``index`` in a shuffled order: doc id -> cluster id."""
    prints = prints or fingerprints(docs)
    order = list(docs)
    random.Random(seed).shuffle(order)
    when = 1_763_600_000  # one moment: the time window plays no part here
    return {doc.id: index.assign(doc.id, prints[doc.id], when, now=when).cluster_id for doc in order}


def unrelated_matches(corpus: Path, distances: list[int], min_tokens: int = 20) -> tuple[int, dict[int, int]]:
    """How often clearly different texts collide: over every pair of the
    corpus' posts long enough to fingerprint (Weibo posts, the sentiment
    sets' posts and tweets) whose word-bigram Jaccard similarity is below 0.3,
    how many lie within each distance. Returns (pairs, {distance: pairs within})."""
    import csv

    texts = [json.loads(line)["text"] for line in
             (corpus / "posts" / "zh_weibo_posts.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    for name in ("zh", "en"):
        with open(corpus / "sentiment" / f"{name}.csv", encoding="utf-8", newline="") as fh:
            texts += [row["text"] for row in csv.DictReader(fh)]
    prints = []
    for text in texts:
        tokens = feature_words("", text, min_tokens)
        if len(tokens) >= min_tokens:
            prints.append((simhash(shingles(tokens, 2)), set(shingles(tokens, 2))))
    within = dict.fromkeys(distances, 0)
    pairs = 0
    for (a, fa), (b, fb) in itertools.combinations(prints, 2):
        d = hamming(a, b)
        if d <= max(distances) and len(fa & fb) / len(fa | fb) >= 0.3:
            continue  # a copy, not a collision
        pairs += 1
        for k in distances:
            within[k] += d <= k
    return pairs, within


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    import redis

    ap = argparse.ArgumentParser(description="Sweep CLUSTER_MAX_DISTANCE over the labeled sets")
    ap.add_argument("--redis-url", required=True)
    ap.add_argument("--corpus", type=Path,
                    default=Path(os.environ.get("YUQING_CORPUS") or "/work/shared/corpus/dev"))
    ap.add_argument("--distances", default="3,5,6,7,8,9,10,11,12")
    ap.add_argument("--seeds", type=int, default=3, help="insertion orders per setting")
    args = ap.parse_args(argv)

    sets = {"mirror": mirror_labeled_set()}
    if args.corpus.is_dir():
        sets["news"] = news_labeled_set(args.corpus)
        sets["weibo"] = weibo_labeled_set(args.corpus / "posts" / "zh_weibo_posts.jsonl")
    client = redis.Redis.from_url(args.redis_url)

    prints = {name: fingerprints(docs) for name, docs in sets.items()}

    def score(name: str, k: int, probe: bool, seed: int) -> Scores:
        prefix = f"yuqing:cluster-eval:{uuid.uuid4().hex}"
        try:
            index = ClusterIndex(client, prefix=prefix, max_distance=k, probe=probe)
            clusters = cluster_documents(index, sets[name], seed=seed, prints=prints[name])
            return pairwise({d.id: d.label for d in sets[name]}, clusters)
        finally:
            keys = list(client.scan_iter(f"{prefix}:*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start:start + 1000])

    print("probe  k  " + "  ".join(f"{name:>22}" for name in sets) + "   (P: worst order, R: mean)")
    for probe in (False, True):
        for k in (int(d) for d in args.distances.split(",")):
            cells = []
            for name in sets:
                runs = [score(name, k, probe, seed) for seed in range(args.seeds)]
                cells.append(f"P {min(r.precision for r in runs):.3f} "
                             f"R {sum(r.recall for r in runs) / len(runs):.3f}")
            print(f"{'yes' if probe else 'no':>5} {k:2d}  " + "  ".join(f"{c:>22}" for c in cells), flush=True)
    if args.corpus.is_dir():
        distances = [int(d) for d in args.distances.split(",")]
        pairs, within = unrelated_matches(args.corpus, distances)
        print(f"\npairs of unrelated short texts within k bits, of {pairs:,}: "
              + ", ".join(f"k={k}: {n}" for k, n in within.items()))
    return 0

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
