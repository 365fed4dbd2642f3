"""A re-harvest skips exactly the records whose statements did not change, and writes what
it does write in batches. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import event, select, text, update

from insyn.catalogue.models import CatalogueRecord, DistributionRow
from insyn.catalogue.store import Catalogue
from insyn.connectors import dcat
from insyn.harvester.engine import harvest_source
from insyn.vocab.profiles import dcat_read
from tests.support.catalogues import PREFIXES, PUBLISHER

DCAT_DATASET = "http://www.w3.org/ns/dcat#Dataset"


def _dataset(number: int, *, email: str | None = None, access: str | None = None) -> str:
    """A dataset with a contact point as a blank node and two distributions: one named by
    an IRI, one a blank node without a download URL (rows of different shapes)."""
    email = email or f"kontakt{number}@exempel.se"
    access = access or f"https://data.exempel.se/files/{number}.csv"
    return f"""
<https://data.exempel.se/dataset/{number}> a dcat:Dataset ;
    dcterms:title "Bygglov {number}"@sv ;
    dcterms:description "Beviljade bygglov, del {number}."@sv ;
    dcterms:publisher <https://data.exempel.se/org/bn> ;
    dcat:contactPoint [ a vcard:Organization ; vcard:fn "Bygglov"@sv ;
        vcard:hasEmail <mailto:{email}> ] ;
    dcat:distribution <https://data.exempel.se/distribution/{number}> , [
        a dcat:Distribution ; dcat:accessURL <https://data.exempel.se/api/{number}> ] .

<https://data.exempel.se/distribution/{number}> a dcat:Distribution ;
    dcat:accessURL <{access}> ;
    dcat:downloadURL <{access}> .
"""


def _write(path: Path, *, email_of_2: str | None = None, access_of_3: str | None = None) -> None:
    prefixes = PREFIXES + "@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n"
    body = "".join(
        _dataset(
            number,
            email=email_of_2 if number == 2 else None,
            access=access_of_3 if number == 3 else None,
        )
        for number in range(1, 7)
    )
    path.write_text(prefixes + PUBLISHER + body, encoding="utf-8")


@pytest.fixture
def mapped(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The subjects the DCAT mapping reads, in order."""
    subjects: list[str] = []
    original = dcat_read.read_dataset

    def counting(index, subject):  # type: ignore[no-untyped-def]
        subjects.append(subject)
        return original(index, subject)

    monkeypatch.setitem(dcat_read.RECORD_READERS, DCAT_DATASET, counting)
    return subjects


def test_only_records_whose_statements_changed_are_mapped_again(
    catalogue: Catalogue, tmp_path: Path, mapped: list[str]
) -> None:
    source = tmp_path / "katalog.ttl"
    _write(source)
    catalogue.add_source("bn", "dcat", str(source))
    first = harvest_source(catalogue, "bn")
    assert (first.added, len(mapped)) == (6, 6)

    mapped.clear()
    again = harvest_source(catalogue, "bn", full=True)
    assert (again.unchanged, again.updated, mapped) == (6, 0, [])

    # A blank node inside record 2 (its contact point's e-mail) and the distribution
    # record 3 points to by IRI change; nothing else does.
    _write(
        source,
        email_of_2="ny@exempel.se",
        access_of_3="https://data.exempel.se/files/3-ny.csv",
    )
    changed = harvest_source(catalogue, "bn", full=True)
    assert (changed.updated, changed.unchanged, changed.added) == (2, 4, 0)
    assert sorted(mapped) == [
        "https://data.exempel.se/dataset/2",
        "https://data.exempel.se/dataset/3",
    ]
    two = catalogue.get_record("https://data.exempel.se/dataset/2")
    assert [contact.email for contact in two.contact_point] == ["ny@exempel.se"]
    three = catalogue.get_record("https://data.exempel.se/dataset/3")
    assert "https://data.exempel.se/files/3-ny.csv" in [
        distribution.access_url for distribution in three.distributions
    ]


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The documents the DCAT connector parses, in order."""
    documents: list[object] = []
    original = dcat.parse_triples

    def counting(data, *args, **kwargs):  # type: ignore[no-untyped-def]
        documents.append(data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(dcat, "parse_triples", counting)
    return documents


def _harvested(catalogue: Catalogue, tmp_path: Path) -> Path:
    """The six datasets' file, harvested once as source 'bn'."""
    source = tmp_path / "katalog.ttl"
    _write(source)
    catalogue.add_source("bn", "dcat", str(source))
    assert harvest_source(catalogue, "bn").added == 6
    return source


