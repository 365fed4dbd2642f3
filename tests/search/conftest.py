"""Backends for the contract suite: embedded always, Elasticsearch where a server is.

* ``embedded``: tantivy in a temporary directory.
* ``osmem``: the Elasticsearch backend against osmem-server (PyPI ``osmem-server``: an
  in-memory OpenSearch-compatible server), a fresh clone of one server per test. Skipped
  with a reason when osmem-server is not installed, except under CI=true, where it fails.
* ``elasticsearch``: against the cluster at ``ELASTICSEARCH_URL``, when that is set; each
  test uses its own index prefix and removes its indexes afterwards. This is the one suite
  that skips under CI=true too: no machine that runs the tests has a cluster.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from insyn.search.backends.base import SearchBackend
from insyn.search.backends.embedded import EmbeddedBackend
from tests.conftest import skip_or_fail

Factory = Callable[..., SearchBackend]


@pytest.fixture(scope="session")
def osmem() -> Iterator[Any]:
    """One osmem-server for the session (tests take clones of it)."""
    try:
        from osmem_server import OsmemServer
    except ImportError:
        skip_or_fail("osmem-server is not installed (make install puts it in .venv)")
    server = OsmemServer.start(japanese=False)
    try:
        yield server
    finally:
        server.close()


def _drop_indexes(backend: Any) -> None:
    """Delete a test backend's indexes by name (clusters may refuse wildcard deletes)."""
    client = backend.client
    names = list(client.indices.get(index=f"{backend.alias}*", allow_no_indices=True).keys())
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


def _elasticsearch(request: pytest.FixtureRequest, kind: str) -> Iterator[Factory]:
    from insyn.search.backends.elasticsearch import ElasticsearchBackend

    created: list[Any] = []
    run = uuid.uuid4().hex[:8]
    clone = None
    if kind == "osmem":
        from tests.search.plain_json_node import PlainJsonNode

        clone = request.getfixturevalue("osmem").clone()
        url, node_class = clone.url, PlainJsonNode
    else:
        url = os.environ.get("ELASTICSEARCH_URL", "")
        if not url:
            # The only skip allowed under CI=true (tests/test_test_hygiene.py allows it).
            pytest.skip(
                "ELASTICSEARCH_URL is not set: the real Elasticsearch cluster suite is the one "
                "suite that skips, in CI too (the contract runs against osmem-server)"
            )
        node_class = None

    def make(name: str = "a", **options: Any) -> SearchBackend:
        backend = ElasticsearchBackend(
            url, index_prefix=f"insyn-test-{run}-{name}", node_class=node_class, **options
        )
        created.append(backend)
        return backend

    try:
        yield make
    finally:
        for backend in created:
            if clone is None:
                _drop_indexes(backend)
            backend.close()
        if clone is not None:
            clone.close()


def _embedded(path: Path) -> Iterator[Factory]:
    created: list[SearchBackend] = []

    def make(name: str = "a", **options: Any) -> SearchBackend:
        backend = EmbeddedBackend(path / name, **options)
        created.append(backend)
        return backend

    yield make
    for backend in created:
        backend.close()


@pytest.fixture(params=["embedded", "osmem", "elasticsearch"])
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    """A factory of empty backends of one kind: ``make_backend(name)``."""
    if request.param == "embedded":
        yield from _embedded(tmp_path)
    else:
        yield from _elasticsearch(request, request.param)


@pytest.fixture(params=["osmem", "elasticsearch"])
def make_es_backend(request: pytest.FixtureRequest) -> Iterator[Factory]:
    """A factory of Elasticsearch backends (osmem-server, or ELASTICSEARCH_URL)."""
    yield from _elasticsearch(request, request.param)


@pytest.fixture
def backend(make_backend: Factory) -> SearchBackend:
    """An empty backend with its index created."""
    made = make_backend()
    made.ensure_index()
    return made
