"""Shared fixtures: real services (Redis, OpenSearch, FerretDB) started by the
project itself, and the local test web."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from yuqing.services.testing import *  # noqa: F401,F403 - service fixtures

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "settings")


def corpus_dir() -> Path | None:
    """The shared evaluation corpus (quality tests only); None when absent."""
    configured = os.environ.get("YUQING_CORPUS")
    path = Path(configured) if configured else ROOT.parent / "shared" / "corpus" / "dev"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if path is None:
        pytest.skip("evaluation corpus not found (set YUQING_CORPUS or put it at ../shared/corpus/dev)")
    return path


@pytest.fixture(scope="session")
def testweb():
    from yuqing.testweb import serve

    web = serve()
    yield web
    web.stop()
