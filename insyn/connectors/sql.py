"""SQL connector: the tables and views of a relational database, by schema introspection.

PostgreSQL, MariaDB/MySQL and SQLite (any database SQLAlchemy reflects works; row counts
are read for these three). Each table or view becomes a ``Dataset`` under the key
``schema.table``; the database becomes the catalogue (``CatalogInfo``).

The connection URL holds credentials, so it is never stored: the source names an
environment variable (``url_env=INSYN_DB_EKONOMI``) and the URL is read from it when a
run starts. The source's own ``url`` must stay empty. The connection is read-only where
the database lets us say so (PostgreSQL ``default_transaction_read_only``, MariaDB
``SET SESSION TRANSACTION READ ONLY``, SQLite ``mode=ro``).

Options: ``url_env`` (required), ``schemas=a,b`` (default: PostgreSQL every schema but
the system ones; MariaDB and SQLite the URL's database), ``include``/``exclude`` (globs on
``table`` or ``schema.table``), ``sample=true`` with ``sample_rows=N`` (look at the first
N rows for personnummer, e-mail addresses and phone numbers; the values are never kept
or logged), ``count_limit`` (SQLite counts rows up to this many), ``timeout`` (seconds,
connect and per statement), ``max_run_seconds`` (the whole run) and ``base_uri``
(records get ``base_uri/schema.table``).

Time limits. Every statement, introspection included, is bounded on the database's own
side by ``timeout``: PostgreSQL ``statement_timeout``, MariaDB ``max_statement_time``,
MySQL ``MAX_EXECUTION_TIME`` (SELECTs), SQLite a progress handler that interrupts the
statement. A table whose statement runs out of time (a view over a slow query) is a
``Failure``; the run goes on. The run as a whole ends after ``max_run_seconds``: each
table is started only before then, and a statement never gets longer than what is left,
so a run past it fails, naming the table and the limit, and nothing stored changes.

The mapping (columns, keys and row counts as readable ``extras`` lines, personal data) is
in ``insyn.vocab.profiles.sql_read``.

A table that cannot be read while the connection is fine (no SELECT right for sampling)
is a ``Failure``: its stored record stays as it was. A connection that breaks (server
gone, connection killed, wrong password) fails the whole run, naming the table.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    column,
    create_engine,
    event,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.reflection import Inspector, ObjectKind
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import NullType

from insyn import settings
from insyn.connectors.base import (
    DEFAULT_MAX_RUN_SECONDS,
    MAX_RUN_SECONDS,
    CatalogInfo,
    Cursor,
    Done,
    Failure,
    Item,
    RecordGuard,
    RunDeadline,
    Yielded,
)
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import personal_data
from insyn.vocab.profiles import sql_read
from insyn.vocab.profiles.sql_read import Table

KIND = "sql"

DEFAULT_SAMPLE_ROWS = 100
DEFAULT_COUNT_LIMIT = 1_000_000
DEFAULT_TIMEOUT = 60.0
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


OPTIONS = (
    Option("url_env", "str", None, "Miljövariabeln med anslutningsadressen (krävs)."),
    Option("schemas", "list", [], "Scheman att läsa (standard: alla)."),
    Option("include", "list", [], "Tabeller och vyer att läsa (globmönster)."),
    Option("exclude", "list", [], "Tabeller och vyer att hoppa över (globmönster)."),
    Option("sample", "bool", False, "Läs exempelrader för att hitta personuppgifter."),
    Option("sample_rows", "int", DEFAULT_SAMPLE_ROWS, "Exempelrader per tabell.", minimum=1),
    Option(
        "count_limit",
        "int",
        DEFAULT_COUNT_LIMIT,
        "Räkna rader exakt upp till så här många.",
        minimum=1,
    ),
    Option(
        "timeout",
        "float",
        DEFAULT_TIMEOUT,
        "Sekunder en anslutning eller fråga får ta (databasen avbryter frågan).",
        minimum=0.001,
    ),
    MAX_RUN_SECONDS,
    Option("base_uri", "str", None, "Början på datamängdernas URI:er."),
)
# What the databases call a statement stopped by its time limit: PostgreSQL's SQLSTATE
# query_canceled, MariaDB's ER_STATEMENT_TIMEOUT, MySQL's ER_QUERY_TIMEOUT.
_PG_CANCELED = "57014"
_MYSQL_TIMEOUTS = frozenset({1969, 3024})
_SQLITE_STEPS = 1000  # virtual-machine steps between two looks at the clock


@dataclass
class Config:
    """Where to find the connection URL and what to read; the URL itself is not kept here."""

    url_env: str
    schemas: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    sample: bool = False
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    count_limit: int = DEFAULT_COUNT_LIMIT
    timeout: float = DEFAULT_TIMEOUT
    max_run_seconds: float = DEFAULT_MAX_RUN_SECONDS
    base_uri: str | None = None

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's options.

        Raises:
            ConfigError: a URL was given (it would be stored), ``url_env`` is missing or
                no variable name, or an option has a bad value.
        """
        values = parse(KIND, OPTIONS, options)
        if url:
            raise ConfigError(
                "En SQL-källa ska inte ha --url: anslutningsadressen innehåller lösenord och "
                "får inte sparas. Lägg den i en miljövariabel och ange --option url_env=NAMN"
            )
        url_env = values["url_env"] or ""
        if not url_env:
            raise ConfigError(
                "En SQL-källa behöver --option url_env=NAMN: miljövariabeln som håller "
                "anslutningsadressen (t.ex. postgresql://läsare:lösen@server/databas)"
            )
        if not _ENV_NAME.match(url_env):
            raise ConfigError(f"url_env ska vara namnet på en miljövariabel, inte '{url_env}'")
        return cls(
            url_env=url_env,
            schemas=values["schemas"],
            include=values["include"],
            exclude=values["exclude"],
            sample=values["sample"],
            sample_rows=values["sample_rows"],
            count_limit=values["count_limit"],
            timeout=values["timeout"],
            max_run_seconds=values["max_run_seconds"],
            base_uri=(values["base_uri"] or "").rstrip("/") or None,
        )

    def connection_url(self) -> str:
        """Return the URL from the environment.

        Raises:
            ConfigError: the variable is not set or empty.
        """
        value = settings.secret(self.url_env)
        if not value:
            raise ConfigError(
                f"Miljövariabeln {self.url_env} är inte satt: den ska hålla databasens "
                "anslutningsadress i skördarens miljö"
            )
        return value

    def wanted(self, schema: str, name: str) -> bool:
        """Whether the include/exclude globs let ``schema.name`` through."""
        names = (name, f"{schema}.{name}")
        if self.include and not any(fnmatchcase(n, p) for p in self.include for n in names):
            return False
        return not any(fnmatchcase(n, p) for p in self.exclude for n in names)


