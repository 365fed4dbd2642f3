"""The SQL connector against real PostgreSQL, MariaDB and SQLite databases.

Every test harvests through the engine (``harvest_source``) with the connection URL in
an environment variable, as in production. PostgreSQL and MariaDB tests skip where the
server is absent, except in CI (CI=true), where they fail instead.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from insyn.catalogue.models import CatalogueRecord, Source
from insyn.catalogue.store import Catalogue
from insyn.connectors import sql
from insyn.connectors.base import Cursor, Item
from insyn.errors import ConfigError
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import Record, from_dict
from tests.conftest import skip_or_fail

ENV = "INSYN_TEST_SQL_URL"
MARIADB_ADMIN = {
    "host": os.environ.get("INSYN_TEST_MARIADB_HOST", "127.0.0.1"),
    "port": int(os.environ.get("INSYN_TEST_MARIADB_PORT", "3306")),
    "user": os.environ.get("INSYN_TEST_MARIADB_USER", "root"),
    "password": os.environ.get("INSYN_TEST_MARIADB_PASSWORD", ""),
}


def personnummer(birth: str, serial: str) -> str:
    """A valid personnummer YYYYMMDD-NNNC for a birth date and a three-digit serial."""
    digits = birth[2:] + serial
    total = 0
    for position, char in enumerate(digits):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{birth}-{serial}{(10 - total % 10) % 10}"


PEOPLE = [
    (personnummer("19811228", "987"), "Anna", "Berg", "anna.berg@exempel.se"),
    (personnummer("19750301", "123"), "Erik", "Lund", "erik.lund@exempel.se"),
    (personnummer("20010615", "456"), "Sara", "Ek", "sara.ek@exempel.se"),
    (personnummer("19630910", "789"), "Olof", "Strand", "olof@exempel.se"),
    # a samordningsnummer: day of birth + 60
    (personnummer("19900171", "234"), "Maja", "Holm", "maja.holm@exempel.se"),
]
SAMPLED_VALUES = [p[0] for p in PEOPLE]

# The same schema in each dialect: {serial} {text} {comment_*} differ.
TABLES = [
    """CREATE TABLE sokande (
        id {serial},
        personnummer VARCHAR(13) NOT NULL {comment_pnr},
        fornamn VARCHAR(100),
        efternamn VARCHAR(100),
        epost VARCHAR(200),
        kod VARCHAR(20),
        anteckning {text}
    ) {comment_table}""",
    "CREATE TABLE skolor (id INTEGER PRIMARY KEY, namn VARCHAR(100), adress VARCHAR(200))",
    """CREATE TABLE bilagor (
        id INTEGER PRIMARY KEY,
        sokande_id INTEGER REFERENCES sokande(id),
        filnamn VARCHAR(200)
    )""",
    "CREATE TABLE tmp_import (x INTEGER)",
    "CREATE VIEW aktiva_sokande AS SELECT id, fornamn FROM sokande",
]
ROWS = [
    *(
        f"INSERT INTO sokande (personnummer, fornamn, efternamn, epost, kod, anteckning) "
        f"VALUES ('{p}', '{f}', '{e}', '{m}', '{p}', 'ärende {n}')"
        for n, (p, f, e, m) in enumerate(PEOPLE)
    ),
    "INSERT INTO skolor VALUES (1, 'Norrskolan', 'Skolvägen 1'), (2, 'Söderskolan', 'Ån 2'), "
    "(3, 'Västerskolan', 'Berget 3')",
    "INSERT INTO bilagor VALUES (1, 1, 'ritning.pdf'), (2, 2, 'intyg.pdf')",
]
COLUMN_LINE = "personnummer: varchar(13), not null — Personnummer för sökande"


def create_tables(execute: Callable[[str], Any], dialect: str) -> None:
    words = {
        "postgresql": {
            "serial": "SERIAL PRIMARY KEY",
            "text": "TEXT",
            "comment_pnr": "",
            "comment_table": "",
        },
        "mariadb": {
            "serial": "INTEGER AUTO_INCREMENT PRIMARY KEY",
            "text": "TEXT",
            "comment_pnr": "COMMENT 'Personnummer för sökande'",
            "comment_table": "COMMENT = 'Sökande i bygglovsärenden'",
        },
        "sqlite": {
            "serial": "INTEGER PRIMARY KEY",
            "text": "TEXT",
            "comment_pnr": "",
            "comment_table": "",
        },
    }[dialect]
    for statement in TABLES:
        execute(statement.format(**words))
    if dialect == "postgresql":
        execute("COMMENT ON TABLE sokande IS 'Sökande i bygglovsärenden'")
        execute("COMMENT ON COLUMN sokande.personnummer IS 'Personnummer för sökande'")
        execute("COMMENT ON VIEW aktiva_sokande IS 'Sökande med öppna ärenden'")
        execute("CREATE SCHEMA bygg")
        execute("CREATE TABLE bygg.arenden (diarienummer TEXT PRIMARY KEY, rubrik TEXT)")
        execute("COMMENT ON TABLE bygg.arenden IS 'Bygglovsärenden'")
        execute("CREATE TABLE bygg.logg (id INTEGER, dag DATE) PARTITION BY RANGE (dag)")
        for year in (2024, 2025):
            execute(
                f"CREATE TABLE bygg.logg_{year} PARTITION OF bygg.logg "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
        execute(
            "INSERT INTO bygg.logg VALUES (1, '2024-03-01'), (2, '2024-05-01'), (3, '2025-01-02')"
        )
    for statement in ROWS:
        execute(statement)


# --- helpers -----------------------------------------------------------------------------


def stored(catalogue: Catalogue) -> dict[str, Record]:
    """Every live record of the catalogue by source key."""
    with catalogue.session() as session:
        rows = session.execute(
            select(CatalogueRecord.source_key, CatalogueRecord.data).where(
                CatalogueRecord.deleted_at.is_(None)
            )
        )
        return {key: from_dict(data) for key, data in rows}


def catalogue_dump(catalogue: Catalogue) -> str:
    """Every row of every table of the catalogue database, as text."""
    parts = []
    with catalogue.engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


def add_source(catalogue: Catalogue, name: str, **options: str) -> None:
    catalogue.add_source(name, "sql", None, {"url_env": ENV, **options})


def interrupt_after_first_item(monkeypatch: pytest.MonkeyPatch, cut: Callable[[], None]) -> None:
    """Make the real connector run ``cut`` once its first table has been yielded."""
    original = sql.harvest

    def harvest(config: sql.Config, cursor: Cursor) -> Iterator[Any]:
        done = False
        for yielded in original(config, cursor):
            yield yielded
            if isinstance(yielded, Item) and not done:
                done = True
                cut()

    monkeypatch.setattr(sql, "harvest", harvest)


def set_options(catalogue: Catalogue, name: str, **options: str) -> None:
    """Change a stored source's options (as an operator would between runs)."""
    with catalogue.session() as session:
        source = session.scalars(select(Source).where(Source.name == name)).one()
        source.options = {**(source.options or {}), **options}
        session.commit()


