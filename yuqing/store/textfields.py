"""Derived text fields stored beside the original text for search.

``seg.*``: jieba words (after Traditional->Simplified), so a Chinese word query
hits whole words; ``match.*``: the rule-normalized text the compiled analyst
rules search, produced by the same function the streaming matcher uses.
"""

from __future__ import annotations

import jieba

from yuqing.rules.normalize import normalize_for_index

jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on every process


def segment(text: str) -> str:
    normalized = normalize_for_index(text)
    return " ".join(word for word in jieba.cut(normalized) if word.strip())


def index_text_fields(doc: dict) -> dict:
    title = doc.get("title") or ""
    content = doc.get("content") or ""
    author = (doc.get("author") or {}).get("name") or ""
    return {
        "seg": {"title": segment(title), "content": segment(content)},
        "match": {
            "title": normalize_for_index(title),
            "content": normalize_for_index(content),
            "author": normalize_for_index(author),
            "source": normalize_for_index(doc.get("source") or ""),
        },
    }
