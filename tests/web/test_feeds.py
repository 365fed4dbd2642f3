"""DCAT-AP-SE feeds: Hydra paging, content negotiation, SHACL, a harvest round trip with
Insyn's own DCAT connector over real HTTP, conditional requests, Atom, one page read at a time."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from sqlalchemy import event, insert

from insyn.catalogue.export import dataset_uri
from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.vocab import masking, shacl
from insyn.vocab.model import from_dict
from insyn.vocab.profiles import dcat_write
from insyn.web.access import ANONYMOUS, may_see
from insyn.web.feeds import MEDIA_TYPES, catalog_page_graph
from tests.web.support import Site

# Plain namespaces: pytest trips over rdflib's closed ones when it collects a module.
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
PAGE_SIZE = 20
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}


def parse(text: str, fmt: str, base: str = "") -> Graph:
    return Graph().parse(data=text, format=fmt, publicID=base or None)


def public_graph(rows: list[CatalogueRecord], base_url: str) -> Graph:
    """The datasets and services of ``rows`` as DCAT, as the public sees them (secret-marked
    ones masked), without the catalogue node."""
    graph = dcat_write.new_graph()
    shown = [(masking.public_record(from_dict(r.data)), r.id) for r in rows]
    pairs = [(record, dataset_uri(base_url, id_)) for record, id_ in shown if record is not None]
    assert len(pairs) == len(rows)
    return dcat_write.write_catalogue(graph, None, pairs)


def dcat_rows(site: Site) -> list[CatalogueRecord]:
    return [r for r in site.visible_rows() if r.kind in ("dataset", "dataservice")]


def page_view(graph: Graph) -> URIRef:
    views = list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert len(views) == 1
    return views[0]


def test_the_catalogue_is_paged_with_hydra(site: Site, client: TestClient) -> None:
    expected = {str(r.uri) for r in dcat_rows(site)}
    seen: list[str] = []
    url: str | None = f"{site.base_url}/catalog.ttl?page_size={PAGE_SIZE}"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/turtle; charset=utf-8"
        graph = parse(response.text, "turtle")
        view = page_view(graph)
        assert str(view) == url.replace("?page_size", "?page=1&page_size") if pages == 0 else url
        assert int(graph.value(view, HYDRA.totalItems)) == len(expected)
        assert int(graph.value(view, HYDRA.itemsPerPage)) == PAGE_SIZE
        assert str(graph.value(view, HYDRA.first)).endswith(f"page=1&page_size={PAGE_SIZE}")
        assert (graph.value(view, HYDRA.previous) is None) == (pages == 0)
        records = [
            str(s)
            for kind in (DCAT.Dataset, DCAT.DataService)
            for s in graph.subjects(RDF.type, kind)
        ]
        assert 0 < len(records) <= PAGE_SIZE
        catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
        linked = set(graph.objects(catalog, DCAT.dataset)) | set(
            graph.objects(catalog, DCAT.service)
        )
        assert {str(n) for n in linked} == set(records)
        seen += records
        pages += 1
        next_page = graph.value(view, HYDRA.next)
        if next_page is None:
            assert graph.value(view, HYDRA.last) == view
        url = str(next_page) if next_page else None
    assert pages == -(-len(expected) // PAGE_SIZE)
    assert sorted(seen) == sorted(expected)


def test_default_page_size_comes_from_the_settings(site: Site, client: TestClient) -> None:
    graph = parse(client.get("/catalog.ttl").text, "turtle")
    view = page_view(graph)
    assert int(graph.value(view, HYDRA.itemsPerPage)) == site.app.state.web.config.feed_page_size
    assert str(view) == f"{site.base_url}/catalog.ttl?page=1"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
    ],
)
def test_catalog_negotiates_the_format(client: TestClient, accept: str, media: str) -> None:
    response = client.get(f"/catalog?page_size={PAGE_SIZE}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"
    graph = parse(response.text, FORMATS[MEDIA_TYPES[media]])
    assert str(graph.value(page_view(graph), HYDRA.next)).endswith(
        f"/catalog?page=2&page_size={PAGE_SIZE}"
    )


def test_browsers_are_sent_to_the_start_page_and_odd_formats_refused(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/catalog", headers={"Accept": browser}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    refused = client.get("/catalog", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert refused.json()["error"]["code"] == "not_acceptable"
    assert client.get("/catalog.ttl?page=99").status_code == 404


def test_a_dataset_uri_dereferences_to_html_or_rdf(site: Site, client: TestClient) -> None:
    row = next(r for r in dcat_rows(site) if r.uri.endswith("/bygglovsarenden"))
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get(f"/datasets/{row.id}", headers={"Accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert "Bygglovsärenden – inkomna ansökningar och beslut" in page.text
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        response = client.get(f"/datasets/{row.id}", headers={"Accept": accept})
        graph = parse(response.text, fmt)
        assert (URIRef(row.uri), RDF.type, DCAT.Dataset) in graph
        record = URIRef(dataset_uri(site.base_url, row.id))
        assert (record, RDF.type, DCAT.CatalogRecord) in graph
    for ext, fmt in FORMATS.items():
        graph = parse(client.get(f"/datasets/{row.id}.{ext}").text, fmt)
        assert len(list(graph.objects(URIRef(row.uri), DCAT.distribution))) == 3
    assert client.get(f"/datasets/{row.id}.xyz").status_code == 404


def test_every_page_and_record_conforms_to_dcat_ap_se(site: Site, client: TestClient) -> None:
    documents = [
        (client.get(f"/catalog.ttl?page={n}&page_size={PAGE_SIZE}").text, "turtle")
        for n in range(1, -(-len(dcat_rows(site)) // PAGE_SIZE) + 1)
    ]
    documents.append((client.get(f"/catalog.rdf?page=2&page_size={PAGE_SIZE}").text, "xml"))
    documents.append((client.get(f"/catalog.jsonld?page=3&page_size={PAGE_SIZE}").text, "json-ld"))
    service = next(r for r in dcat_rows(site) if r.kind == "dataservice")
    dataset = next(r for r in dcat_rows(site) if r.uri.endswith("/bygglovsarenden"))
    for row in (service, dataset):
        documents.append((client.get(f"/datasets/{row.id}.ttl").text, "turtle"))
    for text, fmt in documents:
        report = shacl.validate(parse(text, fmt))
        assert report.violations == [], report.format_text()[:3000]


@pytest.mark.parametrize("ext", ["ttl", "jsonld"])
def test_harvesting_the_feed_back_gives_the_same_public_catalogue(
    site: Site, tmp_path: Path, ext: str
) -> None:
    """Insyn's DCAT connector reads every page from the real server into a new catalogue."""
    second = Catalogue(f"sqlite:///{tmp_path / 'second.sqlite3'}")
    try:
        url = f"{site.base_url}/catalog.{ext}?page_size={PAGE_SIZE}"
        second.add_source("insyn", "dcat", url, {"backoff": "0.01"})
        summary = harvest_source(second, "insyn")
        assert summary.status == "completed", summary.error
        rows = dcat_rows(site)
        assert summary.added == len(rows) and summary.failed == 0
        harvested = list(second.iter_records(public_only=False))
        assert all(may_see(ANONYMOUS, row) for row in harvested)
        assert {r.uri for r in harvested} == {r.uri for r in rows}
        original = public_graph(rows, site.base_url)
        round_trip = public_graph(harvested, site.base_url)
        assert isomorphic(original, round_trip), sorted(set(original) ^ set(round_trip), key=str)[
            :10
        ]
        # A second run asks conditionally and finds the catalogue unchanged.
        again = harvest_source(second, "insyn")
        assert again.status == "completed" and again.added == again.updated == 0
    finally:
        second.close()


