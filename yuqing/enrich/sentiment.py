"""Sentiment (negative / neutral / positive) of Chinese and English text.

The model is multinomial logistic regression over hashed features: words
(jieba for Chinese), word bigrams, character n-grams, and a handful of
lexicon scores (hand-written Chinese lexicon, VADER's English lexicon, emoji).
It is trained by :mod:`yuqing.enrich.train_sentiment`, which shares
:func:`featurize` with inference, and shipped as int8 weights in
``models/sentiment.json.gz``; inference is plain Python (no numpy, no sklearn).

``score`` is ``P(positive) - P(negative)`` in [-1, 1]: the sign gives the
polarity, the magnitude the confidence net of the other pole. ``label`` is the
most probable class, so a text can be "neutral" with a small non-zero score.
"""
from __future__ import annotations

import base64
import gzip
import json
import logging
import math
import re
import unicodedata
import zlib
from array import array
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["LABELS", "MODEL_PATH", "MAX_CHARS", "NEUTRAL", "featurize", "emoji_sentiment", "SentimentModel"]

LABELS = ("negative", "neutral", "positive")
NEUTRAL = {"label": "neutral", "score": 0.0}
MODEL_PATH = Path(__file__).parent / "models" / "sentiment.json.gz"
# Bump whenever featurize() changes: weights trained on other features are
# silently wrong, so a model file of another version is refused at load.
FEATURE_VERSION = 1
DATA_DIR = Path(__file__).parent / "data"

# The model was trained on posts and reviews of at most ~1.4k characters. On a
# long article the opening (title + lead) carries the stance, the l2-normalised
# features of a whole body only dilute it, and cost grows with length.
MAX_CHARS = 3000

# Lexicon scores enter the model as a few dense features among thousands of
# sparse ones; this weight (chosen by cross-validation on the training part)
# lets the L2-regularised model use them without large coefficients.
LEX_WEIGHT = 3.0

# Character n-gram lengths: Chinese words are 1-3 characters; English needs
# longer spans to see stems and misspellings. Chosen by cross-validation.
CHAR_NGRAMS = {"zh": (1, 3), "en": (3, 5)}

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\bt\.cn/\S+", re.I)
_MENTION_RE = re.compile(r"@[\w\u4e00-\u9fff\-]{1,30}")
_WEIBO_EMOTICON_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
_REPEAT_RE = re.compile(r"(.)\1{2,}")
_SPACE_RE = re.compile(r"\s+")
_EN_TOKEN_RE = re.compile(
    r"[a-z]+(?:'[a-z]+)?"          # words with contractions
    r"|#\w+|@user|\d+(?:[.,]\d+)?"
    r"|[:;=8][\-o']?[()\[\]dpo/\\|*]+|<3"  # ascii emoticons (lower-cased)
    r"|[!?.,;]+|[^\sa-z\d]",
)
_CLAUSE_END = frozenset(".,!?;:，。！？；：…")
# Skin tones, ZWJ and emoji presentation selectors: "👍🏽" should count as "👍".
_EMOJI_STRIP = dict.fromkeys([0xFE0F, 0x200D] + list(range(0x1F3FB, 0x1F400)))

_EN_NEGATORS = frozenset(
    "not no never none nobody nothing neither nor nowhere without hardly barely "
    "cannot cant dont doesnt didnt isnt arent wasnt werent wont wouldnt shouldnt couldnt aint".split()
)
_EN_BOOSTERS = frozenset(
    "very really so extremely absolutely totally completely utterly incredibly highly "
    "super most more too quite especially particularly truly deeply".split()
)
_ZH_NEGATORS = frozenset("不 没 没有 无 非 未 别 莫 勿 毫无 从未 从不 并非 不是 绝不 决不 不太 不怎么 不再 不会 不能 不要".split())
_ZH_BOOSTERS = frozenset("很 非常 太 特别 十分 极 极其 超 超级 相当 真 真的 最 更 挺 蛮 巨 贼 格外 尤其 实在 简直 好 太过 如此".split())


def _load_lexicon(name: str) -> dict[str, float]:
    lexicon: dict[str, float] = {}
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or "\t" not in line:
                continue
            word, value = line.rstrip("\n").split("\t")[:2]
            lexicon[word] = float(value)
    return lexicon


