"""Scoring of article extraction against the gold corpus (``corpus/<split>/extraction``).

Metric definitions (per language, pages grouped by the corpus ``lang``, "zh-TW" counting as zh):

* **body_f1**: mean over pages with ``body_kind == "full"`` of the bag-of-tokens F1
  between the extracted content and the gold body. Chinese tokens are single
  characters that are letters or digits (whitespace, punctuation and symbols are
  dropped); English tokens are lower-cased ``\\w+`` words. A failed extraction scores 0.
* **snippets**: over pages with ``body_kind == "snippets"``, the share of snippet
  checks honoured: each ``body_must_contain`` string found in the content and each
  ``body_must_not_contain`` string absent (both sides whitespace-collapsed).
* **title**: share of pages with a gold title whose extracted title matches:
  after NFKC, case folding and removal of whitespace/punctuation/symbols, the two
  are equal, or one contains the other and the shorter has at least 60% of the
  longer's length (tolerates a short site suffix, not a different headline).
* **date**: share of pages with a gold date that we date on the same calendar day.
  Gold dates are raw local strings; a gold of only a year or a year-month is
  compared at that granularity. For zh the extracted instant is read in
  Asia/Shanghai. For other languages the gold's own UTC offset is used if it has
  one, otherwise the day matches if it is the gold day in *some* real time zone
  (UTC-12 … UTC+14), since the gold does not say which zone it meant.
* **author**: share of pages with a gold author whose extracted author matches.
  Both are split into names (zh: on blanks and 、，,;/ and "和"; en: on commas,
  semicolons, "&", "/" and " and "), normalised like titles, and match when the
  Jaccard overlap of the two name sets is at least 0.5 (one of two co-authors,
  or the author plus one extra name, still counts; a wrong name does not).
* **author_abstain** / **date_abstain** (reported, not thresholded): on pages whose gold
  says "no author"/"no date" (null in an annotated source), the share where we output None.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

METRICS = ("body_f1", "snippets", "title", "date", "author", "author_abstain", "date_abstain")
_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Page:
    id: str
    lang: str
    url: str | None
    html: bytes
    gold: dict
    annotated: tuple[str, ...]


@dataclass
class PageScore:
    id: str
    lang: str
    values: dict = field(default_factory=dict)  # metric -> float in [0, 1]; absent = not applicable
    error: str | None = None
    seconds: float = 0.0


def find_corpus(repo_root: Path | None = None) -> Path | None:
    """Locate the dev corpus: $YUQING_CORPUS, else <repo>/../shared/corpus/dev."""
    env = os.environ.get("YUQING_CORPUS")
    candidates = [Path(env)] if env else []
    root = repo_root or Path(__file__).resolve().parents[2]
    candidates.append(root.parent / "shared" / "corpus" / "dev")
    for c in candidates:
        if (c / "extraction").is_dir():
            return c
        if c.name == "extraction" and c.is_dir():
            return c.parent
    return None


def load_pages(corpus: Path) -> list[Page]:
    pages = []
    for meta_path in sorted((corpus / "extraction").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        html_path = meta_path.with_name(meta.get("html_file") or meta_path.stem + ".html")
        lang = "zh" if meta["lang"].startswith("zh") else meta["lang"]
        pages.append(Page(meta["id"], lang, meta.get("url"), html_path.read_bytes(), meta["gold"],
                          tuple(meta.get("annotated_fields") or ())))
    return pages


# --------------------------------------------------------------------------- normalisation helpers

def _collapse(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s)).strip()


def _squash(s: str) -> str:
    """NFKC, casefold, keep only letters and digits."""
    s = unicodedata.normalize("NFKC", s).casefold()
    return "".join(ch for ch in s if unicodedata.category(ch)[0] in "LN")


def body_tokens(text: str, lang: str) -> Counter:
    if lang == "zh":
        text = unicodedata.normalize("NFKC", text).casefold()
        return Counter(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(pred: str, gold: str, lang: str) -> float:
    p, g = body_tokens(pred or "", lang), body_tokens(gold or "", lang)
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def snippet_score(content: str, must: list[str] | None, must_not: list[str] | None) -> tuple[int, int]:
    text = _collapse(content or "")
    ok = total = 0
    for s in must or ():
        total += 1
        ok += _collapse(s) in text
    for s in must_not or ():
        total += 1
        ok += _collapse(s) not in text
    return ok, total


def title_match(pred: str | None, gold: str) -> bool:
    p, g = _squash(pred or ""), _squash(gold)
    if not p or not g:
        return False
    short, long_ = sorted((p, g), key=len)
    return p == g or (short in long_ and len(short) >= 0.6 * len(long_))


_DATE_PARTS = re.compile(r"(\d{4})(?:\D{1,3}(\d{1,2}))?(?:\D{1,3}(\d{1,2}))?")
_GOLD_OFFSET = re.compile(r"T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?([+-]\d{2}):?(\d{2})$")


def date_match(pred_iso: str | None, gold_raw: str, lang: str) -> bool:
    if not pred_iso:
        return False
    try:
        pred = datetime.strptime(pred_iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return False
    m = _DATE_PARTS.match(gold_raw.strip())
    if not m:
        return False
    gold = tuple(int(x) for x in m.groups() if x)

    def same(dt: datetime) -> bool:
        return (dt.year, dt.month, dt.day)[: len(gold)] == gold

    if lang == "zh":
        return same(pred.astimezone(_SHANGHAI))
    off = _GOLD_OFFSET.search(gold_raw.strip())
    if off:
        hours, minutes = int(off.group(1)), int(off.group(2))
        delta = timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes)
        return same(pred.astimezone(timezone(delta)))
    return any(same(pred.astimezone(timezone(timedelta(hours=h)))) for h in range(-12, 15))


_ZH_NAME_SEP = re.compile(r"[\s、，,;；/和]+")
_EN_NAME_SEP = re.compile(r"\s*(?:[,;&/]|\band\b)\s*", re.I)


def _names(s: str, lang: str) -> set[str]:
    parts = (_ZH_NAME_SEP if lang == "zh" else _EN_NAME_SEP).split(s)
    return {n for n in (_squash(p) for p in parts) if n}


def author_match(pred: str | None, gold: str, lang: str) -> bool:
    if not pred:
        return False
    p, g = _names(pred, lang), _names(gold, lang)
    if not p or not g:
        return False
    return len(p & g) / len(p | g) >= 0.5


# --------------------------------------------------------------------------- scoring

def score_page(page: Page, result: dict | None) -> dict:
    """Per-metric values for one page; ``result`` None means extraction failed."""
    r = result or {}
    gold, values = page.gold, {}
    if gold.get("body_kind") == "full" and gold.get("body"):
        values["body_f1"] = token_f1(r.get("content") or "", gold["body"], page.lang)
    if gold.get("body_kind") == "snippets":
        ok, total = snippet_score(r.get("content") or "", gold.get("body_must_contain"),
                                  gold.get("body_must_not_contain"))
        if total:
            values["snippets"] = ok / total
    if gold.get("title"):
        values["title"] = float(title_match(r.get("title"), gold["title"]))
    if gold.get("publish_date"):
        values["date"] = float(date_match(r.get("published_at"), gold["publish_date"], page.lang))
    elif "publish_date" in page.annotated:
        values["date_abstain"] = float(not r.get("published_at"))
    if gold.get("author"):
        values["author"] = float(author_match(r.get("author"), gold["author"], page.lang))
    elif "author" in page.annotated:
        values["author_abstain"] = float(not r.get("author"))
    return values


def run(pages: list[Page], extract: Callable[[bytes, str | None], dict | None]) -> list[PageScore]:
    scores = []
    for page in pages:
        t0 = time.process_time()
        error = None
        try:
            result = extract(page.html, page.url)
        except Exception as exc:  # noqa: BLE001 - a failing page scores 0, it must not stop the run
            result, error = None, f"{type(exc).__name__}: {exc}"
        scores.append(PageScore(page.id, page.lang, score_page(page, result), error, time.process_time() - t0))
    return scores


def summarize(scores: list[PageScore]) -> dict[str, dict[str, tuple[float, int]]]:
    """lang -> metric -> (mean, number of pages)."""
    out: dict[str, dict[str, tuple[float, int]]] = {}
    for lang in sorted({s.lang for s in scores}):
        per = {}
        for metric in METRICS:
            vals = [s.values[metric] for s in scores if s.lang == lang and metric in s.values]
            if vals:
                per[metric] = (sum(vals) / len(vals), len(vals))
        out[lang] = per
    return out


def format_table(columns: dict[str, dict]) -> str:
    """Side-by-side table of several summaries, e.g. {"ours": ..., "trafilatura": ...}."""
    names = list(columns)
    lines = [f"{'lang':<5}{'metric':<16}{'n':>4}  " + "".join(f"{n:>13}" for n in names)]
    first = columns[names[0]]
    for lang, metrics in first.items():
        for metric, (_, n) in metrics.items():
            row = "".join(f"{columns[c].get(lang, {}).get(metric, (float('nan'), 0))[0]:>13.3f}" for c in names)
            lines.append(f"{lang:<5}{metric:<16}{n:>4}  {row}")
    return "\n".join(lines)


def trafilatura_baseline(body: bytes, url: str | None) -> dict | None:
    """trafilatura alone, default settings, mapped to our output keys."""
    import trafilatura

    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    if doc is None:
        return None
    d = doc.as_dict() if hasattr(doc, "as_dict") else doc
    published = None
    if d.get("date"):
        from yuqing.text import parse_datetime, to_iso

        dt = parse_datetime(d["date"], default_tz="UTC")
        published = to_iso(dt) if dt else None
    return {"title": d.get("title"), "content": d.get("text"), "author": d.get("author"),
            "published_at": published}


def main() -> None:  # pragma: no cover - manual benchmark entry point
    import argparse

    from yuqing.extract import extract_article

    ap = argparse.ArgumentParser(description="Score yuqing's extractor against the gold corpus")
    ap.add_argument("corpus", nargs="?", help="corpus split dir (default: $YUQING_CORPUS or ../shared/corpus/dev)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="per-page figures")
    args = ap.parse_args()
    corpus = Path(args.corpus) if args.corpus else find_corpus()
    if corpus is None:
        raise SystemExit("corpus not found")
    pages = load_pages(corpus)
    ours = run(pages, lambda body, url: extract_article(body, url=url))
    columns = {"ours": summarize(ours)}
    base = None
    if not args.no_baseline:
        base = run(pages, trafilatura_baseline)
        columns["trafilatura"] = summarize(base)
    if args.verbose:
        for i, s in enumerate(ours):
            b = base[i].values if base else {}
            cells = " ".join(f"{k}={v:.2f}/{b.get(k, float('nan')):.2f}" for k, v in s.values.items())
            print(f"{s.id:<45} {s.seconds * 1000:6.0f}ms {cells} {s.error or ''}")
    print(format_table(columns))
    print(f"mean time per page: {sum(s.seconds for s in ours) / len(ours) * 1000:.0f} ms")


if __name__ == "__main__":  # pragma: no cover
    main()
