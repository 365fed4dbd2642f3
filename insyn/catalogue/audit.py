"""The audit log: who looked at what non-public information, and every export.

Append-only: this module offers ``record`` and reads, nothing that changes or removes
an entry, and the database refuses it too (the migration adds triggers: on SQLite they
raise, on PostgreSQL a trigger function raises). Each entry says who (user name and
role), when (UTC), what (action, record id, details) and from where (client address).

``export_csv`` writes the log for the data protection officer (dataskyddsombud); the
export itself is logged.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, DateTime, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column

from insyn.catalogue.models import Base, BigId
from insyn.catalogue.store import Catalogue

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Actions: what was done.
VIEW_RECORD = "view_record"  # a non-public record (or its unmasked form) was shown
SEARCH = "search"  # a search that showed non-public records
EXPORT = "export"  # any export (audit log, request log, catalogue)
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
REQUEST_LOGGED = "request_logged"  # an entry in the public-access request log
CSV_COLUMNS = ("id", "tid", "användare", "roll", "åtgärd", "post", "detaljer", "klientadress")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str | None] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_address: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_record", "record_id"),
        Index("ix_audit_log_client", "client_address", "at"),
    )


def _utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC (naive: taken as UTC); SQLite stores no offset."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def record(
    catalogue: Catalogue,
    *,
    actor: str,
    role: str,
    action: str,
    record_id: str | None = None,
    details: dict[str, Any] | None = None,
    client_address: str | None = None,
    at: datetime | None = None,
) -> int:
    """Append one entry (at ``at``, default now); return its id."""
    with catalogue.session() as session:
        entry = AuditEntry(
            at=_utc(at) if at else datetime.now(UTC),
            actor=actor,
            role=role,
            action=action,
            record_id=record_id,
            details=details or {},
            client_address=client_address,
        )
        session.add(entry)
        session.commit()
        return entry.id


def entries(
    catalogue: Catalogue,
    *,
    since: datetime | None = None,
    record_id: str | None = None,
    batch_size: int = 1000,
) -> Iterator[AuditEntry]:
    """Yield entries oldest first, a batch at a time."""
    last = 0
    while True:
        with catalogue.session() as session:
            query = select(AuditEntry).where(AuditEntry.id > last)
            if since is not None:
                query = query.where(AuditEntry.at >= _utc(since))
            if record_id is not None:
                query = query.where(AuditEntry.record_id == record_id)
            rows = list(session.scalars(query.order_by(AuditEntry.id).limit(batch_size)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def count(
    catalogue: Catalogue,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
) -> int:
    """Return how many entries match (e.g. failed sign-ins of one user since a moment)."""
    from sqlalchemy import func

    with catalogue.session() as session:
        query = select(func.count()).select_from(AuditEntry)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        if since is not None:
            query = query.where(AuditEntry.at >= _utc(since))
        return int(session.scalar(query) or 0)


def failed_sign_ins(
    catalogue: Catalogue,
    *,
    client_address: str,
    since: datetime,
    actor: str | None = None,
    limit: int = 100,
) -> list[datetime]:
    """Return when sign-ins from ``client_address`` failed since ``since``, newest first.

    With ``actor``: only that user name's failures, and only those after the last
    successful sign-in of that name from that address (a success wipes the slate).
    """
    with catalogue.session() as session:
        start = _utc(since)
        if actor is not None:
            last_success = session.scalar(
                select(AuditEntry.at)
                .where(
                    AuditEntry.client_address == client_address,
                    AuditEntry.actor == actor,
                    AuditEntry.action == SIGN_IN,
                    AuditEntry.at >= start,
                )
                .order_by(AuditEntry.at.desc())
                .limit(1)
            )
            start = max(start, _utc(last_success)) if last_success else start
        query = select(AuditEntry.at).where(
            AuditEntry.client_address == client_address,
            AuditEntry.action == SIGN_IN_FAILED,
            AuditEntry.at >= start,
        )
        if actor is not None:
            query = query.where(AuditEntry.actor == actor)
        rows = session.scalars(query.order_by(AuditEntry.at.desc()).limit(limit))
        return [_utc(at) for at in rows]


def _local(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).isoformat(timespec="seconds")


def write_csv(catalogue: Catalogue, out: IO[str], *, since: datetime | None = None) -> int:
    """Write the log as CSV (times in Europe/Stockholm); return the number of rows."""
    import json

    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in entries(catalogue, since=since):
        writer.writerow(
            [
                entry.id,
                _local(entry.at),
                entry.actor,
                entry.role,
                entry.action,
                entry.record_id or "",
                json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True),
                entry.client_address or "",
            ]
        )
        count += 1
    return count


def export_csv(
    catalogue: Catalogue,
    path: Path,
    *,
    actor: str,
    role: str = "admin",
    since: datetime | None = None,
    client_address: str | None = "cli",
) -> int:
    """Write the log to ``path`` (UTF-8 with BOM, for spreadsheets); log the export itself.

    Returns the number of entries written (the export's own entry comes after them).
    """
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        count = write_csv(catalogue, out, since=since)
    record(
        catalogue,
        actor=actor,
        role=role,
        action=EXPORT,
        details={"what": "audit_log", "file": str(path), "rows": count},
        client_address=client_address,
    )
    return count
