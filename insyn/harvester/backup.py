"""Backup and restore of the catalogue, consistent while harvests run.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database
  as of one moment, even while a harvest writes (WAL: the copy reads a snapshot).
  The backup file is itself a SQLite database.
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot transaction), restored with
  ``pg_restore``. The password goes to the tools in ``PGPASSWORD``, never on their
  command line.

The search index is not backed up: ``restore`` rebuilds it from the catalogue. A run
that was ``running`` when the snapshot was taken had applied nothing (runs commit
once, at the end); the restored catalogue marks it interrupted. Claims are cleared.

Restore checks the file before it touches anything (``check_backup``): it must be whole
(SQLite: every page there and ``PRAGMA integrity_check`` ok; pg_dump: every block
readable), carry Insyn's tables and an ``alembic_version`` that is in Insyn's chain (a
backup from a newer Insyn is refused). SQLite is then restored into a file beside the
target, migrated and settled there, and renamed into place only when complete.

PostgreSQL is restored into an empty database in one transaction (``--single-transaction``):
a failure leaves it empty. Over a live catalogue it is restored into a new location and
swapped in only when complete (``_restore_postgres_live``): first into a scratch database
on the same server, where it is migrated and settled; that schema, renamed, is copied
into the live database beside the catalogue's own; then one transaction renames the
live schema to ``insyn_fore_<time>`` and the restored one into its place. Until that
transaction commits the live catalogue is untouched, whatever fails (a dump cut short, a
foreign one, the server going away); afterwards the previous catalogue is still there,
in its renamed schema, until an operator drops it. The web keeps its connections: its
next statement reads the restored tables. A harvest in progress refuses the swap (its
writes would land in the old schema); so does a live database that is not an Insyn
catalogue. The scratch database needs the CREATEDB privilege, the swap ownership of
the schema. The restored tables belong to the role that restores (``--no-owner``, no
grants copied): restore as the role the catalogue runs as, or grant it afterwards.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, inspect, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from insyn import settings
from insyn.catalogue.models import HarvestRun
from insyn.catalogue.operations import Claim
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import ConfigError, InsynError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# Tables every Insyn catalogue has had since the first revision.
CORE_TABLES = frozenset(
    {"organisations", "sources", "harvest_runs", "change_log", "incidents", "records"}
)


class BackupError(InsynError):
    """A backup or restore could not be made (tool missing, target not empty, bad file)."""


# The schema the restored catalogue is copied into, beside the live one, before the swap.
RESTORED_SCHEMA = "insyn_aterstalld"
PREVIOUS_SCHEMA = "insyn_fore_"  # + the swap's time: where the replaced catalogue stays
SWAP_LOCK_TIMEOUT = "30s"


@dataclass
class Restored:
    """Where a restore put the catalogue, and (PostgreSQL over a live catalogue) the
    schema the replaced catalogue was kept in."""

    url: str
    previous_schema: str | None = None


@dataclass
class BackupResult:
    path: Path
    kind: str  # sqlite or postgresql
    bytes: int


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise ConfigError(f"SQLite-URL:en '{url}' saknar en fil")
    return Path(database)


def _pg_command(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments of a URL, with the password in the environment."""
    parsed = make_url(url)
    args = []
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    args += ["--dbname", parsed.database or "postgres"]
    env = settings.child_environment()
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Programmet '{name}' finns inte; installera PostgreSQL:s klientprogram "
            "(t.ex. paketet postgresql-client)"
        )
    return path


