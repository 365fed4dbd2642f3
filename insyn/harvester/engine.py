"""One run of one source: diff by content hash, upsert, tombstone, count, record.

The whole run is one database transaction, committed only when the connector's
stream ended normally: a run that fails or is cut off part-way changes nothing
that was stored, and is then recorded (in a transaction of its own) with its error
and an incident. Records missing from a source are tombstoned, never deleted, and
only after a run that saw the whole source; if that would remove more than the
deletion guard allows, nothing is tombstoned and an incident asks a person.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from insyn import connectors, followup
from insyn.catalogue.models import (
    CatalogueRecord,
    ChangeLogEntry,
    DistributionRow,
    HarvestRun,
    Incident,
    Organisation,
    RecordError,
    SerialisedJSON,
    Source,
)
from insyn.catalogue.store import (
    Catalogue,
    ExistingRecord,
    derived_record_id,
    namesake_removed,
    new_record_id,
    utcnow,
)
from insyn.connectors.base import (
    CatalogInfo,
    Cursor,
    Deleted,
    Done,
    Failure,
    Item,
    Notice,
    RecordGuard,
    Yielded,
)
from insyn.errors import HarvestError, InsynError
from insyn.followup import notices as notify
from insyn.harvester import columns
from insyn.vocab import quality, visibility
from insyn.vocab.model import Agent, Dataset, Record, text_in, to_dict
from insyn.vocab.scrub import scrub, stored_secrets

log = logging.getLogger(__name__)

DEFAULT_DELETION_GUARD = 0.2
BATCH_SIZE = 2000
CHANGE_LOG_CHUNK = 5000  # change-log rows per statement (their dicts made a chunk at a time)

# Records a run wrote, as a search document is built from them: record id, stored JSON
# text, publisher name, owner name, source name (``harvest_source``'s ``on_written``).
WrittenRows = list[tuple[str, str, str | None, str | None, str | None]]


class StopRequested(BaseException):
    """Raised inside a run when its ``stop`` event is set: the run is marked interrupted."""


@dataclass
class RunSummary:
    """What a run did; the CLI's ``--json`` prints these fields."""

    source: str
    status: str = "running"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    seconds: float = 0.0
    error: str | None = None
    run_id: int | None = None
    warnings: int = 0
    incidents: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


def serialised_record(plain: dict[str, Any]) -> tuple[SerialisedJSON, str]:
    """The record's JSON text, made once, and its content hash (a hash of that text)."""
    text = json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return SerialisedJSON(plain, text), hashlib.sha256(text.encode()).hexdigest()


def _field_provenance(
    old_data: dict[str, Any] | None,
    old_provenance: dict[str, Any] | None,
    new_data: dict[str, Any],
    stamp: dict[str, Any],
) -> dict[str, Any]:
    """Carry each field's provenance over, stamping the fields this run set or changed."""
    old_data = old_data or {}
    old_provenance = old_provenance or {}
    provenance: dict[str, Any] = {}
    for name, value in new_data.items():
        if value in (None, "", [], {}):
            continue
        if name in old_provenance and old_data.get(name) == value:
            provenance[name] = old_provenance[name]
        else:
            provenance[name] = stamp
    return provenance


def _bulk_insert(model: type[Any]) -> Any:
    """An insert of many rows as one executemany, whatever values are missing: the table's
    own (Core) insert, since every row names every column and the ORM's bookkeeping per
    row would be thrown away."""
    return insert(model.__table__)