def assert_slow_view_fails_alone(catalogue: Catalogue, name: str, slow_key: str) -> None:
    """A view whose query outlasts ``timeout``: the database stops the statement, that
    table fails on its own with a Swedish reason naming the limit, the run goes on."""
    summary = harvest_source(catalogue, name)
    assert summary.status == "completed", summary.error
    assert summary.failed == 1
    errors = [e for e in catalogue.record_errors(summary.run_id) if e.severity == "error"]
    assert [e.record_key for e in errors] == [slow_key]
    assert "timeout" in errors[0].reason and "1 sekunder" in errors[0].reason
    assert len(stored(catalogue)) >= 4  # every other table was read


def assert_run_limit_fails_cleanly(catalogue: Catalogue, name: str, slow_key: str) -> None:
    """A run that reaches a slow view with little of ``max_run_seconds`` left: the
    statement is stopped at the run's end, the run fails naming the limit and the table,
    and what the catalogue held is untouched (nothing updated, nothing tombstoned)."""
    before = stored(catalogue)
    summary = harvest_source(catalogue, name)
    assert summary.status == "failed"
    assert "max_run_seconds" in summary.error and "2 sekunder" in summary.error
    assert slow_key in summary.error
    assert stored(catalogue) == before
    assert catalogue.incidents()[0].kind == "run_failed"


