"""The engine's hook after each run: plan, classification, quality, incidents."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from insyn.catalogue.followup_models import QualitySnapshot
from insyn.catalogue.models import (
    CatalogueRecord,
    HarvestRun,
    RecordError,
    Source,
)
from insyn.catalogue.store import utcnow
from insyn.followup.classification import reapply_people, record_harvest_classification
from insyn.followup.incidents import open_incident
from insyn.followup.plan import apply_plan
from insyn.vocab import quality

DEFAULT_QUALITY_DROP = 20.0  # MQA points (of 405) that make a drop an incident


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
    record_harvest_classification(session, source.name, changed_governance)
    reapply_people(session, run_id)
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

    stored = summary.added + summary.updated + summary.unchanged
    if stored == 0 and (summary.failed or summary.warnings):
        # "Completed, 0 added" says nothing: the source held something and the run kept
        # none of it. The incident names why, from what the run itself reported.
        message, reasons = _empty_run(session, source.name, run_id, summary)
        if open_incident(
            session,
            source,
            "empty_harvest",
            message,
            run_id=run_id,
            details={"failed": summary.failed, "warnings": summary.warnings, "reasons": reasons},
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


def _empty_run(session: Session, name: str, run_id: int, summary: Any) -> tuple[str, list[str]]:
    """The message of a run that stored nothing from a source that was not empty, and the
    reasons it gives: record errors first, then what the run said of the whole source."""
    rows = session.execute(
        select(RecordError.reason)
        .where(RecordError.run_id == run_id)
        .order_by((RecordError.severity != "error"), RecordError.record_key.is_not(None))
        .limit(5)
    ).scalars()
    reasons = list(rows)
    first = reasons[0] if reasons else "okänt"
    message = (
        f"Körningen av '{name}' lagrade inga poster fast källan inte var tom "
        f"({summary.failed} poster kunde inte läsas, {summary.warnings} varningar). "
        f"Skäl: {first}"
    )
    return message, reasons


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