class _RunWriter:
    """Buffers one run's writes and flushes them in batches inside one transaction."""

    def __init__(
        self,
        catalogue: Catalogue,
        session: Session,
        source: Source,
        run_id: int,
        on_written: Callable[[WrittenRows], None] | None = None,
    ):
        self.catalogue = catalogue
        self.on_written = on_written
        self.session = session
        self.source = source
        self.run_id = run_id
        # Ids derive from the source's name and the key; checking each against the table
        # (a query per new record) is needed only when a removed namesake left records.
        self.ids_may_be_taken = namesake_removed(session, source.name)
        self.now = utcnow()
        self.stamp = {"source": source.name, "run": run_id, "at": self.now.isoformat()}
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.distributions: list[dict[str, Any]] = []
        self.replaced_distributions: list[str] = []
        # (record id, operation): logged at the end of the run (``log_changes``).
        self.changes: list[tuple[str, str]] = []
        self.errors: list[dict[str, Any]] = []
        self.digests: list[dict[str, Any]] = []
        # key → source digest of every record this run stored or found stored as it is.
        self.taken: dict[str, str | None] = {}
        # (record id, governance) of every record this run added or changed.
        self.changed_governance: list[tuple[str, dict[str, Any]]] = []
        self._organisations: dict[tuple[str | None, str], int | None] = {}
        # The description visibility a record of this source has when it says nothing.
        self.description_default = visibility.source_default(
            source.kind, (source.options or {}).get("visibility")
        )

    def organisation_id(self, agent: Agent | None) -> int | None:
        if agent is None:
            return None
        cache_key = (agent.uri, text_in(agent.name))
        if cache_key not in self._organisations:
            self._organisations[cache_key] = self.catalogue.upsert_organisation(self.session, agent)
        return self._organisations[cache_key]

    def owner_id(self, record: Record, publisher_id: int | None) -> int | None:
        owner = record.governance.information_owner
        if owner:
            is_uri = "://" in owner or owner.startswith("urn:")
            agent = Agent(uri=owner) if is_uri else Agent(name={"sv": owner})
            return self.organisation_id(agent)
        return self.source.owner_id or publisher_id

    def row(self, record_id: str, item: Item, data: SerialisedJSON, digest: str):
        record = item.record
        plain = data.plain
        publisher_id = self.organisation_id(record.publisher)
        governance = record.governance
        points = quality.points_data(plain) if record.kind == "dataset" else None
        self.changed_governance.append((record_id, plain.get("governance") or {}))
        return {
            "id": record_id,
            "kind": record.kind,
            "uri": record.uri,
            "source_id": self.source.id,
            "source_key": item.key,
            "title": text_in(record.title) or record.uri or item.key,
            "content_hash": digest,
            "source_digest": item.digest,
            "quality_points": points,
            "data": data,
            "access_rights": governance.access_rights,
            "is_public": governance.is_public,
            "description_visibility": plain["governance"]["description_visibility"],
            "contains_personal_data": governance.contains_personal_data,
            "publisher_id": publisher_id,
            "owner_id": self.owner_id(record, publisher_id),
            "diarienummer": getattr(record, "diarienummer_normalised", None)
            or getattr(record, "case_diarienummer", None)
            or None,
            "last_changed": self.now,
            "changed_by_run_id": self.run_id,
            "deleted_at": None,
            "deleted_by_run_id": None,
        }

    def add(self, item: Item, data: SerialisedJSON, digest: str) -> None:
        record_id = (
            new_record_id(self.source.name, item.key, self.session)
            if self.ids_may_be_taken
            else derived_record_id(self.source.name, item.key)
        )
        record = item.record
        row = self.row(record_id, item, data, digest)
        row.update(
            first_seen=self.now,
            first_run_id=self.run_id,
            field_provenance=_field_provenance(None, None, data.plain, self.stamp),
        )
        self.inserts.append(row)
        self._distributions(record_id, record)
        self._change(record_id, "upsert")

    def update(
        self, existing: ExistingRecord, item: Item, data: SerialisedJSON, digest: str
    ) -> None:
        row = self.row(existing.id, item, data, digest)
        self.updates.append(row)
        self.replaced_distributions.append(existing.id)
        self._distributions(existing.id, item.record)
        self._change(existing.id, "upsert")

    def tombstone(self, record_ids: Iterable[str]) -> int:
        count = 0
        for record_id in record_ids:
            self.session.execute(
                update(CatalogueRecord)
                .where(CatalogueRecord.id == record_id)
                .values(deleted_at=self.now, deleted_by_run_id=self.run_id)
            )
            self._change(record_id, "delete")
            count += 1
        return count

    def error(
        self,
        key: str | None,
        reason: str,
        field_name: str | None,
        severity: str,
        secret_titles: Iterable[str] = (),
        private_names: Iterable[str] = (),
    ) -> None:
        """Keep one record's error or warning, scrubbed of secrets (``vocab.scrub``);
        ``secret_titles`` are the titles of the record when it is secret-marked,
        ``private_names`` its private parties' names."""
        reason = scrub(reason, secret_titles, private_names) or reason
        self.errors.append(
            columns.clip_error_row(
                {
                    "run_id": self.run_id,
                    "record_key": key,
                    "field": field_name,
                    "reason": reason,
                    "severity": severity,
                }
            )
        )

    def _distributions(self, record_id: str, record: Record) -> None:
        if not isinstance(record, Dataset):
            return
        for position, distribution in enumerate(record.distributions):
            self.distributions.append(
                {
                    "record_id": record_id,
                    "position": position,
                    "uri": distribution.uri,
                    "format": distribution.format,
                    "access_url": distribution.access_url,
                    "download_url": distribution.download_url,
                }
            )

    def _change(self, record_id: str, operation: str) -> None:
        self.changes.append((record_id, operation))

    def log_changes(self) -> None:
        """Insert the run's change-log entries, the last writes before the commit. On
        PostgreSQL the first of them takes the change log's lock until the commit
        (``insyn.catalogue.db``): logged as the run went, it would hold it the whole run
        and other sources' runs would wait for it."""
        for start in range(0, len(self.changes), CHANGE_LOG_CHUNK):
            self.session.execute(
                _bulk_insert(ChangeLogEntry),
                [
                    {
                        "record_id": record_id,
                        "operation": operation,
                        "run_id": self.run_id,
                        "changed_at": self.now,
                    }
                    for record_id, operation in self.changes[start : start + CHANGE_LOG_CHUNK]
                ],
            )
        self.changes.clear()

    def pending(self) -> int:
        return len(self.inserts) + len(self.updates)

    def flush(self) -> None:
        session = self.session
        if self.errors:
            self._scrub_stored()  # before the updates: the stored copy as it was
        # One statement shape per table, so rows go in one executemany batch; the ORM's
        # bulk insert began a new batch at each pattern of missing values (a distribution
        # without a URI or a download URL: 17,000 statements for 35,000 distributions).
        if self.inserts:
            session.execute(_bulk_insert(CatalogueRecord), self.inserts)
        if self.updates:
            self._carry_provenance()
            session.execute(update(CatalogueRecord), self.updates)
        if self.digests:
            session.execute(update(CatalogueRecord), self.digests)
        if self.replaced_distributions:
            session.execute(
                delete(DistributionRow).where(
                    DistributionRow.record_id.in_(self.replaced_distributions)
                )
            )
        if self.distributions:
            session.execute(_bulk_insert(DistributionRow), self.distributions)
        if self.errors:
            session.execute(_bulk_insert(RecordError), self.errors)
        if self.on_written is not None and (self.inserts or self.updates):
            self.on_written(self._written())
        for buffer in (
            self.inserts,
            self.updates,
            self.digests,
            self.replaced_distributions,
            self.distributions,
            self.errors,
        ):
            buffer.clear()

    def _written(self) -> WrittenRows:
        """The batch's written records with what their search documents are built from
        (organisation names as this transaction holds them)."""
        rows = [*self.inserts, *self.updates]
        wanted = {row[key] for row in rows for key in ("publisher_id", "owner_id")} - {None}
        names = {
            organisation_id: name
            for organisation_id, name in self.session.execute(
                select(Organisation.id, Organisation.name_sv).where(Organisation.id.in_(wanted))
            )
        }
        return [
            (
                row["id"],
                row["data"].text,
                names.get(row["publisher_id"]),
                names.get(row["owner_id"]),
                self.source.name,
            )
            for row in rows
        ]

    def _scrub_stored(self) -> None:
        """Scrub each record error with what the catalogue keeps of that record: its titles
        when secret-marked and its private parties' names (a failure quotes the source,
        which may repeat them). One query per batch, for the keys that have errors."""
        keys = sorted({row["record_key"] for row in self.errors if row["record_key"]})
        secrets: dict[str, tuple[list[str], list[str]]] = {}
        for start in range(0, len(keys), BATCH_SIZE):
            rows = self.session.execute(
                select(CatalogueRecord.source_key, CatalogueRecord.data).where(
                    CatalogueRecord.source_id == self.source.id,
                    CatalogueRecord.source_key.in_(keys[start : start + BATCH_SIZE]),
                )
            )
            secrets.update((key, stored_secrets(data)) for key, data in rows)
        for row in self.errors:
            titles, names = secrets.get(row["record_key"], ([], []))
            if titles or names:
                row["reason"] = scrub(row["reason"], titles, names) or row["reason"]

    def _carry_provenance(self) -> None:
        ids = [row["id"] for row in self.updates]
        old = {
            record_id: (data, provenance)
            for record_id, data, provenance in self.session.execute(
                select(
                    CatalogueRecord.id, CatalogueRecord.data, CatalogueRecord.field_provenance
                ).where(CatalogueRecord.id.in_(ids))
            )
        }
        for row in self.updates:
            old_data, old_provenance = old.get(row["id"], (None, None))
            row["field_provenance"] = _field_provenance(
                old_data, old_provenance, row["data"].plain, self.stamp
            )