def assert_full_harvest(records: dict[str, Record], schema: str, *, comments: bool) -> None:
    """What every dialect must give for the shared schema (sampling on)."""
    key = f"{schema}.sokande"
    assert {f"{schema}.{n}" for n in ("sokande", "skolor", "bilagor", "aktiva_sokande")} <= set(
        records
    )
    assert f"{schema}.tmp_import" not in records  # exclude=tmp_*
    sokande = records[key]
    assert sokande.title == {"sv": "sokande"}
    columns = sokande.extras["kolumner"]
    assert [line.split(":")[0] for line in columns] == [
        "id",
        "personnummer",
        "fornamn",
        "efternamn",
        "epost",
        "kod",
        "anteckning",
    ]
    if comments:
        assert sokande.description == {"sv": "Sökande i bygglovsärenden"}
        assert COLUMN_LINE in columns
    else:
        assert "personnummer: varchar(13), not null" in columns
    assert sokande.extras["primärnyckel"] == ["id"]
    assert sokande.extras["tabelltyp"] == ["tabell"]
    assert sokande.extras["antal rader (uppskattat)"] == ["5"]
    governance = sokande.governance
    assert governance.contains_personal_data is True
    assert governance.personal_data_categories == ["personnummer", "namn", "kontaktuppgifter"]
    assert "kod: personnummer (stickprov)" in sokande.extras["personuppgifter"]
    assert "personnummer: personnummer (kolumnnamn, stickprov)" in sokande.extras["personuppgifter"]

    bilagor = records[f"{schema}.bilagor"]
    assert bilagor.extras["främmande nycklar"] == [f"sokande_id → {schema}.sokande(id)"]
    assert bilagor.extras["antal rader (uppskattat)"] == ["2"]
    assert bilagor.governance.contains_personal_data is None  # "filnamn" is no person's name

    skolor = records[f"{schema}.skolor"]
    assert skolor.governance.contains_personal_data is None  # a school's name and address
    assert skolor.extras["antal rader (uppskattat)"] == ["3"]

    view = records[f"{schema}.aktiva_sokande"]
    assert view.extras["tabelltyp"] == ["vy"]
    assert view.governance.personal_data_categories == ["namn"]
    assert "antal rader (uppskattat)" not in view.extras


def assert_secrets_not_stored(catalogue: Catalogue, *secrets: str) -> None:
    dump = catalogue_dump(catalogue)
    for secret in secrets:
        assert secret not in dump
    for value in SAMPLED_VALUES:  # sampled values are never kept
        assert value not in dump
        assert value.replace("-", "") not in dump


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def postgres_source(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        create_tables(connection.execute, "postgresql")
        connection.execute("ANALYZE")
    monkeypatch.setenv(ENV, postgres_url)
    return postgres_url


@pytest.mark.postgres
def test_postgres_tables_views_columns_and_personal_data(
    sqlite_catalogue: Catalogue, postgres_source: str
) -> None:
    add_source(sqlite_catalogue, "pg", exclude="tmp_*", sample="true")
    summary = harvest_source(sqlite_catalogue, "pg")
    assert summary.status == "completed", summary.error
    records = stored(sqlite_catalogue)
    assert_full_harvest(records, "public", comments=True)
    assert records["public.aktiva_sokande"].description == {"sv": "Sökande med öppna ärenden"}
    arenden = records["bygg.arenden"]
    assert arenden.title == {"sv": "arenden (bygg)"}
    assert arenden.description == {"sv": "Bygglovsärenden"}
    # A partitioned table is one dataset, with its partitions' rows; they are none of their own.
    assert records["bygg.logg"].extras["antal rader (uppskattat)"] == ["3"]
    assert not {"bygg.logg_2024", "bygg.logg_2025"} & set(records)
    source = sqlite_catalogue.get_source("pg")
    assert source.url is None and source.options == {
        "url_env": ENV,
        "exclude": "tmp_*",
        "sample": "true",
    }
    assert_secrets_not_stored(sqlite_catalogue, postgres_source, "postgresql://")
    # A second run reads the same database: nothing changed.
    again = harvest_source(sqlite_catalogue, "pg")
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(records))


@pytest.mark.postgres
def test_postgres_name_only_without_sampling_and_schemas_option(
    sqlite_catalogue: Catalogue, postgres_source: str
) -> None:
    add_source(sqlite_catalogue, "pg", schemas="public", include="sok*,bilagor")
    assert harvest_source(sqlite_catalogue, "pg").status == "completed"
    records = stored(sqlite_catalogue)
    assert set(records) == {"public.sokande", "public.bilagor"}
    sokande = records["public.sokande"]
    # Without sampling "kod" looks like any code; the names still tell.
    assert sokande.governance.personal_data_categories == [
        "personnummer",
        "namn",
        "kontaktuppgifter",
    ]
    assert not any(line.startswith("kod:") for line in sokande.extras["personuppgifter"])


