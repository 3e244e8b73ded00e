"""Sentiment quality on the held-out split of the dev corpus, beside baselines.

Needs the dev corpus (``$YUQING_CORPUS`` or ``<repo>/../shared/corpus/dev``);
skipped without it. The held-out rows are the ones ``train_sentiment`` never
trains on, checked through the split fingerprint stored in the model.
Baselines (snownlp for Chinese, VADER for English) run on the same rows in the
same run when installed; without them only the baseline columns are skipped.

Figures reached when the shipped model was trained (held-out, int8 weights):
zh accuracy 0.767 / macro-F1 0.734, en 0.679 / 0.651. The issue's targets
(0.80 / 0.75) are not reached; the floors below guard against regressions.
"""
from __future__ import annotations

import pytest

from yuqing.enrich import default_enricher
from yuqing.enrich.train_sentiment import LANGS, load_rows, scores, split_fingerprint, split_rows

# Reached minus a margin of 0.02.
FLOORS = {"zh": {"accuracy": 0.745, "macro_f1": 0.715}, "en": {"accuracy": 0.66, "macro_f1": 0.63}}


def _snownlp_labels(texts: list[str]) -> list[str]:
    from snownlp import SnowNLP

    # snownlp gives P(positive) only; the middle band stands for neutral.
    out = []
    for text in texts:
        p = SnowNLP(text).sentiments
        out.append("positive" if p >= 0.6 else "negative" if p <= 0.4 else "neutral")
    return out


def _vader_labels(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        compound = analyzer.polarity_scores(text)["compound"]  # VADER's documented +-0.05 thresholds
        out.append("positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral")
    return out


BASELINES = {"zh": ("snownlp", "snownlp", _snownlp_labels), "en": ("VADER", "vaderSentiment", _vader_labels)}


@pytest.fixture(scope="module")
def splits(corpus):
    return {lang: split_rows(load_rows(lang, corpus)) for lang in LANGS}


def test_split_is_deterministic_disjoint_and_stratified(splits, corpus):
    for lang, (train, heldout) in splits.items():
        assert {r["text"] for r in train}.isdisjoint(r["text"] for r in heldout)
        assert split_rows(load_rows(lang, corpus)) == (train, heldout)
        share = len(heldout) / (len(train) + len(heldout))
        assert 0.25 <= share <= 0.35
        for label in ("positive", "negative"):
            assert any(r["label"] == label for r in heldout)


@pytest.mark.parametrize("lang", LANGS)
def test_heldout_quality(lang, splits):
    model = default_enricher().sentiment_model
    meta = model.meta[lang]
    train, heldout = splits[lang]
    assert meta["heldout_sha1"] == split_fingerprint(heldout), \
        "the shipped model was trained on another split; rerun python -m yuqing.enrich.train_sentiment"

    gold = [r["label"] for r in heldout]
    ours = scores(gold, [model.predict(r["text"], lang)["label"] for r in heldout])
    rows = [("yuqing", ours)]
    name, module, baseline = BASELINES[lang]
    try:
        __import__(module)
    except ImportError:
        print(f"\n[{lang}] baseline {name} not installed: skipped")
        base = None
    else:
        base = scores(gold, baseline([r["text"] for r in heldout]))
        rows.append((name, base))
    print(f"\n[{lang}] held-out n={len(heldout)} (train n={len(train)}; "
          f"5-fold CV on train at training time: {meta.get('cv', 'not run')})")
    for who, s in rows:
        print(f"  {who:<8} accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}")

    assert ours["accuracy"] >= FLOORS[lang]["accuracy"], ours
    assert ours["macro_f1"] >= FLOORS[lang]["macro_f1"], ours
    # The figures recorded at training come from the same code path; a gap
    # means featurize() drifted (e.g. jieba's dictionary changed) since training.
    assert abs(ours["accuracy"] - meta["heldout"]["accuracy"]) <= 0.01
    if base is not None:
        assert ours["accuracy"] > base["accuracy"] and ours["macro_f1"] > base["macro_f1"]
