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
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, update
from sqlalchemy.engine import make_url

from insyn import settings
from insyn.catalogue.models import HarvestRun
from insyn.catalogue.operations import Claim
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import ConfigError, InsynError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(InsynError):
    """A backup or restore could not be made (tool missing, target not empty, bad file)."""


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


def _refuse_non_empty_directory(home: Path) -> None:
    if home.exists() and any(home.iterdir()):
        raise BackupError(f"Datakatalogen {home} är inte tom; återställ till en ny, tom katalog")


def restore(backup_file: Path, home: Path, database_url: str | None = None) -> str:
    """Restore a backup into the empty data directory ``home`` (and database); return its URL.

    SQLite backups become ``home/insyn.sqlite3``; PostgreSQL backups are restored into
    ``database_url``, which must be an empty database. Afterwards the schema is brought
    up to date, claims are cleared and runs caught mid-way are marked interrupted. The
    caller rebuilds the search index.

    Raises:
        BackupError: the directory or database is not empty, the file is not a backup,
            or the kinds do not match.
    """
    kind = backup_kind(backup_file)
    _refuse_non_empty_directory(home)
    if kind == "sqlite":
        if database_url and not database_url.startswith("sqlite"):
            raise BackupError("En SQLite-kopia kan inte återställas till PostgreSQL")
        home.mkdir(parents=True, exist_ok=True)
        target = home / "insyn.sqlite3"
        source = sqlite3.connect(backup_file)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        url = f"sqlite:///{target}"
    else:
        if not database_url or not database_url.startswith("postgresql"):
            raise BackupError(
                "En kopia från pg_dump återställs till PostgreSQL: ange --database-url "
                "till en tom databas"
            )
        _refuse_non_empty_database(database_url)
        home.mkdir(parents=True, exist_ok=True)
        args, env = _pg_command(database_url)
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *args,
                str(backup_file),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore misslyckades: {done.stderr.strip()}")
        url = database_url
    _settle(url)
    return url


def _refuse_non_empty_database(url: str) -> None:
    from insyn.catalogue.db import make_engine

    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"Databasen har redan {len(tables)} tabeller; återställ till en tom databas"
        )


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
