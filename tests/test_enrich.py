"""Document enrichment: keywords, region, sentiment, bad input, ``yuqing analyze``."""
from __future__ import annotations

import argparse
import base64
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yuqing.enrich import Enricher, default_enricher, detect_region, enrich, extract_keywords
from yuqing.enrich.region import UNKNOWN_REGION
from yuqing.enrich.sentiment import FEATURE_VERSION, LABELS, MODEL_PATH, SentimentModel, emoji_sentiment, featurize

ROOT = Path(__file__).resolve().parent.parent
ENRICH_DIR = ROOT / "yuqing" / "enrich"


# --------------------------------------------------------------------------- keywords

def test_chinese_keywords_name_the_topic_and_drop_noise():
    text = ("武汉市卫健委通报：新型冠状病毒感染的肺炎病例新增17例，重症病例3例。"
            "专家提醒市民出门佩戴口罩、勤洗手，发热患者应及时到发热门诊就诊。")
    keywords = extract_keywords(text, "zh", top_k=10)
    assert len(keywords) <= 10
    assert {"冠状病毒", "口罩", "卫健委"} <= set(keywords)
    for word in keywords:
        assert len(word) >= 2, word
        assert not any(ch.isdigit() for ch in word), word
        assert word not in {"的", "了", "及时", "应该", "我们"}


def test_chinese_keywords_skip_weibo_boilerplate():
    text = "//@人民日报:#春运# 返乡路上注意防护 http://t.cn/A6vdlB7e [心][心] 转发微博 网页链接 2020年1月"
    keywords = extract_keywords(text, "zh")
    assert "春运" in keywords and "返乡" in keywords
    assert not {"转发", "微博", "网页链接", "http", "cn", "2020年", "人民日报", "心"} & set(keywords)


def test_english_keywords_are_lowercase_content_phrases():
    text = ("Health officials in rural counties said the vaccine rollout faced delays. "
            "Vaccine supplies will improve next month, the officials said, as new clinics open.")
    keywords = extract_keywords(text, "en", top_k=8)
    assert keywords and all(k == k.lower() for k in keywords)
    joined = " ".join(keywords)
    assert "vaccine" in joined and "official" in joined      # plural folded
    stop = {"the", "in", "will", "said", "as", "next"}
    assert not any(set(k.split()) & stop for k in keywords)


def test_keywords_of_nothing_are_empty():
    assert extract_keywords("", "zh") == []
    assert extract_keywords(None, "en") == []
    assert extract_keywords("some text", "other") == []
    assert extract_keywords("。。。！！！ 123 456", "zh") == []
    assert extract_keywords("some text", "en", top_k=0) == []


# --------------------------------------------------------------------------- region

@pytest.mark.parametrize("ip, province, city", [
    ("IP属地：广东", "广东省", None),
    ("IP属地:北京", "北京市", "北京市"),
    ("发布于 浙江", "浙江省", None),
    ("四川成都", "四川省", "成都市"),
    ("中国香港", "香港特别行政区", None),
    ("吉林", "吉林省", None),          # the province, not 吉林市
])
def test_region_from_ip_location(ip, province, city):
    region = detect_region("文本里提到了上海市", ip)
    assert region["source"] == "ip"
    assert (region["province"], region["city"]) == (province, city)
    assert set(region["location"]) == {"lat", "lon"}


def test_region_from_foreign_ip_location():
    region = detect_region("", "IP属地：美国")
    assert region == {"province": "海外", "city": "美国", "location": None, "source": "ip"}


def test_unrecognised_ip_location_falls_back_to_text():
    region = detect_region("深圳市今日发布暴雨预警", "IP属地：未知")
    assert (region["province"], region["city"], region["source"]) == ("广东省", "深圳市", "text")


@pytest.mark.parametrize("text, province, city", [
    ("深圳市南山区发布暴雨预警，福田区也出现强降雨。", "广东省", "深圳市"),
    ("浙江义乌市的小商品市场恢复营业", "浙江省", "金华市"),      # county-level city -> its prefecture
    ("吉林省吉林市昌邑区发生一起交通事故", "吉林省", "吉林市"),
    ("武汉加油！湖北挺住！", "湖北省", "武汉市"),
    ("新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区", "乌鲁木齐市"),
    ("上海今天又下雨了", "上海市", "上海市"),
    ("Police fired tear gas at protesters in Hong Kong.", "香港特别行政区", None),
    ("Factories in Guangdong reopened on Monday.", "广东省", None),
])
def test_region_from_text(text, province, city):
    region = detect_region(text)
    assert region["source"] == "text"
    assert (region["province"], region["city"]) == (province, city)
    assert region["location"]["lat"] > 15 and region["location"]["lon"] > 70


