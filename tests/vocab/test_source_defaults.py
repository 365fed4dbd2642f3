"""What the administrator states for a source, and what the export completes, so that a
record whose source leaves mandatory values out still exports conforming to DCAT-AP 3.0.1
and DCAT-AP-SE 3.0.1, without anything made up."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef

from insyn.errors import ConfigError
from insyn.vocab import quality, shacl, source_defaults
from insyn.vocab.model import Agent, Catalog, ContactPoint, Dataset, Distribution
from insyn.vocab.namespaces import DCAT, DCATAP, DCTERMS, VCARD
from insyn.vocab.profiles import dcat_read, dcat_write, schemaorg_read
from insyn.vocab.triples import parse_triples

LOCAL = "http://purl.org/adms/publishertype/LocalAuthority"
PERSON = "http://purl.org/adms/publishertype/PrivateIndividual(s)"
KOMMUN = {
    "publisher": "https://data.exempel.se/org/kommunen",
    "publisher_name": "Exempelkommunen",
    "publisher_type": "LocalAuthority",
}


def test_publisher_is_filled_only_where_the_source_names_none() -> None:
    defaults = source_defaults.from_options(KOMMUN)
    silent = Dataset(title={"sv": "Bygglov"})
    assert defaults.apply(silent) == []
    assert silent.publisher is not None
    assert silent.publisher.uri == KOMMUN["publisher"]
    assert silent.publisher.type == LOCAL

    stated = Agent(uri="https://exempel.se/org/bn", name={"sv": "Byggnadsnämnden"})
    creator = Agent(uri="https://exempel.se/org/x", type=PERSON)
    untyped = Agent(name={"sv": "Bo Berg"})
    named = Dataset(title={"sv": "Bygglov"}, publisher=stated, creator=[creator, untyped])
    [warning] = defaults.apply(named)
    # The source's own publisher stays; only its missing type is the stated one. A creator
    # gets none of the publisher's: creator_type says the creators'.
    assert named.publisher is stated
    assert stated.type == LOCAL
    assert creator.type == PERSON
    assert untyped.type is None and "'Bo Berg'" in warning and "creator_type=" in warning
    assert source_defaults.from_options({"creator_type": "PrivateIndividual(s)"}).apply(named) == []
    assert untyped.type == PERSON


def test_without_options_each_gap_is_a_warning_naming_the_option() -> None:
    record = Dataset(title={"sv": "Bygglov"}, creator=[Agent(name={"sv": "Anna"})])
    warnings = source_defaults.SourceDefaults().apply(record)
    assert record.publisher is None
    assert len(warnings) == 2
    assert "publisher=" in warnings[0]
    assert "'Anna'" in warnings[1] and "creator_type=" in warnings[1]


@pytest.mark.parametrize(
    "options",
    [
        {"publisher": "https://exempel.se/org"},
        {"publisher_name": "Kommunen"},
        {"publisher": "kommunen", "publisher_name": "Kommunen"},
        {"publisher_type": "Kommun"},
        {"creator_type": "Person"},
    ],
)
def test_options_that_say_too_little_are_refused(options: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        source_defaults.from_options(options)


def test_a_changed_option_changes_the_key_of_the_digest() -> None:
    keys = {
        source_defaults.from_options(options).key
        for options in ({}, KOMMUN, {**KOMMUN, "publisher_type": "NationalAuthority"})
    }
    assert len(keys) == 3


def test_a_person_has_the_adms_type_for_persons() -> None:
    turtle = b"""
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://exempel.se/d/1> a dcat:Dataset ; dcterms:title "T"@sv ;
    dcterms:creator [ a foaf:Person ; foaf:name "Anna Andersson" ] ;
    dcterms:publisher [ a foaf:Organization ; foaf:name "Kommunen" ] .
