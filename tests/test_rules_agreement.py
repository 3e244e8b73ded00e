"""The streaming matcher and the compiled queries agree, hit for hit, on a real
OpenSearch index built with ``MATCH_ANALYSIS``/``MATCH_FIELDS``."""

from __future__ import annotations

import csv
import json
import random

import pytest

from yuqing.rules.compiler import MATCH_ANALYSIS, MATCH_FIELDS, compile_rule
from yuqing.rules.matcher import Matcher
from yuqing.rules.normalize import normalize_for_index
from yuqing.rules.store import Rule

pytestmark = pytest.mark.timeout(600)

CORPUS_RULES = [
    "肺炎",
    "新型冠状病毒",
    "武漢",                                    # Traditional query, Simplified text
    "肺炎 -武汉",
    "口罩 OR 消毒",
    "武汉 NEAR/5 肺炎",
    "武汉 NEAR/5f 肺炎",
    '"感染 病例"~3',
    "title:肺炎",
    "content:(口罩 AND 医院)",
    "(武汉 OR 湖北) NEAR/10 (病例 OR 确诊)",
    "新增 NEAR/2 例",
    "platform:weibo 春节",
    "site:weibo.com 口罩",                      # also m.weibo.com
    "author:人民日報",
    "lang:en trump",
    "trump*",
    "vacc* OR covid",
    '"black lives matter"',
    "love NEAR/3 hate",
    "good NEAR/2f day",
    "-the",
    "channel:social -platform:weibo",
    "ＣＯＶＩＤ",
    '"新型 冠状 病毒"~0',
    "医院 NEAR/3 (医生 OR 护士)",
    "source:twitter*",
    "中国 AND NOT (美国 OR 日本)",
    "title:(武汉 OR 肺炎) content:口罩",
    "the NEAR/0 is",
    "病毒 NEAR/3 病毒",                         # the same operand twice
    "(病 OR 病毒) NEAR/2f 毒",                   # overlapping operands
    '"don t"',
    "people NEAR/5 (don OR t)",
    "title:covid OR content:(covid NEAR/4f vaccine*)",
    "author:(新华社 OR 央视新闻) 疫情",
    "湖北 NEAR/20 (武汉 OR 医院) NEAR/20 确诊",
]
SENTIMENT_RULES = [("肺炎", "negative"), ("trump", "positive"), ("春节", "neutral")]
AUTHORS = ["人民日报", "人民日報", "新华社", "央视新闻", "Weibo User", None]


def _doc(doc_id, title, content, **extra) -> dict:
    doc = {"id": doc_id, "title": title, "content": content, "author": {"name": None},
           "source": "", "platform": "news", "channel": "news", "lang": "other",
           "sentiment": None}
    doc.update(extra)
    return doc


