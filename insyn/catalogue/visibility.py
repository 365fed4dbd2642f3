"""The visibility rule (``insyn.vocab.visibility``) read against the store, in SQL and Python.

``public_clause`` is the SQL condition for the records the public may see, built from
``visibility.RULES``: per group of kinds that the rules treat alike, the cells of
(description internal?, secret-marked?) that are not HIDDEN, joined into the shortest
condition (with today's rules "the description is public": a secret-marked record is
MASKED, not hidden, so the JSON need not be read). ``of_row`` is its Python twin for one
stored row. Both read the description visibility from the ``description_visibility``
column (kept equal to the record's JSON by the harvest, the plan and the migration) and
the provision and the K level from the record's JSON, which a plan or a person may have
filled after the harvest.
"""

from __future__ import annotations

from itertools import product

from sqlalchemy import ColumnElement, and_, false, func, or_, true

from insyn.catalogue.models import CatalogueRecord
from insyn.vocab import visibility
from insyn.vocab.model import DESCRIPTION_PUBLIC
from insyn.vocab.visibility import Visibility

__all__ = ["of_row", "public_clause", "secret_marked_clause"]

# (description internal?, secret-marked?)
Cell = tuple[bool, bool]
_CELLS: tuple[Cell, ...] = tuple(product((True, False), repeat=2))


def secret_marked_clause() -> ColumnElement[bool]:
    """SQL for records that count as secret-marked: they name a secrecy provision or are
    K3 (``visibility.secret_marked``). Reads the JSON: slow on big tables."""
    provision = CatalogueRecord.data[("governance", "secrecy_provision")].as_string()
    level = CatalogueRecord.data[("governance", "confidentiality")].as_integer()
    return or_(
        func.coalesce(provision, "") != "",
        func.coalesce(level, 0) >= visibility.HIGHEST_CONFIDENTIALITY,
    )


def of_row(row: CatalogueRecord) -> Visibility:
    """Return how the public is shown a stored record (HIDDEN when tombstoned)."""
    governance = (row.data or {}).get("governance") or {}
    return visibility.decide(
        row.kind,
        row.description_visibility,
        governance.get("secrecy_provision"),
        confidentiality=governance.get("confidentiality"),
        deleted=row.deleted_at is not None,
    )


def public_clause() -> ColumnElement[bool]:
    """Return the SQL condition for the records the public may see (live ones only)."""
    groups: dict[frozenset[Cell], list[str]] = {}
    for kind in dict.fromkeys(kind for rule in visibility.RULES for kind in rule.kinds):
        shown = frozenset(
            (internal, marked)
            for internal, marked in _CELLS
            if visibility.visibility_of(kind, internal=internal, secret_marked=marked)
            is not Visibility.HIDDEN
        )
        if shown:
            groups.setdefault(shown, []).append(kind)
    return and_(
        CatalogueRecord.deleted_at.is_(None),
        or_(
            false(),
            *(
                and_(CatalogueRecord.kind.in_(kinds), _cells_clause(cells))
                for cells, kinds in groups.items()
            ),
        ),
    )


def _cells_clause(cells: frozenset[Cell]) -> ColumnElement[bool]:
    """The shortest condition true exactly in ``cells``: single facts first, then pairs."""
    if len(cells) == len(_CELLS):
        return true()
    terms: list[ColumnElement[bool]] = []
    covered: set[Cell] = set()
    for position, value in product((0, 1), (True, False)):
        cells_with = {cell for cell in _CELLS if cell[position] == value}
        if cells_with <= cells:
            terms.append(_internal(value) if position == 0 else _marked(value))
            covered |= cells_with
    for internal, marked in sorted(cells - covered, reverse=True):
        terms.append(and_(_internal(internal), _marked(marked)))
    return or_(*terms)


def _internal(value: bool) -> ColumnElement[bool]:
    column = CatalogueRecord.description_visibility
    return column != DESCRIPTION_PUBLIC if value else column == DESCRIPTION_PUBLIC


def _marked(value: bool) -> ColumnElement[bool]:
    """Whether a record counts as secret-marked (read from its JSON)."""
    clause = secret_marked_clause()
    return clause if value else ~clause