def backup(catalogue_url: str, target: Path) -> BackupResult:
    """Write a consistent snapshot of the catalogue to ``target``.

    Raises:
        BackupError: the target exists, or pg_dump is missing or failed.
    """
    if target.exists():
        raise BackupError(f"{target} finns redan; välj en ny fil")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    if catalogue_url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(catalogue_url), timeout=60)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)  # all pages in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            copy.close()
            source.close()
        kind = "sqlite"
    elif catalogue_url.startswith("postgresql"):
        args, env = _pg_command(catalogue_url)
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump misslyckades: {done.stderr.strip()}")
        kind = "postgresql"
    else:
        raise ConfigError(f"Säkerhetskopiering stöds inte för '{catalogue_url.split(':')[0]}'")
    partial.rename(target)
    return BackupResult(target, kind, target.stat().st_size)


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql``, from the file's first bytes.

    Raises:
        BackupError: the file is neither.
    """
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} är ingen säkerhetskopia från Insyn (varken SQLite eller pg_dump)")


def known_revisions() -> set[str]:
    """The revisions of Insyn's Alembic chain (a backup must be at one of them)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from insyn.catalogue.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}


def _check_contents(path: Path, tables: set[str], revisions: list[str]) -> None:
    missing = CORE_TABLES - tables
    if "alembic_version" not in tables or missing:
        raise BackupError(
            f"{path} är ingen säkerhetskopia av en Insyn-katalog (tabellerna "
            f"{', '.join(sorted(missing or {'alembic_version'}))} saknas); inget är ändrat"
        )
    unknown = sorted(set(revisions) - known_revisions())
    if not revisions or unknown:
        raise BackupError(
            f"{path} har schemaversionen {', '.join(unknown) or '(ingen)'}, som den här "
            "versionen av Insyn inte känner till (en kopia från en nyare Insyn?); inget är ändrat"
        )


def _check_sqlite(path: Path) -> None:
    """Raises: BackupError: the file is cut short, damaged or not an Insyn catalogue."""
    damaged = BackupError(f"{path} är skadad eller ofullständig (avkortad?); inget är ändrat")
    try:
        # Read-only and immutable: checking a file leaves no journal or lock behind.
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise damaged from exc
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        page_count = connection.execute("PRAGMA page_count").fetchone()[0]
        if page_size * page_count != path.stat().st_size:
            raise damaged
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise damaged
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        revisions = (
            [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
            if "alembic_version" in tables
            else []
        )
    except sqlite3.Error as exc:
        raise damaged from exc
    finally:
        connection.close()
    _check_contents(path, tables, revisions)


def _pg_restore(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_tool("pg_restore"), *args],
        env=settings.child_environment(),
        capture_output=True,
        text=True,
    )


def _check_pgdump(path: Path) -> None:
    """Raises: BackupError: the dump is cut short, damaged or not an Insyn catalogue."""
    listing = _pg_restore("--list", str(path))
    # Reading every block to nowhere finds a dump cut short before anything is restored.
    whole = _pg_restore("--file", os.devnull, str(path)) if listing.returncode == 0 else listing
    if whole.returncode != 0:
        raise BackupError(
            f"{path} är skadad eller ofullständig (avkortad?): {whole.stderr.strip()}; "
            "inget är ändrat"
        )
    tables = {
        parts[parts.index("TABLE") + 2]
        for line in listing.stdout.splitlines()
        if not line.startswith(";")
        and "TABLE" in (parts := line.split())
        and "DATA" not in parts
        and len(parts) > parts.index("TABLE") + 2
    }
    data = _pg_restore("--data-only", "--table", "alembic_version", "--file", "-", str(path))
    revisions, copying = [], False
    for line in data.stdout.splitlines():
        if line.startswith("COPY ") and "alembic_version" in line:
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying and line.strip():
            revisions.append(line.strip())
    _check_contents(path, tables, revisions)


def check_backup(path: Path) -> str:
    """Check that ``path`` is a whole Insyn backup of a known schema; return its kind.

    Raises:
        BackupError: it is not (and nothing has been changed).
    """
    kind = backup_kind(path)
    if kind == "sqlite":
        _check_sqlite(path)
    else:
        _check_pgdump(path)
    return kind