def test_feeds_answer_conditional_requests(site: Site) -> None:
    url = f"{site.base_url}/catalog.ttl?page=2&page_size={PAGE_SIZE}"
    first = requests.get(url, timeout=10)
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith("GMT")
    unchanged = requests.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert unchanged.status_code == 304 and unchanged.content == b""
    since = requests.get(
        url, headers={"If-Modified-Since": first.headers["last-modified"]}, timeout=10
    )
    assert since.status_code == 304
    other = requests.get(url.replace("page=2", "page=3"), headers={"If-None-Match": etag})
    assert other.status_code == 200
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


def test_atom_lists_new_and_changed_datasets(site: Site, client: TestClient) -> None:
    response = client.get("/catalog.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == min(50, len(dcat_rows(site)))
    ids = {r.id for r in dcat_rows(site)}
    for entry in entries:
        page = entry.find(f"{atom}id").text
        assert page.rsplit("/", 1)[-1] in ids
        assert entry.find(f"{atom}title").text.startswith(("Ny: ", "Ändrad: "))
        assert entry.find(f"{atom}updated").text[-6:] in ("+01:00", "+02:00")
    self_link = feed.find(f"{atom}link[@rel='self']").get("href")
    assert self_link == f"{site.base_url}/catalog.atom"


# --- one page read at a time -------------------------------------------------------------


def fill(catalogue: Catalogue, template: CatalogueRecord, count: int) -> None:
    """Add ``count`` public copies of a record, straight into the store."""
    now = template.first_seen
    with catalogue.session() as session:
        for start in range(0, count, 5000):
            rows = []
            for number in range(start, min(count, start + 5000)):
                data = dict(template.data, uri=f"https://data.exempelby.se/dataset/kopia-{number}")
                rows.append(
                    {
                        "id": f"{number:032x}",
                        "kind": "dataset",
                        "uri": data["uri"],
                        "source_id": template.source_id,
                        "source_key": data["uri"],
                        "title": f"Kopia {number}",
                        "content_hash": "0" * 64,
                        "data": data,
                        "field_provenance": {},
                        "access_rights": template.access_rights,
                        "is_public": True,
                        "first_seen": now,
                        "last_changed": now,
                    }
                )
            session.execute(insert(CatalogueRecord), rows)
        session.commit()


def feed_page(site: Site, page: int, page_size: int = 100) -> tuple[int, Graph]:
    """Build one feed page; return how many catalogue records it loaded, and the page."""
    loaded = 0

    def count(_record: CatalogueRecord, _context: object) -> None:
        nonlocal loaded
        loaded += 1

    event.listen(CatalogueRecord, "load", count)
    try:
        graph = catalog_page_graph(
            site.app.state.web, ANONYMOUS, page, page_size, lambda n: f"{site.base_url}/p{n}"
        )
    finally:
        event.remove(CatalogueRecord, "load", count)
    return loaded, graph


def test_a_feed_page_reads_one_page_of_the_store_however_large_the_catalogue(
    site: Site, tmp_path: Path
) -> None:
    # Counted, not measured: the records a page materialises. A page of 100 loads at most
    # 100 records at 20,000 as at 70, first page or last: the store is read a page at a
    # time, never whole. Its memory and seconds are bench/footprint.py's figures.
    from tests.web.support import make_site

    big = make_site(tmp_path, site.base_url, extras=False)
    try:
        template = next(r for r in big.visible_rows() if r.uri.endswith("/bygglovsarenden"))
        small_loaded, small_page = feed_page(big, 1)
        small_total = len(list(small_page.objects(None, DCAT.dataset)))
        assert 0 < small_total <= small_loaded <= 100
        fill(big.catalogue, template, 20_000)
        for page in (1, 100, 200):
            loaded, graph = feed_page(big, page)
            assert loaded <= 100, (page, loaded)
            datasets = set(graph.objects(None, DCAT.dataset))
            assert len(datasets) == 100, page  # a full page, all of it from the store
            view = next(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
            assert int(graph.value(view, HYDRA.totalItems)) >= 20_000
    finally:
        big.backend.close()
        big.catalogue.close()
