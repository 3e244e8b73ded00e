"""Rule AST -> Elasticsearch / OpenSearch query DSL.

The compiled query only uses queries every supported engine has (ES 8/9,
OpenSearch 2/3): ``bool``, ``term``, ``prefix``, ``wildcard``, ``span_term``,
``span_near``, ``span_or``, ``span_multi``. Terms are sent already tokenized
(``term``/``span_term``, never analyzed at search time), so the only analysis
involved is the index-time one below, which mirrors
:mod:`yuqing.rules.normalize` token for token. The streaming matcher
(:mod:`yuqing.rules.matcher`) gives the same hits as these queries.

The index template must include ``MATCH_ANALYSIS`` (merge each section into
``settings.analysis``) and ``MATCH_FIELDS`` (merge into ``mappings.properties``),
and the indexer must fill ``match.*`` with :func:`normalize_for_index` of the
document fields (stock analyzers cannot convert Traditional to Simplified;
the char_filter here only guards letters and digits against width forms).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from yuqing.rules.normalize import JAVA_TOKEN_PATTERN, MAX_TOKEN_UTF16, WIDTH_MAPPINGS
from yuqing.rules.normalize import normalize_for_index  # noqa: F401 - re-exported for the indexer
from yuqing.rules.parser import And, Keyword, Near, Node, Not, Or, Term

if TYPE_CHECKING:
    from yuqing.rules.store import Rule

logger = logging.getLogger(__name__)

__all__ = ["compile_query", "compile_rule", "MATCH_ANALYSIS", "MATCH_FIELDS", "FIELD_NAMES",
           "normalize_for_index"]

MATCH_ANALYSIS: dict[str, Any] = {
    "char_filter": {
        "yq_match_width": {"type": "mapping", "mappings": list(WIDTH_MAPPINGS)},
    },
    "tokenizer": {
        # group 0: every regex match is a token (the default, -1, would split on it).
        "yq_match": {"type": "pattern", "pattern": JAVA_TOKEN_PATTERN, "group": 0},
    },
    "filter": {
        # Drops (keeping the position) what Lucene could not index anyway.
        "yq_match_length": {"type": "length", "min": 0, "max": MAX_TOKEN_UTF16},
    },
    "analyzer": {
        "yq_match": {"type": "custom", "char_filter": ["yq_match_width"], "tokenizer": "yq_match",
                     "filter": ["yq_match_length", "lowercase"]},
    },
    "normalizer": {
        "yq_match_kw": {"type": "custom", "char_filter": ["yq_match_width"], "filter": ["lowercase"]},
    },
}
"""Sections to merge into the index ``settings.analysis``."""

_MATCH_TEXT = {"type": "text", "analyzer": "yq_match", "norms": False}
_MATCH_KEYWORD = {"type": "keyword", "normalizer": "yq_match_kw"}
_KEYWORD = {"type": "keyword"}

MATCH_FIELDS: dict[str, Any] = {
    "match": {"properties": {
        "title": _MATCH_TEXT,     # normalize_for_index(title)
        "content": _MATCH_TEXT,   # normalize_for_index(content)
        "author": _MATCH_KEYWORD,  # normalize_for_index(author.name)
        "source": _MATCH_KEYWORD,  # normalize_for_index(source)
    }},
    "platform": _KEYWORD,
    "channel": _KEYWORD,
    "lang": _KEYWORD,
    "sentiment": {"properties": {"label": _KEYWORD}},
}
"""Mapping properties the compiled queries search (merge into ``mappings.properties``)."""

FIELD_NAMES = {"title": "match.title", "content": "match.content", "author": "match.author",
               "source": "match.source", "platform": "platform", "channel": "channel",
               "lang": "lang"}
"""Rule field -> index field."""

SENTIMENT_FIELD = "sentiment.label"


def compile_rule(rule: "Rule") -> dict[str, Any]:
    """The query for a whole rule: its query plus its sentiment filter."""
    query = compile_query(rule.ast)
    if not rule.sentiment:
        return query
    return {"bool": {"filter": [query, {"term": {SENTIMENT_FIELD: rule.sentiment}}]}}


def compile_query(node: Node) -> dict[str, Any]:
    """Query DSL equivalent to ``node`` on an index with ``MATCH_FIELDS``."""
    if isinstance(node, Term):
        return _any_field([_term(node, FIELD_NAMES[f]) for f in node.fields])
    if isinstance(node, Keyword):
        return _keyword(node)
    if isinstance(node, Near):
        return _any_field([_near(node, FIELD_NAMES[f]) for f in node.fields])
    if isinstance(node, Or):
        return {"bool": {"should": [compile_query(c) for c in node.children],
                         "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_query(node.child)]}}
    assert isinstance(node, And), node
    positive = [compile_query(c) for c in node.children if not isinstance(c, Not)]
    negative = [compile_query(c.child) for c in node.children if isinstance(c, Not)]
    body: dict[str, Any] = {}
    if positive:
        body["filter"] = positive
    if negative:
        body["must_not"] = negative
    return {"bool": body}


def _any_field(queries: list[dict]) -> dict[str, Any]:
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def _term(term: Term, field: str) -> dict[str, Any]:
    if term.prefix:
        return {"prefix": {field: {"value": term.tokens[0]}}}
    if len(term.tokens) == 1:
        return {"term": {field: {"value": term.tokens[0]}}}
    return _span_unit(term, field)


def _span_unit(unit: "Term | Or", field: str) -> dict[str, Any]:
    if isinstance(unit, Or):
        return {"span_or": {"clauses": [_span_unit(c, field) for c in unit.children]}}
    if unit.prefix:
        return {"span_multi": {"match": {"prefix": {field: {"value": unit.tokens[0]}}}}}
    if len(unit.tokens) == 1:
        return {"span_term": {field: unit.tokens[0]}}
    return {"span_near": {"clauses": [{"span_term": {field: t}} for t in unit.tokens],
                          "slop": 0, "in_order": True}}


def _near(near: Near, field: str) -> dict[str, Any]:
    return {"span_near": {"clauses": [_span_unit(u, field) for u in near.units],
                          "slop": near.slop, "in_order": near.ordered}}


def _keyword(node: Keyword) -> dict[str, Any]:
    field = FIELD_NAMES[node.field]
    if node.prefix:
        return {"prefix": {field: {"value": node.value}}}
    exact = {"term": {field: {"value": node.value}}}
    if node.field != "source":
        return exact
    # site:sina.com.cn also covers its subdomains (news.sina.com.cn).
    escaped = "".join("\\" + ch if ch in "\\*?" else ch for ch in node.value)
    return {"bool": {"should": [exact, {"wildcard": {field: {"value": "*." + escaped}}}],
                     "minimum_should_match": 1}}
