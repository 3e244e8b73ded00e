"""Analyst rules: the query language, the streaming matcher and the compiler
to Elasticsearch/OpenSearch queries. The language is documented in
:mod:`yuqing.rules.parser`."""

from yuqing.rules.compiler import MATCH_ANALYSIS, MATCH_FIELDS, compile_query, compile_rule
from yuqing.rules.matcher import Match, Matcher, TermHit, match_fields
from yuqing.rules.normalize import normalize_for_index
from yuqing.rules.parser import RuleSyntaxError, parse
from yuqing.rules.store import Rule, RuleError, RuleSet, RuleStore

__all__ = ["MATCH_ANALYSIS", "MATCH_FIELDS", "compile_query", "compile_rule", "Match", "Matcher",
           "TermHit", "match_fields", "normalize_for_index", "RuleSyntaxError", "parse", "Rule",
           "RuleError", "RuleSet", "RuleStore"]
