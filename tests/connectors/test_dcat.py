"""The DCAT connector on real sample files and against a real local HTTP server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from insyn.catalogue.store import Catalogue
from insyn.connectors import dcat
from insyn.connectors.base import Cursor, Done, Failure, Item
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED, Dataset
from tests.conftest import shared_file
from tests.support.catalogues import PREFIXES, PUBLISHER, catalogue_ttl, dataset_ttl
from tests.support.http import LocalServer, Reply

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


def harvest_items(url: str, **options: str) -> tuple[list[Item], list[Failure], Done]:
    config = dcat.Config.from_source(url, {"backoff": "0.01", **options})
    items, failures, done = [], [], None
    for yielded in dcat.harvest(config, Cursor()):
        if isinstance(yielded, Item):
            items.append(yielded)
        elif isinstance(yielded, Failure):
            failures.append(yielded)
        elif isinstance(yielded, Done):
            done = yielded
    assert done is not None
    return items, failures, done


DCT_ACCESS_RIGHTS = "http://purl.org/dc/terms/accessRights"


def by_key(items: list[Item]) -> dict[str, Dataset]:
    return {item.key: item.record for item in items}


# --- real files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rekommenderat.ttl", "rekommenderat.rdf"])
def test_digg_recommended_example(name: str) -> None:
    items, failures, done = harvest_items(str(shared_file(f"dcat-ap-se/exempel/{name}")))
    assert not failures and done.complete
    records = by_key(items)
    dataset = records["https://example.com/dataset1"]
    assert dataset.title == {"sv": "Bibliotek i Sverige", "en": "Libraries in Sweden"}
    assert dataset.keyword == {"sv": ["bibliotek"], "en": ["library"]}
    assert dataset.publisher.name == {"": "Exempel organisation"}
    assert dataset.contact_point[0].email == "oppnadata@exemple.com"
    assert dataset.contact_point[0].telephone == "+46012345678"
    assert dataset.contact_point[0].locality == "Teststaden"
    assert str(dataset.temporal[0].start) == "2010-01-01"
    assert dataset.governance.access_rights == PUBLIC
    # DIGG's example gives formats as media-type literals: mapped to EU file types.
    assert sorted(d.format for d in dataset.distributions) == [
        FILE_TYPE + "CSV",
        FILE_TYPE + "JSON",
    ]
    service = records["https://example.com/dataservice1"]
    assert service.kind == "dataservice"
    assert service.endpoint_url == ["http://example.com/api"]


@pytest.mark.parametrize("name", ["obligatoriskt.ttl", "obligatoriskt.rdf"])
def test_digg_mandatory_example(name: str) -> None:
    items, failures, _ = harvest_items(str(shared_file(f"dcat-ap-se/exempel/{name}")))
    assert not failures
    assert {item.record.kind for item in items} == {"dataset", "dataservice"}
    assert all(item.record.title for item in items)


def _sample_files() -> list[str]:
    return [
        "dcat-ap/3.0.1/examples/example-bee-population.ttl",
        "dcat-ap/3.0.1/examples/example-bee-population-dataset-series.ttl",
        "dcat-ap/3.0.1/examples/example-bee-population-2022-2023.ttl",
        "dcat-ap/2.1.1/examples/example1.nt",
        "dcat-ap/2.1.1/examples/example2.nt",
        "ckan/ckanext-dcat/examples/dcat/catalog.rdf",
        "ckan/ckanext-dcat/examples/dcat/catalog_datasets_list.rdf",
        "ckan/ckanext-dcat/examples/dcat/dataset.rdf",
        "ckan/ckanext-dcat/examples/dcat/dataset_sweden.rdf",
    ]


@pytest.mark.parametrize("relative", _sample_files())
def test_real_examples_harvest_without_failures(relative: str) -> None:
    items, failures, _ = harvest_items(str(shared_file(relative)))
    assert not failures
    assert items, "every example describes at least one dataset"
    # A record without a title is kept, with a warning saying so.
    assert all(item.record.title or "dcterms:title saknas" in item.warnings for item in items)


def test_all_dcat_ap_3_examples_parse(shared_data: Path) -> None:
    for path in sorted((shared_data / "dcat-ap/3.0.1/examples").glob("*.ttl")):
        _, failures, _ = harvest_items(str(path))
        assert not failures, path.name


def test_swedish_ckan_example_maps_publisher_and_contact() -> None:
    items, _, _ = harvest_items(
        str(shared_file("ckan/ckanext-dcat/examples/dcat/dataset_sweden.rdf"))
    )
    dataset = items[0].record
    assert "Nobel" in next(iter(dataset.publisher.name.values()))
    assert dataset.distributions
    # Its theme is a EuroVoc IRI, not an EU data theme: kept and reported.
    assert "http://eurovoc.europa.eu/100142" in dataset.theme
    assert any("data_themes" in warning for warning in items[0].warnings)


@pytest.mark.parametrize("fmt,extension", [("xml", "rdf"), ("json-ld", "jsonld"), ("nt", "nt")])
def test_every_format_gives_the_same_records(tmp_path: Path, fmt: str, extension: str) -> None:
    source = shared_file("dcat-ap-se/exempel/rekommenderat.ttl")
    turtle_items, _, _ = harvest_items(str(source))
    converted = tmp_path / f"katalog.{extension}"
    Graph().parse(source).serialize(converted, format=fmt)
    items, failures, _ = harvest_items(str(converted))
    assert not failures
    assert by_key(items) == by_key(turtle_items)


def test_blank_node_distributions_and_multilingual_text(tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + PUBLISHER
        + """
