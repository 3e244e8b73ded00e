"""Text normalization and tokenization shared by the rule matcher and the indexer.

Normalization (:func:`fold`, exported to the indexer as
:func:`normalize_for_index`) maps every code point to exactly one code point:

* full-width ASCII forms to ASCII (``ＡＢＣ１`` -> ``ABC1``, U+3000 -> space);
* Traditional to Simplified Chinese, character by character, with OpenCC's
  ``TSCharacters`` table (first candidate: ``華為`` -> ``华为``). OpenCC's phrase
  table is deliberately not used: phrase conversion depends on the neighbouring
  characters, so a rule term and the same characters inside a longer text could
  convert differently and stop matching;
* lower case, by the simple (one code point) Unicode mapping, which is what
  Lucene's ``lowercase`` filter applies.

Because the mapping is one code point to one code point, the normalized text
has the length of the original and every character offset into it is also an
offset into the original: highlighting offsets need no mapping table.
:func:`fold` is idempotent.

Tokenization (:func:`token_strings`), the unit of phrases and proximity:

* every CJK character (Han ideographs including extensions and compatibility
  ideographs, Hiragana, Katakana) is a token by itself, so a Chinese term
  matches wherever its characters are contiguous, no word segmentation needed;
* a maximal run of other letters and digits (Unicode categories L and N) is a
  token, so ``car`` never matches inside ``cart``; everything else separates
  (Python and the JVM can only disagree on characters added by the newest
  Unicode version one of them does not know yet);
* a token longer than 255 UTF-16 units is dropped but keeps its position (so it
  still counts as a token between two others), like Lucene's ``length`` filter.

The index analyzer in :mod:`yuqing.rules.compiler` (``MATCH_ANALYSIS``) is the
same tokenizer written as a Java regular expression; both are built from the
ranges below so they cannot drift apart.
"""

from __future__ import annotations

import logging
import os
import re
from functools import lru_cache

logger = logging.getLogger(__name__)

__all__ = ["fold", "normalize_for_index", "token_strings", "split_tokens", "drop_long", "is_cjk",
           "MAX_TOKEN_UTF16", "CJK_RANGES", "JAVA_TOKEN_PATTERN", "WIDTH_MAPPINGS"]

# Ranges tokenized one character per token. Plain code point ranges rather than
# Unicode script properties so Python and Java (another Unicode version) agree.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3040, 0x30FF),    # Hiragana, Katakana
    (0x3400, 0x4DBF),    # CJK Extension A
    (0x4E00, 0x9FFF),    # CJK Unified Ideographs
    (0xF900, 0xFAFF),    # CJK Compatibility Ideographs
    (0x20000, 0x3134F),  # CJK Extensions B-G, Compatibility Supplement
)
MAX_TOKEN_UTF16 = 255


def _py_class(ranges) -> str:
    return "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges)


def _java_class(ranges) -> str:
    return "".join(f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in ranges)


_CJK_CLASS = _py_class(CJK_RANGES)
# [^\W_] is "letter or digit" (Unicode categories L and N) in Python's re.
_TOKEN_RE = re.compile(f"[{_CJK_CLASS}]|[^\\W_{_CJK_CLASS}]+")
_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")

JAVA_TOKEN_PATTERN = (
    f"[{_java_class(CJK_RANGES)}]|[[\\p{{L}}\\p{{N}}]&&[^{_java_class(CJK_RANGES)}]]+"
)
"""The tokenizer above as a Java regex for Lucene's pattern tokenizer (group 0)."""

# Only letters and digits matter to the tokenizer, so these are all the width
# forms the index-side char_filter has to fold.
WIDTH_MAPPINGS: tuple[str, ...] = tuple(
    f"{chr(cp)}=>{chr(cp - 0xFEE0)}"
    for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for cp in range(lo, hi + 1)
)


def _t2s_pairs() -> dict[int, int]:
    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    pairs: dict[int, int] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            source, _, targets = line.rstrip("\n").partition("\t")
            target = targets.split(" ")[0] if targets else ""
            if len(source) == 1 and len(target) == 1 and source != target:
                pairs[ord(source)] = ord(target)
    return pairs


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, int]:
    table: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    table.update(_t2s_pairs())
    # Cased scripts all live below U+20000. str.lower() gives the full mapping;
    # its first code point is the simple mapping Lucene uses (only U+0130 differs).
    for cp in range(0x20000):
        lowered = chr(cp).lower()
        if lowered != chr(cp):
            table.setdefault(cp, ord(lowered[0]))
    # Compose the three maps and chase chains (a T->S target that is itself a
    # key) so that fold(fold(x)) == fold(x).
    composed: dict[int, int] = {}
    for cp in table:
        target, seen = cp, set()
        while target in table and target not in seen:
            seen.add(target)
            target = table[target]
        lowered = chr(target).lower()
        target = ord(lowered[0])
        if target != cp:
            composed[cp] = target
    return composed


@lru_cache(maxsize=1)
def _translation() -> str:
    # str.translate with a str table (index -> replacement) is 1.5-2.5x faster
    # than with a dict: unmapped characters raise no KeyError internally.
    table = _fold_table()
    chars = list(map(chr, range(max(table) + 1)))
    for source, target in table.items():
        chars[source] = chr(target)
    return "".join(chars)


def fold(text: str) -> str:
    """Width-fold, Traditional->Simplified and lower-case, one code point each."""
    return text.translate(_translation())


normalize_for_index = fold
"""What the indexer stores in the ``match.*`` fields; the rules search those."""


def is_cjk(char: str) -> bool:
    return bool(_CJK_RE.match(char))


def too_long(token: str) -> bool:
    # A BMP-only token of <= 127 chars can never exceed 255 UTF-16 units.
    return (len(token) > MAX_TOKEN_UTF16 // 2
            and len(token) + sum(1 for ch in token if ord(ch) > 0xFFFF) > MAX_TOKEN_UTF16)


def token_strings(normalized: str) -> list[str | None]:
    """Tokens of already-normalized text, one per position; ``None`` marks a
    position whose token was dropped for length."""
    return drop_long(_TOKEN_RE.findall(normalized))


def split_tokens(normalized: str) -> list[str]:
    """``[separator, token, separator, ..., token, separator]`` of normalized
    text: the tokens are ``[1::2]``; the lengths give every character offset."""
    return _SPLIT_RE.split(normalized)


def drop_long(tokens: list) -> list:
    """``tokens`` with the ones too long for the index replaced by None."""
    if tokens and max(map(len, tokens)) > MAX_TOKEN_UTF16 // 2:
        return [None if too_long(tok) else tok for tok in tokens]
    return tokens
