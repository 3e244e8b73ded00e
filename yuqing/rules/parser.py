"""The analyst rule language: query text -> AST.

Rule language
=============

Terms and phrases
    ``华为`` ``iphone`` ``covid-19`` ``"华为 手机"`` ``"supply chain"``
    A term or phrase matches where its tokens occur consecutively (see
    tokenization below). Chinese needs no spaces: ``华为手机`` matches
    ``华为手机很好``. Latin words match whole words, case-insensitively: ``car``
    matches ``Car`` but not ``cart``. Full-width forms and Traditional Chinese
    are normalized on both sides: ``华为`` matches ``華為``, ``abc`` matches ``ＡＢＣ``.
    Inside quotes everything is literal: punctuation only separates tokens and
    ``AND``/``OR``/``*`` have no special meaning.

Boolean operators (upper case only; ``and``/``or``/``not`` are plain terms)
    ``a AND b``, ``a b`` (adjacent terms: implicit AND), ``a OR b``,
    ``NOT a``, ``-a``, ``-"a phrase"``, ``-(a OR b)``, parentheses.
    Precedence, tightest first: NEAR, NOT/-, AND, OR.
    ``华为 OR 小米 手机 -二手`` means ``华为 OR (小米 AND 手机 AND NOT 二手)``.
    A rule made only of negations (``-广告``) matches every document without
    the term.

Proximity
    ``a NEAR/5 b``    a and b in any order with at most 5 tokens between them;
    ``a NEAR/5f b``   the same, but a must come before b;
    ``a NEAR/3 b NEAR/3 c``  all three within one window (every NEAR of a chain
    must have the same distance and order);
    ``"a b c"~5``     the whitespace-separated words of the phrase, any order,
    at most 5 tokens between them in total (same as ``a NEAR/5 b NEAR/5 c``).
    Operands of NEAR are terms, phrases, wildcards or parenthesised OR groups of
    those: ``(华为 OR 荣耀) NEAR/10 (投诉 OR 维权)``. Distances count tokens, so
    for Chinese they count characters. Semantics are exactly Lucene's
    ``span_near`` (gaps between the operands are summed; an unordered window may
    overlap itself).

Field scopes
    ``title:`` ``content:`` restrict a term, phrase or group to one text field;
    unscoped terms search title and content (a phrase or NEAR must match within
    one field). ``author:`` (author name), ``site:``/``source:`` (site host or
    account; ``site:sina.com.cn`` also matches ``news.sina.com.cn``),
    ``platform:``, ``channel:``, ``lang:`` compare the whole field value,
    normalized like text (``author:新华社`` matches ``新華社``). A scope applies
    to the term, phrase or parenthesised group right after the colon, with no
    space: ``title:(华为 OR 荣耀)``; an inner scope wins over an outer one.

Wildcard
    ``brand*`` matches any word starting with ``brand``; only at the end of a
    Latin (non-CJK) word of at least 2 characters. ``华*`` is an error: Chinese
    terms already match inside longer text.

Tokenization (identical in the matcher and the ``match.*`` index fields)
    Text is normalized (full-width -> ASCII, Traditional -> Simplified character
    by character, lower case); then every CJK character is one token and every
    run of other letters/digits is one token; everything else separates tokens.
    See :mod:`yuqing.rules.normalize`.

Errors
    :class:`RuleSyntaxError` with ``.position`` (0-based character offset into
    the query) and ``.message`` saying what was expected, e.g.
    ``expected ')' at position 12``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from yuqing.rules.normalize import fold, is_cjk, token_strings

logger = logging.getLogger(__name__)

__all__ = ["RuleSyntaxError", "parse", "Term", "Keyword", "Near", "And", "Or", "Not", "Node",
           "TEXT_FIELDS", "KEYWORD_FIELDS", "FOLDED_KEYWORD_FIELDS"]

TEXT_FIELDS = ("title", "content")
# Query-language name -> document field compared as a whole value.
KEYWORD_FIELDS = {"author": "author", "site": "source", "source": "source",
                  "platform": "platform", "channel": "channel", "lang": "lang"}
# Whole-value fields indexed normalized (``match.author``/``match.source``) and
# so compared normalized; the others are compared to the raw stored value.
FOLDED_KEYWORD_FIELDS = frozenset({"author", "source"})
_SCOPES = {"title": ("title",), "content": ("content",), **KEYWORD_FIELDS}
_MIN_PREFIX = 2


class RuleSyntaxError(ValueError):
    """A malformed rule; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int):
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


