"""Author (byline) extraction.

Chinese pages rarely mark bylines up; they write them: ``作者：张三``, ``本报记者
李四``, ``（记者 王五）``, ``文/赵六``. Editors (``责任编辑：…``) are only a
fallback, and ``来源：…`` names a publisher, never an author. English pages
mostly mark authors up (meta, JSON-LD, byline classes) or write "By …".
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from lxml import etree

from yuqing.text import HAN, normalize_text

from .zones import Zones

logger = logging.getLogger(__name__)

# Han characters include Extension A and beyond: names use rare characters (王䶮).
_H = f"[{HAN}]"
_HAN_NAME = rf"{_H}[{HAN}·]{{1,9}}"
_LATIN_NAME = r"[A-Za-z][\w.&'\-]{1,30}(?: [A-Z][\w.'\-]+){0,3}"
_NAME = rf"(?:{_HAN_NAME}|{_LATIN_NAME})"
_NAMES = rf"{_NAME}(?:(?:\s*[、，,和及与&]\s*|\s+){_NAME})*"

# (pattern, score, needs a short line). Order matters only through the score.
_ZH_PATTERNS = [
    (re.compile(rf"(?:作者|撰文|撰稿|作\s者)\s*[:：]\s*(?P<n>{_NAMES})"), 82, False),
    (re.compile(rf"(?:^|\s)(?:作者|撰文)\s+(?P<n>{_NAMES})"), 80, True),
    (re.compile(rf"(?:^|[\s(（【\[])文\s*[/／|:：]\s*(?P<n>{_NAMES})"), 80, True),
    # "（记者 王五）", "（記者陳大文／台北報導）"
    (re.compile(rf"[(（]\s*(?:{_H}{{0,6}})?[记記]者\s*[:：]?\s*(?P<n>{_NAMES})[^)）]{{0,12}}[)）]"), 80, False),
    (re.compile(rf"(?:^|[\s·|】\]])(?:[{HAN}·]{{0,10}})?[记記]者\s*[:：]?\s*(?P<n>{_NAMES})"), 78, True),
    (re.compile(rf"(?:[责責]任[编編][辑輯]|[责責][编編]|[编編][辑輯])\s*[:：]?\s*(?P<n>{_NAME})"), 40, True),
]
# Common Chinese surnames (single and double), to tell a bare name line from a
# short heading such as "目录" or "返回".
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文"
    "牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏"
    "席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐"
    "冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索"
    "宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛"
    "宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由风"
    "陳張劉楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇呂盧蔣賈鍾譚陸範鄒賴龔嚴顏莊聶龐閻錢羅許傅沈賴"
)
# A name-sized Han string: 2-4 characters, or a ·-joined minority/foreign name.
_HAN_NAME_SHAPE = rf"{_H}{{2,4}}|{_H}+(?:·{_H}+)+"
_SURNAMES_2 = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "令狐", "格桑",
               "扎西", "次仁", "达瓦", "买买提", "阿不都")


def is_chinese_name(s: str) -> bool:
    """A 2-4 character Han name with a common surname (or a ·-joined minority name)."""
    if "·" in s:
        return bool(re.fullmatch(rf"{_H}{{1,6}}(?:·{_H}{{1,6}})+", s))
    if not re.fullmatch(rf"{_H}{{2,4}}", s):
        return False
    # Four-character names nearly always carry a double surname.
    return s.startswith(_SURNAMES_2) or (len(s) <= 3 and s[0] in _SURNAMES_1)


_POST_STAMP = re.compile(
    rf"(?<![Pp]owered )\bby\s+(?P<n>{_NAME})|(?:^|\s)(?P<m>{_NAME})\s+(?:[发發]表於|[发發]表于|[发發]布于|[发發]布於|posted)|"
    rf"(?:作者|[楼樓]主|[发發][帖贴貼]人)\s*[:：]\s*(?P<o>\S{{2,20}})"
)
_TAIL_BYLINE = re.compile(
    rf"[（(]\s*(?:[记記]者\s*)?(?P<n>[{HAN}·]{{2,12}}(?:[\s、，,]+[{HAN}·]{{2,12}}){{0,3}})"
    rf"\s*(?:{_H}{{2}}报道)?\s*[)）]\s*$"
)
_EN_BY = re.compile(r"^\s*(?:by|written by|story by|words by)\s*[:：]?\s+(?P<n>[^|•·\n]{3,80})", re.I)
_SHORT = 60

# Words that follow "记者"/"作者" in running text but are no names.
_NOT_NAMES = re.compile(
    r"^(?:近日|日前|今天|昨天|了解|获悉|从|在|注意|发现|采访|看到|调查|走访|暗访|致电|专程|终于|与|回访|委托|已经|"
    r"特意|随机|实地|一行|们|站|证|节|会|团|手记|简介|单位|信息|来源|姓名|本人|不详|未知|匿名|佚名|编辑|责任|版权|声明|"
    r"综合|整合|整理|编译|报道|实习生|通讯员|关注|分享|收藏|评论|点赞|转发|举报|订阅|登录|注册|首页|返回|目录|更多|全文|"
    r"阅读|原文|打印|字号|纠错|"
    r"admin|administrator|username|user|anonymous|guest|unknown|staff|editor)(?:$|[^a-z])",
    re.I,
)
_NAME_TAIL = re.compile(r"(?:发自|报道|摄影|摄|通讯员|实习生|综合|整合|整理|编译|编辑|来源|等)$")
_SITEISH = re.compile(
    r"网|报|社|台|新闻|中心|编辑部|频道|公司|集团|官方|\.com|\.cn|www|http|staff|editor|admin|\bnews\b", re.I
)
_META_AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byline", "sailthru.author", "parsely-author",
                     "dcterms.creator", "citation_author")
_BYLINE_ATTR = re.compile(r"author|byline|writer|reporter|contributor", re.I)
# Where a byline's name part ends: dates, "Updated …", "| Staff".
_BYLINE_END = re.compile(
    r"(?:^|\s+)(?:on|updated|published|posted)\b|\d|\||•|·|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|"
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d", re.I
)
# Where a byline's person ends and the publication begins (" | Reuters",
# " - Staff Writer", " for The Guardian", " of the Associated Press").
_PUBLICATION_TAIL = re.compile(r"\s*[|•·]\s*|\s+[-–—]\s+|\s+(?:for|of)\s+(?=(?:the\s+)?[A-Z])")
# Words of mastheads, organisations and job titles, never of a person's name.
_ORG_WORDS = re.compile(
    r"\b(?:the|herald|times|post|news|newspapers?|journal|ledger|observer|gazette|tribune|daily|weekly|monthly|"
    r"media|press|magazine|review|chronicle|network|wire|services?|agency|insider|today|bulletin|courier|"
    r"telegraph|examiner|sentinel|dispatch|inquirer|enquirer|globe|guardian|independent|express|mirror|monitor|"
    r"register|standard|record|online|tv|radio|channel|broadcasting|newsroom|desk|bureau|digest|blog|"
    r"newsletter|reports?|reporters?|correspondents?|contributors?|contributing|writers?|columnist|editors?|"
    r"producers?|photographers?|analysts?|senior|chief|deputy|special|freelance|associated|reuters|bloomberg|"
    r"inc|llc|ltd|group|corp|company|university|institute|foundation|department|ministry|council|"
    r"association|society|club|team)\b",
    re.I,
)
# One word of a Latin-script name: "Mei", "O'Mahony", "J.", "Tremayne-Pengelly", "van".
_NAME_WORD = re.compile(r"[A-Z][\w'’\-]*\.?|(?:[A-Z]\.)+|de|da|di|del|della|van|von|der|den|du|dos|das|la|le|"
                        r"bin|ibn|al|el|y")
_BYLINE_NOISE = re.compile(r"^(?:by|written by|posted by|author|authors|作者)\s*[:：]?\s*", re.I)


@dataclass
class Candidate:
    score: float
    name: str
    source: str
    exact: bool = False   # the markup delimits the name(s): no longer variant replaces them


_STOP = re.compile(r"[发發]自|[报報][道导導]|[摄攝]影|[摄攝]|通[讯訊][员員]|[实實][习習]生|[综綜]合|整合|整理|[编編][译譯]|"
                   r"[责責]任|[编編][辑輯]|[来來]源|[/／|]|[电電]|[讯訊]|(?<=" + _H + r")\d|"
                   r"[:：(（\[【]")


def _clean_names(raw: str, lang: str, strict: bool = False) -> str | None:
    """Normalise a captured byline into "name、name" (zh) or "Name, Name"; None if no name.

    ``strict`` demands real-looking Chinese names (known surname), for
    captures with no label in front such as a bare "（张三）".
    """
    if lang == "zh":
        raw = _STOP.split(raw, maxsplit=1)[0]
        parts = re.split(r"\s*[、，,;；]\s*|\s*和\s*|\s+", raw.strip())
    else:
        # "Jane Doe, Coastal Herald", "Jane Doe | Reuters", "Jane Doe for The Times":
        # the publication after the person is no author.
        raw = _PUBLICATION_TAIL.split(raw.strip(), maxsplit=1)[0]
        parts = re.split(r"\s*[,;&]\s*|\s+and\s+", raw.strip())
    names = []
    for i, p in enumerate(parts):
        p = _NAME_TAIL.sub("", p.strip(" .:：|/\\-—"))
        if not p or _NOT_NAMES.match(p) or _SITEISH.search(p):
            continue
        # Past the first, a Latin part joins only if it is a person's name
        # ("Jane Doe, John Smith"), not a masthead ("Jane Doe, Coastal Herald").
        if lang != "zh" and i > 0 and not looks_like_person_name(p):
            continue
        if lang != "zh" and re.match(r"the\s", p, re.I):   # "The Local", "The Russian defense ministry"
            continue
        han_only = re.fullmatch(rf"[{HAN}·]+", p)
        if strict and not (han_only and is_chinese_name(p)):
            continue
        # Pure-Han captures must be name-sized; mixed ones are user handles ("放飞&心情").
        if han_only and not re.fullmatch(_HAN_NAME_SHAPE, p):
            continue
        if len(p) > 30:
            continue
        if p.lower() not in (n.lower() for n in names):
            names.append(p)
    # "Reuters and Jane Doe": with a person beside it, an organisation is no author.
    if lang != "zh" and len(names) > 1 and _ORG_WORDS.search(names[0]):
        names = names[1:]
    if not names:
        return None
    return ("、" if lang == "zh" else ", ").join(names)


def looks_like_person_name(s: str) -> bool:
    """A Latin-script personal name: 2-4 capitalised words or initials, no publication words."""
    words = s.split()
    return (2 <= len(words) <= 4 and not _ORG_WORDS.search(s) and not _SITEISH.search(s)
            and all(_NAME_WORD.fullmatch(w) for w in words))


def _looks_like_person(value: str, lang: str) -> bool:
    v = value.strip()
    if not v or len(v) > 60 or _SITEISH.search(v) or re.search(r"\d|@|://", v):
        return False
    if re.search(_H, v):
        return bool(re.fullmatch(_HAN_NAME_SHAPE, v))
    words = v.split()
    return 1 <= len(words) <= 5 and all(re.fullmatch(r"[\w.'’\-]+", w) for w in words)


def _meta_candidates(tree: etree._Element, lang: str) -> list[Candidate]:
    out = []
    for m in tree.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        value = normalize_text(m.get("content") or "")
        if key in _META_AUTHOR_KEYS and value and _looks_like_person(value, lang):
            out.append(Candidate(90, value, f"meta:{key}"))
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        for name in _ld_authors(script.text or ""):
            if _looks_like_person(name, lang):
                out.append(Candidate(92, name, "ld"))
    return out


def _ld_authors(raw: str) -> list[str]:
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    names, stack = [], [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            author = node.get("author") or node.get("creator")
            for a in author if isinstance(author, list) else [author]:
                if isinstance(a, dict) and a.get("@type") == "Organization":
                    continue
                if isinstance(a, dict) and isinstance(a.get("name"), str):
                    names.append(normalize_text(a["name"]))
                elif isinstance(a, str):
                    names.append(normalize_text(a))
            stack.extend(v for k, v in node.items() if k not in ("author", "creator") and isinstance(v, (dict, list)))
    return names[:1] if len(set(names)) == 1 else list(dict.fromkeys(names))


def _byline_elements(tree: etree._Element, lang: str) -> list[Candidate]:
    found: list[tuple[etree._Element, str]] = []
    for el in tree.xpath('//*[@rel="author" or @itemprop="author" or @class or @id or @data-testid]'):
        attrs = " ".join(el.get(a, "") for a in ("class", "id", "rel", "itemprop", "data-testid"))
        if not _BYLINE_ATTR.search(attrs) or re.search(r"avatar|bio|image|photo|comment", attrs, re.I):
            continue
        text = normalize_text(" ".join(el.itertext())).replace("\n", " ")
        text = _BYLINE_NOISE.sub("", text)
        text = _BYLINE_END.split(text)[0].strip()
        if 3 <= len(text) <= 60:
            names = _clean_names(text, lang)
            if names and all(_looks_like_person(n, lang) for n in re.split(r", |、", names)):
                found.append((el, names))
    if not found:
        return []
    # A byline holding author elements ("By <span class=author-name>Jane Doe</span>,
    # Coastal Herald") is read from them: the markup says where the name ends.
    outer, names = found[0]
    inner = [n for el, n in found[1:] if any(a is outer for a in el.iterancestors())]
    if inner:
        names = ", ".join(dict.fromkeys(part for n in inner for part in n.split(", ")))
    return [Candidate(75, names, "byline-element", exact=bool(inner))]


def _zone_candidates(zones: Zones, lang: str) -> list[Candidate]:
    if lang != "zh":
        return _en_zone_candidates(zones)
    out = []
    for area, blocks, bonus in (("header", zones.header, 0), ("body-head", zones.body_head, -3),
                                ("body-tail", zones.body_tail, -5), ("footer", zones.footer, -8)):
        for block in blocks:
            if block.link_ratio > 0.6 and block.chars > 30:
                continue
            for pattern, score, needs_short in _ZH_PATTERNS:
                if needs_short and block.chars > _SHORT:
                    continue
                for m in pattern.finditer(block.text):
                    names = _clean_names(m.group("n"), lang)
                    if names:
                        out.append(Candidate(score + bonus, names, f"{area}:{pattern.pattern[:12]}"))
                        break
            # A line holding only names, under an essay's headline.
            if area in ("header", "body-head") and block.chars <= 12 and block.link_ratio < 0.5:
                names = _clean_names(block.text, lang, strict=True)
                if names and names.replace("、", "") == re.sub(r"[\s、，,]", "", block.text):
                    out.append(Candidate(60 + bonus, names, f"{area}:name-line"))
    # News stories close with the reporter in brackets: "……。（张三 李四 上海报道）".
    for block in zones.body_tail:
        m = _TAIL_BYLINE.search(block.text)
        if m:
            names = _clean_names(m.group("n"), lang, strict=True)
            if names:
                out.append(Candidate(76, names, "tail-brackets"))
    # Forum and blog posts stamp each post; the first stamp belongs to the article.
    for block in zones.body + zones.footer:
        if block.chars > _SHORT:
            continue
        m = _POST_STAMP.search(block.text)
        if m:
            names = _clean_names(m.group("n") or m.group("m") or m.group("o"), lang)
            if names:
                out.append(Candidate(66, names, "post-stamp"))
                break
    return out


def _en_zone_candidates(zones: Zones) -> list[Candidate]:
    out = []
    for area, blocks, bonus in (("header", zones.header, 0), ("body-head", zones.body_head, -3)):
        for block in blocks:
            m = _EN_BY.match(block.text) if block.chars <= _SHORT else None
            if m:
                names = _clean_names(_BYLINE_END.split(m.group("n"))[0], "en")
                if names:
                    out.append(Candidate(72 + bonus, names, f"{area}:by"))
    return out


def find_author(tree: etree._Element, zones: Zones | None, lang: str, fallback: str | None = None) -> str | None:
    cands = _meta_candidates(tree, lang)
    if zones is not None:
        cands += _zone_candidates(zones, lang)
    if lang != "zh":
        cands += _byline_elements(tree, lang)
    if fallback:
        cleaned = _clean_names(_BYLINE_NOISE.sub("", re.sub(r"^(?:责任编辑|编辑)\s*[:：]\s*", "", fallback)), lang)
        if cleaned:
            cands.append(Candidate(85 if lang != "zh" else 30, cleaned, "trafilatura"))
    if not cands:
        return None
    best = max(cands, key=lambda c: c.score)
    # Markup sometimes holds a first name only ("Todd") where the byline has the full
    # name, or one of several authors where another source lists them all; not when
    # author elements delimit exactly this name ("By <span>Jane Doe</span>, Sparrow Point").
    delimited = any(c.exact and c.name.lower() == best.name.lower() for c in cands)
    fuller = [c for c in cands if not delimited and len(c.name) > len(best.name)
              and re.search(rf"(?<!\w){re.escape(best.name)}(?!\w)", c.name, re.I)]
    if fuller:
        best = min(fuller, key=lambda c: len(c.name))
    logger.debug("author %r from %s", best.name, best.source)
    return best.name