@lru_cache(maxsize=None)
def _lexicons() -> dict[str, dict[str, float]]:
    emoji = _load_lexicon("emoji_sentiment.txt")
    english = _load_lexicon("en_sentiment.txt")
    # Tokens are lower-cased; VADER lists emoticons such as ":D" in capitals.
    for word, value in list(english.items()):
        english.setdefault(word.lower(), value)
    return {"zh": {**_load_lexicon("zh_sentiment.txt"), **emoji}, "en": {**english, **emoji}}


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _normalize(text: str) -> str:
    # NFKC folds full-width ASCII (ＡＢＣ！) so both widths share features.
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_EMOJI_STRIP)
    text = _URL_RE.sub(" URL ", text)
    return _MENTION_RE.sub(" @user ", text)


def _tokens_en(text: str) -> list[str]:
    text = _REPEAT_RE.sub(r"\1\1", text.lower().replace("\u2019", "'"))
    tokens: list[str] = []
    for tok in _EN_TOKEN_RE.findall(text):
        if tok.startswith("#") and len(tok) > 1:
            # Hashtags often are the opinion itself (#fail, #love).
            tokens.append(tok)
            tok = tok[1:]
        tokens.append(tok)
    return tokens


def _tokens_zh(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    # Weibo emoticon codes ("[哈哈]") are kept whole; jieba would split them.
    for m in _WEIBO_EMOTICON_RE.finditer(text):
        tokens += _jieba().lcut(text[pos:m.start()])
        tokens.append(m.group())
        pos = m.end()
    tokens += _jieba().lcut(text[pos:])
    return [t.lower() for t in tokens if t.strip()]


def _mark_negation(tokens: list[str], negators: frozenset[str]) -> list[str]:
    """Suffix ``_NEG`` to words in a negated clause: "not good" must not look like "good"."""
    out, negated = [], False
    for tok in tokens:
        if tok[0] in _CLAUSE_END:
            negated = False
            out.append(tok)
            continue
        out.append(tok + "_NEG" if negated else tok)
        if tok in negators or tok.endswith("n't"):
            negated = True
    return out


def _lexicon_score(tokens: list[str], lang: str) -> tuple[float, float, int]:
    """Sum of positive and of negative valence, and lexicon hits.

    Valence is flipped and damped after a negator within three tokens and
    amplified after a booster word; in English, the clause after "but" outweighs
    the one before it.
    """
    lexicon = _lexicons()[lang]
    negators = _EN_NEGATORS if lang == "en" else _ZH_NEGATORS
    boosters = _EN_BOOSTERS if lang == "en" else _ZH_BOOSTERS
    values = []
    but_at = None
    for i, tok in enumerate(tokens):
        if lang == "en" and tok == "but":
            but_at = len(values)
        value = lexicon.get(tok)
        if value is None:
            continue
        before = tokens[max(0, i - 3):i]
        if any(t in negators or t.endswith("n't") for t in before):
            value *= -0.74
        if before and before[-1] in boosters:
            value *= 1.3
        values.append(value)
    if but_at is not None:
        values = [v * 0.5 for v in values[:but_at]] + [v * 1.5 for v in values[but_at:]]
    pos = sum(v for v in values if v > 0)
    neg = -sum(v for v in values if v < 0)
    return pos, neg, len(values)


def _add_block(features: dict[str, float], prefix: str, items: list[str]) -> None:
    """Sublinear tf, l2-normalised within the block, so long texts do not dominate."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    if not counts:
        return
    weights = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    for k, w in weights.items():
        features[prefix + k] = w / norm


def featurize(text: str, lang: str) -> dict[str, float]:
    """Feature name -> value for ``text`` in ``lang`` ("zh" or "en")."""
    text = _normalize(text)
    if lang == "en":
        tokens = _tokens_en(text)
        negators: frozenset[str] = _EN_NEGATORS
        chars = _SPACE_RE.sub(" ", _REPEAT_RE.sub(r"\1\1", text.lower()))
    else:
        tokens = _tokens_zh(text)
        negators = _ZH_NEGATORS
        chars = _SPACE_RE.sub("", text.lower())
    words = _mark_negation(tokens, negators)
    features: dict[str, float] = {}
    _add_block(features, "w:", words)
    _add_block(features, "b:", [a + " " + b for a, b in zip(words, words[1:])])
    low, high = CHAR_NGRAMS[lang]
    _add_block(features, "c:", [chars[i:i + n] for n in range(low, high + 1) for i in range(len(chars) - n + 1)])

    pos, neg, hits = _lexicon_score(tokens, lang)
    total = pos - neg
    scale = math.sqrt(len(tokens) + 1)
    features["L:compound"] = LEX_WEIGHT * total / math.sqrt(total * total + 15)
    features["L:pos"] = LEX_WEIGHT * pos / scale
    features["L:neg"] = LEX_WEIGHT * neg / scale
    features["L:hits"] = LEX_WEIGHT * hits / scale
    features["m:exclaim"] = math.log1p(text.count("!"))
    features["m:question"] = math.log1p(text.count("?"))
    features["m:length"] = math.log1p(len(tokens)) / 4
    return features


def emoji_sentiment(text: str) -> dict:
    """Lexicon-only polarity of the emoji in ``text``; score is the VADER-style
    normalised valence sum, and |score| < 0.3 (about one mild emoji) is neutral."""
    lexicon = _lexicons()["en"]
    total = sum(lexicon.get(ch, 0.0) for ch in unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_EMOJI_STRIP))
    score = round(total / math.sqrt(total * total + 15), 4)
    label = "positive" if score >= 0.3 else "negative" if score <= -0.3 else "neutral"
    return {"label": label, "score": score}


def _hash(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8")) & mask


def hashed(features: dict[str, float], bits: int) -> dict[int, float]:
    """Fold feature names into ``2**bits`` buckets (colliding values add up)."""
    mask = (1 << bits) - 1
    out: dict[int, float] = {}
    for key, value in features.items():
        idx = _hash(key, mask)
        out[idx] = out.get(idx, 0.0) + value
    return out


class SentimentModel:
    """Loaded weights for every language the model file holds."""

    def __init__(self, data: dict):
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"model labels {data['labels']} != {LABELS}")
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"model built for features v{data.get('feature_version')}, code has v{FEATURE_VERSION}; "
                             "retrain with python -m yuqing.enrich.train_sentiment")
        self.bits: int = data["hash_bits"]
        self.meta: dict = data.get("meta", {})
        self._langs: dict[str, tuple[array, float, list[float]]] = {}
        for lang, spec in data["langs"].items():
            weights = array("b", base64.b64decode(spec["weights"]))
            if len(weights) != len(LABELS) << self.bits:
                raise ValueError(f"{lang}: {len(weights)} weights for {self.bits} hash bits")
            self._langs[lang] = (weights, spec["scale"], list(spec["intercept"]))

    @classmethod
    def load(cls, path: Path | str = MODEL_PATH) -> "SentimentModel":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            model = cls(json.load(fh))
        logger.debug("loaded sentiment model %s (%s)", path, ", ".join(model.languages))
        return model

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._langs)

    def predict_proba(self, text: str, lang: str) -> list[float] | None:
        """Class probabilities in :data:`LABELS` order; None if ``lang`` has no model."""
        spec = self._langs.get(lang)
        if spec is None:
            return None
        weights, scale, intercept = spec
        acc = [0.0, 0.0, 0.0]
        for idx, value in hashed(featurize(text, lang), self.bits).items():
            base = idx * 3
            acc[0] += weights[base] * value
            acc[1] += weights[base + 1] * value
            acc[2] += weights[base + 2] * value
        logits = [b + scale * a for b, a in zip(intercept, acc)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]

    def predict(self, text: str, lang: str) -> dict:
        """``{"label", "score"}``: neutral 0.0 for empty text; for a language
        without a model (emoji-only posts are "other") the emoji alone decide."""
        if not text or not text.strip():
            return dict(NEUTRAL)
        probs = self.predict_proba(text, lang)
        if probs is None:
            return emoji_sentiment(text)
        best = max(range(len(LABELS)), key=probs.__getitem__)
        return {"label": LABELS[best], "score": round(probs[2] - probs[0], 4)}
