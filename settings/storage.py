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
