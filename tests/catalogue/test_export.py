"""The public export is DCAT-AP-SE that validates, and never holds a non-public record."""

from __future__ import annotations

from importlib import resources

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from insyn.catalogue.export import public_catalogue_graph
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.vocab import shacl
from insyn.vocab.namespaces import DCAT
from tests.conftest import shared_file

BASE = "https://katalog.exempelby.se"


@pytest.fixture
def demo_catalogue(sqlite_catalogue: Catalogue) -> Catalogue:
    sample = resources.files("insyn.demo").joinpath("data", "exempelby-katalog.ttl")
    sqlite_catalogue.add_source("exempelby", "dcat", str(sample))
    summary = harvest_source(sqlite_catalogue, "exempelby")
    assert summary.status == "completed" and summary.failed == 0
    return sqlite_catalogue


def test_demo_export_has_zero_violations_against_both_shape_sets(
    demo_catalogue: Catalogue,
) -> None:
    graph = public_catalogue_graph(demo_catalogue, BASE + "/catalog", BASE)
    report = shacl.validate(graph)  # DCAT-AP 3.0.1 and the generated DCAT-AP-SE 3.0.1 shapes
    assert report.violations == [], report.format_text()
    assert {result.shape_source for result in report.results} <= {
        shacl.SOURCE_DCAT_AP,
        shacl.SOURCE_DCAT_AP_SE,
    }


def test_demo_export_holds_only_public_records(demo_catalogue: Catalogue) -> None:
    graph = public_catalogue_graph(demo_catalogue, BASE + "/catalog", BASE)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == demo_catalogue.count_records(public_only=True) - len(
        set(graph.subjects(RDF.type, DCAT.DataService))
    )
    with demo_catalogue.session() as session:
        from sqlalchemy import select

        from insyn.catalogue.models import CatalogueRecord

        hidden = session.scalars(
            select(CatalogueRecord).where(CatalogueRecord.is_public.is_(False))
        ).all()
    assert hidden, "the demo has non-public records"
    text = graph.serialize(format="nt")
    for row in hidden:
        assert row.uri not in text
        assert row.title not in text
        assert row.id not in text
    catalog = URIRef(BASE + "/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph


@pytest.mark.parametrize("name", ["rekommenderat.ttl", "obligatoriskt.rdf"])
def test_digg_examples_harvested_and_exported_conform_to_dcat_ap(
    sqlite_catalogue: Catalogue, name: str
) -> None:
    """Literal formats (text/csv) are mapped to EU file types, so the re-export conforms."""
    sqlite_catalogue.add_source("digg", "dcat", str(shared_file(f"dcat-ap-se/exempel/{name}")))
    harvest_source(sqlite_catalogue, "digg")
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    report = shacl.validate(graph, [shacl.DEFAULT_SHAPES[0]])
    assert report.violations == [], report.format_text()
    assert len(Graph().parse(data=graph.serialize(format="turtle"), format="turtle")) == len(graph)


def test_old_availability_iris_are_mapped_to_dcat_ap_3(sqlite_catalogue: Catalogue) -> None:
    sqlite_catalogue.add_source(
        "digg", "dcat", str(shared_file("dcat-ap-se/exempel/rekommenderat.ttl"))
    )
    harvest_source(sqlite_catalogue, "digg")
    dataset = sqlite_catalogue.get_record("https://example.com/dataset1")
    assert {d.availability for d in dataset.distributions} == {
        "http://publications.europa.eu/resource/authority/planned-availability/EXPERIMENTAL"
    }
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    report = shacl.validate(graph)
    assert report.violations == [], report.format_text()


def test_missing_publisher_type_is_reported_not_invented(sqlite_catalogue: Catalogue) -> None:
    sqlite_catalogue.add_source(
        "digg", "dcat", str(shared_file("dcat-ap-se/exempel/obligatoriskt.ttl"))
    )
    harvest_source(sqlite_catalogue, "digg")
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    report = shacl.validate(graph)
    # DCAT-AP-SE 3.0.1 requires the publisher's type; DIGG's 2.x example does not give it.
    assert {(r.path_text(), r.shape_source) for r in report.violations} == {
        ("dcterms:type", shacl.SOURCE_DCAT_AP_SE)
    }
