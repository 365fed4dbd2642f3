"""Harvest incidents (avvikelser) and their lifecycle: open → acknowledged → resolved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from insyn.catalogue.models import (
    Incident,
    Source,
)
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import CatalogueError, NotFoundError
from insyn.followup.notices import STOCKHOLM

# --- incidents -------------------------------------------------------------------------


def open_incident(
    session: Session,
    source: Source,
    kind: str,
    message: str,
    *,
    run_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> Incident | None:
    """Open an incident unless one of this kind is still open for the source."""
    existing = session.scalar(
        select(Incident).where(
            Incident.source_id == source.id,
            Incident.kind == kind,
            Incident.status != "resolved",
        )
    )
    if existing is not None:
        existing.details = {
            **(existing.details or {}),
            "repeated": (existing.details or {}).get("repeated", 0) + 1,
        }
        return None
    incident = Incident(
        source_id=source.id,
        run_id=run_id,
        kind=kind,
        message=message,
        status="open",
        created_at=utcnow(),
        details=details or {},
    )
    session.add(incident)
    return incident


def _transition(
    catalogue: Catalogue, incident_id: int, status: str, by: str, comment: str | None
) -> Incident:
    with catalogue.session() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFoundError(f"Avvikelse {incident_id} finns inte")
        if incident.status == "resolved":
            raise CatalogueError(f"Avvikelse {incident_id} är redan åtgärdad")
        if status == "acknowledged" and incident.status != "open":
            raise CatalogueError(f"Avvikelse {incident_id} är redan kvitterad")
        now = utcnow()
        if status == "acknowledged" or incident.acknowledged_at is None:
            incident.acknowledged_at, incident.acknowledged_by = now, by
        if status == "resolved":
            incident.resolved_at, incident.resolved_by = now, by
        incident.status = status
        if comment:
            # The comment keeps its time as text: written in Stockholm time, as it is read.
            stamp = f"{now.astimezone(STOCKHOLM):%Y-%m-%d %H:%M} {by}: {comment}"
            incident.comment = f"{incident.comment}\n{stamp}" if incident.comment else stamp
        session.commit()
        session.refresh(incident, ["source"])
        return incident


def acknowledge(catalogue: Catalogue, incident_id: int, by: str, comment: str | None = None):
    """Mark an open incident acknowledged (kvitterad) by ``by``.

    Raises:
        NotFoundError: no such incident.
        CatalogueError: it is not open.
    """
    return _transition(catalogue, incident_id, "acknowledged", by, comment)


def resolve(catalogue: Catalogue, incident_id: int, by: str, comment: str | None = None):
    """Mark an incident resolved (åtgärdad); acknowledges it too if nobody had.

    Raises:
        NotFoundError: no such incident.
        CatalogueError: it is already resolved.
    """
    return _transition(catalogue, incident_id, "resolved", by, comment)
