"""Database engines and schema migrations for the catalogue.

SQLite (embedded default, a file in the data directory) or PostgreSQL (production),
both brought to the newest schema by Alembic along one linear chain of revisions:
0001 → 0002 → ops_0001 → followup_0001 → desk_0001.

The chain was once four branches that all grew from 0001 (0002, ops_0001, followup_0001
and desk_0001 each revised 0001), so a database made then has several of them stamped
in ``alembic_version``. ``migrate`` walks such a database along the chain: a revision it
already has is only stamped, a missing one is run; from then on it has one head.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from insyn.errors import CatalogueError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# A revision file's own lines, as the chain's template (script.py.mako) writes them.
_REVISION = re.compile(r"^(down_)?revision = (None|'[^'\n]*'|\"[^\"\n]*\")$", re.MULTILINE)
# The revision every branch of the old four-branch history grew from.
BRANCH_POINT = "0001"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'insyn.sqlite3'}"


def make_engine(url: str) -> Engine:
    """Return an engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # WAL lets the web UI and indexers read while a harvest writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        _number_changes_in_commit_order(engine)
    return engine


# Readers of the change log (the search indexer, the lagging-index guard) store the last
# ``seq`` they applied and read on from it. PostgreSQL numbers a row when it is inserted,
# not when it commits: a run's entries could commit after a later-numbered entry of a
# quicker transaction that a reader had already passed, and be skipped for good (a
# record made secret would keep its old form in the index). Every transaction that logs
# a change therefore takes one transaction-scoped advisory lock first, held to its commit,
# so entries are numbered in commit order. (SQLite has one writer at a time anyway.)
CHANGE_LOG_LOCK = 0x696E_7379_6E00_0001  # an application-chosen key ("insyn" + 1)
_INSERTS_INTO_CHANGE_LOG = re.compile(r'\s*INSERT\s+INTO\s+"?change_log"?[\s(]', re.IGNORECASE)
_HOLDS_CHANGE_LOG = "insyn_holds_change_log_lock"


def _number_changes_in_commit_order(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _new_transaction(connection) -> None:  # type: ignore[no-untyped-def]
        connection.info.pop(_HOLDS_CHANGE_LOG, None)

    @event.listens_for(engine, "before_cursor_execute")
    def _lock_before_logging(  # type: ignore[no-untyped-def]
        connection, cursor, statement, parameters, context, executemany
    ) -> None:
        if connection.info.get(_HOLDS_CHANGE_LOG) or not _INSERTS_INTO_CHANGE_LOG.match(statement):
            return
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (CHANGE_LOG_LOCK,))
        connection.info[_HOLDS_CHANGE_LOG] = True


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database schema to the newest revision (idempotent).

    A database stamped with several revisions (the old branches) is first brought onto
    the linear chain (``linearise``).
    """
    if _at_newest(engine):
        return
    from alembic import command

    config = alembic_config(engine)
    linearise(config)
    command.upgrade(config, "head")


def linearise(config: Config) -> None:
    """Walk a database stamped with several revisions of the old branches onto the chain.

    In the old history every branch's only ancestor was ``BRANCH_POINT``, so the
    revisions applied are the stamped ones and that one. Along the chain from the base,
    an applied revision is stamped (its tables exist) and a missing one is run, up to
    the last applied one; ``upgrade`` goes on from there.

    Raises:
        CatalogueError: a stamped revision is not in the chain.
    """
    from alembic import command
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    engine: Engine = config.attributes["engine"]
    with engine.connect() as connection:
        stamped = set(MigrationContext.configure(connection).get_current_heads())
    if len(stamped) < 2:
        return
    script = ScriptDirectory.from_config(config)
    chain = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    applied = stamped | {BRANCH_POINT}
    unknown = applied - set(chain)
    if unknown:
        raise CatalogueError(
            f"Databasen är märkt med okända schemaversioner: {', '.join(sorted(unknown))}"
        )
    last = max(chain.index(revision) for revision in applied)
    for revision in chain[: last + 1]:
        if revision in applied:
            command.stamp(config, revision, purge=True)
        else:
            command.upgrade(config, revision)


@cache
def newest_revision() -> str | None:
    """The chain's one head, read from the revision files' own lines without Alembic;
    None when a file does not read as the template writes it, or the chain does not
    end in exactly one head (``migrate`` then asks Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        lines = _REVISION.findall(path.read_text("utf-8"))
        found = {bool(down): value for down, value in lines}
        if len(lines) != 2 or len(found) != 2 or found[False] == "None":
            return None
        revisions.add(found[False][1:-1])
        if found[True] != "None":
            parents.add(found[True][1:-1])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_newest(engine: Engine) -> bool:
    """Whether the database is stamped with the chain's head and nothing else: then
    ``migrate`` has nothing to do, and every command is spared loading Alembic and the
    revision files (a tenth of a second at each start)."""
    newest = newest_revision()
    if newest is None:
        return False
    try:
        with engine.connect() as connection:
            stamped = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in stamped] == [newest]
    except DBAPIError:  # no alembic_version yet: a new database
        return False


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
