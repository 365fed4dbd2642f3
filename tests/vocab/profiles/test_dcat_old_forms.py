"""DCAT-AP 1.x/2.x, ADMS and DCAT-US forms read as their DCAT-AP 3 terms, and exported so.

One small dataset in the older forms goes through the reader and the writer; the export
says each value with the DCAT-AP 3 term and conforms to DCAT-AP 3.0.1 and DCAT-AP-SE 3.0.1.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import GEO

from insyn.vocab import shacl
from insyn.vocab.model import Agent, Catalog, Dataset
from insyn.vocab.namespaces import ADMS, DCAT, DCATAP, DCTERMS, LOCN, SPDX, VCARD, XSD
from insyn.vocab.profiles import dcat_read, dcat_write
from insyn.vocab.triples import parse_triples

EU = "http://publications.europa.eu/resource/authority/"
DATASET = "https://data.exempel.se/dataset/luft"
OLD = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix adms: <http://www.w3.org/ns/adms#> . @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix schema: <http://schema.org/> . @prefix spdx: <http://spdx.org/rdf/terms#> .
@prefix locn: <http://www.w3.org/ns/locn#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .

<{DATASET}> a dcat:Dataset ;
    dct:title "Luftmätningar"@sv ; dct:description "Halter av kvävedioxid."@sv ;
    dct:publisher <https://data.exempel.se/org/miljo> ;
    adms:contactPoint [ a vcard:Organization ; vcard:fn "Miljöförvaltningen" ;
        vcard:email "miljo@exempel.se" ; vcard:tel "+46 8 123 45" ] ;
    dct:temporal [ a dct:PeriodOfTime ; schema:startDate "2020-01-01"^^xsd:date ;
        schema:endDate "2020-12-31"^^xsd:date ] ;
    dct:temporal "2000-01-15/2010-01-15" ;
    dct:accrualPeriodicity "R/P1M" ;
    dct:language <http://id.loc.gov/vocabulary/iso639-1/sv> ;
    dcat:theme <http://publications.europa.eu/mdr/authority/data-theme/ENVI> ;
    dct:spatial [ a dct:Location ; locn:geometry "POINT(18.07 59.33)"^^gsp:wktLiteral ] ;
    owl:versionInfo "1.0" ;
    dct:hasVersion <https://data.exempel.se/dataset/luft-2021> ;
    dct:isVersionOf <https://data.exempel.se/dataset/luft-serien> ;
    dct:license <http://creativecommons.org/licenses/by/4.0/> ;
    <http://data.europa.eu/r5r/availability> <http://data.europa.eu/r5r/availability/experimental> ;
    dcat:distribution <{DATASET}/csv>, <{DATASET}/zip> .

<https://data.exempel.se/org/miljo> a foaf:Agent ; foaf:name "Miljönämnden"@sv ;
    dct:type <http://purl.org/adms/publishertype/LocalAuthority> .

<{DATASET}/csv> a dcat:Distribution ;
    dcat:accessURL <https://data.exempel.se/files/luft.csv> ;
    dct:format "CSV" ; dcat:mediaType "text/csv" ;
    dcat:byteSize "1024.0"^^xsd:decimal ;
    adms:status <http://purl.org/adms/status/Completed> ;
    <http://data.europa.eu/r5r/availability> <http://data.europa.eu/r5r/availability/stable> ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha1 ;
        spdx:checksumValue "da39a3ee5e6b4b0d3255bfef95601890afd80709" ] .

<{DATASET}/zip> a dcat:Distribution ;
    dcat:accessURL <https://data.exempel.se/files/luft.zip> ;
    dct:license <http://creativecommons.org/publicdomain/zero/1.0/> ;
    spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ;
        spdx:checksumValue "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" ] .
"""


@pytest.fixture(scope="module")
def exported() -> tuple[Dataset, list[str], Graph]:
    index = parse_triples(OLD.encode(), "turtle")
    mapped = dcat_read.read_dataset(index, DATASET)
    assert isinstance(mapped.record, Dataset)
    catalog = Catalog(
        uri="https://data.exempel.se/catalog",
        title={"sv": "Katalog"},
        description={"sv": "Kommunens datakatalog."},
        publisher=Agent(
            uri="https://data.exempel.se/org/kommunen",
            name={"sv": "Exempelkommunen"},
            type="http://purl.org/adms/publishertype/LocalAuthority",
        ),
        license="http://creativecommons.org/publicdomain/zero/1.0/",
    )
    graph = dcat_write.write_catalogue(dcat_write.new_graph(), catalog, [(mapped.record, DATASET)])
    return mapped.record, mapped.warnings, graph


