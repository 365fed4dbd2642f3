"""The follow-up report (uppföljningsrapport) per information owner, as data.

``build_report(catalogue, owner, year)`` returns a ``FollowUpReport``: what the owner's
records are (described, classified, retention-ruled, flagged for personal data, rated
for quality), how its sources' harvests went (success rate, incidents opened and
resolved, time to resolve), how its requests for official documents were handled (per
unit and month, as ``requests_log.requests_statistics`` counts them for the follow-up
page too) and how that compares with the year before. Rendering (HTML,
charts, PDF) is in ``insyn.followup.report``; this module only reads the store.

An owner's report covers the organisation and every unit below it in the tree.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from insyn.catalogue import requests_log
from insyn.catalogue.followup_models import QualitySnapshot
from insyn.catalogue.models import CatalogueRecord, HarvestRun, Incident, Organisation, Source
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import NotFoundError
from insyn.vocab import quality


@dataclass
class Period:
    year: int

    @property
    def start(self) -> datetime:
        return datetime(self.year, 1, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.year + 1, 1, 1, tzinfo=UTC)

    @property
    def label(self) -> str:
        return str(self.year)

    def previous(self) -> Period:
        return Period(self.year - 1)

    @property
    def days(self) -> tuple[date, date]:
        """The first and last day, both included (as the request statistics take them)."""
        return date(self.year, 1, 1), date(self.year, 12, 31)


@dataclass
class RecordFigures:
    """What an owner's records look like."""

    total: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    public: int = 0
    classified: int = 0  # all of K, R and T set
    retention: int = 0
    retention_derived: int = 0  # filled by a plan rule
    personal_data_flag: int = 0  # yes or no stated
    personal_data_yes: int = 0
    datasets_scored: int = 0
    quality: quality.QualitySummary | None = None

    def share(self, count: int) -> float:
        return count / self.total if self.total else 0.0


@dataclass
class HarvestFigures:
    runs: int = 0
    completed: int = 0
    failed: int = 0
    incidents_opened: int = 0
    incidents_resolved: int = 0
    incidents_open_now: int = 0
    resolve_hours: list[float] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    runs_by_month: dict[int, tuple[int, int]] = field(default_factory=dict)  # ok, failed
    incidents_by_month: dict[int, int] = field(default_factory=dict)

    @property
    def success_rate(self) -> float | None:
        return self.completed / self.runs if self.runs else None

    @property
    def median_resolve_hours(self) -> float | None:
        return statistics.median(self.resolve_hours) if self.resolve_hours else None


