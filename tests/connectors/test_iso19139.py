"""The iso19139 kind: ISO 19139 files, directories and URLs read without a CSW service.

The records are the real files of tests/data/corpus/iso19139 (SEMIC's iso-19139-to-dcat-ap
test cases, pycsw's samples); their counts are the corpus manifest's, made with lxml.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from insyn import connectors
from insyn.catalogue.export import public_catalogue_graph
from insyn.catalogue.store import Catalogue
from insyn.connectors import iso19139
from insyn.connectors.base import Cursor, Done, Failure, Item
from insyn.errors import ConfigError, ConnectorError
from insyn.harvester.engine import harvest_source
from insyn.vocab import shacl
from insyn.vocab.model import Dataset
from insyn.vocab.namespaces import DCAT, DCATAP, DCTERMS
from tests.support.http import LocalServer, Reply

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
ISO = CORPUS / "iso19139"
HVD = ISO / "semic-iso2dcat_hvd_dataset_multilingual.xml"
BASE = "https://katalog.exempelby.se"
WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")


def run(url: str, cursor: Cursor | None = None, **options: str) -> list[object]:
    config = iso19139.Config.from_source(url, options)
    return list(iso19139.harvest(config, cursor or Cursor()))


def test_the_kind_is_registered_with_typed_options() -> None:
    assert connectors.load("iso19139") is iso19139
    assert {o.name for o in connectors.options_of("iso19139") or ()} >= {"pattern", "max_bytes"}
    with pytest.raises(ConfigError, match="Okänt alternativ 'page_size'"):
        iso19139.Config.from_source(str(HVD), {"page_size": "10"})
    with pytest.raises(ConfigError, match="--url"):
        iso19139.Config.from_source(None, {})


def test_a_directory_yields_every_record_the_manifest_counts() -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    expected = sum(
        entry["records"] for name, entry in manifest.items() if name.startswith("iso19139/")
    )
    yielded = run(str(ISO))
    items = [y for y in yielded if isinstance(y, Item)]
    assert [y for y in yielded if isinstance(y, Failure)] == []
    assert len(items) == expected
    assert isinstance(yielded[-1], Done) and yielded[-1].complete


def test_hvd_category_legislation_lineage_and_bbox_are_read() -> None:
    items = [y for y in run(str(HVD)) if isinstance(y, Item)]
    assert len(items) == 1
    dataset = items[0].record
    assert isinstance(dataset, Dataset)
    # As SEMIC's expected output for this test case (tests/test-cases/hvd_dataset_multilingual).
    assert dataset.applicable_legislation == ["http://data.europa.eu/eli/reg_impl/2023/138/oj"]
    assert dataset.hvd_category == [
        "http://data.europa.eu/bna/c_dd313021",
        "http://data.europa.eu/bna/c_f399050e",
    ]
    assert dataset.bbox == [
        "POLYGON((14.18 35.81,14.58 35.81,14.58 36.08,14.18 36.08,14.18 35.81))"
    ]
    assert dataset.provenance["en"].startswith("The Land Use Map is built")
    words = {word for words in dataset.keyword.values() for word in words}
    assert "High-value dataset" not in words  # the legislation, not a keyword


def test_an_unchanged_file_is_not_modified(tmp_path: Path) -> None:
    path = tmp_path / "post.xml"
    shutil.copy(HVD, path)
    first = run(str(path))
    done = first[-1]
    assert isinstance(done, Done) and not done.not_modified
    again = run(str(path), done.cursor)
    assert len(again) == 1 and isinstance(again[0], Done) and again[0].not_modified


def test_a_url_is_read(http_server: LocalServer) -> None:
    http_server.route("/post.xml", Reply(body=HVD.read_bytes(), headers={"ETag": '"v1"'}))
    yielded = run(http_server.url("/post.xml"))
    assert [y.key for y in yielded if isinstance(y, Item)] == [
        "123e4567-e89b-12d3-a456-426655440000"
    ]
    done = yielded[-1]
    assert isinstance(done, Done)
    assert done.cursor.http[http_server.url("/post.xml")] == {"etag": '"v1"'}


def test_rdf_is_refused_naming_the_dcat_kind() -> None:
    rdf = CORPUS / "dcat" / "geodcat-ap_data-service.rdf"
    with pytest.raises(ConnectorError, match="--kind dcat"):
        run(str(rdf))


def test_a_record_without_identifier_fails_naming_title_position_and_field(
    tmp_path: Path,
) -> None:
    text = HVD.read_text(encoding="utf-8")
    start = text.index("<gmd:fileIdentifier>")
    end = text.index("</gmd:fileIdentifier>") + len("</gmd:fileIdentifier>")
    # Without its fileIdentifier and resource identifiers the record has no key at all.
    stripped = text[:start] + text[end:]
    while "<gmd:identifier>" in stripped:
        start = stripped.index("<gmd:identifier>")
        end = stripped.index("</gmd:identifier>") + len("</gmd:identifier>")
        stripped = stripped[:start] + stripped[end:]
    path = tmp_path / "utan-id.xml"
    path.write_text(stripped, encoding="utf-8")
    failures = [y for y in run(str(path)) if isinstance(y, Failure)]
    assert len(failures) == 1
    failure = failures[0]
    assert failure.field == "gmd:fileIdentifier"
    assert "Land use" in failure.reason or "Land Use" in failure.reason  # the title
    assert f"post 1 i {path}" in failure.reason


def test_harvest_and_export_keep_the_new_properties_and_conform(
    sqlite_catalogue: Catalogue,
) -> None:
    sqlite_catalogue.add_source(
        "semic", "iso19139", str(HVD), {"publisher_type": "NationalAuthority"}
    )
    summary = harvest_source(sqlite_catalogue, "semic")
    assert summary.status == "completed" and summary.added == 1 and summary.failed == 0
    graph = public_catalogue_graph(sqlite_catalogue, BASE + "/catalog", BASE)
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert (
        dataset,
        DCATAP.applicableLegislation,
        URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj"),
    ) in graph
    assert set(graph.objects(dataset, DCATAP.hvdCategory)) == {
        URIRef("http://data.europa.eu/bna/c_dd313021"),
        URIRef("http://data.europa.eu/bna/c_f399050e"),
    }
    statement = next(graph.objects(dataset, DCTERMS.provenance))
    assert (statement, RDF.type, DCTERMS.ProvenanceStatement) in graph
    assert any(
        str(t).startswith("The Land Use Map") for t in graph.objects(statement, DCTERMS.description)
    )
    boxes = [
        box
        for place in graph.objects(dataset, DCTERMS.spatial)
        for box in graph.objects(place, DCAT.bbox)
    ]
    assert boxes == [
        Literal(
            "POLYGON((14.18 35.81,14.58 35.81,14.58 36.08,14.18 36.08,14.18 35.81))",
            datatype=WKT,
        )
    ]
    report = shacl.validate(graph)  # DCAT-AP 3.0.1 and DCAT-AP-SE 3.0.1
    assert report.violations == [], report.format_text()
