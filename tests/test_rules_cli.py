"""``yuqing rules`` subcommands, driven through their argparse registration."""

import argparse
import io
import json

import pytest
import yaml

from yuqing.cli import rules as rules_cli


def run(argv, stdin=None, monkeypatch=None):
    parser = argparse.ArgumentParser(prog="yuqing")
    rules_cli.register(parser.add_subparsers(dest="command"))
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = parser.parse_args(argv)
    return args.func(args)


DOC = {"title": "華為手機", "content": "用户投诉华为", "author": "新華社", "source": "news.sina.com.cn",
       "platform": "news", "lang": "zh"}


def test_test_matches_and_reports_terms(capsys, monkeypatch):
    code = run(["rules", "test", "华为 NEAR/3 投诉 site:sina.com.cn", "--json"],
               json.dumps(DOC, ensure_ascii=False), monkeypatch)
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["matched"] is True
    texts = {(t["field"], t.get("text")) for t in out["terms"]}
    assert ("title", "華為") in texts and ("content", "投诉") in texts
    assert any(t["field"] == "source" for t in out["terms"])


def test_test_no_match_exits_1(capsys, monkeypatch):
    assert run(["rules", "test", "小米"], json.dumps(DOC), monkeypatch) == 1
    assert json.loads(capsys.readouterr().out) == {"matched": False, "terms": [], "query": "小米"}


def test_test_author_object_and_sentiment_string(capsys, monkeypatch):
    doc = {"content": "x", "author": {"name": "新華社"}, "sentiment": "negative"}
    assert run(["rules", "test", "author:新华社 x"], json.dumps(doc), monkeypatch) == 0


def test_test_syntax_error_exits_2_with_position(capsys, monkeypatch):
    assert run(["rules", "test", "华为 AND"], "{}", monkeypatch) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "syntax error at position 6: expected a term after AND, got end of query"
    assert err[1] == "  华为 AND"
    assert err[2] == "  " + " " * 8 + "^"  # two columns per Chinese character


def test_test_bad_stdin_exits_2(capsys, monkeypatch):
    assert run(["rules", "test", "华为"], "not json", monkeypatch) == 2
    assert "not one JSON document" in capsys.readouterr().err


def test_add_list_disable(tmp_path, capsys, monkeypatch):
    path = tmp_path / "rules.yaml"
    monkeypatch.setenv("YUQING_RULES_FILE", str(path))
    assert run(["rules", "add", "--id", "hw", "--name", "华为", "--query", "华为 -二手",
                "--topic", "brand", "--priority", "4", "--sentiment", "negative"]) == 0
    assert run(["rules", "add", "--id", "mi", "--query", "小米"]) == 0
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    assert saved[0] == {"id": "hw", "name": "华为", "topic": "brand", "query": "华为 -二手",
                        "priority": "critical", "sentiment": "negative", "enabled": True}

    assert run(["rules", "add", "--id", "hw", "--query", "x"]) == 2          # duplicate id
    assert "already exists" in capsys.readouterr().err
    assert run(["rules", "add", "--id", "bad", "--query", "(x"]) == 2      # syntax error
    assert "syntax error at position 2: expected ')'" in capsys.readouterr().err
    assert run(["rules", "add", "--id", "p", "--query", "x", "--priority", "9"]) == 2
    assert len(yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]) == 2

    assert run(["rules", "disable", "mi"]) == 0
    assert run(["rules", "disable", "nope"]) == 1
    capsys.readouterr()
    assert run(["rules", "list", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert "hw" in out and "critical" in out and "no" in out


def test_list_shows_invalid_rules(tmp_path, capsys):
    path = tmp_path / "r.yaml"
    path.write_text("- id: ok\n  query: 华为\n- id: broken\n  query: 华为 AND\n", encoding="utf-8")
    assert run(["rules", "list", "--file", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 rules" in out and "invalid: rule broken: expected a term after AND" in out


def test_compile_prints_the_dsl(capsys):
    assert run(["rules", "compile", "title:华为 -platform:weibo"]) == 0
    assert json.loads(capsys.readouterr().out) == {"bool": {
        "filter": [{"span_near": {"clauses": [{"span_term": {"match.title": "华"}},
                                              {"span_term": {"match.title": "为"}}],
                                  "slop": 0, "in_order": True}}],
        "must_not": [{"term": {"platform": {"value": "weibo"}}}],
    }}
    assert run(["rules", "compile", "a OR"]) == 2


def test_rules_without_subcommand_prints_usage(capsys):
    assert run(["rules"]) == 2
    assert "SUBCOMMAND" in capsys.readouterr().err


@pytest.mark.parametrize("query", ["华为", "a NEAR/2f b", '"x y"~3', "brand*", "author:新华社"])
def test_compile_output_is_json(query, capsys):
    assert run(["rules", "compile", query]) == 0
    json.loads(capsys.readouterr().out)