@pytest.mark.postgres
def test_postgres_connection_killed_mid_run_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, postgres_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    add_source(sqlite_catalogue, "pg", schemas="public", sample="true")
    assert harvest_source(sqlite_catalogue, "pg").added == 5
    before = stored(sqlite_catalogue)
    database = postgres_source.rsplit("/", 1)[1]
    with psycopg.connect(postgres_source, autocommit=True) as connection:
        connection.execute("COMMENT ON TABLE sokande IS 'Ändrad kommentar'")

    def kill() -> None:
        with psycopg.connect(postgres_source, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'insyn-sql' AND datname = %s",
                (database,),
            ).fetchall()
        assert killed == [(True,)]

    interrupt_after_first_item(monkeypatch, kill)
    summary = harvest_source(sqlite_catalogue, "pg")
    assert summary.status == "failed"
    assert "källa pg" in summary.error and database in summary.error
    assert "public.bilagor" in summary.error  # the table it was reading when the line went
    assert stored(sqlite_catalogue) == before
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"


@pytest.mark.postgres
def test_postgres_database_gone_fails_cleanly(
    sqlite_catalogue: Catalogue, postgres_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_source(sqlite_catalogue, "pg", sample="true")
    assert harvest_source(sqlite_catalogue, "pg").status == "completed"
    before = stored(sqlite_catalogue)
    monkeypatch.setenv(ENV, postgres_source + "_finns_inte")
    summary = harvest_source(sqlite_catalogue, "pg")
    assert summary.status == "failed"
    assert "Kunde inte ansluta" in summary.error and "_finns_inte" in summary.error
    assert stored(sqlite_catalogue) == before


@pytest.mark.postgres
def test_postgres_statement_timeout_fails_the_slow_view_only(
    sqlite_catalogue: Catalogue, postgres_source: str
) -> None:
    import psycopg

    with psycopg.connect(postgres_source, autocommit=True) as connection:
        connection.execute("CREATE VIEW langsam AS SELECT pg_sleep(30)::text AS anteckning")
    add_source(sqlite_catalogue, "pg", schemas="public", sample="true", timeout="1")
    assert_slow_view_fails_alone(sqlite_catalogue, "pg", "public.langsam")


@pytest.mark.postgres
def test_postgres_run_past_max_run_seconds_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, postgres_source: str
) -> None:
    import psycopg

    add_source(sqlite_catalogue, "pg", schemas="public", sample="true")
    assert harvest_source(sqlite_catalogue, "pg").added == 5
    with psycopg.connect(postgres_source, autocommit=True) as connection:
        connection.execute("COMMENT ON TABLE sokande IS 'Ändrad kommentar'")
        connection.execute("CREATE VIEW aaa_langsam AS SELECT pg_sleep(30)::text AS anteckning")
    set_options(sqlite_catalogue, "pg", max_run_seconds="2")
    assert_run_limit_fails_cleanly(sqlite_catalogue, "pg", "public.aaa_langsam")


# --- MariaDB -----------------------------------------------------------------------------


def _mariadb_server_or_skip() -> Any:
    try:
        import pymysql
    except ImportError as exc:
        skip_or_fail(f"pymysql is not installed: {exc}")
    try:
        pymysql.connect(connect_timeout=3, **MARIADB_ADMIN).close()
    except pymysql.MySQLError as exc:
        skip_or_fail(f"MariaDB is not reachable at {MARIADB_ADMIN['host']}: {exc}")
    return pymysql


