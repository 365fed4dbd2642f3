"""The indexer: applies the catalogue's change log to the search backend.

It reads changes after its stored position, applies a batch (upserts and deletes,
both idempotent), and only then stores the new position. A crash at any point
therefore loses nothing and duplicates nothing: at worst the last batch is applied
again, and applying a change twice leaves the same index.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, cast, select
from sqlalchemy.orm import aliased

from insyn.catalogue.models import CatalogueRecord, Organisation, Source
from insyn.catalogue.store import Catalogue
from insyn.errors import ConfigError
from insyn.search.backends.base import SearchBackend
from insyn.search.documents import index_document
from insyn.settings import Settings
from insyn.vocab.model import from_dict

READER_NAME = "search-index"
BATCH_SIZE = 500  # changes (and records) read from the store at a time
# Changes applied per commit: a commit per read batch made a segment each (merged later,
# at a cost); more per commit means fewer and larger segments. Memory stays flat: the
# documents stream into tantivy's writer, whose heap flushes on its own.
COMMIT_SIZE = 20_000
# Records from which documents are built in worker processes (``_worker_count``).
PARALLEL_MIN = 20_000
MAX_WORKERS = 4
IN_FLIGHT = 3  # batches queued per worker: enough to keep it busy, memory stays flat


def open_backend(settings: Settings) -> SearchBackend:
    """The configured search backend (embedded in the data directory, or Elasticsearch).

    Raises:
        ConfigError: Elasticsearch is chosen but no address is given, or the name is unknown.
    """
    if settings.search_backend == "embedded":
        from insyn.search.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(settings.home)
    if settings.search_backend == "elasticsearch":
        if not settings.elasticsearch_url:
            raise ConfigError("Sökmotorn elasticsearch kräver ELASTICSEARCH_URL")
        from insyn.search.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(settings.elasticsearch_url)
    raise ConfigError(
        f"Okänd sökmotor '{settings.search_backend}'; välj 'embedded' eller 'elasticsearch'"
    )


def document_for(row: CatalogueRecord) -> dict[str, Any]:
    """The index document of a stored record (publisher and owner names from the store)."""
    return plain_document(
        row.id,
        row.data,
        publisher_name=row.publisher.name_sv if row.publisher else None,
        owner_name=row.owner.name_sv if row.owner else None,
        source=row.source.name if row.source else None,
    )


def plain_document(
    record_id: str,
    data: dict[str, Any],
    *,
    publisher_name: str | None,
    owner_name: str | None,
    source: str | None,
    data_json: str | None = None,
) -> dict[str, Any]:
    """The index document of stored plain record data: masking starts from ``data``
    (decoded from ``data_json`` when the caller read the stored text)."""
    return index_document(
        record_id,
        from_dict(data),
        data=data,
        data_json=data_json,
        publisher_name=publisher_name,
        owner_name=owner_name,
        source=source,
    )


_PUBLISHER = aliased(Organisation)
_OWNER = aliased(Organisation)


def _plain_rows() -> Select[Any]:
    """What a document needs of live stored records, as plain columns (no ORM objects:
    building them cost more than the document itself)."""
    return (
        select(
            CatalogueRecord.id,
            # As stored: decoded where the document is built (a worker process, for a large
            # run), and masking scans the text for personnummer without writing it again.
            cast(CatalogueRecord.data, Text),
            _PUBLISHER.name_sv,
            _OWNER.name_sv,
            Source.name,
        )
        .outerjoin(_PUBLISHER, _PUBLISHER.id == CatalogueRecord.publisher_id)
        .outerjoin(_OWNER, _OWNER.id == CatalogueRecord.owner_id)
        .outerjoin(Source, Source.id == CatalogueRecord.source_id)
        .where(CatalogueRecord.deleted_at.is_(None))
    )


def _documents(rows: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for record_id, text, publisher, owner, source in rows:
        yield plain_document(
            record_id,
            json.loads(text),
            data_json=text,
            publisher_name=publisher,
            owner_name=owner,
            source=source,
        )


def _batch_documents(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """The documents of a batch of rows (run in a worker process)."""
    return list(_documents(rows))


def _worker_count(records: int) -> int:
    """Worker processes that build documents beside the writer: none for a small catch-up
    (a worker costs its start), else one per core but the writer's own."""
    if records < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


def _built(batches: Iterable[list[Any]], workers: int) -> Iterator[dict[str, Any]]:
    """The documents of the batches of rows, in order; with ``workers``, built in that many
    worker processes while this one writes (document building is most of the Python
    time, and the writer's process has tantivy's threads and the store to read)."""
    if not workers:
        for batch in batches:
            yield from _documents(batch)
        return
    batches = iter(batches)
    # The first batch here: forked after it, the workers share what building loads on
    # first use (vocabularies, the compound dictionary) instead of loading it again. They
    # only build documents from the rows they are sent, never touching store or index.
    yield from _documents(next(batches, []))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    pending: deque[Future[list[dict[str, Any]]]] = deque()
    try:
        for batch in batches:
            pending.append(pool.submit(_batch_documents, [tuple(row) for row in batch]))
            if len(pending) > workers * IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Window:
    """What one commit's worth of changes held beside the documents: the records gone and
    the last change read."""

    position: int = 0
    gone: set[str] = field(default_factory=set)


