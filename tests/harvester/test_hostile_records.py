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
