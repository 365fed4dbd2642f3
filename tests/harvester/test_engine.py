"""The harvest engine: counts, provenance, tombstones, the deletion guard, and that a
failed or interrupted run deletes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from insyn import connectors
from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry, HarvestRun, Incident
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl, write_catalogue


def snapshot(catalogue: Catalogue) -> list[tuple]:
    """Everything stored about records, to compare before and after a bad run."""
    with catalogue.session() as session:
        return [
            (row.id, row.content_hash, row.deleted_at, row.title)
            for row in session.scalars(select(CatalogueRecord).order_by(CatalogueRecord.id))
        ]


def live_count(catalogue: Catalogue) -> int:
    with catalogue.session() as session:
        return session.scalar(select(func.count()).where(CatalogueRecord.deleted_at.is_(None)))


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    return write_catalogue(tmp_path / "katalog.ttl", range(1, 11))


def test_first_and_second_run_counts(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    first = harvest_source(catalogue, "bn")
    assert (first.status, first.added, first.unchanged, first.failed) == ("completed", 10, 0, 0)

    # Same content, new file timestamp: read again, every record unchanged.
    write_catalogue(source_file, range(1, 11))
    second = harvest_source(catalogue, "bn", full=True)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 10)

    write_catalogue(source_file, range(1, 12), d3="Bygglov i centrum")
    third = harvest_source(catalogue, "bn")
    assert (third.added, third.updated, third.unchanged, third.deleted) == (1, 1, 9, 0)

    with catalogue.session() as session:
        runs = session.scalars(select(HarvestRun).order_by(HarvestRun.id)).all()
        assert [run.status for run in runs] == ["completed"] * 3
        assert all(run.finished_at is not None for run in runs)
        changes = session.scalar(select(func.count()).select_from(ChangeLogEntry))
        assert changes == 10 + 2  # ten first, then one added and one updated


def test_field_provenance_follows_changes(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    first = harvest_source(catalogue, "bn")
    write_catalogue(source_file, range(1, 11), d3="Bygglov i centrum")
    second = harvest_source(catalogue, "bn")
    row = catalogue.get_record_row("https://data.exempel.se/dataset/3")
    assert row.first_run_id == first.run_id
    assert row.changed_by_run_id == second.run_id
    assert row.field_provenance["title"]["run"] == second.run_id
    assert row.field_provenance["description"]["run"] == first.run_id
    assert row.field_provenance["title"]["source"] == "bn"


def test_unchanged_file_counts_as_unchanged(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    again = harvest_source(catalogue, "bn")
    assert (again.status, again.unchanged, again.added, again.deleted) == ("completed", 10, 0, 0)


def test_missing_records_are_tombstoned_not_deleted(catalogue: Catalogue, source_file: Path):
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    write_catalogue(source_file, range(1, 10))  # dataset 10 is gone: 10 %
    summary = harvest_source(catalogue, "bn")
    assert summary.deleted == 1
    row = catalogue.get_record_row("https://data.exempel.se/dataset/10")
    assert row.deleted_at is not None  # still stored, tombstoned
    assert row.deleted_by_run_id == summary.run_id
    assert live_count(catalogue) == 9
    # It comes back when the source has it again.
    write_catalogue(source_file, range(1, 11))
    back = harvest_source(catalogue, "bn")
    assert back.updated == 1
    assert catalogue.get_record_row("https://data.exempel.se/dataset/10").deleted_at is None


def test_deletion_guard_keeps_everything_and_raises_incident(
    catalogue: Catalogue, source_file: Path
) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    write_catalogue(source_file, range(1, 6))  # half is gone
    summary = harvest_source(catalogue, "bn")
    assert summary.status == "completed"
    assert summary.deleted == 0
    assert live_count(catalogue) == 10
    incidents = catalogue.incidents()
    assert [incident.kind for incident in incidents] == ["deletion_guard"]
    assert "50%" in incidents[0].message
    confirmed = harvest_source(catalogue, "bn", allow_deletions=True)
    assert confirmed.deleted == 5
    assert live_count(catalogue) == 5


def test_deletion_guard_is_configurable(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file), {"deletion_guard": "0.6"})
    harvest_source(catalogue, "bn")
    write_catalogue(source_file, range(1, 6))
    assert harvest_source(catalogue, "bn").deleted == 5


def test_failed_run_changes_nothing(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    before = snapshot(catalogue)
    # Truncated Turtle: the first records parse, then the file ends mid-statement.
    text = PREFIXES + PUBLISHER + dataset_ttl(1, title="Ändrad titel") + dataset_ttl(2)[:120]
    source_file.write_text(text, encoding="utf-8")
    summary = harvest_source(catalogue, "bn")
    assert summary.status == "failed"
    # Ours: the message and the source (the parser's own words are not asserted).
    assert summary.error.startswith("Källan är inte giltig Turtle: ")
    assert "källa bn" in summary.error
    assert snapshot(catalogue) == before
    with catalogue.session() as session:
        run = session.get(HarvestRun, summary.run_id)
        assert run.status == "failed" and run.error
        incident = session.scalar(select(Incident).where(Incident.run_id == summary.run_id))
        assert incident.kind == "run_failed" and incident.status == "open"


def test_vanished_source_is_an_incident_not_an_empty_catalogue(
    catalogue: Catalogue, source_file: Path
) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    source_file.unlink()
    summary = harvest_source(catalogue, "bn")
    assert summary.status == "failed"
    assert "finns inte" in summary.error
    assert live_count(catalogue) == 10
    assert catalogue.incidents()[0].kind == "run_failed"


def test_bad_record_is_logged_and_run_goes_on(catalogue: Catalogue, tmp_path: Path) -> None:
    connectors.BUILTIN["scripted"] = "tests.harvester.scripted_connector"
    try:
        catalogue.add_source("s", "scripted", None, {"script": "one-bad"})
        summary = harvest_source(catalogue, "s")
    finally:
        del connectors.BUILTIN["scripted"]
    assert (summary.status, summary.added, summary.failed) == ("completed", 2, 1)
    errors = catalogue.record_errors(summary.run_id)
    assert [(e.record_key, e.field) for e in errors if e.severity == "error"] == [
        ("bad-1", "dcterms:issued")
    ]
    assert "inget datum" in errors[0].reason


def test_interrupted_run_changes_nothing(catalogue: Catalogue, source_file: Path) -> None:
    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    before = snapshot(catalogue)
    connectors.BUILTIN["scripted"] = "tests.harvester.scripted_connector"
    try:
        catalogue.add_source("s", "scripted", None, {"script": "interrupt"})
        with pytest.raises(KeyboardInterrupt):
            harvest_source(catalogue, "s")
    finally:
        del connectors.BUILTIN["scripted"]
    assert snapshot(catalogue) == before
    runs = catalogue.runs(source="s")
    assert runs[0].status == "interrupted"


def test_stream_without_done_is_a_failure(catalogue: Catalogue) -> None:
    connectors.BUILTIN["scripted"] = "tests.harvester.scripted_connector"
    try:
        catalogue.add_source("s", "scripted", None, {"script": "no-done"})
        summary = harvest_source(catalogue, "s")
    finally:
        del connectors.BUILTIN["scripted"]
    assert summary.status == "failed"
    assert live_count(catalogue) == 0


def test_incremental_run_does_not_tombstone(catalogue: Catalogue) -> None:
    connectors.BUILTIN["scripted"] = "tests.harvester.scripted_connector"
    try:
        catalogue.add_source("s", "scripted", None, {"script": "one-bad"})
        harvest_source(catalogue, "s")
        with catalogue.session() as session:
            from insyn.catalogue.models import Source

            source = session.scalar(select(Source).where(Source.name == "s"))
            source.options = {"script": "incremental"}
            session.commit()
        summary = harvest_source(catalogue, "s")
    finally:
        del connectors.BUILTIN["scripted"]
    assert (summary.added, summary.deleted) == (1, 0)
    assert live_count(catalogue) == 3
    with catalogue.session() as session:
        from insyn.catalogue.models import Source

        cursor = session.scalar(select(Source.cursor).where(Source.name == "s"))
    assert cursor["last_value"] == "2026-11-01T00:00:00Z"


def test_unchanged_statements_are_not_mapped_again(
    catalogue: Catalogue, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insyn.vocab.profiles import dcat_read

    catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(catalogue, "bn")
    mapped: list[str] = []
    original = dcat_read.read_dataset

    def counting(index, subject):  # type: ignore[no-untyped-def]
        mapped.append(subject)
        return original(index, subject)

    monkeypatch.setitem(dcat_read.RECORD_READERS, "http://www.w3.org/ns/dcat#Dataset", counting)
    # The same statements, rewritten in another order: nothing is mapped again.
    write_catalogue(source_file, list(reversed(range(1, 11))))
    again = harvest_source(catalogue, "bn", full=True)
    assert (again.unchanged, again.updated, mapped) == (10, 0, [])
    # What a record points to is part of it: renaming the shared publisher changes all.
    source_file.write_text(
        source_file.read_text("utf-8").replace(
            '"Byggnadsnämnden"@sv', '"Bygg- och miljönämnden"@sv'
        ),
        encoding="utf-8",
    )
    renamed = harvest_source(catalogue, "bn")
    assert (renamed.updated, len(mapped)) == (10, 10)
    row = catalogue.get_record_row("https://data.exempel.se/dataset/4")
    assert row.publisher.name_sv == "Bygg- och miljönämnden"


def test_the_description_visibility_comes_from_the_record_the_option_and_the_kind(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    """sql and files describe internal systems: internal unless the source's option says
    public; other kinds are public unless it says internal; the most restrictive of the
    record and its source wins."""
    folder = tmp_path / "filer"
    folder.mkdir()
    (folder / "budget.csv").write_text("konto;belopp\n1;2\n", encoding="utf-8")
    feed = tmp_path / "k.ttl"
    feed.write_text(
        PREFIXES + PUBLISHER + dataset_ttl(1) + dataset_ttl(2, internal=True), encoding="utf-8"
    )
    sources = {
        "filer": ("files", str(folder), {}),
        "filer-publika": ("files", str(folder), {"visibility": "public"}),
        "dcat": ("dcat", str(feed), {}),
        "dcat-internt": ("dcat", str(feed), {"visibility": "internal"}),
        "dcat-publikt": ("dcat", str(feed), {"visibility": "public"}),
    }
    for name, (kind, url, options) in sources.items():
        sqlite_catalogue.add_source(name, kind, url, options)
        assert harvest_source(sqlite_catalogue, name).status == "completed"
    with sqlite_catalogue.session() as session:
        rows = session.scalars(select(CatalogueRecord)).all()
        seen = {(row.source.name, row.uri or "fil"): row.description_visibility for row in rows}
        assert all(
            row.data["governance"]["description_visibility"] == row.description_visibility
            for row in rows
        )
    one, two = "https://data.exempel.se/dataset/1", "https://data.exempel.se/dataset/2"
    by_source = {name: [v for (s, _), v in seen.items() if s == name] for name in sources}
    assert by_source["filer"] == ["internal"] and by_source["filer-publika"] == ["public"]
    assert seen[("dcat", one)] == "public" and seen[("dcat", two)] == "internal"
    assert seen[("dcat-internt", one)] == seen[("dcat-internt", two)] == "internal"
    assert seen[("dcat-publikt", one)] == "public" and seen[("dcat-publikt", two)] == "internal"
    assert sqlite_catalogue.count_records(public_only=True) == 3  # filer-publika, dcat 1s
