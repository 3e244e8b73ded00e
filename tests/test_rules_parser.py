"""The rule language: AST shapes for every operator, errors with positions."""

import pytest

from yuqing.rules.normalize import fold, token_strings
from yuqing.rules.parser import And, Keyword, Near, Not, Or, RuleSyntaxError, Term, parse


@pytest.mark.parametrize("query, shape", [
    ("华为", "华为"),
    ("華為", "华为"),                       # Traditional is normalized at parse time
    ("ＡＢＣ", "abc"),                       # full-width too
    ("Car", "car"),
    ('"华为 手机"', "华为手机"),
    ('"Supply Chain"', '"supply chain"'),
    ("covid-19", '"covid 19"'),             # punctuation separates tokens
    ("华为 手机", "(AND 华为 手机)"),         # implicit AND
    ("华为 AND 手机", "(AND 华为 手机)"),
    ("华为 OR 小米", "(OR 华为 小米)"),
    ("NOT 广告", "(NOT 广告)"),
    ("-广告", "(NOT 广告)"),
    ('-"二手 手机"', "(NOT 二手手机)"),
    ("-(a OR b)", "(NOT (OR a b))"),
    ("华为 OR 小米 手机 -二手", "(OR 华为 (AND 小米 手机 (NOT 二手)))"),
    ("(华为 OR 小米) 手机", "(AND (OR 华为 小米) 手机)"),
    ("a AND (b AND c) OR d", "(OR (AND a b c) d)"),
    ("a NOT b", "(AND a (NOT b))"),
    ("NOT NOT a", "(NOT (NOT a))"),
    ("and or not", "(AND and or not)"),       # lower case operators are plain words
    ("华为 NEAR/5 投诉", "(NEAR/5 华为 投诉)"),
    ("华为 NEAR/5f 投诉", "(NEAR/5f 华为 投诉)"),
    ("a NEAR/3 b NEAR/3 c", "(NEAR/3 a b c)"),
    ('"华为 投诉"~5', "(NEAR/5 华为 投诉)"),
    ('"华为投诉"~5', "华为投诉"),             # one word: nothing to be near
    ("(华为 OR 荣耀) NEAR/10 (投诉 OR 维权)", "(NEAR/10 (OR 华为 荣耀) (OR 投诉 维权))"),
    ('华为 NEAR/2 "质量 问题"', "(NEAR/2 华为 质量问题)"),
    ("NOT a NEAR/2 b", "(NOT (NEAR/2 a b))"),  # NEAR binds tighter than NOT
    ("brand*", "brand*"),
    ("title:华为", "title:华为"),
    ("content:华为", "content:华为"),
    ("title:(华为 OR 荣耀)", "(OR title:华为 title:荣耀)"),
    ('title:"华为 手机"', "title:华为手机"),
    ("title:(华为 NEAR/3 投诉)", "title:(NEAR/3 华为 投诉)"),
    ("title:(a content:b)", "(AND title:a content:b)"),  # the inner scope wins
    ("-title:广告", "(NOT title:广告)"),
    ("author:新華社", "author:新华社"),
    ('author:"John Smith"', 'author:"john smith"'),
    ("site:Sina.com.cn", "source:sina.com.cn"),
    ("source:weibo.com", "source:weibo.com"),
    ("platform:weibo channel:news lang:zh", "(AND platform:weibo channel:news lang:zh)"),
    ("platform:(weibo OR douyin)", "(OR platform:weibo platform:douyin)"),
    ("source:sina*", "source:sina*"),
])
def test_ast_shapes(query, shape):
    assert str(parse(query)) == shape


def test_node_types_and_fields():
    node = parse("title:(华为 NEAR/5f (投诉 OR brand*)) -author:张三")
    assert isinstance(node, And)
    near, neg = node.children
    assert isinstance(near, Near) and near.slop == 5 and near.ordered and near.fields == ("title",)
    first, group = near.units
    assert first == Term(("华", "为"), ("title",), False, first.pos, "华为")
    assert isinstance(group, Or) and group.children[1].prefix
    assert isinstance(neg, Not) and neg.child == Keyword("author", "张三", False, neg.child.pos)