def _refuse_non_empty_directory(home: Path) -> None:
    if home.exists() and any(home.iterdir()):
        raise BackupError(f"Datakatalogen {home} är inte tom; återställ till en ny, tom katalog")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _restore_sqlite(backup_file: Path, home: Path) -> str:
    """Restore beside the target, settle there, rename into place when complete."""
    created = not home.exists()
    home.mkdir(parents=True, exist_ok=True)
    target = home / "insyn.sqlite3"
    staged = home / "insyn.sqlite3.aterstalls"
    try:
        source = sqlite3.connect(f"file:{backup_file}?mode=ro&immutable=1", uri=True)
        copy = sqlite3.connect(staged)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        _settle(f"sqlite:///{staged}")
        copy = sqlite3.connect(staged)
        try:
            copy.execute("PRAGMA journal_mode=DELETE")  # fold the WAL in: one whole file
        finally:
            copy.close()
        os.replace(staged, target)
    except BaseException:
        _remove_sqlite(staged)
        if created and not any(home.iterdir()):
            home.rmdir()
        raise
    return f"sqlite:///{target}"


def restore(backup_file: Path, home: Path, database_url: str | None = None) -> Restored:
    """Restore a backup; return where the catalogue now is.

    The file is checked first (``check_backup``). SQLite backups become
    ``home/insyn.sqlite3`` (``home`` must be empty), renamed into place only when
    restored, migrated and settled. PostgreSQL backups are restored into
    ``database_url``: an empty database in one transaction, or over a live Insyn
    catalogue into a new location that is swapped in only when complete (see the
    module). Afterwards the schema is up to date, claims are cleared and runs caught
    mid-way are marked interrupted. The caller rebuilds the search index.

    Raises:
        BackupError: the file is not a whole Insyn backup of a known schema, the
            directory is not empty (SQLite), the database holds something else than an
            Insyn catalogue, a harvest is running, or the kinds do not match. Nothing
            has been changed then.
    """
    kind = check_backup(backup_file)
    if kind == "sqlite":
        _refuse_non_empty_directory(home)
        if database_url and not database_url.startswith("sqlite"):
            raise BackupError("En SQLite-kopia kan inte återställas till PostgreSQL")
        return Restored(_restore_sqlite(backup_file, home))
    if not database_url or not database_url.startswith("postgresql"):
        raise BackupError(
            "En kopia från pg_dump återställs till PostgreSQL: ange --database-url "
            "(en tom databas eller katalogens egen)"
        )
    tables = _tables(database_url)
    if tables and "alembic_version" not in tables:
        raise BackupError(
            f"Databasen har {len(tables)} tabeller men ingen Insyn-katalog; återställ till "
            "en tom databas eller katalogens egen. Inget är ändrat"
        )
    home.mkdir(parents=True, exist_ok=True)
    if tables:
        return _restore_postgres_live(backup_file, database_url)
    _pg_restore_into(database_url, backup_file, "databasen är orörd")
    _settle(database_url)
    return Restored(database_url)


