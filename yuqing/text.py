"""Shared text utilities: decoding, normalisation, language and date parsing.

Everything here is used on every crawled document, so it favours plain
regular expressions over heavy libraries and never raises on bad input.
"""
from __future__ import annotations

import codecs
import html
import logging
import re
import warnings
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

__all__ = ["decode_html", "normalize_text", "detect_lang", "parse_datetime", "parse_local_datetime", "to_iso",
           "month_name_dates", "HAN"]

# --------------------------------------------------------------------------- decoding

# Browsers (WHATWG) decode these labels with a superset codec; pages in the
# wild rely on that, e.g. "gb2312" pages routinely contain GBK/GB18030 chars.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
    "euc_cn": "gb18030", "hz": "gb18030",
    "big5": "big5hkscs", "cp950": "big5hkscs", "big5hkscs": "big5hkscs",
    "latin_1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252", "cp1252": "cp1252",
    "shift_jis": "cp932", "cp932": "cp932", "euc_kr": "cp949", "cp949": "cp949",
    "utf_8": "utf-8", "utf_8_sig": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Covers <meta charset>, <meta http-equiv content="...; charset=">, the XML
# declaration and the CleanEval wrapper `<text ... encoding="gb2312">`.
_DOC_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)"""
    rb"""|<text\s[^>]*encoding\s*=\s*["']([\w.:-]+)""",
    re.I,
)

# The most frequent Chinese characters (simplified, then traditional forms).
# A correct decoding of Chinese text hits this set for roughly half of its Han
# characters; a wrong codec produces near-random Han characters that rarely do.
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作"
    "里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从"
    "想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头"
    "文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提"
    "立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务"
    "做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像"
    "难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导"
    "争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗"
    "字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器"
    "容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周"
    "较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章"
    "音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻"
    "父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久"
    "错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷"
    "警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协"
    "角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份"
    "這們個來國說時會對為發後過與學經現動進當開從實關點業將兩問題應頭體無長機見還進種麼樣沒幾讓認條氣總"
    "電數報結將務場計區隊裡歲處義於係產資們學習環衛醫藥縣統軍華區東車陽歷書員權語變價雙選難聽寫舊號廣寶"
)
# Han ideographs for regex character classes: the basic block, Extension A
# (U+3400-U+4DBF, e.g. 䶮 in names), compatibility ideographs and Extensions B-H
# in the supplementary planes. Rare name characters live outside the basic block.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{HAN}]")


def _declared_charset(body: bytes, content_type: str | None) -> str | None:
    label = None
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            label = m.group(1)
    if not label:
        m = _DOC_CHARSET.search(body[:8192])
        if m:
            label = next(g for g in m.groups() if g).decode("ascii", "replace")
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        # Vendor labels such as "x-gbk" or "x-euc-cn" name standard codecs.
        try:
            name = codecs.lookup(label.removeprefix("x-")).name
        except LookupError:
            logger.debug("unknown charset label %r", label)
            return None
    return _SUPERSETS.get(name.replace("-", "_"), name)


def _decode(body: bytes, codec: str) -> str:
    text = body.decode(codec, errors="replace")
    if codec == "gb18030":
        # GBK pages use byte pair A3A0 as a full-width space (their indentation);
        # Python maps it to a private-use char, browsers to U+3000.
        text = text.replace("\ue5e5", "\u3000")
    return text


