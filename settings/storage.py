"""Where documents go: the search cluster (and, later, the evidence archive)."""

SEARCH_URL = None
SEARCH_FLAVOR = "auto"  # auto | elasticsearch | opensearch
SEARCH_USERNAME = None
SEARCH_PASSWORD = None
SEARCH_API_KEY = None
SEARCH_CA_CERTS = None
SEARCH_VERIFY_CERTS = True
SEARCH_TIMEOUT = 30.0
SEARCH_INDEX_PREFIX = "yuqing"
SEARCH_INDEX_REPLICAS = 0

MONGO_URL = None

# Evidence archive in MongoDB (yuqing/store/archive.py, pipelines/archive.py):
# raw responses that produced documents, and every document's versions.
ARCHIVE_ENABLED = True
# Database when MONGO_URL names none.
ARCHIVE_DATABASE = "yuqing"
# Distinct versions kept per document (the latest is also in `doc`).
ARCHIVE_MAX_VERSIONS = 10
ARCHIVE_COMPRESS_LEVEL = 6
# Records per write, and the longest a record waits for its batch (seconds).
ARCHIVE_BATCH_SIZE = 100
ARCHIVE_FLUSH_INTERVAL = 1.0
# Bytes waiting for the writer thread; past this the crawl waits (MongoDB down).
ARCHIVE_MAX_PENDING_BYTES = 64 * 1024 * 1024
# Connect/server selection timeout (seconds), and how long a closing worker
# keeps trying to write what is left.
ARCHIVE_TIMEOUT = 10.0
ARCHIVE_CLOSE_TIMEOUT = 30.0