def _start_run(catalogue: Catalogue, source_name: str, worker: str | None) -> tuple[Source, int]:
    with catalogue.session() as session:
        source = session.scalar(select(Source).where(Source.name == source_name))
        if source is None:
            raise HarvestError(f"Det finns ingen källa som heter '{source_name}'")
        run = HarvestRun(source_id=source.id, status="running", started_at=utcnow(), worker=worker)
        session.add(run)
        session.commit()
        return source, run.id


def _record_failure(
    catalogue: Catalogue, source: Source, summary: RunSummary, status: str, error: str
) -> None:
    """Mark the run failed or interrupted, in a transaction of its own, with an incident."""
    with catalogue.session() as session:
        run = session.get(HarvestRun, summary.run_id)
        assert run is not None
        run.status = status
        run.finished_at = utcnow()
        run.error = error
        run.added = run.updated = run.unchanged = run.deleted = 0
        run.failed = summary.failed
        session.add(
            Incident(
                source_id=source.id,
                run_id=summary.run_id,
                kind="run_failed" if status == "failed" else "run_interrupted",
                message=f"Skördningen av '{source.name}' misslyckades: {error}"
                if status == "failed"
                else f"Skördningen av '{source.name}' avbröts: {error}",
                status="open",
                created_at=utcnow(),
                details={},
            )
        )
        session.commit()


