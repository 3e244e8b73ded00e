"""Scrapy core settings: what every worker fetches and how politely."""

BOT_NAME = "yuqing"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# scrapy-playwright needs the asyncio reactor; every worker uses it so a browser
# spider and a plain one can share a process.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

USER_AGENT = "yuqing/0.1 (+https://github.com/yuqing-project/yuqing; public-opinion monitor)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 30
# Larger bodies are cut off by Scrapy and counted under downloader stats; no
# public-opinion page needs more than this.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retries per kind of failure (crawlers/middlewares/retry.py): how many, and the
# first wait in seconds, doubled on each retry up to RETRY_BACKOFF_MAX; a 429's
# Retry-After wins when longer (up to RETRY_AFTER_MAX). A retry waits in the
# shared queue, not in a download slot; after the last one the request goes to
# the dead letters (`yuqing dead list`). Without REDIS_URL retries do not wait.
RETRY_POLICY = {
    "timeout": {"times": 2, "backoff": 5.0},
    "http_5xx": {"times": 2, "backoff": 1.0},
    "http_429": {"times": 4, "backoff": 10.0},
    "dns": {"times": 1, "backoff": 30.0},
    "connection": {"times": 2, "backoff": 2.0},
}
RETRY_BACKOFF_MAX = 300.0
RETRY_AFTER_MAX = 3600.0
AUTOTHROTTLE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# Let error responses reach the spider's errback path with their status so
# they are counted per status (fetch/error/404) instead of vanishing.
HTTPERROR_ALLOWED_CODES: list[int] = []

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.urlfilter.UrlFilterMiddleware": 50,
    # robots.txt with the one explicit per-spider override (robots_override = "ignore").
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.robots.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.retry.BackoffRetryMiddleware": 550,
    # Cookies + a consistent user agent per account for spiders that declare
    # use_accounts/needs_login; pauses an account on risk-control answers.
    "crawlers.middlewares.accounts.AccountsMiddleware": 650,
}
SPIDER_MIDDLEWARES = {
    # Outermost: sees each callback's output as the engine gets it, so the
    # scheduler acknowledges a leased request only once it is fully processed.
    "crawlers.middlewares.lease.LeaseMiddleware": 10,
    "pipelines.archive.ArchiveMiddleware": 20,
    # After HttpErrorMiddleware (50): counts damaged bodies that reach a callback.
    "crawlers.middlewares.badinput.BadInputMiddleware": 60,
}
# Seeds and followed links to loopback/private addresses are refused unless
# allowed (the local test web lives on loopback, so tests and the demo allow it).
URLFILTER_ALLOW_PRIVATE = False
URLFILTER_SCHEMES = ["http", "https"]

EXTENSIONS = {
    "crawlers.extensions.seeds.RedisSeeds": 500,
    "crawlers.extensions.logmask.MaskSecrets": 10,
}
# Settings whose values never appear in a log line (crawlers/extensions/logmask.py):
# whole values, or for URLs the password; any URL's password is masked anyway.
LOG_MASK_SETTINGS = ["SEARCH_PASSWORD", "SEARCH_API_KEY", "REDIS_URL", "SEARCH_URL", "MONGO_URL"]

# News list pages of sites without feeds, per host: CSS/XPath rules, no code
# (crawlers/parsers/news.py). Seed with `yuqing seed news URL --kind listpage`.
NEWS_LIST_RULES: dict[str, dict[str, str]] = {
    # "news.example.cn": {"links": "css:ul.news-list a::attr(href)",
    #                     "next": "xpath://a[text()='下一页']/@href"},
}
