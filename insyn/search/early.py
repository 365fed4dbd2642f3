"""Index documents of a harvest's records, built while the harvest runs.

A harvest is one Python thread; the search index's catch-up used to start only after it
committed, building again the documents of records the harvest had just serialised. Here
a worker process, forked before the run, takes the embedded index's write lock once the
run has written ``EARLY_MIN`` records and, while the harvest goes on, builds the document
of each record it writes (from the stored JSON text, publisher and owner names and source
name: what ``plain_document`` needs) and adds it to the index's writers, uncommitted: no
search sees it.

After the harvest committed, ``EarlyIndex.finish`` reads the change log and the stored
records as the catch-up does and keeps a worker's document only where the inputs it was
built from are those stored now (a plan rule or a person's K/R/T levels may have changed
a record in the run's own transaction); every other change is applied as the catch-up
applies it, in the same writers, and all of it is committed at once before the position
is stored. A run that fails, or a harvest process that dies, leaves the writers
uncommitted: the worker rolls back and the next catch-up works from the change log.

The worker is not started where it cannot help: a backend other than the embedded one,
a run of fewer than ``EARLY_MIN`` written records, or an index whose writer another
process holds (the present path then waits for it after the harvest). Both catalogues
give the harvest's JSON text back as it was written (SQLite keeps text, PostgreSQL's
``json`` type keeps the input as it is), so their documents are kept alike; where a text
came back otherwise, its document would only be built again.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import signal
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from insyn.errors import InsynError
from insyn.search.backends.base import SearchBackend
from insyn.search.indexer import BATCH_SIZE, READER_NAME, Indexer, IndexRun, _documents

log = logging.getLogger(__name__)

# Written records before the worker starts: below this the catch-up after the run costs
# little more than the fork, the lock and the extra process would.
EARLY_MIN = 5_000
_START_TIMEOUT = 30.0  # seconds the harvest waits for the worker's first answer

# What a document is built from: record id, stored JSON text, publisher name, owner name,
# source name.
Row = tuple[str, str, str | None, str | None, str | None]


def _digest(row: Iterable[str | None]) -> bytes:
    """A digest of a row's inputs; 0xfe and 0xff never occur in UTF-8, so no two rows of
    different values give the same bytes to hash."""
    digest = hashlib.blake2b(digest_size=20)
    for value in row:
        digest.update(b"\xfe" if value is None else value.encode())
        digest.update(b"\xff")
    return digest.digest()


def _serve(connection: Connection, backend: SearchBackend) -> None:
    """The worker: on "start", hold the index's writers and apply what the harvest sends
    until it says commit, or leave them uncommitted (abort, or the harvest gone)."""
    from insyn.search.backends.embedded import EmbeddedBackend

    # The harvest decides on an interrupt; its end closes the pipe, which ends this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The objects inherited from the harvest are not ours to scan.
    gc.freeze()
    assert isinstance(backend, EmbeddedBackend)
    try:
        if connection.recv()[0] != "start":
            return  # a small run: the catch-up after it does the work
        own = EmbeddedBackend(backend.root.parent, subdir=backend.root.name, lock_timeout=0)
        with own.holding() as held:
            if held is None:
                connection.send(("off", "the index is rebuilt first"))
                return
            connection.send(("ready", held.rebuilding))
            while True:
                kind, payload = connection.recv()
                if kind == "add":
                    rows, replace = payload
                    held.add(_documents(rows), replace=replace)
                elif kind == "delete":
                    held.delete(payload)
                elif kind == "commit":
                    connection.send(("done", held.commit()))
                    return
                else:
                    return
    except (EOFError, OSError):
        return  # the harvest is gone: the writers were rolled back on the way out
    except Exception as exc:
        with contextlib.suppress(OSError):
            connection.send(("failed", f"{type(exc).__name__}: {exc}"))


class EarlyIndex:
    """The harvest's side of the worker: ``written`` is the engine's ``on_written``."""

    def __init__(self, indexer: Indexer, *, minimum: int | None = None) -> None:
        """``minimum``: written records before the worker starts (``EARLY_MIN``)."""
        self.indexer = indexer
        self.minimum = EARLY_MIN if minimum is None else minimum
        self.off = not _eligible(indexer)
        self.waiting: list[Row] = []  # written before the worker starts
        self.sent: dict[str, bytes] = {}  # record id → digest of what its document is from
        self.rebuilding = False
        self.started = False
        self.kept = 0  # documents of the worker's that ``finish`` found stored as built
        self.process: BaseProcess | None = None
        self.connection: Connection | None = None
        if not self.off:
            self._fork()

    @property
    def active(self) -> bool:
        return self.started and self.connection is not None

    def _fork(self) -> None:
        """Fork the worker before the run: the harvest process is small then, and a run
        that reads a large source writes to pages it would otherwise share with the
        worker, copying each (measured: a second of system time at 20,000 records). It
        waits for ``_start`` to take the index's writers."""
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe()
        process = context.Process(
            target=_serve, args=(theirs, self.indexer.backend), name="insyn-early-index"
        )
        process.daemon = True
        process.start()
        theirs.close()
        self.process, self.connection = process, mine

    def written(self, rows: list[Row]) -> None:
        """Records the harvest wrote, in its transaction (not yet committed)."""
        if self.off:
            return
        if not self.started:
            self.waiting.extend(rows)
            if len(self.waiting) < self.minimum:
                return
            rows, self.waiting = self.waiting, []
            if not self._start():
                self.off = True
                return
        # A record sent again (not expected in one run) replaces its first document.
        replace = not self.rebuilding or any(row[0] in self.sent for row in rows)
        for row in rows:
            self.sent[row[0]] = _digest(row)
        self._send("add", (rows, replace))

    def _start(self) -> bool:
        self._send("start", None)
        answer = self._answer(_START_TIMEOUT) if self.connection is not None else None
        if answer is None or answer[0] != "ready":
            log.info("early indexing off: %s", answer[1] if answer else "no answer")
            self._stop()
            return False
        self.rebuilding = bool(answer[1])
        self.started = True
        return True

    def _send(self, kind: str, payload: Any) -> None:
        if self.connection is None:
            return  # the worker is gone: ``finish`` leaves the run to the catch-up
        try:
            self.connection.send((kind, payload))
        except OSError:
            log.warning("early indexing stopped: the worker is gone")
            self._stop()
            self.off = True

    def _answer(self, timeout: float | None = None) -> tuple[str, Any] | None:
        assert self.connection is not None
        try:
            if timeout is not None and not self.connection.poll(timeout):
                return None
            answer: tuple[str, Any] = self.connection.recv()
        except (EOFError, OSError):
            return None
        return answer

    def abort(self) -> None:
        """The run failed or stopped: nothing the worker added becomes visible."""
        self.waiting = []
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.send(("abort", None))
        self._stop()

    def _stop(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.process is not None:
            # Its writers are rolled back and the lock released when it ends.
            self.process.join()
        self.process = self.connection = None
        self.started = False
        self.sent = {}

    def finish(self, on_progress: Callable[[int], None] | None = None) -> IndexRun | None:
        """After the run committed: apply the change log as ``Indexer.catch_up`` (or, for
        a new generation, ``rebuild``) would, keeping the worker's documents whose inputs
        are stored unchanged, and commit. None when there is no worker (or it failed):
        then the catch-up does it all."""
        self.waiting = []
        if not self.active:
            self.abort()
            return None
        try:
            run = self._apply(on_progress)
            if self.connection is None:
                return None
            self._send("commit", None)
            answer = self._answer() if self.connection is not None else None
        except BaseException:
            self.abort()
            raise
        if answer is None or answer[0] != "done":
            log.warning("early indexing failed: %s", answer[1] if answer else "no answer")
            self._stop()
            return None
        self._stop()
        self.indexer._store_position(run.position)
        if on_progress:
            on_progress(run.upserted + run.deleted)
        return run

    def _apply(self, on_progress: Callable[[int], None] | None) -> IndexRun:
        catalogue = self.indexer.catalogue
        unchecked = set(self.sent)
        gone: set[str] = set()
        if self.rebuilding:
            # As ``Indexer.rebuild``: changes logged while the records are read are applied
            # by the next catch-up.
            run = IndexRun(position=catalogue.last_change_seq(), rebuilt=True)
            for rows in self.indexer._all_live():
                self._check(rows, unchecked, run)
                if on_progress:
                    on_progress(run.upserted)
            gone = unchecked  # in the new generation, no longer live
        else:
            run = IndexRun(position=catalogue.reader_position(READER_NAME))
            while changes := catalogue.changes_since(run.position, BATCH_SIZE):
                record_ids = {change.record_id for change in changes}
                live = self.indexer._live(record_ids)
                live_ids = {row[0] for row in live}
                # The latest state counts, as in ``Indexer._window``.
                gone -= live_ids
                gone |= record_ids - live_ids
                self._check(live, unchecked, run)
                run.position = changes[-1].seq
                if on_progress:
                    on_progress(run.upserted + len(gone))
            if unchecked:
                # Not in the log after the position (not expected): as stored now.
                live = self.indexer._live(unchecked)
                gone |= unchecked - {row[0] for row in live}
                self._check(live, set(), run, trusted=False)
        if gone:
            self._send("delete", sorted(gone))
            run.deleted = len(gone)
        return run

    def _check(
        self, rows: list[Any], unchecked: set[str], run: IndexRun, *, trusted: bool = True
    ) -> None:
        """Send the rows whose documents the worker does not hold as they are stored."""
        fresh: list[Row] = []
        replace = not self.rebuilding
        for row in rows:
            record_id = row[0]
            digest = self.sent.get(record_id)
            if digest is not None:
                unchecked.discard(record_id)
                if trusted and digest == _digest(row):
                    run.upserted += 1
                    self.kept += 1
                    continue
                replace = True  # drop the worker's document
            fresh.append(tuple(row))  # type: ignore[arg-type]
        if fresh:
            self._send("add", (fresh, replace))
            run.upserted += len(fresh)


def _eligible(indexer: Indexer) -> bool:
    from insyn.search.backends.embedded import EmbeddedBackend

    return isinstance(indexer.backend, EmbeddedBackend) and (
        "fork" in multiprocessing.get_all_start_methods()
    )


def start_early(indexer_for: Callable[[], Indexer]) -> EarlyIndex | None:
    """An ``EarlyIndex`` for a harvest; None where it cannot help (see the module's
    docstring) or the search backend cannot be opened (the catch-up reports that)."""
    try:
        early = EarlyIndex(indexer_for())
    except InsynError:
        return None
    return None if early.off else early