def harvest_source(
    catalogue: Catalogue,
    source_name: str,
    *,
    allow_deletions: bool = False,
    full: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    worker: str | None = None,
    before_commit: Callable[[Session], None] | None = None,
    stop: threading.Event | None = None,
    on_written: Callable[[WrittenRows], None] | None = None,
) -> RunSummary:
    """Run one harvest of one source and return its summary.

    Never raises for a source's own failure: the summary says ``failed`` with the
    error. ``full`` ignores the incremental cursor and reads everything again.
    Raises HarvestError only when the source does not exist. A
    ``KeyboardInterrupt``/``SystemExit`` marks the run interrupted and is re-raised.

    ``before_commit(session)`` runs inside the run's transaction just before it commits
    (a scheduler worker checks there that it still holds the source's claim; raising an
    InsynError fails the run and nothing is applied). When ``stop`` is set, the run
    stops at the next record, is marked interrupted, and ``StopRequested`` is raised.
    ``on_written(rows)`` is given each batch of records written, inside the run's
    transaction: the run may still fail, and the plan may change them before it commits.
    """
    started = time.monotonic()
    source, run_id = _start_run(catalogue, source_name, worker)
    summary = RunSummary(source=source_name, run_id=run_id)
    # A run allocates millions of small objects with no reference cycles among them: the
    # cyclic collector would spend a third of the run scanning them for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run(
            catalogue,
            source,
            summary,
            allow_deletions=allow_deletions,
            full=full,
            on_progress=on_progress,
            before_commit=before_commit,
            stop=stop,
            on_written=on_written,
        )
    except InsynError as exc:
        if exc.source is None:
            exc.source = source_name
        summary.status, summary.error = "failed", scrub(str(exc))
    except Exception as exc:
        summary.status, summary.error = "failed", scrub(f"{type(exc).__name__}: {exc}")
        # The scrubbed text, no traceback: a traceback quotes what it was given (URLs with
        # passwords, titles), and logs travel further than the run.
        log.error("harvest of %s failed: %s", source_name, summary.error)
    except BaseException:
        summary.status, summary.error = "interrupted", "avbruten"
        _record_failure(catalogue, source, summary, "interrupted", "avbruten")
        raise
    finally:
        if collecting:
            gc.enable()
        summary.seconds = time.monotonic() - started
    if summary.status == "completed":
        _refresh_statistics(catalogue, summary)
    if summary.status == "failed":
        summary.added = summary.updated = summary.unchanged = summary.deleted = 0
        _record_failure(catalogue, source, summary, "failed", summary.error or "")
    notify.notify_source_incidents(catalogue, source.id)
    log.info(
        "harvest run %s: %s",
        source_name,
        summary.status,
        extra={"event": "harvest_run", "run_id": run_id, "worker": worker, **summary.as_json()},
    )
    return summary


