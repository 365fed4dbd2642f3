"""What only the embedded backend has: its directory, its lock, its generations, readers."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tantivy

from insyn.search.backends._tantivy_schema import stored_original
from insyn.search.backends._tantivy_store import Generation
from insyn.search.backends.base import SearchBackend, SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.errors import IndexingError, IndexLockedError, IndexMissingError
from tests.search.fixtures import PUBLIC_IDS, documents


@pytest.fixture
def loaded(tmp_path: Path) -> EmbeddedBackend:
    backend = EmbeddedBackend(tmp_path)
    backend.ensure_index()
    backend.bulk_upsert(documents())
    return backend


def test_is_a_search_backend(tmp_path: Path) -> None:
    assert isinstance(EmbeddedBackend(tmp_path), SearchBackend)


def test_layout_and_generation_switch(loaded: EmbeddedBackend, tmp_path: Path) -> None:
    root = tmp_path / "index"
    first = (root / "CURRENT").read_text()
    assert sorted(p.name for p in (root / first).iterdir()) == ["all", "generation.json", "public"]
    loaded.rebuild(documents())
    second = (root / "CURRENT").read_text()
    assert second != first
    assert [p.name for p in root.glob("gen-*")] == [second]  # the old one is gone
    meta = json.loads((root / second / "generation.json").read_text())
    assert meta["schema_version"] >= 1 and meta["document_version"] >= 1


def test_missing_index(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    with pytest.raises(IndexMissingError):
        backend.search(SearchRequest("skola"))
    assert backend.count() == 0
    assert backend.suggest("sk") == []
    assert backend.delete(["x"]) == 0
    assert backend.bulk_upsert(documents()[:1]) == 1  # writing creates the index


def test_documents_must_say_whether_they_are_public(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path)
    backend.ensure_index()
    doc = documents()[0]
    del doc["is_public"]
    with pytest.raises(IndexingError) as caught:
        backend.bulk_upsert([documents()[1], doc])
    assert caught.value.record_ids == [doc["id"]]
    assert backend.count(public_only=False) == 1  # the others were written


def test_another_writer_holds_the_lock(loaded: EmbeddedBackend, tmp_path: Path) -> None:
    blocked = EmbeddedBackend(tmp_path, lock_timeout=0.2)
    with open(tmp_path / "index" / "write.lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        with pytest.raises(IndexLockedError):
            blocked.bulk_upsert(documents()[:1])
        # Readers never wait for writers.
        assert blocked.search(SearchRequest("skolenheter")).total == 1
    assert blocked.bulk_upsert(documents()[:1]) == 1


def _mark_older_schema(data_dir: Path) -> Path:
    """Mark the generation in use as built by an older schema; return its directory."""
    root = data_dir / "index"
    generation = root / (root / "CURRENT").read_text()
    meta = json.loads((generation / "generation.json").read_text())
    meta["schema_version"] = 0
    (generation / "generation.json").write_text(json.dumps(meta))
    return generation


def test_schema_change_migrates_from_stored_documents(
    loaded: EmbeddedBackend, tmp_path: Path
) -> None:
    generation = _mark_older_schema(tmp_path)
    fresh = EmbeddedBackend(tmp_path)
    assert fresh.ensure_index() is False  # migrated, nothing to load from the catalogue
    assert (tmp_path / "index" / "CURRENT").read_text() != generation.name
    assert fresh.count(public_only=False) == len(documents())
    assert fresh.search(SearchRequest("zebrafinkar", public_only=False)).total == 1


def _stored(backend: EmbeddedBackend) -> dict[str, dict[str, dict]]:
    """Every stored document of both partitions by id (the all partition's with the
    public form kept apart, as a migration reads it)."""
    generation = backend._files.current()
    out = {}
    for part in ("all", "public"):
        searcher = generation.searcher(part)
        found = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1))
        stored = [stored_original(searcher.doc(address)) for _, address in found.hits]
        out[part] = {document["id"]: document for document in stored}
    return out


def test_a_schema_migration_keeps_every_public_form(
    loaded: EmbeddedBackend, tmp_path: Path
) -> None:
    """Masked records (their public form stored apart), records shown as they are (one
    tantivy document for both partitions) and a hand-built document whose personnummer
    only the public view masks: a migration writes both partitions as they were."""
    by_hand = {k: v for k, v in documents()[0].items() if k not in ("public", "suggest", "parts")}
    by_hand.update(id="by-hand", title="Ring 811228-9874", title_sv="Ring 811228-9874")
    loaded.bulk_upsert([by_hand])
    before = _stored(loaded)
    assert before["public"]["by-hand"]["title"] == "Ring ÅÅMMDD-XXXX"
    apart = {i for i, d in before["all"].items() if d.get("public")}
    assert apart >= {"by-hand", "case-ks-2024-46", "ds-orosanmalningar"}
    assert "ds-skolenheter" not in apart  # shown as it is: one document for both
    _mark_older_schema(tmp_path)
    fresh = EmbeddedBackend(tmp_path)
    assert fresh.ensure_index() is False
    assert _stored(fresh) == before
    assert fresh.search(SearchRequest("811228")).total == 0
    assert fresh.search(SearchRequest("811228", public_only=False)).total == 1


def test_old_documents_ask_for_a_rebuild(loaded: EmbeddedBackend) -> None:
    old = [dict(d, document_version=0) for d in documents()]
    loaded.rebuild(old)
    assert loaded.ensure_index() is True


def test_other_instances_see_commits_and_switches(loaded: EmbeddedBackend, tmp_path: Path) -> None:
    reader = EmbeddedBackend(tmp_path)
    assert reader.count() == len(PUBLIC_IDS)
    loaded.delete(["ds-skolenheter"])
    # No record holds "skolenheter" now; its parts may still find others, relaxed.
    gone = reader.search(SearchRequest("skolenheter"))
    assert gone.strict_total == 0
    assert "ds-skolenheter" not in {hit.id for hit in gone.hits}
    loaded.rebuild(documents())
    assert reader.search(SearchRequest("skolenheter")).total == 1


_READER = textwrap.dedent(
    """
    import pathlib, sys, time
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.search.backends.base import SearchRequest
    backend = EmbeddedBackend(sys.argv[1])
    stop = pathlib.Path(sys.argv[1]) / "stop"
    searches = 0
    deadline = time.monotonic() + 60
    print("ready", flush=True)
    while not stop.exists() and time.monotonic() < deadline:
        total = backend.search(SearchRequest("bygglov")).total
        searches += 1
        if total == 0:
            print("EMPTY", flush=True)
            sys.exit(1)
    print("searches", searches, flush=True)
    """
)


def test_a_reader_process_never_sees_an_empty_index(
    loaded: EmbeddedBackend, tmp_path: Path
) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "ready"
    docs = documents()
    try:
        for round_ in range(8):
            if round_ % 2:
                loaded.rebuild(docs)
            else:
                loaded.bulk_upsert(docs[:5])
                loaded.delete(["ds-bygglov-2023"])
                loaded.bulk_upsert(docs)
    finally:
        (tmp_path / "stop").touch()
    out, err = reader.communicate(timeout=90)
    assert reader.returncode == 0, out + err
    assert "EMPTY" not in out
    assert int(out.split()[-1]) > 0, out


def test_highlighting_matches_typos_only_for_words_the_query_fuzzed() -> None:
    # A word the index knows is matched exactly, so its near neighbours are not marked
    # ("laddplatser" must not mark "badplatser"); a misspelt word marks what it found.
    from insyn.search.backends._tantivy_schema import Analyzers, Highlighter

    text = "Badplatser och laddplatser"
    known = Highlighter(Analyzers(), ["laddplatser"], [])
    assert [text[a:b] for a, b in known.spans(text)] == ["laddplatser"]
    misspelt = Highlighter(Analyzers(), ["laddplaster"], [], fuzzy=["laddplaster"])
    assert [text[a:b] for a, b in misspelt.spans(text)] == ["laddplatser"]


def test_a_generation_dropped_between_finding_and_reading_it_is_found_again(
    loaded: EmbeddedBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process rebuilds (switches generations and drops the old one) right after
    this reader found the generation in use and before it reloads it: the reader looks
    again instead of failing the search."""
    reader = EmbeddedBackend(tmp_path)
    expected = reader.search(SearchRequest("bygglov")).total
    writer = EmbeddedBackend(tmp_path)
    found_before = reader._files.current
    switched: list[str] = []

    def current_then_switched() -> Generation:
        generation = found_before()
        if not switched:
            switched.append(generation.name)
            writer.rebuild(documents())  # switches and drops the generation just found
            assert not generation.path.exists()  # the rebuild dropped it
        return generation

    monkeypatch.setattr(reader._files, "current", current_then_switched)
    assert reader.search(SearchRequest("bygglov")).total == expected
    assert reader.count() == len(PUBLIC_IDS)
    assert switched and reader._files.pointer() != switched[0]
