"""The local test web serves what its manifest promises, byte for byte where
encodings matter, and counts requests at the server."""

from __future__ import annotations

import html
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag

import pytest

from yuqing.testweb import serve
from yuqing.text import decode_html, normalize_text, parse_datetime, to_iso


def fetch(url: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def web():
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def manifest(web):
    status, _, body = fetch(web.url + "/manifest.json")
    assert status == 200
    return json.loads(body)


def _articles(manifest):
    return [i for i in manifest["items"] if i["kind"] == "article"]


def test_manifest_counts_and_shape(manifest, web):
    counts = manifest["counts"]
    assert counts == {"article": 16, "forum_post": 38, "social_post": 14, "total": 68, "bad": 11}
    langs = [a["lang"] for a in _articles(manifest)]
    assert langs.count("zh") == 9 and langs.count("en") == 7
    urls = [i["url"] for i in manifest["items"]]
    assert len(set(urls)) == len(urls)
    ids = [i["id"] for i in manifest["items"] if "id" in i]
    assert len(set(ids)) == len(ids) == 52
    for item in manifest["items"]:
        assert item["url"].startswith(web.url + "/")
        assert item["must_contain"] and item["published_at"].endswith("Z")
        assert item["lang"] in ("zh", "en")
    social = [i for i in manifest["items"] if i["kind"] == "social_post"]
    assert sum(i["lang"] == "en" for i in social) == 3
    assert sum(1 for i in social if i["repost_of"]) == 3
    replies = [i for i in manifest["items"] if i["kind"] == "forum_post" and i["parent"]]
    assert len(replies) == 32


def test_every_item_is_served_with_its_phrase(manifest):
    pages: dict[str, str] = {}
    for item in manifest["items"]:
        url = urldefrag(item["url"])[0]
        if url not in pages:
            status, headers, body = fetch(url)
            assert status == 200, url
            pages[url] = html.unescape(body.decode(item["encoding"]))
        assert item["must_contain"] in pages[url], item["url"]
        assert item["title"] in pages[url]
        if item["kind"] == "forum_post":
            assert f'id="post-{item["post_id"]}" data-pid="{item["post_id"]}"' in pages[url]


@pytest.mark.parametrize("encoding, declared, header, count", [
    ("gbk", "header", "text/html; charset=gbk", 3),
    ("gbk", "meta", "text/html", 1),
    ("gb18030", "meta", "text/html", 1),
    ("gbk", "none", "text/html", 1),
    ("utf-8", "header", "text/html; charset=utf-8", 10),
])
def test_article_encodings(manifest, encoding, declared, header, count):
    chosen = [a for a in _articles(manifest) if a["encoding"] == encoding and a["charset_declared"] == declared]
    assert len(chosen) == count
    for article in chosen:
        _, headers, body = fetch(article["url"])
        assert headers["Content-Type"] == header
        text = body.decode(encoding)
        assert article["must_contain"] in text
        if encoding == "utf-8":
            assert '<meta charset="utf-8">' in text
            continue
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        assert (b"<meta charset=gb2312>" in body) == (declared == "meta")
        if declared == "none":
            assert b"charset" not in body.lower()
        # The shared decoder must recover every Chinese page from its bytes alone.
        decoded, _ = decode_html(body, headers["Content-Type"])
        assert article["must_contain"] in decoded and article["author"] in decoded


def test_gb18030_page_really_needs_gb18030(manifest):
    (article,) = [a for a in _articles(manifest) if a["encoding"] == "gb18030"]
    _, _, body = fetch(article["url"])
    assert "䶮" in article["author"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("gbk")
    (meta_gbk,) = [a for a in _articles(manifest) if a["encoding"] == "gbk" and a["charset_declared"] == "meta"]
    _, _, body = fetch(meta_gbk["url"])
    # Declared gb2312 but uses a GBK-only character, as such pages do.
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")


def test_article_pages_carry_the_usual_traps(manifest):
    for article in _articles(manifest):
        _, _, body = fetch(article["url"])
        text = html.unescape(decode_html(body, None)[0])
        assert "© 2003-2026" in text
        assert ('property="article:published_time"' in text) == article["has_meta_time"]
        assert article["title"] in text and article["publisher"] in text
        if article["lang"] == "zh":
            assert "相关阅读" in text and "网友评论" in text
        else:
            assert f'By <span class="author-name">{article["author"]}</span>' in text


def _rss_items(body: bytes) -> list[dict]:
    root = ET.fromstring(body)
    return [{child.tag: (child.text or "") for child in item} for item in root.iter("item")]


def test_rss_lists_every_article_with_dates(manifest, web):
    _, headers, body = fetch(web.url + "/news/feed.xml")
    assert headers["Content-Type"].startswith("application/rss+xml")
    items = _rss_items(body)
    by_url = {a["url"]: a for a in _articles(manifest)}
    assert sorted(i["link"] for i in items) == sorted(by_url) == sorted(manifest["feeds"]["rss"])
    for item in items:
        article = by_url[item["link"]]
        assert item["title"] == article["title"] and item["description"]
        assert to_iso(parsedate_to_datetime(item["pubDate"])) == article["published_at"]


def test_atom_is_a_subset_and_sitemap_lists_all(manifest, web):
    ns = {"a": "http://www.w3.org/2005/Atom", "s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    by_url = {a["url"]: a for a in _articles(manifest)}
    _, _, body = fetch(web.url + "/news/atom.xml")
    entries = ET.fromstring(body).findall("a:entry", ns)
    links = [e.find("a:link", ns).get("href") for e in entries]
    assert links == manifest["feeds"]["atom"] and 0 < len(links) < len(by_url)
    for entry, link in zip(entries, links, strict=True):
        assert to_iso(parse_datetime(entry.findtext("a:published", namespaces=ns))) == by_url[link]["published_at"]
    _, _, body = fetch(web.url + "/news/sitemap.xml")
    urls = ET.fromstring(body).findall("s:url", ns)
    assert sorted(u.findtext("s:loc", namespaces=ns) for u in urls) == sorted(by_url)
    for u in urls:
        lastmod = parse_datetime(u.findtext("s:lastmod", namespaces=ns))
        assert to_iso(lastmod) == by_url[u.findtext("s:loc", namespaces=ns)]["published_at"]


def test_mixed_feed_interleaves_good_and_bad(manifest, web):
    _, _, body = fetch(manifest["entry_points"]["mixed_feed"])
    links = [i["link"] for i in _rss_items(body)]
    good, bad = manifest["feeds"]["mixed_good"], manifest["feeds"]["mixed_bad"]
    assert sorted(links) == sorted(good + bad)
    assert links[0] in bad and links[1] in good  # a bad page comes first, a good one right after
    assert set(good) <= {a["url"] for a in _articles(manifest)}
    assert set(bad) <= {b["url"] for b in manifest["bad"]}


def test_bad_pages_are_broken_as_described(manifest, web):
    bad = {b["url"][len(web.url):]: b for b in manifest["bad"]}
    for path, entry in bad.items():
        status, headers, _ = fetch(web.url + path)
        assert status == entry["status"], path
        assert headers.get("Content-Type") == entry["content_type"]
    _, _, body = fetch(web.url + "/bad/not-html")
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    assert fetch(web.url + "/bad/empty")[2] == b""
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetch(web.url + "/bad/feed.xml")[2])
    body = fetch(web.url + "/bad/truncated.html")[2]
    assert body.endswith(b"<p") and bad["/bad/truncated.html"]["must_contain"].encode() in body
    assert len(fetch(web.url + "/bad/huge.html")[2]) > 2_000_000
    text = fetch(web.url + "/bad/control-chars.html")[2].decode("utf-8")
    assert "\u200b" in text and "\x07" in text
    assert bad["/bad/control-chars.html"]["must_contain"] not in text
    assert bad["/bad/control-chars.html"]["must_contain"] in normalize_text(text)
    body = fetch(web.url + "/bad/gbk-as-utf8.html")[2]
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert bad["/bad/gbk-as-utf8.html"]["must_contain"] in body.decode("gbk")
    body = fetch(web.url + "/bad/api-html-error")[2]
    with pytest.raises(ValueError):
        json.loads(body)
    body = fetch(web.url + "/bad/bad-date.html")[2].decode("utf-8")
    assert "发布时间：2025-13-45 25:61" in body and bad["/bad/bad-date.html"]["published_at"] is None


def test_forum_pagination(web):
    status, headers, body = fetch(web.url + "/forum/board/1")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=gbk"
    assert '<a class="next" href="/forum/board/1?page=2">下一页</a>' in body.decode("gbk")
    status, _, body = fetch(web.url + "/forum/board/2?page=2")
    assert status == 200 and b'class="next"' not in body
    assert b'href="/forum/thread/2001?page=2">Next' in fetch(web.url + "/forum/thread/2001")[2]
    for path in ("/forum/board/1?page=3", "/forum/thread/1001?page=4", "/forum/thread/9999",
                 "/forum/board/1?page=abc", "/nowhere"):
        assert fetch(web.url + path)[0] == 404, path


def test_social_feed_needs_javascript(manifest, web):
    _, _, shell = fetch(web.url + "/social/feed")
    assert b"<article" not in shell and b'src="/social/static/feed.js"' in shell
    status, headers, script = fetch(web.url + "/social/static/feed.js")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert b"/social/api/posts?page=" in script
    ids = []
    for page, next_page in ((1, 2), (2, None)):
        data = json.loads(fetch(f"{web.url}/social/api/posts?page={page}")[2])["data"]
        assert data["next_page"] == next_page and len(data["list"]) == 7
        ids += [p["id"] for p in data["list"]]
    assert json.loads(fetch(web.url + "/social/api/posts?page=3")[2])["data"]["list"] == []
    social = [i for i in manifest["items"] if i["kind"] == "social_post"]
    assert ids == [i["post_id"] for i in social]
    assert {i["repost_of"] for i in social if i["repost_of"]} <= set(ids)


def test_robots_allows_everything(web):
    status, _, body = fetch(web.url + "/robots.txt")
    assert status == 200
    assert body.decode().splitlines()[:2] == ["User-agent: *", "Allow: /"]


def test_head_has_length_and_no_body(web):
    status, headers, body = fetch(web.url + "/news/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def _portable(manifest: dict) -> list[dict]:
    """Items with the base URL abstracted and host-keyed ids dropped."""
    items = json.loads(json.dumps(manifest["items"]).replace(manifest["base_url"], "BASE"))
    host_keyed = ("id", "thread_id", "parent_id")
    return [{k: v for k, v in item.items() if not (item["kind"] == "forum_post" and k in host_keyed)}
            for item in items]


def test_content_is_deterministic(manifest):
    with serve() as other:
        other_manifest = json.loads(fetch(other.url + "/manifest.json")[2])
        for path in ("/news/2025/11/xianweifang-kitchen-video.html", "/forum/thread/1001?page=2",
                     "/social/api/posts?page=1", "/bad/huge.html"):
            assert fetch(manifest["base_url"] + path)[2] == fetch(other.url + path)[2], path
    assert _portable(other_manifest) == _portable(manifest)


def test_stats_count_requests_per_path():
    with serve() as web:
        fetch(web.url + "/news/", headers={"User-Agent": "stats-test/1"})
        fetch(web.url + "/news/")
        fetch(web.url + "/forum/board/1?page=2")
        fetch(web.url + "/missing")
        fetch(web.url + "/manifest.json")  # test plumbing, not counted
        stats = json.loads(fetch(web.url + "/_stats")[2])
        assert stats["total"] == 4
        assert stats["paths"] == {"/news/": 2, "/forum/board/1": 1, "/missing": 1}
        assert stats["urls"]["/forum/board/1?page=2"] == 1
        assert stats["statuses"] == {"200": 3, "404": 1}
        assert [entry["path"] for entry in stats["log"]] == ["/news/", "/news/", "/forum/board/1?page=2", "/missing"]
        assert stats["log"][0]["ua"] == "stats-test/1"
        assert stats["log"][0]["t"] <= stats["log"][-1]["t"]
        assert json.loads(fetch(web.url + "/_stats/reset")[2])["total"] == 0
        assert json.loads(fetch(web.url + "/_stats")[2])["total"] == 0


def test_latency_delays_each_response_and_requests_run_in_parallel():
    with serve(latency_ms=300) as web:
        started = time.monotonic()
        assert fetch(web.url + "/robots.txt")[0] == 200
        assert time.monotonic() - started >= 0.3
        threads = [threading.Thread(target=fetch, args=(web.url + f"/news/?n={n}",)) for n in range(4)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        assert 0.3 <= elapsed < 1.0  # four delayed requests overlapped instead of taking 1.2 s
        assert json.loads(fetch(web.url + "/_stats")[2])["max_in_flight"] >= 2


def test_command_line_prints_url_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "yuqing.testweb", "--port", "0", "--latency-ms", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert fetch(url + "/robots.txt")[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