@dataclass
class FollowUpReport:
    owner: str
    owner_units: list[str]
    period: Period
    generated_at: datetime
    records: RecordFigures
    records_previous_total: int
    harvest: HarvestFigures
    harvest_previous: HarvestFigures
    quality_snapshot: float | None  # mean of the sources' last snapshots in the period
    quality_snapshot_previous: float | None
    sources: list[str]
    open_incidents: list[dict[str, Any]]
    # Requests for official documents per unit and month (the policy's handling times).
    requests: list[requests_log.RequestStatistics] = field(default_factory=list)

    @property
    def requests_total(self) -> requests_log.RequestStatistics:
        """All the owner's requests of the period as one row (unit and month left empty)."""
        total = requests_log.RequestStatistics(None, "", "")
        for row in self.requests:
            for name in ("requests", "answered", "open", "overdue", "late", "documents"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
            total.handling_days.extend(row.handling_days)
            for key, count in row.outcomes.items():
                total.outcomes[key] += count
        return total

    def as_json(self) -> dict[str, Any]:
        records = self.records
        summary = records.quality
        return {
            "owner": self.owner,
            "period": self.period.label,
            "records": {
                "total": records.total,
                "previous_total": self.records_previous_total,
                "by_kind": dict(records.by_kind),
                "classified": records.classified,
                "retention": records.retention,
                "retention_derived": records.retention_derived,
                "personal_data_flag": records.personal_data_flag,
                "quality": summary.as_json() if summary else None,
            },
            "harvest": {
                "runs": self.harvest.runs,
                "success_rate": self.harvest.success_rate,
                "incidents_opened": self.harvest.incidents_opened,
                "incidents_resolved": self.harvest.incidents_resolved,
                "median_resolve_hours": self.harvest.median_resolve_hours,
            },
            "requests": [
                {
                    "unit": row.unit,
                    "month": row.month,
                    "requests": row.requests,
                    "answered": row.answered,
                    "open": row.open,
                    "late": row.late,
                    "median_handling_days": row.median_handling_days,
                    "outcomes": {key: count for key, count in row.outcomes.items() if count},
                }
                for row in self.requests
            ],
        }


def owner_units(catalogue: Catalogue, name: str) -> tuple[Organisation, list[Organisation]]:
    """Return the organisation called ``name`` (or with that URI) and its whole subtree.

    Raises:
        NotFoundError: no such organisation.
    """
    with catalogue.session() as session:
        organisations = list(session.scalars(select(Organisation)))
    wanted = name.casefold()
    root = next(
        (
            o
            for o in organisations
            if o.name_sv.casefold() == wanted or (o.uri or "").casefold() == wanted
        ),
        None,
    )
    if root is None:
        raise NotFoundError(f"Ingen organisation heter '{name}'")
    return root, _subtree(organisations, [root])


def _subtree(organisations: list[Organisation], roots: list[Organisation]) -> list[Organisation]:
    """The roots and every unit below them (each once; a cycle in the tree ends the walk)."""
    children: dict[int | None, list[Organisation]] = {}
    for organisation in organisations:
        children.setdefault(organisation.parent_id, []).append(organisation)
    units, pending, seen = [], list(roots), set()
    while pending:
        unit = pending.pop()
        if unit.id in seen:
            continue
        seen.add(unit.id)
        units.append(unit)
        pending.extend(children.get(unit.id, []))
    return units


def units_of(catalogue: Catalogue, organisation_ids: set[int]) -> set[int]:
    """Return the ids of the organisations ``organisation_ids`` and of every unit below them."""
    if not organisation_ids:
        return set()
    with catalogue.session() as session:
        organisations = list(session.scalars(select(Organisation)))
    roots = [o for o in organisations if o.id in organisation_ids]
    return {unit.id for unit in _subtree(organisations, roots)}


def sources_of(catalogue: Catalogue, unit_ids: set[int]) -> set[int]:
    """Return the ids of the sources that concern these units: the sources they own and the
    sources of their records (as the report counts them)."""
    if not unit_ids:
        return set()
    ids = sorted(unit_ids)
    with catalogue.session() as session:
        owned = set(session.scalars(select(Source.id).where(Source.owner_id.in_(ids))))
        harvested = set(
            session.scalars(
                select(CatalogueRecord.source_id)
                .where(CatalogueRecord.owner_id.in_(ids))
                .distinct()
            )
        )
    return owned | harvested


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _record_figures(
    catalogue: Catalogue, unit_ids: list[int], period: Period
) -> tuple[RecordFigures, int, set[int]]:
    figures = RecordFigures()
    accumulator = quality.QualityAccumulator("ägare")
    previous_total = 0
    source_ids: set[int] = set()
    end, previous_end = period.end, period.previous().end
    # One streamed query: keyset pages on (owner_id IN …, id > ?) made SQLite sort every
    # matching row for each page.
    with catalogue.session() as session:
        rows = session.execute(
            select(
                CatalogueRecord.id,
                CatalogueRecord.kind,
                CatalogueRecord.data,
                CatalogueRecord.is_public,
                CatalogueRecord.first_seen,
                CatalogueRecord.deleted_at,
                CatalogueRecord.source_id,
            )
            .where(CatalogueRecord.owner_id.in_(unit_ids))
            .execution_options(yield_per=2000)
        )
        for _id, kind, data, is_public, first_seen, deleted_at, source_id in rows:
            first_seen, deleted_at = _aware(first_seen), _aware(deleted_at)
            source_ids.add(source_id)
            if (
                first_seen
                and first_seen < previous_end
                and (deleted_at is None or deleted_at >= previous_end)
            ):
                previous_total += 1
            if not (first_seen and first_seen < end) or (
                deleted_at is not None and deleted_at < min(end, utcnow())
            ):
                continue
            figures.total += 1
            figures.by_kind[kind] += 1
            figures.public += bool(is_public)
            governance = (data or {}).get("governance") or {}
            if all(
                governance.get(n) is not None
                for n in ("confidentiality", "integrity", "availability")
            ):
                figures.classified += 1
            retention = governance.get("retention")
            if retention:
                figures.retention += 1
                figures.retention_derived += bool(retention.get("derived_from"))
            if governance.get("contains_personal_data") is not None:
                figures.personal_data_flag += 1
                figures.personal_data_yes += bool(governance["contains_personal_data"])
            score = quality.score_data(data) if kind == "dataset" else None
            if score is not None:
                accumulator.add(score)
    figures.datasets_scored = accumulator.count
    figures.quality = accumulator.summary() if accumulator.count else None
    return figures, previous_total, source_ids


def _harvest_figures(catalogue: Catalogue, source_ids: set[int], period: Period) -> HarvestFigures:
    figures = HarvestFigures(
        runs_by_month={month: (0, 0) for month in range(1, 13)},
        incidents_by_month=dict.fromkeys(range(1, 13), 0),
    )
    if not source_ids:
        return figures
    ids = sorted(source_ids)
    with catalogue.session() as session:
        runs = session.execute(
            select(HarvestRun.status, HarvestRun.started_at).where(
                HarvestRun.source_id.in_(ids),
                HarvestRun.started_at >= period.start,
                HarvestRun.started_at < period.end,
                HarvestRun.status != "running",
            )
        ).all()
        incidents = list(
            session.scalars(
                select(Incident).where(
                    Incident.source_id.in_(ids),
                    or_(
                        Incident.created_at.between(period.start, period.end),
                        Incident.resolved_at.between(period.start, period.end),
                    ),
                )
            )
        )
        figures.incidents_open_now = (
            session.scalar(
                select(func.count())
                .select_from(Incident)
                .where(Incident.source_id.in_(ids), Incident.status != "resolved")
            )
            or 0
        )
    for status, started_at in runs:
        month = _aware(started_at).month  # type: ignore[union-attr]
        ok, bad = figures.runs_by_month[month]
        figures.runs += 1
        if status == "completed":
            figures.completed += 1
            figures.runs_by_month[month] = (ok + 1, bad)
        else:
            figures.failed += 1
            figures.runs_by_month[month] = (ok, bad + 1)
    for incident in incidents:
        created, resolved = _aware(incident.created_at), _aware(incident.resolved_at)
        if created and period.start <= created < period.end:
            figures.incidents_opened += 1
            figures.by_kind[incident.kind] += 1
            figures.incidents_by_month[created.month] += 1
        if resolved and period.start <= resolved < period.end:
            figures.incidents_resolved += 1
            if created:
                figures.resolve_hours.append((resolved - created).total_seconds() / 3600)
    return figures


def _snapshot_mean(catalogue: Catalogue, source_ids: set[int], period: Period) -> float | None:
    if not source_ids:
        return None
    with catalogue.session() as session:
        rows = session.execute(
            select(QualitySnapshot.source_id, QualitySnapshot.points, QualitySnapshot.datasets)
            .where(
                QualitySnapshot.source_id.in_(sorted(source_ids)),
                QualitySnapshot.taken_at >= period.start,
                QualitySnapshot.taken_at < period.end,
            )
            .order_by(QualitySnapshot.taken_at, QualitySnapshot.id)
        ).all()
    last: dict[int, tuple[float, int]] = {}
    for source_id, points, datasets in rows:
        last[source_id] = (points, datasets)
    weight = sum(datasets for _, datasets in last.values())
    if not weight:
        return None
    return sum(points * datasets for points, datasets in last.values()) / weight


def build_report(catalogue: Catalogue, owner: str, year: int) -> FollowUpReport:
    """Build the follow-up report of ``owner`` (name or URI) for calendar year ``year``.

    Raises:
        NotFoundError: no organisation has that name.
    """
    period = Period(year)
    root, units = owner_units(catalogue, owner)
    unit_ids = [unit.id for unit in units]
    records, previous_total, source_ids = _record_figures(catalogue, unit_ids, period)
    with catalogue.session() as session:
        source_ids |= set(session.scalars(select(Source.id).where(Source.owner_id.in_(unit_ids))))
        sources = sorted(
            session.scalars(select(Source.name).where(Source.id.in_(sorted(source_ids))))
        )
        open_incidents = [
            {
                "id": incident.id,
                "kind": incident.kind,
                "status": incident.status,
                "message": incident.message,
                "created_at": incident.created_at,
            }
            for incident in session.scalars(
                select(Incident)
                .where(Incident.source_id.in_(sorted(source_ids)), Incident.status != "resolved")
                .order_by(Incident.created_at)
                .limit(10)
            )
        ]
    return FollowUpReport(
        owner=root.name_sv,
        owner_units=sorted(unit.name_sv for unit in units if unit.id != root.id),
        period=period,
        generated_at=utcnow(),
        records=records,
        records_previous_total=previous_total,
        harvest=_harvest_figures(catalogue, source_ids, period),
        harvest_previous=_harvest_figures(catalogue, source_ids, period.previous()),
        quality_snapshot=_snapshot_mean(catalogue, source_ids, period),
        quality_snapshot_previous=_snapshot_mean(catalogue, source_ids, period.previous()),
        sources=sources,
        open_incidents=open_incidents,
        requests=requests_log.requests_statistics(catalogue, root.id, period.days),
    )


def quality_table(
    catalogue: Catalogue,
) -> tuple[
    quality.QualitySummary, dict[str, quality.QualitySummary], dict[str, quality.QualitySummary]
]:
    """Score every live dataset once; return (whole catalogue, per owner, per source)."""
    total = quality.QualityAccumulator("Hela katalogen")
    with catalogue.session() as session:
        owners = dict(session.execute(select(Organisation.id, Organisation.name_sv)).all())
        sources = dict(session.execute(select(Source.id, Source.name)).all())

    def items():
        last_id = ""
        while True:
            with catalogue.session() as session:
                rows = session.execute(
                    select(
                        CatalogueRecord.id,
                        CatalogueRecord.data,
                        CatalogueRecord.owner_id,
                        CatalogueRecord.source_id,
                    )
                    .where(
                        CatalogueRecord.id > last_id,
                        CatalogueRecord.deleted_at.is_(None),
                        CatalogueRecord.kind == "dataset",
                    )
                    .order_by(CatalogueRecord.id)
                    .limit(5000)
                ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            for _id, data, owner_id, source_id in rows:
                owner = owners.get(owner_id, "(ingen ägare)")
                yield data, (f"owner:{owner}", f"source:{sources.get(source_id, '?')}")

    groups = quality.group_scores(items(), on_score=total.add)
    by_owner = {k.removeprefix("owner:"): v for k, v in groups.items() if k.startswith("owner:")}
    by_source = {k.removeprefix("source:"): v for k, v in groups.items() if k.startswith("source:")}
    for name, summary in by_owner.items():
        summary.name = name
    for name, summary in by_source.items():
        summary.name = name
    return total.summary(), by_owner, by_source
