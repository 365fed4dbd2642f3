"""The public export is DCAT-AP-SE that validates, describes non-public data with its access
right, and never holds an internal description."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF
from sqlalchemy import select

from insyn.catalogue.export import public_catalogue_graph
from insyn.catalogue.models import CatalogueRecord, Source
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.vocab import shacl
from insyn.vocab.model import PUBLIC
from insyn.vocab.namespaces import DCAT
from tests.conftest import shared_file
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl

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


def test_demo_export_holds_non_public_data_masked_with_its_access_right(
    demo_catalogue: Catalogue,
) -> None:
    """Non-public and restricted data is described in the export, with its
    dct:accessRights; a secret-marked dataset only masked (its title never)."""
    graph = public_catalogue_graph(demo_catalogue, BASE + "/catalog", BASE)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == demo_catalogue.count_records(public_only=True) - len(
        set(graph.subjects(RDF.type, DCAT.DataService))
    )
    with demo_catalogue.session() as session:
        non_public = session.scalars(
            select(CatalogueRecord).where(CatalogueRecord.is_public.is_(False))
        ).all()
    assert non_public, "the demo has non-public records"
    text = graph.serialize(format="nt")
    for row in non_public:
        subject = URIRef(row.uri)
        assert subject in datasets
        assert (subject, DCTERMS.accessRights, URIRef(row.access_rights)) in graph
        assert row.access_rights != PUBLIC
        assert row.title not in text  # every one of them is secret-marked: masked
    catalog = URIRef(BASE + "/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph


def test_the_export_never_holds_an_internal_description(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "k.ttl"
    internal = dataset_ttl(2, title="Internt register kanarie").replace(
        "dcterms:accessRights", 'insyn:descriptionVisibility "internal" ;\n    dcterms:accessRights'
    )
    path.write_text(PREFIXES + PUBLISHER + dataset_ttl(1) + internal, encoding="utf-8")
    sqlite_catalogue.add_source("bn", "dcat", str(path))
    harvest_source(sqlite_catalogue, "bn")
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    text = graph.serialize(format="nt")
    with sqlite_catalogue.session() as session:
        rows = {row.uri: row for row in session.scalars(select(CatalogueRecord))}
    hidden = rows["https://data.exempel.se/dataset/2"]
    assert hidden.description_visibility == "internal"
    assert hidden.data["governance"]["description_visibility"] == "internal"
    for value in (hidden.uri, hidden.title, hidden.id, "kanarie"):
        assert value not in text
    assert "https://data.exempel.se/dataset/1" in text
    assert shacl.validate(graph).violations == []


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


def test_publisher_type_stated_for_the_source_makes_it_conform(
    sqlite_catalogue: Catalogue,
) -> None:
    # DIGG is a national authority: an administrator states it for the source.
    sqlite_catalogue.add_source(
        "digg",
        "dcat",
        str(shared_file("dcat-ap-se/exempel/obligatoriskt.ttl")),
        {"publisher_type": "NationalAuthority"},
    )
    summary = harvest_source(sqlite_catalogue, "digg")
    warnings = [e.reason for e in sqlite_catalogue.record_errors(summary.run_id)]
    assert not any("publisher_type" in text for text in warnings)
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    assert shacl.validate(graph).violations == []


def test_without_the_option_the_run_says_which_option_is_missing(
    sqlite_catalogue: Catalogue,
) -> None:
    sqlite_catalogue.add_source(
        "digg", "dcat", str(shared_file("dcat-ap-se/exempel/obligatoriskt.ttl"))
    )
    summary = harvest_source(sqlite_catalogue, "digg")
    warnings = [e.reason for e in sqlite_catalogue.record_errors(summary.run_id)]
    assert any("saknar dcterms:type" in text and "publisher_type" in text for text in warnings)


def test_a_stated_publisher_type_maps_the_unchanged_source_again(
    sqlite_catalogue: Catalogue,
) -> None:
    path = str(shared_file("dcat-ap-se/exempel/obligatoriskt.ttl"))
    sqlite_catalogue.add_source("digg", "dcat", path)
    harvest_source(sqlite_catalogue, "digg")
    with sqlite_catalogue.session() as session:
        source = session.scalar(select(Source).where(Source.name == "digg"))
        assert source is not None
        source.options = {"publisher_type": "NationalAuthority"}
        session.commit()
    # The file is as it was; what the administrator states for it is not.
    again = harvest_source(sqlite_catalogue, "digg", full=True)
    assert again.updated >= 1
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    assert shacl.validate(graph).violations == []
