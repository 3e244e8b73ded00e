"""Every platform parser on real recorded platform responses.

The samples live in the shared corpus (``../shared/corpus/dev``, see its
``platforms/SOURCES.md``), not in the repository: several of them may not
be redistributed. Each row of ``SAMPLES`` names a sample, the page kind it
is and the URL it was fetched from; a missing sample is skipped. Add a
platform by adding rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crawlers.parsers import get_parser
from crawlers.parsers.base import Page, ParseResult
from yuqing.schema import validate

CRAWLED = "2025-11-20T08:00:00Z"


@dataclass(frozen=True)
class Sample:
    platform: str
    file: str
    """Path inside the dev corpus."""
    kind: str
    url: str
    expect: str = "documents"
    """``documents``, or ``links`` for listing pages that only lead elsewhere."""
    engagement: bool = True
    """Whether the platform shows counts (likes, comments, views...) on this page."""
    dated: bool = True
    """Whether the page says when its documents were published."""
    post_from: Sample | None = None
    """A sample whose first document this page needs as ``yq_post`` link meta."""

    def __str__(self) -> str:
        return f"{self.platform}:{self.file.rsplit('/', 1)[-1]}"


WEIBO_DETAIL = Sample("weibo", "platforms/weibo/m_weibo_detail_4649031014551911.html", "detail",
                      "https://m.weibo.cn/detail/4649031014551911")

SAMPLES = [
    Sample("weibo", "platforms/weibo/m_weibo_getIndex_timeline_107603_1907518591_raw.json", "timeline",
           "https://m.weibo.cn/api/container/getIndex?containerid=1076031907518591"),
    Sample("weibo", "platforms/weibo/m_weibo_statuses_show_4645748019299849.json", "status",
           "https://m.weibo.cn/statuses/show?id=4645748019299849"),
    WEIBO_DETAIL,
    Sample("weibo", "platforms/weibo/m_weibo_statuses_extend_4649031014551911.json", "long_text",
           "https://m.weibo.cn/statuses/extend?id=4649031014551911", post_from=WEIBO_DETAIL),
    Sample("weibo", "platforms/weibo/m_weibo_getIndex_profile_6279793937.json", "profile",
           "https://m.weibo.cn/api/container/getIndex?type=uid&value=6279793937", expect="links"),
    Sample("bilibili", "platforms/bilibili/bili_search_type_video.json", "search",
           "https://api.bilibili.com/x/web-interface/search/type?search_type=video&keyword=%E5%B0%91%E5%B9%B4&page=1"),
    Sample("bilibili", "platforms/bilibili/bili_view.json", "video",
           "https://api.bilibili.com/x/web-interface/view?bvid=BV117411r7R1"),
    Sample("bilibili", "platforms/bilibili/bili_reply.json", "comments",
           "https://api.bilibili.com/x/v2/reply?type=1&oid=2&sort=0&pn=1&ps=5"),
    Sample("bilibili", "platforms/bilibili/bili_polymer_dynamic_feed_space.json", "dynamics",
           "https://api.bilibili.com/x/polymer/web-dynamic/v1/feed/space?host_mid=161775300"),
    Sample("tieba", "platforms/tieba/gne_tieba_board_tieba_reyi.html", "board",
           "https://tieba.baidu.com/f?kw=%E8%B4%B4%E5%90%A7%E7%83%AD%E8%AE%AE&ie=utf-8", expect="links"),
    Sample("discuz", "platforms/discuz/discuz5_archiver_thread_sachina_tid1011_gbk.html", "archiver",
           "http://bbs.sachina.pku.edu.cn/archiver/?tid-1011.html", engagement=False),
    Sample("discuz", "platforms/discuz/s1_mobile_viewthread_tid1814693.json", "api_viewthread",
           "https://bbs.saraba1st.com/2b/api/mobile/index.php?module=viewthread&version=1&tid=1814693"),
    Sample("discuz", "platforms/discuz/s1_mobile_forumdisplay_fid6.json", "api_forumdisplay",
           "https://bbs.saraba1st.com/2b/api/mobile/index.php?module=forumdisplay&version=1&fid=6&page=1",
           expect="links"),
    Sample("toutiao", "platforms/toutiao/gne_toutiao_article_2019_09_04.html", "article",
           "https://www.toutiao.com/a6732819573189378572/"),
    Sample("toutiao", "platforms/toutiao/gne_toutiao_article_2019_09_08.html", "article",
           "https://www.toutiao.com/a6734139882538533383/"),
    Sample("toutiao", "platforms/toutiao/gne_toutiao_article_2019_11_25.html", "article",
           "https://www.toutiao.com/a6763067898329039374/"),
    Sample("wechat", "platforms/wechat/gne_mp_weixin_article_sogou_link_2020.html", "article",
           "https://mp.weixin.qq.com/s?src=11&timestamp=1581604662&ver=2156&new=1", engagement=False),
    Sample("wechat", "extraction_silver/gne-wechat-2.html", "article",
           "https://mp.weixin.qq.com/s?__biz=MzI2MzEwNTY3OQ==&mid=2648978231&idx=1", engagement=False),
    # International platforms (JSON APIs; YouTube and Douyin pages as a browser gets them).
    Sample("bluesky", "platforms/bluesky/bsky_searchPosts_redistricting_2025.json", "search",
           "https://bsky.social/xrpc/app.bsky.feed.searchPosts?q=redistricting"),
    Sample("bluesky", "platforms/bluesky/bsky_getAuthorFeed_chriskenny_2025.json", "feed",
           "https://bsky.social/xrpc/app.bsky.feed.getAuthorFeed?actor=chriskenny.bsky.social"),
    Sample("bluesky", "platforms/bluesky/atproto_sdk_getPostThread_embed_media.json", "thread",
           "https://bsky.social/xrpc/app.bsky.feed.getPostThread?uri=at://did:plc:kvwvcn5iqfooopmyzvb4qzba/"
           "app.bsky.feed.post/3kaheyt6vpc22&depth=1&parentHeight=0"),
    Sample("hackernews", "platforms/hackernews/algolia_items_17_2014.json", "item",
           "https://hn.algolia.com/api/v1/items/17"),
    Sample("hackernews", "platforms/hackernews/algolia_search_story_apple_2014.json", "search",
           "https://hn.algolia.com/api/v1/search?hitsPerPage=1&tags=(story)&query=apple"),
    Sample("hackernews", "platforms/hackernews/algolia_search_by_date_comment_2014.json", "search",
           "https://hn.algolia.com/api/v1/search_by_date?hitsPerPage=1&tags=(comment)"),
    Sample("hackernews", "platforms/hackernews/algolia_search_comment_author_pg_2014.json", "search",
           "https://hn.algolia.com/api/v1/search?hitsPerPage=1&tags=(comment),author_pg"),
    Sample("hackernews", "platforms/hackernews/communal_algolia_search_url_2020.json", "search",
           "https://hn.algolia.com/api/v1/search?query=example&restrictSearchableAttributes=url"),
    Sample("mastodon", "platforms/mastodon/localhost_timelines_tag_hoot.json", "timeline",
           "http://localhost:3000/api/v1/timelines/tag/hoot"),
    Sample("mastodon", "platforms/mastodon/mastodon_social_status_110446223051565765.json", "status",
           "https://mastodon.social/api/v1/statuses/110446223051565765"),
    Sample("mastodon", "platforms/mastodon/mastodon_social_status_context_110446983926957470.json", "context",
           "https://mastodon.social/api/v1/statuses/110446983926957470/context"),
    Sample("mastodon", "platforms/mastodon/mastodon_social_v2_search_halcy.json", "search",
           "https://mastodon.social/api/v2/search?exclude_unreviewed=1&q=halcy&resolve=1"),
    Sample("reddit", "platforms/reddit/praw_r_askreddit_new_2016.json", "listing",
           "https://oauth.reddit.com/r/askreddit/new?raw_json=1&limit=100"),
    Sample("reddit", "platforms/reddit/praw_r_all_search_2016.json", "listing",
           "https://oauth.reddit.com/r/all/search/?sort=relevance&raw_json=1&t=all&limit=1024&q=praw+oauth+search"),
    Sample("reddit", "platforms/reddit/communal_search_json_2020.json", "listing",
           "https://www.reddit.com/search.json?q=url:example.com"),
    Sample("reddit", "platforms/reddit/praw_comments_2gmzqe_2016.json", "comments",
           "https://oauth.reddit.com/comments/2gmzqe/?sort=confidence&limit=2048&raw_json=1"),
    Sample("reddit", "platforms/reddit/praw_comments_jlbw48_2022.json", "comments",
           "https://oauth.reddit.com/comments/jlbw48/?limit=2048&sort=confidence&raw_json=1"),
    Sample("v2ex", "platforms/v2ex/v2ex_api_topics_hot_2016_10_08.json", "topics",
           "https://www.v2ex.com/api/topics/hot.json"),
    Sample("youtube", "platforms/youtube/yt_watch_page_GJLlxj_dtq8_2022.html", "watch",
           "https://www.youtube.com/watch?v=GJLlxj_dtq8"),
    Sample("youtube", "platforms/youtube/yt_innertube_player_GJLlxj_dtq8_2025.json", "player",
           "https://www.youtube.com/youtubei/v1/player", dated=False),
    Sample("douyin", "platforms/douyin/douyin_aweme_post_list_2020_06_18_compact.json", "post_api",
           "https://www.iesdouyin.com/web/api/v2/aweme/post/?count=21&max_cursor=0"),
]


def run(sample: Sample, corpus) -> ParseResult:
    path = corpus / sample.file
    if not path.is_file():
        pytest.skip(f"{sample.file} is not in this corpus")
    meta = {}
    if sample.post_from is not None:
        meta["yq_post"] = run(sample.post_from, corpus).documents[0].to_dict()
    page = Page(url=sample.url, body=path.read_bytes(), meta=meta, crawled_at=CRAWLED)
    return get_parser(sample.platform).parse(page, sample.kind)


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_real_sample(sample: Sample, corpus):
    result = run(sample, corpus)
    parser = get_parser(sample.platform)
    assert all(link.url.startswith(("http://", "https://")) and link.kind in parser.kinds for link in result.links)
    if sample.expect == "links":
        assert result.links and not result.documents
        return
    assert result.documents, f"{sample} gave no documents"
    for doc in result.documents:
        validate(doc)
        assert doc.platform == sample.platform
        assert doc.id and doc.post_id and doc.url
        assert doc.title or doc.content
        assert doc.author.name, f"{doc.url} has no author"
        assert doc.published_at or not sample.dated, f"{doc.url} has no time"
        assert doc.crawled_at == CRAWLED
        if doc.parent_id or doc.thread_id:
            # Replies point into their own thread, never to themselves.
            assert doc.parent_id != doc.id
    counts = [getattr(doc.engagement, name) for doc in result.documents
              for name in ("likes", "comments", "reposts", "views")]
    if sample.engagement:
        assert any(isinstance(count, int) for count in counts), f"{sample} shows no engagement counts"
