"""Applying the information-management plan to the catalogue's records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from insyn.catalogue.followup_models import (
    ClassificationChange,
    PlanRuleRow,
)
from insyn.catalogue.models import (
    CatalogueRecord,
    ChangeLogEntry,
    Source,
)
from insyn.catalogue.store import Catalogue, utcnow
from insyn.followup.classification import KRT
from insyn.vocab import plan as planning
from insyn.vocab import visibility

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
                    description=rule.description,
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
        Source.kind,
        Source.options,
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
    for record_id, kind, data, provenance, source_name, source_kind, options in session.execute(
        query
    ):
        result.records += 1
        original_provenance = dict(provenance or {})
        provenance = dict(original_provenance)
        old_paths = _derived_paths(provenance)
        base = planning.strip_derived(data, old_paths) if old_paths else data
        governance = base.get("governance") or {}
        # A description visibility a rule derived (now stripped) falls back to the source's.
        option = (options or {}).get("visibility")
        default = visibility.source_default(source_kind, option)
        if not governance.get("description_visibility"):
            governance = {**governance, "description_visibility": default}
            base = {**base, "governance": governance}
        found = _match(rules, governance, kind, base, source_name)
        new_data, filled = base, {}
        if found is not None:
            plan_name, rule = found
            kind_default = None if option else default
            derived = planning.apply_rule(base, rule, plan_name, kind_default=kind_default)
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
                "description_visibility": new_governance["description_visibility"],
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
