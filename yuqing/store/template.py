"""Index template for documents: mappings chosen for Kibana and keyword search.

Chinese text is searchable on a stock cluster with no analysis plugin: the
built-in ``cjk_bigram`` analyzer on ``title``/``content``, plus ``seg.*`` fields
holding words pre-segmented by jieba (whitespace analyzer), plus ``match.*``
fields holding the rule-normalized text (Traditional->Simplified, width folded)
tokenized one Han character per token, which is what rule queries compile to.
"""

from __future__ import annotations

from yuqing.rules.compiler import MATCH_ANALYSIS, MATCH_FIELDS

ANALYSIS = {
    "char_filter": MATCH_ANALYSIS["char_filter"],
    "tokenizer": MATCH_ANALYSIS["tokenizer"],
    "filter": MATCH_ANALYSIS["filter"],
    "analyzer": {
        "yq_cjk": {"type": "custom", "tokenizer": "standard",
                   "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
        "yq_seg": {"type": "custom", "tokenizer": "whitespace", "filter": ["cjk_width", "lowercase"]},
        # Rule queries: the same tokenization as the streaming matcher.
        **MATCH_ANALYSIS["analyzer"],
    },
    "normalizer": MATCH_ANALYSIS["normalizer"],
}

_KW = {"type": "keyword"}
_TEXT_FIELDS = {
    "type": "text",
    "analyzer": "yq_cjk",
    "fields": {"std": {"type": "text", "analyzer": "standard"}},
}

MAPPINGS = {
    "dynamic": "false",
    "properties": {
        "id": _KW,
        "platform": _KW,
        "channel": _KW,
        "url": _KW,
        "title": {**_TEXT_FIELDS, "fields": {**_TEXT_FIELDS["fields"],
                                            "keyword": {"type": "keyword", "ignore_above": 512}}},
        "content": _TEXT_FIELDS,
        "seg": {"properties": {
            "title": {"type": "text", "analyzer": "yq_seg"},
            "content": {"type": "text", "analyzer": "yq_seg"},
        }},
        "match": MATCH_FIELDS["match"],
        "author": {"properties": {
            "name": {"type": "keyword", "fields": {"text": {"type": "text", "analyzer": "yq_cjk"}}},
            "id": _KW,
            "url": _KW,
            "followers": {"type": "long"},
            "verified": {"type": "boolean"},
        }},
        "published_at": {"type": "date"},
        "crawled_at": {"type": "date"},
        "indexed_at": {"type": "date"},
        "lang": _KW,
        "source": _KW,
        "post_id": _KW,
        "parent_id": _KW,
        "repost_of": _KW,
        "thread_id": _KW,
        "engagement": {"properties": {
            "likes": {"type": "long"}, "comments": {"type": "long"},
            "reposts": {"type": "long"}, "views": {"type": "long"},
        }},
        "tags": _KW,
        "keywords": _KW,
        "sentiment": {"properties": {"label": _KW, "score": {"type": "float"}}},
        "region": {"properties": {
            "province": _KW, "city": _KW, "source": _KW, "location": {"type": "geo_point"},
        }},
        "region_hint": _KW,
        "matched_rules": _KW,
        "matched_terms": {"type": "object", "enabled": False},
        "cluster_id": _KW,
        "spider": _KW,
    },
}


def docs_template(prefix: str, *, shards: int = 1, replicas: int = 0) -> dict:
    """Composable index template body for ``<prefix>-docs-*`` behind alias ``<prefix>-docs``."""
    return {
        "index_patterns": [f"{prefix}-docs-*"],
        "priority": 200,
        "template": {
            "settings": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "1s",
                "analysis": ANALYSIS,
            },
            "mappings": MAPPINGS,
            "aliases": {f"{prefix}-docs": {}},
        },
        "_meta": {"managed_by": "yuqing", "schema_version": 1},
    }
