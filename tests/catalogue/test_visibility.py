"""The visibility rule in SQL (``public_clause``) and in Python agree, on both stores.

Over a table of cases (kind × description visibility × access right × secrecy provision ×
K level × provision and K level filled by a plan or a person after the harvest ×
tombstoned) the rows the SQL condition selects are exactly the rows the Python rule does
not hide, and a stored row is judged as its model record is. The access right never
changes the answer. A second table, with a rule that tells secret-marked records among
public descriptions apart, checks the SQL built for cells that need the JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import product

import pytest
from sqlalchemy import select

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.catalogue.visibility import of_row, public_clause
from insyn.vocab import visibility
from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
    DESCRIPTION_PUBLIC,
    NON_PUBLIC,
    PUBLIC,
    RECORD_KINDS,
    RESTRICTED,
    Case,
    DataService,
    Dataset,
    Document,
    Governance,
    content_hash,
    from_dict,
    to_dict,
)
from insyn.vocab.visibility import RULES, Rule, Visibility, decide, of_record

RECORD_CLASSES = (Dataset, DataService, Case, Document)
# Unstated (None: public) and the two values; an unknown word is read as internal.
DESCRIPTIONS = (None, DESCRIPTION_PUBLIC, DESCRIPTION_INTERNAL)
ACCESS_RIGHTS = (PUBLIC, RESTRICTED, NON_PUBLIC)
PROVISIONS = (None, "", "26 kap. 1 § OSL", " ")
# K levels: unset, below the top, and K3, which is never shown unmasked.
LEVELS = (None, 2, 3)


def _seed(catalogue: Catalogue) -> list[tuple[str, bool]]:
    """Store one row per case; return (id, whether the row's kind is a model kind)."""
    source = catalogue.add_source("fall", "dcat", None, {})
    now = datetime.now(UTC)
    cases = product(
        (*RECORD_CLASSES, None),
        DESCRIPTIONS,
        ACCESS_RIGHTS,
        PROVISIONS,
        LEVELS,
        (False, True),
        (False, True),
    )
    seeded = []
    with catalogue.session() as session:
        for number, case in enumerate(cases):
            cls, description, access, provision, level, by_plan, deleted = case
            record = (cls or Dataset)(
                uri=f"https://x.se/{number}",
                title={"sv": f"Post {number}"},
                governance=Governance(
                    access_rights=access,
                    description_visibility=description,
                    secrecy_provision=provision,
                    confidentiality=level,
                ),
            )
            harvested = Governance(access_rights=access, secrecy_provision=None)
            record_id = f"r{number:04d}"
            session.add(
                CatalogueRecord(
                    id=record_id,
                    # A kind no rule names: what the store might hold one day.
                    kind=record.kind if cls else "concept",
                    uri=record.uri,
                    source_id=source.id,
                    source_key=record_id,
                    title=f"Post {number}",
                    content_hash=content_hash(record),
                    data=to_dict(record),
                    access_rights=access,
                    # A plan may add the provision after the harvest set is_public.
                    is_public=(harvested if by_plan else record.governance).is_public,
                    # As the harvest stores it: an unstated description is public.
                    description_visibility=description or DESCRIPTION_PUBLIC,
                    first_seen=now,
                    last_changed=now,
                    deleted_at=now if deleted else None,
                )
            )
            seeded.append((record_id, cls is not None))
        session.commit()
    return seeded


def _agree(catalogue: Catalogue) -> None:
    seeded = _seed(catalogue)
    with catalogue.session() as session:
        rows = {row.id: row for row in session.scalars(select(CatalogueRecord))}
        by_sql = set(session.scalars(select(CatalogueRecord.id).where(public_clause())))
    by_python = {
        record_id for record_id, row in rows.items() if of_row(row) is not Visibility.HIDDEN
    }
    assert len(rows) == len(seeded) == 5 * 3 * 3 * 4 * 3 * 2 * 2
    assert by_sql == by_python
    assert {of_row(row) for row in rows.values()} == set(Visibility)
    _check_rows(rows, seeded)


def _check_rows(rows: dict[str, CatalogueRecord], seeded: list[tuple[str, bool]]) -> None:
    # (kind, governance without the access right, tombstoned) -> the answers given.
    answers: dict[tuple[str, str, bool], set[Visibility]] = {}
    for record_id, model_kind in seeded:
        row = rows[record_id]
        if not model_kind:
            assert of_row(row) is Visibility.HIDDEN
            continue
        record = from_dict(row.data)
        expected = of_record(record) if row.deleted_at is None else Visibility.HIDDEN
        assert of_row(row) is expected, (record_id, row.kind, row.data["governance"])
        governance = record.governance
        assert expected is decide(
            record.kind,
            governance.description_visibility,
            governance.secrecy_provision,
            confidentiality=governance.confidentiality,
            deleted=row.deleted_at is not None,
        )
        # K3 is never shown unmasked to the public; an internal description is hidden.
        if governance.confidentiality == 3:
            assert expected is not Visibility.SHOWN
        if governance.description_visibility == DESCRIPTION_INTERNAL:
            assert expected is Visibility.HIDDEN
        others = {k: v for k, v in row.data["governance"].items() if k != "access_rights"}
        key = (row.kind, json.dumps(others, sort_keys=True), row.deleted_at is not None)
        answers.setdefault(key, set()).add(expected)
    # The access right never changes the answer.
    assert answers and all(len(found) == 1 for found in answers.values())


def test_sql_and_python_agree_over_a_table_of_cases(catalogue: Catalogue) -> None:
    _agree(catalogue)
    # With today's rules a secret-marked record with a public description is masked.
    with catalogue.session() as session:
        for row in session.scalars(select(CatalogueRecord)):
            governance = row.data["governance"]
            if (
                row.deleted_at is None
                and row.kind in RECORD_KINDS
                and row.description_visibility == DESCRIPTION_PUBLIC
                and governance.get("secrecy_provision")
            ):
                assert of_row(row) is Visibility.MASKED


def test_sql_and_python_agree_when_a_rule_needs_the_json(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rule that hides secret-marked datasets with a public description: the SQL then
    reads the mark from the JSON (or the ids given), and still agrees with Python."""
    stricter = Rule(("dataset",), internal=None, secret_marked=True, visibility=Visibility.HIDDEN)
    monkeypatch.setattr(visibility, "RULES", (*RULES, stricter))
    _agree(catalogue)
