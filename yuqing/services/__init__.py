"""Real services for tests and the demo, started by the project on loopback.

- ``RedisService``: Debian's redis-server.
- ``OpenSearchService``: one OpenSearch node in a JVM (codelibs runner, jars
  from Maven Central).
- ``FerretDBService``: MongoDB wire protocol on SQLite (built by bin/bootstrap).
- ``ServiceManager``: ``up``/``down``/``status`` across processes, used by
  ``yuqing services`` and ``yuqing demo``.
- ``yuqing.services.testing``: the pytest fixtures.
"""

from yuqing.services.base import ManagedProcess, ServiceError, cache_dir, free_port
from yuqing.services.ferretdb import FerretDBService, find_ferretdb
from yuqing.services.manager import ENV_VARS, ServiceManager
from yuqing.services.opensearch import OpenSearchService, resolve_classpath
from yuqing.services.redis import RedisService

__all__ = [
    "ENV_VARS",
    "FerretDBService",
    "ManagedProcess",
    "OpenSearchService",
    "RedisService",
    "ServiceError",
    "ServiceManager",
    "cache_dir",
    "find_ferretdb",
    "free_port",
    "resolve_classpath",
]
