"""The indexer's fast path masks exactly as the model path does (a privacy guarantee).

``document_for`` hands ``index_document`` the stored plain data: a record with nothing to
mask gets no second document, one with something to mask is masked from the plain data
without a deep copy. Both must give the very document the model path gives
(``index_document`` without ``data``: ``masking.public_record`` on a deep copy), on the
demo catalogue with its extras and on the leak suite's seeded records (secret-marked cases,
private applicants' names and addresses, personnummer in every kind of field).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.search.backends._tantivy_schema import stored_document
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.documents import index_document, public_view
from insyn.search.indexer import READER_NAME, Indexer, _documents, _plain_rows, document_for
from insyn.settings import load_settings
from insyn.vocab import masking
from insyn.vocab.model import Dataset, from_dict, to_dict
from insyn.vocab.personal_data import json_has_personnummer
from tests.web.support import harvest_demo
from tests.web.test_leaks import hidden_records, seed, shown_records


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    work = tmp_path_factory.mktemp("fast-masking")
    catalogue = Catalogue(load_settings(home=work).catalogue_url)
    harvest_demo(catalogue, work, extras=True)
    seed(catalogue, shown_records(), "diarium")
    seed(catalogue, hidden_records(), "hemligt")
    yield catalogue
    catalogue.close()


@pytest.fixture(scope="module")
def rows(catalogue: Catalogue) -> list[CatalogueRecord]:
    return list(catalogue.iter_records(public_only=False))


def _model_path(row: CatalogueRecord) -> dict:
    return index_document(
        row.id,
        from_dict(row.data),
        publisher_name=row.publisher.name_sv if row.publisher else None,
        owner_name=row.owner.name_sv if row.owner else None,
        source=row.source.name if row.source else None,
    )


def test_the_fast_path_gives_the_model_paths_documents(rows: list[CatalogueRecord]) -> None:
    assert len(rows) > 40
    masked = 0
    for row in rows:
        fast, model = document_for(row), _model_path(row)
        assert fast == model, row.id
        assert public_view(fast) == public_view(model), row.id
        masked += fast["public"] is not None
    assert masked >= len(shown_records())  # the seeded records do go the masking way


def test_the_stored_text_path_gives_the_model_paths_documents(
    catalogue: Catalogue, rows: list[CatalogueRecord]
) -> None:
    """The indexer reads each record's JSON as stored and masking scans that text: the
    documents are still the model path's."""
    by_id = {row.id: row for row in rows}
    with catalogue.session() as session:
        read = list(session.execute(_plain_rows()))
    assert len(read) == len(rows)
    for row, fast in zip(read, _documents(read), strict=True):
        assert fast == _model_path(by_id[row[0]]), row[0]


@pytest.mark.parametrize("ascii_only", [False, True])
def test_shown_as_is_finds_a_personnummer_in_the_stored_text(ascii_only: bool) -> None:
    """Stored as a harvest writes it, or with escapes (ensure_ascii): a personnummer in any
    string is found either way."""
    for title, shown in (("Bänkar, ring 811228-9874", False), ("Parkbänkar i Örby", True)):
        record = Dataset(title={"sv": title}, keyword={"sv": ["åäö – 2024"]})
        data = to_dict(record)
        text = json.dumps(data, ensure_ascii=ascii_only, sort_keys=True, separators=(",", ":"))
        assert masking.shown_as_is(record, data, text) is shown, title


def test_public_data_equals_the_masked_model(rows: list[CatalogueRecord]) -> None:
    for row in rows:
        shown = masking.public_record(from_dict(row.data))
        assert masking.public_data(row.data) == (to_dict(shown) if shown else None), row.id


def test_shown_as_is_only_when_masking_changes_nothing(rows: list[CatalogueRecord]) -> None:
    for row in rows:
        record = from_dict(row.data)
        if masking.shown_as_is(record, row.data):
            assert masking.public_record(record) == record, row.id


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "19121212-1212"}',
        '{"a": "tel 19121212-1212 ring"}',
        '{"a": "x", "b": ["121212-1212"]}',
        '{"121212+1212": 1}',
        '{"a": "se \\"121212-1212\\" här"}',
        '{"a": "121212 1212"}',
    ],
)
def test_a_personnummer_in_any_json_string_is_found(text: str) -> None:
    assert json_has_personnummer(text)


@pytest.mark.parametrize(
    "text",
    ['{"a": "556000-1008"}', '{"a": "2024-01-01", "n": 121212}', '{"a": "1212121212121"}'],
)
def test_no_personnummer_is_not_found(text: str) -> None:
    assert not json_has_personnummer(text)


def _partitions(backend: EmbeddedBackend) -> dict[str, list[dict]]:
    """Every stored document of both partitions, in id order."""
    generation = backend._files.current()
    out = {}
    for part in ("all", "public"):
        searcher = generation.searcher(part)
        found = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1))
        out[part] = sorted(
            (stored_document(searcher, address) for _, address in found.hits),
            key=lambda document: document["id"],
        )
    return out


def test_documents_built_in_worker_processes_are_the_same(
    rows: list[CatalogueRecord], catalogue: Catalogue, tmp_path: Path
) -> None:
    """Large rebuilds and catch-ups build documents in forked workers: both partitions
    must hold exactly what building them in the indexer's own process gives."""
    indexes = {}
    for workers in (0, 2):
        backend = EmbeddedBackend(tmp_path / f"workers-{workers}")
        # Batches of 7 records: several batches in flight, their order kept.
        indexer = Indexer(catalogue, backend, batch_size=7, workers=workers)
        assert indexer.rebuild().upserted == len(rows)
        indexes[f"rebuild, {workers} workers"] = _partitions(backend)
        # Every change applied again by a catch-up (position set back): the same index.
        with catalogue.session() as session:
            catalogue.set_reader_position(session, READER_NAME, 0)
            session.commit()
        assert indexer.catch_up().upserted == len(rows)
        indexes[f"catch-up, {workers} workers"] = _partitions(backend)
        backend.close()
    first, *others = indexes.values()
    assert all(other == first for other in others)
    public = first["public"]
    assert len(public) < len(rows)  # the internal records are not there
    assert all(not d["parties_restricted"] and not d["secrecy_provision"] for d in public)
