"""Extraction quality (not speed): our extractor vs trafilatura alone on the
gold pages of the dev corpus, scored by ``yuqing/extract/evaluate.py``."""

from __future__ import annotations

from benchmarks.common import say, target

# Metrics that have a gold value on every page they score; the abstain rates
# and snippets are in the JSON figures too.
SHOWN = ("body_f1", "title", "date", "author")
TARGETED = ("body_f1", "title", "date")


def run(ctx) -> dict:
    from yuqing.extract import extract_article
    from yuqing.extract.evaluate import find_corpus, load_pages, run as score, summarize, trafilatura_baseline

    corpus = find_corpus()
    if corpus is None:
        return {"title": "Extraction quality", "rows": [], "targets": [],
                "notes": ["Not measured: the dev corpus (extraction/) was not found; set YUQING_CORPUS."]}
    pages = load_pages(corpus)
    say(f"extraction: {len(pages)} gold pages, ours")
    ours = summarize(score(pages, lambda body, url: extract_article(body, url=url)))
    say("extraction: trafilatura alone")
    theirs = summarize(score(pages, trafilatura_baseline))
    rows, targets = [], []
    for lang, metrics in ours.items():
        for metric in SHOWN:
            if metric not in metrics:
                continue
            (mine, n), (base, _) = metrics[metric], theirs.get(lang, {}).get(metric, (float("nan"), 0))
            rows.append([lang, metric, n, f"{mine:.3f}", f"{base:.3f}", f"{mine - base:+.3f}"])
            if metric in TARGETED:
                targets.append(target(f"{lang} {metric}: ours - trafilatura", mine - base, ">=", 0.0, "{:+.3f}"))
    return {"title": "Extraction quality: our extractor vs trafilatura alone",
            "columns": ["lang", "metric", "pages", "ours", "trafilatura", "difference"],
            "rows": rows, "figures": {"pages": len(pages), "ours": ours, "trafilatura": theirs},
            "targets": targets,
            "notes": [f"{len(pages)} annotated pages of the {corpus.name} corpus ({corpus.name}/extraction); metric "
                      "definitions in yuqing/extract/evaluate.py (body_f1: bag-of-tokens F1; title, date, author: "
                      "share of pages right). The target is to be at least as good as trafilatura alone on every "
                      "language."]}
