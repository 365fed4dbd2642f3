"""Backup and restore: the same catalogue after a round trip (SQLite and PostgreSQL),
a consistent snapshot while a harvest writes, a refusal to restore over data, and a
refusal of any file that is not a whole Insyn backup of a known schema (nothing changed)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select

from insyn import connectors
from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry, HarvestRun
from insyn.catalogue.store import Catalogue, utcnow
from insyn.cli import main
from insyn.connectors.base import Cursor, Done, Item, Yielded
from insyn.harvester.backup import BackupError, backup, restore
from insyn.harvester.engine import harvest_source
from insyn.harvester.scheduler import wait_for
from insyn.vocab.model import Dataset
from tests.conftest import require
from tests.support.catalogues import write_catalogue


def state(catalogue: Catalogue) -> dict[str, Any]:
    """What must survive a round trip: records with hashes, runs, the change log."""
    with catalogue.session() as session:
        return {
            "records": [
                (r.id, r.source_key, r.content_hash, r.deleted_at is None, r.is_public)
                for r in session.scalars(select(CatalogueRecord).order_by(CatalogueRecord.id))
            ],
            "runs": [
                (r.id, r.status, r.added, r.updated, r.deleted, r.started_at.replace(tzinfo=None))
                for r in session.scalars(select(HarvestRun).order_by(HarvestRun.id))
            ],
            "changes": [
                (c.seq, c.record_id, c.operation, c.run_id)
                for c in session.scalars(select(ChangeLogEntry).order_by(ChangeLogEntry.seq))
            ],
        }


def fill(catalogue: Catalogue, tmp_path: Path) -> None:
    source_file = write_catalogue(tmp_path / "k.ttl", range(1, 11))
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    write_catalogue(source_file, range(1, 10), d3="Bygglov i centrum")
    assert harvest_source(catalogue, "bn").deleted == 1


def test_sqlite_round_trip_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    fill(catalogue, tmp_path)
    before = state(catalogue)
    catalogue.close()

    copy = tmp_path / "kopia.sqlite3"
    result = runner.invoke(main, ["--home", str(home), "backup", str(copy)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, ["--home", str(home), "backup", str(copy)])
    assert again.exit_code == 1 and "finns redan" in again.output

    refused = runner.invoke(main, ["--home", str(home), "restore", str(copy)])
    assert refused.exit_code == 1 and "inte tom" in refused.output

    new_home = tmp_path / "ny"
    restored = runner.invoke(main, ["--home", str(new_home), "restore", str(copy)])
    assert restored.exit_code == 0, restored.output
    assert "ombyggt: 9 poster" in restored.output
    back = Catalogue(f"sqlite:///{new_home / 'insyn.sqlite3'}")
    assert state(back) == before
    search = runner.invoke(main, ["--home", str(new_home), "search", "centrum", "--json"])
    assert '"total": 1' in search.output
    back.close()


# A connector that yields slowly, so a backup can be taken while the run writes.
KIND = "slowly"


@dataclass
class Config:
    count: int

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        return cls(count=int(options["count"]))


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    for number in range(config.count):
        time.sleep(0.002)
        yield Item(f"k{number}", Dataset(uri=f"https://x.se/{number}", title={"sv": f"D {number}"}))
    yield Done(Cursor())


@pytest.fixture
def slowly() -> Iterator[None]:
    connectors.BUILTIN[KIND] = __name__
    yield
    del connectors.BUILTIN[KIND]


def test_backup_during_a_harvest_is_consistent(
    sqlite_catalogue: Catalogue, tmp_path: Path, slowly: None
) -> None:
    catalogue = sqlite_catalogue
    fill(catalogue, tmp_path)
    before = state(catalogue)
    catalogue.add_source("lång", KIND, None, {"count": "2500"})  # flushes at 2000, commits at end
    worker = threading.Thread(target=harvest_source, args=(catalogue, "lång"))
    worker.start()
    assert wait_for(lambda: any(r.status == "running" for r in catalogue.runs()), 5)
    time.sleep(1.0)  # into the run; the first batch of 2000 is flushed but not committed
    copy = backup(catalogue.url, tmp_path / "under-skordning.sqlite3")
    worker.join()
    assert catalogue.runs(limit=1)[0].status == "completed"

    home = tmp_path / "ny"
    url = restore(copy.path, home).url
    back = Catalogue(url)
    restored = state(back)
    # The snapshot has everything committed before it and nothing of the open run.
    assert restored["records"] == before["records"]
    assert restored["changes"] == before["changes"]
    assert [run[:2] for run in restored["runs"]] == [
        *[run[:2] for run in before["runs"]],
        (3, "interrupted"),
    ]
    back.close()


def _pg_tools_or_skip() -> None:
    require(
        shutil.which("pg_dump") and shutil.which("pg_restore"),
        "pg_dump/pg_restore are not installed (apt-get install postgresql-client)",
    )


@pytest.fixture
def second_postgres_url(postgres_url: str) -> Iterator[str]:
    import psycopg

    from tests.conftest import POSTGRES_ADMIN_URL

    name = postgres_url.rsplit("/", 1)[1] + "_r"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip(postgres_url: str, second_postgres_url: str, tmp_path: Path) -> None:
    _pg_tools_or_skip()
    catalogue = Catalogue(postgres_url)
    fill(catalogue, tmp_path)
    before = state(catalogue)
    copy = backup(postgres_url, tmp_path / "insyn.pgdump")
    assert copy.kind == "postgresql" and copy.path.read_bytes()[:5] == b"PGDMP"
    url = restore(copy.path, tmp_path / "b", second_postgres_url).url
    back = Catalogue(url)
    assert state(back) == before
    # The restored sequences go on from where they were: a new harvest appends.
    write_catalogue(tmp_path / "k.ttl", range(1, 12))
    assert harvest_source(back, "bn").status == "completed"
    assert back.last_change_seq() > before["changes"][-1][0]
    back.close()
    catalogue.close()


# --- restore checks the file first and swaps in only a whole catalogue -----------------------


def _unrelated_sqlite(path: Path) -> Path:
    import sqlite3

    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE kunder (id INTEGER PRIMARY KEY, namn TEXT)")
        connection.executemany("INSERT INTO kunder (namn) VALUES (?)", [("a",), ("b",)] * 500)
    connection.close()
    return path


def _truncated(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def test_restore_refuses_what_is_not_a_whole_insyn_backup(tmp_path: Path) -> None:
    import sqlite3

    home = tmp_path / "home"
    runner = CliRunner()
    assert runner.invoke(main, ["--home", str(home), "init"]).exit_code == 0
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    fill(catalogue, tmp_path)
    before = state(catalogue)
    catalogue.close()
    good = tmp_path / "kopia.sqlite3"
    assert runner.invoke(main, ["--home", str(home), "backup", str(good)]).exit_code == 0
    future = tmp_path / "framtid.sqlite3"
    future.write_bytes(good.read_bytes())
    with sqlite3.connect(future) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'framtid_0001'")
    connection.close()
    cases = {
        _unrelated_sqlite(tmp_path / "annat.sqlite3"): "ingen säkerhetskopia av en Insyn-katalog",
        _truncated(good, tmp_path / "halv.sqlite3"): "skadad eller ofullständig",
        future: "inte känner till",
    }
    for file, expected in cases.items():
        # Into a new directory: nothing is left behind …
        new_home = tmp_path / f"ny-{file.stem}"
        result = runner.invoke(main, ["--home", str(new_home), "restore", str(file)])
        assert result.exit_code == 1, (file, result.output)
        assert expected in result.output and "inget är ändrat" in result.output
        assert not new_home.exists() or not any(new_home.iterdir())
        with pytest.raises(BackupError, match=expected):
            restore(file, tmp_path / "ny-api")
        assert not (tmp_path / "ny-api" / "insyn.sqlite3").exists()
        # … and over an existing catalogue, it is untouched.
        result = runner.invoke(main, ["--home", str(home), "restore", str(file)])
        assert result.exit_code == 1 and expected in result.output
        assert sorted(p.name for p in home.iterdir() if p.suffix == ".sqlite3") == ["insyn.sqlite3"]
        again = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
        assert state(again) == before
        again.close()


def test_a_sqlite_restore_is_renamed_into_place_only_when_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insyn.harvester import backup as module

    catalogue = Catalogue(f"sqlite:///{tmp_path / 'kalla.sqlite3'}")
    fill(catalogue, tmp_path)
    copy = backup(catalogue.url, tmp_path / "kopia.sqlite3")
    catalogue.close()

    def fails(url: str) -> None:
        assert url.endswith(".aterstalls")  # settled in the staged file, not the target
        raise RuntimeError("strömavbrott")

    monkeypatch.setattr(module, "_settle", fails)
    home = tmp_path / "ny"
    with pytest.raises(RuntimeError):
        restore(copy.path, home)
    assert not home.exists()  # no partial target, no staged file
    monkeypatch.undo()
    url = restore(copy.path, home).url
    assert sorted(p.name for p in home.iterdir()) == ["insyn.sqlite3"]
    Catalogue(url).close()


def test_postgresql_restore_refuses_a_bad_dump_and_leaves_the_database_empty(
    postgres_url: str, second_postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    _pg_tools_or_skip()
    catalogue = Catalogue(postgres_url)
    fill(catalogue, tmp_path)
    good = backup(postgres_url, tmp_path / "insyn.pgdump").path
    catalogue.close()
    # A dump of some other database: a table that is not Insyn's.
    with psycopg.connect(second_postgres_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE kunder (id serial PRIMARY KEY, namn text)")
    other = backup(second_postgres_url, tmp_path / "annat.pgdump").path
    with psycopg.connect(second_postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE kunder")
    cases = {
        other: "ingen säkerhetskopia av en Insyn-katalog",
        _truncated(good, tmp_path / "halv.pgdump"): "skadad eller ofullständig",
    }
    runner = CliRunner()
    for file, expected in cases.items():
        with pytest.raises(BackupError, match=expected):
            restore(file, tmp_path / "a", second_postgres_url)
        result = runner.invoke(
            main,
            ["--home", str(tmp_path / "b"), "--database-url", second_postgres_url,
             "restore", str(file)],
        )  # fmt: skip
        assert result.exit_code == 1 and expected in result.output, result.output
        engine = create_engine(  # no Catalogue: it would migrate; look at the bare database
            "postgresql+psycopg://" + second_postgres_url.removeprefix("postgresql://")
        )
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    # A database that holds something else than an Insyn catalogue is never replaced.
    with psycopg.connect(second_postgres_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE kunder (id serial PRIMARY KEY, namn text)")
    with pytest.raises(BackupError, match="ingen Insyn-katalog"):
        restore(good, tmp_path / "c", second_postgres_url)
    engine = create_engine(
        "postgresql+psycopg://" + second_postgres_url.removeprefix("postgresql://")
    )
    assert inspect(engine).get_table_names() == ["kunder"]
    engine.dispose()


def _schemas_and_databases(url: str) -> tuple[set[str], set[str]]:
    import psycopg

    with psycopg.connect(url) as connection:
        schemas = {row[0] for row in connection.execute("SELECT nspname FROM pg_namespace")}
        databases = {row[0] for row in connection.execute("SELECT datname FROM pg_database")}
    return {s for s in schemas if s.startswith("insyn_")}, {
        d for d in databases if "_aterstalls_" in d
    }


def test_postgresql_restore_over_a_live_catalogue_swaps_in_only_a_whole_one(
    postgres_url: str, second_postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    _pg_tools_or_skip()
    live = Catalogue(postgres_url)  # as the web holds it: open across the restore
    fill(live, tmp_path)
    before = state(live)
    good = backup(postgres_url, tmp_path / "insyn.pgdump").path
    write_catalogue(tmp_path / "k.ttl", range(1, 15), d2="Ändrad efter kopian")
    assert harvest_source(live, "bn").status == "completed"
    after = state(live)
    assert after != before
    with psycopg.connect(second_postgres_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE kunder (id serial PRIMARY KEY, namn text)")
        connection.execute("CREATE TABLE alembic_version (version_num text)")
    foreign = backup(second_postgres_url, tmp_path / "annat.pgdump").path
    cases = {
        _truncated(good, tmp_path / "halv.pgdump"): "skadad eller ofullständig",
        foreign: "ingen säkerhetskopia av en Insyn-katalog",
    }
    for file, expected in cases.items():
        with pytest.raises(BackupError, match=expected):
            restore(file, tmp_path / "hem", postgres_url)
        assert state(live) == after  # the live catalogue is untouched
        assert _schemas_and_databases(postgres_url) == (set(), set())
    # A failure after the restored copy is in place, before the swap: still untouched.
    with live.session() as session:
        running = HarvestRun(source_id=live.get_source("bn").id, status="running")
        running.started_at = utcnow()
        session.add(running)
        session.commit()
    with pytest.raises(BackupError, match="pågår"):
        restore(good, tmp_path / "hem", postgres_url)
    assert _schemas_and_databases(postgres_url) == (set(), set())
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DELETE FROM harvest_runs WHERE status = 'running'")
    assert state(live) == after

    # A whole backup: swapped in, through the command, over the catalogue in use.
    home = tmp_path / "hem"
    result = CliRunner().invoke(
        main,
        ["--home", str(home), "--database-url", postgres_url, "restore", str(good), "--no-index"],
    )
    assert result.exit_code == 0, result.output
    schemas, scratch = _schemas_and_databases(postgres_url)
    assert scratch == set() and len(schemas) == 1
    previous = schemas.pop()
    assert previous.startswith("insyn_fore_") and previous in result.output
    assert state(live) == before  # the open connections read the restored catalogue
    with psycopg.connect(postgres_url) as connection:  # the replaced one is kept aside
        kept = connection.execute(f"SELECT count(*) FROM {previous}.records").fetchone()
    assert kept == (len(after["records"]),)
    # The restored sequences go on from where they were: a new harvest appends.
    assert harvest_source(live, "bn").status == "completed"
    assert live.last_change_seq() > before["changes"][-1][0]
    live.close()
