"""The visibility rule in SQL (``public_clause``) and in Python agree, on both stores.

Over a table of cases (kind × access right × secrecy provision × K level × provision and
K level filled by a plan or a person after the harvest × tombstoned) the rows the SQL
condition selects are exactly the rows the Python rule does not hide, and a stored row is
judged as its model record is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

from sqlalchemy import select

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.catalogue.visibility import of_row, public_clause, secret_marked_clause
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
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
from insyn.vocab.visibility import Visibility, decide, of_record

RECORD_CLASSES = (Dataset, DataService, Case, Document)
ACCESS_RIGHTS = (PUBLIC, RESTRICTED, NON_PUBLIC)
PROVISIONS = (None, "", "26 kap. 1 § OSL", " ")
# K levels: unset, below the top, and K3, which is never shown unmasked.
LEVELS = (None, 2, 3)


def _seed(catalogue: Catalogue) -> list[tuple[str, bool]]:
    """Store one row per case; return (id, whether the row's kind is a model kind)."""
    source = catalogue.add_source("fall", "dcat", None, {})
    now = datetime.now(UTC)
    cases = product(
        (*RECORD_CLASSES, None), ACCESS_RIGHTS, PROVISIONS, LEVELS, (False, True), (False, True)
    )
    seeded = []
    with catalogue.session() as session:
        for number, (cls, access, provision, level, by_plan, deleted) in enumerate(cases):
            record = (cls or Dataset)(
                uri=f"https://x.se/{number}",
                title={"sv": f"Post {number}"},
                governance=Governance(
                    access_rights=access, secrecy_provision=provision, confidentiality=level
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
                    first_seen=now,
                    last_changed=now,
                    deleted_at=now if deleted else None,
                )
            )
            seeded.append((record_id, cls is not None))
        session.commit()
    return seeded


def test_sql_and_python_agree_over_a_table_of_cases(catalogue: Catalogue) -> None:
    seeded = _seed(catalogue)
    with catalogue.session() as session:
        rows = {row.id: row for row in session.scalars(select(CatalogueRecord))}
        by_sql = set(session.scalars(select(CatalogueRecord.id).where(public_clause())))
        marked = frozenset(
            session.scalars(
                select(CatalogueRecord.id).where(
                    CatalogueRecord.is_public.is_(True),
                    CatalogueRecord.deleted_at.is_(None),
                    secret_marked_clause(),
                )
            )
        )
        by_sql_with_ids = set(
            session.scalars(select(CatalogueRecord.id).where(public_clause(marked)))
        )
    by_python = {
        record_id for record_id, row in rows.items() if of_row(row) is not Visibility.HIDDEN
    }
    assert len(rows) == len(seeded) == 5 * 3 * 4 * 3 * 2 * 2
    assert by_sql == by_python
    assert by_sql_with_ids == by_python
    assert {of_row(row) for row in rows.values()} == set(Visibility)
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
            governance.access_rights,
            governance.secrecy_provision,
            confidentiality=governance.confidentiality,
            deleted=row.deleted_at is not None,
        )
        # K3 is never shown unmasked to the public.
        if governance.confidentiality == 3:
            assert expected is not Visibility.SHOWN