# --- connecting --------------------------------------------------------------------------


@dataclass
class _Database:
    engine: Engine
    label: str  # the database's name, for messages and the catalogue title
    secrets: tuple[str, ...]  # text that must never reach a message


def _open(config: Config) -> _Database:
    """Create the engine for the URL in the environment (no connection is made yet).

    Raises:
        ConfigError: the variable is unset or holds no usable URL.
        ConnectorError: a SQLite file that does not exist.
    """
    raw = config.connection_url()
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"Miljövariabeln {config.url_env} håller ingen giltig databasadress "
            "(t.ex. postgresql://läsare:lösen@server/databas)"
        ) from None
    password = str(url.password) if url.password else ""
    # A password too short to tell from other text cannot be masked without garbling.
    secrets = tuple(s for s in (raw, password, quote(password, safe="")) if len(s) >= 4)
    backend = url.get_backend_name()
    label = url.database or url.host or backend
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        connect_args = {
            "connect_timeout": max(1, int(config.timeout)),
            "application_name": "insyn-sql",
            "options": "-c default_transaction_read_only=on "
            f"-c statement_timeout={_milliseconds(min(config.timeout, config.max_run_seconds))}",
        }
    elif backend in ("mysql", "mariadb"):
        if "+" not in url.drivername:
            url = url.set(drivername=f"{backend}+pymysql")
        connect_args = {
            "connect_timeout": max(1, int(config.timeout)),
            # A backstop behind the server's own statement limit (set in _Reader), which
            # stops one statement and keeps the connection; this one would lose it.
            "read_timeout": max(1, math.ceil(config.timeout)) + 30,
            "init_command": "SET SESSION TRANSACTION READ ONLY",
        }
    elif backend == "sqlite":
        url, label = _sqlite_read_only(url)
    try:
        engine = create_engine(url, connect_args=connect_args, poolclass=NullPool)
    except ImportError as exc:
        raise ConfigError(
            f"Drivrutinen för {backend} saknas ({exc.name or exc}): installera den, "
            "för MariaDB/MySQL med pip install 'insyn[mysql]'"
        ) from None
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConfigError(
            f"Databasadressen i {config.url_env} kan inte användas: {type(exc).__name__}: "
            f"{_redact(str(exc), secrets)}"
        ) from None
    return _Database(engine, label, secrets)


