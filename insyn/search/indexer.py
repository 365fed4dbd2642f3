"""The indexer: applies the catalogue's change log to the search backend.

It reads changes after its stored position, applies a batch (upserts and deletes,
both idempotent), and only then stores the new position. A crash at any point
therefore loses nothing and duplicates nothing: at worst the last batch is applied
again, and applying a change twice leaves the same index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry
from insyn.catalogue.store import Catalogue
from insyn.catalogue.visibility import public_clause, secret_marked_clause
from insyn.errors import ConfigError
from insyn.search.backends.base import SearchBackend
from insyn.search.documents import index_document
from insyn.settings import Settings
from insyn.vocab.model import from_dict

READER_NAME = "search-index"
BATCH_SIZE = 500


def unindexed_hides(catalogue: Catalogue) -> list[str]:
    """Return the records the index may still show the public in a form the catalogue no
    longer does: changed since the indexer's position, and now hidden, deleted or masked.

    Public reads exclude them (``SearchRequest.exclude_ids``), so index lag never shows a
    record that was just made secret or internal; the indexer's next catch-up brings them
    back in the form the catalogue shows.
    """
    position = catalogue.reader_position(READER_NAME)
    plainly_shown = select(CatalogueRecord.id).where(public_clause(), ~secret_marked_clause())
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(ChangeLogEntry.record_id)
                .where(ChangeLogEntry.seq > position)
                .where(ChangeLogEntry.record_id.not_in(plainly_shown))
                .distinct()
            )
        )


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
    return index_document(
        row.id,
        from_dict(row.data),
        data=row.data,
        publisher_name=row.publisher.name_sv if row.publisher else None,
        owner_name=row.owner.name_sv if row.owner else None,
        source=row.source.name if row.source else None,
    )


@dataclass
class IndexRun:
    upserted: int = 0
    deleted: int = 0
    position: int = 0
    rebuilt: bool = False


class Indexer:
    """Keeps one backend in step with the catalogue's change log."""

    def __init__(
        self, catalogue: Catalogue, backend: SearchBackend, *, batch_size: int = BATCH_SIZE
    ) -> None:
        self.catalogue = catalogue
        self.backend = backend
        self.batch_size = batch_size

    def _rows(self, record_ids: Iterable[str]) -> list[CatalogueRecord]:
        with self.catalogue.session() as session:
            return list(
                session.scalars(
                    select(CatalogueRecord)
                    .options(
                        selectinload(CatalogueRecord.publisher),
                        selectinload(CatalogueRecord.owner),
                        selectinload(CatalogueRecord.source),
                    )
                    .where(CatalogueRecord.id.in_(list(record_ids)))
                )
            )

    def _store_position(self, seq: int) -> None:
        with self.catalogue.session() as session:
            self.catalogue.set_reader_position(session, READER_NAME, seq)
            session.commit()

    def catch_up(self, on_progress: Callable[[int], None] | None = None) -> IndexRun:
        """Apply every change after the stored position; rebuild if the index needs it."""
        run = IndexRun(position=self.catalogue.reader_position(READER_NAME))
        if self.backend.ensure_index():
            return self.rebuild(on_progress)
        while True:
            changes = self.catalogue.changes_since(run.position, self.batch_size)
            if not changes:
                return run
            # The latest state of each record is what counts; the log says which changed.
            record_ids = {change.record_id for change in changes}
            live = [row for row in self._rows(record_ids) if row.deleted_at is None]
            gone = record_ids - {row.id for row in live}
            if live:
                run.upserted += self.backend.bulk_upsert(document_for(row) for row in live)
            if gone:
                self.backend.delete(gone)
                run.deleted += len(gone)
            run.position = changes[-1].seq
            self._store_position(run.position)
            if on_progress:
                on_progress(run.upserted + run.deleted)

    def rebuild(self, on_progress: Callable[[int], None] | None = None) -> IndexRun:
        """Reindex everything into a new index and swap it in (search never goes empty)."""
        # Changes logged while we read are applied by the next catch-up (idempotently).
        position = self.catalogue.last_change_seq()

        def documents() -> Iterator[dict[str, Any]]:
            rows = self.catalogue.iter_records(public_only=False, batch_size=self.batch_size)
            for count, row in enumerate(rows, start=1):
                yield document_for(row)
                if on_progress and count % self.batch_size == 0:
                    on_progress(count)

        upserted = self.backend.rebuild(documents())
        self._store_position(position)
        return IndexRun(upserted=upserted, position=position, rebuilt=True)

    def lag(self) -> int:
        """How many changes the index has not applied yet."""
        return self.catalogue.last_change_seq() - self.catalogue.reader_position(READER_NAME)
