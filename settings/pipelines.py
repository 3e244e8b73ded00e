"""Item pipeline order and the settings of each pipeline component."""

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    # "pipelines.enrich.EnrichPipeline": 300,
    "pipelines.rules.RulesPipeline": 400,
    "pipelines.index.BulkIndexPipeline": 900,
}

# NormalizePipeline: timezone assumed for naive publish times (most sources are Chinese).
NORMALIZE_DEFAULT_TZ = "Asia/Shanghai"

# DedupePipeline: how many (id, content hash) pairs one worker remembers.
DEDUPE_MEMORY = 200_000

# EnrichPipeline: sentiment, keywords, region on every document.
ENRICH_ENABLED = True

# RulesPipeline: analyst rules file, re-read when it changes.
RULES_FILE = None
RULES_RELOAD_INTERVAL = 5.0

# BulkIndexPipeline: flush by size, by age, and at close.
BULK_INDEXER_ENABLED = True
BULK_INDEXER_BATCH_SIZE = 200
BULK_INDEXER_FLUSH_INTERVAL = 2.0
BULK_INDEXER_MAX_RETRIES = 5
BULK_INDEXER_BACKOFF = 0.5
# Documents the cluster refused for good are written here (JSON lines) with
# the reason, so nothing is silently dropped.
BULK_INDEXER_DEADLETTER_DIR = ".run/deadletter"
