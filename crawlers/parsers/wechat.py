"""WeChat official-account (公众号) articles, found through Sogou's WeChat search.

Kinds: ``search`` (``weixin.sogou.com/weixin?type=2&query=``: result list
-> links), ``redirect`` (Sogou's ``/link?url=`` hop, a script that assembles
the article URL piece by piece) and ``article`` (``mp.weixin.qq.com/s?...``).

An article is identified by its account (``__biz``), message id (``mid``)
and position in the message (``idx``): the URLs Sogou hands out are
temporary (``src=11&timestamp=&signature=``), so documents are keyed by
``biz:mid:idx`` and point to the permanent ``/s?__biz=&mid=&idx=&sn=`` URL.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode, urljoin, urlsplit

from yuqing.schema import Author, Document, make_id
from yuqing.text import detect_lang, normalize_text

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError
from .common import (RISK_CONTROL, element_text, iso_time, load_html, query_param, region_from_label)


PLATFORM = "wechat"
SOGOU = "https://weixin.sogou.com/weixin"
_URL_PIECE = re.compile(r"url\s*\+=\s*'([^']*)'")
_TIME_CONVERT = re.compile(r"timeConvert\('(\d+)'\)")
_IP_PROVINCE = re.compile(r"provinceName\s*:\s*['\"]([^'\"]+)['\"]")
_IP_COUNTRY = re.compile(r"countryName\s*:\s*['\"]([^'\"]+)['\"]")
_RISK_MARKERS = ("环境异常", "完成验证后即可继续访问", "请输入验证码")
_GONE_MARKERS = ("该内容已被发布者删除", "此内容因违规无法查看", "此内容被投诉且经审核涉嫌侵权", "该公众号已迁移")
_EXPIRED_MARKERS = ("链接已过期", "参数错误")


def article_doc_id(biz: str, mid: str, idx: str) -> str:
    return make_id(platform=PLATFORM, post_id=f"{biz}:{mid}:{idx}")


def search_page_url(keyword: str) -> str:
    return f"{SOGOU}?{urlencode({'type': 2, 'query': keyword, 'ie': 'utf8'})}"


def _js_var(text: str, name: str) -> str | None:
    """``var name = "" || "value";``: the first non-empty string literal."""
    m = re.search(rf"var\s+{name}\s*=\s*([^;\n]+)", text)
    if not m:
        return None
    for literal in re.findall(r"\"([^\"]*)\"|'([^']*)'", m.group(1)):
        value = literal[0] or literal[1]
        if value:
            return html.unescape(value)
    return None


def _first(el, css: str):
    found = el.cssselect(css)
    return found[0] if found else None


class WechatParser(Parser):
    platform = PLATFORM
    channel = "self-media"
    kinds = ("search", "redirect", "article")
    default_kind = "article"

    @classmethod
    def kind_for_url(cls, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.hostname == "weixin.sogou.com":
            return "redirect" if parts.path.startswith("/link") else "search"
        if parts.hostname == "mp.weixin.qq.com" and parts.path.startswith("/s"):
            return "article"
        return None

    def parse(self, page: Page, kind: str) -> ParseResult:
        handler = {"search": self.parse_search, "redirect": self.parse_redirect,
                   "article": self.parse_article}.get(kind)
        if handler is None:
            raise ParseError("unknown_kind", f"wechat parser has no page kind {kind!r}")
        if "/antispider" in urlsplit(page.url).path:
            raise ParseError(RISK_CONTROL, f"{page.url}: Sogou sent the request to its captcha page")
        return handler(page)

    # ------------------------------------------------------------------ Sogou

    def parse_search(self, page: Page) -> ParseResult:
        tree = load_html(page)
        if _first(tree, "#seccodeForm, form[name='authform']") is not None:
            raise ParseError(RISK_CONTROL, f"{page.url}: Sogou asks for a captcha")
        result = ParseResult()
        listing = _first(tree, "ul.news-list")
        if listing is None:
            if _first(tree, "#noresult_part1_container, .no-sosuo") is not None:
                result.warnings.append("no_results")
                return result
            raise ShapeError(PLATFORM, "news-list")
        for item in listing.cssselect("li"):
            link = _first(item, ".txt-box h3 a[href]")
            if link is None:
                raise ShapeError(PLATFORM, "txt-box h3 a")
            target = urljoin(SOGOU, link.get("href"))
            meta = {"yq_title": normalize_text(link.text_content())}
            account = _first(item, ".s-p a.account, .s-p .all-time-y2")
            if account is not None:
                meta["yq_account"] = normalize_text(account.text_content())
            stamp = _first(item, ".s-p[t]")
            written = _TIME_CONVERT.search(_all_text(item))
            when = stamp.get("t") if stamp is not None else (written.group(1) if written else None)
            if when:
                meta["yq_published"] = iso_time(when, page)
            result.links.append(Link(target, self.kind_for_url(target) or "redirect", meta))
        nxt = _first(tree, "#sogou_next[href]")
        if nxt is not None:
            result.links.append(Link(urljoin(SOGOU, nxt.get("href")), "search"))
        return result

    def parse_redirect(self, page: Page) -> ParseResult:
        text = page.body.decode("utf-8", errors="replace")
        target = "".join(_URL_PIECE.findall(text))
        if not target:
            if "antispider" in text:
                raise ParseError(RISK_CONTROL, f"{page.url}: Sogou sent the redirect to its captcha page")
            raise ShapeError(PLATFORM, "url")
        return ParseResult(links=[Link(target, "article", dict(page.meta))])

    # ------------------------------------------------------------------ article

    def parse_article(self, page: Page) -> ParseResult:
        tree = load_html(page)
        text = page.body.decode("utf-8", errors="replace")
        title_el = _first(tree, "#activity-name")
        if title_el is None:
            self._explain_missing_article(text, page)
            raise ShapeError(PLATFORM, "activity-name")
        body = _first(tree, "#js_content")
        if body is None:
            raise ShapeError(PLATFORM, "js_content")
        title = normalize_text(title_el.text_content()) or _js_var(text, "msg_title") or ""
        biz = _js_var(text, "biz") or query_param(page.url, "__biz")
        mid = _js_var(text, "mid") or query_param(page.url, "mid")
        idx = _js_var(text, "idx") or query_param(page.url, "idx")
        if not (biz and mid and idx):
            raise ShapeError(PLATFORM, "biz" if not biz else "mid" if not mid else "idx")
        sn = _js_var(text, "sn") or query_param(page.url, "sn")

        account_el = _first(tree, "#js_name")
        account = (normalize_text(account_el.text_content()) if account_el is not None else "") \
            or _js_var(text, "nickname") or page.meta.get("yq_account")
        if not account:
            raise ShapeError(PLATFORM, "js_name")
        published = _published(tree, text, page)
        if published is None:
            raise ShapeError(PLATFORM, "ct")
        content = element_text(body)
        params = {"__biz": biz, "mid": mid, "idx": idx, **({"sn": sn} if sn else {})}
        doc = Document(
            id=article_doc_id(biz, mid, idx),
            platform=PLATFORM,
            channel=self.channel,
            url=f"https://mp.weixin.qq.com/s?{urlencode(params)}",
            title=title,
            content=content,
            author=Author(name=account, id=_js_var(text, "user_name") or biz,
                          url=f"https://mp.weixin.qq.com/mp/profile_ext?{urlencode({'action': 'home', '__biz': biz})}"),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=detect_lang(f"{title}\n{content}"),
            source=account,
            post_id=f"{biz}:{mid}:{idx}",
            region_hint=_region(tree, text),
        )
        return ParseResult(documents=[doc])

    def _explain_missing_article(self, text: str, page: Page) -> None:
        """WeChat answers blocked, deleted and expired articles with a message page."""
        if any(marker in text for marker in _RISK_MARKERS):
            raise ParseError(RISK_CONTROL, f"{page.url}: WeChat asks for a verification")
        if any(marker in text for marker in _GONE_MARKERS):
            raise ParseError("not_found", f"{page.url}: the article was deleted or blocked")
        if any(marker in text for marker in _EXPIRED_MARKERS):
            raise ParseError("link_expired", f"{page.url}: the temporary Sogou link has expired")


def _all_text(el) -> str:
    """Text of an element including its scripts (Sogou writes the time with one)."""
    return "".join(el.itertext())


def _published(tree, text: str, page: Page) -> str | None:
    """``var ct`` (a unix time) is exact; the visible ``#publish_time`` may say "昨天"."""
    for value in (_js_var(text, "ct"), _js_var(text, "createTime")):
        published = iso_time(value, page) if value else None
        if published:
            return published
    shown = _first(tree, "#publish_time")
    published = iso_time(normalize_text(shown.text_content()), page) if shown is not None else None
    return published or page.meta.get("yq_published")


def _region(tree, text: str) -> str | None:
    """IP location (since 2022): rendered into ``#js_ip_wording`` or still in the
    ``ip_wording`` script object."""
    shown = _first(tree, "#js_ip_wording")
    if shown is not None and normalize_text(shown.text_content()):
        label = normalize_text(shown.text_content())
        return region_from_label(label) or region_from_label(f"IP属地：{label}")
    m = _IP_PROVINCE.search(text) or _IP_COUNTRY.search(text)
    return region_from_label(f"IP属地：{m.group(1)}") if m else None