def _tables(url: str) -> list[str]:
    from insyn.catalogue.db import make_engine

    engine = make_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _pg_restore_into(url: str, dump: Path, untouched: str) -> None:
    """pg_restore ``dump`` into ``url`` in one transaction: all of it or nothing.

    Raises:
        BackupError: pg_restore failed; ``untouched`` says what is as it was.
    """
    args, env = _pg_command(url)
    done = subprocess.run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore misslyckades ({untouched}): {done.stderr.strip()}")


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _autocommit(url: str, statement: str) -> None:
    from insyn.catalogue.db import make_engine

    engine = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _restore_postgres_live(backup_file: Path, url: str) -> Restored:
    """Restore over a live catalogue: into a scratch database, settled there, copied into
    the live database as ``RESTORED_SCHEMA`` and swapped in by one transaction."""
    from insyn.catalogue.db import make_engine

    live_name = make_url(url).database or "postgres"
    scratch = f"{live_name[:40]}_aterstalls_{uuid.uuid4().hex[:8]}"
    scratch_url = _with_database(url, scratch)
    untouched = "katalogen i drift är orörd"
    try:
        _autocommit(url, f'CREATE DATABASE "{scratch}"')
    except SQLAlchemyError as exc:
        raise BackupError(
            f"Kunde inte skapa en databas att återställa i ({exc.__class__.__name__}); "
            f"återställningen behöver rätten CREATEDB. Inget är ändrat"
        ) from None
    try:
        _pg_restore_into(scratch_url, backup_file, untouched)
        _settle(scratch_url)
        with tempfile.TemporaryDirectory(prefix="insyn-restore-") as folder:
            schema_dump = Path(folder) / "schema.pgdump"
            engine = make_engine(scratch_url)
            try:
                with engine.begin() as connection:
                    connection.execute(
                        text(f'ALTER SCHEMA "{_schema(connection)}" RENAME TO {RESTORED_SCHEMA}')
                    )
            finally:
                engine.dispose()
            args, env = _pg_command(scratch_url)
            done = subprocess.run(
                [_tool("pg_dump"), "--format=custom", "--no-owner", "--schema",
                 RESTORED_SCHEMA, "--file", str(schema_dump), *args],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                raise BackupError(f"pg_dump misslyckades ({untouched}): {done.stderr.strip()}")
            _autocommit(url, f"DROP SCHEMA IF EXISTS {RESTORED_SCHEMA} CASCADE")  # a past try
            _pg_restore_into(url, schema_dump, untouched)
        previous = _swap(url)
    except BaseException:
        _autocommit(url, f"DROP SCHEMA IF EXISTS {RESTORED_SCHEMA} CASCADE")
        raise
    finally:
        _autocommit(url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    return Restored(url, previous)


def _schema(connection: Connection) -> str:
    """The schema the catalogue's tables are in (the connection's current schema)."""
    return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def _swap(url: str) -> str:
    """In one transaction: the live schema becomes ``insyn_fore_<time>`` and the restored
    one takes its name; return the previous one's new name.

    Raises:
        BackupError: a harvest is running (its writes would go to the old schema) or the
            tables stay locked; nothing has changed then.
    """
    from insyn.catalogue.db import make_engine

    previous = PREVIOUS_SCHEMA + utcnow().strftime("%Y%m%d%H%M%S")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            live = _schema(connection)
            connection.execute(text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'"))
            # No run may start or finish while the schemas change names.
            connection.execute(text(f'LOCK TABLE "{live}".harvest_runs IN EXCLUSIVE MODE'))
            running = connection.execute(
                text(f"SELECT count(*) FROM \"{live}\".harvest_runs WHERE status = 'running'")
            ).scalar_one()
            if running:
                raise BackupError(
                    f"{running} skördning(ar) pågår i katalogen; stoppa schemaläggaren och "
                    "försök igen. Inget är ändrat"
                )
            connection.execute(text(f'ALTER SCHEMA "{live}" RENAME TO "{previous}"'))
            connection.execute(text(f'ALTER SCHEMA {RESTORED_SCHEMA} RENAME TO "{live}"'))
    except SQLAlchemyError as exc:
        raise BackupError(
            f"Den återställda katalogen kunde inte bytas in ({exc.__class__.__name__}); "
            "katalogen i drift är orörd"
        ) from None
    finally:
        engine.dispose()
    return previous


def _settle(url: str) -> None:
    """Migrate the restored catalogue, clear claims, mark runs caught mid-way interrupted."""
    catalogue = Catalogue(url)
    try:
        with catalogue.session() as session:
            session.execute(update(Claim).values(holder=None, token=None, expires_at=None))
            session.execute(
                update(HarvestRun)
                .where(HarvestRun.status == "running")
                .values(
                    status="interrupted",
                    finished_at=utcnow(),
                    error="avbruten: säkerhetskopian togs medan körningen pågick",
                )
            )
            session.commit()
    finally:
        catalogue.close()
