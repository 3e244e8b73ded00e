"""Main-text extraction by text density over text blocks (BTE/CEPF family).

The page is cut into text blocks at block-level tags and ``<br>``. Each block
gets a weight: positive for prose (long, punctuated, few links), negative for
link lists, short fragments and site furniture. The body is the run of
consecutive blocks with the largest total weight (Kadane). Working on the
block sequence rather than on DOM containers suits the table layouts of
Chinese portals and forums (2000s sina/sohu/163/yahoo.cn pages), where one
story is spread over several cells and the tightest container holding it
also holds the sidebar.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from lxml import etree

logger = logging.getLogger(__name__)

BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "object", "embed", "svg", "canvas", "select", "option", "textarea",
    "button", "input", "map", "template", "head", "marquee", "video", "audio",
)
# A reference text shorter than this is too thin to vote with.
MIN_REFERENCE_CHARS = 200
_PUNCT_RE = re.compile(r"[，。！？；：、“”‘’（）《》…,.!?;:\"'()]")
_SPACE_RE = re.compile(r"\s+")
_SQUASH_RE = re.compile(r"[\s|]+")
# Site furniture that reads like prose: copyright and reprint notices, contact
# lines, share/print widgets, "related articles" headers.
_BOILERPLATE_RE = re.compile(
    r"版[权權]所有|版[权權][声聲]明|著作[权權]|侵[权權]|不得[转轉][载載]|禁止[转轉][载載]|[转轉][载載][请請]注明|未经.{0,12}(?:许可|授权|同意)|免责声明|本站声明|"
    r"ICP[备证]|备案号|公网安备|联系我们|联系电话|举报电话|违法和不良信息|扫一扫|分享到|打印本页|关闭窗口|"
    r"返回顶部|上一篇|下一篇|相关阅读|相关新闻|相关报道|相关文章|推荐阅读|热点推荐|点击排行|"
    r"all rights reserved|copyright ©|©\s*\d{4}|privacy policy|terms of (?:use|service)|cookie policy|"
    r"sign up for|subscribe to|newsletter|advertisement|related (?:articles|stories)|read more:",
    re.I,
)
# Dateline/byline/source lines that open an article above its first paragraph.
_META_LINE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|[来來]源|作者|[记記]者|[编編][辑輯]|[发發]布|[时時][间間]|"
    r"字[号號]|[浏瀏][览覽]|[阅閱][读讀]|[点點][击擊]|"
    r"打印|分享|稿源|出处|版主|精华区|^by\s|^posted|^published|^updated",
    re.I,
)


@dataclass
class Block:
    text: str
    chars: int                 # non-space characters
    link_chars: int
    punct: int

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 1.0


def clean_tree(root: etree._Element) -> etree._Element:
    """Drop invisible and non-text elements (in place) and return ``root``."""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop_keep_tail(el)
    for el in list(root.iter(*_DROP_TAGS)):
        _drop_keep_tail(el)
    for el in list(root.xpath('//*[@hidden or contains(translate(@style," ",""),"display:none")]')):
        _drop_keep_tail(el)
    return root


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def segment(root: etree._Element) -> list[Block]:
    """Cut the tree into text blocks in document order."""
    blocks: list[Block] = []
    parts: list[tuple[str, bool]] = []    # (text, inside a link)
    link_depth = 0

    def flush() -> None:
        text = _SPACE_RE.sub(" ", "".join(p for p, _ in parts)).strip()
        if text:
            chars = len(text.replace(" ", ""))
            link = sum(len(p.replace(" ", "").strip()) for p, in_link in parts if in_link)
            blocks.append(Block(text, chars, min(link, chars), len(_PUNCT_RE.findall(text))))
        parts.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if tag == "a":
                link_depth += 1
            if tag != "br" and el.text:
                parts.append((el.text, link_depth > 0))
        else:
            if tag in BLOCK_TAGS:
                flush()
            elif tag == "a":
                link_depth -= 1
            if el.tail:
                parts.append((el.tail, link_depth > 0))
    flush()
    return blocks


def block_weight(b: Block) -> float:
    """Prose is positive, link lists and short fragments negative."""
    own = b.chars - b.link_chars
    if b.link_ratio > 0.5:
        return -1.0 * b.chars - 5
    if b.chars < 200 and _BOILERPLATE_RE.search(b.text):
        return -1.0 * b.chars - 10
    weight = own - 2.0 * b.link_chars - 8
    if b.punct:
        weight += min(b.punct, 10) * 4
    return weight


def best_run(weights: list[float]) -> tuple[int, int]:
    """Maximum-weight run of consecutive blocks (Kadane), as a half-open range."""
    best, best_range = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, w in enumerate(weights):
        if total <= 0:
            total, start = 0.0, i
        total += w
        if total > best:
            best, best_range = total, (start, i + 1)
    return best_range


@dataclass
class Body:
    blocks: list[Block]       # every block of the page, in document order
    start: int                # the body is blocks[start:end] ...
    end: int
    keep: list[bool]          # ... less the blocks marked False here (same length as blocks)

    @property
    def text(self) -> str:
        return "\n".join(b.text for k, b in enumerate(self.blocks[self.start:self.end], self.start) if self.keep[k])


def _squash(s: str) -> str:
    return _SQUASH_RE.sub("", s)


def extract_body(root: etree._Element, reference: str | None = None, title: str | None = None) -> Body:
    """Find the article body in a cleaned tree.

    ``reference`` is another extractor's text (trafilatura): when it is
    substantial, blocks it left out cannot count as prose. That keeps reader
    comments and "more stories" teasers (which trafilatura recognises by
    markup) out, while the run still drops the menus and tables trafilatura
    lets in on old table layouts.
    """
    blocks = segment(root)
    weights = [block_weight(b) for b in blocks]
    ref = _squash(reference or "")
    use_ref = len(ref) >= MIN_REFERENCE_CHARS
    in_ref = [use_ref and _squash(b.text) in ref for b in blocks]
    if use_ref:
        for k, b in enumerate(blocks):
            if not in_ref[k]:
                weights[k] = min(weights[k], 0) - 0.5 * b.chars - 5
    start, end = best_run(weights)
    # Inside the run, keep what the reference kept (link-rich address lines
    # included) and prose; drop link lists, ad labels and the short fragments
    # the run merely bridged.
    keep = [(in_ref[k] or (b.link_ratio <= 0.5 and not (use_ref and b.chars < 40)))
            and not (b.chars < 200 and _BOILERPLATE_RE.search(b.text))
            for k, b in enumerate(blocks)]
    title_key = _squash(title or "")
    while start < end and _is_lead_in(blocks[start], title_key):
        start += 1
    while end > start and _BOILERPLATE_RE.search(blocks[end - 1].text) and blocks[end - 1].chars < 200:
        end -= 1
    return Body(blocks, start, end, keep)


def _is_lead_in(b: Block, title_key: str) -> bool:
    """Headline, dateline and byline lines that open a run but are no body text."""
    key = _squash(b.text)
    if title_key and key and (key == title_key or (len(key) >= 6 and key in title_key)):
        return True
    # A sentence end means a (short) first paragraph, not a dateline.
    return b.chars <= 60 and bool(_META_LINE_RE.search(b.text)) and not re.search(r"[。！？!?]", b.text)
