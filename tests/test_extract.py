"""Unit tests for yuqing.text and yuqing.extract on small hand-written pages."""
from __future__ import annotations

import argparse
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from yuqing.extract import ExtractionError, extract_article
from yuqing.extract.evaluate import author_match, date_match, snippet_score, title_match, token_f1
from yuqing.text import decode_html, detect_lang, normalize_text, parse_datetime, parse_local_datetime, to_iso

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
NOW = datetime(2025, 1, 7, 12, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 1, 1, tzinfo=timezone.utc)   # for pages dated in 2025

ZH_SAMPLE = "中文编码测试，这是一个新闻页面的正文内容。我们的国家经济发展很快，人民生活水平不断提高。" * 3
ZH_TRAD = "中文編碼測試，這是一個新聞頁面的正文內容。我們的國家經濟發展很快，人民生活水準不斷提高。" * 3


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --------------------------------------------------------------------------- decode_html

class TestDecodeHtml:
    def test_gbk_without_any_charset(self):
        text, enc = decode_html(f"<html><body><p>{ZH_SAMPLE}</p></body></html>".encode("gbk"))
        assert enc == "gb18030"
        assert ZH_SAMPLE in text

    def test_gb2312_declaration_decodes_as_gb18030(self):
        # 镕 and 龥 are outside GB2312; pages declared gb2312 use them all the time.
        body = f'<meta charset="gb2312"><p>朱镕基 龥 {ZH_SAMPLE}</p>'.encode("gb18030")
        text, enc = decode_html(body)
        assert enc == "gb18030"
        assert "朱镕基 龥" in text

    def test_utf8_declared_but_gbk_bytes(self):
        body = f'<meta charset="utf-8"><p>{ZH_SAMPLE}</p>'.encode("gbk")
        text, enc = decode_html(body, "text/html; charset=UTF-8")
        assert enc == "gb18030"
        assert ZH_SAMPLE in text

    def test_declared_gb2312_but_really_utf8(self):
        body = f'<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>{ZH_SAMPLE}</p>'.encode()
        assert decode_html(body) == (body.decode(), "utf-8")

    def test_big5(self):
        text, enc = decode_html(f"<html><body>{ZH_TRAD}</body></html>".encode("big5"))
        assert enc == "big5hkscs"
        assert ZH_TRAD in text

    def test_big5_declared(self):
        text, enc = decode_html(f"<body>{ZH_TRAD}</body>".encode("big5"), "text/html; charset=big5")
        assert enc == "big5hkscs" and ZH_TRAD in text

    @pytest.mark.parametrize("bom,codec", [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                                           (b"\xfe\xff", "utf-16-be")])
    def test_boms(self, bom, codec):
        body = bom + "<p>新闻 news</p>".encode(codec)
        text, enc = decode_html(body)
        assert (text, enc) == ("<p>新闻 news</p>", codec)

    def test_corrupt_bytes_are_replaced_not_fatal(self):
        body = f'<meta charset="gbk"><p>{ZH_SAMPLE}</p>'.encode("gbk") + b"\xff\xfe\x81" + "结尾".encode("gbk")
        text, enc = decode_html(body)
        assert enc == "gb18030"
        assert ZH_SAMPLE in text and text.endswith("结尾") and "\ufffd" in text

    def test_utf8_with_a_few_corrupt_bytes_stays_utf8(self):
        body = f"<p>{ZH_SAMPLE}</p>".encode() + b"\xff" + f"<p>{ZH_SAMPLE}</p>".encode()
        text, enc = decode_html(body)
        assert enc == "utf-8" and text.count(ZH_SAMPLE) == 2

    def test_latin1_declared(self):
        body = '<meta charset="iso-8859-1"><p>café naïve résumé</p>'.encode("cp1252")
        text, enc = decode_html(body)
        assert enc == "cp1252" and "café naïve résumé" in text

    def test_vendor_label(self):
        text, enc = decode_html(f"<p>{ZH_SAMPLE}</p>".encode("gbk"), "text/html; charset=x-gbk")
        assert enc == "gb18030" and ZH_SAMPLE in text

    def test_gbk_fullwidth_space_is_ideographic_space(self):
        # Byte pair A3A0 indents GBK paragraphs; Python maps it to a private-use char.
        text, _ = decode_html(b'<meta charset="gbk"><p>\xa3\xa0\xa3\xa0' + ZH_SAMPLE.encode("gbk") + b"</p>")
        assert "\u3000\u3000" + ZH_SAMPLE[:5] in text

    def test_cleaneval_wrapper_encoding(self):
        text, enc = decode_html(fixture("cleaneval_wrapper.html"))
        assert enc == "gb18030" and "郊区农民合作社" in text

    def test_empty(self):
        assert decode_html(b"") == ("", "utf-8")


