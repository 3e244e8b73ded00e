"""Scoring clusters against labels, and labeled sets built from the evaluation
corpus (``/work/shared/corpus/dev`` or ``$YUQING_CORPUS``).

Scores are pairwise: every pair of documents with the same label is a
positive, and a pair put in one cluster counts as predicted positive.

The news set republishes each gold article body of ``extraction*/`` three
times with the edits the test web's mirror sites make: a reprint (editor's
note, "转载自"/"originally published" footer), an edit (one paragraph of at
least five dropped, an update sentence added) and a truncation (the last fifth
of the paragraphs cut, as sites that end with "阅读全文" do). Different articles
are different stories.

The Weibo set (``zh_weibo_posts.jsonl`` of the evaluation corpus) is labeled
without SimHash, so the labels do not echo the method under test: posts whose
character 4-gram Jaccard similarity is at least 0.5 are one story (the corpus
has real copies: the same news with another hashtag in front, template posts).
To each post of at least 40 characters it adds a repost in Weibo's chain
syntax, ``<comment>//@<user>:<post>``, with a comment and user name taken
from the corpus' own repost chains; and each of the corpus' real chains is
paired with the text at its end.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from .simhash import REPOST_MARK

# A pair of posts this similar (character 4-grams) is one story in the labels.
SAME_STORY_JACCARD = 0.5
MIN_POST_CHARS = 40
# Comments longer than this are commentary rather than a repost's remark.
MAX_COMMENT_CHARS = 20


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
    lang: str
    title: str
    content: str


_REPRINT = {
    "zh": ("【编者按】本网转载此文，供读者参考。", "（本文转载自{site}，版权归原作者所有，如有侵权请联系删除）",
           "记者发稿后获悉，有关部门将于近日公布进一步情况。"),
    "en": ("Editor's note: this story is republished with permission.",
           "This article was originally published by {site}. All rights reserved.",
           "Update: officials said more details would be released in the coming days."),
}


def news_labeled_set(corpus: Path) -> list[LabeledDoc]:
    docs: list[LabeledDoc] = []
    for meta_path in sorted(corpus.glob("extraction*/*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = (meta.get("gold") or {}).get("body")
        if not body or meta.get("lang") not in ("zh", "en"):
            continue
        lang, story, site = meta["lang"], meta["id"], meta.get("site") or "another site"
        title = (meta.get("gold") or {}).get("title") or ""
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        note, footer, update = _REPRINT[lang]
        prefix = "转载：" if lang == "zh" else "Repost: "
        docs.append(LabeledDoc(story, story, lang, title, "\n".join(paras)))
        docs.append(LabeledDoc(f"{story}-reprint", story, lang, prefix + title if title else "",
                               "\n".join([note, *paras, footer.format(site=site)])))
        if len(paras) >= 5:
            edited = paras[:len(paras) // 2] + paras[len(paras) // 2 + 1:] + [update]
            docs.append(LabeledDoc(f"{story}-edited", story, lang, title, "\n".join(edited)))
        if len(paras) >= 5:
            docs.append(LabeledDoc(f"{story}-truncated", story, lang, title,
                                   "\n".join(paras[:len(paras) - len(paras) // 5])))
    return docs


@dataclass(frozen=True)
class LabeledPost:
    id: str
    label: str
    text: str
    kind: str
    """``post`` (from the corpus), ``repost`` (constructed), ``chain`` (a real
    repost chain from the corpus) or ``chain-end`` (the text ending a chain)."""


def _grams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 4] for i in range(len(text) - 3)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def weibo_labeled_set(path: Path, seed: int = 7) -> list[LabeledPost]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    chains = [r for r in rows if "//@" in r["text"]]
    posts = [r for r in rows if "//@" not in r["text"] and len(r["text"]) >= MIN_POST_CHARS]

    comments, users = ["转发微博"], []
    for row in chains:
        parts = REPOST_MARK.split(row["text"])
        users += parts[1::2]
        comments += [c.strip() for c in parts[0::2][:-1] if 0 < len(c.strip()) <= MAX_COMMENT_CHARS]

    grams = {r["id"]: _grams(r["text"]) for r in posts}
    label = {r["id"]: r["id"] for r in posts}

    def find(x: str) -> str:
        while label[x] != x:
            label[x] = label[label[x]]
            x = label[x]
        return x

    for a, b in itertools.combinations(grams, 2):
        if _jaccard(grams[a], grams[b]) >= SAME_STORY_JACCARD:
            label[find(a)] = find(b)

    rnd = random.Random(seed)
    out: list[LabeledPost] = []
    for r in posts:
        story = find(r["id"])
        out.append(LabeledPost(r["id"], story, r["text"], "post"))
        out.append(LabeledPost(f"{r['id']}-repost", story,
                               f"{rnd.choice(comments)}//@{rnd.choice(users)}:{r['text']}", "repost"))
    chain_stories: list[tuple[set[str], str]] = []
    for r in chains:
        end = REPOST_MARK.split(r["text"])[-1].strip()
        end_grams = _grams(end)
        known = [(find(p["id"]), grams[p["id"]]) for p in posts] + [(s, g) for g, s in chain_stories]
        best = max(known, key=lambda sg: _jaccard(sg[1], end_grams))
        if _jaccard(best[1], end_grams) >= SAME_STORY_JACCARD:
            story = best[0]
        else:
            story = f"{r['id']}-chain"
            chain_stories.append((end_grams, story))
        out.append(LabeledPost(r["id"], story, r["text"], "chain"))
        if end:
            out.append(LabeledPost(f"{r['id']}-end", story, end, "chain-end"))
    return out