# --------------------------------------------------------------------------- AST


def _display(tokens: tuple[str, ...]) -> str:
    out = tokens[0]
    for prev, tok in zip(tokens, tokens[1:]):
        out += tok if is_cjk(prev[-1]) or is_cjk(tok[0]) else " " + tok
    return out


def _scope_prefix(fields: tuple[str, ...]) -> str:
    return "" if fields == TEXT_FIELDS else "|".join(fields) + ":"


@dataclass(frozen=True)
class Term:
    """Consecutive tokens in a text field (``prefix``: the last one is a prefix)."""
    tokens: tuple[str, ...]
    fields: tuple[str, ...] = TEXT_FIELDS
    prefix: bool = False
    pos: int = 0
    text: str = ""
    """The term as the analyst wrote it (for reports)."""

    def __str__(self) -> str:
        shown = _display(self.tokens) + ("*" if self.prefix else "")
        if " " in shown:
            shown = f'"{shown}"'
        return _scope_prefix(self.fields) + shown


@dataclass(frozen=True)
class Keyword:
    """A whole-value comparison on ``field`` (already normalized ``value``)."""
    field: str
    value: str
    prefix: bool = False
    pos: int = 0

    def __str__(self) -> str:
        shown = self.value + ("*" if self.prefix else "")
        return f'{self.field}:"{shown}"' if " " in shown else f"{self.field}:{shown}"


@dataclass(frozen=True)
class Near:
    """Units (Terms or Ors of Terms) within ``slop`` tokens in one field."""
    units: tuple["Term | Or", ...]
    slop: int
    ordered: bool
    fields: tuple[str, ...] = TEXT_FIELDS
    pos: int = 0

    def __str__(self) -> str:
        op = f"NEAR/{self.slop}{'f' if self.ordered else ''}"
        units = " ".join(_unscoped(u) for u in self.units)
        return f"{_scope_prefix(self.fields)}({op} {units})"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]
    pos: int = 0

    def __str__(self) -> str:
        return "(AND " + " ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]
    pos: int = 0

    def __str__(self) -> str:
        return "(OR " + " ".join(map(str, self.children)) + ")"


@dataclass(frozen=True)
class Not:
    child: "Node"
    pos: int = 0

    def __str__(self) -> str:
        return f"(NOT {self.child})"


Node = Term | Keyword | Near | And | Or | Not


def _unscoped(unit: "Term | Or") -> str:
    # Inside a NEAR the scope is printed once, on the NEAR itself.
    if isinstance(unit, Term):
        return str(Term(unit.tokens, TEXT_FIELDS, unit.prefix))
    return "(OR " + " ".join(_unscoped(c) for c in unit.children) + ")"


# --------------------------------------------------------------------------- lexer


@dataclass
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT NEG NEAR FIELD EOF
    pos: int
    text: str = ""
    end: int = 0
    slop: int | None = None  # NEAR distance; PHRASE ~N
    ordered: bool = False


_NEAR_RE = re.compile(r"NEAR/(\d+)(f?)")
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_BREAK = set('()"') | {" ", "\t", "\n", "\r", "\u3000"}


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            toks.append(_Tok("LPAREN" if ch == "(" else "RPAREN", i, ch, i + 1))
            i += 1
        elif ch == '"':
            i = _lex_phrase(query, i, toks)
        elif ch == "-":
            if i + 1 >= n or query[i + 1].isspace() or query[i + 1] == ")":
                raise RuleSyntaxError("expected a term right after '-'", i + 1)
            toks.append(_Tok("NEG", i, "-", i + 1))
            i += 1
        else:
            i = _lex_word(query, i, toks)
    toks.append(_Tok("EOF", n, "", n))
    return toks


def _lex_phrase(query: str, start: int, toks: list[_Tok]) -> int:
    close = query.find('"', start + 1)
    if close < 0:
        raise RuleSyntaxError("expected '\"' to close the phrase", len(query))
    tok = _Tok("PHRASE", start, query[start + 1:close], close + 1)
    i = close + 1
    if i < len(query) and query[i] == "~":
        digits = re.match(r"\d+", query[i + 1:])
        if not digits:
            raise RuleSyntaxError("expected a number after '~'", i + 1)
        tok.slop = int(digits.group())
        i += 1 + len(digits.group())
        tok.end = i
    toks.append(tok)
    return i