# --------------------------------------------------------------------------- normalize_text

class TestNormalizeText:
    def test_entities_zero_width_and_controls(self):
        assert normalize_text("A&amp;B&nbsp;C\u200b\u200dD\x07E\ufeff") == "A&B CDE"

    def test_fullwidth_letters_and_digits_fold_but_chinese_punctuation_stays(self):
        assert normalize_text("ＡＢＣ１２３，你好！（注）：“引号”") == "ABC123，你好！（注）：“引号”"

    def test_spaces_collapse_lines_strip_and_newlines_kept(self):
        assert normalize_text("  a \t\t b  \n\u3000\u3000段落 \r\n\n\n\n\nc ") == "a b\n段落\n\nc"

    def test_empty(self):
        assert normalize_text("") == ""


# --------------------------------------------------------------------------- detect_lang

class TestDetectLang:
    @pytest.mark.parametrize("text,lang", [
        ("今天天气很好，我们去公园散步。", "zh"),
        ("今天天气很好，我們去公園散步。", "zh"),
        ("The quick brown fox jumps over the lazy dog because it was in the way of the farm.", "en"),
        ("Breaking news", "en"),
        ("これは日本語の文章です。漢字も使います。", "other"),
        ("한국어 문장입니다", "other"),
        ("Привет, как дела? Это русский текст.", "other"),
        ("Der schnelle braune Fuchs springt über den faulen Hund, weil er im Weg auf dem Hof war und nicht "
         "gehen wollte, bis die Bäuerin kam.", "other"),
        ("", "other"),
        ("12345 !!! ...", "other"),
    ])
    def test_scripts(self, text, lang):
        assert detect_lang(text) == lang

    def test_chinese_page_with_some_english(self):
        assert detect_lang("苹果公司(Apple Inc.)今天发布了新款iPhone手机，售价为799美元起。") == "zh"

    def test_english_with_a_chinese_name(self):
        assert detect_lang("President Xi Jinping (习近平) met the delegation in Beijing on Monday.") == "en"


# --------------------------------------------------------------------------- parse_datetime / to_iso

