"""The change log is numbered in commit order, so a reader that stored a position never
skips an entry that commits later (``insyn.catalogue.db``).

PostgreSQL numbers a row when it is inserted: without the change log's lock, a quick
transaction's entry committed while a slower one's lower-numbered entry was still open,
the reader moved past both numbers, and the slower entry was never read.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import event, text

from insyn.catalogue.models import ChangeLogEntry
from insyn.catalogue.store import Catalogue, utcnow
from insyn.harvester.engine import harvest_source
from tests.support.catalogues import write_catalogue

_WAITING_FOR_LOCK = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


# Advisory locks of this test's own database only: other tests running beside it (pytest
# -n 2) take the same lock in their databases of the same server.
_IN_THIS_DATABASE = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_HELD_HERE = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid()"
)


def _log(record_id: str) -> ChangeLogEntry:
    return ChangeLogEntry(record_id=record_id, operation="upsert", changed_at=utcnow())


def test_a_later_transaction_logs_after_an_open_one_commits(postgres_url: str) -> None:
    catalogue = Catalogue(postgres_url)
    reader_position = catalogue.last_change_seq()
    slow = catalogue.session()
    slow.add(_log("slow"))
    slow.flush()  # numbered, not committed: the change log's lock is held from here

    quick_done = threading.Event()

    def quick() -> None:
        with catalogue.session() as session:
            session.add(_log("quick"))
            session.commit()
        quick_done.set()

    thread = threading.Thread(target=quick)
    thread.start()
    try:
        # The quick transaction waits for the lock (looked for, not timed).
        deadline = time.monotonic() + 30
        with catalogue.session() as session:
            while not session.scalar(_WAITING_FOR_LOCK):
                assert not quick_done.is_set(), "the quick entry committed past an open one"
                assert time.monotonic() < deadline, "the quick transaction never waited"
                time.sleep(0.05)
                session.rollback()
        # A reader now sees neither entry, and so cannot move past the slow one.
        assert catalogue.changes_since(reader_position) == []
        assert not quick_done.is_set()
    finally:
        slow.commit()
        slow.close()
        thread.join()
    read = catalogue.changes_since(reader_position)
    assert [entry.record_id for entry in read] == ["slow", "quick"]
    assert read[0].seq < read[1].seq


def test_the_lock_lasts_one_transaction(postgres_url: str) -> None:
    """Taken again by each transaction of a pooled connection, never kept past a commit
    or a rollback."""
    catalogue = Catalogue(postgres_url)
    for record_id in ("first", "second", "third"):
        with catalogue.session() as session:
            session.add(_log(record_id))
            session.flush()
            assert session.scalar(_HELD_HERE) == 1
            if record_id == "second":
                session.rollback()
            else:
                session.commit()
    with catalogue.session() as session:
        assert not session.scalar(_IN_THIS_DATABASE)
    assert [entry.record_id for entry in catalogue.changes_since(0)] == ["first", "third"]


def test_a_harvest_logs_its_changes_last(catalogue_url: str, tmp_path: Path) -> None:
    """The lock is then held from the run's last writes to its commit, not for the whole
    run (other sources' runs would wait for it)."""
    catalogue = Catalogue(catalogue_url)
    file = write_catalogue(tmp_path / "bygglov.ttl", range(30))
    catalogue.add_source("bygglov", "dcat", str(file), {})
    statements: list[str] = []

    @event.listens_for(catalogue.engine, "before_cursor_execute")
    def _seen(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()[:3]).upper())

    summary = harvest_source(catalogue, "bygglov")
    assert summary.status == "completed" and summary.added == 30
    logged = [i for i, statement in enumerate(statements) if statement.endswith("CHANGE_LOG")]
    written = [i for i, statement in enumerate(statements) if statement == "INSERT INTO RECORDS"]
    assert logged and written
    assert min(logged) > max(written)
    assert len(catalogue.changes_since(0)) == 30
