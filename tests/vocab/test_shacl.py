"""Tests for the generated DCAT-AP-SE shapes and SHACL validation (insyn.vocab.shacl)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from insyn.errors import VocabError
from insyn.vocab.namespaces import (
    ACCESS_RIGHT,
    DCAT,
    DCATAP,
    DCTERMS,
    FILE_TYPE,
    FOAF,
    VCARD,
)
from insyn.vocab.se_shapes import (
    BUNDLE_FILE,
    DCAT_AP_SHAPES_FILE,
    SE_SHAPES_FILE,
    build_shapes,
    generate,
)
from insyn.vocab.shacl import (
    SOURCE_DCAT_AP,
    SOURCE_DCAT_AP_SE,
    ValidationReport,
    load_rdf_file,
    validate,
)
from tests.conftest import SHARED_DATA

# Skips without ../shared/data, and fails under CI=true (the shared_data fixture).
needs_shared_data = pytest.mark.usefixtures("shared_data")
EXAMPLES_SE = SHARED_DATA / "dcat-ap-se" / "exempel"
EX = "https://kommun.example.se/"
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
HVD = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
# Not rdflib's XSD namespace object: pytest's collection probes it and rdflib warns.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def _canonical(graph: Graph) -> set[tuple[object, ...]]:
    """Return the triples with each blank node replaced by its (tree-shaped) content.

    Equal results mean isomorphic graphs when blank nodes form trees (lists, inner shapes),
    as in the generated shapes; rdflib's general isomorphism test takes ~12 s on them.
    """

    def term(node: object) -> object:
        if isinstance(node, BNode):
            return frozenset((p, term(o)) for p, o in graph.predicate_objects(node))
        return node

    return {(s, p, term(o)) for s, p, o in graph if not isinstance(s, BNode)}


def _violations(report: ValidationReport, source: str) -> list[tuple[str, str]]:
    return sorted(
        (str(r.focus_node), str(r.path)) for r in report.violations if r.shape_source == source
    )


def _minimal() -> Graph:
    """Return a small catalogue that meets DCAT-AP 3.0.1 and DCAT-AP-SE 3.0.1."""
    g = Graph()
    catalog, agent = URIRef(EX + "katalog"), URIRef(EX + "kommunen")
    dataset, dist = URIRef(EX + "data/parkering"), URIRef(EX + "data/parkering/csv")
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Kommunens datakatalog", lang="sv")))
    g.add((catalog, DCTERMS.description, Literal("Öppna data från kommunen", lang="sv")))
    g.add((catalog, DCTERMS.publisher, agent))
    g.add((catalog, DCTERMS.license, CC0))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal("Exempels kommun", lang="sv")))
    g.add((agent, DCTERMS.type, URIRef("http://purl.org/adms/publishertype/LocalAuthority")))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal("Parkeringsplatser", lang="sv")))
    g.add((dataset, DCTERMS.description, Literal("Kommunens parkeringsplatser", lang="sv")))
    g.add((dataset, DCTERMS.publisher, agent))
    g.add((dataset, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.accessURL, URIRef(EX + "filer/parkering.csv")))
    g.add((dist, DCTERMS.format, FILE_TYPE.CSV))
    return g


# (a) The shipped shapes are exactly what the generator makes of the shipped bundle.


def test_shipped_shapes_are_generated_from_the_bundle() -> None:
    generated = build_shapes(BUNDLE_FILE)
    shipped = load_rdf_file(SE_SHAPES_FILE)
    assert len(generated) == len(shipped)
    assert _canonical(generated) == _canonical(shipped)


@needs_shared_data
def test_shipped_sources_are_verbatim_copies() -> None:
    assert BUNDLE_FILE.read_bytes() == (SHARED_DATA / "dcat-ap-se/3.0.1/bundle.json").read_bytes()
    upstream = SHARED_DATA / "dcat-ap/3.0.1/html-shacl/shapes.ttl"
    assert DCAT_AP_SHAPES_FILE.read_bytes() == upstream.read_bytes()


def test_generation_summary_names_what_was_left_out() -> None:
    _graph, summary = generate(BUNDLE_FILE)
    assert summary.class_shapes == 10
    assert any("dcterms:format" in c for c in summary.conflicts)
    assert any("adms:identifier" in c for c in summary.conflicts)
    assert any("dcterms:accessRights" in v for v in summary.value_lists["Violation"])
    assert any("dcterms:language" in v for v in summary.value_lists["Warning"])
    assert not any("DCAT_AP_OPEN_LISTS" in n for n in summary.notes)


# (b), (c) DIGG's examples.


@needs_shared_data
@pytest.mark.parametrize("name", ["obligatoriskt.ttl", "obligatoriskt.rdf"])
def test_digg_mandatory_example(name: str) -> None:
    report = validate(load_rdf_file(EXAMPLES_SE / name))
    assert _violations(report, SOURCE_DCAT_AP) == []
    # The example was written for DCAT-AP-SE 2 (its description says so); 3.0.1 made the
    # publisher's type mandatory (2.2.0: recommended), and the example has none.
    assert _violations(report, SOURCE_DCAT_AP_SE) == [
        ("https://example.com/publisher1", str(DCTERMS.type))
    ]
    assert validate(load_rdf_file(EXAMPLES_SE / name), [DCAT_AP_SHAPES_FILE]).conforms


@needs_shared_data
def test_digg_recommended_example_reports_its_real_violations() -> None:
    report = validate(load_rdf_file(EXAMPLES_SE / "rekommenderat.ttl"))
    distributions = ["https://example.com/distribution1", "https://example.com/distribution2"]
    # dct:format given as media-type literals; DCAT-AP 3.0.1 wants an IRI.
    assert _violations(report, SOURCE_DCAT_AP) == [(d, str(DCTERMS.format)) for d in distributions]
    # dcatap:availability uses DCAT-AP 2.0's r5r/availability/experimental, which is neither in
    # DCAT-AP-SE 3.0.1's list nor in DCAT-AP 3.0.1's planned-availability vocabulary.
    assert _violations(report, SOURCE_DCAT_AP_SE) == [
        (d, str(DCATAP.availability)) for d in distributions
    ]
    text = report.format_text()
    for d in distributions:
        assert d in text
    assert "dcterms:format" in text
    assert "måste vara en IRI eller blank nod" in text


# (d) Targeted negative tests.


def test_minimal_catalogue_conforms() -> None:
    report = validate(_minimal())
    assert report.conforms, report.format_text()
    assert report.violations == []


def test_dataset_without_title() -> None:
    g = _minimal()
    dataset = URIRef(EX + "data/parkering")
    g.remove((dataset, DCTERMS.title, None))
    report = validate(g)
    assert not report.conforms
    messages = {r.shape_source: r.message for r in report.violations}
    assert messages == {
        SOURCE_DCAT_AP: "Minst 1 värde krävs för dcterms:title (har 0)",
        SOURCE_DCAT_AP_SE: "Minst 1 värde krävs för dcterms:title ”Titel” (har 0)",
    }
    assert {(r.focus_node, r.path) for r in report.violations} == {(dataset, DCTERMS.title)}


def test_wrong_access_rights_value() -> None:
    g = _minimal()
    dataset = URIRef(EX + "data/parkering")
    g.add((dataset, DCTERMS.accessRights, ACCESS_RIGHT.SENSITIVE))
    report = validate(g)
    [violation] = report.violations
    assert violation.path == DCTERMS.accessRights
    assert violation.value == ACCESS_RIGHT.SENSITIVE
    assert violation.shape_source == SOURCE_DCAT_AP_SE
    assert violation.message == (
        "Åtkomsträttigheter (dcterms:accessRights) ska ha ett av värdena: "
        "Ej offentlig, Publik, Begränsad"
    )


def test_access_rights_as_text_breaks_both_profiles() -> None:
    g = _minimal()
    g.add((URIRef(EX + "data/parkering"), DCTERMS.accessRights, Literal("offentlig")))
    report = validate(g)
    sources = Counter(r.shape_source for r in report.violations)
    assert sources == {SOURCE_DCAT_AP: 1, SOURCE_DCAT_AP_SE: 2}  # node kind; + value list
    assert all(r.path == DCTERMS.accessRights for r in report.violations)
    assert any("måste vara en IRI" in r.message for r in report.violations)


def test_distribution_without_access_url() -> None:
    g = _minimal()
    dist = URIRef(EX + "data/parkering/csv")
    g.remove((dist, DCAT.accessURL, None))
    report = validate(g)
    assert {(r.focus_node, r.path) for r in report.violations} == {(dist, DCAT.accessURL)}
    assert {r.message for r in report.violations} == {
        "Minst 1 värde krävs för dcat:accessURL (har 0)",
        "Minst 1 värde krävs för dcat:accessURL ”Webbadress för åtkomst” (har 0)",
    }
    assert "dcat:accessURL" in report.format_text()


def test_warnings_do_not_break_conformance() -> None:
    report = validate(_minimal())
    keyword = [r for r in report.warnings if r.path == DCAT.keyword]
    assert keyword and keyword[0].message.startswith("Minst 1 värde rekommenderas för dcat:keyword")


def test_high_value_dataset_needs_a_category() -> None:
    g = _minimal()
    dataset, dist = URIRef(EX + "data/parkering"), URIRef(EX + "data/parkering/csv")
    g.add((dataset, DCATAP.applicableLegislation, HVD))
    g.add((dist, DCATAP.applicableLegislation, HVD))  # no category needed on a distribution
    [violation] = validate(g).violations
    assert violation.focus_node == dataset
    assert violation.message.startswith(
        "Kategori för värdefulla datamängder (dcatap:hvdCategory) krävs när "
        "dcatap:applicableLegislation är ”Värdefull datamängd”"
    )
    g.add((dataset, DCATAP.hvdCategory, URIRef("http://data.europa.eu/bna/c_ac64a52d")))
    assert validate(g).conforms


def test_contact_point_must_be_individual_or_organisation() -> None:
    g = _minimal()
    contact = URIRef(EX + "kontakt")
    g.add((URIRef(EX + "data/parkering"), DCAT.contactPoint, contact))
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, VCARD.fn, Literal("Kundtjänst")))
    g.add((contact, VCARD.hasEmail, URIRef("mailto:kundtjanst@kommun.example.se")))
    [violation] = validate(g).violations
    assert (
        violation.message == "Typ (rdf:type) ska vara exakt ett av värdena: Individ, Organisation"
    )
    g.add((contact, RDF.type, VCARD.Organization))
    assert validate(g).conforms


def test_catalogue_licence_must_be_cc0() -> None:
    g = _minimal()
    catalog = URIRef(EX + "katalog")
    g.set((catalog, DCTERMS.license, URIRef("http://creativecommons.org/licenses/by/4.0/")))
    [violation] = validate(g).violations
    assert violation.path == DCTERMS.license
    assert "<http://creativecommons.org/publicdomain/zero/1.0/>" in violation.message


def test_nested_finding_names_the_record_and_the_path() -> None:
    g = _minimal()
    dataset, period = URIRef(EX + "data/parkering"), BNode()
    g.add((dataset, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal("1 januari 2020")))
    g.add((period, DCAT.endDate, Literal("2020-12-31", datatype=XSD_DATE)))
    report = validate(g)
    se = [r for r in report.violations if r.shape_source == SOURCE_DCAT_AP_SE]
    assert [(r.subject, r.path_text()) for r in se] == [
        (dataset, "dcterms:temporal / dcat:startDate")
    ]
    assert "xsd:date, xsd:dateTime, xsd:gYear" in se[0].message
    text = report.format_text()
    assert f"<{dataset}>" in text and "dcterms:temporal / dcat:startDate" in text


def test_format_text_groups_by_record() -> None:
    g = _minimal()
    g.remove((URIRef(EX + "data/parkering"), DCTERMS.description, None))
    text = validate(g).format_text()
    assert text.startswith("Valideringsrapport: uppfyller inte kraven (2 fel,")
    record = text.split(f"\n<{EX}data/parkering>\n", 1)[1].split("\n\n", 1)[0]
    assert "  Fel: dcterms:description: Minst 1 värde krävs för dcterms:description" in record


# (e) Other published examples, as they are.

DCAT_AP_EXAMPLES = SHARED_DATA / "dcat-ap" / "3.0.1" / "examples"
# file: (conforms, DCAT-AP violations, DCAT-AP-SE violations). SEMIC's examples are snippets
# of one feature each: most lack a title or description (DCAT-AP) and a publisher (DCAT-AP-SE).
OBSERVED = {
    "example-bee-population-2022-2023.ttl": (True, 0, 0),
    "example-bee-population-dataset-frequency.ttl": (False, 2, 3),
    "example-bee-population-dataset-series-frequency.ttl": (False, 5, 8),
    "example-bee-population-dataset-series-gea-nha.ttl": (False, 4, 8),
    "example-bee-population-dataset-series-issued.ttl": (False, 3, 6),
    "example-bee-population-dataset-series-life-count.ttl": (False, 1, 2),
    "example-bee-population-dataset-series-modified.ttl": (False, 4, 8),
    "example-bee-population-dataset-series-ordered.ttl": (False, 5, 8),
    "example-bee-population-dataset-series-spatial-thessaloniki-athens.ttl": (False, 3, 6),
    "example-bee-population-dataset-series-spatial-thessaloniki.ttl": (False, 2, 4),
    "example-bee-population-dataset-series.ttl": (False, 5, 8),
    "example-bee-population.ttl": (True, 0, 0),
    "example-bee-populaton-2022-2023.ttl": (True, 0, 0),
}


@needs_shared_data
def test_every_dcat_ap_example_is_covered() -> None:
    assert sorted(p.name for p in DCAT_AP_EXAMPLES.glob("*.ttl")) == sorted(OBSERVED)


@needs_shared_data
@pytest.mark.parametrize("name", sorted(OBSERVED))
def test_dcat_ap_examples(name: str) -> None:
    report = validate(load_rdf_file(DCAT_AP_EXAMPLES / name))
    sources = Counter(r.shape_source for r in report.violations)
    observed = (report.conforms, sources[SOURCE_DCAT_AP], sources[SOURCE_DCAT_AP_SE])
    assert observed == OBSERVED[name]


@needs_shared_data
def test_ckanext_dcat_swedish_example() -> None:
    path = SHARED_DATA / "ckan" / "ckanext-dcat" / "examples" / "dcat" / "dataset_sweden.rdf"
    report = validate(load_rdf_file(path))
    base = "http://nobelprize.org/datasets/dcat#"
    found = {(str(r.focus_node).removeprefix(base), _local(r.path)) for r in report.violations}
    # Dates as plain strings, foaf:homepage as a string, two media types as literals. DCAT-AP's
    # shapes.ttl misses the dataset's dates: it writes sh:shape (not SHACL) for sh:node there.
    assert found == {
        ("catalog", "issued"),
        ("catalog", "modified"),
        ("catalog", "homepage"),
        ("dist1", "format"),
        ("ds1", "issued"),
        ("ds1", "modified"),
    }
    assert Counter(r.shape_source for r in report.violations) == {
        SOURCE_DCAT_AP: 6,
        SOURCE_DCAT_AP_SE: 6,
    }


def _local(node: object) -> str:
    return str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def catalogue_of(count: int) -> Graph:
    """``_minimal`` with ``count`` more conforming datasets (bench/footprint.py uses it too)."""
    g = _minimal()
    catalog, agent = URIRef(EX + "katalog"), URIRef(EX + "kommunen")
    for i in range(count):
        dataset, dist = URIRef(f"{EX}data/{i}"), URIRef(f"{EX}data/{i}/csv")
        g.add((catalog, DCAT.dataset, dataset))
        g.add((dataset, RDF.type, DCAT.Dataset))
        g.add((dataset, DCTERMS.title, Literal(f"Datamängd {i}", lang="sv")))
        g.add((dataset, DCTERMS.description, Literal("Beskrivning", lang="sv")))
        g.add((dataset, DCTERMS.publisher, agent))
        g.add((dataset, DCTERMS.issued, Literal("2024-01-01", datatype=XSD_DATE)))
        g.add((dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.accessURL, URIRef(f"{EX}filer/{i}.csv")))
    return g


@pytest.mark.slow
def test_500_datasets_validate() -> None:
    # How long this takes is bench/footprint.py's figure, not an assertion here.
    report = validate(catalogue_of(500))
    assert report.conforms, report.violations[:3]


# load_rdf_file


def test_load_rdf_file_reports_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "trasig.ttl"
    bad.write_text(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\n"
        "<a> dcat:keyword ,, .\n"
        "<b> a dcat:Dataset .\n",
        "utf-8",
    )
    with pytest.raises(VocabError) as caught:
        load_rdf_file(bad)
    assert caught.value.position == "rad 3"
    assert "trasig.ttl" in str(caught.value) and "Turtle" in str(caught.value)


def test_load_rdf_file_rdf_xml_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "trasig.rdf"
    bad.write_text('<?xml version="1.0"?>\n<rdf:RDF>\n</rdf:RDF>\n', "utf-8")
    with pytest.raises(VocabError) as caught:
        load_rdf_file(bad)
    assert caught.value.position == "rad 2"
    assert "RDF/XML" in caught.value.message


def test_load_rdf_file_formats(tmp_path: Path) -> None:
    g = _minimal()
    for suffix, rdf_format in [(".nt", "nt"), (".jsonld", "json-ld"), (".rdf", "xml")]:
        path = tmp_path / f"katalog{suffix}"
        path.write_text(g.serialize(format=rdf_format), "utf-8")
        assert len(load_rdf_file(path)) == len(g)


def test_load_rdf_file_unknown_or_missing(tmp_path: Path) -> None:
    with pytest.raises(VocabError, match="Okänt RDF-format"):
        load_rdf_file(tmp_path / "katalog.csv")
    with pytest.raises(VocabError, match="kunde inte läsas") as caught:
        load_rdf_file(tmp_path / "saknas.ttl")
    assert caught.value.source == str(tmp_path / "saknas.ttl")
