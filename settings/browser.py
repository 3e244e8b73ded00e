"""JavaScript rendering with scrapy-playwright and Debian's Chromium.

Only spiders that declare ``browser_kinds`` install the Playwright download
handler (``crawlers.base.YuqingSpider.update_settings``), and within them only
requests for those page kinds carry ``playwright: True``; the handler passes
every other request to Scrapy's own downloader.
"""

PLAYWRIGHT_DOWNLOAD_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Never a downloaded Playwright browser: the distribution's Chromium binary
# (not the /usr/bin wrapper script, which Playwright cannot drive).
PLAYWRIGHT_CHROMIUM_PATH = "/usr/lib/chromium/chromium"
PLAYWRIGHT_CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
# Images, fonts and media are never needed to read text (crawlers/browser.py).
PLAYWRIGHT_ABORT_REQUEST = "crawlers.browser.should_abort_request"
