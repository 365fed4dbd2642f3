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
connect and per statement) and ``base_uri`` (records get ``base_uri/schema.table``).

The model has no field for columns yet: they go into ``extras`` as readable lines,
``"personnummer: varchar(12), not null — Personnummer för sökande"`` under ``kolumner``,
with ``primärnyckel``, ``främmande nycklar``, ``tabelltyp``, ``antal rader (uppskattat)``
and ``personuppgifter`` beside them.

A table that cannot be read while the connection is fine (no SELECT right for sampling)
is a ``Failure``: its stored record stays as it was. A connection that breaks (server
gone, connection killed, wrong password) fails the whole run, naming the table.
"""

from __future__ import annotations

import re
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
from insyn.connectors.base import CatalogInfo, Cursor, Done, Failure, Item, RecordGuard, Yielded
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import personal_data
from insyn.vocab.model import Catalog, Dataset, Governance

KIND = "sql"

DEFAULT_SAMPLE_ROWS = 100
DEFAULT_COUNT_LIMIT = 1_000_000
DEFAULT_TIMEOUT = 60.0
SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_KINDS = {"table": "tabell", "view": "vy", "materialized view": "materialiserad vy"}
_DEFINITE = {"table": "Tabellen", "view": "Vyn", "materialized view": "Den materialiserade vyn"}

# Keys of ``Dataset.extras``: the structured part of a table's documentation.
EXTRA_KIND = "tabelltyp"
EXTRA_COLUMNS = "kolumner"
EXTRA_PRIMARY_KEY = "primärnyckel"
EXTRA_FOREIGN_KEYS = "främmande nycklar"
EXTRA_ROWS = "antal rader (uppskattat)"
EXTRA_PERSONAL_DATA = "personuppgifter"
EXTRA_DATABASE = "databas"
EXTRA_SCHEMA = "schema"


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
    Option("timeout", "float", DEFAULT_TIMEOUT, "Sekunder en fråga får ta.", minimum=0.001),
    Option("base_uri", "str", None, "Början på datamängdernas URI:er."),
)


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
            f"-c statement_timeout={int(config.timeout * 1000)}",
        }
    elif backend in ("mysql", "mariadb"):
        if "+" not in url.drivername:
            url = url.set(drivername=f"{backend}+pymysql")
        connect_args = {
            "connect_timeout": max(1, int(config.timeout)),
            "read_timeout": max(1, int(config.timeout)),
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


@dataclass
class _Table:
    schema: str
    name: str
    kind: str  # "table", "view", "materialized view"
    columns: list[dict[str, Any]]
    primary_key: list[str]
    foreign_keys: list[dict[str, Any]]
    comment: str | None
    rows: str | None  # formatted estimate, or None when unknown

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


class _Reader:
    def __init__(self, config: Config, database: _Database, connection: Connection) -> None:
        self.config = config
        self.database = database
        self.connection = connection
        self.inspector: Inspector = inspect(connection)
        self.dialect = connection.dialect.name
        self.default_schema = self.inspector.default_schema_name or ""

    @contextmanager
    def reading(self, what: str) -> Iterator[None]:
        """Turn any database error into a ConnectorError that names what was being read."""
        try:
            yield
        except SQLAlchemyError as exc:
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

    def tables(self, schema: str) -> list[_Table]:
        """Reflect every wanted table and view of one schema (a few queries in all)."""
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
        return [
            _Table(
                schema=schema,
                name=name,
                kind=kinds[name],
                columns=columns.get((schema, name), []),
                primary_key=list(
                    (primary_keys.get((schema, name)) or {}).get("constrained_columns") or []
                ),
                foreign_keys=foreign_keys.get((schema, name)) or [],
                comment=(comments.get((schema, name)) or {}).get("text"),
                rows=counts.get(name),
            )
            for name in names
        ]

    def _row_counts(self, schema: str) -> tuple[dict[str, str], set[str]]:
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
            return {name: _approximately(int(n)) for name, n in rows if n is not None}, set()
        if self.dialect == "sqlite":
            return self._sqlite_stat1(schema), set()
        return {}, set()

    def _postgres_counts(self, schema: str) -> tuple[dict[str, str], set[str]]:
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
        return {name: _approximately(value) for name, value in values.items()}, set(parents)

    @staticmethod
    def _depth(name: str, parents: dict[str, str]) -> int:
        depth = 0
        while name in parents and depth < 100:
            name, depth = parents[name], depth + 1
        return depth

    def _sqlite_stat1(self, schema: str) -> dict[str, str]:
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
        return {name: _approximately(value) for name, value in counts.items()}

    def sqlite_count(self, item: _Table) -> str:
        """Count a SQLite table's rows, stopping at ``count_limit``."""
        limit = self.config.count_limit
        inner = select(text("1")).select_from(table(item.name, schema=item.schema)).limit(limit)
        count = self.connection.execute(select(text("count(*)")).select_from(inner.subquery()))
        value = int(count.scalar_one())
        return f"minst {_thousands(limit)}" if value >= limit else _approximately(value)

    def sample(self, item: _Table) -> dict[str, list[str]]:
        """Column → categories found in the first ``sample_rows`` rows; values are dropped."""
        names = [c["name"] for c in item.columns if _samplable(c["type"])]
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


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _approximately(value: int) -> str:
    """Two significant digits from 100 up, so that a growing table is not a changed record."""
    if value < 100:
        return str(max(value, 0))
    magnitude = 10 ** (len(str(value)) - 2)
    return f"ca {_thousands(round(value / magnitude) * magnitude)}"


