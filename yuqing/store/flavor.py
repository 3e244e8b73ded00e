"""Everything that differs between Elasticsearch 8/9 and OpenSearch 2/3.

The rest of the project talks to :class:`Backend` only. Each flavor imports its
own client library lazily, so a deployment needs only the driver it uses.
The official Elasticsearch client refuses servers of another major version and
OpenSearch servers alike, hence the ``GET /`` probe before choosing a client.
"""

from __future__ import annotations

import base64
import json
import logging
import ssl
import urllib.request
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


class SearchUnavailable(ConnectionError):
    """The search cluster cannot be reached or answered with a server error."""


@dataclass
class SearchConfig:
    url: str
    flavor: str = "auto"
    """``auto`` (probe ``GET /``), ``elasticsearch`` or ``opensearch``."""
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_certs: str | None = None
    verify_certs: bool = True
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings) -> "SearchConfig":
        return cls(
            url=settings.get("SEARCH_URL"),
            flavor=settings.get("SEARCH_FLAVOR", "auto") or "auto",
            username=settings.get("SEARCH_USERNAME") or None,
            password=settings.get("SEARCH_PASSWORD") or None,
            api_key=settings.get("SEARCH_API_KEY") or None,
            ca_certs=settings.get("SEARCH_CA_CERTS") or None,
            verify_certs=settings.getbool("SEARCH_VERIFY_CERTS", True),
            timeout=settings.getfloat("SEARCH_TIMEOUT", 30.0),
        )


def probe(config: SearchConfig) -> dict[str, Any]:
    """``GET /`` with the standard library, before any client is chosen."""
    request = urllib.request.Request(config.url.rstrip("/") + "/")
    if config.api_key:
        request.add_header("Authorization", f"ApiKey {config.api_key}")
    elif config.username:
        token = base64.b64encode(f"{config.username}:{config.password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = None
    if config.url.startswith("https"):
        context = ssl.create_default_context(cafile=config.ca_certs)
        if not config.verify_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=config.timeout, context=context) as answer:
            return json.load(answer)
    except OSError as exc:
        raise SearchUnavailable(f"search cluster at {config.url} is unreachable: {exc}") from exc


def detect_flavor(info: dict[str, Any]) -> tuple[str, int]:
    version = info.get("version") or {}
    number = str(version.get("number", "0"))
    major = int(number.split(".")[0] or 0)
    if version.get("distribution") == "opensearch":
        return "opensearch", major
    return "elasticsearch", major


class Backend:
    """The few cluster operations the project needs, in one shape."""

    flavor: str
    major: int

    def __init__(self, client, major: int):
        self.client = client
        self.major = major

    # Each method maps to one REST call; subclasses only change argument shapes.
    def put_index_template(self, name: str, body: dict) -> None:
        raise NotImplementedError

    def search(self, index: str, body: dict) -> dict:
        raise NotImplementedError

    def bulk(self, operations: list[dict]) -> dict:
        raise NotImplementedError

    def count(self, index: str, query: dict | None = None) -> int:
        raise NotImplementedError

    def index_exists(self, index: str) -> bool:
        return bool(self.client.indices.exists(index=index))

    def alias_exists(self, name: str) -> bool:
        return bool(self.client.indices.exists_alias(name=name))

    def refresh(self, index: str) -> None:
        self.client.indices.refresh(index=index)

    def delete_index(self, index: str) -> None:
        self.client.indices.delete(index=index, ignore_unavailable=True)

    def get(self, index: str, doc_id: str) -> dict | None:
        raise NotImplementedError

    def close(self) -> None:
        self.client.close()


class ElasticsearchBackend(Backend):
    flavor = "elasticsearch"

    def put_index_template(self, name, body):
        self.client.indices.put_index_template(name=name, **body)

    def search(self, index, body):
        return dict(self.client.search(index=index, **body))

    def bulk(self, operations):
        return dict(self.client.bulk(operations=operations))

    def count(self, index, query=None):
        kwargs = {"query": query} if query else {}
        return int(self.client.count(index=index, **kwargs)["count"])

    def get(self, index, doc_id):
        answer = self.client.options(ignore_status=404).get(index=index, id=doc_id)
        return dict(answer) if answer.get("found") else None


class OpenSearchBackend(Backend):
    flavor = "opensearch"

    def put_index_template(self, name, body):
        self.client.indices.put_index_template(name=name, body=body)

    def search(self, index, body):
        return self.client.search(index=index, body=body)

    def bulk(self, operations):
        return self.client.bulk(body=operations)

    def count(self, index, query=None):
        body = {"query": query} if query else None
        return int(self.client.count(index=index, body=body)["count"])

    def delete_index(self, index):
        self.client.indices.delete(index=index, ignore_unavailable=True)

    def get(self, index, doc_id):
        answer = self.client.get(index=index, id=doc_id, ignore=404)
        return answer if answer.get("found") else None


def connect(config: SearchConfig) -> Backend:
    """Build the client matching the cluster: one factory for the service."""
    if not config.url:
        raise ValueError("SEARCH_URL is not set: point it at Elasticsearch or OpenSearch")
    flavor, major = config.flavor, 0
    if flavor == "auto":
        flavor, major = detect_flavor(probe(config))
    if flavor == "opensearch":
        from opensearchpy import OpenSearch

        kwargs: dict[str, Any] = {"hosts": [config.url], "timeout": config.timeout,
                                  "verify_certs": config.verify_certs}
        if config.username:
            kwargs["http_auth"] = (config.username, config.password or "")
        if config.ca_certs:
            kwargs["ca_certs"] = config.ca_certs
        if config.api_key:
            kwargs["headers"] = {"Authorization": f"ApiKey {config.api_key}"}
        return OpenSearchBackend(OpenSearch(**kwargs), major)
    if flavor == "elasticsearch":
        import elasticsearch

        client_major = int(elasticsearch.__versionstr__.split(".")[0])
        if major and major != client_major:
            raise SearchUnavailable(
                f"Elasticsearch {major}.x server needs the elasticsearch {major}.x Python client; "
                f"installed is {elasticsearch.__versionstr__} (pip install 'elasticsearch>={major},<{major + 1}')")
        kwargs = {"hosts": [config.url], "request_timeout": config.timeout,
                  "verify_certs": config.verify_certs}
        if config.api_key:
            kwargs["api_key"] = config.api_key
        elif config.username:
            kwargs["basic_auth"] = (config.username, config.password or "")
        if config.ca_certs:
            kwargs["ca_certs"] = config.ca_certs
        return ElasticsearchBackend(elasticsearch.Elasticsearch(**kwargs), major or client_major)
    raise ValueError(f"SEARCH_FLAVOR={flavor!r}: use auto, elasticsearch or opensearch")
