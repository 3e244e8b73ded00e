"""Province / city of a document, from the platform's IP location or the text.

The gazetteer (``data/cn_regions.json``, derived from cpca's adcodes) has the
34 provincial-level divisions, the prefecture-level cities with the lat/lon of
their seat, and county-level names that are unique nationwide.

Names are returned in full official form ("广东省", "深圳市"); for the four
municipalities the city equals the province ("北京市"). IP locations outside
China give province "海外" and the country as city.

Free text only trusts names that cannot be ordinary words: full names, names
with an administrative suffix (省/市/区/县/自治州...), province short names,
and a short list of well-known city short names. "开封" (to unseal), "来宾"
(guest) or "中山" (a person's name) only count as "开封市", "来宾市", "中山市".
"""
from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import ahocorasick

logger = logging.getLogger(__name__)

__all__ = ["detect_region", "UNKNOWN_REGION", "OVERSEAS"]

DATA_PATH = Path(__file__).parent / "data" / "cn_regions.json"
OVERSEAS = "海外"
UNKNOWN_REGION = {"province": "unknown", "city": None, "location": None, "source": "unknown"}

# City short names common enough in posts and news to trust without 市, and
# not ordinary words. Short names of three or more characters are trusted too.
_TRUSTED_CITY_SHORT = frozenset(
    "广州 深圳 杭州 南京 武汉 成都 西安 郑州 长沙 沈阳 济南 青岛 厦门 苏州 宁波 无锡 合肥 福州 南昌 "
    "昆明 贵阳 南宁 兰州 银川 西宁 拉萨 大连 东莞 佛山 珠海 温州 三亚 汕头 烟台 徐州 常州 泉州 洛阳 "
    "桂林 丽江 绍兴 嘉兴 惠州 唐山 邯郸 潍坊 扬州 襄阳 宜昌 十堰 黄冈 孝感 荆州 绵阳 遵义 柳州 赣州 "
    "九江 芜湖 蚌埠 台州 金华 湖州 舟山 淄博 威海 临沂 济宁 长春 太原 延边 恩施 西双版纳 大理 凉山 "
    "甘孜 阿坝 伊犁 喀什 包头 秦皇岛 保定 廊坊 沧州 邢台 衡阳 岳阳 株洲 湘潭 常德 汕尾 湛江 "
    "江门 肇庆 韶关 梅州 潮州 揭阳 茂名 南通 盐城 淮安 连云港 镇江 泰州 宿迁".split()
)
# "区" also starts ordinary words: 区域 (area), 区划, 区间, 区别, 区块; and a
# county-level "XX市" can be "XX 市场" (market).
_NOT_AFTER = {"区": frozenset("域划间别块"), "市": frozenset("场")}
# Words that contain a place name without meaning the place.
_FALSE_FRIENDS = ("东躲西藏", "大理石")

_FOREIGN = frozenset(
    "美国 日本 韩国 英国 法国 德国 意大利 西班牙 葡萄牙 荷兰 比利时 瑞士 瑞典 挪威 丹麦 芬兰 爱尔兰 "
    "奥地利 俄罗斯 乌克兰 波兰 捷克 希腊 土耳其 加拿大 墨西哥 巴西 阿根廷 智利 澳大利亚 新西兰 "
    "新加坡 马来西亚 泰国 越南 菲律宾 印度尼西亚 印尼 印度 巴基斯坦 柬埔寨 缅甸 老挝 蒙古 朝鲜 "
    "阿联酋 沙特阿拉伯 以色列 埃及 南非 尼日利亚 肯尼亚 海外 国外".split()
)
_IP_LABEL_RE = re.compile(r"(?:IP\s*属地|IP\s*地址|IP|属地|发布于|来自|所在地)\s*[:：]?\s*", re.I)