def _touch(path: Path) -> None:
    """A new modification time, the same bytes."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_file_with_the_same_bytes_is_not_parsed_again_even_in_full(
    catalogue: Catalogue, tmp_path: Path, parsed: list[object], mapped: list[str]
) -> None:
    source = _harvested(catalogue, tmp_path)
    parsed.clear()
    mapped.clear()

    _touch(source)
    again = harvest_source(catalogue, "bn", full=True)
    assert (again.status, again.unchanged, again.updated, again.deleted) == (
        "completed",
        6,
        0,
        0,
    )
    assert (parsed, mapped) == ([], [])
    # And again: a run that skipped the file leaves the same promise for the next one.
    assert harvest_source(catalogue, "bn", full=True).unchanged == 6
    assert parsed == []

    # One changed byte, and the file is read and the changed record mapped again.
    _write(source, email_of_2="ny@exempel.se")
    changed = harvest_source(catalogue, "bn", full=True)
    assert (changed.updated, changed.unchanged, len(parsed)) == (1, 5, 1)
    assert mapped == ["https://data.exempel.se/dataset/2"]


def test_a_file_with_the_same_bytes_is_read_when_the_stored_records_changed(
    catalogue: Catalogue, tmp_path: Path, parsed: list[object]
) -> None:
    source = _harvested(catalogue, tmp_path)
    # A record gone from the catalogue without a harvest: the file no longer tells what
    # is stored, so it is read, and the record comes back.
    with catalogue.session() as session:
        session.execute(
            update(CatalogueRecord)
            .where(CatalogueRecord.uri == "https://data.exempel.se/dataset/4")
            .values(deleted_at=CatalogueRecord.first_seen)
        )
        session.commit()
    parsed.clear()

    _touch(source)
    again = harvest_source(catalogue, "bn", full=True)
    assert (again.updated, again.unchanged, len(parsed)) == (1, 5, 1)
    assert catalogue.get_record("https://data.exempel.se/dataset/4").title


def test_a_file_with_a_failed_record_is_read_again(
    catalogue: Catalogue, tmp_path: Path, parsed: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "katalog.ttl"
    _write(source)
    catalogue.add_source("bn", "dcat", str(source))
    original = dcat_read.read_dataset

    def failing_five(index, subject):  # type: ignore[no-untyped-def]
        if subject.endswith("/dataset/5"):
            raise ValueError("trasig")
        return original(index, subject)

    with monkeypatch.context() as patched:
        patched.setitem(dcat_read.RECORD_READERS, DCAT_DATASET, failing_five)
        first = harvest_source(catalogue, "bn")
    assert (first.added, first.failed) == (5, 1)
    parsed.clear()

    _touch(source)
    again = harvest_source(catalogue, "bn", full=True)
    assert (again.added, again.unchanged, again.failed, len(parsed)) == (1, 5, 0, 1)


def test_distributions_of_every_shape_go_in_one_statement(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    source = tmp_path / "katalog.ttl"
    _write(source)
    catalogue.add_source("bn", "dcat", str(source))
    inserts: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO DISTRIBUTIONS"):
            inserts.append(statement)

    event.listen(catalogue.engine, "before_cursor_execute", seen)
    try:
        summary = harvest_source(catalogue, "bn")
    finally:
        event.remove(catalogue.engine, "before_cursor_execute", seen)
    assert summary.added == 6
    # Before, each change of shape (a URI or a download URL missing) began a new batch.
    assert len(inserts) == 1
    with catalogue.session() as session:
        rows = session.execute(
            select(DistributionRow.uri, DistributionRow.download_url).order_by(
                DistributionRow.record_id, DistributionRow.position
            )
        ).all()
    assert len(rows) == 12
    assert sum(1 for uri, download in rows if uri is None and download is None) == 6


def test_the_stored_json_is_the_text_the_content_hash_was_taken_of(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """Each record's JSON is made once: the content hash is of the very text stored."""
    _harvested(catalogue, tmp_path)
    with catalogue.session() as session:
        rows = session.execute(
            text("SELECT id, CAST(data AS TEXT), content_hash FROM records")
        ).all()
        stored = dict(session.execute(select(CatalogueRecord.id, CatalogueRecord.data)).all())
    assert len(rows) == 6
    for record_id, data, content_hash in rows:
        assert hashlib.sha256(data.encode()).hexdigest() == content_hash
        assert json.loads(data) == stored[record_id]
        number = stored[record_id]["uri"].rsplit("/", 1)[1]
        assert stored[record_id]["title"] == {"sv": f"Bygglov {number}"}
