"""Train the sentiment model shipped in ``models/sentiment.json.gz``.

    python -m yuqing.enrich.train_sentiment [--corpus DIR] [--cv]

Reads ``sentiment/{zh,en}.csv`` of the dev corpus (``../shared/corpus/dev``
beside the repository, or ``$YUQING_CORPUS``), holds out a deterministic
stratified split that is never trained on, fits logistic regression on the
rest and writes the int8-quantised weights with the held-out figures measured
through the same code path that serves at run time.

Needs numpy, scipy and scikit-learn, which inference does not.
"""
from __future__ import annotations

import argparse
import base64
import csv
import gzip
import hashlib
import json
import logging
import os
import sys
from collections import defaultdict
from pathlib import Path

from yuqing.enrich.sentiment import FEATURE_VERSION, LABELS, MODEL_PATH, SentimentModel, featurize, hashed

logger = logging.getLogger(__name__)

LANGS = ("zh", "en")
HOLDOUT_FRACTION = 0.3
HASH_BITS = 18
# Chosen by 5-fold cross-validation on the training part (see --cv).
C_BY_LANG = {"zh": 3.0, "en": 3.0}
SEED = 20240501


def default_corpus_dir() -> Path:
    env = os.environ.get("YUQING_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev"


def load_rows(lang: str, corpus_dir: Path | None = None) -> list[dict]:
    path = (corpus_dir or default_corpus_dir()) / "sentiment" / f"{lang}.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["label"] in LABELS]


def split_rows(rows: list[dict], fraction: float = HOLDOUT_FRACTION) -> tuple[list[dict], list[dict]]:
    """``(train, heldout)``: per (label, source) stratum, rows ordered by sha1 of
    their text and the first ``fraction`` held out. Depends on nothing but the
    rows, so every run and the quality test see the same split."""
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        strata[(row["label"], row["source"])].append(row)
    train, heldout = [], []
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda r: hashlib.sha1(r["text"].encode("utf-8")).hexdigest())
        n = round(len(group) * fraction)
        heldout += group[:n]
        train += group[n:]
    return train, heldout


def split_fingerprint(heldout: list[dict]) -> str:
    """sha1 over the held-out texts, stored in the model so the quality test can
    prove it evaluates on rows the model was not trained on."""
    digest = hashlib.sha1()
    for text in sorted(r["text"] for r in heldout):
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()


def scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over :data:`LABELS` (plain Python, for the tests too)."""
    if not gold:
        return {"accuracy": 0.0, "macro_f1": 0.0, "n": 0}
    f1s = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    accuracy = sum(1 for g, p in zip(gold, predicted) if g == p) / len(gold)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / len(f1s), 4), "n": len(gold)}


def _matrix(rows: list[dict], lang: str, bits: int):
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for row in rows:
        for idx, value in sorted(hashed(featurize(row["text"], lang), bits).items()):
            indices.append(idx)
            values.append(value)
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(rows), 1 << bits))


def _fit(X, y: list[str], C: float):
    from sklearn.linear_model import LogisticRegression

    # newton-cg converges in a few iterations here; lbfgs needs ~40x longer on
    # these 2**18 mostly-empty columns. The problem is convex: same optimum.
    model = LogisticRegression(C=C, solver="newton-cg", max_iter=1000)
    model.fit(X, y)
    if tuple(model.classes_) != LABELS:
        raise ValueError(f"training labels {model.classes_} != {LABELS}")
    return model


def cross_validate(rows: list[dict], lang: str, C: float, bits: int, folds: int = 5) -> dict[str, float]:
    """Mean accuracy / macro-F1 of ``folds``-fold CV, stratified by label and source."""
    from sklearn.model_selection import StratifiedKFold

    X = _matrix(rows, lang, bits)
    y = [r["label"] for r in rows]
    strata = [r["label"] + "|" + r["source"] for r in rows]
    accs, f1s = [], []
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(rows, strata):
        model = _fit(X[train_idx], [y[i] for i in train_idx], C)
        result = scores([y[i] for i in test_idx], list(model.predict(X[test_idx])))
        accs.append(result["accuracy"])
        f1s.append(result["macro_f1"])
    return {"accuracy": round(sum(accs) / folds, 4), "macro_f1": round(sum(f1s) / folds, 4), "folds": folds}


def export_lang(model) -> dict:
    """int8 weights, bucket-major (3 per bucket), with one float scale."""
    import numpy as np

    coef = model.coef_.T.astype(np.float64)  # (buckets, labels)
    scale = float(np.abs(coef).max()) / 127.0 or 1.0
    quantized = np.clip(np.rint(coef / scale), -127, 127).astype(np.int8)
    return {
        "scale": scale,
        "intercept": [round(float(b), 6) for b in model.intercept_],
        "weights": base64.b64encode(quantized.tobytes()).decode("ascii"),
    }


def evaluate(model: SentimentModel, rows: list[dict], lang: str) -> dict[str, float]:
    predicted = [model.predict(r["text"], lang)["label"] for r in rows]
    return scores([r["label"] for r in rows], predicted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="dev corpus dir (holds sentiment/)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--bits", type=int, default=HASH_BITS)
    parser.add_argument("--cv", action="store_true", help="also report 5-fold CV on the training part")
    parser.add_argument("--C", type=float, default=None, help="override the regularisation for all languages")
    parser.add_argument("--dry-run", action="store_true", help="evaluate but do not write the model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    data = {"feature_version": FEATURE_VERSION, "labels": list(LABELS), "hash_bits": args.bits,
            "langs": {}, "meta": {}}
    splits = {}
    for lang in LANGS:
        rows = load_rows(lang, args.corpus)
        train, heldout = split_rows(rows)
        splits[lang] = (train, heldout)
        C = args.C or C_BY_LANG[lang]
        logger.info("%s: %d train / %d held-out rows, C=%s", lang, len(train), len(heldout), C)
        meta = {"train_rows": len(train), "heldout_rows": len(heldout), "C": C,
                "heldout_sha1": split_fingerprint(heldout)}
        if args.cv:
            meta["cv"] = cross_validate(train, lang, C, args.bits)
            logger.info("%s: CV on train %s", lang, meta["cv"])
        fitted = _fit(_matrix(train, lang, args.bits), [r["label"] for r in train], C)
        data["langs"][lang] = export_lang(fitted)
        data["meta"][lang] = meta

    runtime = SentimentModel(data)
    for lang, (_, heldout) in splits.items():
        data["meta"][lang]["heldout"] = evaluate(runtime, heldout, lang)
        logger.info("%s: held-out %s", lang, data["meta"][lang]["heldout"])
    if args.dry_run:
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # No name and mtime=0 in the gzip header: identical weights, identical bytes.
    with open(args.out, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    logger.info("wrote %s (%d bytes)", args.out, args.out.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
