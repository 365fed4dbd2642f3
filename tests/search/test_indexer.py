"""The indexer follows the change log, survives being killed mid-batch, and rebuilds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.search.backends.base import SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import READER_NAME, Indexer
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl, write_catalogue


def all_ids(backend: EmbeddedBackend, public_only: bool = False) -> list[str]:
    result = backend.search(SearchRequest(query="", page_size=200, public_only=public_only))
    return sorted(hit.id for hit in result.hits)


def live_ids(catalogue: Catalogue) -> list[str]:
    return sorted(row.id for row in catalogue.iter_records(public_only=False))


def test_catch_up_applies_adds_updates_and_deletes(sqlite_catalogue: Catalogue, tmp_path: Path):
    source = write_catalogue(tmp_path / "k.ttl", range(1, 11))
    sqlite_catalogue.add_source("bn", "dcat", str(source))
    harvest_source(sqlite_catalogue, "bn")
    backend = EmbeddedBackend(tmp_path / "data")
    indexer = Indexer(sqlite_catalogue, backend, batch_size=3)
    indexer.catch_up()
    assert all_ids(backend) == live_ids(sqlite_catalogue)
    assert indexer.lag() == 0

    write_catalogue(source, range(1, 10), d2="Strandskydd")  # 10 goes, 2 changes
    harvest_source(sqlite_catalogue, "bn")
    run = indexer.catch_up()
    assert (run.upserted, run.deleted) == (1, 1)
    assert all_ids(backend) == live_ids(sqlite_catalogue)
    hits = backend.search(SearchRequest(query="strandskydd")).hits
    assert [hit.title for hit in hits] == ["Strandskydd"]


def test_internal_records_are_indexed_but_not_found_publicly(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + PUBLISHER
        + dataset_ttl(1)
        + dataset_ttl(2, title="Hemlig", public=False, internal=True)
        + dataset_ttl(3, title="Märkt", public=False),
        encoding="utf-8",
    )
    sqlite_catalogue.add_source("bn", "dcat", str(path))
    harvest_source(sqlite_catalogue, "bn")
    backend = EmbeddedBackend(tmp_path / "data")
    Indexer(sqlite_catalogue, backend).catch_up()
    assert len(all_ids(backend, public_only=False)) == 3
    for secret in ("hemlig", "märkt"):
        assert backend.search(SearchRequest(query=secret, public_only=True)).total == 0
    # The secret-marked one is public, masked; the internal one is not there at all.
    assert backend.count(public_only=True) == 2
    masked = backend.search(SearchRequest(query="sekretess", public_only=True)).hits
    assert [hit.title for hit in masked] == ["Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL"]


KILLER = textwrap.dedent(
    """
    import os, sys
    from insyn.catalogue.store import Catalogue
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.search.indexer import Indexer

    class DiesMidBatch(EmbeddedBackend):
        batches = 0
        def bulk_upsert(self, documents):
            written = super().bulk_upsert(documents)
            DiesMidBatch.batches += 1
            if DiesMidBatch.batches == 3:
                os._exit(9)  # killed after writing, before the position is stored
            return written

    catalogue = Catalogue(sys.argv[1])
    Indexer(catalogue, DiesMidBatch(sys.argv[2]), batch_size=4, commit_size=4).catch_up()
    """
)


def test_killed_indexer_resumes_with_nothing_missed_or_duplicated(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 21))
    sqlite_catalogue.add_source("bn", "dcat", str(source))
    harvest_source(sqlite_catalogue, "bn")
    data_dir = tmp_path / "data"
    Indexer(sqlite_catalogue, EmbeddedBackend(data_dir)).catch_up()
    # Two added, two gone, every other title changed: 22 changes, six batches of four.
    titles = {f"d{n}": f"Bygglov {n} (reviderad)" for n in range(3, 21)}
    write_catalogue(source, range(3, 23), **{**titles, "d5": "Ändrad i sista stund"})
    assert harvest_source(sqlite_catalogue, "bn", allow_deletions=True).updated == 18
    position_before = sqlite_catalogue.reader_position(READER_NAME)

    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    died = subprocess.run(
        [sys.executable, str(script), sqlite_catalogue.url, str(data_dir)],
        capture_output=True,
        timeout=120,
    )
    assert died.returncode == 9, died.stderr
    # It stored progress for the batches before the one it died in, not that one.
    position = sqlite_catalogue.reader_position(READER_NAME)
    assert position_before < position < sqlite_catalogue.last_change_seq()

    backend = EmbeddedBackend(data_dir)
    Indexer(sqlite_catalogue, backend).catch_up()
    assert all_ids(backend) == live_ids(sqlite_catalogue)  # none missing, none extra
    result = backend.search(SearchRequest(query="", page_size=200, public_only=False))
    assert result.total == len(live_ids(sqlite_catalogue))
    assert [h.title for h in backend.search(SearchRequest(query="ändrad sista stund")).hits] == [
        "Ändrad i sista stund"
    ]


def test_rebuild_swaps_in_a_complete_index(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 8))
    sqlite_catalogue.add_source("bn", "dcat", str(source))
    harvest_source(sqlite_catalogue, "bn")
    backend = EmbeddedBackend(tmp_path / "data")
    indexer = Indexer(sqlite_catalogue, backend)
    indexer.catch_up()
    run = indexer.rebuild()
    assert run.rebuilt and run.upserted == 7
    assert all_ids(backend) == live_ids(sqlite_catalogue)
    assert indexer.lag() == 0


def _changed_twice(catalogue: Catalogue, tmp_path: Path) -> tuple[Indexer, EmbeddedBackend, str]:
    """An indexed catalogue whose change log then holds d1 in two read batches of three."""
    source = write_catalogue(tmp_path / "k.ttl", range(1, 5))
    catalogue.add_source("bn", "dcat", str(source))
    harvest_source(catalogue, "bn")
    backend = EmbeddedBackend(tmp_path / "data")
    indexer = Indexer(catalogue, backend, batch_size=3, commit_size=100)
    indexer.catch_up()
    write_catalogue(source, range(1, 5), d1="Ett", d2="Två", d3="Tre")
    harvest_source(catalogue, "bn")
    write_catalogue(source, range(1, 5), d1="Ett igen", d2="Två", d3="Tre", d4="Fyra")
    harvest_source(catalogue, "bn")
    changed = next(r.id for r in catalogue.iter_records(public_only=False) if r.title == "Ett igen")
    return indexer, backend, changed


def _pretend(
    monkeypatch: pytest.MonkeyPatch, indexer: Indexer, record: str, *, gone_at_read: int
) -> list[bool]:
    """Make ``record`` read as gone at its ``gone_at_read``-th read only (as if deleted and
    harvested again between the reads); return, per read batch, whether it held it."""
    real = indexer._live
    seen: list[bool] = []

    def live(ids: Iterable[str]) -> list[Any]:
        wanted = set(ids)
        seen.append(record in wanted)
        gone = record in wanted and seen.count(True) == gone_at_read
        return [row for row in real(wanted) if not (gone and row[0] == record)]

    monkeypatch.setattr(indexer, "_live", live)
    return seen


def test_a_record_gone_then_live_within_one_commit_is_kept(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changes are read in batches but committed together: the last state read wins."""
    indexer, backend, record = _changed_twice(sqlite_catalogue, tmp_path)
    seen = _pretend(monkeypatch, indexer, record, gone_at_read=1)
    run = indexer.catch_up()
    assert seen.count(True) >= 2  # the record was in two batches of one commit
    assert run.deleted == 0
    assert record in all_ids(backend)


def test_a_record_live_then_gone_within_one_commit_is_deleted(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexer, backend, record = _changed_twice(sqlite_catalogue, tmp_path)
    seen = _pretend(monkeypatch, indexer, record, gone_at_read=2)
    run = indexer.catch_up()
    assert seen.count(True) >= 2
    assert run.deleted == 1
    assert record not in all_ids(backend)
    assert len(all_ids(backend)) == 3
