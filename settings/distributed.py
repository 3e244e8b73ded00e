"""Shared Redis queue. With ``REDIS_URL`` set, every worker process on every
host uses the same scheduler queue and dupefilter (scrapy-redis, extended in
``crawlers/scheduler.py``); without it Scrapy's own in-memory scheduler runs."""

REDIS_URL = None
# Keep the shared queue and dupefilter when one worker closes: other workers
# are still using them.
SCHEDULER_PERSIST = True
SCHEDULER_QUEUE_KEY = "yuqing:%(spider)s:requests"
SCHEDULER_DUPEFILTER_KEY = "yuqing:%(spider)s:dupefilter"
SCHEDULER_QUEUE_CLASS = "scrapy_redis.queue.PriorityQueue"
# Seeds pushed by `yuqing seed` (JSON objects, one per list element).
REDIS_START_URLS_KEY = "yuqing:%(name)s:start_urls"
# Seeds one worker takes at a time, so several workers share a seed list.
REDIS_START_URLS_BATCH_SIZE = 1
# How often an idle worker looks for new seeds (seconds).
REDIS_SEED_POLL_INTERVAL = 1.0
# 0 = run as a service, waiting for work forever; N = close after N idle seconds.
MAX_IDLE_TIME_BEFORE_CLOSE = 0
