"""News sites: RSS/Atom feeds, sitemaps and list pages lead to article pages,
whose main text, title, author and publish time come from ``yuqing.extract``.

A list page (a site without feeds) is read with rules from configuration, no
code: ``{"links": SELECTOR, "next": SELECTOR}`` where a selector is
``css:...`` or ``xpath:...`` (bare = CSS) yielding URLs, e.g.
``css:ul.news-list a::attr(href)`` and ``xpath://a[text()="下一页"]/@href``.
The spider puts the rules of the page's site into ``meta["yq_list_rules"]``.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from yuqing.extract import ExtractionError, extract_article
from yuqing.schema import Author, Document, make_id
from yuqing.text import decode_html, parse_datetime, to_iso

from .base import Link, Page, ParseError, ParseResult, Parser, ShapeError

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(node, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip() or child.get("href")
    return None


class NewsParser(Parser):
    platform = "news"
    channel = "news"
    kinds = ("feed", "sitemap", "listpage", "article")
    default_kind = "article"

    def parse(self, page: Page, kind: str) -> ParseResult:
        if kind in ("feed", "sitemap"):
            return self.parse_listing(page)
        if kind == "article":
            return self.parse_article(page)
        if kind == "listpage":
            return self.parse_listpage(page)
        raise ParseError("unknown_kind", f"news parser has no page kind {kind!r}")

    def parse_listing(self, page: Page) -> ParseResult:
        """RSS 2.0, Atom, sitemap and sitemap index, told apart by the root tag."""
        if not page.body.strip():
            raise ParseError("empty_body", f"empty feed at {page.url}")
        try:
            root = etree.fromstring(page.body, _XML_PARSER)
        except etree.XMLSyntaxError as exc:
            raise ParseError("broken_feed", f"feed/sitemap at {page.url} is not well-formed XML: {exc}") from None
        root_name = _local(root.tag)
        result = ParseResult()
        if root_name == "rss" or root_name == "rdf":
            for item in root.iter():
                if _local(item.tag) != "item":
                    continue
                link = _child_text(item, "link")
                if not link:
                    result.warnings.append("feed_item_without_link")
                    continue
                meta = {"feed_published": _child_text(item, "pubdate") or _child_text(item, "date"),
                        "feed_title": _child_text(item, "title")}
                result.links.append(Link(urljoin(page.url, link), "article", meta))
        elif root_name == "feed":
            for entry in root:
                if _local(entry.tag) != "entry":
                    continue
                href = None
                for child in entry:
                    if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                        href = child.get("href")
                if not href:
                    result.warnings.append("feed_item_without_link")
                    continue
                meta = {"feed_published": _child_text(entry, "published") or _child_text(entry, "updated"),
                        "feed_title": _child_text(entry, "title")}
                result.links.append(Link(urljoin(page.url, href), "article", meta))
        elif root_name in ("urlset", "sitemapindex"):
            nested = root_name == "sitemapindex"
            for node in root:
                loc = _child_text(node, "loc")
                if loc:
                    meta = {} if nested else {"feed_published": _child_text(node, "lastmod")}
                    result.links.append(Link(urljoin(page.url, loc), "sitemap" if nested else "article", meta))
        else:
            raise ParseError("not_a_feed", f"{page.url}: root element <{root_name}> is not RSS, Atom or a sitemap")
        return result

    def parse_listpage(self, page: Page) -> ParseResult:
        rules = page.meta.get("yq_list_rules")
        if not isinstance(rules, dict) or not rules.get("links"):
            raise ParseError("no_list_rules", f"{page.url}: list page without rules (configure NEWS_LIST_RULES "
                                              "for its site, or seed it with meta list_rules)")
        if not page.body.strip():
            raise ParseError("empty_body", f"empty list page at {page.url}")
        text, _ = decode_html(page.body, page.content_type)
        selector = Selector(text=text)
        result = ParseResult()
        seen: set[str] = set()
        for href in _select(selector, rules["links"], page.url):
            if href not in seen:
                seen.add(href)
                result.links.append(Link(href, "article"))
        if not result.links:
            # Rules that match nothing mean the site changed its markup.
            raise ShapeError(self.platform, "links", f"{page.url}: list rule {rules['links']!r} matched no link")
        if rules.get("next"):
            for href in _select(selector, rules["next"], page.url)[:1]:
                result.links.append(Link(href, "listpage", {"list_rules": rules}))
        return result

    def parse_article(self, page: Page) -> ParseResult:
        try:
            article = extract_article(page.body, url=page.url, content_type=page.content_type)
        except ExtractionError as exc:
            raise ParseError(exc.reason, f"{page.url}: {exc}") from None
        result = ParseResult()
        published = article.get("published_at")
        if not published:
            hint = parse_datetime(page.meta.get("yq_feed_published")) if page.meta.get("yq_feed_published") else None
            published = to_iso(hint) if hint else None
            result.warnings.append("no_date" if not published else "date_from_feed")
        # The fetched URL, not the page's self-declared canonical: a wrong
        # canonical tag must not merge two articles under one id.
        url = page.url
        host = urlsplit(url).hostname or ""
        result.documents.append(Document(
            id=make_id(platform=self.platform, url=url),
            platform=self.platform,
            channel=self.channel,
            url=url,
            title=article.get("title") or page.meta.get("yq_feed_title") or "",
            content=article.get("content") or "",
            author=Author(name=article.get("author")),
            published_at=published,
            crawled_at=page.crawled_at or "",
            lang=article.get("lang") or "other",
            source=host,
        ))
        return result


def _select(selector: Selector, rule: str, base_url: str) -> list[str]:
    if rule.startswith("xpath:"):
        values = selector.xpath(rule[6:]).getall()
    else:
        values = selector.css(rule[4:] if rule.startswith("css:") else rule).getall()
    return [urljoin(base_url, v.strip()) for v in values
            if v.strip() and not v.strip().startswith(("javascript:", "#", "mailto:"))]
