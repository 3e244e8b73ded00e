"""Keywords for tag clouds.

Chinese: jieba's TF-IDF (its shipped IDF table) with our stop words, ignoring
numbers, punctuation and single characters. English: RAKE-style phrases (runs
of content words between stop words and punctuation, at most three words),
scored by word degree / frequency, lower-cased with plural endings folded.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["extract_keywords"]

DATA_DIR = Path(__file__).parent / "data"
MAX_PHRASE_WORDS = 3

_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\bt\.cn/\S+", re.I)
_MENTION_RE = re.compile(r"@[\w\u4e00-\u9fff\-]{1,30}")
_WEIBO_EMOTICON_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
# Numbers with an optional unit ("2020年", "3月", "10万", "5.6%") say nothing about a topic.
_NUMBER_RE = re.compile(r"[\d.,%]+[年月日号点时分秒万亿千百元个人次例岁]?")
_HAS_WORD_CHAR_RE = re.compile(r"[^\W\d_]")
_EN_SPLIT_RE = re.compile(r"[^A-Za-z0-9'\-\s]+|\s-+\s|\n")
_EN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[A-Za-z]")
# jieba dictionary tags of words that are never topics: pronouns, adverbs,
# time/number/quantity words, conjunctions, prepositions, particles,
# interjections, onomatopoeia, direction/place-relative and descriptive words.
_ZH_NON_TOPIC_TAGS = frozenset("r rr rz rg d dg ad t tg m mq q c p u uj ul uz ug uv ud y e o f s b z zg".split())
_NOT_PLURAL = frozenset("news series species physics politics economics mathematics ethics always perhaps "
                        "its this thus was has does is his hers yes bus gas lens virus status campus chaos "
                        "crisis analysis basis thesis diagnosis".split())


def _load_words(name: str) -> frozenset[str]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return frozenset(w.strip().lower() for w in fh if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=None)
def _stop_words(lang: str) -> frozenset[str]:
    return _load_words(f"{lang}_stopwords.txt")


@lru_cache(maxsize=1)
def _zh_tags() -> dict[str, str]:
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


@lru_cache(maxsize=1)
def _zh_extractor():
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    # Our own instance: jieba.analyse's module-level extractor is shared
    # process state that other code may reconfigure.
    extractor = jieba.analyse.TFIDF()
    extractor.stop_words |= _stop_words("zh") | _stop_words("en")
    return extractor


def _clean(text: str) -> str:
    text = _URL_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    return _WEIBO_EMOTICON_RE.sub(" ", text)


def _keep(word: str) -> bool:
    return len(word) >= 2 and bool(_HAS_WORD_CHAR_RE.search(word)) and not _NUMBER_RE.fullmatch(word)


def _keywords_zh(text: str, top_k: int) -> list[str]:
    # A dictionary lookup of each candidate's tag instead of jieba's POS-tagged
    # cut (allowPOS), which is ~6x slower on long bodies. Over-fetch because
    # the filter drops some candidates.
    tag_of = _zh_tags()
    out = []
    for candidate in _zh_extractor().extract_tags(text, topK=top_k * 3):
        word = candidate.strip().lower()
        if _keep(word) and tag_of.get(candidate) not in _ZH_NON_TOPIC_TAGS and word not in out:
            out.append(word)
    return out[:top_k]


def _lemma(word: str) -> str:
    """Fold plural and possessive endings: "protesters'" / "protester's" -> "protester"."""
    word = word.strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or word in _NOT_PLURAL:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _add_run(phrases: list[tuple[str, ...]], run: list[str]) -> None:
    """A run of content words is a phrase; one longer than MAX_PHRASE_WORDS is
    rarely a single concept ("police fired tear gas"), so its words go alone."""
    if len(run) <= MAX_PHRASE_WORDS:
        if run:
            phrases.append(tuple(run))
    else:
        phrases.extend((word,) for word in run)


def _keywords_en(text: str, top_k: int) -> list[str]:
    stop = _stop_words("en")
    phrases: list[tuple[str, ...]] = []
    for fragment in _EN_SPLIT_RE.split(text.replace("#", " ")):
        run: list[str] = []
        for raw in _EN_WORD_RE.findall(fragment):
            word = raw.lower()
            if word in stop or word.strip("'-") in stop or len(word) < 2:
                _add_run(phrases, run)
                run = []
                continue
            run.append(_lemma(word))
        _add_run(phrases, run)
    freq: dict[str, int] = {}
    degree: dict[str, int] = {}
    for phrase in phrases:
        for word in phrase:
            freq[word] = freq.get(word, 0) + 1
            degree[word] = degree.get(word, 0) + len(phrase)
    # RAKE's degree/frequency favours words that occur inside longer phrases;
    # adding the frequency keeps a word repeated on its own from sinking.
    word_score = {w: degree[w] / freq[w] + freq[w] for w in freq}
    scored: dict[str, float] = {}
    for phrase in phrases:
        key = " ".join(phrase)
        if _keep(key):
            scored[key] = max(scored.get(key, 0.0), sum(word_score[w] for w in phrase))
    ranked = sorted(scored, key=lambda k: (-scored[k], k))
    return ranked[:top_k]


def extract_keywords(text: str | None, lang: str, top_k: int = 10) -> list[str]:
    """Up to ``top_k`` keywords of ``text``, best first; [] for empty text or
    a language other than "zh" / "en"."""
    if not text or top_k <= 0:
        return []
    text = _clean(text)
    if lang == "zh":
        return _keywords_zh(text, top_k)
    if lang == "en":
        return _keywords_en(text, top_k)
    return []
