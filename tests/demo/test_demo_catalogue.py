"""The bundled demo catalogue of Exempelby kommun: shape, governance, vocabularies, SHACL."""

from __future__ import annotations

import re
from functools import cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDF, SH, XSD

from tests.conftest import SHARED_DATA, shared_file
from tests.support.scripts import load_script

generate = load_script("generate_demo")

CATALOGUE_FILE = generate.OUTPUT
EU_VOCABULARIES = SHARED_DATA / "eu-vocabularies"
DCAT_AP_SHAPES_FILE = "dcat-ap/3.0.1/html-shacl/shapes.ttl"

INSYN = generate.INSYN
EU = "http://publications.europa.eu/resource/authority/"
PUBLIC = URIRef(EU + "access-right/PUBLIC")
COMPANY = URIRef("http://purl.org/adms/publishertype/Company")

# predicate -> (namespace every value must be in, vocabulary files that list the values)
CONTROLLED = {
    DCAT.theme: (
        EU + "data-theme/",
        ("fdk-reference-data/data-theme-sparql-result.ttl",),
    ),
    DCTERMS.format: (
        EU + "file-type/",
        (
            "fdk-reference-data/filetypes-sparql-result.ttl",
            "semiceu-dcat-ap_shacl/filetypes-skos-ap-act.rdf",
        ),
    ),
    DCTERMS.license: (
        EU + "licence/",
        (
            "fdk-reference-data/licences-sparql-result.ttl",
            "fdk-reference-data/eu-licences.ttl",
        ),
    ),
    DCTERMS.accrualPeriodicity: (
        EU + "frequency/",
        (
            "fdk-reference-data/frequencies-sparql-result.ttl",
            "semiceu-dcat-ap_shacl/frequencies-skos-ap-act.rdf",
        ),
    ),
    DCTERMS.accessRights: (
        EU + "access-right/",
        ("fdk-reference-data/access-right-sparql-result.ttl",),
    ),
}
# Values DIGG's DCAT-AP-SE files list; the EU files at hand have no Swedish language concept.
DCAT_AP_SE_LISTS = (
    SHARED_DATA / "dcat-ap-se" / "3.0.1" / "bundle.json",
    SHARED_DATA / "dcat-ap-se" / "processor-supportive_files" / "languages.json",
)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(CATALOGUE_FILE, format="turtle")


def datasets(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, DCAT.Dataset))


def non_public(graph: Graph) -> set[URIRef]:
    return {ds for ds in datasets(graph) if graph.value(ds, DCTERMS.accessRights) != PUBLIC}


def test_catalogue_lists_every_dataset_and_service(graph: Graph) -> None:
    catalogue = generate.CATALOGUE
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(catalogue, DCAT.dataset)) == datasets(graph)
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) >= 2
    assert set(graph.objects(catalogue, DCAT.service)) == services


def test_sizes_publishers_and_non_public_records(graph: Graph) -> None:
    assert len(datasets(graph)) >= 60
    publishers = {graph.value(ds, DCTERMS.publisher) for ds in datasets(graph)}
    assert len(publishers) >= 6
    assert any(graph.value(p, DCTERMS.type) == COMPANY for p in publishers)
    hidden = non_public(graph)
    assert len(hidden) >= 5
    for ds in hidden:
        assert graph.value(ds, INSYN.secrecyProvision), f"{ds} has no secrecy provision"
        assert not list(graph.objects(ds, DCAT.distribution)), f"{ds} should not be downloadable"


def test_organisation_tree_has_one_root(graph: Graph) -> None:
    root = URIRef(generate.BASE + "organisation/exempelby-kommun")
    organisations = set(graph.subjects(RDF.type, FOAF.Agent))
    assert root in organisations
    assert (root, ORG.unitOf, None) not in graph
    for org in organisations - {root}:
        assert (org, RDF.type, FOAF.Organization) in graph
        assert graph.value(org, ORG.unitOf) == root, org


