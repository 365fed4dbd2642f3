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


@pytest.mark.parametrize("cut", [0.3, 0.5, 0.77, 0.99])
def test_a_file_cut_anywhere_fails_and_deletes_nothing(
    sqlite_catalogue: Catalogue, tmp_path: Path, cut: float
) -> None:
    # Lenient parsing skips a bad statement in the middle, but a file that simply ends
    # mid-statement was cut off: counting the run complete would tombstone the rest.
    path = tmp_path / "k.ttl"
    whole = catalogue_ttl(range(1, 8))
    path.write_text(whole, encoding="utf-8")
    sqlite_catalogue.add_source("k", "dcat", str(path))
    assert harvest_source(sqlite_catalogue, "k").added == 7
    text = whole[: int(len(whole) * cut)].rstrip()
    if text.endswith("."):
        text = text[:-1]
    path.write_text(text + "\n\n", encoding="utf-8")
    summary = harvest_source(sqlite_catalogue, "k", allow_deletions=True, full=True)
    assert summary.status == "failed" and summary.deleted == 0
    assert sqlite_catalogue.count_records() == 7


# --- lenient parsing, keys, what is kept (issue #13) -----------------------------------

BAD_VALUES_RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dcat="http://www.w3.org/ns/dcat#" xmlns:dcterms="http://purl.org/dc/terms/"
         xmlns:vcard="http://www.w3.org/2006/vcard/ns#" xmlns:foaf="http://xmlns.com/foaf/0.1/">
  <dcat:Catalog rdf:about="https://geo.exempel.se/catalog">
    <dcterms:title xml:lang="sv">Geodata</dcterms:title>
{datasets}
  </dcat:Catalog>
</rdf:RDF>
"""
BAD_VALUES_DATASET = """    <dcat:dataset>
      <dcat:Dataset rdf:about="https://geo.exempel.se/dataset/{n}">
        <dcterms:title xml:lang="sv">Karta {n}</dcterms:title>
        <dcterms:description xml:lang="sv">Kartdata {n}.</dcterms:description>
        <dcat:contactPoint>
          <vcard:Organization>
            <vcard:fn>GIS-enheten</vcard:fn>
            <vcard:hasEmail rdf:resource="gis@exempel.se"/>
            <vcard:hasTelephone rdf:resource="tel:+46 8 123 45 {n:02d}"/>
          </vcard:Organization>
        </dcat:contactPoint>
        <dcat:distribution>
          <dcat:Distribution rdf:about="https://geo.exempel.se/dataset/{n}/csv">
            <dcat:accessURL rdf:resource="https://geo.exempel.se/files/karta {n}.csv"/>
            <dcat:mediaType>text/csv</dcat:mediaType>
            <dcterms:license>CC-BY-4.0</dcterms:license>
          </dcat:Distribution>
        </dcat:distribution>
      </dcat:Dataset>
    </dcat:dataset>"""


def test_bad_values_cost_a_statement_never_the_file(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    # The three values that emptied a catalogue of 136 datasets: a space in a download
    # URL, a tel: IRI with spaces, an e-mail given as rdf:resource without mailto:.
    path = tmp_path / "geo.rdf"
    datasets = "\n".join(BAD_VALUES_DATASET.format(n=n) for n in range(1, 137))
    path.write_text(BAD_VALUES_RDF.format(datasets=datasets), encoding="utf-8")
    sqlite_catalogue.add_source("geo", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "geo")
    assert (summary.status, summary.added, summary.failed) == ("completed", 136, 0)
    record = sqlite_catalogue.get_record_row("https://geo.exempel.se/dataset/7").data
    distribution = record["distributions"][0]
    assert distribution["access_url"] == "https://geo.exempel.se/files/karta%207.csv"
    assert distribution["media_type"] == "http://www.iana.org/assignments/media-types/text/csv"
    assert distribution["license"] == (
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    )
    contact = record["contact_point"][0]
    assert (contact["email"], contact["telephone"]) == ("gis@exempel.se", "+4681234507")
    warnings = [
        (error.record_key, error.reason)
        for error in sqlite_catalogue.record_errors(summary.run_id)
        if error.record_key == "https://geo.exempel.se/dataset/7"
    ]
    reasons = " | ".join(reason for _, reason in warnings)
    # Each repair is reported with its line and field, under the record it belongs to.
    assert re.search(
        r"rad \d+, dcat:accessURL: 'https://geo.exempel.se/files/karta 7.csv'", reasons
    )
    assert "vcard:hasEmail: e-postadressen 'gis@exempel.se' fick mailto:" in reasons
    assert "'tel:+46 8 123 45 07' är ingen giltig IRI; lagad till 'tel:+4681234507'" in reasons


def test_an_unreadable_statement_is_skipped_and_reported(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "k.ttl"
    broken = dataset_ttl(2).replace('"Bygglov 2"@sv', '"Bygglov 2"@sv ; dcterms:issued 2024-01-01')
    path.write_text(PREFIXES + PUBLISHER + dataset_ttl(1) + broken + dataset_ttl(3), "utf-8")
    sqlite_catalogue.add_source("k", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "k")
    assert summary.status == "completed"
    assert summary.added >= 2
    reasons = [error.reason for error in sqlite_catalogue.record_errors(summary.run_id)]
    skipped = [reason for reason in reasons if "kunde inte läsas och hoppades över" in reason]
    assert skipped and all("line" in reason for reason in skipped)


def test_a_file_that_is_no_rdf_names_its_kind(sqlite_catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "iso.xml"
    path.write_text(
        '<?xml version="1.0"?><gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>',
        encoding="utf-8",
    )
    sqlite_catalogue.add_source("iso", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "iso")
    assert summary.status == "failed"
    assert "ISO 19139-XML: använd --kind iso19139 eller csw" in (summary.error or "")


SERVICES = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://geo.exempel.se/catalog> a dcat:Catalog ; dcat:service {nodes} .
"""


