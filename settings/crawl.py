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
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
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
}
# Seeds and followed links to loopback/private addresses are refused unless
# allowed (the local test web lives on loopback, so tests and the demo allow it).
URLFILTER_ALLOW_PRIVATE = False
URLFILTER_SCHEMES = ["http", "https"]

EXTENSIONS = {
    "crawlers.extensions.seeds.RedisSeeds": 500,
}