def _decode_stats(body: bytes, codec: str) -> tuple[str, int, int, int]:
    """Decoded text, replacement chars introduced, Han chars, common Han chars."""
    text = _decode(body, codec)
    han = _HAN_RE.findall(text)
    common = sum(1 for ch in han if ch in _COMMON_HAN)
    return text, text.count("\ufffd"), len(han), common


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML body to text; returns ``(text, codec_name)``.

    UTF-8 that decodes cleanly wins over any declaration (mis-declared
    "gb2312" pages that are really UTF-8 are common). Otherwise candidate
    codecs are compared by how many *common* Chinese characters they yield
    minus a penalty for decoding errors, which separates GBK from Big5 and
    from UTF-8 with a few corrupt bytes. Corrupt sequences are replaced.
    """
    if isinstance(body, str):
        return body, "utf-8"
    if not body:
        return "", "utf-8"
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass

    declared = _declared_charset(body, content_type)
    candidates = [declared] if declared else []
    candidates += [c for c in ("gb18030", "big5hkscs", "utf-8") if c != declared]
    stats = {c: _decode_stats(body, c) for c in candidates}

    def cjk_plausible(codec: str) -> bool:
        _, _, han, common = stats[codec]
        return han >= 10 and common >= 0.25 * han

    plausible = [c for c in candidates if cjk_plausible(c)]
    if plausible:
        # A small bonus keeps the declared codec on ties.
        best = max(plausible, key=lambda c: stats[c][3] - 3 * stats[c][1] + (1 if c == declared else 0))
        return stats[best][0], best

    def few_errors(codec: str) -> bool:
        return stats[codec][1] <= max(2, len(body) // 1000)

    if declared and few_errors(declared):
        return stats[declared][0], declared
    if few_errors("utf-8"):
        return stats["utf-8"][0], "utf-8"
    guessed = _guess_with_charset_normalizer(body)
    if guessed:
        return _decode(body, guessed), guessed
    return body.decode("cp1252", errors="replace"), "cp1252"


def _guess_with_charset_normalizer(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: the heuristics above cover CJK and UTF-8
        return None
    best = from_bytes(body[:200_000]).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    return _SUPERSETS.get(name.replace("-", "_"), name)


# --------------------------------------------------------------------------- normalisation

# Zero-width/format characters, C0 controls except \t \n, DEL and C1 controls.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Unicode spaces, including the ideographic space used to indent Chinese paragraphs.
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Only full-width Latin letters and digits are folded: full-width punctuation
# (，：！？（）) is ordinary Chinese typography and must stay as written.
_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for cp in range(r[0], r[1] + 1)}
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(s: str) -> str:
    """Clean text for storage and comparison (see module tests for the exact rules)."""
    if not s:
        return ""
    s = html.unescape(s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    s = _INVISIBLE.sub("", s)
    s = s.translate(_FULLWIDTH_ALNUM)
    s = _SPACES.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    return _BLANK_LINES.sub("\n\n", s).strip()


# --------------------------------------------------------------------------- language

_KANA_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z]+")
_OTHER_ALPHA_RE = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]")
_EN_STOPWORDS = frozenset(
    "the of and to a in is that for it was on with as be by at this are from have has not or but his her they "
    "an he she we you which were said will would been their its who i".split()
)
_LANG_SAMPLE = 20_000


def detect_lang(text: str) -> str:
    """Return "zh", "en" or "other" from the script mix of ``text``.

    One Han character carries about as much text as three Latin letters, so
    Latin letters are weighted by 1/3. Latin-script text is only called "en"
    when English function words are frequent enough (for texts long enough
    to tell); short Latin snippets such as titles are assumed English.
    """
    if not text:
        return "other"
    sample = text[:_LANG_SAMPLE]
    han = len(_HAN_RE.findall(sample))
    kana = len(_KANA_RE.findall(sample))
    hangul = len(_HANGUL_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    other = len(_OTHER_ALPHA_RE.findall(sample))
    if han + kana + hangul + latin + other == 0:
        return "other"
    # Japanese always mixes kana into Han text; Chinese pages only show stray kana.
    if kana >= max(3, 0.05 * (han + kana)):
        return "other"
    scores = {"zh": han, "en": latin / 3, "other": hangul + other / 3}
    lang = max(scores, key=scores.get)
    if lang == "en":
        words = _LATIN_WORD_RE.findall(sample)
        if len(words) >= 20 and sum(1 for w in words if w.lower() in _EN_STOPWORDS) < 0.06 * len(words):
            return "other"
    return lang


# --------------------------------------------------------------------------- dates

_MIN_DATE = datetime(1990, 1, 1, tzinfo=timezone.utc)
_FUTURE_SLACK = timedelta(days=2)

_FULLWIDTH_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_FULLWIDTH_DIGITS.update({0xFF1A: ord(":"), 0xFF0D: ord("-"), 0xFF0F: ord("/"), 0x3000: ord(" ")})

# Zone abbreviations with a fixed offset (hours). "CST" is left out on purpose:
# Chinese pages mean UTC+8 by it, American ones UTC-6.
_TZ_ABBREVIATIONS = {
    name: hours * 3600 for name, hours in {
        "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
        "MSK": 3, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11,
    }.items()
}
# Seasonal US shorthands ("6:10 p.m. ET") follow daylight saving time.
_TZ_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"}
_TZ_NAMES = "|".join(sorted((n for n in (*_TZ_ABBREVIATIONS, *_TZ_REGIONS) if n != "Z"), key=len, reverse=True))
# An explicit zone written after a time: "Z", "+08:00", "+0800", "GMT+8", "UTC+08:00", "EST", "(GMT+8)".
# Case-sensitive even inside case-insensitive patterns ("est" is no zone).
_TZ_TOKEN = (
    r"(?-i:(?:GMT|UTC)\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?(?!\d)|[+\-\u2212]\d{2}:?\d{2}(?!\d)|"
    r"(?:" + _TZ_NAMES + r")(?![A-Za-z]))"
)
_TZ_PART = r"(?P<tz>Z(?![A-Za-z])|\(?\s*" + _TZ_TOKEN + r"\s*\)?)?"
# "p.m."/"PM" after a clock time.
_AMPM = r"(?P<ap>(?i:[ap]\.?\s?m\.?)(?![A-Za-z]))"
# For other modules' patterns: the zone (group "tz") and am/pm (group "ap") parts.
ZONE_PATTERN, AMPM_PATTERN = _TZ_PART, _AMPM
_TIME_PART = (
    r"(?:[T\s]*(?P<H>\d{1,2})\s*[:时點点]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?\s*"
    + _AMPM + r"?\s*" + _TZ_PART + r")?"
)
_NUMERIC_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?" + _TIME_PART
)
_YEAR_MONTH = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?$")
_YEAR_ONLY = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年?$")
_MONTH_DAY = re.compile(r"^(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?" + _TIME_PART + "$")
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$")

_REL_AGO = re.compile(
    r"(?P<n>\d+|半|一|两|几)\s*(?P<unit>秒|分钟|分|小时|个?钟头|天|日|周|星期|个?月|年"
    r"|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s*(?:前|之前|以前|ago)",
    re.I,
)
_REL_DAY = re.compile(
    r"^(?P<day>刚刚|刚才|今天|今日|昨天|昨日|前天|just now|today|yesterday)\s*"
    r"(?:(?P<H>\d{1,2})\s*[:点]\s*(?P<M>\d{1,2})(?:\s*:\s*(?P<S>\d{1,2}))?)?",
    re.I,
)
_REL_UNITS = {
    "秒": "seconds", "sec": "seconds", "分": "minutes", "min": "minutes", "小": "hours", "钟": "hours",
    "个钟": "hours", "hr": "hours", "hou": "hours", "天": "days", "日": "days", "day": "days",
    "周": "weeks", "星": "weeks", "wee": "weeks",
}
_REL_DAY_OFFSET = {"刚刚": None, "刚才": None, "just now": None, "今天": 0, "今日": 0, "today": 0,
                   "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
# In Chinese pages "CST" means UTC+8, not US Central time: it is dropped and
# the page's own zone applies. "北京时间"/"Beijing Time" is UTC+8 anywhere.
_LOCAL_TZ_WORDS = re.compile(r"\s*\bCST\b\s*")
_BEIJING_TIME = re.compile(r"\s*(?:[(（]\s*北京时间\s*[)）]|北京时间|\(?\s*Beijing Time\s*\)?)\s*", re.I)
_UTC8 = timezone(timedelta(hours=8))

# English month-name dates: "November 15, 2025", "15 Nov. 2025", "Sept 5th, 2025".
_MONTH_NUMBERS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                  "oct": 10, "nov": 11, "dec": 12}
_MONTH_NAME = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
               r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_NAME_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH_NAME})\.?\s+(?P<d1>\d{{1,2}}){_ORDINAL},?\s+"
    rf"|(?P<d2>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m2>{_MONTH_NAME})\.?,?\s+)"
    r"(?P<y>(?:19|20)\d{2})(?!\d)",
    re.I,
)
# A clock time written next to such a date, after ("…, 2025 at 6:10 p.m. EST",
# "… 2025 18:10 (GMT+8)") or before it ("18:10 GMT+8, Nov 15, 2025").
_CLOCK = r"(?P<H>\d{1,2})(?::(?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*" + _AMPM + "?"
_TIME_AFTER = re.compile(r"(?:\s*(?:,|\bat\b|@|[-–—|/]|T))?\s*" + _CLOCK + r"\s*" + _TZ_PART, re.I)
_TIME_BEFORE = re.compile(
    _CLOCK + r"\s*" + _TZ_PART + r"\s*(?:,|\bon\b|[-–—|/])?\s*"
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s*)?$",
    re.I,
)


def _clock(m: re.Match | None) -> tuple | None:
    """(hour, minute, second, tz) of a clock match, None when it is no time of day."""
    if m is None or (m.group("M") is None and m.group("ap") is None):
        return None
    hour = _hour(m.group("H"), m.group("ap"))
    if hour is None or int(m.group("M") or 0) > 59:
        return None
    return hour, m.group("M"), m.group("S"), m.group("tz")


def month_name_dates(text: str):
    """English month-name dates in ``text``, with the time and zone written next to them.

    Yields ``(start, end, (y, mo, d, hour, minute, second, tz_text))``; the
    time fields are None for a date without a time.
    """
    for m in _MONTH_NAME_DATE.finditer(text):
        month = _MONTH_NUMBERS[(m.group("m1") or m.group("m2"))[:3].lower()]
        day = m.group("d1") or m.group("d2")
        start, end = m.start(), m.end()
        after = _TIME_AFTER.match(text, end)
        clock = _clock(after)
        if clock is not None:
            end = after.end()
        else:
            before = _TIME_BEFORE.search(text[max(0, start - 40):start])
            clock = _clock(before)
            if clock is not None:
                start -= len(text[max(0, start - 40):start]) - before.start()
        yield start, end, (m.group("y"), month, day, *(clock or (None, None, None, None)))


def _hour(hh, ampm) -> int | None:
    """24-hour clock hour of ``hh`` with an optional "am"/"p.m."; None if impossible."""
    h = int(hh)
    if ampm:
        if not 1 <= h <= 12:
            return None
        pm = ampm.strip().lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    return h if h <= 23 else None


def _tz(name: str) -> timezone | ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:  # unknown zone name: UTC is the only safe fallback
        logger.warning("unknown time zone %r, using UTC", name)
        return timezone.utc


def _aware(dt: datetime, tz) -> datetime:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(timezone.utc)


def _parse_tz(s: str | None):
    """tzinfo of a written zone ("Z", "+0800", "GMT+8", "(UTC+08:00)", "EST", "ET"); None if unknown."""
    if not s:
        return None
    s = s.strip(" ()").upper().replace("\u2212", "-")
    if s in _TZ_ABBREVIATIONS:
        return timezone(timedelta(seconds=_TZ_ABBREVIATIONS[s]))
    if s in _TZ_REGIONS:
        return ZoneInfo(_TZ_REGIONS[s])
    m = re.fullmatch(r"(?:GMT|UTC)?\s*([+-])\s*(\d{1,2}):?(\d{2})?", s)
    if not m or int(m.group(2)) > 14 or int(m.group(3) or 0) > 59:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return timezone(-delta if m.group(1) == "-" else delta)


def _build(y, mo, d, hh=None, mi=None, ss=None, tz=None, ampm=None) -> datetime | None:
    try:
        hour = int(hh or 0) if not (hh and ampm) else _hour(hh, ampm)
        dt = datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(ss or 0))
    except (TypeError, ValueError):
        return None
    return dt.replace(tzinfo=tz) if tz is not None else dt


def _from_timestamp(n: float) -> datetime | None:
    if n > 1e11:  # milliseconds
        n /= 1000
    try:
        return datetime.fromtimestamp(n, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_relative(s: str, now: datetime, tz) -> datetime | None:
    m = _REL_AGO.search(s)
    if m:
        raw = m.group("n")
        n = {"半": 0.5, "一": 1, "两": 2, "几": 3}.get(raw) or float(raw)
        unit = m.group("unit").lower()
        if unit.startswith(("个月", "月", "month")):
            delta = timedelta(days=30 * n)
        elif unit.startswith(("年", "year")):
            delta = timedelta(days=365 * n)
        else:
            kw = next((kw for prefix, kw in sorted(_REL_UNITS.items(), key=lambda kv: -len(kv[0]))
                       if unit.startswith(prefix)), None)
            if kw is None:
                return None
            delta = timedelta(**{kw: n})
        return (now - delta).astimezone(tz)   # in the page's zone, like a written local time
    m = _REL_DAY.match(s)
    if m:
        offset = _REL_DAY_OFFSET[m.group("day").lower()]
        if offset is None:
            return now.astimezone(tz)
        local = now.astimezone(tz)
        day = (local - timedelta(days=offset)).date()
        if m.group("H") is None:
            return datetime(day.year, day.month, day.day, tzinfo=tz)
        return _build(day.year, day.month, day.day, m.group("H"), m.group("M"), m.group("S"), tz)
    return None


def _parse_string(s: str, now: datetime, tz) -> datetime | None:
    s = s.translate(_FULLWIDTH_DIGITS).strip()
    s = _LOCAL_TZ_WORDS.sub(" ", s).strip()
    if _BEIJING_TIME.search(s):
        s, tz = _BEIJING_TIME.sub(" ", s).strip(), _UTC8
    if not s:
        return None
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?|\d{12,13}", s):
        return _from_timestamp(float(s))
    m = _COMPACT.match(s)
    if m:
        return _build(*m.group("y", "m", "d", "H", "M", "S"), tz=tz)
    m = _NUMERIC_DATE.search(s)
    if m:
        return _build(*m.group("y", "m", "d", "H", "M", "S"), tz=_parse_tz(m.group("tz")) or tz,
                      ampm=m.group("ap"))
    for _, _, (y, mo, d, hh, mi, ss, zone) in month_name_dates(s):
        return _build(y, mo, d, hh, mi, ss, tz=_parse_tz(zone) or tz)
    m = _YEAR_MONTH.match(s)
    if m:
        return _build(m.group("y"), m.group("m"), 1, tz=tz)
    m = _YEAR_ONLY.match(s)
    if m:
        return _build(m.group("y"), 1, 1, tz=tz)
    rel = _parse_relative(s, now, tz)
    if rel is not None:
        return rel
    m = _MONTH_DAY.match(s)
    if m:
        local_now = now.astimezone(tz)
        dt = _build(local_now.year, *m.group("m", "d", "H", "M", "S"), tz=_parse_tz(m.group("tz")) or tz,
                    ampm=m.group("ap"))
        # A year-less date later than "now" is from last year.
        if dt is not None and _aware(dt, tz) > now + _FUTURE_SLACK:
            dt = dt.replace(year=dt.year - 1)
        return dt
    dt = _parse_with_dateutil(s)
    return dt.replace(tzinfo=tz) if dt is not None and dt.tzinfo is None else dt


def _parse_with_dateutil(s: str) -> datetime | None:
    # Without letters or enough digits dateutil "parses" anything (e.g. "3").
    if not re.search(r"[A-Za-z]", s) or len(re.findall(r"\d", s)) < 3:
        return None
    # dateutil reads "GMT+8" the POSIX way (as UTC-8); those forms are handled above.
    from dateutil import parser as date_parser

    try:
        with warnings.catch_warnings():
            # Unknown zone abbreviations parse as naive times (then default_tz applies).
            warnings.simplefilter("ignore")
            # A sentinel default exposes strings with no day/month/year at all.
            dt = date_parser.parse(s, default=datetime(1, 1, 1), tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError, TypeError, date_parser.ParserError):
        return None
    return None if dt.year == 1 else dt


def parse_local_datetime(value, default_tz: str = "Asia/Shanghai", now: datetime | None = None) -> datetime | None:
    """Like :func:`parse_datetime`, but the result keeps the offset the value was written in.

    ``"November 15, 2025 18:10 (GMT+8)"`` gives 18:10+08:00, whose ``date()``
    is the calendar day the page shows; naive values are in ``default_tz``.
    """
    tz = _tz(default_tz)
    now = _aware(now, tz) if now is not None else datetime.now(timezone.utc)
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, datetime):
            dt = value
        elif isinstance(value, date):
            dt = datetime(value.year, value.month, value.day)
        elif isinstance(value, (int, float)):
            dt = _from_timestamp(float(value))
        elif isinstance(value, str):
            dt = _parse_string(value, now, tz)
        else:
            return None
        if dt is None:
            return None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=tz)
        utc = dt.astimezone(timezone.utc)
    except Exception:  # noqa: BLE001 - contract: never raise on bad input
        logger.debug("unparseable date %r", value, exc_info=True)
        return None
    if utc < _MIN_DATE or utc > now + _FUTURE_SLACK:
        return None
    return dt


def parse_datetime(value, default_tz: str = "Asia/Shanghai", now: datetime | None = None) -> datetime | None:
    """Parse a publication date in any common format into an aware UTC datetime.

    Accepts datetimes, dates, unix timestamps (s or ms, as numbers or digit
    strings) and strings: ISO 8601, RFC 2822, Chinese ``2018年3月5日 10:20``,
    English ``November 15, 2025 6:10 p.m. EST`` / ``15 Nov 2025 18:10 (GMT+8)``,
    year-less ``03-05 10:20`` and relative ``3小时前``/``昨天 12:30``/``2 hours
    ago`` (relative to ``now``, default: the current time). A written zone
    (``+0800``, ``GMT+8``, ``UTC+08:00``, ``EST``, ``北京时间``) wins; naive values
    are taken in ``default_tz``. Returns None for unparseable input and for
    dates before 1990 or more than two days after ``now``.
    """
    dt = parse_local_datetime(value, default_tz, now)
    return dt.astimezone(timezone.utc) if dt is not None else None


def to_iso(dt: datetime) -> str:
    """Format as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC (naive datetimes are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
