"""The bare-Scrapy baseline: the sitemap's pages fetched with a trivial parse.

Same Scrapy, reactor and concurrency as our news spider, no extraction, no
pipeline: what fetching alone costs. Run as a process of its own:

    python -m benchmarks.bare_spider http://127.0.0.1:PORT/sitemap.xml --user-agent bench-bare
"""

from __future__ import annotations

import argparse

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, sitemap: str, **kwargs):
        super().__init__(**kwargs)
        self.sitemap = sitemap

    async def start(self):
        yield scrapy.Request(self.sitemap, callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        response.selector.remove_namespaces()
        for url in response.xpath("//loc/text()").getall():
            yield scrapy.Request(url.strip(), callback=self.parse)

    def parse(self, response):
        yield {"url": response.url, "title": response.css("title::text").get()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sitemap")
    parser.add_argument("--user-agent", default="bench-bare")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-domain", type=int, default=4, help="our news spider's CONCURRENT_REQUESTS_PER_DOMAIN")
    args = parser.parse_args()
    process = CrawlerProcess({
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_domain,
        "ROBOTSTXT_OBEY": True,
        "USER_AGENT": args.user_agent,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    })
    process.crawl(BareSpider, sitemap=args.sitemap)
    process.start()


if __name__ == "__main__":
    main()
