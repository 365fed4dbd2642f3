"""Fixtures for the web tests: one demo site per session, served by a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from insyn.web.server import address, bind, running
from tests.web.support import Site, make_site

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's test client prefers the httpx2 package but works with httpx.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")
    # rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph.
    config.addinivalue_line("filterwarnings", "ignore:ConjunctiveGraph is deprecated")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo catalogue behind the web app, served on 127.0.0.1 (``site.base_url``)."""
    sock = bind("127.0.0.1")
    demo = make_site(tmp_path_factory.mktemp("site"), address(sock))
    with running(demo.app, sock) as base_url:
        assert base_url == demo.base_url
        yield demo
    demo.backend.close()
    demo.catalogue.close()


@pytest.fixture(scope="session")
def client(site: Site) -> TestClient:
    """An in-process client for the same app (faster than HTTP for many small requests)."""
    from fastapi.testclient import TestClient

    return TestClient(site.app, base_url=site.base_url)