def test_blank_node_records_are_keyed_by_content_and_position(tmp_path: Path) -> None:
    # 67 services of which 36 are titled "N/A", and two that say exactly the same.
    nodes = []
    for n in range(67):
        title = "N/A" if n < 36 else f"Tjänst {n}"
        endpoint = f"https://geo.exempel.se/wms/{n}" if n != 66 else "https://geo.exempel.se/wms/65"
        nodes.append(
            f'[ a dcat:DataService ; dcterms:title "{title}" ; dcat:endpointURL <{endpoint}> ]'
        )
    nodes[66] = nodes[65]
    path = tmp_path / "s.ttl"
    path.write_text(SERVICES.format(nodes=", ".join(nodes)), encoding="utf-8")
    items, failures, _ = harvest_items(str(path))
    keys = [item.key for item in items]
    assert not failures and len(keys) == 67 and len(set(keys)) == 67
    again, _, _ = harvest_items(str(path))
    assert sorted(item.key for item in again) == sorted(keys)


def test_a_record_error_names_title_position_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insyn.vocab.profiles import dcat_read

    integer = dcat_read._Reader.integer

    def broken_integer(self, predicate):  # type: ignore[no-untyped-def]
        if predicate.endswith("#byteSize"):
            self.values(predicate)
            raise ValueError("trasigt")
        return integer(self, predicate)

    monkeypatch.setattr(dcat_read._Reader, "integer", broken_integer)
    path = tmp_path / "s.ttl"
    path.write_text(
        SERVICES.replace("dcat:service {nodes}", "dcat:dataset {nodes}").format(
            nodes='[ a dcat:Dataset ; dcterms:title "N/A" ; dcat:distribution '
            '[ a dcat:Distribution ; dcat:byteSize "12" ] ]'
        ),
        encoding="utf-8",
    )
    config = dcat.Config.from_source(str(path), {})
    item = next(y for y in dcat.harvest(config, Cursor()) if isinstance(y, Item))
    with pytest.raises(Exception) as raised:
        item.record  # noqa: B018 - mapping is lazy
    message = str(raised.value)
    assert "'N/A'" in message and "post nr 1 i dokumentet" in message
    assert getattr(raised.value, "field", None) == "dcat:byteSize"


SERIES_AND_TEXTS = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
<https://data.exempel.se/serie> a dcat:DatasetSeries ;
    dcterms:title "Luftmätningar"@sv ; dcterms:description "Alla år."@sv ;
    dcat:seriesMember <https://data.exempel.se/serie/2024> .