def _lex_word(query: str, start: int, toks: list[_Tok]) -> int:
    i = start
    while i < len(query) and query[i] not in _BREAK and not query[i].isspace():
        i += 1
    word = query[start:i]
    field = _FIELD_RE.match(word)
    if field:
        name = field.group(1).lower()
        if name not in _SCOPES:
            raise RuleSyntaxError(
                f"unknown field '{field.group(1)}' (expected one of {', '.join(_SCOPES)}; "
                "quote the text to search it literally)", start)
        end = start + field.end()
        toks.append(_Tok("FIELD", start, name, end))
        return end  # the scoped term, phrase or group is lexed next
    if word in ("AND", "OR", "NOT"):
        toks.append(_Tok(word, start, word, i))
    elif word == "NEAR" or word.startswith("NEAR/"):
        near = _NEAR_RE.fullmatch(word)
        if not near:
            raise RuleSyntaxError("expected NEAR/N with N a number (or NEAR/Nf for in order)", start)
        toks.append(_Tok("NEAR", start, word, i, slop=int(near.group(1)),
                         ordered=bool(near.group(2))))
    else:
        for j, ch in enumerate(word):
            if ch == "*" and j != len(word) - 1:
                raise RuleSyntaxError("'*' is only allowed at the end of a word", start + j)
            if ch == "~":
                raise RuleSyntaxError("'~N' proximity only follows a quoted phrase", start + j)
        toks.append(_Tok("WORD", start, word, i))
    return i


# --------------------------------------------------------------------------- parser

_UNARY_START = {"WORD", "PHRASE", "LPAREN", "NOT", "NEG", "FIELD"}


class _Parser:
    def __init__(self, query: str):
        self.toks = _lex(query)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise RuleSyntaxError("empty query: expected a term", 0)
        node = self.or_expr(TEXT_FIELDS)
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise RuleSyntaxError("unexpected ')' without a matching '('", tok.pos)
        if tok.kind != "EOF":
            raise RuleSyntaxError(f"unexpected '{tok.text}'", tok.pos)
        return node

    def or_expr(self, scope) -> Node:
        first = self.peek().pos
        children = [self.and_expr(scope, None)]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr(scope, "OR"))
        return _flat(Or, children, first)

    def and_expr(self, scope, after) -> Node:
        first = self.peek().pos
        children = [self.unary(scope, after)]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
                children.append(self.unary(scope, "AND"))
            elif kind in _UNARY_START:
                children.append(self.unary(scope, None))
            else:
                return _flat(And, children, first)

    def unary(self, scope, after) -> Node:
        tok = self.peek()
        if tok.kind in ("NOT", "NEG"):
            self.take()
            return Not(self.unary(scope, "NOT" if tok.kind == "NOT" else "'-'"), tok.pos)
        return self.near(scope, after)

    def near(self, scope, after) -> Node:
        first = self.primary(scope, after)
        if self.peek().kind != "NEAR":
            return first
        head = self.peek()
        units = [self.near_unit(first)]
        while self.peek().kind == "NEAR":
            op = self.take()
            if (op.slop, op.ordered) != (head.slop, head.ordered):
                raise RuleSyntaxError(
                    f"every NEAR of a chain must be the same as the first ({head.text})", op.pos)
            units.append(self.near_unit(self.primary(scope, op.text)))
        fields = units[0].fields if isinstance(units[0], Term) else units[0].children[0].fields
        for unit in units[1:]:
            unit_fields = unit.fields if isinstance(unit, Term) else unit.children[0].fields
            if unit_fields != fields:
                raise RuleSyntaxError("NEAR operands must search the same fields", unit.pos)
        return Near(tuple(units), head.slop, head.ordered, fields, units[0].pos)

    @staticmethod
    def near_unit(node: Node) -> "Term | Or":
        if isinstance(node, Term):
            return node
        if isinstance(node, Or) and all(isinstance(c, Term) for c in node.children):
            fields = {c.fields for c in node.children}
            if len(fields) == 1:
                return node
            raise RuleSyntaxError("NEAR operands must search the same fields", node.pos)
        if isinstance(node, Keyword):
            raise RuleSyntaxError("NEAR only applies to title and content text", node.pos)
        raise RuleSyntaxError(
            "a NEAR operand must be a term, a phrase or a parenthesised OR of those", node.pos)

    def primary(self, scope, after) -> Node:
        tok = self.take()
        if tok.kind == "FIELD":
            nxt = self.peek()
            if nxt.pos != tok.end or nxt.kind not in ("WORD", "PHRASE", "LPAREN", "FIELD"):
                raise RuleSyntaxError(
                    f"expected a term, phrase or '(' right after '{tok.text}:'", tok.end)
            return self.primary(_SCOPES[tok.text], f"'{tok.text}:'")
        if tok.kind == "WORD":
            return _word(tok, scope)
        if tok.kind == "PHRASE":
            return _phrase(tok, scope)
        if tok.kind == "LPAREN":
            node = self.or_expr(scope)
            close = self.peek()
            if close.kind != "RPAREN":
                raise RuleSyntaxError("expected ')'", close.pos)
            self.take()
            return node
        got = "end of query" if tok.kind == "EOF" else f"'{tok.text}'"
        where = f" after {after}" if after else ""
        raise RuleSyntaxError(f"expected a term{where}, got {got}", tok.pos)


