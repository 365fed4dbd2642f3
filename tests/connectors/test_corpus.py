"""Insyn on a corpus of real files written by others (tests/data/corpus, see SOURCES.md).

Each file is harvested with the connector of its kind, and the records Insyn adds are
compared with the count in manifest.json, which tests/data/corpus/count.py makes without
Insyn (rdflib for RDF, the raw JSON for CKAN, lxml for ISO 19139 and OAI-PMH).

    dcat, schemaorg  the dcat connector, on the file's path
    ckan             the fake CKAN portal (ckan_portal.FakeCkan) serving the file's packages
    iso19139         insyn.vocab.profiles.iso19139_read.map_record on each record element
                     (there is no file-based ISO 19139 kind; csw needs a CSW service)
    oaipmh           the oaipmh connector against a local server answering with the file

Every file's harvest is also exported again and checked against the DCAT-AP 3.0.1 and
DCAT-AP-SE 3.0.1 shapes: zero violations in all 44 exports, a source's publisher and
publisher type stated as an administrator would (``corpus_figures.PUBLISHER_OPTIONS``),
and an organisation's type where a source-wide one cannot say it
(``corpus_figures.ORGANISATION_TYPES``, ``insyn organisations type``). The DCAT and
schema.org files are re-harvested too; ``corpus_figures`` measures that and makes the
README's tables.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import RunSummary, harvest_source
from insyn.vocab.namespaces import DCATAP
from insyn.vocab.profiles import iso19139_read
from tests.connectors import corpus_figures
from tests.connectors.ckan_portal import FakeCkan
from tests.support.http import LocalServer, Reply

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
MANIFEST: dict[str, dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text())
FAST = {"backoff": "0.01", "retries": "1", "read_timeout": "5"}

# Every DCAT and schema.org file but the one whose RDF/XML tree is broken: harvested with
# as many records as the independent count, exported conforming, re-harvested unchanged.
DCAT_FILES = tuple(
    name
    for name, entry in MANIFEST.items()
    if entry["kind"] in ("dcat", "schemaorg")
    and (entry["records"] is not None or "without_lines" in entry)
)
CKAN_OK = (
    "ckan/amsterdam-dcatd_demo-ckan_package_search.json",
    "ckan/amsterdam-dcatd_demo-ckan_package_show_17be64bb.json",
    "ckan/amsterdam-dcatd_demo-ckan_package_show_62513382.json",
    "ckan/ckanext-dcat_catalog_datasets_list.json",
    "ckan/ckanext-dcat_ckan_dataset_multilingual.json",
    "ckan/ckanext-dcat_ckan_dcat_ap_dataset_series.json",
    "ckan/ckanext-dcat_full_ckan_dataset_legacy.json",
    "ckan/ckanext-dcat_health_dcat_ap.json",
)
ISO_OK = (
    "iso19139/pycsw_auscope-iso19139-geoprovinces.xml",
    "iso19139/pycsw_csw_GetRecords-all.xml",
    "iso19139/pycsw_iso_19115-2_Sentinel-2-scene.xml",
    "iso19139/pycsw_maracoos_AVHRR.2011.7Agg.xml",
    "iso19139/semic-iso2dcat_basic_dataset.xml",
    "iso19139/semic-iso2dcat_hvd_dataset_multilingual.xml",
    "iso19139/semic-iso2dcat_multilingual-metadata.xml",
    "iso19139/semic-iso2dcat_network-service.xml",
)
OAI_OK = (
    "oaipmh/pyoai_dspace-eur_ListRecords_2003.xml",
    "oaipmh/pyoai_dspace-eur_ListRecords_2004.xml",
)
# RDF/XML whose tree is broken upstream: what a parser reads after it is not to be trusted,
# so the run fails, naming the place, and adds nothing.
BROKEN = ("dcat/dcat-ap-es_E1_Catalog_Dataset-DataService-HVD.rdf",)


def expected(name: str) -> int:
    records = MANIFEST[name]["records"]
    assert isinstance(records, int)
    return records


def harvest_file(catalogue: Catalogue, kind: str, url: str, **options: str) -> RunSummary:
    catalogue.add_source("korpus", kind, url, {**FAST, **options})
    return harvest_source(catalogue, "korpus")


def test_manifest_is_what_count_py_writes(tmp_path: Path) -> None:
    script = CORPUS / "count.py"
    completed = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(completed.stdout) == MANIFEST


def test_every_corpus_file_is_in_the_manifest_and_sources() -> None:
    files = {
        f"{path.parent.name}/{path.name}"
        for path in CORPUS.glob("*/*")
        if path.is_file() and path.parent.name != "__pycache__"
    }
    assert files == set(MANIFEST)
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in sources for name in files)


def dcat_expected(name: str) -> int:
    """The independent count; for a file rdflib cannot read whole, its count without the
    lines it names (Insyn skips those statements and says so)."""
    entry = MANIFEST[name]
    return entry["records"] if entry["records"] is not None else entry["without_lines"]["records"]


@pytest.mark.parametrize("name", DCAT_FILES)
def test_dcat_file(sqlite_catalogue: Catalogue, tmp_path: Path, name: str) -> None:
    corpus_figures.add_owner(sqlite_catalogue, tmp_path)
    # The publisher and its type as an administrator states them for the source, where the
    # file leaves them out (SOURCES.md, "Publishers stated for the harvest").
    options = corpus_figures.PUBLISHER_OPTIONS.get(name, {})
    summary = harvest_file(sqlite_catalogue, "dcat", str(CORPUS / name), **options)
    assert summary.status == "completed", summary.error
    assert summary.failed == 0
    assert summary.added == dcat_expected(name)
    warnings = [error.reason for error in sqlite_catalogue.record_errors(summary.run_id)]
    skipped = [text for text in warnings if "kunde inte läsas och hoppades över" in text]
    bad_lines = MANIFEST[name].get("without_lines", {}).get("lines", [])
    # A skipped statement is reported with its line, and only where rdflib fails too.
    assert len(skipped) == len(bad_lines)
    assert all(f"line {line}" in text for text, line in zip(skipped, bad_lines, strict=True))

    # What the model has no field for is counted per property in one warning of the run.
    unheld = [text for text in warnings if text.startswith("Egenskaper som modellen inte har")]
    extras = {
        key
        for row in sqlite_catalogue.iter_records(public_only=False)
        for key in row.data["extras"]
    }
    assert len(unheld) == (1 if extras else 0)
    figures = corpus_figures.measure(sqlite_catalogue, CORPUS / name)
    # Every record the source describes as open (or says nothing of) is in the public export.
    assert figures.open_in_source <= figures.exported
    assert figures.exported_count == summary.added
    # The export conforms to both shape sets: what the source leaves out is stated by the
    # administrator or, for a title or description nobody gave, said to be missing.
    assert figures.violations == []
    assert figures.placeholders == corpus_figures.EXPECTED[name]["placeholders"]
    assert figures.kept == corpus_figures.EXPECTED[name]["kept"]
    assert figures.lost == corpus_figures.EXPECTED[name]["lost"]

    again = harvest_source(sqlite_catalogue, "korpus", full=True)
    assert again.status == "completed", again.error
    assert (again.added, again.updated, again.deleted, again.failed) == (0, 0, 0, 0)
    assert again.unchanged == summary.added


@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_fails_the_run(sqlite_catalogue: Catalogue, name: str) -> None:
    summary = harvest_file(sqlite_catalogue, "dcat", str(CORPUS / name))
    assert summary.status == "failed"
    assert summary.error and "Källan är inte giltig RDF/XML" in summary.error
    assert summary.added == 0


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("iso19139/semic-iso2dcat_basic_dataset.xml", "ISO 19139-XML: använd --kind iso19139"),
        ("oaipmh/pyoai_dspace-eur_ListRecords_2003.xml", "OAI-PMH-svar: använd --kind oaipmh"),
    ],
)
def test_a_file_that_is_no_rdf_fails_naming_what_it_is(
    sqlite_catalogue: Catalogue, name: str, kind: str
) -> None:
    summary = harvest_file(sqlite_catalogue, "dcat", str(CORPUS / name))
    assert summary.status == "failed"
    assert kind in (summary.error or "")
    assert summary.added == 0


def test_readme_table_is_current() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert corpus_figures.readme_table() in readme
    assert corpus_figures.other_kinds_table() in readme


def portal_packages(name: str) -> list[dict[str, Any]]:
    """The file's packages, with what CKAN itself adds to each (id, dates, state) where the
    recording left it out: the fake portal sorts and filters on those."""
    document = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    if isinstance(document, dict) and "result" in document:
        result = document["result"]
        packages = result.get("results", [result])
    else:
        packages = document if isinstance(document, list) else [document]
    for number, package in enumerate(packages, start=1):
        package.setdefault("id", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{number}")))
        package.setdefault("metadata_created", f"2024-05-0{number}T08:00:00.000000")
        package.setdefault("metadata_modified", f"2024-05-0{number}T09:30:00.000000")
        package.setdefault("state", "active")
        package.setdefault("private", False)
        package.setdefault("type", "dataset")
    return packages


def assert_export(catalogue: Catalogue, name: str) -> None:
    """The export of an ISO 19139, CKAN or OAI-PMH file breaks no rule of either shape
    set, its source's publisher options and its organisations' types stated as an
    administrator would (``corpus_figures.PUBLISHER_OPTIONS``, ``ORGANISATION_TYPES``)."""
    corpus_figures.state_organisation_types(catalogue, name)
    assert corpus_figures.export_gaps(catalogue) == []


@pytest.mark.parametrize("name", CKAN_OK)
def test_ckan_file(
    http_server: LocalServer, sqlite_catalogue: Catalogue, tmp_path: Path, name: str
) -> None:
    corpus_figures.add_owner(sqlite_catalogue, tmp_path)
    portal = FakeCkan(http_server, portal_packages(name))
    options = corpus_figures.PUBLISHER_OPTIONS.get(name, {})
    summary = harvest_file(sqlite_catalogue, "ckan", portal.url, **options)
    assert summary.status == "completed", summary.error
    assert summary.added == expected(name)
    assert_export(sqlite_catalogue, name)


@pytest.mark.parametrize("name", ISO_OK)
def test_iso19139_file(name: str) -> None:
    root = etree.parse(str(CORPUS / name), etree.XMLParser(resolve_entities=False)).getroot()
    elements = root.iter(
        "{http://www.isotc211.org/2005/gmd}MD_Metadata",
        "{http://www.isotc211.org/2005/gmi}MI_Metadata",
    )
    mapped = [iso19139_read.map_record(element) for element in elements]
    unreadable = [m for m in mapped if isinstance(m, iso19139_read.Unreadable)]
    assert not unreadable
    assert len(mapped) == expected(name)


@pytest.mark.parametrize("name", ISO_OK)
def test_iso19139_file_harvested_and_exported(
    sqlite_catalogue: Catalogue, tmp_path: Path, name: str
) -> None:
    corpus_figures.add_owner(sqlite_catalogue, tmp_path)
    options = corpus_figures.PUBLISHER_OPTIONS.get(name, {})
    summary = harvest_file(sqlite_catalogue, "iso19139", str(CORPUS / name), **options)
    assert summary.status == "completed", summary.error
    assert summary.added == expected(name)
    assert_export(sqlite_catalogue, name)


@pytest.mark.parametrize("name", OAI_OK)
def test_oaipmh_file(
    http_server: LocalServer, sqlite_catalogue: Catalogue, tmp_path: Path, name: str
) -> None:
    corpus_figures.add_owner(sqlite_catalogue, tmp_path)
    body = (CORPUS / name).read_bytes()
    http_server.route("/oai", Reply(200, body, {"Content-Type": "text/xml; charset=utf-8"}))
    options = corpus_figures.PUBLISHER_OPTIONS.get(name, {})
    summary = harvest_file(sqlite_catalogue, "oaipmh", http_server.url("/oai"), **options)
    assert summary.status == "completed", summary.error
    assert summary.added == expected(name)
    assert_export(sqlite_catalogue, name)


def test_ckan_series_hvd_regulation_and_corporate_body_type_are_reported(
    http_server: LocalServer, sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    name = "ckan/ckanext-dcat_ckan_dcat_ap_dataset_series.json"
    corpus_figures.add_owner(sqlite_catalogue, tmp_path)
    portal = FakeCkan(http_server, portal_packages(name))
    summary = harvest_file(sqlite_catalogue, "ckan", portal.url)
    warnings = [error.reason for error in sqlite_catalogue.record_errors(summary.run_id)]
    hvd = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
    assert any("dcatap:hvdCategory" in text and hvd in text for text in warnings)
    assert any("CB_INT" in text and "'Test Publisher'" in text for text in warnings)
    # The catalogue keeps both as the source gave them ...
    [row] = [
        r for r in sqlite_catalogue.iter_records(public_only=False) if r.title.startswith("Test")
    ]
    assert hvd in row.data["applicable_legislation"]
    assert row.data["publisher"]["type"].endswith("corporate-body-classification/CB_INT")
    # ... the export leaves the regulation out until a category is given.
    exported = corpus_figures.public_catalogue_graph(
        sqlite_catalogue, corpus_figures.BASE + "/catalog", corpus_figures.BASE
    )
    legislation = {str(o) for o in exported.objects(None, DCATAP.applicableLegislation)}
    assert legislation == {hvd + "_alt"}
