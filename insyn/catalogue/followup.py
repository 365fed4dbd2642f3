"""Follow-up (uppföljning) in the store: plan rules, classification history, incidents.

Tables (migration ``followup_0001``):

- ``plan_rules``: the imported information-management plan, one row per rule;
- ``classification_history``: every K/R/T level set on a record, by whom and when
  (``harvest``, ``rule`` or ``person``);
- ``quality_snapshots``: a source's mean MQA score after each run, for quality-drop
  incidents and trends;
- ``incident_notifications``: each e-mail sent (or failed) about an incident.

``after_run`` is the engine's hook: inside the run's transaction it applies the plan to
the records the run changed, re-applies people's classifications, records a quality
snapshot and raises incidents (validation failures, a quality drop, a source unchanged
for longer than its ``max_unchanged_days``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from insyn.catalogue.models import (
    Base,
    CatalogueRecord,
    ChangeLogEntry,
    HarvestRun,
    Incident,
    RecordError,
    Source,
)
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import CatalogueError, NotFoundError
from insyn.vocab import plan as planning
from insyn.vocab import quality

DEFAULT_PLAN = "Informationshanteringsplan"
DEFAULT_QUALITY_DROP = 20.0  # MQA points (of 405) that make a drop an incident
INCIDENT_STATES = ("open", "acknowledged", "resolved")
KRT = ("confidentiality", "integrity", "availability")


class PlanRuleRow(Base):
    """One rule of the imported information-management plan."""

    __tablename__ = "plan_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    process_code: Mapped[str] = mapped_column(String(50))
    process: Mapped[str | None] = mapped_column(String(500))
    record_type: Mapped[str | None] = mapped_column(String(500))
    record_kind: Mapped[str | None] = mapped_column(String(20))
    document_type: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(200))
    secrecy: Mapped[str | None] = mapped_column(String(200))
    personal_data: Mapped[bool | None] = mapped_column(Boolean)
    confidentiality: Mapped[int | None] = mapped_column(Integer)
    integrity: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_plan_rules_plan", "plan"),)

    def rule(self) -> planning.PlanRule:
        return planning.PlanRule(
            key=self.key,
            process_code=self.process_code,
            action=self.action,
            period=self.period,
            process=self.process,
            record_type=self.record_type,
            record_kind=self.record_kind,
            document_type=self.document_type,
            source=self.source,
            secrecy=self.secrecy,
            personal_data=self.personal_data,
            confidentiality=self.confidentiality,
            integrity=self.integrity,
            availability=self.availability,
        )


class ClassificationChange(Base):
    """K/R/T levels set on a record: by a harvest, a plan rule or a person."""

    __tablename__ = "classification_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"))
    confidentiality: Mapped[int | None] = mapped_column(Integer)
    integrity: Mapped[int | None] = mapped_column(Integer)
    availability: Mapped[int | None] = mapped_column(Integer)
    set_by_kind: Mapped[str] = mapped_column(String(20))  # harvest, rule, person
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_classification_history_record", "record_id", "set_at"),)


class QualitySnapshot(Base):
    """A source's mean MQA score after a run."""

    __tablename__ = "quality_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    datasets: Mapped[int] = mapped_column(Integer)
    points: Mapped[float] = mapped_column()

    __table_args__ = (Index("ix_quality_snapshots_source", "source_id", "taken_at"),)


class IncidentNotification(Base):
    """An e-mail about an incident: to whom, when, and whether it went."""

    __tablename__ = "incident_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(20))  # opened, acknowledged, resolved
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_notifications_incident", "incident_id"),)


# --- the plan -----------------------------------------------------------------------------


def import_plan(catalogue: Catalogue, rules: Sequence[planning.PlanRule], plan: str) -> int:
    """Replace the stored rules of ``plan`` with ``rules``; return how many were stored."""
    now = utcnow()
    with catalogue.session() as session:
        session.execute(delete(PlanRuleRow).where(PlanRuleRow.plan == plan))
        for position, rule in enumerate(rules):
            session.add(
                PlanRuleRow(
                    plan=plan,
                    key=rule.key,
                    position=position,
                    process_code=rule.process_code,
                    process=rule.process,
                    record_type=rule.record_type,
                    record_kind=rule.record_kind,
                    document_type=rule.document_type,
                    source=rule.source,
                    action=rule.action,
                    period=rule.period,
                    secrecy=rule.secrecy,
                    personal_data=rule.personal_data,
                    confidentiality=rule.confidentiality,
                    integrity=rule.integrity,
                    availability=rule.availability,
                    imported_at=now,
                )
            )
        session.commit()
    return len(rules)