class TestParseDatetime:
    @pytest.mark.parametrize("value,expected", [
        ("2005-5-7 21:23:57", "2005-05-07T13:23:57Z"),                  # naive = Asia/Shanghai
        ("2018年3月5日 10:20", "2018-03-05T02:20:00Z"),
        ("2018年03月05日10时20分", "2018-03-05T02:20:00Z"),
        ("2015-07-24T05:36:09+01:00", "2015-07-24T04:36:09Z"),
        ("2015-07-24T05:36:09Z", "2015-07-24T05:36:09Z"),
        ("Mon, 06 Jan 2025 08:00:00 GMT", "2025-01-06T08:00:00Z"),
        ("2024/01/05", "2024-01-04T16:00:00Z"),
        ("20240105", "2024-01-04T16:00:00Z"),
        ("２０２４年１月５日", "2024-01-04T16:00:00Z"),
        ("发布时间：2022-02-13 09:57 来源：新华网", "2022-02-13T01:57:00Z"),
        ("2024-01-05 08:00 北京时间", "2024-01-05T00:00:00Z"),
        ("January 5, 2024 3:00 PM", "2024-01-05T07:00:00Z"),
        ("1998-3", "1998-02-28T16:00:00Z"),
        ("2018", "2017-12-31T16:00:00Z"),
    ])
    def test_absolute(self, value, expected):
        assert to_iso(parse_datetime(value, now=NOW)) == expected

    def test_default_tz(self):
        assert to_iso(parse_datetime("2024-01-05 08:00", default_tz="UTC")) == "2024-01-05T08:00:00Z"
        assert to_iso(parse_datetime("2024-01-05 08:00", default_tz="America/New_York")) == "2024-01-05T13:00:00Z"

    @pytest.mark.parametrize("value", [1736150400, 1736150400000, "1736150400", "1736150400000", 1736150400.5])
    def test_timestamps(self, value):
        assert to_iso(parse_datetime(value, now=NOW)) == "2025-01-06T08:00:00Z"

    @pytest.mark.parametrize("value,expected", [
        ("3小时前", "2025-01-07T09:00:00Z"),
        ("5分钟前", "2025-01-07T11:55:00Z"),
        ("2天前", "2025-01-05T12:00:00Z"),
        ("半小时前", "2025-01-07T11:30:00Z"),
        ("刚刚", "2025-01-07T12:00:00Z"),
        ("昨天 12:30", "2025-01-06T04:30:00Z"),
        ("前天 08:00", "2025-01-05T00:00:00Z"),
        ("今天 09:15", "2025-01-07T01:15:00Z"),
        ("2 hours ago", "2025-01-07T10:00:00Z"),
        ("12-30 08:00", "2024-12-30T00:00:00Z"),              # year-less, later than now: last year
        ("01-06 08:00", "2025-01-06T00:00:00Z"),
    ])
    def test_relative(self, value, expected):
        assert to_iso(parse_datetime(value, now=NOW)) == expected

    @pytest.mark.parametrize("value", [None, "", "foo", "3", "刘涛", "2030-01-01", "1989-12-31", "1985", 0, True,
                                       "2021-02-30", "99999999999999999999", object()])
    def test_unparseable_or_absurd_is_none(self, value):
        assert parse_datetime(value, now=NOW) is None

    def test_two_days_of_future_slack(self):
        assert parse_datetime("2025-01-08 12:00", default_tz="UTC", now=NOW) is not None
        assert parse_datetime("2025-01-10 12:00", default_tz="UTC", now=NOW) is None

    def test_datetime_and_date_inputs(self):
        assert to_iso(parse_datetime(datetime(2024, 1, 5, 8, 0), now=NOW)) == "2024-01-05T00:00:00Z"
        assert to_iso(parse_datetime(datetime(2024, 1, 5, 8, 0, tzinfo=timezone.utc), now=NOW)) == "2024-01-05T08:00:00Z"
        assert to_iso(parse_datetime(date(2024, 1, 5), default_tz="UTC", now=NOW)) == "2024-01-05T00:00:00Z"

    def test_result_is_aware_utc(self):
        dt = parse_datetime("2024-01-05 08:00", now=NOW)
        assert dt.tzinfo is not None and dt.utcoffset().total_seconds() == 0

    @pytest.mark.parametrize("value,expected", [
        # English month-name dates keep their time of day and their written zone.
        ("November 15, 2025 18:10 (GMT+8)", "2025-11-15T10:10:00Z"),
        ("Published November 15, 2025 18:10 (GMT+8)", "2025-11-15T10:10:00Z"),
        ("August 16, 2025 09:00 (GMT+8)", "2025-08-16T01:00:00Z"),      # 15 Aug in UTC
        ("15 November 2025 18:10 UTC+08:00", "2025-11-15T10:10:00Z"),
        ("Nov. 15, 2025, 6:10 p.m. EST", "2025-11-15T23:10:00Z"),
        ("November 15, 2025 at 6:10 PM ET", "2025-11-15T23:10:00Z"),      # ET in November is UTC-5
        ("July 4, 2025 6:10 PM ET", "2025-07-04T22:10:00Z"),              # ... and UTC-4 in summer
        ("Sept. 5th, 2025 12:30 a.m. +0800", "2025-09-04T16:30:00Z"),
        ("Updated 10:02 AM EST Nov 19, 2019", "2019-11-19T15:02:00Z"),    # time before the date
        ("Sat, 15 Nov 2025 18:10:00 +0800", "2025-11-15T10:10:00Z"),
        ("Tue Jan 07 2025 08:00:00 GMT+0800 (China Standard Time)", "2025-01-07T00:00:00Z"),
        ("November 15, 2025", "2025-11-15T00:00:00Z"),                     # date only: default_tz midnight
        # Numeric dates with a written zone; "GMT+8" is east of Greenwich, not the POSIX reading.
        ("2025-11-15 18:10 (GMT+8)", "2025-11-15T10:10:00Z"),
        ("2025-11-15 18:10 GMT-5", "2025-11-15T23:10:00Z"),
        ("2025-11-15 06:10 PM", "2025-11-15T18:10:00Z"),
        ("2025-11-15 08:00 北京时间", "2025-11-15T00:00:00Z"),               # UTC+8 whatever the page zone
    ])
    def test_month_names_times_and_written_zones(self, value, expected):
        assert to_iso(parse_datetime(value, default_tz="UTC", now=LATER)) == expected

    def test_local_keeps_the_written_day(self):
        dt = parse_local_datetime("August 16, 2025 09:00 (GMT+8)", default_tz="UTC", now=LATER)
        assert dt.date() == date(2025, 8, 16) and dt.utcoffset().total_seconds() == 8 * 3600
        assert parse_local_datetime("2025-08-16", default_tz="UTC", now=LATER).date() == date(2025, 8, 16)