def _refresh_statistics(catalogue: Catalogue, summary: RunSummary) -> None:
    """Let the database plan by what the run wrote; the run stands if that fails."""
    try:
        catalogue.refresh_statistics(summary.added + summary.updated + summary.deleted)
    except SQLAlchemyError as exc:
        log.warning("planner statistics after %s not refreshed: %s", summary.source, exc)


def _run(
    catalogue: Catalogue,
    source: Source,
    summary: RunSummary,
    *,
    allow_deletions: bool,
    full: bool,
    on_progress: Callable[[int, int], None] | None,
    before_commit: Callable[[Session], None] | None = None,
    stop: threading.Event | None = None,
    on_written: Callable[[WrittenRows], None] | None = None,
) -> None:
    connector = connectors.load(source.kind)
    config = connector.Config.from_source(source.url, dict(source.options or {}))
    with catalogue.session() as session:
        writer = _RunWriter(catalogue, session, source, summary.run_id or 0, on_written)
        existing = catalogue.existing_records(session, source.id)
        _offer_stored_digests(config, existing)
        verified_state = _offer_stored_documents(config, source, existing)
        seen: set[str] = set()
        marked: list[str] = []  # ids of live records the source marked deleted
        done: Done | None = None
        processed = 0
        stream: Iterable[Yielded] = connector.harvest(
            config, Cursor() if full else Cursor.from_dict(source.cursor)
        )
        for yielded in stream:
            if stop is not None and stop.is_set():
                raise StopRequested
            if isinstance(yielded, Item):
                _take_item(writer, existing, seen, yielded, summary)
            elif isinstance(yielded, Failure):
                summary.failed += 1
                if yielded.key:
                    seen.add(yielded.key)  # a record that failed to read is not gone
                writer.error(yielded.key, yielded.reason, yielded.field, "error")
            elif isinstance(yielded, Deleted):
                seen.add(yielded.key)
                stored = existing.get(yielded.key)
                if stored and not stored.deleted:
                    marked.append(stored.id)  # the deletion guard judges them with the rest
            elif isinstance(yielded, Done):
                done = yielded
                break
            elif isinstance(yielded, Notice):
                summary.warnings += 1
                writer.error(None, yielded.message, yielded.field, "warning")
            elif isinstance(yielded, CatalogInfo):
                too_long = columns.agent_overlong(yielded.catalog.publisher, "publisher")
                if too_long is None:
                    writer.organisation_id(yielded.catalog.publisher)
                else:
                    summary.warnings += 1
                    writer.error(None, too_long[1], too_long[0], "warning")
            processed += 1
            if writer.pending() >= BATCH_SIZE:
                writer.flush()
            if on_progress and processed % 500 == 0:
                on_progress(processed, summary.added + summary.updated)
        if done is None:
            raise HarvestError(
                "Källan avslutade utan att säga att den var klar; inget ändrades",
                source=source.name,
            )
        if done.not_modified:
            live = sum(1 for stored in existing.values() if not stored.deleted)
            summary.unchanged += max(live - summary.unchanged - summary.updated, 0)
        held = False
        if not done.not_modified:
            listed = seen if done.complete else None
            held = _tombstone(writer, existing, listed, marked, summary, allow_deletions)
        writer.flush()
        db_source = session.get(Source, source.id)
        assert db_source is not None
        if summary.failed or summary.incidents:
            # Records failed or deletions wait for a person: the next run must read the
            # source again, even if the source says it has not changed.
            done.cursor.http.clear()
        if not held:
            # Held deletions keep the old cursor: the next run is told of them again.
            db_source.cursor = done.cursor.to_dict()
            if hasattr(config, "stored_documents"):
                left = _state_left(writer, summary, done, verified_state)
                if left is not None:
                    db_source.cursor[STORED_STATE] = left
        run = session.get(HarvestRun, summary.run_id)
        assert run is not None
        summary.status = "completed"
        run.status = "completed"
        run.finished_at = utcnow()
        for name in ("added", "updated", "unchanged", "deleted", "failed"):
            setattr(run, name, getattr(summary, name))
        # Plan rules, people's K/R/T levels, quality snapshot, follow-up incidents: in the
        # run's transaction, so no record is seen without the plan's secrecy defaults.
        summary.incidents.extend(
            followup.after_run(session, db_source, run.id, summary, writer.changed_governance)
        )
        writer.log_changes()
        if before_commit is not None:
            before_commit(session)
        session.commit()
    if on_progress:  # records read, records written (added or changed)
        on_progress(processed, summary.added + summary.updated)


