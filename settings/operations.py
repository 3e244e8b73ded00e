"""Running 7x24: sources and their schedule, recrawl and dedup at scale,
politeness shared by every worker, proxies and user agents, and what each
worker reports (heartbeats in Redis, Prometheus metrics).

Everything here that needs Redis is switched off without ``REDIS_URL``.
"""

# --- Sources and `yuqing schedule` -------------------------------------------

# The YAML file of what to monitor (see yuqing/sources_example.yaml).
SOURCES_FILE = "sources.yaml"
# How often a scheduler replica looks for due jobs (seconds).
SCHEDULE_TICK = 1.0
# Per-source state (next due, last run...); a job-run slot's lease is the key
# `<state key>:<slot>`, so replicas seed each slot exactly once.
SCHEDULE_STATE_KEY = "yuqing:sched:%(source)s"
SCHEDULE_INDEX_KEY = "yuqing:scheduler:sources"
# How long one replica may hold a slot before another takes it over (seconds):
# longer than seeding one job takes, short enough to recover from a crash.
SCHEDULE_LEASE = 60
# Per-domain politeness/proxy/UA overrides the scheduler publishes from the
# sources file, read by every worker (domain -> JSON object).
POLICY_KEY = "yuqing:policy:domains"
# How often a worker re-reads those overrides (seconds).
POLICY_REFRESH_INTERVAL = 10.0

# --- Recrawl and dedup (crawlers/dupefilter.py) ------------------------------

# "set": one Redis set of fingerprints per spider (exact, ~90 bytes a URL);
# "bloom": a Bloom filter in a Redis string (~1.8 bytes a URL at 0.1 % false
# positives; a false positive is a page never fetched).
DUPEFILTER_BACKEND = "set"
DUPEFILTER_BLOOM_CAPACITY = 10_000_000
DUPEFILTER_BLOOM_ERROR_RATE = 0.001
# Seconds after which a followed URL may be fetched again (0 = never), for
# spiders whose pages change (engagement counts). Seeds always bypass the
# filter. A spider's `custom_settings` may set it; this map wins over both.
DUPEFILTER_TTL = 0
DUPEFILTER_TTL_BY_SPIDER = {"social_feed": 6 * 3600}

# --- Politeness shared by all workers (crawlers/middlewares/politeness.py) ---

POLITENESS_ENABLED = True
# Requests per second per domain across the cluster (0 = no limit) and the
# burst a quiet domain may get at once.
POLITENESS_RATE = 0.0
POLITENESS_BURST = 1.0
# Requests in flight per domain across the cluster (0 = no limit).
POLITENESS_CONCURRENCY = 0
# Requests per second per account (requests that carry `yq_account`).
POLITENESS_ACCOUNT_RATE = 0.0
# Answers that make every worker back off from the domain: for Retry-After
# seconds when the answer says, otherwise BASE * 2^(strikes - 1), at most MAX.
POLITENESS_BACKOFF_HTTP_CODES = [429, 503]
POLITENESS_BACKOFF_BASE = 5.0
POLITENESS_BACKOFF_MAX = 600.0
# A worker that dies holding a concurrency lease loses it after this long
# (seconds); longer than any download (DOWNLOAD_TIMEOUT) plus its retries' waits.
POLITENESS_LEASE_TIMEOUT = 120.0

# --- Proxies and user agents -------------------------------------------------

# Route requests through the proxy pool in Redis (`yuqing proxies add ...`);
# a source may switch it per domain (`proxies: true|false`).
PROXY_POOL_ENABLED = False
PROXY_POOL_KEY = "yuqing:proxies"
# Answers that count as a ban of the proxy (connection errors always count).
PROXY_BAN_HTTP_CODES = [403, 429]
# A failing proxy rests BASE * 2^(failures - 1) seconds, at most MAX.
PROXY_REST_BASE = 30.0
PROXY_REST_MAX = 3600.0
# A browser user agent per session (spider run x domain, or x account) instead
# of USER_AGENT; a source may switch it per domain (`rotate_user_agent`).
USERAGENT_ROTATE = False
USERAGENT_BROWSERS = ["Chrome", "Edge", "Firefox", "Safari"]
USERAGENT_PLATFORMS = ["desktop"]

# --- Heartbeats, `yuqing status`, Prometheus ---------------------------------

# Each worker process writes its counters to this hash every interval; the
# hash expires HEARTBEAT_TTL seconds after the last beat, and `yuqing status`
# calls a worker stale after HEARTBEAT_STALE_AFTER missed intervals.
HEARTBEAT_KEY = "yuqing:workers:%(worker)s"
HEARTBEAT_INTERVAL = 5.0
HEARTBEAT_TTL = 120
HEARTBEAT_STALE_AFTER = 3
# Prometheus metrics of the worker process: 0 = off, a port, or "auto" (any
# free port, written to the heartbeat so `yuqing status` shows it).
METRICS_PORT = 0
METRICS_HOST = "127.0.0.1"
# Dead-letter lists and the indexer's spool directory that `yuqing status` counts.
DEADLETTER_KEY_PATTERN = "yuqing:deadletter:*"
SPOOL_DIR = ".run/spool"

# --- Wiring --------------------------------------------------------------------

from .crawl import DOWNLOADER_MIDDLEWARES as _DOWNLOADER_MIDDLEWARES  # noqa: E402
from .crawl import EXTENSIONS as _EXTENSIONS  # noqa: E402

DOWNLOADER_MIDDLEWARES = {
    **_DOWNLOADER_MIDDLEWARES,
    # Before Scrapy's UserAgentMiddleware (500), which only fills a missing header.
    "crawlers.middlewares.useragent.SessionUserAgentMiddleware": 490,
    # Before Scrapy's HttpProxyMiddleware (750), which applies meta["proxy"].
    "crawlers.middlewares.proxies.ProxyPoolMiddleware": 740,
    # Last before the download: it waits for a token right before fetching,
    # and sees a 429 before RetryMiddleware turns it into a retry.
    "crawlers.middlewares.politeness.PolitenessMiddleware": 950,
}
EXTENSIONS = {
    **_EXTENSIONS,
    "crawlers.extensions.heartbeat.Heartbeat": 510,
    "crawlers.extensions.metrics.PrometheusMetrics": 520,
}