def test_region_city_location_is_the_city_not_the_province():
    shenzhen = detect_region("深圳市")["location"]
    guangdong = detect_region("广东省")["location"]
    assert abs(shenzhen["lat"] - 22.54) < 0.3 and abs(shenzhen["lon"] - 114.06) < 0.3
    assert shenzhen != guangdong


def test_region_majority_wins():
    text = "杭州市的记者从北京赶来。杭州市民纷纷表示，杭州的西湖区很美。"
    assert detect_region(text)["province"] == "浙江省"


@pytest.mark.parametrize("text", [
    "",
    "今天天气很好，我们去公园散步。",
    "他来宾馆开会，顺便开封了信件，然后去了中山公园。",   # 来宾, 开封, 中山 are words here
    "这个区域的房价又涨了，大家东躲西藏。",
    "大理石地面很滑",
    "I love this phone",
])
def test_region_unknown_when_nothing_supports_one(text):
    assert detect_region(text) == UNKNOWN_REGION


def test_region_result_is_a_fresh_dict():
    first = detect_region("")
    first["province"] = "mutated"
    assert detect_region("")["province"] == "unknown"


# --------------------------------------------------------------------------- sentiment

@pytest.mark.parametrize("text, lang, label", [
    ("这家酒店太差了，服务态度恶劣，房间又脏又吵，再也不来了。", "zh", "negative"),
    ("质量很好，物流很快，非常满意，推荐购买！", "zh", "positive"),
    ("感谢所有医护人员，致敬白衣天使！[心][心]", "zh", "positive"),
    ("I absolutely love this phone, the battery life is amazing!", "en", "positive"),
    ("The service was terrible and the food was cold. Never again.", "en", "negative"),
])
def test_sentiment_of_clear_cases(text, lang, label):
    result = enrich({"content": text, "lang": lang})["sentiment"]
    assert result["label"] == label
    assert -1.0 <= result["score"] <= 1.0
    assert (result["score"] > 0) == (label == "positive")


def test_sentiment_negation_flips_polarity():
    model = default_enricher().sentiment_model
    assert model.predict("This movie is good.", "en")["score"] > model.predict("This movie is not good.", "en")["score"]
    assert model.predict("很满意", "zh")["score"] > model.predict("不满意", "zh")["score"]


def test_sentiment_probabilities_are_a_distribution():
    probs = default_enricher().sentiment_model.predict_proba("还行吧，一般般", "zh")
    assert len(probs) == len(LABELS) and abs(sum(probs) - 1) < 1e-9 and min(probs) >= 0


def test_emoji_only_text_is_scored_by_its_emoji():
    assert emoji_sentiment("😡😡")["label"] == "negative"
    assert emoji_sentiment("🎉👍🏽")["label"] == "positive"      # skin tone stripped
    assert emoji_sentiment("🙂") == {"label": "neutral", "score": 0.25}
    result = enrich({"content": "😂😂😂"})
    assert result["lang"] == "other" and result["sentiment"]["label"] == "positive"


def test_featurize_is_deterministic_and_bounded():
    text = "服务很好，下次还来！" * 5000
    first, second = featurize(text, "zh"), featurize(text, "zh")
    assert first == second
    assert len(featurize(text + "尾巴不会被读到", "zh")) == len(first)   # sentiment reads MAX_CHARS only


def test_model_file_is_small_and_validated(tmp_path):
    assert MODEL_PATH.stat().st_size < 5_000_000
    shipped = sum(p.stat().st_size for d in ("models", "data") for p in (ENRICH_DIR / d).iterdir() if p.is_file())
    assert shipped < 5_000_000
    model = SentimentModel.load(MODEL_PATH)
    assert set(model.languages) == {"zh", "en"}
    broken = {"feature_version": FEATURE_VERSION, "labels": list(LABELS), "hash_bits": 4,
              "langs": {"zh": {"scale": 1.0, "intercept": [0, 0, 0], "weights": base64.b64encode(b"\0" * 10).decode()}}}
    with pytest.raises(ValueError):
        SentimentModel(broken)
    with pytest.raises(ValueError):
        SentimentModel({**broken, "feature_version": FEATURE_VERSION + 1})


# --------------------------------------------------------------------------- enrich(): the pipeline entry point