def _milliseconds(seconds: float) -> int:
    """Whole milliseconds, rounded up (a limit must not end before the run does)."""
    return max(math.ceil(seconds * 1000), 1)


def _sqlite_read_only(url: URL) -> tuple[URL, str]:
    path_text = url.database or ""
    if not path_text or path_text == ":memory:" or path_text.startswith("file:"):
        raise ConfigError("En SQLite-källa ska vara en fil: sqlite:////sökväg/till/fil.sqlite3")
    path = Path(path_text).resolve()
    if not path.is_file():
        raise ConnectorError(f"SQLite-filen {path} finns inte")
    read_only = url.set(database=f"file:{quote(str(path))}?mode=ro", query={"uri": "true"})
    return read_only, path.name


def _redact(message: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


def _reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """The database's own words (never the SQL, parameters or URL), on one line."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    # SQLAlchemy's own errors append "[SQL: …] [parameters: …]": only the words before.
    words = str(original).split("[SQL:", 1)[0].split("(Background on this error", 1)[0]
    message = " ".join(words.split()) or type(original).__name__
    return _redact(message, secrets)[:500]


def _timed_out(exc: BaseException) -> bool:
    """Whether the database stopped the statement for its time limit."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(original, "sqlstate", None) == _PG_CANCELED:
        return True
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_TIMEOUTS:
        return True
    # The progress handler's interruption: SQLITE_INTERRUPT.
    return getattr(original, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT


def _alive(connection: Connection, exc: BaseException) -> bool:
    """Whether the connection still works after ``exc`` (a lost one is not reconnected)."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return False
    if connection.invalidated or connection.closed:
        return False
    try:
        connection.rollback()
        connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return not connection.invalidated


# --- reading -----------------------------------------------------------------------------


class _Reader:
    def __init__(
        self,
        config: Config,
        database: _Database,
        connection: Connection,
        deadline: RunDeadline,
    ) -> None:
        self.config = config
        self.database = database
        self.connection = connection
        self.deadline = deadline
        self.dialect = connection.dialect.name
        self.limit: float | None = None  # the statement limit the session has now
        self.statement_ends = math.inf  # SQLite: when the running statement must stop
        if self.dialect == "sqlite":
            self._watch_sqlite()
        self.bound_statements()
        self.inspector: Inspector = inspect(connection)
        self.default_schema = self.inspector.default_schema_name or ""

    def _watch_sqlite(self) -> None:
        """Interrupt a SQLite statement past its limit (SQLite has no timeout of its own)."""

        def started(*_: Any) -> None:
            self.statement_ends = time.monotonic() + (self.limit or self.config.timeout)

        event.listen(self.connection, "before_cursor_execute", started)
        raw = self.connection.connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.set_progress_handler(lambda: time.monotonic() > self.statement_ends, _SQLITE_STEPS)

    def bound_statements(self) -> None:
        """Give the next statements ``timeout`` or, when less is left, the rest of the run.

        PostgreSQL's limit is set at connect (and lowered here); MariaDB's and MySQL's are
        set here; SQLite's progress handler reads ``limit``. Only a change is sent.
        """
        limit = min(self.config.timeout, self.deadline.remaining())
        milliseconds = _milliseconds(limit)
        if milliseconds / 1000 == self.limit:
            return
        first = self.limit is None
        self.limit = limit = milliseconds / 1000
        if self.dialect == "postgresql" and not first:
            self.connection.execute(text(f"SET statement_timeout = {milliseconds}"))
        elif self.dialect in ("mysql", "mariadb"):
            if getattr(self.connection.dialect, "is_mariadb", False):
                self.connection.execute(text(f"SET SESSION max_statement_time = {limit:.3f}"))
            else:
                self.connection.execute(text(f"SET SESSION MAX_EXECUTION_TIME = {milliseconds}"))

    @contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Turn any database error into a ConnectorError that names what was being read
        (the run's time limit when that is what stopped it)."""
        try:
            yield
        except SQLAlchemyError as exc:
            if self.deadline.passed():
                raise self.deadline.error(what) from None
            raise ConnectorError(
                f"Databasen '{self.database.label}' kunde inte läsas ({what}): "
                f"{_reason(exc, self.database.secrets)}"
            ) from None

    def schemas(self) -> list[str]:
        if self.config.schemas:
            return list(self.config.schemas)
        if self.dialect == "postgresql" or not self.default_schema:
            with self.reading("listan över scheman"):
                names = self.inspector.get_schema_names()
            return sorted(n for n in names if n not in SYSTEM_SCHEMAS and not n.startswith("pg_"))
        return [self.default_schema]

    def tables(self, schema: str) -> list[tuple[Table, list[str]]]:
        """Reflect every wanted table and view of one schema (a few queries in all), each
        with the names of its columns that sampling may read."""
        with self.reading(f"schemat {schema}"):
            kinds: dict[str, str] = {}
            for name in self.inspector.get_table_names(schema=schema):
                kinds[name] = "table"
            for name in self.inspector.get_view_names(schema=schema):
                kinds[name] = "view"
            try:
                for name in self.inspector.get_materialized_view_names(schema=schema):
                    kinds[name] = "materialized view"
            except NotImplementedError:
                pass
            counts, partitions = self._row_counts(schema)
            # A partition is a piece of its parent table, described with the parent.
            names = sorted(
                n for n in kinds if n not in partitions and self.config.wanted(schema, n)
            )
            if not names:
                return []
            scope = {"schema": schema, "filter_names": names, "kind": ObjectKind.ANY}
            columns = self.inspector.get_multi_columns(**scope)
            primary_keys = self.inspector.get_multi_pk_constraint(**scope)
            foreign_keys = self.inspector.get_multi_foreign_keys(**scope)
            try:
                comments = self.inspector.get_multi_table_comment(**scope)
            except NotImplementedError:
                comments = {}
        found = []
        for name in names:
            reflected = columns.get((schema, name), [])
            item = Table(
                schema=schema,
                name=name,
                kind=kinds[name],
                columns=[
                    {
                        "name": c["name"],
                        "type": self._type_name(c["type"]),
                        "nullable": c.get("nullable", True),
                        "comment": c.get("comment"),
                    }
                    for c in reflected
                ],
                primary_key=list(
                    (primary_keys.get((schema, name)) or {}).get("constrained_columns") or []
                ),
                foreign_keys=foreign_keys.get((schema, name)) or [],
                comment=(comments.get((schema, name)) or {}).get("text"),
                rows=counts.get(name),
            )
            found.append((item, [c["name"] for c in reflected if _samplable(c["type"])]))
        return found

    def _type_name(self, column_type: Any) -> str | None:
        """The type as this database names it; None for an untyped column (SQLite)."""
        if isinstance(column_type, NullType):
            return None
        try:
            return str(column_type.compile(dialect=self.connection.dialect)).lower()
        except Exception:
            return str(type(column_type).__name__).lower()

    def _row_counts(self, schema: str) -> tuple[dict[str, int], set[str]]:
        """Row-count estimates of the schema's tables, from the database's statistics,
        and the names of the tables that are partitions of another (PostgreSQL)."""
        if self.dialect == "postgresql":
            return self._postgres_counts(schema)
        if self.dialect in ("mysql", "mariadb"):
            rows = self.connection.execute(
                text(
                    "SELECT table_name, table_rows FROM information_schema.tables "
                    "WHERE table_schema = :schema AND table_type = 'BASE TABLE'"
                ),
                {"schema": schema},
            )
            return {name: int(n) for name, n in rows if n is not None}, set()
        if self.dialect == "sqlite":
            return self._sqlite_stat1(schema), set()
        return {}, set()

    def _postgres_counts(self, schema: str) -> tuple[dict[str, int], set[str]]:
        rows = self.connection.execute(
            text(
                "SELECT c.relname, c.relkind, c.relispartition, c.reltuples, s.n_live_tup, "
                "(SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
                " WHERE i.inhrelid = c.oid AND c.relispartition LIMIT 1) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'm')"
            ),
            {"schema": schema},
        )
        values: dict[str, int] = {}
        parents: dict[str, str] = {}
        for name, relkind, is_partition, reltuples, live, parent in rows:
            # reltuples is -1 until the table was first analysed; live rows then.
            value = reltuples if reltuples is not None and reltuples >= 0 else live
            if value is not None and relkind != "p":
                values[name] = max(int(value), 0)
            if is_partition and parent:
                parents[name] = parent
        # A partitioned table's rows are its partitions' (its own statistics may be missing).
        for partition in sorted(parents, key=lambda n: -self._depth(n, parents)):
            if partition in values:
                parent = parents[partition]
                values[parent] = values.get(parent, 0) + values[partition]
        return values, set(parents)

    @staticmethod
    def _depth(name: str, parents: dict[str, str]) -> int:
        depth = 0
        while name in parents and depth < 100:
            name, depth = parents[name], depth + 1
        return depth

    def _sqlite_stat1(self, schema: str) -> dict[str, int]:
        quoted = self.connection.dialect.identifier_preparer.quote(schema)
        exists = self.connection.execute(
            text(f"SELECT 1 FROM {quoted}.sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if not exists:
            return {}
        counts: dict[str, int] = {}
        for name, stat in self.connection.execute(
            text(f"SELECT tbl, stat FROM {quoted}.sqlite_stat1")
        ):
            first = str(stat or "").split(" ", 1)[0]
            if first.isdigit():
                counts[name] = max(counts.get(name, 0), int(first))
        return counts

    def sqlite_count(self, item: Table) -> None:
        """Count a SQLite table's rows into ``item``, stopping at ``count_limit``."""
        limit = self.config.count_limit
        inner = select(text("1")).select_from(table(item.name, schema=item.schema)).limit(limit)
        count = self.connection.execute(select(text("count(*)")).select_from(inner.subquery()))
        value = int(count.scalar_one())
        item.rows, item.rows_at_least = (limit, True) if value >= limit else (value, False)

    def sample(self, item: Table, names: list[str]) -> dict[str, list[str]]:
        """Column → categories found in the first ``sample_rows`` rows of the columns
        ``names``. The values are classified here and dropped: they never leave."""
        if not names:
            return {}
        query = (
            select(*[column(n) for n in names])
            .select_from(table(item.name, schema=item.schema))
            .limit(self.config.sample_rows)
        )
        values: dict[str, list[object]] = {n: [] for n in names}
        for row in self.connection.execute(query):
            for name, value in zip(names, row, strict=True):
                values[name].append(value)
        found = {}
        for name in names:
            categories = personal_data.categories_by_values(values.pop(name))
            if categories:
                found[name] = categories
        return found


def _samplable(column_type: Any) -> bool:
    """Text and whole-number columns (and SQLite's untyped ones) may hold personnummer."""
    return isinstance(column_type, (String, Integer, NullType))


def _items(reader: _Reader) -> Iterator[Yielded]:
    config = reader.config
    deadline = reader.deadline
    for schema in reader.schemas():
        deadline.check(f"schemat {schema}")
        with reader.reading(f"schemat {schema}"):
            reader.bound_statements()
        for item, samplable in reader.tables(schema):
            deadline.check(f"tabellen {item.key}")
            try:
                reader.bound_statements()
                if item.rows is None and item.kind == "table" and reader.dialect == "sqlite":
                    reader.sqlite_count(item)
                by_values = reader.sample(item, samplable) if config.sample else {}
            except SQLAlchemyError as exc:
                if deadline.passed():
                    raise deadline.error(f"tabellen {item.key}") from None
                reason = _reason(exc, reader.database.secrets)
                if not _alive(reader.connection, exc):
                    raise ConnectorError(
                        f"Förbindelsen med databasen '{reader.database.label}' bröts vid "
                        f"tabellen {item.key}: {reason}"
                    ) from None
                if _timed_out(exc):
                    reason = f"frågan tog mer än {config.timeout:g} sekunder (timeout)"
                yield Failure(item.key, f"Tabellen {item.key} kunde inte läsas: {reason}")
                continue
            with RecordGuard(item.key, what=f"Tabellen {item.key}") as guard:
                dataset, warnings = sql_read.dataset(
                    item,
                    database=reader.database.label,
                    default_schema=reader.default_schema,
                    base_uri=config.base_uri,
                    by_values=by_values,
                    supports_comments=reader.connection.dialect.supports_comments,
                )
            yield guard.failure or Item(item.key, dataset, warnings)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield the database as the catalogue, then one dataset per wanted table and view.

    Every run lists the whole database (``complete=True``): the engine's content hash
    tells unchanged tables. Raises ConfigError (no URL in the environment) or
    ConnectorError (the database cannot be reached, or is lost part-way).
    """
    deadline = RunDeadline(config.max_run_seconds)
    database = _open(config)
    try:
        try:
            connection = database.engine.connect()
        except SQLAlchemyError as exc:
            raise ConnectorError(
                f"Kunde inte ansluta till databasen '{database.label}' (adressen i "
                f"{config.url_env}): {_reason(exc, database.secrets)}"
            ) from None
        with connection:
            try:
                reader = _Reader(config, database, connection, deadline)
            except SQLAlchemyError as exc:
                raise ConnectorError(
                    f"Databasen '{database.label}' kunde inte läsas: "
                    f"{_reason(exc, database.secrets)}"
                ) from None
            yield CatalogInfo(sql_read.catalog(database.label, reader.dialect, config.base_uri))
            yield from _items(reader)
            connection.rollback()
    finally:
        database.engine.dispose()
    yield Done(Cursor(), complete=True)
