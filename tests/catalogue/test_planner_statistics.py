"""After a large run, PostgreSQL plans by what the run wrote (``Catalogue.refresh_statistics``):
otherwise the index catch-up right after it read a freshly filled table a page at a time,
each page planned as a scan of the whole table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from insyn.catalogue import store
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from tests.support.catalogues import write_catalogue

_BELIEVED = text("SELECT reltuples FROM pg_class WHERE oid = 'records'::regclass")


def _believed(catalogue: Catalogue) -> float:
    with catalogue.session() as session:
        return float(session.scalar(_BELIEVED))


def test_a_large_run_leaves_the_planner_counting_its_records(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "ANALYZE_AFTER_ROWS", 20)
    catalogue = Catalogue(postgres_url)
    catalogue.add_source("bn", "dcat", str(write_catalogue(tmp_path / "a.ttl", range(40))))
    assert _believed(catalogue) <= 0  # never analysed: the planner guesses
    assert harvest_source(catalogue, "bn").added == 40
    assert _believed(catalogue) == 40
    # A run that changes less than a tenth of what the planner counts leaves it be.
    assert catalogue.refresh_statistics(3) is False
    assert catalogue.refresh_statistics(19) is False  # fewer than ANALYZE_AFTER_ROWS
    catalogue.add_source("more", "dcat", str(write_catalogue(tmp_path / "b.ttl", range(40, 100))))
    assert harvest_source(catalogue, "more").added == 60
    assert _believed(catalogue) == 100


def test_sqlite_has_nothing_to_refresh(sqlite_catalogue: Catalogue) -> None:
    assert sqlite_catalogue.refresh_statistics(1_000_000) is False
