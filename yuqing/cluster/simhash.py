"""64-bit SimHash of a document's text, for near-duplicate detection.

Before hashing, what republishers add or change is removed: boilerplate lines
("转载自...", "责任编辑", "Editor's note", copyright and follow-us lines),
Weibo repost markers (``//@name:``), @mentions and URLs. The rest is folded
(Traditional->Simplified, width, case) and cut into words: jieba words for
runs of Chinese, lower-cased words for everything else. Features are
overlapping two-word shingles weighted by how often they occur, so a copy
with an added note or a dropped paragraph keeps most features and lands a few
bits away, while a different story about the same entities shares few.

The headline counts only when the body is short: republishers reword
headlines ("转载：", clickbait) far more than bodies.

Candidates are looked up by the fingerprint's four 16-bit bands: two
fingerprints within 3 bits agree on at least one band (pigeonhole), within 7
bits they differ in at most one bit on one band (which the index probes).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

import jieba

from yuqing.rules.normalize import normalize_for_index

jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on every process

# Only the beginning of a longer text is read: it is enough to tell copies
# apart, and the work per document stays bounded whatever the page size.
MAX_CHARS = 20_000
BITS = 64

# A line that only says where the text came from, who edited it, who owns it
# or where to click: republishers add, drop and reword these.
_BOILERPLATE = re.compile(
    r"转载|转自|来源[:：]|原标题|责任编辑|编辑[:：]|编者按|本文|声明|版权|侵权|关注|点击|扫码|二维码|公众号|"
    r"在看|点赞|阅读原文|相关阅读|延伸阅读|推荐阅读|原文链接|^[\W_]*end[\W_]*$|"
    r"editor'?s note|originally (?:published|appeared)|republished|reprinted|copyright|all rights reserved|"
    r"read more|related (?:stories|articles)|subscribe|follow us|sign up|newsletter",
    re.IGNORECASE,
)
# Longer lines are article text even when they contain one of those words;
# "long" in Chinese characters, an English word counting as 2.5 of them.
_BOILERPLATE_MAX_LENGTH = 60
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[^\W\d_\u3400-\u9fff\uf900-\ufaff]+")
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[^\W_\u3400-\u9fff\uf900-\ufaff]+")
_TITLE_PREFIX = re.compile(
    r"^(?:\s*(?:【[^】]{1,8}】|\[[^\]]{1,12}\]|(?:转载|转发|转|原创|独家|突发|重磅|快讯|最新|视频|"
    r"repost|reposted|reprint|breaking|update|updated|watch)\s*[:：!！|丨]))+\s*",
    re.IGNORECASE,
)
# Group 1 is the name of the reposter.
REPOST_MARK = re.compile(r"//\s*@([^:：\s/]{1,40})\s*[:：]?")
_MENTION = re.compile(r"@[\w\u00b7\u4e00-\u9fff-]{1,30}")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Fingerprint:
    simhash: int
    tokens: int
    """Words it was computed from: with too few it is noise."""

    @property
    def hex(self) -> str:
        """16 hex digits: the index reads its four 16-bit bands as 4 digits each."""
        return f"{self.simhash:016x}"


def _length(line: str) -> float:
    return len(_HAN.findall(line)) + 2.5 * len(_LATIN_WORD.findall(line))


def clean_title(title: str) -> str:
    """The headline without "转载：", "【独家】", "Repost:" and the like."""
    return _TITLE_PREFIX.sub("", title or "").strip()


def clean_content(content: str) -> str:
    """The content without the lines, markers and links republishers change."""
    lines = []
    for line in (content or "").split("\n"):
        line = _URL.sub(" ", _MENTION.sub(" ", REPOST_MARK.sub(" ", line))).strip()
        if line and not (_length(line) <= _BOILERPLATE_MAX_LENGTH and _BOILERPLATE.search(line)):
            lines.append(line)
    return "\n".join(lines)


def words(text: str) -> list[str]:
    """Words of the folded text: jieba words of each run of Han characters,
    each run of other letters and digits as one word."""
    out: list[str] = []
    for run in _RUN.findall(normalize_for_index(text)):
        if _HAN.match(run):
            # Without the HMM (new-word guessing) jieba is 2-3 times faster and
            # cuts the same text the same way, which is all a fingerprint needs.
            out += jieba.lcut(run, HMM=False)
        else:
            out.append(run)
    return out


def shingles(tokens: list[str], size: int) -> Counter:
    if len(tokens) <= size:
        return Counter([" ".join(tokens)]) if tokens else Counter()
    return Counter(" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def _hash64(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


# SimHash adds up, for each of the 64 bits, the weight of the features whose
# hash has that bit set. Bit by bit in Python that is 64 steps a feature;
# instead every bit gets a 32-bit lane of one big integer, a hash is spread
# onto the lanes with one table lookup per byte, and one big-integer addition
# counts all 64 bits at once.
_LANE = 32
_LANE_MASK = (1 << _LANE) - 1
_SPREAD = [[sum(1 << (_LANE * (8 * byte + bit)) for bit in range(8) if value >> bit & 1) for value in range(256)]
           for byte in range(8)]


def simhash(features: Counter) -> int:
    """Charikar's SimHash: bit i is set when the features whose hash has bit i
    set outweigh those whose hash has it clear."""
    counts = total = 0
    for feature, weight in features.items():
        h = _hash64(feature)
        spread = 0
        for byte in range(8):
            spread += _SPREAD[byte][(h >> (8 * byte)) & 255]
        counts += weight * spread
        total += weight
    return sum(1 << bit for bit in range(BITS) if 2 * ((counts >> (_LANE * bit)) & _LANE_MASK) > total)


def feature_words(title: str, content: str, min_tokens: int = 20) -> list[str]:
    """The words a fingerprint is computed from: the body's; the headline's
    too only when the body has fewer than ``min_tokens`` (republishers reword
    headlines far more than bodies). A Weibo-style repost
    (``comment//@a:...//@b:text``) is represented by the text it quotes at the
    end of its chain, when that is long enough: it spreads that text,
    whatever the comments say."""
    content = (content or "")[:MAX_CHARS]
    segments = REPOST_MARK.split(content)
    tokens = words(clean_content(segments[-1])) if len(segments) > 1 else []
    if len(tokens) < min_tokens:
        tokens = words(clean_content(content))
    if len(tokens) < min_tokens:
        tokens = words(clean_title(title)) + tokens
    return tokens


def fingerprint(title: str, content: str, *, shingle_size: int = 2, min_tokens: int = 20) -> Fingerprint:
    tokens = feature_words(title, content, min_tokens)
    return Fingerprint(simhash(shingles(tokens, shingle_size)), len(tokens))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()