def test_to_iso():
    assert to_iso(datetime(2024, 1, 5, 8, 0, 1, tzinfo=timezone.utc)) == "2024-01-05T08:00:01Z"
    assert to_iso(datetime(2024, 1, 5, 8, 0)) == "2024-01-05T08:00:00Z"          # naive taken as UTC
    assert to_iso(parse_datetime("2024-01-05T16:00:00+08:00")) == "2024-01-05T08:00:00Z"


# --------------------------------------------------------------------------- extract_article

class TestExtractArticle:
    def test_gbk_page_without_charset(self):
        art = extract_article(fixture("gbk_no_charset.html"), url="http://www.jcol.example.cn/local/2021/0618/1.html")
        assert art["encoding"] == "gb18030"
        assert art["lang"] == "zh"
        assert art["title"] == "我市启动老旧小区改造三年行动 首批120个小区年内开工"
        assert art["published_at"] == "2021-06-18T01:35:00Z"
        assert set(art["author"].split("、")) == {"王建国", "李晓燕"}   # reporters, not 来源/责任编辑
        paragraphs = art["content"].split("\n")
        assert paragraphs[0].startswith("本报讯 6月17日，记者从市住房和城乡建设局获悉")
        assert any(p.startswith("家住东湖街道建设新村的张大爷") for p in paragraphs)
        for junk in ("热点排行", "相关新闻", "网友评论", "希望能加装电梯", "版权所有", "首页", "分享到"):
            assert junk not in art["content"]
        assert art["url"] == "http://www.jcol.example.cn/local/2021/0618/1.html"

    def test_copyright_year_is_no_publication_date(self):
        art = extract_article(fixture("copyright_only.html"))
        assert art["published_at"] is None
        assert art["title"] == "山区小学的一堂音乐课"
        assert art["content"].startswith("清晨七点")
        assert "版权所有" not in art["content"]
        assert art["author"] is None

    def test_english_byline(self):
        art = extract_article(fixture("english_byline.html"), url="https://gazette.example.com/news/bike-lanes")
        assert art["lang"] == "en"
        assert art["title"] == "City council approves new bike lanes downtown"
        assert art["author"] == "Maria Lopez"
        assert art["published_at"] == "2024-03-12T19:30:00Z"
        assert art["site_name"] == "Riverside Gazette"
        assert art["description"] == "The plan adds 12 miles of protected lanes by 2026."
        assert art["content"].startswith("The Riverside City Council voted 7-2")
        assert art["content"].count("\n") == 3
        assert "Related stories" not in art["content"] and "All rights reserved" not in art["content"]

    def test_cleaneval_wrapper(self):
        art = extract_article(fixture("cleaneval_wrapper.html"))
        assert art["title"] == "郊区农民合作社带动三百户增收"      # from the wrapper, <title> is generic
        assert art["url"] == "http://news.example.com.cn/society/2005-04/20/content_123456.htm"
        assert art["published_at"] == "2005-04-20T00:15:00Z"
        assert art["content"].startswith("新华网北京4月20日电")
        assert "<text" not in art["content"] and "版权所有" not in art["content"]

    def test_big5_traditional_page(self):
        html = ("<html><head><meta charset='big5'><title>颱風逼近 北部停班停課 - 新聞網</title></head><body>"
                "<div class='nav'><a href='/'>首頁</a> <a href='/a'>政治</a> <a href='/b'>社會</a></div>"
                "<h1>颱風逼近 北部停班停課</h1><div class='date'>發布時間：2023/09/03 18:20</div><div class='content'>"
                "<p>（記者陳大文／台北報導）中央氣象署今天發布海上及陸上颱風警報，北部多個縣市宣布明天停止上班上課。</p>"
                "<p>氣象署表示，颱風中心預計明天清晨通過北部海面，民眾應做好防颱準備，避免前往海邊及山區。</p>"
                "<p>各地方政府已成立災害應變中心，並提醒民眾注意強風豪雨，儘量減少外出。</p></div>"
                "<div class='footer'>版權所有 &copy; 2023 新聞網</div></body></html>")
        art = extract_article(html.encode("big5"))
        assert (art["encoding"], art["lang"], art["author"]) == ("big5hkscs", "zh", "陳大文")
        assert art["published_at"] == "2023-09-03T10:20:00Z"
        assert art["content"].startswith("（記者陳大文／台北報導）中央氣象署")     # a short first paragraph stays
        assert "版權所有" not in art["content"]

    def test_forum_thread_takes_first_post_stamp(self):
        posts = "".join(
            f"<tr><td>{text}</td></tr><tr><td>〓 发布时间 2005/03/{day} 22:36:13 by {user} 〓</td></tr>"
            for day, user, text in (
                ("15", "duscha", "我以往是一个最反感愤青的人，每次看到谁又拿这种事情捕风捉影，我就反感得不得了，但是现实总是教育人。"),
                ("16", "路人甲", "说得很有道理，支持楼主的看法，这个问题确实值得大家好好想一想。"),
                ("17", "路人乙", "不同意楼主的观点，事情没有这么简单，还是要看具体情况再下结论。")))
        html = (f"<html><head><title>一个值得讨论的话题 - 论坛</title></head><body><table>"
                f"<tr><td>一个值得讨论的话题</td></tr>{posts}</table></body></html>")
        art = extract_article(html.encode())
        assert art["author"] == "duscha"
        assert art["published_at"] == "2005-03-15T14:36:13Z"

    def test_byline_in_brackets_closing_the_story(self):
        html = ("<html><head><title>春节前夕开展廉洁文化活动</title></head><body><h1>春节前夕开展廉洁文化活动</h1>"
                "<p>近日，某县纪委监委组织干部职工开展廉洁文化主题活动，大家一起写春联、剪窗花，营造风清气正的节日氛围。</p>"
                "<p>大家认认真真在红纸中间剪出了“廉洁”两字，表达了过一个平安、祥和、廉洁新春佳节的决心。（常书香 马丹阳）</p>"
                "</body></html>")
        assert extract_article(html.encode())["author"] == "常书香、马丹阳"

    def test_str_input(self):
        html = fixture("english_byline.html").decode()
        assert extract_article(html)["author"] == "Maria Lopez"

    def test_relative_date_anchored_on_now(self):
        html = ("<html><head><title>突发：城区暴雨致多条道路积水</title></head><body><h1>突发：城区暴雨致多条道路积水</h1>"
                "<div>3小时前 来源：本地快讯</div><div><p>今天上午，城区突降暴雨，多条道路出现积水，交警部门已在重点路段"
                "设置警示标志并疏导交通。</p><p>气象部门提醒市民，未来两小时仍有强降雨，请尽量减少外出。</p></div>"
                "</body></html>")
        art = extract_article(html.encode(), now=NOW)
        assert art["published_at"] == "2025-01-07T09:00:00Z"

    @pytest.mark.parametrize("name,body,content_type,reason", [
        ("empty", b"", None, "empty_body"),
        ("blank", b"  \r\n\t ", "text/html", "empty_body"),
        ("png", None, None, "not_html"),
        ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "not_html"),
        ("plain", None, "text/plain; charset=utf-8", "not_html"),
        ("json", b'{"title": "<b>x</b>"}', "application/json", "not_html"),
        ("no text", b"<html><body><div><a href='/'>Home</a></div></body></html>", "text/html", "no_content"),
    ])
    def test_errors(self, name, body, content_type, reason):
        if body is None:
            body = fixture({"png": "binary.png", "plain": "plain.txt"}[name])
        with pytest.raises(ExtractionError) as err:
            extract_article(body, url="http://example.com/x", content_type=content_type)
        assert err.value.reason == reason
        assert err.value.message and reason in str(err.value)

    def test_empty_fixture_file(self):
        with pytest.raises(ExtractionError) as err:
            extract_article(fixture("empty.html"))
        assert err.value.reason == "empty_body"

    def test_byline_publication_and_visible_gmt8_date(self):
        # "By Priya Raman, Gadget Ledger" / "Published August 16, 2025 09:00 (GMT+8)"; no date markup,
        # and a related-story date of the day before, which must not win.
        art = extract_article(fixture("english_byline_publication.html"), now=LATER)
        assert art["lang"] == "en"
        assert art["title"] == "Phone owners report battery drain after software update"
        assert art["author"] == "Priya Raman"
        assert art["published_at"] == "2025-08-16T01:00:00Z"
        assert art["content"].startswith("Owners of a popular mid-range smartphone")

    def test_author_wins_over_editor_with_extension_a_name(self):
        # 䶮 (U+4DAE) is CJK Extension A; the page is GB18030 with a gb2312 label.
        art = extract_article(fixture("zh_author_and_editor.html"), now=LATER)
        assert art["encoding"] == "gb18030"
        assert art["author"] == "王䶮"
        assert art["published_at"] == "2025-09-08T11:30:00Z"

    def test_result_keys(self):
        art = extract_article(fixture("copyright_only.html"))
        assert set(art) == {"title", "content", "author", "published_at", "lang", "encoding", "description",
                            "site_name", "url"}