<https://data.exempel.se/serie/2024> a dcat:Dataset ;
    dcterms:title "Luftmätningar 2024"@sv , "Air 2024"@en ;
    dcterms:description "Första beskrivningen."@sv , "Andra beskrivningen."@sv ;
    dcat:inSeries <https://data.exempel.se/serie> ;
    dcterms:publisher [ foaf:name "Miljöförvaltningen"@sv , "Environment Office"@en ] ;
    dcterms:spatial [ a dcterms:Location ;
        dcat:bbox "POLYGON((11 57,12 57,12 58,11 58,11 57))"^^geo:wktLiteral ;
        dcat:centroid "POINT(11.5 57.5)"^^geo:wktLiteral ;
        locn:geometry "POINT(11.4 57.4)"^^geo:wktLiteral ] .
"""


def test_series_texts_and_geometry_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "serie.ttl"
    path.write_text(SERIES_AND_TEXTS, encoding="utf-8")
    items, failures, _ = harvest_items(str(path))
    records = by_key(items)
    assert not failures
    series = records["https://data.exempel.se/serie"]
    assert series.is_series and series.series_member == ["https://data.exempel.se/serie/2024"]
    member = records["https://data.exempel.se/serie/2024"]
    assert member.in_series == ["https://data.exempel.se/serie"]
    assert member.description == {"sv": "Andra beskrivningen.\n\nFörsta beskrivningen."}
    assert member.title == {"en": "Air 2024", "sv": "Luftmätningar 2024"}
    assert member.publisher is not None
    assert member.publisher.name == {"en": "Environment Office", "sv": "Miljöförvaltningen"}
    assert member.bbox == ["POLYGON((11 57,12 57,12 58,11 58,11 57))"]
    assert (member.centroid, member.geometry) == (["POINT(11.5 57.5)"], ["POINT(11.4 57.4)"])


SCHEMA_ORG = """{
  "@context": "https://schema.org/",
  "@type": "Dataset",
  "@id": "https://data.exempel.se/luft",
  "name": "Luftkvalitet",
  "description": "Timvärden.",
  "keywords": "luft, kvävedioxid",
  "license": "https://creativecommons.org/licenses/by/4.0/",
  "creator": {"@type": "Organization", "name": "Miljöförvaltningen"},
  "temporalCoverage": "2012-01-01/2016-12-31",
  "spatialCoverage": {"@type": "Place", "name": "Göteborg",
                      "geo": {"@type": "GeoShape", "box": "57.6 11.8 57.8 12.1"}},
  "distribution": {"@type": "DataDownload", "contentUrl": "https://data.exempel.se/luft.csv",
                   "encodingFormat": "text/csv"}
}"""


def test_schema_org_dataset_is_read_offline(tmp_path: Path) -> None:
    path = tmp_path / "luft.jsonld"
    path.write_text(SCHEMA_ORG, encoding="utf-8")
    items, failures, _ = harvest_items(str(path))
    assert not failures
    dataset = by_key(items)["https://data.exempel.se/luft"]
    assert dataset.title == {"": "Luftkvalitet"}
    assert dataset.keyword == {"": ["kvävedioxid", "luft"]}
    assert dataset.creator[0].name == {"": "Miljöförvaltningen"}
    assert dataset.spatial == ["Göteborg"]
    assert dataset.bbox == ["POLYGON((11.8 57.6,12.1 57.6,12.1 57.8,11.8 57.8,11.8 57.6))"]
    assert str(dataset.temporal[0].start) == "2012-01-01"
    distribution = dataset.distributions[0]
    assert distribution.download_url == "https://data.exempel.se/luft.csv"
    assert distribution.format == FILE_TYPE + "CSV"
    assert distribution.license == "http://creativecommons.org/licenses/by/4.0/"


LKOD_CATALOGUE = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{base}/katalog> a dcat:Catalog ; dcterms:title "LKOD"@cs ;
    dcat:dataset <{base}/ds/1>, <{base}/ds/2>, <{base}/ds/3> .
"""
LKOD_DATASET = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{base}/ds/{n}> a dcat:Dataset ; dcterms:title "Sada {n}"@cs ;
    dcterms:description "Popis {n}."@cs .