def _flat(cls, children: list[Node], pos: int) -> Node:
    if len(children) == 1:
        return children[0]
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, cls) else (child,))
    return cls(tuple(flat), pos)


def _word(tok: _Tok, scope) -> Node:
    text, prefix = tok.text, tok.text.endswith("*")
    body = text[:-1] if prefix else text
    if isinstance(scope, str):
        return _keyword(scope, body, prefix, tok.pos, tok.pos + len(body))
    tokens = _tokens(body, tok.pos)
    if prefix:
        star = tok.pos + len(body)
        if any(is_cjk(ch) for ch in body):
            raise RuleSyntaxError(
                "wildcard '*' only follows a Latin word (Chinese terms already match inside "
                "longer text)", star)
        if len(tokens) != 1:
            raise RuleSyntaxError("wildcard '*' applies to a single word", star)
        if len(tokens[0]) < _MIN_PREFIX:
            raise RuleSyntaxError(f"wildcard needs at least {_MIN_PREFIX} characters before '*'", star)
    return Term(tokens, scope, prefix, tok.pos, text)


def _phrase(tok: _Tok, scope) -> Node:
    if not tok.text.strip():
        raise RuleSyntaxError("empty phrase", tok.pos)
    if isinstance(scope, str):
        if tok.slop is not None:
            raise RuleSyntaxError(f"'~N' proximity does not apply to {scope}:", tok.pos)
        return _keyword(scope, tok.text, False, tok.pos, tok.pos)
    if tok.slop is None:
        return Term(_tokens(tok.text, tok.pos), scope, False, tok.pos, f'"{tok.text}"')
    units = []
    offset = tok.pos + 1
    for word in re.finditer(r"\S+", tok.text):
        tokens = token_strings(fold(word.group()))
        if None in tokens:
            raise RuleSyntaxError("a word in this phrase is too long", offset + word.start())
        if tokens:
            units.append(Term(tuple(tokens), scope, False, offset + word.start(), word.group()))
    if not units:
        raise RuleSyntaxError("no letters or digits in phrase", tok.pos)
    if len(units) == 1:
        return units[0]
    return Near(tuple(units), tok.slop, False, scope, tok.pos)


def _tokens(text: str, pos: int) -> tuple[str, ...]:
    tokens = token_strings(fold(text))
    if not tokens:
        raise RuleSyntaxError("no letters or digits in term", pos)
    if None in tokens:
        raise RuleSyntaxError("a word in this term is too long", pos)
    return tuple(tokens)


def _keyword(field: str, text: str, prefix: bool, pos: int, star: int) -> Keyword:
    value = fold(text.strip())
    if not value:
        raise RuleSyntaxError(f"expected a value after '{field}:'", pos)
    if prefix and any(is_cjk(ch) for ch in value):
        raise RuleSyntaxError("wildcard '*' only follows a Latin word", star)
    return Keyword(field, value, prefix, pos)


def parse(query: str) -> Node:
    """Parse a rule query; raise :class:`RuleSyntaxError` on malformed input."""
    if not isinstance(query, str):
        raise RuleSyntaxError("query must be a string", 0)
    return _Parser(query).parse()
