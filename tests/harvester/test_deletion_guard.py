"""The deletion guard counts the source's own deletion markers (OAI-PMH ``deleted``, CKAN
deleted packages) with the records it no longer lists, and judges the trend over the
last runs as well as this one. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from insyn import connectors
from insyn.catalogue.models import CatalogueRecord, Incident
from insyn.catalogue.store import Catalogue
from insyn.connectors.base import Cursor, Deleted, Done, Item, Yielded
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import Dataset

KIND = "markers"
# What the source says on its next run: the keys it lists, the keys it marks deleted,
# and whether it lists everything (a full run) or only changes (incremental).
SCRIPT: dict[str, Any] = {"listed": [], "deleted": [], "complete": True, "cursor": "1"}


@dataclass
class Config:
    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        return cls()


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    for number in SCRIPT["listed"]:
        yield Item(
            f"post-{number}",
            Dataset(uri=f"https://data.exempel.se/d/{number}", title={"sv": f"Post {number}"}),
        )
    for number in SCRIPT["deleted"]:
        yield Deleted(f"post-{number}")
    yield Done(Cursor(last_value=SCRIPT["cursor"]), complete=SCRIPT["complete"])


@pytest.fixture
def source(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    monkeypatch.setitem(connectors.BUILTIN, KIND, __name__)
    catalogue.add_source("arkiv", KIND, None)
    return catalogue


def say(listed: range | list[int], deleted: range | list[int] = (), **more: Any) -> None:
    SCRIPT.update(listed=list(listed), deleted=list(deleted), complete=True, cursor="1")
    SCRIPT.update(more)


def live(catalogue: Catalogue) -> int:
    with catalogue.session() as session:
        query = select(func.count()).where(CatalogueRecord.deleted_at.is_(None))
        return session.scalar(query) or 0


def guard_incidents(catalogue: Catalogue) -> list[Incident]:
    with catalogue.session() as session:
        query = select(Incident).where(Incident.kind == "deletion_guard")
        return list(session.scalars(query).all())


def test_deletion_markers_count_towards_the_guard(source: Catalogue) -> None:
    say(range(50))
    assert harvest_source(source, "arkiv").added == 50

    # An incremental run in which the source marks all 50 deleted.
    say([], range(50), complete=False, cursor="2")
    summary = harvest_source(source, "arkiv")

    assert (summary.status, summary.deleted) == ("completed", 0)
    assert live(source) == 50
    [incident] = guard_incidents(source)
    assert "50 av 50" in incident.message and "50 markerade som borttagna" in incident.message
    # Held deletions keep the old cursor, so the next run is told of them again.
    assert source.get_source("arkiv").cursor["last_value"] == "1"

    confirmed = harvest_source(source, "arkiv", allow_deletions=True)
    assert confirmed.deleted == 50 and live(source) == 0


def test_a_few_markers_under_the_limit_are_applied(source: Catalogue) -> None:
    say(range(50))
    harvest_source(source, "arkiv")
    say([], [3, 7], complete=False, cursor="2")
    summary = harvest_source(source, "arkiv")
    assert summary.deleted == 2 and live(source) == 48 and not guard_incidents(source)


def test_deleting_just_under_the_limit_run_after_run_trips_the_guard(source: Catalogue) -> None:
    say(range(100))
    harvest_source(source, "arkiv")
    say(range(15, 100))  # 15 % gone: under the 20 % limit
    assert harvest_source(source, "arkiv").deleted == 15
    say(range(30, 100))  # 15 of 85, 18 %: under the limit on its own
    summary = harvest_source(source, "arkiv")

    assert summary.deleted == 0 and live(source) == 85
    [incident] = guard_incidents(source)
    assert "30%" in incident.message  # 15 + 15 of the 100 there were before
    assert incident.details["trend"] == pytest.approx(0.3)