def test_every_dataset_carries_the_governance_fields(graph: Graph) -> None:
    for ds in datasets(graph):
        owner = graph.value(ds, INSYN.informationOwner)
        assert owner == graph.value(ds, DCTERMS.publisher), ds
        assert graph.value(ds, INSYN.processCode), ds
        personal = graph.value(ds, INSYN.containsPersonalData)
        assert isinstance(personal, Literal) and personal.datatype == XSD.boolean, ds
        categories = list(graph.objects(ds, INSYN.personalDataCategory))
        assert bool(categories) == personal.toPython(), ds
        retention = str(graph.value(ds, INSYN.retention))
        assert retention in ("bevaras", "gallras"), ds
        assert (graph.value(ds, INSYN.retentionPeriod) is not None) == (retention == "gallras")
        for level in (INSYN.confidentiality, INSYN.integrity, INSYN.availability):
            value = graph.value(ds, level)
            assert value is not None and value.datatype == XSD.integer, (ds, level)
            assert 0 <= value.toPython() <= 3, (ds, level)


def test_public_datasets_have_distributions_with_access_urls(graph: Graph) -> None:
    blank = 0
    for ds in datasets(graph) - non_public(graph):
        distributions = list(graph.objects(ds, DCAT.distribution))
        assert 1 <= len(distributions) <= 3, ds
        for dist in distributions:
            assert graph.value(dist, DCAT.accessURL) is not None, ds
            assert graph.value(dist, DCTERMS.format) is not None, ds
        blank += all(not isinstance(d, URIRef) for d in distributions)
    assert 8 <= blank <= 10


@cache
def vocabulary(files: tuple[str, ...]) -> frozenset[URIRef]:
    terms: set[URIRef] = set()
    for name in files:
        path = EU_VOCABULARIES / name
        rdf_format = "xml" if path.suffix == ".rdf" else "turtle"
        terms.update(s for s in Graph().parse(path, format=rdf_format).subjects() if s)
    return frozenset(terms)


@pytest.mark.usefixtures("shared_data")  # skips without ../shared/data; fails under CI=true
@pytest.mark.parametrize("predicate", list(CONTROLLED), ids=lambda p: p.n3().rsplit("/")[-1])
def test_controlled_values_are_in_the_eu_vocabularies(graph: Graph, predicate: URIRef) -> None:
    namespace, files = CONTROLLED[predicate]
    known = vocabulary(files)
    values = set(graph.objects(None, predicate))
    assert values
    unknown = sorted(v for v in values if not str(v).startswith(namespace) or v not in known)
    assert not unknown, f"not in {files}: {unknown}"


@pytest.mark.usefixtures("shared_data")
def test_publisher_types_are_adms_concepts(graph: Graph) -> None:
    known = vocabulary(("fdk-reference-data/adms-publisher-type.ttl",))
    for publisher_type in set(graph.objects(None, DCTERMS.type)):
        assert publisher_type in known, publisher_type


@pytest.mark.usefixtures("shared_data")
def test_languages_and_availability_are_in_the_dcat_ap_se_lists(graph: Graph) -> None:
    listed = set()
    for path in DCAT_AP_SE_LISTS:
        listed.update(re.findall(r'"(https?://[^"]+)"', path.read_text(encoding="utf-8")))
    values = set(graph.objects(None, DCTERMS.language))
    values |= set(graph.objects(None, URIRef("http://data.europa.eu/r5r/availability")))
    assert values
    assert not sorted(str(v) for v in values if str(v) not in listed)


def test_generator_output_is_the_committed_file() -> None:
    assert generate.render() == CATALOGUE_FILE.read_text(encoding="utf-8"), (
        "run `python scripts/generate_demo.py` and commit the result"
    )


def test_conforms_to_the_dcat_ap_shapes(graph: Graph) -> None:
    import pyshacl  # an Insyn dependency: always installed

    shapes = Graph().parse(shared_file(DCAT_AP_SHAPES_FILE), format="turtle")
    _, results, text = pyshacl.validate(
        data_graph=graph, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    violations = list(results.subjects(SH.resultSeverity, SH.Violation))
    assert not violations, text
