"""Values too long for their column: found before a record is written, one record at a time.

PostgreSQL refuses a value longer than its ``String(N)`` column, and the refusal breaks
the run's one transaction, so a single overlong value would fail the whole harvest. The
engine asks ``overlong`` first and fails just that record, naming the field.

Why the record fails instead of the value being cut: every bounded column holds
something that identifies or finds a record or its organisation (the source key, an
IRI, a diarienummer, an access-rights or format IRI, an organisation's name, number,
e-mail or homepage). A cut value is a different, wrong one that could match or collide
with another record's; free text (title, description, the full record) is unbounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from insyn.catalogue.models import CatalogueRecord, DistributionRow, Organisation, RecordError
from insyn.vocab.model import Agent, Dataset, Record, text_in

Checked = tuple[str, InstrumentedAttribute[Any], str | None]


# Bounds by the attribute's id: the mapped attributes live as long as the process, and
# reading ``column.type`` goes through SQLAlchemy's attribute proxy, which cost a fifth of
# an FGS harvest when asked afresh for every value of every record.
_LIMITS: dict[int, int | None] = {}


def limit(column: InstrumentedAttribute[Any]) -> int | None:
    """The column's length bound, or None for an unbounded one."""
    try:
        return _LIMITS[id(column)]
    except KeyError:
        bound = _LIMITS[id(column)] = getattr(column.type, "length", None)
        return bound


def overlong(key: str, record: Record, owner: str | None) -> tuple[str, str] | None:
    """The first value of the record longer than its column, as (field, reason); or None.

    ``owner`` is the information owner as the engine will store it (an IRI or a name).
    """
    return _first_overlong(_values(key, record, owner))


def agent_overlong(agent: Agent | None, name: str) -> tuple[str, str] | None:
    """Like ``overlong``, for an organisation alone (a catalogue's publisher)."""
    return _first_overlong(_agent_values(agent, name))


def _first_overlong(values: Iterator[Checked]) -> tuple[str, str] | None:
    for name, column, value in values:
        bound = limit(column)
        if value is not None and bound is not None and len(value) > bound:
            return name, (
                f"Fältet {name} har {len(value)} tecken, fler än de {bound} som får plats; "
                "posten lästes inte in (ett avkortat värde vore ett annat)"
            )
    return None


def clip(value: str | None, column: InstrumentedAttribute[Any]) -> str | None:
    """A report's copy of a value (an error row's key or field) cut to fit its column."""
    bound = limit(column)
    if value is None or bound is None or len(value) <= bound:
        return value
    return value[: bound - 1] + "…"


def clip_error_row(row: dict[str, Any]) -> dict[str, Any]:
    """An error row whose key and field fit: the report of an overlong key must not fail."""
    row["record_key"] = clip(row["record_key"], RecordError.record_key)
    row["field"] = clip(row["field"], RecordError.field)
    return row


def _values(key: str, record: Record, owner: str | None) -> Iterator[Checked]:
    yield "källnyckel", CatalogueRecord.source_key, key
    yield "uri", CatalogueRecord.uri, record.uri
    yield "accessRights", CatalogueRecord.access_rights, record.governance.access_rights
    diarienummer = getattr(record, "diarienummer_normalised", None) or getattr(
        record, "case_diarienummer", None
    )
    yield "diarienummer", CatalogueRecord.diarienummer, diarienummer
    if isinstance(record, Dataset):
        for position, distribution in enumerate(record.distributions):
            yield f"distributions[{position}].uri", DistributionRow.uri, distribution.uri
            yield f"distributions[{position}].format", DistributionRow.format, distribution.format
    yield from _agent_values(record.publisher, "publisher")
    if owner:
        column = Organisation.uri if "://" in owner or owner.startswith("urn:") else None
        yield "informationOwner", column or Organisation.name_sv, owner


def _agent_values(agent: Agent | None, name: str) -> Iterator[Checked]:
    if agent is None:
        return
    yield f"{name}.uri", Organisation.uri, agent.uri
    yield f"{name}.name", Organisation.name_sv, text_in(agent.name)
    yield f"{name}.name@en", Organisation.name_en, agent.name.get("en")
    yield f"{name}.identifier", Organisation.identifier, agent.identifier
    yield f"{name}.type", Organisation.org_type, agent.type
    yield f"{name}.email", Organisation.email, agent.email
    yield f"{name}.homepage", Organisation.homepage, agent.homepage
    yield f"{name}.parent", Organisation.uri, agent.parent
