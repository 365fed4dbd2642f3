"""What a corpus file keeps on its way through Insyn: read independently with rdflib, then
compared with the public export (tests/connectors/test_corpus.py uses it; the README's
"Real-world corpus" table is ``readme_table()``).

``corpus_roundtrip.json`` states, per DCAT and schema.org file, the record properties that
survive a harvest and an export (``kept``) and those that do not (``lost``: values the
model holds only as the record's other values, or has no field for), and how many records
are in the public export. The test measures them again and compares.

    .venv/bin/python -m tests.connectors.corpus_figures   # prints the measured figures
    .venv/bin/python -m tests.connectors.corpus_figures --readme   # the README's tables
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from insyn.catalogue import organisations
from insyn.catalogue.export import public_catalogue_graph
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.vocab import shacl
from insyn.vocab.model import Agent
from insyn.vocab.profiles import dcat_write
from tests.support import catalogues

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
ROUNDTRIP = Path(__file__).resolve().parent / "corpus_roundtrip.json"
BASE = "https://data.example.se"

_spec = importlib.util.spec_from_file_location("corpus_count", CORPUS / "count.py")
assert _spec and _spec.loader
count = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(count)

MANIFEST: dict[str, dict[str, Any]] = json.loads((CORPUS / "manifest.json").read_text())
EXPECTED: dict[str, dict[str, Any]] = (
    json.loads(ROUNDTRIP.read_text(encoding="utf-8")) if ROUNDTRIP.exists() else {}
)

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SCHEMA = "http://schema.org/"
OPEN_ACCESS = {
    "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "https://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
    "https://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
}
# A schema.org property and the DCAT property the export says the same thing with.
SCHEMA_AS_DCAT = {
    "name": DCT.title,
    "description": DCT.description,
    "keywords": DCAT.keyword,
    "url": DCAT.landingPage,
    "identifier": DCT.identifier,
    "creator": DCT.creator,
    "publisher": DCT.publisher,
    "provider": DCT.publisher,
    "distribution": DCAT.distribution,
    "temporalCoverage": DCT.temporal,
    "spatialCoverage": DCT.spatial,
    "datePublished": DCT.issued,
    "dateModified": DCT.modified,
    "version": DCAT.version,
    "sameAs": DCT.relation,
    "inLanguage": DCT.language,
    "isAccessibleForFree": DCT.accessRights,
}
DISTRIBUTION_LEVEL = {DCT.license, URIRef("http://data.europa.eu/r5r/availability")}
# DCAT-AP 1.x/2.x and ADMS properties and their DCAT-AP 3 names.
OLD_AS_NEW = {
    URIRef("http://www.w3.org/2002/07/owl#versionInfo"): DCAT.version,
    URIRef("http://www.w3.org/ns/adms#contactPoint"): DCAT.contactPoint,
    DCT.hasVersion: DCAT.hasVersion,
    DCT.isVersionOf: DCAT.isVersionOf,
}


LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
MUNICIPALITY = Agent(
    uri=BASE + "/org/kommunen", name={"sv": "Exempelkommunen"}, type=LOCAL_AUTHORITY
)
UNIT = Agent(
    uri=BASE + "/org/it",
    name={"sv": "IT-enheten"},
    type=LOCAL_AUTHORITY,
    parent=MUNICIPALITY.uri,
)


# DCAT-AP-SE requires a catalogue to list a dataset: an installation has the municipality's
# own, which the figures leave out (a file of data services only, or of nothing, adds none).
OWN = "https://data.exempel.se/"

# What an administrator would state for each source (``--option``), from the facts in
# tests/data/corpus/SOURCES.md ("Publishers stated for the harvest"): the publisher of
# records that name none is the organisation that makes the file available, and
# ``publisher_type`` and ``creator_type`` the ADMS type of the publishers and creators the
# file names without one.
_CKAN = {"publisher": "https://github.com/ckan", "publisher_name": "CKAN"}
_SEMIC = {
    "publisher": "https://github.com/SEMICeu",
    "publisher_name": "SEMIC (Europeiska kommissionen)",
}
_ESIP = {
    "publisher": "https://github.com/ESIPFed",
    "publisher_name": "ESIP (Earth Science Information Partners)",
}
_EUR = {
    "publisher": "https://www.eur.nl",
    "publisher_name": "Erasmus Universiteit Rotterdam",
    "publisher_type": "Academia-ScientificOrganisation",
}
PUBLISHER_OPTIONS: dict[str, dict[str, str]] = {
    "dcat/ckanext-dcat_catalog_pod.jsonld": {"publisher_type": "NationalAuthority"},
    "dcat/ckanext-dcat_catalog_with_at_graph.jsonld": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "dcat/ckanext-dcat_dataset_afs.ttl": {"publisher_type": "NationalAuthority"},
    "dcat/ckanext-dcat_dataset_deri.ttl": {**_CKAN, "publisher_type": "NonProfitOrganisation"},
    "dcat/ckanext-dcat_dataset_gob_es.ttl": {"publisher_type": "LocalAuthority"},
    "dcat/ckanext-dcat_dataset_gov_de.rdf": {
        "publisher_type": "LocalAuthority",
        "creator_type": "LocalAuthority",
    },
    "dcat/ckanext-dcat_dataset_health.ttl": {
        "publisher_type": "NationalAuthority",
        "creator_type": "NationalAuthority",
    },
    "dcat/ckanext-dcat_dataset_multilingual.ttl": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "dcat/dcat-ap-es_Catalog_NSIP.ttl": {"publisher_type": "NationalAuthority"},
    "dcat/dcat-ap-es_E10_Data_Service_CSW_HVD.rdf": {"publisher_type": "NationalAuthority"},
    "dcat/dcat-ap-es_full_optional.rdf": {"publisher_type": "NationalAuthority"},
    "dcat/dcat-ap-no_2.0-examples.ttl": {"publisher_type": "NationalAuthority"},
    "dcat/dcat-ap-no_dataset-series-example.ttl": {"publisher_type": "NationalAuthority"},
    "dcat/dcat-ap-no_test.ttl": {"publisher_type": "NationalAuthority"},
    "dcat/geodcat-ap_dataset.jsonld": {**_SEMIC, "publisher_type": "SupraNationalAuthority"},
    "dcat/geodcat-ap_dataset.ttl": {**_SEMIC, "publisher_type": "SupraNationalAuthority"},
    "dcat/semic-iso2dcat_multilingual-metadata_geodcat.ttl": {
        "publisher_type": "NationalAuthority"
    },
    "schemaorg/esip-soso_dataset_full.jsonld": {
        "publisher_type": "Academia-ScientificOrganisation"
    },
    "schemaorg/esip-soso_dataset_minimal.jsonld": {
        **_ESIP,
        "publisher_type": "NonProfitOrganisation",
    },
    "schemaorg/esip-soso_dataset_usgs-nwis.jsonld": {
        **_ESIP,
        "publisher_type": "NonProfitOrganisation",
    },
    "iso19139/pycsw_auscope-iso19139-geoprovinces.xml": {
        "publisher_type": "Academia-ScientificOrganisation"
    },
    "iso19139/pycsw_iso_19115-2_Sentinel-2-scene.xml": {
        "publisher": "https://github.com/geopython",
        "publisher_name": "pycsw (geopython, ett OSGeo-projekt)",
        "publisher_type": "NonProfitOrganisation",
    },
    "iso19139/pycsw_maracoos_AVHRR.2011.7Agg.xml": {
        "publisher_type": "Academia-ScientificOrganisation",
        "creator_type": "Academia-ScientificOrganisation",
    },
    "iso19139/semic-iso2dcat_multilingual-metadata.xml": {"publisher_type": "NationalAuthority"},
    "ckan/amsterdam-dcatd_demo-ckan_package_search.json": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "ckan/amsterdam-dcatd_demo-ckan_package_show_62513382.json": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "ckan/ckanext-dcat_catalog_datasets_list.json": {"publisher_type": "NonProfitOrganisation"},
    "ckan/amsterdam-dcatd_demo-ckan_package_show_17be64bb.json": {
        "publisher_type": "NonProfitOrganisation"
    },
    "ckan/ckanext-dcat_ckan_dataset_multilingual.json": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "ckan/ckanext-dcat_full_ckan_dataset_legacy.json": {
        **_CKAN,
        "publisher_type": "NonProfitOrganisation",
    },
    "ckan/ckanext-dcat_health_dcat_ap.json": {"creator_type": "NationalAuthority"},
    "oaipmh/pyoai_dspace-eur_ListRecords_2003.xml": {
        **_EUR,
        "creator_type": "PrivateIndividual(s)",
    },
    "oaipmh/pyoai_dspace-eur_ListRecords_2004.xml": {
        **_EUR,
        "creator_type": "PrivateIndividual(s)",
    },
}


# What an administrator would state once per organisation (``insyn organisations type``)
# where a source names its publishers without an ADMS type and a source-wide
# ``publisher_type`` cannot say it (SOURCES.md, "Organisations typed by the
# administrator"): the organisation's name as the catalogue holds it, and its type.
_SEMIC_PLACEHOLDER = {
    # SEMIC's test records name the fictional "MyOrganisation" of "MyCountry"; its kind is
    # unknowable. The test's administrator states the most plausible: an INSPIRE record of
    # a country's land use or network service comes from a national authority.
    "MyOrganisation": "NationalAuthority",
}
ORGANISATION_TYPES: dict[str, dict[str, str]] = {
    "iso19139/pycsw_csw_GetRecords-all.xml": {
        "NTUA": "Academia-ScientificOrganisation",  # National Technical University of Athens
        "YPAAT": "NationalAuthority",  # Greek Ministry of Rural Development and Food
    },
    "iso19139/semic-iso2dcat_basic_dataset.xml": _SEMIC_PLACEHOLDER,
    "iso19139/semic-iso2dcat_hvd_dataset_multilingual.xml": _SEMIC_PLACEHOLDER,
    "iso19139/semic-iso2dcat_network-service.xml": _SEMIC_PLACEHOLDER,
    # ckanext-dcat's example publisher, typed "international organisation" (CB_INT) by the
    # source, which names no one ADMS type; the CKAN examples' publishers are stated as
    # the CKAN project's own kind (an international non-profit fits CB_INT too).
    "ckan/ckanext-dcat_ckan_dcat_ap_dataset_series.json": {
        "Test Publisher": "NonProfitOrganisation"
    },
}


def state_organisation_types(catalogue: Catalogue, name: str) -> None:
    """State, as the administrator, the types in ``ORGANISATION_TYPES`` for the file."""
    for organisation, kind in ORGANISATION_TYPES.get(name, {}).items():
        organisations.state_type(catalogue, organisation, kind)


def export_gaps(catalogue: Catalogue) -> list[str]:
    """The paths of the DCAT-AP-SE 3.0.1 and DCAT-AP 3.0.1 violations of the public export,
    sorted (the focus nodes of a harvested CKAN portal or CSW depend on the test's port)."""
    exported = public_catalogue_graph(catalogue, BASE + "/catalog", BASE)
    return sorted(result.path_text() for result in shacl.validate(exported).violations)


def add_owner(catalogue: Catalogue, directory: Path) -> None:
    """The municipality whose catalogue it is, as in a real installation: the export's
    catalogue publisher, with a dataset of its own (the corpus files' publishers are
    others); ``directory`` holds the file of that dataset."""
    with catalogue.session() as session:
        catalogue.upsert_organisation(session, MUNICIPALITY)
        catalogue.upsert_organisation(session, UNIT)
        session.commit()
    own = catalogues.write_catalogue(directory / "kommunen.ttl", [1])
    catalogue.add_source("kommunen", "dcat", str(own))
    summary = harvest_source(catalogue, "kommunen")
    assert summary.added == 1, summary.error


@dataclass
class Figures:
    open_in_source: set[str] = field(default_factory=set)
    exported: set[str] = field(default_factory=set)
    exported_count: int = 0
    violations: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    # Titles and descriptions the export says are missing in the source.
    placeholders: int = 0


def source_graph(path: Path) -> Graph:
    """The file as rdflib reads it (without the lines it cannot read, if any)."""
    try:
        return count.rdf_graph(path)
    except Exception:
        found = count.graph_without_bad_lines(path)
        assert found is not None, f"{path.name}: rdflib cannot read it"
        return found[0]


def _name(graph: Graph, predicate: Node) -> str:
    text = str(predicate)
    for https in ("https://schema.org/",):
        text = text.replace(https, SCHEMA)
    try:
        return graph.namespace_manager.normalizeUri(URIRef(text))
    except Exception:
        return text


def _records(graph: Graph) -> set[Node]:
    return {s for cls in count.RECORD_CLASSES for s in graph.subjects(RDF.type, cls)}


def _is_open(graph: Graph, record: Node) -> bool:
    rights = {str(o) for o in graph.objects(record, DCT.accessRights) if not isinstance(o, BNode)}
    free = {str(o).lower() for o in graph.objects(record, URIRef(SCHEMA + "isAccessibleForFree"))}
    if free:
        return "true" in free
    rights |= {
        str(label)
        for node in graph.objects(record, DCT.accessRights)
        if isinstance(node, BNode)
        for label in graph.objects(node, DCT.type)
    }
    return not rights or bool(rights & OPEN_ACCESS)


def measure(catalogue: Catalogue, path: Path) -> Figures:
    """Figures of a file already harvested into ``catalogue``."""
    source = source_graph(path)
    exported = public_catalogue_graph(catalogue, BASE + "/catalog", BASE)
    records = _records(source)
    out = {
        s
        for kind in (DCAT.Dataset, DCAT.DataService)
        for s in exported.subjects(RDF.type, kind)
        if not str(s).startswith(OWN)
    }
    figures = Figures(
        # A relative @id is resolved by rdflib against the working directory, by Insyn not
        # at all (the record gets Insyn's IRI): only the source's own IRIs are compared.
        open_in_source={
            str(r)
            for r in records
            if isinstance(r, URIRef) and not str(r).startswith("file:") and _is_open(source, r)
        },
        exported={str(r) for r in out},
        exported_count=len(out),
        # A record without an IRI of its own is published under Insyn's, a new id per run.
        violations=[
            re.sub(
                rf"{BASE}/datasets/\w+",
                "<Insyns adress>",
                f"{result.shape_source}: {result.subject} {result.path_text()}: {result.message}",
            )
            for result in shacl.validate(exported).violations
        ],
    )
    missing = {
        *dcat_write.MISSING_TITLE.values(),
        *dcat_write.MISSING_DESCRIPTION.values(),
    }
    figures.placeholders = sum(
        1
        for r in out
        for p in (DCT.title, DCT.description)
        for o in exported.objects(r, p)
        if str(o) in missing and getattr(o, "language", None) == "sv"
    )
    said = {p for r in records for p in source.predicates(r)} - {RDF.type}
    written = {p for r in out for p in exported.predicates(r)}
    # A licence or planned availability given on a dataset is its distributions' in DCAT-AP 3.
    written |= {
        p
        for r in out
        for d in exported.objects(r, DCAT.distribution)
        for p in exported.predicates(d)
        if p in DISTRIBUTION_LEVEL
    }
    kept, lost = set(), set()
    for predicate in said:
        text = str(predicate).replace("https://schema.org/", SCHEMA)
        same = SCHEMA_AS_DCAT.get(text.removeprefix(SCHEMA)) if text.startswith(SCHEMA) else None
        target = same or OLD_AS_NEW.get(predicate, predicate)
        (kept if target in written else lost).add(_name(source, predicate))
    figures.kept, figures.lost = sorted(kept), sorted(lost)
    return figures


def readme_table() -> str:
    """The README's table, from the manifest and ``corpus_roundtrip.json``."""
    rows = [
        "| file | records (rdflib) | added | in public export | properties kept "
        "| properties not exported | stated for the source | said to be missing "
        "| SHACL violations | re-harvest |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, expected in EXPECTED.items():
        entry = MANIFEST[name]
        independent = entry["records"]
        if independent is None:
            rest = entry["without_lines"]
            independent = f"{rest['records']} (without line {', '.join(map(str, rest['lines']))})"
        lost = ", ".join(f"`{p}`" for p in expected["lost"]) or "–"
        stated = (
            ", ".join(
                f"`{key}`"
                for key in ("publisher", "publisher_type", "creator_type")
                if key in expected["options"]
            )
            or "–"
        )
        rows.append(
            f"| `{name}` | {independent} | {expected['exported']} | {expected['exported']} "
            f"| {len(expected['kept'])} | {lost} | {stated} | {expected['placeholders']} "
            f"| {expected['violations']} | unchanged |"
        )
    return "\n".join(rows) + "\n"


def other_kinds_table() -> str:
    """The README's table of the ISO 19139, CKAN and OAI-PMH files: what is stated for
    each, from ``PUBLISHER_OPTIONS`` and ``ORGANISATION_TYPES``; test_corpus.py asserts
    that the run adds the independent count and that the export has no violation."""
    rows = [
        "| file | records (lxml / JSON) | added | stated for the source "
        "| organisations typed by the administrator | SHACL violations |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in MANIFEST.items():
        if entry["kind"] not in ("iso19139", "ckan", "oaipmh"):
            continue
        options = PUBLISHER_OPTIONS.get(name, {})
        stated = (
            ", ".join(
                f"`{key}`"
                for key in ("publisher", "publisher_type", "creator_type")
                if key in options
            )
            or "–"
        )
        typed = (
            ", ".join(
                f"{organisation}: `{kind}`"
                for organisation, kind in ORGANISATION_TYPES.get(name, {}).items()
            )
            or "–"
        )
        records = entry["records"]
        rows.append(f"| `{name}` | {records} | {records} | {stated} | {typed} | 0 |")
    return "\n".join(rows) + "\n"


def _measure_all() -> dict[str, dict[str, Any]]:
    result = {}
    for name, entry in MANIFEST.items():
        if entry["kind"] not in ("dcat", "schemaorg"):
            continue
        if entry["records"] is None and "without_lines" not in entry:
            continue
        with tempfile.TemporaryDirectory() as directory:
            catalogue = Catalogue(f"sqlite:///{directory}/c.sqlite3")
            add_owner(catalogue, Path(directory))
            catalogue.add_source("korpus", "dcat", str(CORPUS / name), PUBLISHER_OPTIONS.get(name))
            harvest_source(catalogue, "korpus")
            figures = measure(catalogue, CORPUS / name)
            catalogue.close()
        result[name] = {
            "exported": figures.exported_count,
            "kept": figures.kept,
            "lost": figures.lost,
            "violations": len(figures.violations),
            "placeholders": figures.placeholders,
            "options": PUBLISHER_OPTIONS.get(name, {}),
        }
    return result


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        print(readme_table())
        print(other_kinds_table(), end="")
    else:
        json.dump(_measure_all(), sys.stdout, indent=2, ensure_ascii=False)
        print()
