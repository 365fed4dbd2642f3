"""The paged feed that dataportal.se harvests, on real files (tests/data/corpus): every
page, followed by ``hydra:next``, conforms to both shape sets and publishes the same
datasets with the same publisher types as ``insyn export``.

Two files whose publishers need completing on the way out: the CKAN dataset series, whose
publisher the source types with the EU corporate-body code CB_INT (no ADMS type) and
whose organisation the administrator types; and a DCAT-AP-NO example that names its
publisher by IRI only (its name comes from the organisation tree).
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from insyn.catalogue import organisations
from insyn.catalogue.export import public_catalogue_graph
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.settings import load_settings
from insyn.vocab import shacl
from insyn.vocab.namespaces import DCAT, HYDRA
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.connectors import corpus_figures
from tests.connectors.ckan_portal import FakeCkan
from tests.connectors.test_corpus import CORPUS, FAST, dcat_expected, expected, portal_packages
from tests.support.http import LocalServer

# Plain namespaces: pytest trips over rdflib's closed ones when it collects a module.
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
BASE = "https://insyn.example.se"
SERIES = "ckan/ckanext-dcat_ckan_dcat_ap_dataset_series.json"
IRI_ONLY = "dcat/dcat-ap-no_2.0-examples.ttl"
ADMS = "http://purl.org/adms/publishertype/"
NON_PROFIT = ADMS + "NonProfitOrganisation"
PAGE_SIZE = 2


def harvest(catalogue: Catalogue, source: str, name: str, kind: str, url: str) -> None:
    options = {**FAST, **corpus_figures.PUBLISHER_OPTIONS.get(name, {})}
    catalogue.add_source(source, kind, url, options)
    summary = harvest_source(catalogue, source)
    assert summary.status == "completed", summary.error
    corpus_figures.state_organisation_types(catalogue, name)


def publishers(graph: Graph) -> dict[str, tuple[set[str], set[str]]]:
    """Each dataset and data service → (its publishers' types, their names)."""
    out = {}
    for kind in (DCAT.Dataset, DCAT.DataService):
        for record in graph.subjects(RDF.type, kind):
            agents = list(graph.objects(record, DCT.publisher))
            out[str(record)] = (
                {str(t) for a in agents for t in graph.objects(a, DCT.type)},
                {str(n) for a in agents for n in graph.objects(a, FOAF.name)},
            )
    return out


def feed_pages(client: TestClient) -> tuple[Graph, int]:
    """The union of every page of ``/catalog.ttl``, following ``hydra:next``; the pages."""
    union, pages = Graph(), 0
    url: str | None = f"{BASE}/catalog.ttl?page_size={PAGE_SIZE}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        page = Graph().parse(data=response.text, format="turtle")
        [view] = page.subjects(RDF.type, HYDRA.PartialCollectionView)
        following = page.value(view, HYDRA.next)
        url = str(following) if following is not None else None
        # The Hydra view is the page's, not the catalogue's: left out of the union.
        page.remove((view, None, None))
        union += page
        pages += 1
    return union, pages


def test_feed_pages_conform_and_publish_what_the_export_does(
    http_server: LocalServer, tmp_path: Path
) -> None:
    settings = load_settings(home=tmp_path, base_url=BASE)
    catalogue = Catalogue(settings.catalogue_url)
    corpus_figures.add_owner(catalogue, tmp_path)
    portal = FakeCkan(http_server, portal_packages(SERIES))
    harvest(catalogue, "serie", SERIES, "ckan", portal.url)
    harvest(catalogue, "norge", IRI_ONLY, "dcat", str(CORPUS / IRI_ONLY))
    app = create_app(
        settings,
        catalogue=catalogue,
        backend=EmbeddedBackend(tmp_path / "search"),
        config=WebConfig(rate_limit_per_minute=0),
    )
    try:
        client = TestClient(app, base_url=BASE)
        feed, pages = feed_pages(client)
        exported = public_catalogue_graph(catalogue, settings.exported_catalog_uri, BASE)
        rows = [
            row
            for row in catalogue.iter_records(public_only=True)
            if row.kind in ("dataset", "dataservice")
        ]
        # Stating another type changes the feed, though no record changed: a harvester
        # that sends its ETag gets the new page, not 304.
        first = client.get(f"{BASE}/catalog.ttl")
        organisations.state_type(catalogue, "Test Publisher", "SupraNationalAuthority")
        again = client.get(f"{BASE}/catalog.ttl", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 200
        assert ADMS + "SupraNationalAuthority" in again.text
        organisations.state_type(catalogue, "Test Publisher", "NonProfitOrganisation")
        one_by_one = Graph()
        for row in rows:
            response = client.get(f"{BASE}/datasets/{row.id}.ttl")
            assert response.status_code == 200, response.text
            one_by_one.parse(data=response.text, format="turtle")
    finally:
        catalogue.close()

    assert pages > 1
    assert [r.path_text() for r in shacl.validate(feed).violations] == []
    in_feed, in_export = publishers(feed), publishers(exported)
    # The municipality's own dataset and every record of both files.
    assert len(in_feed) == len(rows) == 1 + expected(SERIES) + dcat_expected(IRI_ONLY)
    assert in_feed == in_export
    assert publishers(one_by_one) == in_export
    # The series' publisher gets the type the administrator stated, not the source's CB_INT.
    series = [types for types, names in in_feed.values() if "Test Publisher" in names]
    assert series and all(types == {NON_PROFIT} for types in series)
    assert not any("corporate-body-classification" in str(o) for o in feed.objects())
    # The publisher named by IRI only has a name, from the organisation tree.
    assert all(names for _, names in in_feed.values())
    iri_only = URIRef(
        "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/991825827"
    )
    assert feed.value(iri_only, FOAF.name) is not None
