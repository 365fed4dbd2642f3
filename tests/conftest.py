"""Shared fixtures: the standards files beside the repo, and a catalogue on each store.

A test that needs something this machine may lack (``../shared/data``, PostgreSQL, MariaDB,
Chromium, pycsw, poppler) calls ``require`` or ``skip_or_fail``: it skips with the reason
on a developer's machine and fails under CI=true, where everything must be present. These
two are the only place tests skip (tests/test_test_hygiene.py checks that); the one
exception is the real Elasticsearch cluster suite, which needs ``ELASTICSEARCH_URL``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from insyn.catalogue.store import Catalogue
from tests.support.http import LocalServer, local_server

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI") == "true"
POSTGRES_ADMIN_URL = os.environ.get(
    "INSYN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test for ``reason`` (something it needs is absent); fail under CI=true."""
    if IN_CI:
        pytest.fail(f"{reason} — CI=true needs it, so this fails instead of skipping")
    pytest.skip(reason)


def require(condition: object, reason: str) -> None:
    """Go on when ``condition`` holds; otherwise skip, or fail under CI=true."""
    if not condition:
        skip_or_fail(reason)


def shared_file(relative: str) -> Path:
    """A file of ../shared/data, or skip (fail in CI) with the reason when it is absent."""
    path = SHARED_DATA / relative
    require(path.exists(), f"{path} is absent (../shared/data is not beside this clone)")
    return path


@pytest.fixture(scope="session", autouse=True)
def private_sources_allowed() -> Iterator[None]:
    """The suite's servers listen on 127.0.0.1, which sources may reach only when allowed.

    Tests of that rule itself take the setting away again (``monkeypatch.delenv``).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSYN_ALLOW_PRIVATE_SOURCES", "ja")
        yield


@pytest.fixture
def shared_data() -> Path:
    return shared_file("")


def _postgres_server_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")


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
