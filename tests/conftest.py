"""Shared fixtures: the standards files beside the repo, and a catalogue on each store.

Tests that need PostgreSQL use the server on 127.0.0.1:5432; they skip with a reason
where it is absent, except in CI (CI=true), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from insyn.catalogue.store import Catalogue
from tests.support.http import LocalServer, local_server

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "INSYN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing in CI, where ../shared/data must be present")
        pytest.skip(f"{path} is absent (../shared/data is not beside this clone)")
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared_file("")


def _postgres_server_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _postgres_server_or_skip()
    import psycopg

    name = f"insyn_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def catalogue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty catalogue database on each store Insyn supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'insyn.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def catalogue(catalogue_url: str) -> Iterator[Catalogue]:
    store = Catalogue(catalogue_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def sqlite_catalogue(tmp_path: Path) -> Iterator[Catalogue]:
    store = Catalogue(f"sqlite:///{tmp_path / 'insyn.sqlite3'}")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 with programmable routes."""
    with local_server() as server:
        yield server