def test_default_scope_is_title_and_content():
    assert parse("华为").fields == ("title", "content")


def test_term_positions_point_into_the_query():
    node = parse("华为  AND   title:投诉")
    assert [c.pos for c in node.children] == [0, 16]


def test_terms_use_the_shared_tokenizer():
    assert parse("iPhone15手机").tokens == tuple(token_strings(fold("iPhone15手机")))
    assert parse("iPhone15手机").tokens == ("iphone15", "手", "机")


@pytest.mark.parametrize("query, position, message", [
    ("", 0, "empty query"),
    ("   ", 0, "empty query"),
    ("(华为 OR 小米", 9, "expected ')'"),
    ("((a)", 4, "expected ')'"),
    ("华为)", 2, "unexpected ')'"),
    ("华为 AND", 6, "expected a term after AND"),
    ("华为 AND OR 小米", 7, "expected a term after AND, got 'OR'"),
    ("华为 OR", 5, "expected a term after OR"),
    ("OR 华为", 0, "expected a term, got 'OR'"),
    ("AND", 0, "expected a term, got 'AND'"),
    ("NOT", 3, "expected a term after NOT"),
    ("()", 1, "expected a term"),
    ('""', 0, "empty phrase"),
    ('a "  "', 2, "empty phrase"),
    ('"华为', 3, "expected '\"' to close the phrase"),
    ('"a b"~', 6, "expected a number after '~'"),
    ("a~2", 1, "'~N' proximity only follows a quoted phrase"),
    ("华为 NEAR/x 投诉", 3, "expected NEAR/N"),
    ("华为 NEAR 投诉", 3, "expected NEAR/N"),
    ("华为 NEAR/5", 9, "expected a term after NEAR/5"),
    ("华为 NEAR/5 -投诉", 10, "expected a term after NEAR/5, got '-'"),
    ("a NEAR/5 b NEAR/4 c", 11, "every NEAR of a chain must be the same"),
    ("(a AND b) NEAR/3 c", 1, "a NEAR operand must be a term, a phrase or a parenthesised OR"),
    ('"a b"~2 NEAR/3 c', 0, "a NEAR operand must be"),
    ("title:a NEAR/3 b", 15, "NEAR operands must search the same fields"),
    ("(title:a OR b) NEAR/3 c", 1, "NEAR operands must search the same fields"),
    ("author:(a NEAR/3 b)", 8, "NEAR only applies to title and content"),
    ('author:"a b"~3', 7, "'~N' proximity does not apply to author:"),
    ("华*", 1, "wildcard '*' only follows a Latin word"),
    ("title:华为*", 8, "wildcard '*' only follows a Latin word"),
    ("iphone手*", 7, "wildcard '*' only follows a Latin word"),
    ("author:张*", 8, "wildcard '*' only follows a Latin word"),
    ("a*", 1, "wildcard needs at least 2 characters"),
    ("covid-1*", 7, "wildcard '*' applies to a single word"),
    ("br*nd", 2, "'*' is only allowed at the end of a word"),
    ("华为 - 投诉", 4, "expected a term right after '-'"),
    ("华为 -", 4, "expected a term right after '-'"),
    ("title: 华为", 6, "expected a term, phrase or '(' right after 'title:'"),
    ("title:", 6, "expected a term, phrase or '(' right after 'title:'"),
    ("title:-华为", 6, "expected a term, phrase or '(' right after 'title:'"),
    ("foo:bar", 0, "unknown field 'foo'"),
    ("!!!", 0, "no letters or digits in term"),
    ('"!! ??"~3', 0, "no letters or digits in phrase"),
    ("x" * 300, 0, "too long"),
])
def test_syntax_errors(query, position, message):
    with pytest.raises(RuleSyntaxError) as info:
        parse(query)
    assert info.value.position == position, str(info.value)
    assert message in info.value.message
    assert str(info.value) == f"{info.value.message} at position {position}"
