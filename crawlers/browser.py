"""Browser policy for scrapy-playwright requests."""

# Resource types a text crawler never needs; blocking them makes rendering
# several times cheaper in time and memory.
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})


def should_abort_request(request) -> bool:
    return request.resource_type in BLOCKED_RESOURCE_TYPES
