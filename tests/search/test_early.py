"""Index documents built while a harvest runs (``insyn.search.early``): the index they
give is the catch-up's, a failed run leaves nothing of them, and where the worker cannot
help the catch-up does it all."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tantivy
from click.testing import CliRunner

from insyn.catalogue.store import Catalogue
from insyn.cli.main import main
from insyn.errors import HarvestError
from insyn.harvester import engine
from insyn.harvester.engine import harvest_source
from insyn.search import early as early_module
from insyn.search.backends._tantivy_schema import stored_original
from insyn.search.backends.base import SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.documents import DOCUMENT_VERSION
from insyn.search.early import EarlyIndex, start_early
from insyn.search.errors import IndexLockedError
from insyn.search.indexer import Indexer
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl


def write_source(path: Path, numbers: range | list[int], **titles: str) -> Path:
    """Public, secret-marked (masked) and internal (hidden) datasets."""
    body = "".join(
        dataset_ttl(n, title=titles.get(f"d{n}"), public=n % 5 != 0, internal=n % 7 == 0)
        for n in numbers
    )
    path.write_text(PREFIXES + PUBLISHER + body, encoding="utf-8")
    return path


def source_and_index(
    catalogue: Catalogue, tmp_path: Path, numbers: range
) -> tuple[Path, EmbeddedBackend, Indexer]:
    """A DCAT source "bn" of ``numbers`` in ``catalogue``, and an embedded index for it."""
    source = write_source(tmp_path / "k.ttl", numbers)
    catalogue.add_source("bn", "dcat", str(source))
    backend = EmbeddedBackend(tmp_path / "data")
    return source, backend, Indexer(catalogue, backend)


def stored(backend: EmbeddedBackend) -> dict[str, list[str]]:
    """Every stored document of both partitions (the public one as its own documents)."""
    generation = backend._files.current()
    documents = {}
    for part in ("all", "public"):
        searcher = generation.searcher(part)
        found = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1))
        documents[part] = sorted(
            json.dumps(stored_original(searcher.doc(address)), sort_keys=True)
            for _, address in found.hits
        )
    return documents


def reference(catalogue: Catalogue, directory: Path) -> dict[str, list[str]]:
    """The index the catch-up alone builds of the catalogue as it is stored."""
    backend = EmbeddedBackend(directory)
    Indexer(catalogue, backend, workers=0).rebuild()
    return stored(backend)


def harvest_early(
    catalogue: Catalogue,
    indexer: Indexer,
    name: str,
    *,
    sent: Callable[[list[Any]], list[Any]] = lambda rows: rows,
    **options: Any,
) -> EarlyIndex:
    """Harvest ``name`` with a worker from the first record; ``sent`` may change what the
    worker is given. The worker's documents are committed if the run completed."""
    early = EarlyIndex(indexer, minimum=1)
    summary = harvest_source(
        catalogue, name, on_written=lambda rows: early.written(sent(rows)), **options
    )
    try:
        if summary.status == "completed":
            early.finish()
    finally:
        early.abort()
    return early