def test_enrich_fills_every_field():
    result = enrich({
        "title": "武汉加油", "content": "感谢所有医护人员，致敬白衣天使！",
        "platform": "weibo", "channel": "social", "region_hint": "IP属地：湖北",
    })
    assert set(result) == {"sentiment", "lang", "keywords", "region"}
    assert result["lang"] == "zh"
    assert result["sentiment"]["label"] == "positive"
    assert "白衣天使" in result["keywords"]
    assert result["region"]["province"] == "湖北省" and result["region"]["source"] == "ip"


def test_enrich_prefers_ip_location_over_region_hint_and_keeps_given_lang():
    result = enrich({"content": "Great news today", "lang": "en", "ip_location": "发布于 广东", "region_hint": "北京"})
    assert result["region"]["province"] == "广东省"
    assert result["lang"] == "en"


@pytest.mark.parametrize("doc", [
    {}, {"title": "", "content": ""}, {"content": "   \n\t "}, {"content": None, "title": None},
    {"content": "\x00\x01\x02"}, {"content": "。！？…"}, None, 12345,
])
def test_enrich_defined_on_empty_or_odd_input(doc):
    result = enrich(doc)
    assert result["sentiment"] == {"label": "neutral", "score": 0.0}
    assert result["lang"] == "other"
    assert result["keywords"] == []
    assert result["region"] == UNKNOWN_REGION


def test_enrich_mixed_scripts_and_non_string_fields():
    mixed = enrich({"content": "今天的发布会太棒了！The new phone looks amazing 😍 #launch"})
    assert mixed["lang"] in ("zh", "en")
    assert mixed["sentiment"]["label"] == "positive"
    odd = enrich({"title": 12345, "content": ["a", "b"], "lang": "klingon"})
    assert odd["sentiment"]["label"] in LABELS and odd["lang"] in ("zh", "en", "other")


def test_enrich_bounded_time_on_a_5mb_body():
    default_enricher()  # model loading is not what is timed
    body = "新冠肺炎疫情防控工作在北京市持续推进，广大市民积极配合。" * 180_000
    assert len(body.encode("utf-8")) > 5_000_000
    start = time.perf_counter()
    result = enrich({"title": "疫情通报", "content": body})
    assert time.perf_counter() - start < 5.0
    assert result["region"]["province"] == "北京市"
    assert result["keywords"]


def test_enricher_loads_once_per_process():
    assert default_enricher() is default_enricher()
    assert isinstance(default_enricher(), Enricher)


# --------------------------------------------------------------------------- yuqing analyze

def _parser():
    from yuqing.cli import analyze

    parser = argparse.ArgumentParser(prog="yuqing")
    analyze.register(parser.add_subparsers(dest="command"))
    return parser


def test_analyze_cli_one_json_line_per_input(monkeypatch):
    lines = [
        "这家餐厅太难吃了，服务也很差",
        json.dumps({"title": "Great day", "content": "I love the new park in Shanghai!", "lang": "en"}),
        "",
        "{not json at all",
        json.dumps(["a", "list"]),
    ]
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    monkeypatch.setattr(sys, "stdout", stdout)
    args = _parser().parse_args(["analyze"])
    assert args.func(args) == 0
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert len(out) == len(lines)
    for row in out:
        assert set(row) == {"sentiment", "lang", "keywords", "region"}
        assert row["sentiment"]["label"] in LABELS
    assert out[0]["sentiment"]["label"] == "negative" and out[0]["lang"] == "zh"
    assert out[1]["sentiment"]["label"] == "positive" and out[1]["region"]["province"] == "上海市"
    assert out[2] == {"sentiment": {"label": "neutral", "score": 0.0}, "lang": "other",
                      "keywords": [], "region": UNKNOWN_REGION}
    assert out[3]["lang"] == "en"     # analysed as the text it is


def test_analyze_cli_in_a_subprocess():
    script = ("import argparse, sys\n"
              "from yuqing.cli import analyze\n"
              "p = argparse.ArgumentParser(); analyze.register(p.add_subparsers())\n"
              "a = p.parse_args(['analyze']); sys.exit(a.func(a))\n")
    proc = subprocess.run([sys.executable, "-c", script], input="武汉加油！\n\n".encode("utf-8"),
                          capture_output=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(out) == 2
    assert out[0]["region"]["province"] == "湖北省" and out[0]["lang"] == "zh"
    assert "湖北省" in proc.stdout.decode("utf-8")      # ensure_ascii=False: no \\u escapes
    assert out[1]["sentiment"] == {"label": "neutral", "score": 0.0}
