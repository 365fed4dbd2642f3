"""Model → DCAT-AP-SE RDF (the write half; ``dcat_read`` is the other).

Writes only standard DCAT-AP-SE properties: the governance extension stays inside
the catalogue. Callers pass only what may be published; ``public_records`` in the
catalogue and ``search.feeds`` make sure non-public records never get here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import GEO
from rdflib.term import Node

from insyn.vocab import source_defaults
from insyn.vocab.model import (
    Agent,
    Catalog,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    LangText,
    PeriodOfTime,
    Record,
)
from insyn.vocab.namespaces import (
    ADMS,
    DCAT,
    DCATAP,
    DCTERMS,
    FOAF,
    LOCN,
    RDF,
    SKOS,
    SPDX,
    VCARD,
    XSD,
)

ORG_UNIT_OF = URIRef("http://www.w3.org/ns/org#unitOf")

# DCAT-AP requires a title of every dataset and data service and a description of every
# dataset. Where the source gives none in any language, the export says so in words
# rather than leave the record out or make one up; the record itself stays without it,
# the run has warned of it and the quality score counts it as missing.
MISSING_TITLE = {"sv": "Titel saknas i källan.", "en": "No title in the source."}
MISSING_DESCRIPTION = {
    "sv": "Beskrivning saknas i källan.",
    "en": "No description in the source.",
}


def _wkt_positions(coordinates: Any, depth: int) -> str:
    if depth == 0:
        return " ".join(str(number) for number in coordinates[:2])
    return ",".join(
        "(" + _wkt_positions(part, depth - 1) + ")" if depth > 1 else _wkt_positions(part, 0)
        for part in coordinates
    )


_GEOJSON_DEPTHS = {"Point": 0, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}


def wkt(text: str) -> str | None:
    """A geometry as WKT, which DCAT-AP-SE wants: WKT as it is, a GeoJSON point, line or
    (multi)polygon converted; None for what cannot be (GML; it stays in the catalogue)."""
    stripped = text.strip()
    if not stripped.startswith(("{", "<")):
        return stripped
    if stripped.startswith("<"):
        return None
    try:
        shape = json.loads(stripped)
        depth = _GEOJSON_DEPTHS[shape["type"]]
        body = _wkt_positions(shape["coordinates"], depth)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return f"{shape['type'].upper()}({body})"


PREFIXES = {
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "vcard": VCARD,
    "adms": ADMS,
    "dcatap": DCATAP,
    "spdx": SPDX,
    "xsd": XSD,
}


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _is_iri(value: str | None) -> bool:
    return bool(value) and ("://" in value or value.startswith(("mailto:", "tel:", "urn:")))


def _node(uri: str | None) -> Node:
    return URIRef(uri) if uri and _is_iri(uri) else BNode()


def _temporal(value: date | datetime) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


class _Writer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.agents: dict[str, Node] = {}

    def add(self, subject: Node, predicate: URIRef, value: Node | None) -> None:
        if value is not None:
            self.graph.add((subject, predicate, value))

    def text(self, subject: Node, predicate: URIRef, value: LangText) -> None:
        for language, text in value.items():
            if text:
                self.add(subject, predicate, Literal(text, lang=language or None))

    def iris(self, subject: Node, predicate: URIRef, values: Iterable[str | None]) -> None:
        for value in values:
            if _is_iri(value):
                self.add(subject, predicate, URIRef(value))

    def date(self, subject: Node, predicate: URIRef, value: date | datetime | None) -> None:
        if value is not None:
            self.add(subject, predicate, _temporal(value))

    def agent(self, agent: Agent) -> Node:
        # One node per agent, but every sighting's statements on it: records may know
        # different things of the same publisher (one its parent, another not), and the
        # graph must not depend on which record came first.
        key = agent.uri or repr(sorted(agent.name.items()))
        node = self.agents.get(key)
        if node is None:
            node = self.agents[key] = _node(agent.uri)
        self.add(node, RDF.type, FOAF.Agent)
        self.text(node, FOAF.name, agent.name)
        if (node, FOAF.name, None) not in self.graph:
            self.text(node, FOAF.name, {"": agent.uri or "okänd"})
        if agent.identifier:
            self.add(node, DCTERMS.identifier, Literal(agent.identifier))
        # An EU corporate-body classification that names an ADMS type is written as it.
        self.iris(node, DCTERMS.type, [source_defaults.adms_type(agent.type) or agent.type])
        self.iris(node, FOAF.homepage, [agent.homepage])
        if agent.email:
            self.add(node, FOAF.mbox, URIRef("mailto:" + agent.email.removeprefix("mailto:")))
        self.iris(node, ORG_UNIT_OF, [agent.parent])
        return node

    def contact(self, contact: ContactPoint) -> Node:
        # A contact point named by its mailto: IRI is a vcard:Kind with that address.
        node = (
            BNode() if (contact.uri or "").startswith(("mailto:", "tel:")) else _node(contact.uri)
        )
        kind = VCARD.Individual if contact.kind == "Individual" else VCARD.Organization
        self.add(node, RDF.type, kind)
        self.text(node, VCARD.fn, contact.name)
        if not any(contact.name.values()) and contact.email:
            # DCAT-AP-SE wants a name (vcard:fn); a contact known only by its e-mail address
            # is named by it, as a mail client shows such a contact.
            self.text(node, VCARD.fn, {"": contact.email})
        if contact.email:
            self.add(
                node, VCARD.hasEmail, URIRef("mailto:" + contact.email.removeprefix("mailto:"))
            )
        if contact.telephone:
            telephone = contact.telephone.replace(" ", "").removeprefix("tel:")
            # DCAT-AP-SE wants the number on a node of its own (vcard:hasValue).
            telephone_node = BNode()
            self.add(node, VCARD.hasTelephone, telephone_node)
            self.add(telephone_node, VCARD.hasValue, URIRef("tel:" + telephone))
        self.iris(node, VCARD.hasURL, [contact.url])
        if contact.street_address or contact.locality:
            address = BNode()
            self.add(node, VCARD.hasAddress, address)
            self.add(address, RDF.type, VCARD.Address)
            for predicate, value in (
                (VCARD["street-address"], contact.street_address),
                (VCARD["postal-code"], contact.postal_code),
                (VCARD.locality, contact.locality),
                (VCARD["country-name"], contact.country),
            ):
                if value:
                    self.add(address, predicate, Literal(value))
        return node

    def location(self, predicate: URIRef, value: Literal) -> Node:
        node = BNode()
        self.add(node, RDF.type, DCTERMS.Location)
        self.add(node, predicate, value)
        return node

    def period(self, period: PeriodOfTime) -> Node:
        node = BNode()
        self.add(node, RDF.type, DCTERMS.PeriodOfTime)
        self.date(node, DCAT.startDate, period.start)
        self.date(node, DCAT.endDate, period.end)
        return node

    def record_common(self, node: Node, record: Record) -> None:
        self.text(
            node, DCTERMS.title, record.title if any(record.title.values()) else MISSING_TITLE
        )
        description = record.description
        if isinstance(record, Dataset) and not any(description.values()):
            description = MISSING_DESCRIPTION
        self.text(node, DCTERMS.description, description)
        if record.publisher is not None:
            self.add(node, DCTERMS.publisher, self.agent(record.publisher))
        # DCAT-AP-SE requires an e-mail address of every contact point: one without stays
        # in the catalogue (and on the record's page) but is not exported.
        for contact in record.contact_point:
            if contact.email:
                self.add(node, DCAT.contactPoint, self.contact(contact))
        for language, words in record.keyword.items():
            for word in words:
                self.add(node, DCAT.keyword, Literal(word, lang=language or None))
        self.iris(node, DCAT.theme, record.theme)
        self.date(node, DCTERMS.issued, record.issued)
        self.date(node, DCTERMS.modified, record.modified)
        self.iris(node, DCAT.landingPage, record.landing_page)
        self.iris(node, DCTERMS.accessRights, [record.governance.access_rights])

    def distribution(self, distribution: Distribution, landing_page: str | None) -> Node | None:
        """The distribution's node; None, and nothing written, for one that gives no address
        at all (DCAT-AP requires an access URL; the catalogue keeps it, the run warned)."""
        # A download URL is an access URL when nothing else is given; without either, DCAT-AP
        # says the landing page is duplicated as the access URL.
        access_url = distribution.access_url or distribution.download_url or landing_page
        if not _is_iri(access_url):
            return None
        node = _node(distribution.uri)
        self.add(node, RDF.type, DCAT.Distribution)
        self.text(node, DCTERMS.title, distribution.title)
        self.text(node, DCTERMS.description, distribution.description)
        self.iris(node, DCAT.accessURL, [access_url])
        self.iris(node, DCAT.downloadURL, [distribution.download_url])
        # A format the vocabularies did not recognise stays in the catalogue, but the
        # profile wants an IRI here, so only recognised (IRI) formats are written.
        self.iris(node, DCTERMS.format, [distribution.format])
        self.iris(node, DCAT.mediaType, [distribution.media_type])
        # An IRI only (DCAT-AP-SE): a licence known only in words stays in the catalogue.
        self.iris(node, DCTERMS.license, [distribution.license])
        self.iris(node, DCTERMS.accessRights, [distribution.access_rights])
        if distribution.byte_size is not None:
            self.add(
                node,
                DCAT.byteSize,
                Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger),
            )
        self.date(node, DCTERMS.issued, distribution.issued)
        self.date(node, DCTERMS.modified, distribution.modified)
        self.iris(node, DCTERMS.language, distribution.language)
        self.iris(node, DCTERMS.conformsTo, distribution.conforms_to)
        self.iris(node, DCATAP.availability, [distribution.availability])
        self.iris(node, ADMS.status, [distribution.status])
        self.iris(node, DCAT.accessService, distribution.access_service)
        self.iris(node, FOAF.page, distribution.page)
        if distribution.checksum:
            checksum = BNode()
            self.add(node, SPDX.checksum, checksum)
            self.add(checksum, RDF.type, SPDX.Checksum)
            self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha1)
            self.add(
                checksum, SPDX.checksumValue, Literal(distribution.checksum, datatype=XSD.hexBinary)
            )
        return node

    def dataset(self, node: Node, dataset: Dataset, members: Iterable[str] = ()) -> None:
        self.add(node, RDF.type, DCAT.Dataset)
        # DCAT-AP 3 knows a series by its members' dcat:inSeries (its shape wants one):
        # dcat:seriesMember is written as that, and a series nobody names a member of is
        # written as the dataset it also is.
        members = sorted({*dataset.series_member, *members})
        if dataset.is_series and members:
            self.add(node, RDF.type, DCAT.DatasetSeries)
            for member in members:
                if _is_iri(member):
                    self.add(URIRef(member), DCAT.inSeries, node)
        self.record_common(node, dataset)
        for identifier in dataset.identifier:
            self.add(node, DCTERMS.identifier, Literal(identifier))
        self.iris(node, DCTERMS.language, dataset.language)
        self.iris(node, DCTERMS.spatial, dataset.spatial)
        # A place named in words and a bounding box are each a dct:Location of their own:
        # DCAT-AP allows one dcat:bbox per Location.
        for name in dataset.spatial:
            if not _is_iri(name):
                self.add(node, DCTERMS.spatial, self.location(SKOS.prefLabel, Literal(name)))
        for predicate, shapes in (
            (DCAT.bbox, dataset.bbox),
            (DCAT.centroid, dataset.centroid),
            (LOCN.geometry, dataset.geometry),
        ):
            for shape in filter(None, map(wkt, shapes)):
                location = self.location(predicate, Literal(shape, datatype=GEO.wktLiteral))
                self.add(node, DCTERMS.spatial, location)
        for period in dataset.temporal:
            self.add(node, DCTERMS.temporal, self.period(period))
        self.iris(node, DCTERMS.accrualPeriodicity, [dataset.accrual_periodicity])
        self.iris(node, DCTERMS.conformsTo, dataset.conforms_to)
        # DCAT-AP-SE allows one creator; the others stay in the catalogue.
        for creator in dataset.creator[:1]:
            self.add(node, DCTERMS.creator, self.agent(creator))
        if dataset.version:
            self.add(node, DCAT.version, Literal(dataset.version))
        self.text(node, ADMS.versionNotes, dataset.version_notes)
        self.iris(node, DCAT.hasVersion, dataset.has_version)
        self.iris(node, DCAT.isVersionOf, dataset.is_version_of)
        if dataset.provenance:
            statement = BNode()
            self.add(node, DCTERMS.provenance, statement)
            self.add(statement, RDF.type, DCTERMS.ProvenanceStatement)
            self.text(statement, DCTERMS.description, dataset.provenance)
        self.iris(node, DCTERMS.source, dataset.source)
        self.iris(node, DCTERMS.relation, dataset.relation)
        self.iris(node, FOAF.page, dataset.page)
        self.iris(node, DCATAP.hvdCategory, dataset.hvd_category)
        self.iris(node, DCATAP.applicableLegislation, source_defaults.exported_legislation(dataset))
        self.iris(node, DCAT.inSeries, dataset.in_series)
        landing_page = next(filter(_is_iri, dataset.landing_page), None)
        for distribution in dataset.distributions:
            self.add(node, DCAT.distribution, self.distribution(distribution, landing_page))

    def service(self, node: Node, service: DataService) -> None:
        self.add(node, RDF.type, DCAT.DataService)
        self.record_common(node, service)
        self.iris(node, DCAT.endpointURL, service.endpoint_url)
        self.iris(node, DCAT.endpointDescription, service.endpoint_description)
        self.iris(node, DCAT.servesDataset, service.serves_dataset)
        self.iris(node, DCTERMS.conformsTo, service.conforms_to)
        self.iris(node, DCTERMS.license, [service.license])
        # DCAT-AP-SE allows one format on a data service; the others stay in the catalogue.
        self.iris(node, DCTERMS.format, [value for value in service.format if _is_iri(value)][:1])
        self.iris(node, DCATAP.hvdCategory, service.hvd_category)
        self.iris(node, DCATAP.applicableLegislation, source_defaults.exported_legislation(service))

    def catalog(self, catalog: Catalog) -> Node:
        node = _node(catalog.uri)
        self.add(node, RDF.type, DCAT.Catalog)
        self.text(node, DCTERMS.title, catalog.title)
        self.text(node, DCTERMS.description, catalog.description)
        if catalog.publisher is not None:
            self.add(node, DCTERMS.publisher, self.agent(catalog.publisher))
        self.iris(node, FOAF.homepage, [catalog.homepage])
        self.iris(node, DCTERMS.language, catalog.language)
        self.iris(node, DCTERMS.license, [catalog.license])
        self.date(node, DCTERMS.issued, catalog.issued)
        self.date(node, DCTERMS.modified, catalog.modified)
        self.iris(node, DCAT.themeTaxonomy, catalog.theme_taxonomy)
        self.iris(node, DCTERMS.spatial, catalog.spatial)
        return node


def record_node(record: Record, fallback_uri: str) -> URIRef:
    """The IRI a record is published under: its own, else Insyn's dereferenceable one."""
    return URIRef(record.uri if _is_iri(record.uri) else fallback_uri)


def write_catalogue(
    graph: Graph,
    catalog: Catalog | None,
    records: Iterable[tuple[Record, str]],
) -> Graph:
    """Add a catalogue and its records to ``graph``.

    ``records`` pairs each record with the IRI to use when it has none of its own.
    Only datasets and data services are written; cases and documents are not DCAT.
    """
    writer = _Writer(graph)
    catalog_node = writer.catalog(catalog) if catalog is not None else None
    records = list(records)
    members: dict[str, list[str]] = {}
    for record, fallback_uri in records:
        if isinstance(record, Dataset):
            for series in record.in_series:
                members.setdefault(series, []).append(str(record_node(record, fallback_uri)))
    for record, fallback_uri in records:
        node = record_node(record, fallback_uri)
        if isinstance(record, Dataset):
            writer.dataset(node, record, members.get(str(node), ()))
            link = DCAT.dataset
        elif isinstance(record, DataService):
            writer.service(node, record)
            link = DCAT.service
        else:
            continue
        if catalog_node is not None:
            writer.add(catalog_node, link, node)
    return graph