def test_the_export_conforms(exported: tuple[Dataset, list[str], Graph]) -> None:
    _, _, graph = exported
    report = shacl.validate(graph)
    assert report.violations == [], report.format_text()


def test_dataset_terms(exported: tuple[Dataset, list[str], Graph]) -> None:
    dataset, _, graph = exported
    node = URIRef(DATASET)
    assert set(graph.objects(node, DCTERMS.accrualPeriodicity)) == {
        URIRef(EU + "frequency/MONTHLY")
    }
    assert set(graph.objects(node, DCTERMS.language)) == {URIRef(EU + "language/SWE")}
    assert set(graph.objects(node, DCAT.theme)) == {URIRef(EU + "data-theme/ENVI")}
    assert set(graph.objects(node, DCAT.version)) == {Literal("1.0")}
    # dct:hasVersion and dct:isVersionOf (DCAT-AP 2) as DCAT-AP 3's dcat: properties.
    assert set(graph.objects(node, DCAT.hasVersion)) == {URIRef(DATASET + "-2021")}
    assert set(graph.objects(node, DCAT.isVersionOf)) == {URIRef(DATASET + "-serien")}
    # schema:startDate/endDate and an ISO 8601 interval: dct:PeriodOfTime with dcat:startDate.
    starts = {
        graph.value(period, DCAT.startDate) for period in graph.objects(node, DCTERMS.temporal)
    }
    assert starts == {
        Literal("2020-01-01", datatype=XSD.date),
        Literal("2000-01-15", datatype=XSD.date),
    }
    # adms:contactPoint with the older vcard:email and vcard:tel: dcat:contactPoint.
    contact = graph.value(node, DCAT.contactPoint)
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:miljo@exempel.se")
    assert graph.value(graph.value(contact, VCARD.hasTelephone), VCARD.hasValue) == URIRef(
        "tel:+46812345"
    )
    assert graph.value(node, ADMS.contactPoint) is None
    # locn:geometry on a dct:Location is kept.
    geometry = {
        graph.value(location, LOCN.geometry) for location in graph.objects(node, DCTERMS.spatial)
    }
    assert Literal("POINT(18.07 59.33)", datatype=GEO.wktLiteral) in geometry
    assert dataset.extras == {}


def test_distribution_terms(exported: tuple[Dataset, list[str], Graph]) -> None:
    _, warnings, graph = exported
    csv, zipped = URIRef(DATASET + "/csv"), URIRef(DATASET + "/zip")
    assert graph.value(csv, DCTERMS.format) == URIRef(EU + "file-type/CSV")
    assert graph.value(csv, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/csv"
    )
    assert graph.value(csv, DCAT.byteSize) == Literal(1024, datatype=XSD.nonNegativeInteger)
    assert graph.value(csv, ADMS.status) == URIRef(EU + "distribution-status/COMPLETED")
    assert graph.value(csv, DCATAP.availability) == URIRef(EU + "planned-availability/STABLE")
    checksum = graph.value(csv, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha1
    # The dataset's licence (DCAT-AP 1.x) is its distributions' where they have none.
    assert graph.value(csv, DCTERMS.license) == URIRef(
        "http://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(zipped, DCTERMS.license) == URIRef(
        "http://creativecommons.org/publicdomain/zero/1.0/"
    )
    # So is its planned availability (DCAT-AP.de gives it on the dataset).
    assert graph.value(zipped, DCATAP.availability) == URIRef(
        EU + "planned-availability/EXPERIMENTAL"
    )
    # A SHA-256 checksum is never written as SHA-1: it stays in the catalogue, reported.
    assert graph.value(zipped, SPDX.checksum) is None
    assert any("checksumAlgorithm_sha256" in warning for warning in warnings)


def test_properties_a_record_lacks_are_read_from_one_shared_empty_list_left_empty() -> None:
    # The reader hands out one shared empty list for every property a subject lacks: no
    # mapping may add to it, or the next record would seem to have that value.
    data = f"""@prefix dct: <http://purl.org/dc/terms/> .
<{DATASET}> a <http://www.w3.org/ns/dcat#Dataset> ; dct:title "Luft"@sv ;
    <https://ex.se/egen> "kvar" .
""".encode()
    index = parse_triples(data, "turtle")
    first = dcat_read.read_dataset(index, DATASET)
    again = dcat_read.read_dataset(index, DATASET)
    assert dcat_read._NO_VALUES == []
    assert first.record.extras == again.record.extras == {"https://ex.se/egen": ["kvar"]}
    assert first.warnings == again.warnings
