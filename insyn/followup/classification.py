"""K/R/T classification of records: by harvest, plan rule or person, with history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from insyn.catalogue.followup_models import (
    ClassificationChange,
)
from insyn.catalogue.models import (
    CatalogueRecord,
    ChangeLogEntry,
)
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import CatalogueError

KRT = ("confidentiality", "integrity", "availability")


# --- classification ---------------------------------------------------------------------


def classify(
    catalogue: Catalogue,
    record_id: str,
    *,
    by: str,
    confidentiality: int | None = None,
    integrity: int | None = None,
    availability: int | None = None,
    comment: str | None = None,
) -> ClassificationChange:
    """Set K/R/T levels on a record as a person; recorded with who and when.

    Levels not given keep their value. A person's levels outlast later harvests
    (``after_run`` re-applies the latest).

    Raises:
        NotFoundError: no such record.
        CatalogueError: a level outside 0–3, or no level given.
    """
    given = {
        "confidentiality": confidentiality,
        "integrity": integrity,
        "availability": availability,
    }
    if all(value is None for value in given.values()):
        raise CatalogueError("Ange minst en nivå: --k, --r eller --t")
    for name, value in given.items():
        if value is not None and not 0 <= value <= 3:
            raise CatalogueError(f"Nivån för {name} ska vara 0–3, inte {value}")
    row = catalogue.get_record_row(record_id)
    now = utcnow()
    with catalogue.session() as session:
        record = session.get(CatalogueRecord, row.id)
        assert record is not None
        data = dict(record.data)
        governance = dict(data.get("governance") or {})
        provenance = dict(record.field_provenance or {})
        for name, value in given.items():
            if value is not None:
                governance[name] = value
                provenance[f"governance.{name}"] = {"by": by, "at": now.isoformat()}
        data["governance"] = governance
        record.data = data
        record.field_provenance = provenance
        change = ClassificationChange(
            record_id=record.id,
            **{name: governance.get(name) for name in KRT},
            set_by_kind="person",
            set_by=by,
            set_at=now,
            comment=comment,
        )
        session.add(change)
        session.add(ChangeLogEntry(record_id=record.id, operation="upsert", changed_at=now))
        session.commit()
        return change


def classification_history(catalogue: Catalogue, record_id: str) -> list[ClassificationChange]:
    row = catalogue.get_record_row(record_id)
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(ClassificationChange)
                .where(ClassificationChange.record_id == row.id)
                .order_by(ClassificationChange.set_at, ClassificationChange.id)
            )
        )


def reapply_people(session: Session, run_id: int) -> None:
    """Put back people's K/R/T levels on records the run replaced with source data."""
    latest = (
        select(ClassificationChange.record_id, func.max(ClassificationChange.id).label("last_id"))
        .join(CatalogueRecord, CatalogueRecord.id == ClassificationChange.record_id)
        .where(
            ClassificationChange.set_by_kind == "person",
            CatalogueRecord.changed_by_run_id == run_id,
        )
        .group_by(ClassificationChange.record_id)
        .subquery()
    )
    changes = session.scalars(
        select(ClassificationChange).join(latest, latest.c.last_id == ClassificationChange.id)
    )
    for change in changes:
        record = session.get(CatalogueRecord, change.record_id)
        if record is None:
            continue
        data = dict(record.data)
        governance = dict(data.get("governance") or {})
        provenance = dict(record.field_provenance or {})
        for name in KRT:
            value = getattr(change, name)
            if value is not None:
                governance[name] = value
                provenance[f"governance.{name}"] = {
                    "by": change.set_by,
                    "at": change.set_at.isoformat(),
                }
        data["governance"] = governance
        record.data = data
        record.field_provenance = provenance


def record_harvest_classification(
    session: Session, source_name: str, governance_by_record: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    """Log K/R/T levels a source gave on records this run added or changed."""
    now = utcnow()
    history = []
    for record_id, governance in governance_by_record:
        levels = {name: governance.get(name) for name in KRT}
        if any(value is not None for value in levels.values()):
            history.append(
                {
                    "record_id": record_id,
                    **levels,
                    "set_by_kind": "harvest",
                    "set_by": source_name,
                    "set_at": now,
                }
            )
    if history:
        session.execute(insert(ClassificationChange), history)