def _offer_stored_digests(config: Any, existing: dict[str, ExistingRecord]) -> None:
    """Tell a connector that reads records in groups (FGS: a case file and its documents,
    validated together) which digest each live record is stored with, so that it skips a
    group whose records are all stored with the group's digest, unvalidated and unmapped.
    A connector asks by having a ``stored_digest`` field on its config."""
    if not hasattr(config, "stored_digest"):
        return

    def stored_digest(key: str) -> str | None:
        stored = existing.get(key)
        return stored.source_digest if stored is not None and not stored.deleted else None

    config.stored_digest = stored_digest


# The cursor's entry for the records a clean run left: (key, source digest) of each live one.
STORED_STATE = "stored_records"


def _records_state(pairs: Iterable[tuple[str, str | None]]) -> str:
    digest = hashlib.sha256()
    for key, source_digest in sorted(pairs, key=lambda pair: pair[0]):
        digest.update(f"{key}\t{source_digest}\n".encode())
    return digest.hexdigest()


def _offer_stored_documents(
    config: Any, source: Source, existing: dict[str, ExistingRecord]
) -> str | None:
    """Tell a connector that digests whole documents (DCAT files) each document's digest as
    the last clean run read it, when the source's live records are still exactly what that
    run left (each key with its source digest): a document with the same bytes would then
    have every record skipped by its own digest, so it need not be parsed at all. A
    connector asks by having a ``stored_documents`` field on its config. Returns the state
    of the stored records when it is the one the last clean run left, else None."""
    cursor = source.cursor or {}
    if not hasattr(config, "stored_documents") or STORED_STATE not in cursor:
        return None
    state = _records_state(
        (key, stored.source_digest) for key, stored in existing.items() if not stored.deleted
    )
    if cursor[STORED_STATE] != state:
        return None
    config.stored_documents = {
        url: validators["sha256"]
        for url, validators in (cursor.get("http") or {}).items()
        if "sha256" in validators
    }
    return state


def _state_left(
    writer: _RunWriter, summary: RunSummary, done: Done, verified_state: str | None
) -> str | None:
    """The state of the stored records after this run, when it is known to be what the
    documents say: a complete run stored every record it read and tombstoned the rest, or
    the source was unchanged and the records were already what it says. None otherwise:
    the next run reads every document."""
    if done.not_modified:
        return verified_state
    if summary.failed or summary.incidents or not done.complete:
        return None
    if any(source_digest is None for source_digest in writer.taken.values()):
        return None
    return _records_state(writer.taken.items())