def stored_rules(session: Session) -> list[tuple[str, planning.PlanRule]]:
    """Every stored rule with its plan's name, in plan and row order."""
    rows = session.scalars(select(PlanRuleRow).order_by(PlanRuleRow.plan, PlanRuleRow.position))
    return [(row.plan, row.rule()) for row in rows]


@dataclass
class ApplyResult:
    records: int = 0  # records looked at
    changed: int = 0  # records given a derived value
    fields: int = 0  # values derived


def _derived_paths(provenance: dict[str, Any]) -> list[str]:
    return [
        path
        for path, entry in provenance.items()
        if path.startswith("governance.") and isinstance(entry, dict) and "rule" in entry
    ]


def apply_plan(
    session: Session,
    *,
    source_id: int | None = None,
    run_id: int | None = None,
    record_ids: Iterable[str] | None = None,
) -> ApplyResult:
    """Apply the stored plan to live records (of a source, of a run, or all).

    Values an earlier rule derived are re-derived (so a new plan replaces them); values
    the source or a person gave are never touched. Each changed record gets its derived
    fields' provenance (``{"rule": …, "plan": …, "at": …}``), an updated personal-data
    column and a change-log entry, in the caller's transaction.
    """
    rules = stored_rules(session)
    result = ApplyResult()
    if not rules and run_id is not None:
        # A run's records come fresh from the source, with no derived values to strip.
        return result
    query = select(
        CatalogueRecord.id,
        CatalogueRecord.kind,
        CatalogueRecord.data,
        CatalogueRecord.field_provenance,
        Source.name,
    ).join(Source, Source.id == CatalogueRecord.source_id)
    query = query.where(CatalogueRecord.deleted_at.is_(None))
    if source_id is not None:
        query = query.where(CatalogueRecord.source_id == source_id)
    if run_id is not None:
        query = query.where(CatalogueRecord.changed_by_run_id == run_id)
    if record_ids is not None:
        query = query.where(CatalogueRecord.id.in_(list(record_ids)))
    now = utcnow()
    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for record_id, kind, data, provenance, source_name in session.execute(query):
        result.records += 1
        original_provenance = dict(provenance or {})
        provenance = dict(original_provenance)
        old_paths = _derived_paths(provenance)
        base = planning.strip_derived(data, old_paths) if old_paths else data
        governance = base.get("governance") or {}
        found = _match(rules, governance, kind, base, source_name)
        new_data, filled = base, {}
        if found is not None:
            plan_name, rule = found
            derived = planning.apply_rule(base, rule, plan_name)
            new_data, filled = derived.data, derived.fields
        if not filled and not old_paths:
            continue
        old_entries = {path: provenance.pop(path) for path in old_paths}
        for path, key in filled.items():
            previous = old_entries.get(path)
            same = previous and previous.get("rule") == key and base_equal(data, new_data, path)
            provenance[path] = (
                previous
                if same
                else {"rule": key, "plan": found[0] if found else None, "at": now.isoformat()}
            )
            if run_id is not None and not same:
                provenance[path]["run"] = run_id
        if new_data == data:
            if provenance != original_provenance:
                updates.append({"id": record_id, "field_provenance": provenance})
            continue
        result.changed += 1
        result.fields += len(filled)
        new_governance = new_data.get("governance") or {}
        updates.append(
            {
                "id": record_id,
                "data": new_data,
                "field_provenance": provenance,
                "contains_personal_data": new_governance.get("contains_personal_data"),
            }
        )
        if any(f"governance.{name}" in filled for name in KRT):
            history.append(
                {
                    "record_id": record_id,
                    **{name: new_governance.get(name) for name in KRT},
                    "set_by_kind": "rule",
                    "set_by": f"{found[0]}: {found[1].key}" if found else "plan",
                    "set_at": now,
                }
            )
    for start in range(0, len(updates), 1000):
        chunk = updates[start : start + 1000]
        for row in chunk:
            session.execute(
                update(CatalogueRecord)
                .where(CatalogueRecord.id == row["id"])
                .values({k: v for k, v in row.items() if k != "id"})
            )
        changed = [row["id"] for row in chunk if "data" in row]
        if changed:
            session.execute(
                insert(ChangeLogEntry),
                [
                    {"record_id": rid, "operation": "upsert", "run_id": run_id, "changed_at": now}
                    for rid in changed
                ],
            )
    if history:
        session.execute(insert(ClassificationChange), history)
    return result


def base_equal(old: dict[str, Any], new: dict[str, Any], path: str) -> bool:
    name = path.removeprefix("governance.")
    return (old.get("governance") or {}).get(name) == (new.get("governance") or {}).get(name)


