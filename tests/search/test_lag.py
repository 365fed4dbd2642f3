"""The lagging index's hides, kept step by step, equal those worked out from scratch.

Random sequences of changes to a harvested catalogue (records hidden, shown again,
deleted, brought back, masked, changed without a change of visibility; the index
catching up part of the way or all of it, reset, the log's tail replaced), and after
each, ``LaggingHides.current`` is compared with ``unindexed_hides``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select

from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry
from insyn.catalogue.store import Catalogue, utcnow
from insyn.harvester.engine import harvest_source
from insyn.search import lag
from insyn.search.indexer import READER_NAME
from insyn.search.lag import LaggingHides, unindexed_hides
from tests.support.catalogues import write_catalogue

RECORDS = 40
PROVISION = "26 kap. 1 § OSL"


@pytest.fixture
def catalogue(catalogue_url: str, tmp_path: Path) -> Iterator[Catalogue]:
    made = Catalogue(catalogue_url)
    file = write_catalogue(tmp_path / "bygglov.ttl", range(RECORDS))
    made.add_source("bygglov", "dcat", str(file), {})
    summary = harvest_source(made, "bygglov")
    assert summary.status == "completed", summary.error
    yield made
    made.close()


class Changes:
    """Changes to the records, each written with its change-log entry as the harvest does."""

    def __init__(self, catalogue: Catalogue, rng: random.Random) -> None:
        self.catalogue = catalogue
        self.rng = rng
        with catalogue.session() as session:
            self.ids = sorted(session.scalars(select(CatalogueRecord.id)))

    def records(self) -> None:
        """Change a few records in one transaction, some more than once."""
        with self.catalogue.session() as session:
            for _ in range(self.rng.randint(1, 8)):
                record = session.get_one(CatalogueRecord, self.rng.choice(self.ids))
                self._change(record, self.rng.choice(("hide", "show", "mask", "delete", "same")))
                session.add(
                    ChangeLogEntry(record_id=record.id, operation="upsert", changed_at=utcnow())
                )
                session.flush()
            session.commit()

    @staticmethod
    def _change(record: CatalogueRecord, how: str) -> None:
        governance = dict(record.data.get("governance") or {})
        if how == "hide":
            record.description_visibility = "internal"
        elif how == "show":
            record.description_visibility = "public"
            record.deleted_at = None
            governance.pop("secrecy_provision", None)
        elif how == "mask":
            governance["secrecy_provision"] = PROVISION
        elif how == "delete":
            record.deleted_at = utcnow()
        record.data = {**record.data, "governance": governance}
        record.last_changed = utcnow()

    def index(self) -> bool:
        """Move the index's position: part of the way or all of it (True), or back (a
        reset: False)."""
        last = self.catalogue.last_change_seq()
        position = self.catalogue.reader_position(READER_NAME)
        how = self.rng.choice(("part", "part", "all", "back"))
        if how == "part":
            position = self.rng.randint(position, max(position, last))
        elif how == "all":
            position = last
        else:
            position = self.rng.randint(0, position)
        with self.catalogue.session() as session:
            self.catalogue.set_reader_position(session, READER_NAME, position)
            session.commit()
        return how != "back"

    def replace_tail(self) -> bool:
        """Drop the log's last few entries and write others (a catalogue restored under
        the same connection: SQLite gives the new entries the old numbers); False when
        some were dropped."""
        last = self.catalogue.last_change_seq()
        keep = self.rng.randint(max(0, last - 5), last)
        entries = [
            {"record_id": self.rng.choice(self.ids), "operation": "upsert", "changed_at": utcnow()}
            for _ in range(self.rng.randint(1, last - keep + 1))
        ]
        with self.catalogue.session() as session:
            session.execute(delete(ChangeLogEntry).where(ChangeLogEntry.seq > keep))
            session.execute(insert(ChangeLogEntry), entries)
            session.commit()
        return keep == last


def test_the_hides_kept_step_by_step_are_those_worked_out_from_scratch(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(16)
    changes = Changes(catalogue, rng)
    hides = LaggingHides()
    read: list[tuple[int, int]] = []  # the ranges of the log each step read
    changed = lag._changed

    def spied(session: object, after: int, upto: int) -> dict[str, int]:
        read.append((after, upto))
        return changed(session, after, upto)  # type: ignore[arg-type]

    monkeypatch.setattr(lag, "_changed", spied)
    seen = 0  # the last change the kept hides had read
    hidden = stepped = 0
    for step in range(150):
        how = rng.choices(("records", "index", "replace_tail"), weights=(6, 3, 1))[0]
        forward = getattr(changes, how)() is not False
        read.clear()
        kept = hides.current(catalogue)
        assert len(kept) == len(set(kept)), step
        assert set(kept) == set(unindexed_hides(catalogue)), (step, how)
        if read[:-1] and forward:
            # A step: no change read again, only those after the last one seen.
            assert read[0][0] >= seen, (step, how, read)
            stepped += 1
        if read[:-1]:
            seen = read[0][1]
        hidden += bool(kept)
    # The sequences hid records, and stepped many times.
    assert hidden > 30
    assert stepped > 30


def test_a_step_reads_only_the_changes_after_the_last_one_seen(catalogue: Catalogue) -> None:
    changes = Changes(catalogue, random.Random(3))
    hides = LaggingHides()
    for _ in range(3):
        changes.records()
    first = hides.current(catalogue)
    assert set(first) == set(unindexed_hides(catalogue))
    with catalogue.session() as session:
        before = session.scalar(select(func.max(ChangeLogEntry.seq)))
    calls: list[tuple[int, int]] = []
    original = lag._changed

    def spied(session: object, after: int, upto: int) -> dict[str, int]:
        calls.append((after, upto))
        return original(session, after, upto)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lag, "_changed", spied)
        assert hides.current(catalogue) is first  # nothing moved: the same list, nothing read
        assert calls == []
        changes.records()
        assert set(hides.current(catalogue)) == set(unindexed_hides(catalogue))
    assert calls[0] == (before, catalogue.last_change_seq())