class _Gazetteer:
    def __init__(self, data: dict):
        self.provinces: dict[str, dict] = data["provinces"]
        self.cities: dict[str, dict] = data["cities"]
        # surface form -> (province code, city code or None, kind)
        self.free: dict[str, tuple[str, str | None, str]] = {}
        self.loose: dict[str, tuple[str, str | None, str]] = {}
        for code, prov in self.provinces.items():
            city = code + "00" if code + "00" in self.cities else None
            for name in {prov["name"], prov["short"]} | ({"内蒙"} if code == "15" else set()):
                self.free[name] = self.loose[name] = (code, city, "province")
        province_shorts = {p["short"] for p in self.provinces.values()}
        for code, city in self.cities.items():
            entry = (city["province"], code, "city")
            self.free.setdefault(city["name"], entry)
            self.loose.setdefault(city["name"], entry)
            short = city.get("short")
            # A city short that equals a province short ("吉林", "海南") means the province.
            if short and short not in province_shorts:
                self.loose.setdefault(short, entry)
                if short in _TRUSTED_CITY_SHORT or len(short) >= 3:
                    self.free.setdefault(short, entry)
        for name, city_code in data["counties"]:
            entry = (self.cities[city_code]["province"] if city_code in self.cities else city_code[:2],
                     city_code if city_code in self.cities else None, "county")
            self.free.setdefault(name, entry)
            self.loose.setdefault(name, entry)
        self.free_automaton = self._automaton(self.free)
        self.loose_automaton = self._automaton(self.loose)
        english = {p["en"]: (code, None, "province") for code, p in self.provinces.items()}
        english.update({c["en"]: (c["province"], code, "city") for code, c in self.cities.items() if c.get("en")})
        for code in ("11", "12", "31", "50"):  # municipality: the city is the province
            english[self.provinces[code]["en"]] = (code, code + "00", "province")
        self.english = english
        self.english_re = re.compile(r"\b(" + "|".join(sorted(map(re.escape, english), key=len, reverse=True)) + r")\b")

    @staticmethod
    def _automaton(names: dict) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for name, entry in names.items():
            automaton.add_word(name, (name, entry))
        automaton.make_automaton()
        return automaton

    def matches(self, text: str, loose: bool = False) -> list[tuple[int, tuple[str, str | None, str]]]:
        """Leftmost-longest non-overlapping gazetteer hits as (start, entry)."""
        automaton = self.loose_automaton if loose else self.free_automaton
        for phrase in _FALSE_FRIENDS:
            text = text.replace(phrase, "\0" * len(phrase))  # keeps offsets
        hits = []
        for end, (name, entry) in automaton.iter(text):
            start = end - len(name) + 1
            if entry[2] == "county" and text[end + 1:end + 2] in _NOT_AFTER.get(name[-1], ()):
                continue
            hits.append((start, end, entry))
        hits.sort(key=lambda h: (h[0], -h[1]))
        chosen, last_end = [], -1
        for start, end, entry in hits:
            if start > last_end:
                chosen.append((start, entry))
                last_end = end
        if not loose:
            chosen += [(m.start(), self.english[m.group(1)]) for m in self.english_re.finditer(text)]
        return chosen

    def result(self, province: str, city: str | None, source: str) -> dict:
        place = self.cities[city] if city else self.provinces[province]
        lat, lon = place["loc"]
        return {
            "province": self.provinces[province]["name"],
            "city": self.cities[city]["name"] if city else None,
            "location": {"lat": lat, "lon": lon},
            "source": source,
        }


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    with open(DATA_PATH, encoding="utf-8") as fh:
        return _Gazetteer(json.load(fh))


def _pick(hits: list[tuple[int, tuple[str, str | None, str]]]) -> tuple[str, str | None] | None:
    """Most-mentioned province (a city mention counts for its province), then
    its most-mentioned city; ties go to the earliest mention."""
    if not hits:
        return None
    province_votes: dict[str, list] = {}
    city_votes: dict[str, list] = {}
    for pos, (province, city, _kind) in hits:
        vote = province_votes.setdefault(province, [0, -pos])
        vote[0] += 1
        if city:
            vote = city_votes.setdefault(city, [0, -pos])
            vote[0] += 1
    province = max(province_votes, key=lambda p: province_votes[p])
    cities = [c for c in city_votes if c.startswith(province)]
    return province, (max(cities, key=lambda c: city_votes[c]) if cities else None)


def _from_ip(ip_location: str) -> dict | None:
    text = _IP_LABEL_RE.sub(" ", ip_location).strip()
    text = re.sub(r"^中国\s*", "", text)
    if not text:
        return None
    gazetteer = _gazetteer()
    picked = _pick(gazetteer.matches(text, loose=True))
    if picked:
        return gazetteer.result(*picked, source="ip")
    for token in re.split(r"[\s,，/|·]+", text):
        if token in _FOREIGN:
            return {"province": OVERSEAS, "city": None if token in ("海外", "国外") else token,
                    "location": None, "source": "ip"}
    logger.debug("unrecognised IP location %r", ip_location)
    return None


def detect_region(text: str | None, ip_location: str | None = None) -> dict:
    """``{"province", "city", "location": {"lat", "lon"} | None, "source"}``.

    The platform's IP location (``发布于 北京``, ``IP属地：广东``) wins when it
    names a place; otherwise place names in ``text`` vote. Province is
    ``"unknown"`` and source ``"unknown"`` when nothing supports a guess.
    """
    if ip_location and ip_location.strip():
        found = _from_ip(ip_location)
        if found:
            return found
    if text:
        gazetteer = _gazetteer()
        picked = _pick(gazetteer.matches(text))
        if picked:
            return gazetteer.result(*picked, source="text")
    return dict(UNKNOWN_REGION)
