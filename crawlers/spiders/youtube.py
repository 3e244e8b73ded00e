from urllib.parse import quote

from crawlers.access import BrowserSpider
from crawlers.parsers.youtube import YoutubeParser

WEB = "https://www.youtube.com"


class YoutubeSpider(BrowserSpider):
    """YouTube videos found by keyword (results page) or channel
    (``--account @handle``: its videos tab); each video's watch page is
    rendered in Chromium and read from its embedded player response."""

    name = "youtube"
    platform = "youtube"
    channel = "video"
    parser_cls = YoutubeParser
    seed_kind = "search"
    seeding = "keyword"
    # YouTube and the YouTube-like test pages mount everything in <ytd-app>.
    browser_kinds = {"search": "ytd-app", "watch": "ytd-app"}
    custom_settings = {**BrowserSpider.custom_settings, "DOWNLOAD_DELAY": 2.0,
                       "CONCURRENT_REQUESTS_PER_DOMAIN": 1}
    # The raw watch page embeds the same player response the browser renders from.
    canary_url = f"{WEB}/watch?v=jNQXAC9IVRw"
    canary_kind = "watch"

    @classmethod
    def search_url(cls, keyword: str) -> str:
        return f"{WEB}/results?search_query={quote(keyword)}"

    @classmethod
    def account_url(cls, account: str) -> str:
        return f"{WEB}/@{quote(account.lstrip('@'))}/videos"
