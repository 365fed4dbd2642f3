"""The OAI-PMH connector against a real OAI-PMH server on 127.0.0.1 and the sickle samples."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
import requests

from insyn.catalogue.store import Catalogue
from insyn.connectors import load, oaipmh
from insyn.connectors.base import Cursor, Deleted, Failure, Item
from insyn.errors import ConfigError, ConnectorError, UnsafeInputError, VocabError
from insyn.harvester.engine import harvest_source
from insyn.vocab import masking
from insyn.vocab.model import NON_PUBLIC, PUBLIC, Dataset
from tests.conftest import shared_file
from tests.connectors.oai_archive import (
    Archive,
    ArchiveRecord,
    ArchiveServer,
    Fault,
    oai_schema,
    sample_records,
    serve_archive,
    validation_errors,
)
from tests.support.runs import Run, collect

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
BACKOFF = 0.05
FAST = {"backoff": str(BACKOFF), "retries": "2", "read_timeout": "5", "language": "sv"}
KEY = "oai:earkiv.exempelby.se:"


ADMS_LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"


def harvest_all(url: str, cursor: Cursor | None = None, **options: str) -> Run:
    config = oaipmh.Config.from_source(url, {**FAST, **options})
    return collect(oaipmh.harvest(config, cursor or Cursor()))


@pytest.fixture
def archive_server() -> Iterator[ArchiveServer]:
    with serve_archive(Archive(sample_records()), batch_size=7) as server:
        yield server


@pytest.fixture(scope="module")
def schema():
    return oai_schema(shared_file("oai-pmh/schemas"))


def record_of(server: ArchiveServer, local_id: str) -> ArchiveRecord:
    return next(r for r in server.archive.records if r.identifier == KEY + local_id)


def newest(records: list[ArchiveRecord]) -> datetime:
    return max(record.datestamp for record in records)


# --- the server is a conforming OAI-PMH server ------------------------------------------


def test_every_answer_of_the_server_validates_against_the_xsds(
    archive_server: ArchiveServer, schema
) -> None:
    harvest_all(archive_server.url)
    harvest_all(archive_server.url, Cursor(last_value="2030-01-01T00:00:00Z"))  # noRecordsMatch
    for args in (
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListSets"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "bn"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": KEY + "ks-a1-2019"},
        {"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": KEY + "ks-a1-2019"},
        {"verb": "ListRecords", "resumptionToken": "utgången"},
        {"verb": "Nonsens"},
    ):
        requests.get(archive_server.url, params=args, timeout=5)
    assert len(archive_server.app.responses) >= 15
    for body in archive_server.app.responses:
        assert validation_errors(schema, body) == [], body[:400]


def test_the_validator_catches_the_stray_text_in_the_sickle_listrecords_sample(schema) -> None:
    samples = shared_file("oai-pmh/samples")
    results = {
        path.name: validation_errors(schema, path.read_bytes()) for path in samples.iterdir()
    }
    broken = results.pop("ListRecords.xml")
    assert len(broken) == 1
    assert "oai_dc/}dc" in broken[0] and "element-only" in broken[0]
    assert all(errors == [] for errors in results.values()), results


# --- harvesting ----------------------------------------------------------------------------


def test_full_harvest_follows_every_resumption_token(archive_server: ArchiveServer) -> None:
    run = harvest_all(archive_server.url)
    assert not run.failures
    assert len(run.items) == 27 and len(run.deleted) == 3
    assert run.done.complete
    pages = archive_server.list_requests()
    assert len(pages) == 5  # 30 records, 7 a page
    assert pages[0].args == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert all(set(page.args) == {"verb", "resumptionToken"} for page in pages[1:])
    records = archive_server.archive.records
    assert run.done.cursor.last_value == newest(records).isoformat() + "Z"
    assert run.done.cursor.boundary_keys == sorted(r.identifier for r in records[-2:])


def test_an_archive_description_is_mapped_to_the_model(archive_server: ArchiveServer) -> None:
    # The municipality's archive: its publisher and creators are its own authorities, as
    # its administrator states (oai_dc has no type for them, which DCAT-AP-SE requires).
    run = harvest_all(
        archive_server.url, publisher_type="LocalAuthority", creator_type="LocalAuthority"
    )
    item = run.items[KEY + "ks-a1-2019"]
    dataset = item.record
    assert isinstance(dataset, Dataset)
    assert dataset.uri == KEY + "ks-a1-2019"
    assert dataset.title == {
        "sv": "Kommunstyrelsens protokoll 2019",
        "en": "Minutes of the Municipal Executive Board 2019",
    }
    assert dataset.description["sv"].startswith("Justerade protokoll")
    assert dataset.description["en"] == "Approved minutes with appendices."
    assert [c.name for c in dataset.creator] == [{"sv": "Kommunstyrelsen"}]
    assert dataset.publisher.name == {"sv": "Exempelby kommun"}
    assert dataset.keyword == {"sv": ["protokoll", "kommunstyrelsen", "beslut"]}
    assert (dataset.issued, dataset.modified) == (date(2019, 12, 31), date(2020, 3, 15))
    assert dataset.language == [LANGUAGE + "SWE"]
    assert dataset.identifier[0] == "SE/EXB/KS/ks-a1-2019"
    assert dataset.landing_page == ["https://earkiv.exempelby.se/arkiv/ks-a1-2019"]
    [pdf] = dataset.distributions
    assert pdf.download_url == "https://earkiv.exempelby.se/filer/ks-a1-2019.pdf"
    assert (pdf.format, pdf.media_type) == (FILE_TYPE + "PDF", "application/pdf")
    assert dataset.extras == {"dc:type": ["Text"], "oai:setSpec": ["ks"]}
    assert dataset.governance.access_rights == PUBLIC
    assert dataset.publisher.type == dataset.creator[0].type == ADMS_LOCAL_AUTHORITY
    assert item.warnings == []
    # Without the options, the run says which are missing.
    silent = harvest_all(archive_server.url).items[KEY + "ks-a1-2019"]
    assert any("creator_type=" in warning for warning in silent.warnings)


def test_rights_formats_and_coverage(archive_server: ArchiveServer) -> None:
    items = harvest_all(archive_server.url).items
    secret = items[KEY + "son-personakter-2016"]
    assert secret.record.governance.access_rights == NON_PUBLIC
    assert secret.record.governance.secrecy_provision == "26 kap. 1 § OSL"
    assert items[KEY + "bun-betyg-2014"].record.governance.access_rights == PUBLIC
    report = items[KEY + "ks-arsredovisning-2021"].record
    assert report.extras["licence"] == ["http://creativecommons.org/publicdomain/zero/1.0/"]
    building = items[KEY + "bn-bygglov-2018"]
    assert building.record.spatial == ["Exempelby"]
    assert building.record.extras["dc:format"] == ["2 hyllmeter"]
    assert any("2 hyllmeter" in warning for warning in building.warnings)
    plans = items[KEY + "bn-detaljplaner-2017"].record
    assert plans.spatial == ["Exempelby tätort"]
    assert (plans.temporal[0].start, plans.temporal[0].end) == (
        date(2010, 1, 1),
        date(2017, 12, 31),
    )
    diary = items[KEY + "ks-diarium-2020"].record
    assert [d.format for d in diary.distributions] == [FILE_TYPE + "XML"]
    assert diary.distributions[0].access_url == "https://earkiv.exempelby.se/arkiv/ks-diarium-2020"
    assert items[KEY + "mhn-tillsyn-2019"].record.relation == [KEY + "mhn-tillsyn-2018"]


def test_set_option_harvests_one_set(archive_server: ArchiveServer) -> None:
    run = harvest_all(archive_server.url, set="bn")
    assert run.items and all(key.startswith(KEY + "bn-") for key in run.items)
    assert archive_server.list_requests()[0].args["set"] == "bn"


def test_full_harvest_through_the_engine(
    sqlite_catalogue: Catalogue, archive_server: ArchiveServer
) -> None:
    sqlite_catalogue.add_source("earkiv", "oaipmh", archive_server.url, FAST)
    summary = harvest_source(sqlite_catalogue, "earkiv")
    assert (summary.status, summary.added, summary.failed) == ("completed", 27, 0)
    assert sqlite_catalogue.count_records(public_only=False) == 27
    # Four socialnämnden records are secret-marked: listed, masked; none is internal.
    assert sqlite_catalogue.count_records() == 27
    row = sqlite_catalogue.get_record_row(KEY + "ks-a1-2019")
    assert row.title == "Kommunstyrelsens protokoll 2019" and row.is_public
    secret = sqlite_catalogue.get_record_row(KEY + "son-personakter-2016")
    assert not secret.is_public and secret.description_visibility == "public"
    shown = masking.public_data(secret.data)
    assert shown is not None
    assert shown["title"] == {"sv": "Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL"}
    cursor = sqlite_catalogue.get_source("earkiv").cursor
    assert cursor["last_value"] == newest(archive_server.archive.records).isoformat() + "Z"
    assert load("oaipmh") is oaipmh


def test_incremental_run_fetches_only_the_changes(
    sqlite_catalogue: Catalogue, archive_server: ArchiveServer
) -> None:
    sqlite_catalogue.add_source("earkiv", "oaipmh", archive_server.url, FAST)
    harvest_source(sqlite_catalogue, "earkiv")
    records = archive_server.archive.records
    boundary = newest(records)
    later = datetime(2026, 2, 2, 10, 30, 0)
    changed = record_of(archive_server, "bn-bygglov-2018")
    changed.dc["title"] = ["Bygglovsärenden 2018 (kompletterad)"]
    changed.datestamp = later
    gone = record_of(archive_server, "ks-diarium-2020")
    gone.deleted, gone.dc, gone.datestamp = True, {}, later
    new = sample_records()[0]
    new.identifier, new.datestamp = KEY + "ks-a1-2020", later
    records.append(new)
    archive_server.app.requests.clear()

    summary = harvest_source(sqlite_catalogue, "earkiv")

    assert (summary.status, summary.added, summary.updated, summary.deleted) == (
        "completed",
        1,
        1,
        1,
    )
    assert summary.unchanged == 0  # the two records at the old boundary were dropped
    verbs = [seen.args["verb"] for seen in archive_server.app.requests]
    assert verbs == ["Identify", "ListRecords"]
    assert archive_server.list_requests()[0].args["from"] == boundary.isoformat() + "Z"
    assert sqlite_catalogue.get_record_row(KEY + "bn-bygglov-2018").title.endswith("(kompletterad)")
    assert sqlite_catalogue.get_record_row(KEY + "ks-diarium-2020").deleted_at is not None
    assert sqlite_catalogue.count_records(public_only=False) == 27
    cursor = sqlite_catalogue.get_source("earkiv").cursor
    assert cursor["last_value"] == "2026-02-02T10:30:00Z"
    assert cursor["boundary_keys"] == sorted([changed.identifier, gone.identifier, new.identifier])


def test_incremental_run_with_nothing_new_changes_nothing(
    sqlite_catalogue: Catalogue, archive_server: ArchiveServer
) -> None:
    sqlite_catalogue.add_source("earkiv", "oaipmh", archive_server.url, FAST)
    harvest_source(sqlite_catalogue, "earkiv")
    before = sqlite_catalogue.get_source("earkiv").cursor
    summary = harvest_source(sqlite_catalogue, "earkiv")
    assert (summary.status, summary.added, summary.updated, summary.unchanged) == (
        "completed",
        0,
        0,
        0,
    )
    assert sqlite_catalogue.get_source("earkiv").cursor == before


def test_no_records_match_is_an_empty_successful_run(archive_server: ArchiveServer) -> None:
    cursor = Cursor(last_value="2030-01-01T00:00:00Z", boundary_keys=["x"])
    run = harvest_all(archive_server.url, cursor)
    assert not run.items and not run.deleted and not run.failures
    assert not run.done.complete
    assert run.done.cursor == cursor


def test_day_granularity_sends_a_day_and_reads_the_boundary_day_again(
    sqlite_catalogue: Catalogue,
) -> None:
    records = sample_records()
    for record in records:
        record.datestamp = record.datestamp.replace(hour=0, minute=0)
    with serve_archive(Archive(records, granularity="day")) as server:
        sqlite_catalogue.add_source("earkiv", "oaipmh", server.url, FAST)
        assert harvest_source(sqlite_catalogue, "earkiv").added == 27
        summary = harvest_source(sqlite_catalogue, "earkiv")
        assert server.list_requests()[-1].args["from"] == newest(records).date().isoformat()
    # A day cannot tell a later change on the same day: both boundary records are read
    # again, and the content hash finds them unchanged.
    assert (summary.status, summary.unchanged, summary.added) == ("completed", 2, 0)


def test_a_repeated_resumption_token_is_stopped(archive_server: ArchiveServer) -> None:
    archive_server.app.fail(page(3), Fault(repeat=True))
    with pytest.raises(ConnectorError, match="samma återupptagningstoken"):
        harvest_all(archive_server.url)


def test_bad_resumption_token_is_a_clear_error(archive_server: ArchiveServer) -> None:
    archive_server.archive.expire_tokens = True
    with pytest.raises(
        oaipmh.OaiPmhError, match=r"badResumptionToken.*kör skördningen igen"
    ) as raised:
        harvest_all(archive_server.url)
    assert raised.value.code == "badResumptionToken"


def test_a_set_without_records_is_an_empty_full_run(archive_server: ArchiveServer) -> None:
    run = harvest_all(archive_server.url, set="tom")
    assert not run.items and run.done.complete  # the server answers noRecordsMatch


def test_hostile_xml_is_refused(archive_server: ArchiveServer) -> None:
    xxe = (
        b'<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
        b"<identifier>&x;</identifier><datestamp>2024-01-01</datestamp></header></record>"
        b"</ListRecords></OAI-PMH>"
    )
    archive_server.app.fail(lambda args: True, Fault(body=xxe))
    with pytest.raises(UnsafeInputError, match="extern"):
        harvest_all(archive_server.url)


def test_an_html_page_is_no_oai_answer(archive_server: ArchiveServer) -> None:
    archive_server.app.fail(lambda args: True, Fault(body=b"<html><body>Logga in</body></html>"))
    with pytest.raises(ConnectorError, match="inget OAI-PMH-svar"):
        harvest_all(archive_server.url)


# --- failures mid-run: nothing stored is lost ------------------------------------------------


def page(number: int):
    """A predicate for the request of page ``number`` (7 records a page)."""
    return lambda args: args.get("resumptionToken", "").endswith(f"cursor%3D{7 * (number - 1)}")


_second_page = page(2)


TRUNCATED = b"<?xml version='1.0'?><OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><List"


@pytest.mark.parametrize(
    "fault,message,attempts",
    [
        (Fault(status=500), "HTTP 500", 3),
        (Fault(delay=1.0), "ReadTimeout", 3),
        (Fault(reset=True), "ConnectionError", 3),
        (Fault(body=TRUNCATED), "inte välformat", 1),
    ],
    ids=["http-500", "timeout", "connection-reset", "malformed-page"],
)
def test_a_failure_on_a_resumption_page_fails_the_run_and_keeps_everything(
    sqlite_catalogue: Catalogue,
    archive_server: ArchiveServer,
    backoff_waits: list[float],
    fault: Fault,
    message: str,
    attempts: int,
) -> None:
    options = {**FAST, "read_timeout": "0.3"}
    sqlite_catalogue.add_source("earkiv", "oaipmh", archive_server.url, options)
    assert harvest_source(sqlite_catalogue, "earkiv").added == 27
    cursor = sqlite_catalogue.get_source("earkiv").cursor
    first = record_of(archive_server, "ks-a1-2019")
    first.dc["title"] = ["Ändrad titel"]  # on page 1, read before the failure
    archive_server.app.fail(_second_page, fault)
    archive_server.app.requests.clear()

    summary = harvest_source(sqlite_catalogue, "earkiv", full=True)

    assert summary.status == "failed"
    assert message in summary.error and "källa earkiv" in summary.error
    assert sqlite_catalogue.count_records(public_only=False) == 27
    assert sqlite_catalogue.get_record_row(KEY + "ks-a1-2019").title == (
        "Kommunstyrelsens protokoll 2019"
    )
    assert sqlite_catalogue.get_source("earkiv").cursor == cursor
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"
    tries = [seen for seen in archive_server.app.requests if _second_page(seen.args)]
    assert len(tries) == attempts
    # Exponential back-off between the tries; with the jitter at its low end, half of
    # backoff * 2**attempt (the waits asked for, not a clock reading).
    assert backoff_waits == [0.5 * BACKOFF * 2**attempt for attempt in range(attempts - 1)]


# --- the sickle samples through the connector's parser ----------------------------------------


def sample(name: str) -> bytes:
    return shared_file(f"oai-pmh/samples/{name}").read_bytes()


def test_sickle_get_record() -> None:
    page = oaipmh.parse_page(sample("GetRecord.xml"), verb="GetRecord")
    header, item = oaipmh.read_record(page.records[0])
    assert isinstance(item, Item) and item.key == "oai:test.example.com:1996652"
    dataset = item.record
    assert dataset.title == {"": "Sample Title"}
    assert [c.name for c in dataset.creator] == [{"": "John Doe"}]  # listed twice
    assert dataset.publisher.name == {"": "Sample Publisher"}
    assert dataset.language == [LANGUAGE + "ENG"]
    assert dataset.issued == date(2011, 1, 1)
    # dct:source takes an IRI only: a text names no source IRI, so it is kept in extras.
    assert dataset.source == []
    assert dataset.extras["dc:source"] == ["Sample Source"]
    assert dataset.landing_page == ["http://test.example.com/publication/1996652"]
    assert dataset.extras["dc:type"] == [
        "info:eu-repo/semantics/article",
        "doc-type:article",
        "text",
    ]
    assert header.datestamp == "2011-09-05T12:51:52Z"


def test_sickle_list_records() -> None:
    page = oaipmh.parse_page(sample("ListRecords.xml"))
    assert page.resumption_token == "ListRecords2.xml" and page.complete_list_size == 8
    results = [oaipmh.read_record(record)[1] for record in page.records]
    assert results[0] == Deleted("oai:test.example.com:1585310")
    item = results[1]
    assert isinstance(item, Item)
    assert item.record.description["en"].startswith("Lorem ipsum dolor sit amet")
    assert "\n" not in item.record.description["en"]
    assert item.record.publisher.name == {"": "Sample Publisher"}
    # The sample's stray "(?s)" text node is skipped and reported.
    assert any("(?s)" in warning for warning in item.warnings)


def test_sickle_bad_resumption_token() -> None:
    with pytest.raises(oaipmh.OaiPmhError, match="This resumptionToken is invalid") as raised:
        oaipmh.parse_page(sample("badResumptionToken.xml"))
    assert raised.value.code == "badResumptionToken"


def test_sickle_no_records_match_is_an_empty_page() -> None:
    page = oaipmh.parse_page(sample("noRecordsMatch.xml"), verb="ListIdentifiers")
    assert page.records == [] and page.resumption_token is None


def test_sickle_identify() -> None:
    identity = oaipmh.parse_identify(sample("Identify.xml"))
    assert identity.granularity == "day" and identity.deleted_record == "persistent"
    assert identity.name == "A Test Repository"


def test_a_record_without_metadata_is_a_failure_and_the_page_goes_on() -> None:
    page = oaipmh.parse_page(
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
        b"<record><header><identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp>"
        b"</header></record>"
        b"<record><header><datestamp>2024-01-01</datestamp></header></record>"
        b"</ListRecords></OAI-PMH>"
    )
    results = [oaipmh.read_record(record)[1] for record in page.records]
    assert [type(r) for r in results] == [Failure, Failure]
    assert results[0].key == "oai:x:1" and "metadata" in results[0].reason


def test_malformed_xml_names_the_position() -> None:
    with pytest.raises(VocabError, match="välformat") as raised:
        oaipmh.parse_page(b"<OAI-PMH><ListRecords>")
    assert raised.value.position.startswith("rad 1")


# --- configuration -----------------------------------------------------------------------------


def test_config_needs_an_http_url_and_oai_dc() -> None:
    with pytest.raises(ConfigError, match="basadress"):
        oaipmh.Config.from_source(None, {})
    with pytest.raises(ConfigError, match="marc21"):
        oaipmh.Config.from_source("https://arkiv.exempel.se/oai", {"metadata_prefix": "marc21"})
    config = oaipmh.Config.from_source("https://arkiv.exempel.se/oai", {"set": "ks"})
    assert (config.set, config.metadata_prefix) == ("ks", "oai_dc")


@pytest.mark.parametrize(
    "stored,granularity,sent",
    [
        ("2025-03-01T10:15:00Z", "seconds", "2025-03-01T10:15:00Z"),
        ("2025-03-01T10:15:00.123Z", "seconds", "2025-03-01T10:15:00Z"),
        ("2025-03-01T10:15:00Z", "day", "2025-03-01"),
        ("2025-03-01", "seconds", "2025-03-01"),
    ],
)
def test_from_argument(stored: str, granularity: str, sent: str) -> None:
    assert oaipmh.from_argument(stored, granularity) == sent