<https://data.exempel.se/dataset/x> a dcat:Dataset ;
    dcterms:title "Badplatser"@sv, "Bathing sites"@en ;
    dcterms:description "Kommunens badplatser."@sv ;
    dcterms:publisher <https://data.exempel.se/org/bn> ;
    dcat:distribution [ a dcat:Distribution ;
        dcat:accessURL <https://data.exempel.se/bad.csv> ;
        dcterms:format "CSV" ] ,
      [ a dcat:Distribution ; dcat:accessURL <https://data.exempel.se/bad.json> ;
        dcterms:format <http://publications.europa.eu/resource/authority/file-type/JSON> ] .
""",
        encoding="utf-8",
    )
    items, _, _ = harvest_items(str(path))
    dataset = items[0].record
    assert dataset.title == {"sv": "Badplatser", "en": "Bathing sites"}
    assert sorted(d.format for d in dataset.distributions) == [
        FILE_TYPE + "CSV",
        FILE_TYPE + "JSON",
    ]
    assert all(d.uri is None for d in dataset.distributions)


def test_unknown_values_are_kept_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + """
<https://data.exempel.se/dataset/y> a dcat:Dataset ;
    dcterms:title "Y"@sv ; dcterms:description "Y"@sv ;
    dcat:theme <https://example.org/egna-teman/vatten> ;
    dcterms:issued "förra året" ;
    dcterms:accessRights <https://example.org/hemligt> .
""",
        encoding="utf-8",
    )
    items, failures, _ = harvest_items(str(path))
    assert not failures
    item = items[0]
    assert item.record.theme == ["https://example.org/egna-teman/vatten"]
    assert item.record.issued is None
    # An access right nobody can read is never treated as public: it reads as RESTRICTED.
    assert item.record.governance.access_rights == RESTRICTED
    assert not item.record.governance.is_public
    text = " ".join(item.warnings)
    assert "egna-teman" in text and "förra året" in text and "hemligt" in text


def test_governance_extension_is_read(tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + """
<https://data.exempel.se/dataset/z> a dcat:Dataset ;
    dcterms:title "Orosanmälningar"@sv ; dcterms:description "Register"@sv ;
    dcterms:accessRights
        <http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC> ;
    insyn:secrecyProvision "26 kap. 1 § OSL" ;
    insyn:containsPersonalData true ;
    insyn:personalDataCategory "namn", "personnummer" ;
    insyn:informationOwner <https://data.exempel.se/org/son> ;
    insyn:processCode "3.4.1" ;
    insyn:retention "gallras" ; insyn:retentionPeriod "5 år" ;
    insyn:confidentiality 3 ; insyn:integrity 2 ; insyn:availability 1 .
""",
        encoding="utf-8",
    )
    items, _, _ = harvest_items(str(path))
    governance = items[0].record.governance
    assert governance.access_rights == NON_PUBLIC
    assert governance.secrecy_provision == "26 kap. 1 § OSL"
    assert governance.contains_personal_data is True
    assert sorted(governance.personal_data_categories) == ["namn", "personnummer"]
    assert governance.information_owner == "https://data.exempel.se/org/son"
    assert governance.retention.action == "gallras" and governance.retention.period == "5 år"
    assert (governance.confidentiality, governance.integrity, governance.availability) == (3, 2, 1)


# GeoNetwork's and SEMIC's GeoDCAT-AP output states open access with INSPIRE's code.
NO_LIMITATIONS = "inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_geodcat_ap_no_limitations_makes_the_dataset_public(
    sqlite_catalogue: Catalogue, tmp_path: Path, scheme: str
) -> None:
    path = tmp_path / "geo.ttl"
    path.write_text(
        PREFIXES
        + PUBLISHER
        + f"""
<https://data.exempel.se/dataset/orto> a dcat:Dataset ;
    dcterms:title "Ortofoto"@sv ; dcterms:description "Flygbilder"@sv ;
    dcterms:publisher <https://data.exempel.se/org/bn> ;
    dcterms:accessRights <{scheme}://{NO_LIMITATIONS}> .
""",
        encoding="utf-8",
    )
    items, failures, _ = harvest_items(str(path))
    assert not failures
    [item] = [i for i in items if i.key == "https://data.exempel.se/dataset/orto"]
    assert item.record.governance.access_rights == PUBLIC
    assert not any("accessRights" in warning for warning in item.warnings)
    # The source's own code stays with the record, to be shown.
    assert item.record.extras[DCT_ACCESS_RIGHTS] == [f"{scheme}://{NO_LIMITATIONS}"]
    sqlite_catalogue.add_source("geo", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "geo")
    assert summary.status == "completed", summary.error
    assert sqlite_catalogue.count_records(public_only=True) == 1


@pytest.mark.parametrize(
    ("statements", "expected", "unknown"),
    [
        # conflicting values: the most restrictive wins
        ("<{ar}RESTRICTED>, <{ar}PUBLIC>", RESTRICTED, None),
        ('<{ar}PUBLIC>, "icke-offentlig"@sv', NON_PUBLIC, None),
        ('<{ar}PUBLIC>, "Öppna data"@sv', PUBLIC, None),
        ('<{ar}PUBLIC>, "Fråga förvaltningen"@sv', RESTRICTED, "Fråga förvaltningen"),
        # a rights statement without a label says nothing anyone can read
        ("<{ar}PUBLIC>, [ a dcterms:RightsStatement ]", RESTRICTED, "RightsStatement"),
        ('[ a dcterms:RightsStatement ; rdfs:label "Publik"@sv ]', PUBLIC, None),
        # an IRI that merely ends in /public is not the EU code
        ("<https://example.org/rights/public>", RESTRICTED, "example.org/rights/public"),
        ("<{inspire}INSPIRE_Directive_Article13_1b>", NON_PUBLIC, None),
    ],
)
def test_access_rights_resolve_to_the_most_restrictive(
    tmp_path: Path, statements: str, expected: str, unknown: str | None
) -> None:
    ar = "http://publications.europa.eu/resource/authority/access-right/"
    inspire = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + f"""
<https://data.exempel.se/dataset/r> a dcat:Dataset ;
    dcterms:title "R"@sv ; dcterms:description "R"@sv ;
    dcterms:accessRights {statements.format(ar=ar, inspire=inspire)} .
""",
        encoding="utf-8",
    )
    items, failures, _ = harvest_items(str(path))
    assert not failures
    [item] = items
    assert item.record.governance.access_rights == expected
    warned = [w for w in item.warnings if w.startswith("dcterms:accessRights")]
    if unknown is None:
        assert not warned
    else:
        [warning] = warned
        assert unknown in warning and "begränsad" in warning


# --- over HTTP ---------------------------------------------------------------------------

HYDRA_PAGE = """
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{this}> a hydra:PartialCollectionView ;
    hydra:first <{first}> ; hydra:last <{last}> {next} .
"""


def serve_pages(server: LocalServer, pages: list[range], *, loop: bool = False) -> None:
    for number, datasets in enumerate(pages, start=1):
        if number < len(pages):
            next_link = f"; hydra:next <{server.url(f'/katalog/{number + 1}')}>"
        elif loop:
            next_link = f"; hydra:next <{server.url('/katalog/1')}>"
        else:
            next_link = ""
        body = catalogue_ttl(datasets) + HYDRA_PAGE.format(
            this=server.url(f"/katalog/{number}"),
            first=server.url("/katalog/1"),
            last=server.url(f"/katalog/{len(pages)}"),
            next=next_link,
        )
        server.route(
            f"/katalog/{number}",
            Reply(200, body.encode(), {"Content-Type": "text/turtle; charset=utf-8"}),
        )


def test_hydra_paging_follows_every_page(http_server: LocalServer) -> None:
    serve_pages(http_server, [range(1, 5), range(5, 9), range(9, 11)])
    items, failures, done = harvest_items(http_server.url("/katalog/1"))
    assert not failures and done.complete
    assert len(items) == 10
    assert [r.path for r in http_server.requests] == ["/katalog/1", "/katalog/2", "/katalog/3"]


def test_paging_loop_is_stopped(http_server: LocalServer) -> None:
    serve_pages(http_server, [range(1, 3), range(3, 5)], loop=True)
    with pytest.raises(Exception, match="cirkel"):
        harvest_items(http_server.url("/katalog/1"))


def test_conditional_request_counts_304_as_unchanged(
    sqlite_catalogue: Catalogue, http_server: LocalServer
) -> None:
    body = catalogue_ttl(range(1, 6)).encode()

    def reply(request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, body, {"Content-Type": "text/turtle", "ETag": '"v1"'})

    http_server.route("/katalog.ttl", reply)
    sqlite_catalogue.add_source("k", "dcat", http_server.url("/katalog.ttl"))
    assert harvest_source(sqlite_catalogue, "k").added == 5
    second = harvest_source(sqlite_catalogue, "k")
    assert (second.status, second.unchanged, second.deleted) == ("completed", 5, 0)
    assert http_server.requests[-1].headers["if-none-match"] == '"v1"'


def test_last_modified_is_sent_back(http_server: LocalServer) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    http_server.route(
        "/k.ttl",
        Reply(
            200,
            catalogue_ttl(range(1, 2)).encode(),
            {"Content-Type": "text/turtle", "Last-Modified": stamp},
        ),
    )
    _, _, done = harvest_items(http_server.url("/k.ttl"))
    config = dcat.Config.from_source(http_server.url("/k.ttl"), {})
    list(dcat.harvest(config, done.cursor))
    assert http_server.requests[-1].headers["if-modified-since"] == stamp


def test_http_500_mid_paging_fails_the_run_and_keeps_everything(
    sqlite_catalogue: Catalogue, http_server: LocalServer
) -> None:
    serve_pages(http_server, [range(1, 5), range(5, 9)])
    sqlite_catalogue.add_source("k", "dcat", http_server.url("/katalog/1"), {"backoff": "0.01"})
    assert harvest_source(sqlite_catalogue, "k").added == 8
    http_server.route("/katalog/2", Reply(500, b"internt fel"))
    http_server.route(
        "/katalog/1",
        Reply(
            200,
            (
                catalogue_ttl(range(1, 5), d1="Ändrad")
                + HYDRA_PAGE.format(
                    this=http_server.url("/katalog/1"),
                    first=http_server.url("/katalog/1"),
                    last=http_server.url("/katalog/2"),
                    next=f"; hydra:next <{http_server.url('/katalog/2')}>",
                )
            ).encode(),
            {"Content-Type": "text/turtle"},
        ),
    )
    summary = harvest_source(sqlite_catalogue, "k")
    assert summary.status == "failed"
    assert "HTTP 500" in summary.error and "/katalog/2" in summary.error
    assert sqlite_catalogue.count_records() == 8
    assert sqlite_catalogue.get_record_row("https://data.exempel.se/dataset/1").title == "Bygglov 1"
    retried = [r for r in http_server.requests if r.path == "/katalog/2"]
    assert len(retried) == 1 + 1 + 3  # first run, then one try and three retries


def test_retry_after_is_honoured(http_server: LocalServer) -> None:
    answers = iter([Reply(429, b"", {"Retry-After": "0"}), Reply(503, b"")])

    def reply(_request) -> Reply:
        return next(
            answers,
            Reply(200, catalogue_ttl(range(1, 3)).encode(), {"Content-Type": "text/turtle"}),
        )

    http_server.route("/k.ttl", reply)
    items, _, _ = harvest_items(http_server.url("/k.ttl"))
    assert len(items) == 2 and len(http_server.requests) == 3


def test_wrong_content_type_is_a_clear_error(http_server: LocalServer) -> None:
    http_server.route(
        "/k", Reply(200, b"<html><body>Inloggning</body></html>", {"Content-Type": "text/html"})
    )
    with pytest.raises(Exception, match="text/html"):
        harvest_items(http_server.url("/k"))


def test_truncated_transfer_fails(http_server: LocalServer) -> None:
    body = catalogue_ttl(range(1, 30)).encode()
    http_server.route("/k.ttl", Reply(200, body, {"Content-Type": "text/turtle"}, truncate_to=500))
    with pytest.raises(Exception, match=r"bröts|giltig"):
        harvest_items(http_server.url("/k.ttl"), retries="0")


def test_size_limit_refuses_large_answers(http_server: LocalServer) -> None:
    http_server.route(
        "/k.ttl", Reply(200, catalogue_ttl(range(1, 50)).encode(), {"Content-Type": "text/turtle"})
    )
    with pytest.raises(Exception, match="gränsen"):
        harvest_items(http_server.url("/k.ttl"), max_bytes="1000")


def test_size_limit_for_files(tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    path.write_text(catalogue_ttl(range(1, 50)), encoding="utf-8")
    with pytest.raises(Exception, match="gränsen"):
        harvest_items(str(path), max_bytes="1000")


# --- untrusted input ---------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dct="http://purl.org/dc/terms/">
  <dcat:Dataset rdf:about="https://data.exempel.se/x"><dct:title>&secret;</dct:title></dcat:Dataset>
</rdf:RDF>"""

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n'
        % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:dct="http://purl.org/dc/terms/"><rdf:Description rdf:about="https://x/y">'
    b"<dct:title>&lol9;</dct:title></rdf:Description></rdf:RDF>"
)


