"""The catalogue store: the operations the harvester, the indexer and the web use.

``Catalogue`` wraps an engine and a session factory. Writes that must be atomic
(a harvest run) take a session from ``session()`` and commit once; reads are
short sessions of their own.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from insyn.catalogue import db
from insyn.catalogue.models import (
    CatalogueRecord,
    ChangeLogEntry,
    HarvestRun,
    Incident,
    Organisation,
    ReaderCursor,
    RecordError,
    Source,
)
from insyn.catalogue.visibility import public_clause
from insyn.errors import CatalogueError, NotFoundError
from insyn.vocab.model import Agent, Record, from_dict, text_in


def utcnow() -> datetime:
    return datetime.now(UTC)


def derived_record_id(source_name: str, key: str, attempt: int = 0) -> str:
    """The id a record of ``source_name`` with ``key`` gets: the same on every install.

    ``attempt`` counts past ids already taken; the series is fixed, so it too is repeatable.
    """
    text = f"{source_name}\x00{key}" + (f"\x00{attempt}" if attempt else "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# What ``remove_source`` appends to a removed source's name (its records keep their ids).
REMOVED_MARK = " (borttagen "


def namesake_removed(session: Session, source_name: str) -> bool:
    """Whether a removed source of this name left records: only then can an id derived
    for a new record of ``source_name`` already be taken (see ``new_record_id``)."""
    removed = select(Source.id).where(Source.name.startswith(source_name + REMOVED_MARK))
    return session.scalar(removed.limit(1)) is not None


def new_record_id(source_name: str, key: str, session: Session) -> str:
    """A new record's id, derived from its source's name and key, so its URL lasts across
    re-harvests, rebuilds and new installs.

    An id can already be taken: a removed source keeps its tombstoned records, and a
    source added again under the same name then gets the next id of the series.
    """
    candidates = (derived_record_id(source_name, key, n) for n in itertools.count())
    taken = select(CatalogueRecord.id).where(CatalogueRecord.id == bindparam("candidate"))
    return next(c for c in candidates if session.scalar(taken, {"candidate": c}) is None)


# Records a run must write before ``refresh_statistics`` considers the planner's view.
ANALYZE_AFTER_ROWS = 1_000


@dataclass(frozen=True)
class ExistingRecord:
    """What the engine needs to know of a stored record to diff a new harvest."""

    id: str
    content_hash: str
    deleted: bool
    source_digest: str | None = None


class Catalogue:
    """The catalogue database: SQLite in the data directory or PostgreSQL."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine: Engine = db.make_engine(url)
        if migrate:
            db.migrate(self.engine)
        self._sessions = db.session_factory(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self._sessions()

    def refresh_statistics(self, written: int) -> bool:
        """After a run that wrote ``written`` records, bring PostgreSQL's planner
        statistics of the records and the change log up to date (``ANALYZE``) when the
        planner's count of records is off by a tenth or more; return whether it did.

        The planner otherwise believes a freshly filled table small until autovacuum
        comes round (a minute or more), and the index catch-up that follows a harvest
        read the records a page at a time, each page planned as a scan of the whole
        table: 86 s instead of a few after 100,000 new records. SQLite plans by the
        primary key without statistics.
        """
        if self.dialect != "postgresql" or written < ANALYZE_AFTER_ROWS:
            return False
        with self.engine.connect() as connection:
            believed = connection.scalar(
                text("SELECT reltuples FROM pg_class WHERE oid = 'records'::regclass")
            )
            if believed is not None and believed > 0 and written < believed * 0.1:
                return False
            connection.execute(text("ANALYZE records, change_log"))
            connection.commit()
        return True

    def close(self) -> None:
        self.engine.dispose()

    # --- organisations -------------------------------------------------------------

    def upsert_organisation(self, session: Session, agent: Agent) -> int | None:
        """Find or create the organisation an agent names; return its id.

        Organisations are matched by URI, else by Swedish name. A parent named by URI
        is linked (and created as a stub if unknown), so the tree builds up from what
        sources say of themselves.

        On PostgreSQL the organisation is written in a short transaction of its own,
        committed at once, not in the caller's: runs of several sources share publishers,
        and a run holding a new publisher's row until it commits made every other run
        naming it wait for that whole run, and two runs meeting two new publishers in
        opposite orders deadlocked (one failed). A run that fails afterwards leaves the
        publishers it saw, as any source describing them would. SQLite has one writer,
        the run itself, so there the caller's transaction is used.
        """
        name = text_in(agent.name)
        if not agent.uri and not name:
            return None
        if session.get_bind().dialect.name == "sqlite":
            return self._upsert_organisation(session, agent, name)
        with self.session() as own:
            organisation_id = self._upsert_organisation(own, agent, name)
            own.commit()
        return organisation_id

    def _upsert_organisation(self, session: Session, agent: Agent, name: str) -> int | None:
        if agent.uri:
            organisation = session.scalar(select(Organisation).where(Organisation.uri == agent.uri))
        else:
            organisation = session.scalar(
                select(Organisation).where(Organisation.name_sv == name).limit(1)
            )
        if organisation is None:
            organisation = self._insert_organisation(session, agent.uri, name)
        if name:
            organisation.name_sv = name
        organisation.name_en = agent.name.get("en") or organisation.name_en
        organisation.identifier = agent.identifier or organisation.identifier
        organisation.org_type = agent.type or organisation.org_type
        organisation.email = agent.email or organisation.email
        organisation.homepage = agent.homepage or organisation.homepage
        if agent.parent and agent.parent != agent.uri:
            parent_id = self._upsert_organisation(session, Agent(uri=agent.parent), "")
            organisation.parent_id = parent_id
        session.flush()
        return organisation.id

    def _insert_organisation(self, session: Session, uri: str | None, name: str) -> Organisation:
        """Insert an organisation; if another run inserted the same URI meanwhile, use it.

        Two sources naming the same new publisher at once would otherwise fail one run
        on the unique URI; the savepoint keeps the rest of the run's transaction.
        """
        organisation = Organisation(uri=uri, name_sv=name or uri or "")
        try:
            with session.begin_nested():
                session.add(organisation)
                session.flush()
        except IntegrityError:
            existing = session.scalar(select(Organisation).where(Organisation.uri == uri))
            if existing is None:
                raise
            return existing
        return organisation

    def organisations(self) -> list[Organisation]:
        with self.session() as session:
            return list(session.scalars(select(Organisation).order_by(Organisation.name_sv)))

    def organisation_by_name(self, name: str) -> Organisation:
        with self.session() as session:
            organisation = session.scalar(
                select(Organisation).where(
                    (Organisation.name_sv == name) | (Organisation.uri == name)
                )
            )
            if organisation is None:
                raise NotFoundError(f"Ingen organisation heter '{name}'")
            return organisation

    # --- sources -------------------------------------------------------------------

    def add_source(
        self,
        name: str,
        kind: str,
        url: str | None,
        options: dict[str, Any] | None = None,
        schedule: str | None = None,
    ) -> Source:
        """Create a source.

        Raises:
            CatalogueError: a source with that name exists.
        """
        with self.session() as session:
            if session.scalar(select(Source).where(Source.name == name)):
                raise CatalogueError(f"Det finns redan en källa som heter '{name}'")
            source = Source(
                name=name,
                kind=kind,
                url=url,
                options=options or {},
                schedule=schedule,
                created_at=utcnow(),
            )
            session.add(source)
            session.commit()
            return source

    def get_source(self, name: str) -> Source:
        with self.session() as session:
            source = session.scalar(select(Source).where(Source.name == name))
            if source is None:
                raise NotFoundError(f"Det finns ingen källa som heter '{name}'", source=name)
            return source

    def sources(self) -> list[Source]:
        with self.session() as session:
            return list(session.scalars(select(Source).order_by(Source.name)))

    def remove_source(self, name: str) -> None:
        """Remove a source's configuration. Its records stay, tombstoned, with provenance."""
        with self.session() as session:
            source = session.scalar(select(Source).where(Source.name == name))
            if source is None:
                raise NotFoundError(f"Det finns ingen källa som heter '{name}'", source=name)
            now = utcnow()
            live = session.scalars(
                select(CatalogueRecord).where(
                    CatalogueRecord.source_id == source.id, CatalogueRecord.deleted_at.is_(None)
                )
            )
            for record in live:
                record.deleted_at = now
                session.add(ChangeLogEntry(record_id=record.id, operation="delete", changed_at=now))
            source.enabled = False
            source.name = f"{source.name}{REMOVED_MARK}{now:%Y-%m-%d %H:%M:%S})"
            session.commit()

    # --- records -------------------------------------------------------------------

    def existing_records(self, session: Session, source_id: int) -> dict[str, ExistingRecord]:
        """Map each of a source's keys to its stored id, hash and tombstone state."""
        rows = session.execute(
            select(
                CatalogueRecord.source_key,
                CatalogueRecord.id,
                CatalogueRecord.content_hash,
                CatalogueRecord.deleted_at,
                CatalogueRecord.source_digest,
            ).where(CatalogueRecord.source_id == source_id)
        )
        return {
            key: ExistingRecord(record_id, content_hash, deleted_at is not None, digest)
            for key, record_id, content_hash, deleted_at, digest in rows
        }

    def get_record_row(self, record_id: str) -> CatalogueRecord:
        """Return a stored record by Insyn id or by URI.

        Raises:
            NotFoundError: no such record.
        """
        with self.session() as session:
            query = select(CatalogueRecord).options(
                selectinload(CatalogueRecord.source),
                selectinload(CatalogueRecord.publisher),
                selectinload(CatalogueRecord.owner),
                selectinload(CatalogueRecord.distributions),
            )
            row = session.scalar(query.where(CatalogueRecord.id == record_id))
            if row is None:
                row = session.scalar(
                    query.where(CatalogueRecord.uri == record_id).order_by(
                        CatalogueRecord.deleted_at.is_not(None), CatalogueRecord.last_changed.desc()
                    )
                )
            if row is None:
                raise NotFoundError(f"Posten '{record_id}' finns inte", record_id=record_id)
            return row

    def get_record(self, record_id: str) -> Record:
        return from_dict(self.get_record_row(record_id).data)

    def iter_records(
        self,
        *,
        public_only: bool = True,
        kinds: tuple[str, ...] | None = None,
        include_deleted: bool = False,
        batch_size: int = 1000,
    ) -> Iterator[CatalogueRecord]:
        """Yield stored records in id order, a batch at a time (memory stays flat).

        ``public_only``: only those the visibility rule does not hide (``public_clause``).
        """
        last_id = ""
        while True:
            with self.session() as session:
                query = (
                    select(CatalogueRecord)
                    .options(
                        selectinload(CatalogueRecord.publisher),
                        selectinload(CatalogueRecord.owner),
                        selectinload(CatalogueRecord.source),
                    )
                    .where(CatalogueRecord.id > last_id)
                    .order_by(CatalogueRecord.id)
                    .limit(batch_size)
                )
                if public_only:
                    query = query.where(public_clause())
                if not include_deleted:
                    query = query.where(CatalogueRecord.deleted_at.is_(None))
                if kinds:
                    query = query.where(CatalogueRecord.kind.in_(kinds))
                rows = list(session.scalars(query))
            if not rows:
                return
            yield from rows
            last_id = rows[-1].id

    def count_records(self, *, public_only: bool = True) -> int:
        with self.session() as session:
            query = (
                select(func.count())
                .select_from(CatalogueRecord)
                .where(CatalogueRecord.deleted_at.is_(None))
            )
            if public_only:
                query = query.where(public_clause())
            return session.scalar(query) or 0

    # --- runs, errors, incidents -------------------------------------------------------

    def runs(self, *, source: str | None = None, limit: int = 20) -> list[HarvestRun]:
        with self.session() as session:
            query = (
                select(HarvestRun)
                .options(selectinload(HarvestRun.source))
                .order_by(HarvestRun.id.desc())
                .limit(limit)
            )
            if source:
                query = query.join(Source).where(Source.name == source)
            return list(session.scalars(query))

    def last_completed_run(self, source_id: int) -> HarvestRun | None:
        with self.session() as session:
            return session.scalar(
                select(HarvestRun)
                .where(HarvestRun.source_id == source_id, HarvestRun.status == "completed")
                .order_by(HarvestRun.id.desc())
                .limit(1)
            )

    def record_errors(self, run_id: int) -> list[RecordError]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(RecordError).where(RecordError.run_id == run_id).order_by(RecordError.id)
                )
            )

    def incidents(self, *, status: str | None = None) -> list[Incident]:
        with self.session() as session:
            query = (
                select(Incident).options(selectinload(Incident.source)).order_by(Incident.id.desc())
            )
            if status:
                query = query.where(Incident.status == status)
            return list(session.scalars(query))

    # --- change log ------------------------------------------------------------------

    def changes_since(self, seq: int, limit: int = 1000) -> list[ChangeLogEntry]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(ChangeLogEntry)
                    .where(ChangeLogEntry.seq > seq)
                    .order_by(ChangeLogEntry.seq)
                    .limit(limit)
                )
            )

    def last_change_seq(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.max(ChangeLogEntry.seq))) or 0

    def reader_position(self, name: str) -> int:
        with self.session() as session:
            cursor = session.get(ReaderCursor, name)
            return cursor.last_seq if cursor else 0

    def set_reader_position(self, session: Session, name: str, seq: int) -> None:
        """Store a reader's position inside the caller's transaction."""
        cursor = session.get(ReaderCursor, name)
        if cursor is None:
            session.add(ReaderCursor(name=name, last_seq=seq, updated_at=utcnow()))
        else:
            cursor.last_seq = seq
            cursor.updated_at = utcnow()
