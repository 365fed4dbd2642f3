"""The OAI-DC profile keeps dc:relation, dc:source and dc:coverage, and the export carries them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from insyn.vocab import shacl
from insyn.vocab.model import Agent
from insyn.vocab.namespaces import DCTERMS
from insyn.vocab.profiles.dcat_write import new_graph, write_catalogue
from insyn.vocab.profiles.oai_dc_read import map_oai_dc

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus" / "oaipmh"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
RECORD = f"""<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC}">
  <dc:title xml:lang="sv">Bygglovsarkiv</dc:title>
  <dc:description xml:lang="sv">Beviljade bygglov.</dc:description>
  <dc:identifier>https://earkiv.exempelby.se/arkiv/bygglov</dc:identifier>
  <dc:relation>https://earkiv.exempelby.se/arkiv/bygglov-1990</dc:relation>
  <dc:relation>doi:10.5281/zenodo.1234</dc:relation>
  <dc:relation>Del av kommunens arkiv</dc:relation>
  <dc:source>https://earkiv.exempelby.se/arkiv/ritningar</dc:source>
  <dc:source>Pappersarkivet</dc:source>
  <dc:coverage>Exempelby tätort</dc:coverage>
  <dc:coverage>https://sws.geonames.org/2673730/</dc:coverage>
  <dc:coverage>2015/2019</dc:coverage>
</oai_dc:dc>"""


def mapped_record():
    dataset, warnings = map_oai_dc(
        etree.fromstring(RECORD.encode()), identifier="oai:earkiv.exempelby.se:bygglov", sets=[]
    )
    return dataset, warnings


def test_relation_source_and_coverage_are_kept() -> None:
    dataset, _ = mapped_record()
    assert dataset.relation == [
        "https://earkiv.exempelby.se/arkiv/bygglov-1990",
        "https://doi.org/10.5281/zenodo.1234",
    ]
    assert dataset.source == ["https://earkiv.exempelby.se/arkiv/ritningar"]
    # What names no IRI is kept where the record page shows it, never dropped.
    assert dataset.extras["dc:relation"] == ["Del av kommunens arkiv"]
    assert dataset.extras["dc:source"] == ["Pappersarkivet"]
    assert dataset.spatial == ["Exempelby tätort", "https://sws.geonames.org/2673730/"]
    assert [(p.start, p.end) for p in dataset.temporal] == [(date(2015, 1, 1), date(2019, 12, 31))]


def test_the_export_carries_them_and_conforms() -> None:
    dataset, _ = mapped_record()
    dataset.publisher = Agent(
        uri="https://exempelby.se",
        name={"sv": "Exempelby kommun"},
        type="http://purl.org/adms/publishertype/LocalAuthority",
    )
    graph = write_catalogue(new_graph(), None, [(dataset, "https://katalog.exempelby.se/x")])
    node = URIRef("https://katalog.exempelby.se/x")  # an oai: identifier is not published
    assert set(graph.objects(node, DCTERMS.relation)) == {
        URIRef("https://earkiv.exempelby.se/arkiv/bygglov-1990"),
        URIRef("https://doi.org/10.5281/zenodo.1234"),
    }
    assert set(graph.objects(node, DCTERMS.source)) == {
        URIRef("https://earkiv.exempelby.se/arkiv/ritningar")
    }
    places = set(graph.objects(node, DCTERMS.spatial))
    assert URIRef("https://sws.geonames.org/2673730/") in places
    named = [p for p in places if (p, RDF.type, DCTERMS.Location) in graph]
    assert [graph.value(p, SKOS.prefLabel) for p in named] == [Literal("Exempelby tätort")]
    assert len(list(graph.objects(node, DCTERMS.temporal))) == 1
    report = shacl.validate(graph)  # DCAT-AP 3.0.1 and DCAT-AP-SE 3.0.1
    assert report.violations == [], report.format_text()


def test_real_dspace_relations_are_texts_and_all_kept() -> None:
    """EUR's DSpace (pyoai's recording) writes series and months in dc:relation."""
    root = etree.parse(str(CORPUS / "pyoai_dspace-eur_ListRecords_2004.xml")).getroot()
    given = kept = 0
    for dc in root.iter(f"{{{OAI_DC}}}dc"):
        given += len(dc.findall(f"{{{DC}}}relation"))
        dataset, _ = map_oai_dc(dc, identifier="oai:x:1", sets=[])
        kept += len(dataset.relation) + len(dataset.extras.get("dc:relation", []))
        assert all(":" in iri and " " not in iri for iri in dataset.relation)
    assert given > 0 and kept == given