"""


def test_a_catalogue_of_links_is_followed_up_to_the_limit(http_server: LocalServer) -> None:
    base = http_server.url("")
    turtle = {"Content-Type": "text/turtle"}
    http_server.route("/katalog", Reply(200, LKOD_CATALOGUE.format(base=base).encode(), turtle))
    for n in (1, 2, 3):
        body = LKOD_DATASET.format(base=base, n=n).encode()
        http_server.route(f"/ds/{n}", Reply(200, body, turtle))
    items, failures, _ = harvest_items(http_server.url("/katalog"), allow_private="ja")
    assert sorted(item.key for item in items) == [f"{base}/ds/{n}" for n in (1, 2, 3)]
    assert not failures
    config = dcat.Config.from_source(
        http_server.url("/katalog"), {"allow_private": "ja", "follow_limit": "2"}
    )
    yielded = list(dcat.harvest(config, Cursor()))
    assert len([y for y in yielded if isinstance(y, Item)]) == 2
    assert any("bara de 2 första" in getattr(y, "message", "") for y in yielded)


def test_a_run_that_stores_nothing_from_a_full_source_opens_an_incident(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "records.ttl"
    path.write_text(
        PREFIXES + '<https://x.se/r/1> a dcat:CatalogRecord ; dcterms:title "Post"@sv .\n',
        encoding="utf-8",
    )
    sqlite_catalogue.add_source("tom", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "tom")
    assert (summary.status, summary.added) == ("completed", 0)
    incidents = [i for i in sqlite_catalogue.incidents() if i.kind == "empty_harvest"]
    assert len(incidents) == 1
    assert (
        "ingen datamängd" in incidents[0].message and "dcat:CatalogRecord" in incidents[0].message
    )


def test_the_description_visibility_is_read_and_non_public_data_warned_of(tmp_path: Path) -> None:
    def stated(number: int, words: str) -> str:
        return dataset_ttl(number).replace(
            "dcterms:accessRights", f"{words}\n    dcterms:accessRights"
        )

    provision = '    insyn:secrecyProvision "26 kap. 1 § OSL" ;\n'
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + PUBLISHER
        + stated(1, 'insyn:descriptionVisibility "internal" ;')
        + stated(2, 'insyn:descriptionVisibility "offentlig" ;')
        + stated(3, 'insyn:descriptionVisibility "hemlig" ;')
        + dataset_ttl(4)
        + dataset_ttl(5, public=False).replace(provision, "")
        + dataset_ttl(6, public=False, internal=True).replace(provision, ""),
        encoding="utf-8",
    )
    items, failures, _ = harvest_items(str(path))
    assert not failures
    found = {item.key.rsplit("/", 1)[-1]: item for item in items}
    visibility = {key: item.record.governance.description_visibility for key, item in found.items()}
    assert visibility == {
        "1": "internal",
        "2": "public",
        "3": "internal",  # an unknown word reads as internal, and is reported
        "4": None,  # not stated: the source's default decides
        "5": None,
        "6": "internal",
    }
    assert any("'hemlig' ska vara 'public' eller 'internal'" in w for w in found["3"].warnings)
    # Data that is not public and no provision: the description is shown unmasked, said so;
    # not of an internal description, which nobody outside sees.
    unmasked = "beskrivningen visas omaskerad för alla"
    assert any(unmasked in warning for warning in found["5"].warnings)
    assert not any(unmasked in warning for warning in found["6"].warnings)
    assert found["5"].record.governance.access_rights == NON_PUBLIC


def test_a_record_beside_an_unreadable_statement_is_kept_internal(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    # The undefined prefix makes the parser lose the statement and, with it, the line that
    # made the record internal: lenient parsing must not publish what was meant internal.
    path = tmp_path / "k.ttl"
    path.write_text(
        PREFIXES
        + "<https://data.exempel.se/d/1> a dcat:Dataset ;\n"
        + '    dcterms:title "Skyddade adresser"@sv ;\n'
        + '    rdfs:comment "odefinierat prefix" ;\n'
        + '    insyn:descriptionVisibility "internal" .\n'
        + "<https://data.exempel.se/d/2> a dcat:Dataset ;\n"
        + '    dcterms:title "Badplatser"@sv .\n',
        encoding="utf-8",
    )
    sqlite_catalogue.add_source("k", "dcat", str(path))
    summary = harvest_source(sqlite_catalogue, "k")
    assert summary.status == "completed" and summary.added == 2
    public = {row.uri for row in sqlite_catalogue.iter_records(public_only=True)}
    assert "https://data.exempel.se/d/1" not in public
    assert "https://data.exempel.se/d/2" in public