def _type_name(column_type: Any, connection: Connection) -> str:
    if isinstance(column_type, NullType):
        return "utan typ"
    try:
        return str(column_type.compile(dialect=connection.dialect)).lower()
    except Exception:
        return str(type(column_type).__name__).lower()


def _column_line(info: dict[str, Any], connection: Connection) -> str:
    line = f"{info['name']}: {_type_name(info['type'], connection)}"
    if not info.get("nullable", True):
        line += ", not null"
    if info.get("comment"):
        line += f" — {' '.join(str(info['comment']).split())}"
    return line


def _foreign_key_line(info: dict[str, Any], schema: str) -> str:
    target = f"{info.get('referred_schema') or schema}.{info['referred_table']}"
    return (
        f"{', '.join(info['constrained_columns'])} → "
        f"{target}({', '.join(info['referred_columns'])})"
    )


def _personal_data(
    item: _Table, by_values: dict[str, list[str]]
) -> tuple[dict[str, list[str]], list[str], str | None]:
    """Return (column → categories, extras lines, warning) for one table."""
    found = personal_data.classify_columns(
        item.name, [c["name"] for c in item.columns], by_values=by_values
    )
    lines = []
    for name, categories in found.items():
        sampled = by_values.get(name, ())
        named = personal_data.categories_by_name(name)
        how = []
        for category in categories:
            ways = [
                w
                for w, hit in (
                    ("kolumnnamn", category in named),
                    ("stickprov", category in sampled),
                )
                if hit
            ]
            how.append(f"{category} ({', '.join(ways) or 'tabellens sammanhang'})")
        lines.append(f"{name}: {', '.join(how)}")
    warning = None
    if found:
        columns = ", ".join(f"{name} ({', '.join(cats)})" for name, cats in found.items())
        warning = (
            f"{_DEFINITE[item.kind]} {item.key} ser ut att innehålla personuppgifter i "
            f"kolumnerna {columns}"
        )
    return found, lines, warning


def _dataset(
    item: _Table, reader: _Reader, by_values: dict[str, list[str]]
) -> tuple[Dataset, list[str]]:
    config = reader.config
    title = item.name if item.schema == reader.default_schema else f"{item.name} ({item.schema})"
    found, personal_lines, warning = _personal_data(item, by_values)
    categories = [c for c in personal_data.CATEGORIES if any(c in v for v in found.values())]
    extras = {
        EXTRA_KIND: [_TABLE_KINDS[item.kind]],
        EXTRA_DATABASE: [reader.database.label],
        EXTRA_SCHEMA: [item.schema],
        EXTRA_COLUMNS: [_column_line(c, reader.connection) for c in item.columns],
        EXTRA_PRIMARY_KEY: [", ".join(item.primary_key)] if item.primary_key else [],
        EXTRA_FOREIGN_KEYS: [_foreign_key_line(f, item.schema) for f in item.foreign_keys],
        EXTRA_ROWS: [item.rows] if item.rows else [],
        EXTRA_PERSONAL_DATA: personal_lines,
    }
    dataset = Dataset(
        uri=f"{config.base_uri}/{quote(item.key)}" if config.base_uri else None,
        title={"sv": title},
        description={"sv": " ".join(item.comment.split())} if item.comment else {},
        extras={key: values for key, values in extras.items() if values},
        governance=Governance(
            contains_personal_data=True if found else None,
            personal_data_categories=categories,
        ),
    )
    warnings = [warning] if warning else []
    if not item.comment and reader.connection.dialect.supports_comments:
        warnings.append(f"{_DEFINITE[item.kind]} {item.key} saknar kommentar (beskrivning)")
    return dataset, warnings


def _items(reader: _Reader) -> Iterator[Yielded]:
    config = reader.config
    for schema in reader.schemas():
        for item in reader.tables(schema):
            try:
                if item.rows is None and item.kind == "table" and reader.dialect == "sqlite":
                    item.rows = reader.sqlite_count(item)
                by_values = reader.sample(item) if config.sample else {}
            except SQLAlchemyError as exc:
                reason = _reason(exc, reader.database.secrets)
                if not _alive(reader.connection, exc):
                    raise ConnectorError(
                        f"Förbindelsen med databasen '{reader.database.label}' bröts vid "
                        f"tabellen {item.key}: {reason}"
                    ) from None
                yield Failure(item.key, f"Tabellen {item.key} kunde inte läsas: {reason}")
                continue
            with RecordGuard(item.key, what=f"Tabellen {item.key}") as guard:
                dataset, warnings = _dataset(item, reader, by_values)
            yield guard.failure or Item(item.key, dataset, warnings)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield the database as the catalogue, then one dataset per wanted table and view.

    Every run lists the whole database (``complete=True``): the engine's content hash
    tells unchanged tables. Raises ConfigError (no URL in the environment) or
    ConnectorError (the database cannot be reached, or is lost part-way).
    """
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
                reader = _Reader(config, database, connection)
            except SQLAlchemyError as exc:
                raise ConnectorError(
                    f"Databasen '{database.label}' kunde inte läsas: "
                    f"{_reason(exc, database.secrets)}"
                ) from None
            yield CatalogInfo(
                Catalog(
                    uri=config.base_uri,
                    title={"sv": database.label},
                    description={
                        "sv": f"Tabeller och vyer i databasen {database.label} ({reader.dialect})"
                    },
                )
            )
            yield from _items(reader)
            connection.rollback()
    finally:
        database.engine.dispose()
    yield Done(Cursor(), complete=True)