def test_the_index_is_the_catch_ups_new_and_then_updated(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    # On both stores: each gives the run's JSON text back as written, so every document
    # the worker built from it is kept.
    source, backend, indexer = source_and_index(catalogue, tmp_path, range(1, 41))

    # An empty index: the worker fills a new generation.
    early = harvest_early(catalogue, indexer, "bn")
    assert early.rebuilding and early.kept == 40
    assert indexer.lag() == 0
    assert stored(backend) == reference(catalogue, tmp_path / "ref1")
    assert backend.count(public_only=False) == 40
    assert backend.count(public_only=True) == 40 - 5  # the internal ones are not public

    # The index in use: changed records replace theirs, a gone one is deleted.
    write_source(source, range(2, 46), d3="Strandskydd", d10="Detaljplan")
    early = harvest_early(catalogue, indexer, "bn")
    assert not early.rebuilding and early.kept == 7  # 41-45, 3 and 10
    assert indexer.lag() == 0
    assert stored(backend) == reference(catalogue, tmp_path / "ref2")
    hits = backend.search(SearchRequest(query="strandskydd")).hits
    assert [hit.title for hit in hits] == ["Strandskydd"]
    assert backend.search(SearchRequest(query="detaljplan")).total == 0  # 10 is secret


def test_a_document_from_other_inputs_than_those_stored_is_built_again(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    """What the run stored may differ from what the worker was given (a plan rule or a
    person's levels change records in the run's transaction): the stored form counts."""
    source, backend, indexer = source_and_index(sqlite_catalogue, tmp_path, range(1, 21))

    def altered(rows: list[Any]) -> list[Any]:
        return [
            (row[0], row[1].replace("Bygglov 3", "Fel titel"), *row[2:4], "annan källa")
            if "Bygglov 3" in row[1]
            else row
            for row in rows
        ]

    early = harvest_early(sqlite_catalogue, indexer, "bn", sent=altered)
    assert early.kept == 19
    assert stored(backend) == reference(sqlite_catalogue, tmp_path / "ref1")
    assert backend.search(SearchRequest(query="fel titel")).total == 0

    # An index in use: the altered one replaces the worker's document with the stored.
    write_source(source, range(1, 21), d3="Bygglov 3 ändrad", d4="Strandskydd")
    early = harvest_early(sqlite_catalogue, indexer, "bn", sent=altered)
    assert not early.rebuilding and early.kept == 1
    assert stored(backend) == reference(sqlite_catalogue, tmp_path / "ref2")


def test_a_failed_run_leaves_nothing_and_the_next_catch_up_is_right(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_SIZE", 5)
    source, backend, indexer = source_and_index(sqlite_catalogue, tmp_path, range(1, 21))
    harvest_early(sqlite_catalogue, indexer, "bn")
    before = stored(backend)

    write_source(source, range(1, 31), d2="Strandskydd")
    seen_during_run: list[int] = []
    reader = EmbeddedBackend(tmp_path / "data")

    def watched(rows: list[Any]) -> list[Any]:
        seen_during_run.append(reader.search(SearchRequest(query="", public_only=False)).total)
        if len(seen_during_run) > 1:  # the worker holds the writer from the first batch
            with pytest.raises(IndexLockedError):
                EmbeddedBackend(tmp_path / "data", lock_timeout=0).delete(["x"])
        return rows

    def refuse(session: Any) -> None:
        raise HarvestError("anspråket förlorat")

    early = harvest_early(sqlite_catalogue, indexer, "bn", sent=watched, before_commit=refuse)
    assert not early.active
    assert len(seen_during_run) > 2 and set(seen_during_run) == {20}
    assert stored(backend) == before
    assert backend.search(SearchRequest(query="strandskydd")).total == 0
    # The lock is free again, and the catch-up finds nothing of the failed run to apply.
    assert indexer.catch_up().upserted == 0
    assert stored(backend) == before == reference(sqlite_catalogue, tmp_path / "ref")


def test_a_busy_writer_leaves_the_run_to_the_catch_up(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    _, backend, indexer = source_and_index(sqlite_catalogue, tmp_path, range(1, 11))
    with backend._files.writing():  # another writer, as far as the worker can tell
        early = harvest_early(sqlite_catalogue, indexer, "bn")
    assert early.off and not early.active
    assert indexer.lag() > 0
    indexer.catch_up()
    assert stored(backend) == reference(sqlite_catalogue, tmp_path / "ref")


def test_a_worker_that_dies_leaves_the_run_to_the_catch_up(
    sqlite_catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "BATCH_SIZE", 5)
    _, backend, indexer = source_and_index(sqlite_catalogue, tmp_path, range(1, 21))
    early = EarlyIndex(indexer, minimum=1)

    def written(rows: list[Any]) -> None:
        early.written(rows)
        if early.process is not None:
            os.kill(early.process.pid, signal.SIGKILL)
            early.process.join()

    summary = harvest_source(sqlite_catalogue, "bn", on_written=written)
    assert summary.status == "completed"
    assert early.finish() is None
    indexer.catch_up()
    assert stored(backend) == reference(sqlite_catalogue, tmp_path / "ref")


def test_only_the_embedded_backend_gets_a_worker(catalogue: Catalogue, tmp_path: Path) -> None:
    indexer = Indexer(catalogue, EmbeddedBackend(tmp_path / "data"))
    early = EarlyIndex(indexer)
    assert not early.off
    early.abort()
    started = start_early(lambda: indexer)
    assert started is not None
    started.abort()

    class OtherBackend:
        pass

    other = EarlyIndex(Indexer(catalogue, OtherBackend()))  # type: ignore[arg-type]
    assert other.off


def test_a_small_run_starts_no_worker(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    source = write_source(tmp_path / "k.ttl", range(1, 11))
    sqlite_catalogue.add_source("bn", "dcat", str(source))
    indexer = Indexer(sqlite_catalogue, EmbeddedBackend(tmp_path / "data"))
    early = EarlyIndex(indexer, minimum=11)
    assert harvest_source(sqlite_catalogue, "bn", on_written=early.written).added == 10
    assert not early.started
    # The waiting worker never took the writer.
    assert EmbeddedBackend(tmp_path / "data", lock_timeout=0).delete(["x"]) == 0
    worker = early.process
    assert early.finish() is None
    assert worker is not None and not worker.is_alive()


def test_insyn_harvest_indexes_through_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(early_module, "EARLY_MIN", 1)
    started: list[EarlyIndex] = []
    finish = EarlyIndex.finish

    def finishing(self: EarlyIndex, **options: Any) -> Any:
        started.append(self)
        run = finish(self, **options)
        assert run is not None and run.upserted == 30
        return run

    monkeypatch.setattr(EarlyIndex, "finish", finishing)
    source = write_source(tmp_path / "k.ttl", range(1, 31))
    home = ["--home", str(tmp_path / "data")]
    runner = CliRunner()
    added = runner.invoke(
        main, [*home, "sources", "add", "k", "--kind", "dcat", "--url", str(source)]
    )
    assert added.exit_code == 0, added.output
    harvested = runner.invoke(main, [*home, "harvest", "k", "--json"])
    assert harvested.exit_code == 0, harvested.output
    assert json.loads(harvested.output)["added"] == 30
    assert len(started) == 1
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'data' / 'insyn.sqlite3'}")
    backend = EmbeddedBackend(tmp_path / "data")
    assert Indexer(catalogue, backend).lag() == 0
    assert stored(backend) == reference(catalogue, tmp_path / "ref")


def test_an_index_of_older_documents_is_left_to_the_indexers_rebuild(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    source, backend, indexer = source_and_index(sqlite_catalogue, tmp_path, range(1, 11))
    harvest_early(sqlite_catalogue, indexer, "bn")
    generation = backend._files.current()
    backend._files.write_meta(generation.path, DOCUMENT_VERSION - 1)
    backend._files.forget()

    write_source(source, range(1, 16))
    early = harvest_early(sqlite_catalogue, indexer, "bn")
    assert early.off and not early.kept
    assert indexer.catch_up().rebuilt
    assert stored(backend) == reference(sqlite_catalogue, tmp_path / "ref")
