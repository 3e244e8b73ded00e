"""A local, deterministic web for tests, the demo and benchmarks (no internet).

It serves a bilingual news site with RSS/Atom/sitemap, a GBK forum, a
JavaScript-rendered social feed, deliberately broken pages, and
``/manifest.json``, the ground truth of everything it serves::

    with serve() as web:
        manifest = requests.get(web.url + "/manifest.json").json()

or ``python -m yuqing.testweb --port 8765``.
"""

from .server import TestWeb, serve

__all__ = ["TestWeb", "serve"]
