"""The CKAN connector on recorded real CKAN data, served by a fake portal on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest

from insyn.catalogue.store import Catalogue
from insyn.connectors import ckan, load
from insyn.connectors.base import Cursor, Item
from insyn.connectors.http import session
from insyn.errors import ConfigError, ConnectorError
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED, Dataset
from tests.conftest import shared_file
from tests.connectors.ckan_portal import API, Call, FakeCkan, portal_packages
from tests.support.http import LocalServer, Reply
from tests.support.runs import Run, collect

EU = "http://publications.europa.eu/resource/authority/"
BACKOFF = 0.05
FAST = {"backoff": str(BACKOFF), "retries": "2", "read_timeout": "5", "rows": "4"}
BIRMINGHAM = "birmingham-city-council"


def harvest_all(url: str, cursor: Cursor | None = None, **options: str) -> Run:
    config = ckan.Config.from_source(url, {**FAST, **options})
    return collect(ckan.harvest(config, cursor or Cursor()), unique_keys=True)


@pytest.fixture
def portal(http_server: LocalServer) -> Iterator[FakeCkan]:
    yield FakeCkan(http_server, portal_packages())


def by_name(run: Run, name: str) -> Item:
    return next(item for item in run.items.values() if item.record.extras["ckan:name"] == [name])


def key_of(portal: FakeCkan, name: str) -> str:
    return portal.package(name)["id"]


# --- paging and mapping --------------------------------------------------------------------


def test_full_harvest_pages_through_the_portal(portal: FakeCkan) -> None:
    run = harvest_all(portal.url)
    assert not run.failures and run.done.complete
    assert len(run.items) == 13
    searches = portal.searches()
    # Four a page; each page after the first starts one row early, on a package already
    # taken; the page with nothing new ends it.
    assert [int(call.params["start"]) for call in searches] == [0, 3, 6, 9, 12]
    assert all(call.params["sort"] == "metadata_modified asc, id asc" for call in searches)
    assert all("fq" not in call.params for call in searches)
    org_calls = [call for call in portal.calls if call.action == "organization_list"]
    assert org_calls[0].params == {"all_fields": "true", "limit": "4", "offset": "0"}
    assert run.done.cursor.last_value == "2024-05-02T09:30:00.250002"
    assert run.done.cursor.boundary_keys == sorted(
        [
            key_of(portal, "ckan-full-dataset-dcat-ap"),
            key_of(portal, "ckan-full-dataset-dcat-ap-vocabularies"),
        ]
    )


def test_an_old_ckan_that_ignores_limit_and_offset(http_server: LocalServer) -> None:
    portal = FakeCkan(http_server, portal_packages(), org_page_limit=None)
    run = harvest_all(portal.url)
    assert len(run.items) == 13
    assert len([call for call in portal.calls if call.action == "organization_list"]) == 2


def test_a_birmingham_package_is_mapped(portal: FakeCkan) -> None:
    item = by_name(harvest_all(portal.url), "purchase-card-transactions")
    dataset = item.record
    assert isinstance(dataset, Dataset)
    assert dataset.uri == portal.url + "/dataset/cf552d08-cee9-43bf-8c0f-3196a9311799"
    assert dataset.title == {"": "Purchase Card Transactions"}
    assert dataset.description[""].startswith("Under the Code of Recommended Practice")
    assert "\r" not in dataset.description[""]
    assert dataset.keyword == {"": ["payments", "purchase card"]}
    assert dataset.issued == datetime(2014, 12, 1, 10, 29, 19, 414595)
    assert dataset.modified == datetime(2021, 1, 15, 10, 25, 28, 638659)
    assert dataset.publisher.uri == f"{portal.url}/organization/{BIRMINGHAM}"
    assert dataset.publisher.name == {"": "Birmingham City Council"}
    assert dataset.publisher.identifier == "4eda0082-f593-489e-b66a-8fe8274cfc94"
    [contact] = dataset.contact_point  # maintainer and author are the same person
    assert (contact.name, contact.email) == ({"": "Ian Martin"}, "ian.martin@birmingham.gov.uk")
    assert dataset.landing_page == []
    assert dataset.theme == []
    assert dataset.extras["ckan:groups"] == ["council-business"]
    assert dataset.governance.access_rights == PUBLIC
    assert len(dataset.distributions) == 45
    first = dataset.distributions[0]
    assert first.format == EU + "file-type/XLS"
    assert first.access_url == first.download_url  # an upload
    assert first.title == {"": "Purchase Card transactions - April 2014"}
    assert first.checksum == "43f32bff94876bd377627bf8af89a692"
    # Two resources give no format: it is read from the file's extension.
    assert {d.format for d in dataset.distributions} == {EU + "file-type/XLS"}
    # CKAN's "uk-ogl" has no version, and the EU table only versioned OGLs: kept, reported.
    licence = "http://reference.data.gov.uk/id/open-government-licence"
    assert {d.license for d in dataset.distributions} == {licence}
    assert any("uk-ogl" in warning for warning in item.warnings)


def test_a_url_that_is_no_url_is_kept_and_reported(portal: FakeCkan) -> None:
    item = by_name(harvest_all(portal.url), "february-2018-purchase-card-transactions")
    assert item.record.landing_page == []
    assert item.record.extras["ckan:url"] == ["Accounts Payable"]
    assert any("Accounts Payable" in warning for warning in item.warnings)
    contacts = {c.email for c in item.record.contact_point}
    assert contacts == {"Nickey.Parmar@birmingham.gov.uk", "foi.mailbox@birmingham.gov.uk"}


def test_ckanext_dcat_vocabulary_example_is_mapped(portal: FakeCkan) -> None:
    item = by_name(harvest_all(portal.url), "ckan-full-dataset-dcat-ap-vocabularies")
    dataset = item.record
    assert dataset.uri == portal.url + "/dataset/" + key_of(
        portal, "ckan-full-dataset-dcat-ap-vocabularies"
    )
    assert dataset.title == {"": "Test DCAT dataset"}
    assert dataset.identifier == ["xx-some-dataset-id-yy"]
    assert (dataset.issued, dataset.modified) == (date(2024, 5, 1), date(2024, 5, 5))
    assert dataset.accrual_periodicity == EU + "frequency/MONTHLY"
    assert dataset.language == [EU + "language/ENG", EU + "language/SPA", EU + "language/CAT"]
    assert dataset.governance.access_rights == PUBLIC
    assert dataset.publisher.name == {"": "Test Publisher"}
    assert dataset.publisher.type.endswith("corporate-body-classification/CB_INT")
    assert [c.name for c in dataset.creator] == [{"": "Test Creator"}]
    assert [c.email for c in dataset.contact_point] == [
        "contact1@example.org",
        "contact2@example.org",
    ]
    assert (dataset.temporal[0].start, dataset.temporal[0].end) == (
        date(1905, 3, 1),
        date(2013, 1, 5),
    )
    assert dataset.spatial == ["https://sws.geonames.org/6361390/"]
    assert dataset.page == ["https://example.org/some-doc.html"]
    assert dataset.relation == ["http://example.com/dataset/3.141592"]
    assert dataset.version == "1.0b"
    assert dataset.provenance == {"": "https://example.org/some-provenance-statement.html"}
    assert dataset.applicable_legislation[0] == "http://data.europa.eu/eli/reg_impl/2023/138/oj"
    assert dataset.landing_page == ["http://example.org/ds1"]
    assert dataset.extras["alternate_identifier"] == [
        "https://org1.example.org/datasets/alt-id-1",
        "https://org2.example.org/datasets/alt-id-2",
    ]
    [resource] = dataset.distributions
    assert resource.format == EU + "file-type/CSV"
    assert resource.media_type == "http://www.iana.org/assignments/media-types/text/csv"
    assert resource.license == EU + "licence/CC_BYNC_4_0"
    assert (resource.byte_size, resource.checksum) == (
        12323,
        "4304cf2e751e6053c90b1804c89c0ebb758f395a",
    )
    assert resource.download_url == "https://example.com/data.csv"
    assert resource.issued == datetime(2024, 5, 1, 1, 20, 33)
    assert resource.availability.endswith("planned-availability/EXPERIMENTAL")


def test_ckanext_dcat_free_text_example_is_kept_and_reported(portal: FakeCkan) -> None:
    item = by_name(harvest_all(portal.url), "ckan-full-dataset-dcat-ap")
    dataset = item.record
    # "Statement about access rights" names no access right: never treated as public,
    # read as RESTRICTED and kept.
    assert dataset.governance.access_rights == RESTRICTED
    assert not dataset.governance.is_public
    assert dataset.extras["access_rights"] == ["Statement about access rights"]
    assert dataset.accrual_periodicity == EU + "frequency/MONTHLY"  # "monthly"
    assert dataset.theme == [f"https://example.org/uri/theme{n}" for n in (1, 2, 3)]
    text = " ".join(item.warnings)
    assert "Statement about access rights" in text and "example.org/uri/theme1" in text
    assert dataset.distributions[0].license == "http://creativecommons.org/licenses/by/3.0/"


def test_ckanext_dcat_harvested_extras_are_used(portal: FakeCkan) -> None:
    dataset = by_name(harvest_all(portal.url), "ckan-dataset").record
    assert dataset.publisher.name == {"": "Geological Society"}
    assert dataset.publisher.email == "info@gs.org"
    assert [c.name for c in dataset.creator] == [{"": "John Doe"}]
    assert (dataset.issued, dataset.modified) == (date(2012, 5, 10), datetime(2012, 5, 10, 21, 4))
    assert dataset.language == [EU + "language/ENG", EU + "language/SPA", EU + "language/CAT"]
    assert dataset.identifier == ["9df8df51-63db-37a8-e044-0003ba9b0d98"]
    assert dataset.extras["guid"] == ["9df8df51-63db-37a8-e044-0003ba9b0d98"]
    assert dataset.distributions[0].format == EU + "file-type/HTML"


def test_the_dcat_json_examples_are_no_package_dicts(http_server: LocalServer) -> None:
    # catalog.json and dataset.json are ckanext-dcat's DCAT-JSON, not CKAN package dicts.
    dcat_json = json.loads(shared_file("ckan/ckanext-dcat/examples/ckan/dataset.json").read_text())
    dcat_json["metadata_modified"] = "2024-06-01T00:00:00"
    portal = FakeCkan(http_server, [*portal_packages(), dcat_json])
    run = harvest_all(portal.url)
    assert len(run.items) == 13
    assert [failure.reason for failure in run.failures] == ["Paketet saknar både id och name"]


# --- through the engine ----------------------------------------------------------------------


def test_full_harvest_through_the_engine(sqlite_catalogue: Catalogue, portal: FakeCkan) -> None:
    sqlite_catalogue.add_source("portal", "ckan", portal.url, FAST)
    summary = harvest_source(sqlite_catalogue, "portal")
    assert (summary.status, summary.added, summary.failed) == ("completed", 13, 0)
    # One example names no access right: read as restricted data, and listed.
    assert sqlite_catalogue.count_records() == 13
    rows = list(sqlite_catalogue.iter_records(public_only=False))
    restricted = [row for row in rows if not row.is_public]
    assert [row.access_rights.rsplit("/", 1)[-1] for row in restricted] == ["RESTRICTED"]
    assert {row.description_visibility for row in rows} == {"public"}
    row = sqlite_catalogue.get_record_row(
        portal.url + "/dataset/cf552d08-cee9-43bf-8c0f-3196a9311799"
    )
    assert row.title == "Purchase Card Transactions"
    assert row.publisher.name_sv == "Birmingham City Council"
    assert len(row.distributions) == 45
    assert summary.warnings > 0
    assert load("ckan") is ckan


def test_incremental_run_asks_only_for_changes(
    sqlite_catalogue: Catalogue, portal: FakeCkan
) -> None:
    sqlite_catalogue.add_source("portal", "ckan", portal.url, {**FAST, "include_deleted": "true"})
    assert harvest_source(sqlite_catalogue, "portal").added == 13
    changed = portal.package("july_2020_purchase_card_transactions")
    changed["title"] = "July 2020 Purchase Card Transactions (corrected)"
    changed["metadata_modified"] = "2025-01-10T08:00:00.123456"
    gone = portal.package("august_2020_purchase_card_transactions")
    gone["state"], gone["metadata_modified"] = "deleted", "2025-01-10T08:00:00.123456"
    new = json.loads(json.dumps(portal.package("april-2021-purchase-card-transactions")))
    new.update(
        id="ny-1", name="may-2021", title="May 2021", metadata_modified="2025-01-11T12:00:00"
    )
    portal.packages.append(new)
    portal.calls.clear()

    summary = harvest_source(sqlite_catalogue, "portal")

    assert (summary.status, summary.added, summary.updated, summary.deleted) == (
        "completed",
        1,
        1,
        1,
    )
    assert summary.unchanged == 0  # the two at the old boundary were dropped
    fq = portal.searches()[0].params["fq"]
    assert fq == "+metadata_modified:[2024-05-02T09:30:00.250Z TO *]"
    assert portal.searches()[0].params["include_deleted"] == "true"
    row = sqlite_catalogue.get_record_row(portal.url + "/dataset/" + changed["id"])
    assert row.title.endswith("(corrected)")
    assert sqlite_catalogue.get_record_row(portal.url + "/dataset/" + gone["id"]).deleted_at
    cursor = sqlite_catalogue.get_source("portal").cursor
    assert cursor == {"last_value": "2025-01-11T12:00:00", "boundary_keys": ["ny-1"], "http": {}}


def test_own_filter_and_organisation_are_sent(portal: FakeCkan) -> None:
    run = harvest_all(portal.url, fq='tags:"purchase card"', organization=BIRMINGHAM)
    assert portal.searches()[0].params["fq"] == (
        f'+(tags:"purchase card") +organization:{BIRMINGHAM}'
    )
    assert sorted(item.record.title[""] for item in run.items.values()) == [
        "February 2018 Purchase Card Transactions",
        "Purchase Card Transactions",
    ]
    following = harvest_all(portal.url, run.done.cursor, organization=BIRMINGHAM)
    assert portal.searches()[-1].params["fq"] == (
        f"+organization:{BIRMINGHAM} +metadata_modified:[2021-01-15T10:25:28.638Z TO *]"
    )
    assert not following.done.complete


def test_api_key_comes_from_the_environment_and_is_never_stored(
    sqlite_catalogue: Catalogue, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = portal_packages()
    secret = packages[0]
    secret["private"] = True
    portal = FakeCkan(http_server, packages, api_key="hemlig-nyckel-123")
    monkeypatch.setenv("INSYN_TEST_CKAN_KEY", "hemlig-nyckel-123")
    options = {**FAST, "api_key_env": "INSYN_TEST_CKAN_KEY"}
    sqlite_catalogue.add_source("portal", "ckan", portal.url, options)

    summary = harvest_source(sqlite_catalogue, "portal")

    assert (summary.status, summary.added) == ("completed", 13)
    assert all(call.headers["authorization"] == "hemlig-nyckel-123" for call in portal.calls)
    assert all(call.params.get("include_private") == "true" for call in portal.searches())
    row = sqlite_catalogue.get_record_row(portal.url + "/dataset/" + secret["id"])
    assert not row.is_public and row.data["governance"]["access_rights"] == NON_PUBLIC
    errors = sqlite_catalogue.record_errors(summary.run_id)
    assert any(e.record_key == secret["id"] and "privat" in e.reason for e in errors)
    source = sqlite_catalogue.get_source("portal")
    assert "hemlig-nyckel-123" not in json.dumps([source.options, source.cursor])
    # The token went to the portal's API only, and only while the run lasted.
    assert not any(prefix.startswith(portal.url) for prefix in session().adapters)


def test_sources_harvested_at_once_each_send_only_their_own_key(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scheduler runs sources in threads on one shared HTTP session: a token set on the
    # session would go out with another source's requests, or with a source that has none.
    packages = portal_packages()
    packages[0]["private"] = True
    portal = FakeCkan(http_server, packages, api_key="nyckel-a")
    portal.before_search = lambda _fake, _call: time.sleep(0.01)  # let the runs interleave
    monkeypatch.setenv("INSYN_TEST_CKAN_KEY_A", "nyckel-a")
    monkeypatch.setenv("INSYN_TEST_CKAN_KEY_B", "nyckel-b")
    # Each source asks for its own page size, so every request tells whose it is.
    sources = {
        "4": {"api_key_env": "INSYN_TEST_CKAN_KEY_A"},
        "5": {"api_key_env": "INSYN_TEST_CKAN_KEY_B"},
        "6": {},
    }
    start = threading.Barrier(len(sources))

    def run(rows: str, options: dict[str, str]) -> Run:
        config = ckan.Config.from_source(
            portal.url, {**FAST, **options, "rows": rows, "requests_per_second": "0"}
        )
        start.wait()
        return collect(ckan.harvest(config, Cursor()), unique_keys=True)

    with ThreadPoolExecutor(len(sources)) as pool:
        runs = dict(zip(sources, pool.map(run, sources, sources.values()), strict=True))

    assert all(r.done is not None and r.done.complete for r in runs.values())
    # Only the portal's own key sees its private package.
    assert {rows: len(r.items) for rows, r in runs.items()} == {"4": 13, "5": 12, "6": 12}
    sent: dict[str, set[str | None]] = {rows: set() for rows in sources}
    for call in portal.calls:
        sent[call.params.get("rows") or call.params["limit"]].add(call.headers.get("authorization"))
    assert sent == {"4": {"nyckel-a"}, "5": {"nyckel-b"}, "6": {None}}
    assert not any(prefix.startswith(portal.url) for prefix in session().adapters)


def test_an_unset_api_key_variable_fails_the_run_clearly(
    sqlite_catalogue: Catalogue, portal: FakeCkan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INSYN_TEST_CKAN_KEY", raising=False)
    sqlite_catalogue.add_source(
        "portal", "ckan", portal.url, {"api_key_env": "INSYN_TEST_CKAN_KEY"}
    )
    summary = harvest_source(sqlite_catalogue, "portal")
    assert summary.status == "failed" and "INSYN_TEST_CKAN_KEY" in summary.error
    assert portal.calls == []


def test_a_secret_in_the_options_is_refused() -> None:
    with pytest.raises(ConfigError, match="api_key_env"):
        ckan.Config.from_source("https://ckan.exempel.se", {"api_key": "abc"})


# --- a listing that moves under us -----------------------------------------------------------


def test_a_package_removed_before_our_position_loses_nothing(
    http_server: LocalServer,
) -> None:
    portal = FakeCkan(http_server, portal_packages())

    def remove_one(fake: FakeCkan, call: Call) -> None:
        if call.params.get("start") == "6" and not getattr(fake, "removed", False):
            fake.removed = True
            fake.packages.remove(fake.package("july_2020_purchase_card_transactions"))

    portal.before_search = remove_one
    run = harvest_all(portal.url)
    names = {item.record.extras["ckan:name"][0] for item in run.items.values()}
    assert len(names) == 13  # the removed one was taken before; none was skipped
    starts = [int(call.params["start"]) for call in portal.searches()]
    assert starts[:4] == [0, 3, 6, 2]  # the row at 6 was no longer one taken: back a page
    assert run.done.complete


def test_a_package_changed_during_the_run_is_read_by_the_next_run(
    http_server: LocalServer,
) -> None:
    portal = FakeCkan(http_server, portal_packages())

    def change_one(fake: FakeCkan, call: Call) -> None:
        if call.params.get("start") == "6" and not getattr(fake, "changed", False):
            fake.changed = True
            package = fake.package("february-2018-purchase-card-transactions")
            package["metadata_modified"] = "2024-05-01T12:00:00.000000"
            package["title"] = "Ändrad under skördningen"

    portal.before_search = change_one
    run = harvest_all(portal.url)
    assert len(run.items) == 13
    # The new version came by at the end of the listing; the cursor stops just before it.
    assert run.done.cursor.last_value == "2024-05-01T12:00:00.000000"
    following = harvest_all(portal.url, run.done.cursor)
    assert next(item.record.title[""] for item in following.items.values()) == (
        "Ändrad under skördningen"
    )


def test_a_listing_that_keeps_moving_fails(http_server: LocalServer) -> None:
    portal = FakeCkan(http_server, portal_packages())

    def remove_first(fake: FakeCkan, call: Call) -> None:
        if call.params.get("start") != "0" and len(fake.packages) > 1:
            fake.packages.sort(key=lambda p: p["metadata_modified"])
            fake.packages.pop(0)

    portal.before_search = remove_first
    with pytest.raises(ConnectorError, match="ändrades hela tiden"):
        harvest_all(portal.url, max_resyncs="2")


# --- failures: nothing stored is lost ----------------------------------------------------------


def _third_page(call: Call) -> bool:
    return call.action == "package_search" and call.params.get("start") == "6"


FAILURES = [
    ("http-500", Reply(500, b"Internal Server Error"), "HTTP 500", 3),
    ("timeout", "delay", "ReadTimeout", 3),
    ("connection-reset", "reset", "ConnectionError", 3),
    ("malformed-json", Reply(200, b'{"success": true, "result": {"count": 1', {}), "JSON", 1),
    (
        "success-false",
        Reply(200, b'{"success": false, "error": {"message": "Solr svarar inte"}}', {}),
        "success: false på package_search: Solr svarar inte",
        1,
    ),
]


@pytest.mark.parametrize(
    "fault,message,attempts",
    [failure[1:] for failure in FAILURES],
    ids=[failure[0] for failure in FAILURES],
)
def test_a_failure_mid_paging_fails_the_run_and_keeps_everything(
    sqlite_catalogue: Catalogue,
    portal: FakeCkan,
    backoff_waits: list[float],
    fault,
    message: str,
    attempts: int,
) -> None:
    sqlite_catalogue.add_source("portal", "ckan", portal.url, {**FAST, "read_timeout": "0.3"})
    assert harvest_source(sqlite_catalogue, "portal").added == 13
    cursor = sqlite_catalogue.get_source("portal").cursor
    first = portal.package("february-2018-purchase-card-transactions")
    first["title"] = "Ändrad titel"  # on page 1, read before the failure
    if fault == "reset":
        portal.reset(_third_page)
    elif fault == "delay":
        portal.fail(_third_page, lambda _call: _slow())
    else:
        portal.fail(_third_page, fault)
    portal.calls.clear()

    summary = harvest_source(sqlite_catalogue, "portal", full=True)

    assert summary.status == "failed"
    assert message in summary.error and "källa portal" in summary.error
    assert sqlite_catalogue.count_records(public_only=False) == 13
    row = sqlite_catalogue.get_record_row(portal.url + "/dataset/" + first["id"])
    assert row.title == "February 2018 Purchase Card Transactions"
    assert sqlite_catalogue.get_source("portal").cursor == cursor
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"
    tries = [call for call in portal.calls if _third_page(call)]
    assert len(tries) == attempts
    # Exponential back-off between the tries; with the jitter at its low end, half of
    # backoff * 2**attempt (the waits asked for, not a clock reading).
    assert backoff_waits == [0.5 * BACKOFF * 2**attempt for attempt in range(attempts - 1)]


def _slow() -> Reply:
    import time

    time.sleep(0.8)
    return Reply(200, b"{}", {"Content-Type": "application/json"})


def test_an_answer_that_is_no_ckan_answer(portal: FakeCkan) -> None:
    portal.fail(lambda call: True, Reply(200, b'{"hello": "world"}', {}))
    with pytest.raises(ConnectorError, match="inget svar från CKAN"):
        harvest_all(portal.url)


# --- configuration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        "https://ckan.exempel.se",
        "https://ckan.exempel.se/",
        "https://ckan.exempel.se/api/3/action/",
        "https://ckan.exempel.se/api/3",
    ],
)
def test_the_portal_address_may_be_given_with_its_api_path(given: str) -> None:
    config = ckan.Config.from_source(given, {})
    assert config.api == "https://ckan.exempel.se/api/3/action"


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="portalens adress"):
        ckan.Config.from_source(None, {})
    with pytest.raises(ConfigError, match="rows"):
        ckan.Config.from_source("https://ckan.exempel.se", {"rows": "5000"})


def test_solr_datetime_floors_to_milliseconds() -> None:
    assert ckan.solr_datetime("2021-05-24T14:35:41.466083") == "2021-05-24T14:35:41.466Z"
    assert ckan.solr_datetime("2021-05-24T14:35:41") == "2021-05-24T14:35:41.000Z"
    assert API == "/api/3/action/"
