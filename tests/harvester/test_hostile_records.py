"""Hostile input never sinks a run: a record whose mapping fails is one record failure
naming its key (and field), a value too big for its column is reported per record.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from insyn.catalogue.models import RecordError
from insyn.catalogue.store import Catalogue
from insyn.errors import VocabError
from insyn.harvester.engine import harvest_source
from insyn.vocab.profiles import dcat_read
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl


def record_errors(catalogue: Catalogue, run_id: int | None) -> list[RecordError]:
    with catalogue.session() as session:
        return list(session.scalars(select(RecordError).where(RecordError.run_id == run_id)).all())


def test_infinite_byte_size_is_a_warning_not_a_failed_run(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    bad = dataset_ttl(2).replace(
        "dcterms:format <http://publications.europa.eu/resource/authority/file-type/CSV> .",
        "dcterms:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;\n"
        '    dcat:byteSize "1e999" .',
    )
    path = tmp_path / "katalog.ttl"
    path.write_text(PREFIXES + PUBLISHER + dataset_ttl(1) + bad + dataset_ttl(3), "utf-8")
    catalogue.add_source("bn", "dcat", str(path))
    summary = harvest_source(catalogue, "bn")
    assert (summary.status, summary.added, summary.failed) == ("completed", 3, 0)
    warnings = [e.reason for e in record_errors(catalogue, summary.run_id)]
    assert any("byteSize" in reason and "1e999" in reason for reason in warnings)
    row = catalogue.get_record_row("https://data.exempel.se/dataset/2")
    assert row.data["distributions"][0].get("byte_size") is None


def test_a_lazy_record_whose_mapping_raises_fails_alone(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "katalog.ttl"
    path.write_text(PREFIXES + PUBLISHER + "".join(dataset_ttl(n) for n in (1, 2, 3)), "utf-8")
    catalogue.add_source("bn", "dcat", str(path))
    dataset_type = "http://www.w3.org/ns/dcat#Dataset"
    real = dcat_read.RECORD_READERS[dataset_type]

    def flaky(index, subject):  # type: ignore[no-untyped-def]
        if subject.endswith("/2"):
            raise VocabError("Ett oväntat värde", field="dcterms:temporal")
        if subject.endswith("/3"):
            raise ZeroDivisionError("division by zero")
        return real(index, subject)

    monkeypatch.setitem(dcat_read.RECORD_READERS, dataset_type, flaky)
    summary = harvest_source(catalogue, "bn")
    assert (summary.status, summary.added, summary.failed) == ("completed", 1, 2)
    errors = {e.record_key: e for e in record_errors(catalogue, summary.run_id)}
    assert errors["https://data.exempel.se/dataset/2"].field == "dcterms:temporal"
    assert "ZeroDivisionError" in errors["https://data.exempel.se/dataset/3"].reason
    assert all(e.severity == "error" for e in errors.values())


def test_values_longer_than_their_column_fail_one_record_each(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    long_iri = "https://data.exempel.se/dataset/" + "x" * 1500
    long_format = "https://format.exempel.se/" + "f" * 600
    long_publisher = "Nämnden för " + "långa namn " * 60
    text = PREFIXES + PUBLISHER
    text += dataset_ttl(1)
    text += dataset_ttl(2).replace("https://data.exempel.se/dataset/2", long_iri)
    text += dataset_ttl(3).replace(
        "http://publications.europa.eu/resource/authority/file-type/CSV", long_format
    )
    text += dataset_ttl(4).replace(
        "dcterms:publisher <https://data.exempel.se/org/bn>",
        f'dcterms:publisher [ a foaf:Agent ; foaf:name "{long_publisher}"@sv ]',
    )
    text += dataset_ttl(5, title="Bygglov " + "mycket lång titel " * 500)
    path = tmp_path / "katalog.ttl"
    path.write_text(text, "utf-8")
    catalogue.add_source("bn", "dcat", str(path))

    summary = harvest_source(catalogue, "bn")

    # Free text is unbounded: the long title is kept whole.
    assert (summary.status, summary.added, summary.failed) == ("completed", 2, 3)
    assert len(catalogue.get_record_row("https://data.exempel.se/dataset/5").title) > 9000
    errors = [e for e in record_errors(catalogue, summary.run_id) if e.severity == "error"]
    by_field = {e.field: e for e in errors}
    assert set(by_field) == {"källnyckel", "distributions[0].format", "publisher.name"}
    assert by_field["distributions[0].format"].record_key == "https://data.exempel.se/dataset/3"
    assert by_field["publisher.name"].record_key == "https://data.exempel.se/dataset/4"
    # The report of an overlong key fits its own column, cut and marked.
    key = by_field["källnyckel"].record_key
    assert key is not None and len(key) == 1000 and key.endswith("…")
    assert key.startswith(long_iri[:900])
    assert "1532 tecken" in by_field["källnyckel"].reason
