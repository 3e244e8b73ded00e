"""Shared Redis queue. With ``REDIS_URL`` set, every worker process on every
host uses the same scheduler queue and dupefilter (scrapy-redis, extended in
``crawlers/scheduler.py``); without it Scrapy's own in-memory scheduler runs."""

REDIS_URL = None
# Keep the shared queue and dupefilter when one worker closes: other workers
# are still using them.
SCHEDULER_PERSIST = True
SCHEDULER_QUEUE_KEY = "yuqing:%(spider)s:requests"
SCHEDULER_DUPEFILTER_KEY = "yuqing:%(spider)s:dupefilter"
# Requests are leased, acknowledged once processed, and stored as JSON.
SCHEDULER_QUEUE_CLASS = "crawlers.queue.LeasedPriorityQueue"
# A request leased by a worker that stopped renewing (it died) goes back to the
# queue after this many seconds; live workers renew every third of it.
SCHEDULER_LEASE_TIMEOUT = 60.0
# A request whose lease ran out this many times goes to the dead letters.
SCHEDULER_LEASE_MAX_EXPIRIES = 3
# Workers call Redis from the reactor: during an outage a call must fail fast
# (short timeouts, one immediate retry instead of redis-py's ten with backoff)
# so that crawlers/queue.py's RedisGuard can back off and the crawl go on.
REDIS_PARAMS = {"socket_timeout": 10, "socket_connect_timeout": 5, "retry": None, "health_check_interval": 30}
# Seeds pushed by `yuqing seed` (JSON objects, one per list element).
REDIS_START_URLS_KEY = "yuqing:%(name)s:start_urls"
# Seeds one worker takes at a time, so several workers share a seed list.
REDIS_START_URLS_BATCH_SIZE = 1
# How often an idle worker looks for new seeds (seconds).
REDIS_SEED_POLL_INTERVAL = 1.0
# 0 = run as a service, waiting for work forever; N = close after N idle seconds.
MAX_IDLE_TIME_BEFORE_CLOSE = 0