@dataclass
class IndexRun:
    upserted: int = 0
    deleted: int = 0
    position: int = 0
    rebuilt: bool = False


class Indexer:
    """Keeps one backend in step with the catalogue's change log."""

    def __init__(
        self,
        catalogue: Catalogue,
        backend: SearchBackend,
        *,
        batch_size: int = BATCH_SIZE,
        commit_size: int = COMMIT_SIZE,
        workers: int | None = None,
    ) -> None:
        """``workers``: processes that build documents (None: by size and cores, see
        ``_worker_count``; 0: none, all in this process)."""
        self.catalogue = catalogue
        self.backend = backend
        self.batch_size = batch_size
        self.commit_size = max(commit_size, batch_size)
        self.workers = workers

    def _workers_for(self, records: int) -> int:
        return _worker_count(records) if self.workers is None else self.workers

    def _live(self, record_ids: Iterable[str]) -> list[Any]:
        with self.catalogue.session() as session:
            wanted = list(record_ids)
            return list(session.execute(_plain_rows().where(CatalogueRecord.id.in_(wanted))))

    def _all_live(self) -> Iterator[list[Any]]:
        """Every live record in id order, in batches (memory stays flat)."""
        last_id = ""
        while True:
            with self.catalogue.session() as session:
                rows = list(
                    session.execute(
                        _plain_rows()
                        .where(CatalogueRecord.id > last_id)
                        .order_by(CatalogueRecord.id)
                        .limit(self.batch_size)
                    )
                )
            if not rows:
                return
            yield rows
            last_id = rows[-1][0]

    def _store_position(self, seq: int) -> None:
        with self.catalogue.session() as session:
            self.catalogue.set_reader_position(session, READER_NAME, seq)
            session.commit()

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> IndexRun:
        """Apply every change after the stored position; rebuild if the index needs it.

        Changes are read ``batch_size`` at a time and committed ``commit_size`` at a time;
        the position is stored after each commit, so a crash repeats at most one commit's
        changes (applying a change twice leaves the same index).
        """
        run = IndexRun(position=self.catalogue.reader_position(READER_NAME))
        if self.backend.ensure_index():
            return self.rebuild(on_progress)
        workers = self._workers_for(self.catalogue.last_change_seq() - run.position)
        while self.catalogue.changes_since(run.position, 1):
            window = _Window()
            batches = self._window(run, window, on_progress)
            upserted = self.backend.bulk_upsert(_built(batches, workers))
            run.upserted += upserted
            # A record read live in one batch and gone in a later one is deleted after the
            # upserts; one gone and then live again is only upserted (``_window``).
            if window.gone:
                self.backend.delete(window.gone)
                run.deleted += len(window.gone)
            run.position = window.position
            self._store_position(run.position)
            if on_progress:
                on_progress(run.upserted + run.deleted)
        return run

    def _window(
        self, run: IndexRun, window: _Window, on_progress: Callable[[int], None] | None
    ) -> Iterator[list[Any]]:
        """The live rows of up to ``commit_size`` changes after ``run.position``, a batch at
        a time; notes the records gone and the last change read in ``window``."""
        window.position = run.position
        read = 0
        while read < self.commit_size:
            changes = self.catalogue.changes_since(window.position, self.batch_size)
            if not changes:
                return
            # The latest state of each record is what counts; the log says which changed.
            record_ids = {change.record_id for change in changes}
            live = self._live(record_ids)
            live_ids = {row[0] for row in live}
            window.gone -= live_ids
            window.gone |= record_ids - live_ids
            yield live
            read += len(changes)
            window.position = changes[-1].seq
            if on_progress:
                on_progress(run.upserted + read)

    def rebuild(self, on_progress: Callable[[int], None] | None = None) -> IndexRun:
        """Reindex everything into a new index and swap it in (search never goes empty)."""
        # Changes logged while we read are applied by the next catch-up (idempotently).
        position = self.catalogue.last_change_seq()

        workers = self._workers_for(self.catalogue.count_records(public_only=False))

        def documents() -> Iterator[dict[str, Any]]:
            built = _built(self._all_live(), workers)
            for count, document in enumerate(built, start=1):
                yield document
                if on_progress and count % self.batch_size == 0:
                    on_progress(count)

        upserted = self.backend.rebuild(documents())
        self._store_position(position)
        return IndexRun(upserted=upserted, position=position, rebuilt=True)

    def lag(self) -> int:
        """How many changes the index has not applied yet."""
        return self.catalogue.last_change_seq() - self.catalogue.reader_position(READER_NAME)
