"""Item pipeline order and the settings of each pipeline component."""

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.enrich.EnrichPipeline": 300,
    "pipelines.cluster.ClusterPipeline": 350,
    "pipelines.rules.RulesPipeline": 400,
    "pipelines.alerts.AlertsPipeline": 450,
    "pipelines.archive.ArchivePipeline": 800,
    "pipelines.index.BulkIndexPipeline": 900,
}

# NormalizePipeline: timezone assumed for naive publish times (most sources are Chinese).
NORMALIZE_DEFAULT_TZ = "Asia/Shanghai"

# DedupePipeline: how many (id, content hash) pairs one worker remembers.
DEDUPE_MEMORY = 200_000

# EnrichPipeline: sentiment, keywords, region on every document.
ENRICH_ENABLED = True

# ClusterPipeline (docs/clustering.md): near-duplicate and repost clusters
# (`cluster_id`) in an index in Redis that all workers share; off without REDIS_URL.
CLUSTER_ENABLED = True
CLUSTER_KEY_PREFIX = "yuqing:cluster"
# SimHash features: shingles of this many words. Documents with fewer words
# than CLUSTER_MIN_TOKENS join clusters only through repost/reply links.
CLUSTER_SHINGLE_SIZE = 2
CLUSTER_MIN_TOKENS = 20
# Near-duplicates differ in at most this many of the 64 SimHash bits (tuned
# on labeled sets, see the doc). Candidates agree with the document on one
# 16-bit band, or with PROBE differ there in one bit (more recall beyond 3
# bits, 17 lookups per band instead of 1); at most BAND_SCAN are read per
# band value, and only those within WINDOW seconds of the document's time.
CLUSTER_MAX_DISTANCE = 10
CLUSTER_BAND_PROBE = True
CLUSTER_BAND_SCAN = 200
CLUSTER_WINDOW = 3 * 86400
# Index keys expire this many seconds after their last write.
CLUSTER_TTL = 14 * 86400

# RulesPipeline: analyst rules file, re-read when it changes.
RULES_FILE = None
RULES_RELOAD_INTERVAL = 5.0

# AlertsPipeline (docs/alerts.md): graded alerts for rule hits, recorded in
# Redis and published to the `yuqing:alerts` stream; off without REDIS_URL.
# Durations are seconds or "30s", "10m", "6h", "14d".
ALERTS_ENABLED = True
# Hits of one rule on one story (the document's cluster_id, else the rule
# alone) within this window from the alert's first hit update that alert.
ALERTS_DEDUP_WINDOW = "6h"
# At most one `updated` webhook message per alert per interval; changes in
# between are sent together when it ends.
ALERTS_UPDATE_INTERVAL = "10m"
ALERTS_MAX_SAMPLES = 10
# A document already counted for a rule this recently is not counted again (re-crawls).
ALERTS_SEEN_TTL = "2d"
# An alert stays in Redis (`yuqing alerts list/ack`) this long after its last
# change; the <prefix>-alerts index keeps it for good.
ALERTS_RETENTION = "30d"
ALERTS_STREAM_MAXLEN = 100_000
# Grading (yuqing/alerts/grading.py has the table): velocity baseline per channel...
ALERTS_VELOCITY_BASELINE = {"social": "12h", "video": "12h", "forum": "12h", "news": "14d",
                            "self-media": "14d", "default": "24h"}
# ...a spike is >= SPIKE x the baseline rate (+1), a surge >= SURGE x (+2), from MIN_HITS hits an hour.
ALERTS_VELOCITY_MIN_HITS = 5
ALERTS_VELOCITY_SPIKE = 3.0
ALERTS_VELOCITY_SURGE = 10.0
# Influential sources: listed official media (None = the shipped
# yuqing/alerts/official_media.yaml), or authors with this many followers
# (verified authors: the second figure).
ALERTS_OFFICIAL_MEDIA_FILE = None
ALERTS_INFLUENCE_FOLLOWERS = 1_000_000
ALERTS_INFLUENCE_VERIFIED_FOLLOWERS = 100_000
# `yuqing alerts deliver` (not the workers) sends to these: a list of
# {"url", "format": generic|wecom|dingtalk|feishu|slack, "min_grade": I..IV,
#  "name", "secret" (DingTalk/Feishu signing)}.
ALERTS_WEBHOOKS: list[dict] = []
ALERTS_WEBHOOK_TIMEOUT = 10
# A failed send is retried after BACKOFF x 2^n seconds, at most BACKOFF_MAX;
# events stuck this long at a deliverer that died are taken over by another.
ALERTS_DELIVERY_BACKOFF = 1
ALERTS_DELIVERY_BACKOFF_MAX = "5m"
ALERTS_DELIVERY_CLAIM_AFTER = 60

# BulkIndexPipeline: flush by size, by age, and at close.
BULK_INDEXER_ENABLED = True
BULK_INDEXER_BATCH_SIZE = 200
BULK_INDEXER_FLUSH_INTERVAL = 2.0
BULK_INDEXER_MAX_RETRIES = 5
BULK_INDEXER_BACKOFF = 0.5
# Documents the cluster refused for good go to the Redis list
# yuqing:deadletter:documents with the reason (`yuqing dead list`); without
# Redis, or while it is down, to JSON lines in this directory.
BULK_INDEXER_DEADLETTER_DIR = ".run/deadletter"
# What the cluster cannot take now waits in a disk spool under SPOOL_DIR/<spider>
# (settings/operations.py); at SPOOL_MAX_BYTES the crawl waits instead of dropping.
SPOOL_MAX_BYTES = 1024 * 1024 * 1024
SPOOL_SEGMENT_BYTES = 8 * 1024 * 1024
# First and longest wait between replays while the cluster stays down (seconds).
SPOOL_REPLAY_INTERVAL = 2.0
SPOOL_REPLAY_MAX_INTERVAL = 30.0
# How long a closing worker keeps replaying before it leaves the rest on disk.
SPOOL_DRAIN_TIMEOUT = 60.0