def _take_item(
    writer: _RunWriter,
    existing: dict[str, ExistingRecord],
    seen: set[str],
    item: Item,
    summary: RunSummary,
) -> None:
    if item.key in seen:
        summary.failed += 1
        writer.error(item.key, "Nyckeln förekommer mer än en gång i källan", None, "error")
        return
    seen.add(item.key)
    stored = existing.get(item.key)
    if (
        stored is not None
        and not stored.deleted
        and item.digest is not None
        and item.digest == stored.source_digest
    ):
        # The source says exactly what it said last time: no need to map the record.
        writer.taken[item.key] = item.digest
        summary.unchanged += 1
        return
    # A lazy item is mapped here, not in the connector: its mapping gets the same
    # per-record guard, so one bad value fails that record and the run goes on.
    guard = RecordGuard(item.key)
    with guard:
        warnings = item.warnings
        plain = to_dict(item.record)
    if guard.failure is not None:
        summary.failed += 1
        writer.error(item.key, guard.failure.reason, guard.failure.field, "error")
        return
    too_long = columns.overlong(item.key, item.record, item.record.governance.information_owner)
    if too_long is not None:
        summary.failed += 1
        writer.error(item.key, too_long[1], too_long[0], "error")
        return
    titles, names = stored_secrets(plain)
    for warning in warnings:
        summary.warnings += 1
        writer.error(item.key, warning, None, "warning", titles, names)
    stated = item.record.governance.description_visibility
    plain["governance"]["description_visibility"] = visibility.describe(
        stated, writer.description_default
    )
    data, digest = serialised_record(plain)
    writer.taken[item.key] = item.digest
    if stored is None:
        writer.add(item, data, digest)
        summary.added += 1
    elif stored.content_hash != digest or stored.deleted:
        writer.update(stored, item, data, digest)
        summary.updated += 1
    else:
        if stored.source_digest != item.digest:
            # Said differently, meaning the same: remember the new digest, nothing changed.
            writer.digests.append({"id": stored.id, "source_digest": item.digest})
        summary.unchanged += 1


TREND_RUNS = 5  # the deletion guard also judges this many runs together


def _tombstone(
    writer: _RunWriter,
    existing: dict[str, ExistingRecord],
    seen: set[str] | None,
    marked: list[str],
    summary: RunSummary,
    allow_deletions: bool,
) -> bool:
    """Tombstone what the source marked deleted and, after a complete run (``seen`` given),
    what it no longer lists, unless the deletion guard holds them; return whether it did.

    The guard looks at this run (its share of the live records) and at the trend: this run
    and the ``TREND_RUNS - 1`` before it together may not delete more than the same share
    of what was there before them, so deleting just under the limit run after run trips it.
    """
    live = [stored for stored in existing.values() if not stored.deleted]
    missing = [
        stored.id
        for key, stored in existing.items()
        if seen is not None and not stored.deleted and key not in seen
    ]
    doomed = list(dict.fromkeys([*marked, *missing]))
    if not doomed:
        return False
    limit = float(writer.source.options.get("deletion_guard", DEFAULT_DELETION_GUARD))
    share = len(doomed) / len(live)
    before = _recently_deleted(writer)
    trend = (len(doomed) + before) / (len(live) + before)
    if (share > limit or trend > limit) and not allow_deletions:
        what = f"{len(doomed)} av {len(live)} poster ({share:.0%})"
        if share <= limit:
            what += (
                f", och med de {before} som togs bort i de {TREND_RUNS - 1} körningarna före "
                f"{trend:.0%}"
            )
        message = (
            f"Källan '{writer.source.name}' skulle ta bort {what} "
            f"({len(marked)} markerade som borttagna, {len(missing)} saknas), mer än tillåtna "
            f"{limit:.0%}. Inget togs bort; bekräfta med "
            f"'insyn harvest {writer.source.name} --allow-deletions' om det stämmer."
        )
        writer.session.add(
            Incident(
                source_id=writer.source.id,
                run_id=writer.run_id,
                kind="deletion_guard",
                message=message,
                status="open",
                created_at=utcnow(),
                details={
                    "missing": len(missing),
                    "marked": len(marked),
                    "live": len(live),
                    "share": share,
                    "trend": trend,
                },
            )
        )
        summary.incidents.append(message)
        return True
    summary.deleted += writer.tombstone(doomed)
    return False


def _recently_deleted(writer: _RunWriter) -> int:
    """Records deleted by the source's last ``TREND_RUNS - 1`` completed runs."""
    recent = (
        select(HarvestRun.deleted)
        .where(
            HarvestRun.source_id == writer.source.id,
            HarvestRun.status == "completed",
            HarvestRun.id != writer.run_id,
        )
        .order_by(HarvestRun.id.desc())
        .limit(TREND_RUNS - 1)
    )
    return sum(deleted or 0 for deleted in writer.session.scalars(recent))