def _mariadb_admin(database: str | None = None) -> Any:
    import pymysql

    return pymysql.connect(database=database, autocommit=True, **MARIADB_ADMIN)


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh MariaDB database for one test, dropped afterwards."""
    _mariadb_server_or_skip()
    name = f"insyn_test_{uuid.uuid4().hex[:12]}"
    with _mariadb_admin() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    admin = MARIADB_ADMIN
    credentials = admin["user"] + (f":{admin['password']}" if admin["password"] else "")
    try:
        yield f"mariadb+pymysql://{credentials}@{admin['host']}:{admin['port']}/{name}"
    finally:
        with _mariadb_admin() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@pytest.fixture
def mariadb_source(mariadb_url: str) -> Iterator[tuple[str, str]]:
    """The shared schema in a MariaDB database, and a reader account with a password.

    Yields (database name, the reader's URL).
    """
    database = mariadb_url.rsplit("/", 1)[1]
    with _mariadb_admin(database) as connection, connection.cursor() as cursor:
        create_tables(cursor.execute, "mariadb")
        cursor.execute("ANALYZE TABLE sokande, skolor, bilagor, tmp_import")
        user, password = f"l{uuid.uuid4().hex[:10]}", f"Hemligt-{uuid.uuid4().hex[:16]}"
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
        cursor.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.* TO '{user}'@'%'")
    admin = MARIADB_ADMIN
    try:
        yield database, f"mariadb://{user}:{password}@{admin['host']}:{admin['port']}/{database}"
    finally:
        with _mariadb_admin() as connection, connection.cursor() as cursor:
            cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")


def test_mariadb_tables_views_columns_and_personal_data(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", exclude="tmp_*", sample="true")
    summary = harvest_source(sqlite_catalogue, "maria")
    assert summary.status == "completed", summary.error
    records = stored(sqlite_catalogue)
    assert set(records) == {
        f"{database}.{n}" for n in ("sokande", "skolor", "bilagor", "aktiva_sokande")
    }
    assert_full_harvest(records, database, comments=True)
    password = url.split(":")[2].split("@")[0]
    assert_secrets_not_stored(sqlite_catalogue, url, password, "mariadb://")


def test_mariadb_wrong_password_fails_without_showing_it(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", sample="true")
    assert harvest_source(sqlite_catalogue, "maria").status == "completed"
    before = stored(sqlite_catalogue)
    wrong = url.replace("Hemligt-", "Fel-")
    monkeypatch.setenv(ENV, wrong)
    summary = harvest_source(sqlite_catalogue, "maria")
    assert summary.status == "failed"
    # Ours: the message and the database; the server's own words for the refusal are not.
    assert "Kunde inte ansluta" in summary.error and database in summary.error
    for secret in (url.split(":")[2].split("@")[0], wrong.split(":")[2].split("@")[0]):
        assert secret not in summary.error
        assert secret not in catalogue_dump(sqlite_catalogue)
    assert stored(sqlite_catalogue) == before


def test_mariadb_connection_killed_mid_run_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", sample="true")
    assert harvest_source(sqlite_catalogue, "maria").added == 5
    before = stored(sqlite_catalogue)
    reader = url.split("//")[1].split(":")[0]

    def kill() -> None:
        with _mariadb_admin() as admin, admin.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE user = %s", (reader,)
            )
            ids = [row[0] for row in cursor.fetchall()]
            assert ids
            for connection_id in ids:
                cursor.execute(f"KILL {int(connection_id)}")

    interrupt_after_first_item(monkeypatch, kill)
    summary = harvest_source(sqlite_catalogue, "maria")
    assert summary.status == "failed"
    assert "bröts" in summary.error and f"{database}.bilagor" in summary.error
    assert stored(sqlite_catalogue) == before


def test_mariadb_permission_revoked_keeps_the_stored_table(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", sample="true")
    assert harvest_source(sqlite_catalogue, "maria").added == 5
    before = stored(sqlite_catalogue)
    reader = url.split("//")[1].split(":")[0]
    with _mariadb_admin() as admin, admin.cursor() as cursor:
        # From database-wide SELECT to every table but one: sokande can no longer be sampled.
        cursor.execute(f"REVOKE SELECT, SHOW VIEW ON `{database}`.* FROM '{reader}'@'%'")
        for name in ("skolor", "bilagor", "tmp_import", "aktiva_sokande"):
            cursor.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.`{name}` TO '{reader}'@'%'")
        cursor.execute(f"GRANT INSERT ON `{database}`.`sokande` TO '{reader}'@'%'")
    summary = harvest_source(sqlite_catalogue, "maria")
    assert summary.status == "completed"
    assert summary.failed == 1
    errors = sqlite_catalogue.record_errors(summary.run_id)
    assert [e.record_key for e in errors if e.severity == "error"] == [f"{database}.sokande"]
    # The table that could not be read keeps its last good description.
    assert stored(sqlite_catalogue)[f"{database}.sokande"] == before[f"{database}.sokande"]


def test_mariadb_statement_timeout_fails_the_slow_view_only(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    with _mariadb_admin(database) as admin, admin.cursor() as cursor:
        cursor.execute("CREATE VIEW langsam AS SELECT SLEEP(30) AS paus")
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", sample="true", timeout="1")
    assert_slow_view_fails_alone(sqlite_catalogue, "maria", f"{database}.langsam")


def test_mariadb_run_past_max_run_seconds_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, mariadb_source: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, url = mariadb_source
    monkeypatch.setenv(ENV, url)
    add_source(sqlite_catalogue, "maria", sample="true")
    assert harvest_source(sqlite_catalogue, "maria").added == 5
    with _mariadb_admin(database) as admin, admin.cursor() as cursor:
        cursor.execute("ALTER TABLE sokande COMMENT = 'Ändrad kommentar'")
        cursor.execute("CREATE VIEW aaa_langsam AS SELECT SLEEP(30) AS paus")
    set_options(sqlite_catalogue, "maria", max_run_seconds="2")
    assert_run_limit_fails_cleanly(sqlite_catalogue, "maria", f"{database}.aaa_langsam")


# --- SQLite ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ärenden.sqlite3"
    connection = sqlite3.connect(path)
    create_tables(connection.execute, "sqlite")
    connection.commit()
    connection.close()
    monkeypatch.setenv(ENV, f"sqlite:///{path}")
    return path


def test_sqlite_sampling_finds_personnummer_under_any_name(
    sqlite_catalogue: Catalogue, sqlite_source: Path
) -> None:
    add_source(sqlite_catalogue, "lite", exclude="tmp_*", sample="true")
    summary = harvest_source(sqlite_catalogue, "lite")
    assert summary.status == "completed", summary.error
    records = stored(sqlite_catalogue)
    assert_full_harvest(records, "main", comments=False)
    assert_secrets_not_stored(sqlite_catalogue, str(sqlite_source))
    assert sqlite_source.read_bytes()[:16] == b"SQLite format 3\x00"  # opened read-only


def test_sqlite_statement_timeout_interrupts_the_slow_view(
    sqlite_catalogue: Catalogue, sqlite_source: Path
) -> None:
    with sqlite3.connect(sqlite_source) as connection:
        connection.execute(
            "CREATE VIEW langsam AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
            "SELECT x + 1 FROM c WHERE x < 10000000000) SELECT max(x) AS antal FROM c"
        )
    add_source(sqlite_catalogue, "lite", sample="true", timeout="1", exclude="tmp_*")
    assert_slow_view_fails_alone(sqlite_catalogue, "lite", "main.langsam")


def test_sqlite_without_sampling_kod_is_not_found(
    sqlite_catalogue: Catalogue, sqlite_source: Path
) -> None:
    connection = sqlite3.connect(sqlite_source)
    connection.execute("CREATE TABLE register (id INTEGER PRIMARY KEY, kod TEXT)")
    connection.executemany("INSERT INTO register (kod) VALUES (?)", [(v,) for v in SAMPLED_VALUES])
    connection.commit()
    connection.close()
    add_source(sqlite_catalogue, "plain", include="register")
    add_source(sqlite_catalogue, "sampled", include="register", sample="true", sample_rows="3")
    assert harvest_source(sqlite_catalogue, "plain").status == "completed"
    assert harvest_source(sqlite_catalogue, "sampled").status == "completed"
    with sqlite_catalogue.session() as session:
        rows = session.execute(
            select(CatalogueRecord.source_id, CatalogueRecord.data).where(
                CatalogueRecord.source_key == "main.register"
            )
        ).all()
    by_source = {source_id: from_dict(data) for source_id, data in rows}
    plain = by_source[sqlite_catalogue.get_source("plain").id]
    sampled = by_source[sqlite_catalogue.get_source("sampled").id]
    assert plain.governance.contains_personal_data is None
    assert sampled.governance.contains_personal_data is True
    assert sampled.governance.personal_data_categories == ["personnummer"]


def test_sqlite_row_counts_are_bounded(sqlite_catalogue: Catalogue, sqlite_source: Path) -> None:
    connection = sqlite3.connect(sqlite_source)
    connection.execute("CREATE TABLE logg (id INTEGER PRIMARY KEY, text TEXT)")
    connection.executemany("INSERT INTO logg (text) VALUES (?)", [("x",)] * 1234)
    connection.commit()
    connection.close()
    add_source(sqlite_catalogue, "lite", include="logg,skolor", count_limit="1000")
    assert harvest_source(sqlite_catalogue, "lite").status == "completed"
    records = stored(sqlite_catalogue)
    assert records["main.logg"].extras["antal rader (uppskattat)"] == ["minst 1 000"]
    assert records["main.skolor"].extras["antal rader (uppskattat)"] == ["3"]


def test_sqlite_statistics_are_used_when_present(
    sqlite_catalogue: Catalogue, sqlite_source: Path
) -> None:
    connection = sqlite3.connect(sqlite_source)
    connection.execute("CREATE TABLE logg (id INTEGER PRIMARY KEY, text TEXT)")
    connection.execute("CREATE INDEX logg_text ON logg (text)")
    connection.executemany("INSERT INTO logg (text) VALUES (?)", [("x",)] * 12_345)
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()
    add_source(sqlite_catalogue, "lite", include="logg", count_limit="10")
    assert harvest_source(sqlite_catalogue, "lite").status == "completed"
    assert stored(sqlite_catalogue)["main.logg"].extras["antal rader (uppskattat)"] == ["ca 12 000"]


def test_sqlite_file_replaced_by_garbage_fails_and_keeps_everything(
    sqlite_catalogue: Catalogue, sqlite_source: Path
) -> None:
    add_source(sqlite_catalogue, "lite")
    assert harvest_source(sqlite_catalogue, "lite").status == "completed"
    before = stored(sqlite_catalogue)
    sqlite_source.write_bytes(b"inte en databas " * 100)
    summary = harvest_source(sqlite_catalogue, "lite")
    assert summary.status == "failed"
    assert "ärenden.sqlite3" in summary.error and "källa lite" in summary.error
    assert stored(sqlite_catalogue) == before


def test_missing_sqlite_file_is_a_clear_error(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, f"sqlite:///{tmp_path / 'saknas.sqlite3'}")
    add_source(sqlite_catalogue, "lite")
    summary = harvest_source(sqlite_catalogue, "lite")
    assert summary.status == "failed" and "saknas.sqlite3 finns inte" in summary.error
    assert not (tmp_path / "saknas.sqlite3").exists()  # not created by connecting


# --- configuration -----------------------------------------------------------------------


def test_unset_variable_fails_the_run_with_its_name(
    sqlite_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    add_source(sqlite_catalogue, "db")
    summary = harvest_source(sqlite_catalogue, "db")
    assert summary.status == "failed"
    assert f"Miljövariabeln {ENV} är inte satt" in summary.error


def test_a_url_is_refused_so_that_it_is_never_stored() -> None:
    with pytest.raises(ConfigError, match="url_env"):
        sql.Config.from_source("postgresql://u:hemligt@server/db", {"url_env": ENV})
    with pytest.raises(ConfigError, match="url_env"):
        sql.Config.from_source(None, {})
    with pytest.raises(ConfigError, match="miljövariabel"):
        sql.Config.from_source(None, {"url_env": "postgresql://u:p@h/d"})


def test_options_are_typed() -> None:
    config = sql.Config.from_source(
        None,
        {
            "url_env": ENV,
            "schemas": "a, b",
            "include": ["x*"],
            "exclude": "tmp_*,*_old",
            "sample": True,
            "sample_rows": "50",
        },
    )
    assert config.schemas == ["a", "b"] and config.include == ["x*"]
    assert config.exclude == ["tmp_*", "*_old"] and config.sample and config.sample_rows == 50
    assert config.wanted("a", "xyz") and not config.wanted("a", "y")
    assert not sql.Config.from_source(None, {"url_env": ENV, "exclude": "a.*"}).wanted("a", "t")
    with pytest.raises(ConfigError, match="sample"):
        sql.Config.from_source(None, {"url_env": ENV, "sample": "kanske"})


def test_an_unreadable_url_does_not_show_the_value(
    sqlite_catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "inte en adress med lösenordet hemligt123")
    add_source(sqlite_catalogue, "db")
    summary = harvest_source(sqlite_catalogue, "db")
    assert summary.status == "failed" and ENV in summary.error
    assert "hemligt123" not in summary.error