"""
    index = parse_triples(turtle, "turtle")
    dataset = dcat_read.read_dataset(index, "https://exempel.se/d/1").record
    assert isinstance(dataset, Dataset)
    assert dataset.creator[0].type == PERSON
    # An organisation is never typed by guess.
    assert dataset.publisher is not None and dataset.publisher.type is None

    document = {
        "@context": {"@vocab": "http://schema.org/"},
        "@type": "Dataset",
        "@id": "https://exempel.se/d/2",
        "name": "T",
        "creator": {"@type": "Person", "name": "Bo Berg"},
    }
    index = parse_triples(json.dumps(document).encode(), "jsonld")
    record = schemaorg_read.read_dataset(index, "https://exempel.se/d/2").record
    assert isinstance(record, Dataset)
    assert record.creator[0].type == PERSON


def _export(*records: Dataset) -> tuple[Graph, shacl.ValidationReport]:
    catalog = Catalog(
        uri="https://data.exempel.se/catalog",
        title={"sv": "Katalog"},
        description={"sv": "Kommunens datakatalog."},
        publisher=Agent(uri=KOMMUN["publisher"], name={"sv": "Exempelkommunen"}, type=LOCAL),
        license="http://creativecommons.org/publicdomain/zero/1.0/",
    )
    pairs = [(record, f"https://data.exempel.se/datasets/{n}") for n, record in enumerate(records)]
    graph = dcat_write.write_catalogue(dcat_write.new_graph(), catalog, pairs)
    return graph, shacl.validate(graph)


def test_export_says_what_the_source_lacks_and_conforms() -> None:
    publisher = Agent(uri=KOMMUN["publisher"], name={"sv": "Exempelkommunen"}, type=LOCAL)
    bare = Dataset(
        uri="https://exempel.se/d/1",
        publisher=publisher,
        contact_point=[ContactPoint(email="info@exempel.se")],
        distributions=[Distribution(title={"sv": "Tom"})],
    )
    paged = Dataset(
        uri="https://exempel.se/d/2",
        title={"en": "Only in English"},
        description={"en": "Described in English."},
        publisher=publisher,
        landing_page=["https://exempel.se/sida"],
        contact_point=[ContactPoint(name={"sv": "Växeln"}, telephone="08-123 45")],
        distributions=[Distribution(title={"sv": "Via sidan"})],
    )
    graph, report = _export(bare, paged)
    assert report.violations == []
    one, two = URIRef(bare.uri), URIRef(paged.uri)
    assert Literal("Titel saknas i källan.", lang="sv") in set(graph.objects(one, DCTERMS.title))
    assert Literal("Beskrivning saknas i källan.", lang="sv") in set(
        graph.objects(one, DCTERMS.description)
    )
    contact = next(graph.objects(one, DCAT.contactPoint))
    assert set(graph.objects(contact, VCARD.fn)) == {Literal("info@exempel.se")}
    # A distribution that gives no address at all is not exported ...
    assert list(graph.objects(one, DCAT.distribution)) == []
    # ... one of a dataset with a landing page has that as its access URL (DCAT-AP).
    distribution = next(graph.objects(two, DCAT.distribution))
    assert set(graph.objects(distribution, DCAT.accessURL)) == {URIRef("https://exempel.se/sida")}
    # A contact point without an e-mail address (DCAT-AP-SE requires one) is not exported.
    assert list(graph.objects(two, DCAT.contactPoint)) == []
    # A title or description in any language is the record's own, never replaced.
    assert set(graph.objects(two, DCTERMS.title)) == {Literal("Only in English", lang="en")}


CBC = "http://publications.europa.eu/resource/authority/corporate-body-classification/"
SUPRANATIONAL = "http://purl.org/adms/publishertype/SupraNationalAuthority"
HVD = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
METEOROLOGY = "http://data.europa.eu/bna/c_164e0bf5"


def _dataset(publisher: Agent, **fields: object) -> Dataset:
    return Dataset(
        uri="https://exempel.se/d/eu",
        title={"sv": "Mätningar"},
        description={"sv": "Mätningar."},
        publisher=publisher,
        contact_point=[ContactPoint(email="info@exempel.se")],
        **fields,  # type: ignore[arg-type]
    )


def test_an_eu_corporate_body_class_is_exported_as_its_adms_type_and_kept() -> None:
    agency = Agent(uri="https://exempel.eu/byran", name={"en": "Agency"}, type=CBC + "EU_AGENCY")
    dataset = _dataset(agency)
    [warning] = source_defaults.from_options({}).apply(dataset)
    assert "EU_AGENCY" in warning and SUPRANATIONAL in warning and "'Agency'" in warning
    # The catalogue keeps what the source said; the export writes the ADMS type.
    assert agency.type == CBC + "EU_AGENCY"
    graph, report = _export(dataset)
    assert report.violations == []
    assert set(graph.objects(URIRef(agency.uri), DCTERMS.type)) == {URIRef(SUPRANATIONAL)}


@pytest.mark.parametrize("code", ["CB_INT", "CB_OTHER", "EU_JU", "CB_EU"])
def test_a_class_that_names_no_one_adms_type_stays_and_is_reported(code: str) -> None:
    body = Agent(uri="https://exempel.org/org", name={"en": "Body"}, type=CBC + code)
    dataset = _dataset(body)
    [warning] = source_defaults.from_options({}).apply(dataset)
    assert code in warning and "insyn organisations type" in warning
    graph, report = _export(dataset)
    assert set(graph.objects(URIRef(body.uri), DCTERMS.type)) == {URIRef(CBC + code)}
    assert [v.path_text() for v in report.violations] == ["dcterms:type"]


def test_the_hvd_regulation_is_exported_only_with_a_category() -> None:
    publisher = Agent(uri=KOMMUN["publisher"], name={"sv": "Exempelkommunen"}, type=LOCAL)
    other = "http://data.europa.eu/eli/reg/2019/1024/oj"
    without = _dataset(publisher, applicable_legislation=[HVD, other])
    [warning] = source_defaults.from_options({}).apply(without)
    assert "dcatap:hvdCategory" in warning and HVD in warning
    graph, report = _export(without)
    assert report.violations == []
    assert set(graph.objects(URIRef(without.uri), DCATAP.applicableLegislation)) == {URIRef(other)}
    # The catalogue keeps it, and the quality score counts the record as not compliant.
    assert without.applicable_legislation == [HVD, other]
    score = quality.score_record(without)
    assert score is not None and score.checks["dcat_ap_compliance"] == 0

    with_category = _dataset(publisher, applicable_legislation=[HVD], hvd_category=[METEOROLOGY])
    assert source_defaults.from_options({}).apply(with_category) == []
    graph, report = _export(with_category)
    assert report.violations == []
    assert set(graph.objects(URIRef(with_category.uri), DCATAP.applicableLegislation)) == {
        URIRef(HVD)
    }