def _corpus_docs(corpus) -> list[dict]:
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    docs = []
    labels = ["negative", "neutral", "positive"]
    with open(corpus / "posts" / "zh_weibo_posts.jsonl", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number == 330:
                break
            text = json.loads(line)["text"]
            if number % 4 == 1:
                text = s2t.convert(text)  # OpenCC's phrase-aware conversion
            title, content = ("", text) if number % 3 else (text[:15], text[15:])
            docs.append(_doc(f"wb{number}", title, content,
                             author={"name": AUTHORS[number % len(AUTHORS)]},
                             source="m.weibo.com" if number % 2 else "weibo.com",
                             platform="weibo", channel="social", lang="zh",
                             sentiment={"label": labels[number % 3]}))
    with open(corpus / "sentiment" / "en.csv", encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number == 200:
                break
            text = row["text"]
            if number % 5 == 0:  # full-width Latin letters
                text = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
            docs.append(_doc(f"en{number}", "", text, source="twitter.com", platform="twitter",
                             channel="social", lang="en", sentiment={"label": row["label"]}))
    return docs


SYNTHETIC = [
    ("华为手机很好", "华為手機很好用"),
    ("", "武汉的肺炎病例"),
    ("", "肺炎在武汉"),
    ("", "武汉市卫健委通报肺炎"),
    ("", "武汉 与 某地 有 一些 很 远 的 肺炎"),
    ("Car news", "a cart is not a car"),
    ("Vaccine", "COVID vaccines vaccinated vaccination"),
    ("", "love love hate"),
    ("", "hate is not love"),
    ("good", "a good day, good good day"),
    ("", "新增病例17例"),
    ("", "病毒病毒"),
    ("", "病病毒毒"),
    ("中国", "中国和美国"),
    ("中国", "只有中国"),
    ("", "people don't t know"),
    ("", "湖北省武汉市医院确诊"),
    ("", "x" * 300 + " covid " + "y" * 300),
]


def _synthetic_docs() -> list[dict]:
    docs = []
    for number, (title, content) in enumerate(SYNTHETIC):
        docs.append(_doc(f"syn{number}", title, content, author={"name": AUTHORS[number % 4]},
                         source=["news.sina.com.cn", "weibo.com", "twitter.com"][number % 3],
                         platform=["news", "weibo", "twitter"][number % 3], lang="zh",
                         sentiment={"label": "negative"} if number % 2 else None))
    return docs


# Span edge cases: a tiny vocabulary makes repeats, overlaps and ties frequent.
FUZZ_VOCAB = ["ab", "abc", "b", "c", "甲", "乙"]


def _fuzz_docs(rnd: random.Random) -> list[dict]:
    return [_doc(f"fz{n}", "", " ".join(rnd.choice(FUZZ_VOCAB) for _ in range(rnd.randint(2, 25))))
            for n in range(250)]


def _fuzz_rules(rnd: random.Random) -> list[str]:
    def unit() -> str:
        kind = rnd.random()
        if kind < 0.4:
            return rnd.choice(FUZZ_VOCAB)
        if kind < 0.6:
            return f'"{rnd.choice(FUZZ_VOCAB)} {rnd.choice(FUZZ_VOCAB)}"'
        if kind < 0.7:
            return "ab*"
        return f"({rnd.choice(FUZZ_VOCAB)} OR \"{rnd.choice(FUZZ_VOCAB)} {rnd.choice(FUZZ_VOCAB)}\")"

    rules = []
    for _ in range(80):
        op = f"NEAR/{rnd.randint(0, 4)}{rnd.choice(['', 'f'])}"
        rules.append(f" {op} ".join(unit() for _ in range(rnd.randint(2, 4))))
    return rules


def _index(client, name: str, docs: list[dict]) -> None:
    if client.indices.exists(index=name):
        client.indices.delete(index=name)
    client.indices.create(index=name, body={
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": MATCH_ANALYSIS},
        "mappings": {"dynamic": False, "properties": MATCH_FIELDS},
    })
    lines = []
    for doc in docs:
        body = {k: v for k, v in doc.items() if k != "id"}
        body["match"] = {  # what the indexer stores
            "title": normalize_for_index(doc["title"]),
            "content": normalize_for_index(doc["content"]),
            "author": normalize_for_index(doc["author"]["name"] or ""),
            "source": normalize_for_index(doc["source"]),
        }
        lines.append(json.dumps({"index": {"_index": name, "_id": doc["id"]}}))
        lines.append(json.dumps(body, ensure_ascii=False))
    response = client.bulk(body="\n".join(lines) + "\n", refresh=True)
    assert not response["errors"], [i for i in response["items"] if i["index"].get("error")][:3]


def _compare(client, index: str, docs: list[dict], rules: list[Rule]) -> dict[str, set]:
    matcher = Matcher(rules)
    by_matcher: dict[str, set] = {rule.id: set() for rule in rules}
    for doc in docs:
        for match in matcher.match(doc):
            by_matcher[match.rule_id].add(doc["id"])
    mismatches = []
    for rule in rules:
        response = client.search(index=index, body={"query": compile_rule(rule), "size": 10000,
                                                    "_source": False})
        by_index = {hit["_id"] for hit in response["hits"]["hits"]}
        if by_index != by_matcher[rule.id]:
            mismatches.append(f"{rule.query!r}: only index {sorted(by_index - by_matcher[rule.id])[:5]}"
                              f" only matcher {sorted(by_matcher[rule.id] - by_index)[:5]}")
    assert not mismatches, "\n".join(mismatches)
    return by_matcher


@pytest.fixture(scope="module")
def client(search_service):
    from opensearchpy import OpenSearch

    client = OpenSearch(search_service.url, timeout=120)
    yield client
    client.close()


def test_matcher_agrees_with_index_on_corpus(client, corpus):
    docs = _corpus_docs(corpus) + _synthetic_docs()
    assert len(docs) >= 500
    rules = [Rule.from_dict({"id": f"r{n}", "query": q}) for n, q in enumerate(CORPUS_RULES)]
    rules += [Rule.from_dict({"id": f"s{n}", "query": q, "sentiment": s})
              for n, (q, s) in enumerate(SENTIMENT_RULES)]
    assert len(rules) >= 30
    _index(client, "rules-agreement-corpus", docs)
    hits = _compare(client, "rules-agreement-corpus", docs, rules)
    # Guard against a vacuous agreement (everything or nothing matching).
    informative = [rid for rid, ids in hits.items() if 0 < len(ids) < len(docs)]
    assert len(informative) >= len(rules) - 2, {rid: len(ids) for rid, ids in hits.items()}


def test_matcher_agrees_with_index_on_span_edge_cases(client):
    rnd = random.Random(20240607)
    docs = _fuzz_docs(rnd)
    rules = [Rule.from_dict({"id": f"f{n}", "query": q}) for n, q in enumerate(_fuzz_rules(rnd))]
    _index(client, "rules-agreement-spans", docs)
    hits = _compare(client, "rules-agreement-spans", docs, rules)
    assert sum(1 for ids in hits.values() if 0 < len(ids) < len(docs)) >= 40
