from crawlers.access import HtmlSpider
from crawlers.parsers.discuz import DiscuzParser


class DiscuzSpider(HtmlSpider):
    """Any Discuz! forum: board pages -> every post of every thread. Seed with
    board URLs (``forum.php?mod=forumdisplay&fid=``, ``forum-2-1.html``) or the
    mobile API (``api/mobile/index.php?module=forumdisplay&fid=``); thread and
    archiver URLs work too. The seed URL names its kind."""

    name = "discuz"
    platform = "discuz"
    channel = "forum"
    parser_cls = DiscuzParser
    seed_kind = "forumdisplay"
    seeding = "board"
    # Small community forums run on one shared host: stay gentle.
    custom_settings = {"CONCURRENT_REQUESTS_PER_DOMAIN": 2, "DOWNLOAD_DELAY": 1, "RANDOMIZE_DOWNLOAD_DELAY": True}
