"""SQLAlchemy 2 models of the catalogue: the source of truth.

Every schema change comes with an Alembic migration in ``catalogue/migrations``;
``tests/catalogue/test_migrations.py`` checks that the migrations and these models agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from insyn.vocab.scrub import scrub

# Integer on SQLite (so it is the rowid alias and autoincrements), BIGINT elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True, slots=True)
class SerialisedJSON:
    """Plain data with its JSON text, made once: a harvest hashes the text for the content
    hash, and SQLite stores the same text instead of serialising the data again."""

    plain: dict[str, Any]
    text: str


class RecordData(TypeDecorator[dict[str, Any]]):
    """JSON (the same column type) that also takes ``SerialisedJSON``, whose text goes in as
    it is: SQLite keeps JSON as text, and psycopg sends a ``Json`` wrapper's text with the
    dumps function it is given. Another driver is given the plain data."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        inner = super().bind_processor(dialect)

        def plain(value: SerialisedJSON) -> Any:
            return inner(value.plain) if inner is not None else value.plain

        serialised: Callable[[SerialisedJSON], Any] = plain
        if dialect.name == "sqlite":
            serialised = attrgetter("text")
        elif dialect.driver == "psycopg":
            from psycopg.types.json import Json

            def serialised(value: SerialisedJSON) -> Any:
                return Json(value.text, dumps=str)

        def process(value: Any) -> Any:
            if type(value) is SerialisedJSON:
                return serialised(value)
            return inner(value) if inner is not None else value

        return process


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Organisation(Base):
    """An organisation in the municipality's tree: the municipality, committees, companies."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uri: Mapped[str | None] = mapped_column(String(1000), unique=True)
    name_sv: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str | None] = mapped_column(String(500))
    identifier: Mapped[str | None] = mapped_column(String(100))  # organisationsnummer
    org_type: Mapped[str | None] = mapped_column(String(500))  # ADMS publisher type URI
    # The ADMS type the administrator states (``insyn organisations type``); no harvest
    # writes it, and the export uses it where a record's agent has no ADMS type.
    stated_type: Mapped[str | None] = mapped_column(String(500))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str | None] = mapped_column(String(500))
    homepage: Mapped[str | None] = mapped_column(String(1000))

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class Source(Base):
    """A configured harvest source."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    url: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # Incremental state: the connector's cursor, saved with the run's changes.
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    owner: Mapped[Organisation | None] = relationship()


class HarvestRun(Base):
    """One run of one source, with its timing, counts and error."""

    __tablename__ = "harvest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))  # running, completed, failed, interrupted
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))

    source: Mapped[Source] = relationship()

    __table_args__ = (Index("ix_harvest_runs_source_started", "source_id", "started_at"),)

    @validates("error")
    def _scrubbed(self, _key: str, value: str | None) -> str | None:
        # Stored error texts are read by owners, e-mailed and printed: no secrets.
        return scrub(value)


class RecordError(Base):
    """A record a run could not take in: its key and the reason, so a person can fix it."""

    __tablename__ = "record_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_runs.id", ondelete="CASCADE"))
    record_key: Mapped[str | None] = mapped_column(String(1000))
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(10), default="error")  # error or warning

    __table_args__ = (Index("ix_record_errors_run", "run_id"),)


class CatalogueRecord(Base):
    """A catalogued thing (dataset, data service, case, document) and its provenance."""

    __tablename__ = "records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    uri: Mapped[str | None] = mapped_column(String(1000))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    source_key: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(Text)  # display title (Swedish first) for listings
    content_hash: Mapped[str] = mapped_column(String(64))
    # A digest of the source's own statements about the record, taken before mapping:
    # when it is unchanged the engine skips mapping the record at all.
    source_digest: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(RecordData)  # the model record as plain data
    # The record's metadata quality (MQA points), kept so sources and owners are
    # scored with SQL instead of re-reading every record.
    quality_points: Mapped[float | None] = mapped_column(Float)
    # Where each field came from: {field: {"run": id, "at": iso, "rule": ...}}.
    field_provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    access_rights: Mapped[str] = mapped_column(String(200))
    # The data's openness: PUBLIC access right and no provision when harvested.
    is_public: Mapped[bool] = mapped_column(Boolean)
    # Whether the description may be published ("public" or "internal"), as in the JSON:
    # the column the visibility rule's SQL reads (insyn.catalogue.visibility).
    description_visibility: Mapped[str] = mapped_column(String(10), default="public")
    contains_personal_data: Mapped[bool | None] = mapped_column(Boolean)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    diarienummer: Mapped[str | None] = mapped_column(String(100))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_changed: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    changed_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    # Tombstone: set when a complete run no longer found the record. Never deleted.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))

    source: Mapped[Source] = relationship()
    publisher: Mapped[Organisation | None] = relationship(foreign_keys=[publisher_id])
    owner: Mapped[Organisation | None] = relationship(foreign_keys=[owner_id])
    distributions: Mapped[list[DistributionRow]] = relationship(
        back_populates="record",
        cascade="all, delete-orphan",
        order_by="DistributionRow.position",
    )

    __table_args__ = (
        UniqueConstraint("source_id", "source_key", name="uq_records_source_key"),
        Index("ix_records_uri", "uri"),
        Index("ix_records_diarienummer", "diarienummer"),
        Index("ix_records_kind_public", "kind", "is_public"),
        Index("ix_records_kind_description", "kind", "description_visibility"),
        Index("ix_records_owner", "owner_id"),
    )


class RecordAlias(Base):
    """An id a record once had (a random id from before ids were derived): it redirects."""

    __tablename__ = "record_aliases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))

    __table_args__ = (Index("ix_record_aliases_record", "record_id"),)


class DistributionRow(Base):
    """A distribution of a dataset, kept as a row for format and link queries."""

    __tablename__ = "distributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    uri: Mapped[str | None] = mapped_column(String(1000))
    format: Mapped[str | None] = mapped_column(String(500))
    access_url: Mapped[str | None] = mapped_column(Text)
    download_url: Mapped[str | None] = mapped_column(Text)

    record: Mapped[CatalogueRecord] = relationship(back_populates="distributions")

    __table_args__ = (Index("ix_distributions_record", "record_id"),)


class ChangeLogEntry(Base):
    """The outbox: an ordered log of record changes that indexers and feeds read from a cursor.

    ``seq`` only grows, so a reader that stored the last ``seq`` it applied can resume.
    """

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(10))  # upsert or delete
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Incident(Base):
    """A harvest problem (avvikelse) that a person must look at."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    kind: Mapped[str] = mapped_column(String(50))  # run_failed, deletion_guard, …
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open/acknowledged/resolved
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    source: Mapped[Source | None] = relationship()

    @validates("message")
    def _scrubbed(self, _key: str, value: str) -> str:
        # Incidents are read by owners and e-mailed to a source's contact: no secrets.
        return scrub(value) or value


class ReaderCursor(Base):
    """Where a reader of the change log (an indexer, a feed) has got to."""

    __tablename__ = "reader_cursors"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