def _match(
    rules: list[tuple[str, planning.PlanRule]],
    governance: dict[str, Any],
    kind: str,
    data: dict[str, Any],
    source_name: str,
) -> tuple[str, planning.PlanRule] | None:
    found: tuple[str, planning.PlanRule] | None = None
    for plan_name, rule in rules:
        if rule.matches(
            process_code=governance.get("process_code"),
            kind=kind,
            document_type=data.get("document_type"),
            source=source_name,
        ) and (found is None or rule.specificity > found[1].specificity):
            found = (plan_name, rule)
    return found


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


def _reapply_people(session: Session, run_id: int) -> None:
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


def _record_harvest_classification(
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
            stamp = f"{now:%Y-%m-%d %H:%M} {by}: {comment}"
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


# --- the engine's hook --------------------------------------------------------------------


def _source_quality(session: Session, source_id: int) -> tuple[int, float]:
    """Datasets scored and their mean points, from each record's stored score."""
    count, mean = session.execute(
        select(
            func.count(CatalogueRecord.quality_points), func.avg(CatalogueRecord.quality_points)
        ).where(
            CatalogueRecord.source_id == source_id,
            CatalogueRecord.deleted_at.is_(None),
            CatalogueRecord.kind == "dataset",
        )
    ).one()
    return count or 0, float(mean or 0.0)


def after_run(
    session: Session,
    source: Source,
    run_id: int,
    summary: Any,
    changed_governance: Iterable[tuple[str, dict[str, Any]]] = (),
) -> list[str]:
    """The engine's hook, in the run's transaction; return messages of incidents opened.

    ``changed_governance`` pairs each record the run added or changed with its
    governance fields, as the engine wrote them (no need to read them back).
    """
    opened: list[str] = []
    _record_harvest_classification(session, source.name, changed_governance)
    _reapply_people(session, run_id)
    apply_plan(session, source_id=source.id, run_id=run_id)
    session.flush()
    options = dict(source.options or {})

    if summary.failed:
        reasons = list(
            session.scalars(
                select(RecordError.reason)
                .where(RecordError.run_id == run_id, RecordError.severity == "error")
                .limit(5)
            )
        )
        message = (
            f"{summary.failed} poster från '{source.name}' kunde inte tas in "
            f"(valideringsfel). Första felet: {reasons[0] if reasons else 'okänt'}"
        )
        if open_incident(
            session,
            source,
            "validation_failed",
            message,
            run_id=run_id,
            details={"failed": summary.failed, "reasons": reasons},
        ):
            opened.append(message)

    changed_now = summary.added + summary.updated + summary.deleted > 0
    # Scoring reads every dataset of the source: only worth it when something changed.
    datasets, points = _source_quality(session, source.id) if changed_now else (0, 0.0)
    previous = session.scalar(
        select(QualitySnapshot)
        .where(QualitySnapshot.source_id == source.id)
        .order_by(QualitySnapshot.taken_at.desc(), QualitySnapshot.id.desc())
        .limit(1)
    )
    if datasets:
        session.add(
            QualitySnapshot(
                source_id=source.id,
                run_id=run_id,
                taken_at=utcnow(),
                datasets=datasets,
                points=points,
            )
        )
        limit = float(options.get("quality_drop", DEFAULT_QUALITY_DROP))
        if previous is not None and (
            previous.points - points >= limit
            or (
                quality.rating(points) != quality.rating(previous.points)
                and points < previous.points
            )
        ):
            message = (
                f"Metadatakvaliteten för '{source.name}' sjönk från {previous.points:.0f} till "
                f"{points:.0f} poäng av {quality.MAX_POINTS} "
                f"({quality.RATING_LABELS[quality.rating(points)].lower()})."
            )
            if open_incident(
                session,
                source,
                "quality_drop",
                message,
                run_id=run_id,
                details={"before": previous.points, "after": points},
            ):
                opened.append(message)

    max_days = options.get("max_unchanged_days")
    if max_days not in (None, ""):
        last_change = session.scalar(
            select(func.max(HarvestRun.finished_at)).where(
                HarvestRun.source_id == source.id,
                HarvestRun.status == "completed",
                (HarvestRun.added + HarvestRun.updated + HarvestRun.deleted) > 0,
            )
        )
        reference = last_change or source.created_at
        if not changed_now and reference is not None:
            reference = _aware(reference)
            age = utcnow() - reference
            if age > timedelta(days=float(max_days)):
                message = (
                    f"Källan '{source.name}' har inte ändrats på {age.days} dagar "
                    f"(förväntat högst {max_days})."
                )
                if open_incident(
                    session,
                    source,
                    "source_unchanged",
                    message,
                    run_id=run_id,
                    details={"days": age.days, "max_days": float(max_days)},
                ):
                    opened.append(message)
    return opened


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