@pytest.mark.parametrize("document,reason", [(XXE, "extern"), (LAUGHS, "entitetsbomb")])
def test_hostile_xml_is_refused(
    sqlite_catalogue: Catalogue, tmp_path: Path, document: bytes, reason: str
) -> None:
    good = tmp_path / "k.rdf"
    Graph().parse(data=catalogue_ttl(range(1, 3)), format="turtle").serialize(good, format="xml")
    sqlite_catalogue.add_source("k", "dcat", str(good))
    assert harvest_source(sqlite_catalogue, "k").added == 2
    good.write_bytes(document)
    summary = harvest_source(sqlite_catalogue, "k")
    assert summary.status == "failed"
    assert reason in summary.error and "källa k" in summary.error
    assert "root:" not in summary.error
    assert sqlite_catalogue.count_records() == 2
    assert sqlite_catalogue.incidents()[0].kind == "run_failed"


def test_truncated_turtle_names_the_position(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    text = PREFIXES + PUBLISHER + dataset_ttl(1)[:150]
    path.write_text(text, encoding="utf-8")
    sqlite_catalogue.add_source("k", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "k")
    assert summary.status == "failed"
    # Ours: the message and the source. The parser's words are its own; only that the
    # error names the last line, where the file ends mid-statement, is asserted.
    assert summary.error.startswith("Källan är inte giltig Turtle: ")
    assert "källa k" in summary.error
    assert re.search(rf"\b{len(text.splitlines())}\b", summary.error)