# --------------------------------------------------------------------------- CLI

def _cli(argv):
    from yuqing.cli import extract as cli_extract

    parser = argparse.ArgumentParser()
    cli_extract.register(parser.add_subparsers())
    args = parser.parse_args(["extract", *argv])
    return args.func(args)


def test_cli_json(capsys):
    assert _cli([str(FIXTURES / "gbk_no_charset.html"), "--json", "--url", "http://x.example.cn/a.html"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1                                   # one JSON object
    art = json.loads(out)
    assert art["title"].startswith("我市启动老旧小区改造") and art["url"] == "http://x.example.cn/a.html"
    assert "本报讯" in out                                         # ensure_ascii=False


def test_cli_summary(capsys):
    assert _cli([str(FIXTURES / "english_byline.html")]) == 0
    out = capsys.readouterr().out
    assert "author:       Maria Lopez" in out and "The Riverside City Council" in out


@pytest.mark.parametrize("name,reason", [("binary.png", "not_html"), ("empty.html", "empty_body"),
                                         ("plain.txt", "not_html")])
def test_cli_errors(capsys, name, reason):
    assert _cli([str(FIXTURES / name), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert name in captured.err and reason in captured.err


def test_cli_missing_file(capsys):
    assert _cli(["/nonexistent/page.html"]) == 1
    assert "/nonexistent/page.html" in capsys.readouterr().err


# --------------------------------------------------------------------------- evaluation metrics

def test_metrics():
    assert token_f1("今天，天气很好。", "今天天气很好", "zh") == 1.0
    assert token_f1("The cat sat.", "the cat sat on the mat", "en") == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert token_f1("", "x", "en") == 0.0
    assert snippet_score("a  b c", ["a b"], ["d"]) == (2, 2)
    assert title_match("蔡健雅", "蔡健雅") and title_match("Big news - Site", "Big news Site")
    assert not title_match("Other headline", "Big news")
    assert date_match("2005-05-07T13:23:57Z", "2005-5-7 21:23:57", "zh")
    assert not date_match("2005-05-07T17:00:00Z", "2005-5-7", "zh")        # 8 May in Beijing
    assert date_match("2020-04-11T02:00:00Z", "2020-04-10", "en")           # 10 April in New York
    assert date_match("1998-02-28T16:00:00Z", "1998-3", "zh")
    assert author_match("王建宏、张文攀", "王建宏 张文攀", "zh") and author_match("王建宏", "王建宏 张文攀", "zh")
    assert not author_match("来源：新华网", "王建宏", "zh")
    assert author_match("Ivan Penn", "Ivan Penn", "en") and not author_match("Ivan", "Ivan Penn", "en")


# --------------------------------------------------------------------------- bylines, editors, visible dates

def _en_page(byline: str, dateline: str = "", head: str = "") -> bytes:
    body = "".join(f"<p>{t}</p>" for t in (
        "The harbour authority said on Tuesday that the new ferry terminal would open to passengers next spring.",
        "Construction crews have finished the main hall and are now installing ticket gates and waiting areas.",
        "Local businesses welcomed the news, saying the terminal would bring more visitors to the waterfront.",
        "Officials said fares would stay unchanged for the first year of operation at the new terminal."))
    return (f"<html><head><meta charset='utf-8'><title>New ferry terminal to open next spring</title>{head}</head>"
            f"<body><nav><a href='/'>Home</a> <a href='/city'>City</a></nav><article>"
            f"<h1>New ferry terminal to open next spring</h1><p class='byline'>{byline}</p>"
            f"<p class='dateline'>{dateline}</p><div class='story'>{body}</div></article>"
            f"<footer>&copy; 2025 Harbor Daily. All rights reserved.</footer></body></html>").encode()


def _zh_page(info: str, tail: str = "") -> bytes:
    body = "".join(f"<p>{t}</p>" for t in (
        "近日，市交通部门宣布新的轮渡码头将于明年春季投入使用，届时往返两岸的时间将缩短一半。",
        "目前，码头主体建筑已经完工，施工人员正在安装检票闸机和候船设施，各项工作进展顺利。",
        "周边商户对此表示欢迎，认为新码头将为滨水区带来更多客流，带动餐饮和零售业发展。"))
    return (f"<html><head><meta charset='utf-8'><title>新轮渡码头明年春季启用</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/city'>城市</a></div><h1>新轮渡码头明年春季启用</h1>"
            f"<div class='info'>{info}</div><div class='content'>{body}</div>{tail}"
            f"<div class='footer'>&copy; 2025 某某新闻网 版权所有</div></body></html>").encode()


class TestBylines:
    @pytest.mark.parametrize("byline,expected", [
        ("By Jane Whitfield, Coastal Herald", "Jane Whitfield"),
        ("By Jane Whitfield | Coastal Herald", "Jane Whitfield"),
        ("By Jane Whitfield for The Coastal Herald", "Jane Whitfield"),
        ("By Jane Whitfield - Staff Writer", "Jane Whitfield"),
        ("By Mei Lin Harper, Campus Observer", "Mei Lin Harper"),
        ("By Jane Whitfield and Tom O'Brien, Coastal Herald", "Jane Whitfield, Tom O'Brien"),
        ("By Jane Whitfield, Tom O'Brien and Ana de la Cruz", "Jane Whitfield, Tom O'Brien, Ana de la Cruz"),
        ("By Reuters and Jane Whitfield", "Jane Whitfield"),
        # The markup says where the name ends, whatever the masthead is called.
        ("By <span class='author-name'>Daniel Okafor</span>, Sparrow Point", "Daniel Okafor"),
        ("By <a rel='author' href='/a/1'>Jane Whitfield</a> and <a rel='author' href='/a/2'>Tom Baker</a>, "
         "Sparrow Point", "Jane Whitfield, Tom Baker"),
    ])
    def test_publication_is_not_the_author(self, byline, expected):
        assert extract_article(_en_page(byline), now=LATER)["author"] == expected

    def test_meta_author_is_not_lengthened_by_the_masthead(self):
        page = _en_page("By Jane Whitfield, Coastal Herald", head="<meta name='author' content='Jane Whitfield'>")
        assert extract_article(page, now=LATER)["author"] == "Jane Whitfield"

    def test_editor_is_only_a_last_resort(self):
        # With an author on the page the editor never wins, wherever the editor line is.
        editor_tail = "<p>（责任编辑：王思琪）</p>"
        assert extract_article(_zh_page("2025-09-08 19:30 作者：王䶮", editor_tail), now=LATER)["author"] == "王䶮"
        assert extract_article(_zh_page("2025-09-08 19:30 责任编辑：王思琪 作者：王䶮"), now=LATER)["author"] == "王䶮"
        assert extract_article(_zh_page("2025-09-08 19:30 （记者 陈思远）", editor_tail), now=LATER)["author"] == "陈思远"
        # With no byline at all the editor is the best name there is (some portals credit only editors).
        assert extract_article(_zh_page("2025-09-08 19:30 来源：南岭教育报", editor_tail), now=LATER)["author"] == "王思琪"

    @pytest.mark.parametrize("name", ["王䶮", "李𬌗", "欧阳𠀤"])   # Extension A, C and B characters
    def test_rare_han_characters_in_names(self, name):
        assert extract_article(_zh_page(f"2025-09-08 19:30 作者：{name}"), now=LATER)["author"] == name


class TestVisibleDates:
    def test_time_and_zone_of_an_english_dateline(self):
        art = extract_article(_en_page("By Daniel Okafor", "Published November 15, 2025 18:10 (GMT+8)"), now=LATER)
        assert art["published_at"] == "2025-11-15T10:10:00Z"

    def test_visible_time_refines_a_date_only_meta(self):
        # The meta has the day only; the dateline has the time. 06:30 GMT+8 on the 15th is the 14th in UTC,
        # and still the same day as written.
        head = "<meta property='article:published_time' content='2025-11-15'>"
        page = _en_page("By Daniel Okafor", "Published November 15, 2025 06:30 (GMT+8)", head=head)
        assert extract_article(page, now=LATER)["published_at"] == "2025-11-14T22:30:00Z"

    def test_date_only_meta_is_kept_when_the_visible_time_is_another_day(self):
        head = "<meta property='article:published_time' content='2025-11-15'>"
        page = _en_page("By Daniel Okafor", "Updated November 17, 2025 06:30 (GMT+8)", head=head)
        assert extract_article(page, now=LATER)["published_at"] == "2025-11-15T00:00:00Z"

    def test_us_style_stamp_with_time_first(self):
        page = _en_page("By Daniel Okafor", "Published 10:02 AM EST Nov 19, 2019")
        assert extract_article(page, now=LATER)["published_at"] == "2019-11-19T15:02:00Z"

    def test_numeric_date_with_written_zone(self):
        page = _zh_page("2025-09-08 19:30 (UTC+09:00) 作者：王䶮")
        assert extract_article(page, now=LATER)["published_at"] == "2025-09-08T10:30:00Z"
