"""schema.org ``Dataset``, ``DataCatalog`` and ``DataDownload`` (JSON-LD) → model.

What Google Dataset Search and science-on-schema.org publish: read as a DCAT dataset
would be (``dcat_read`` supplies the reader), with the schema.org names for the same
things. Both ``http://schema.org/`` and ``https://schema.org/`` are read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pyoxigraph as ox

from insyn.vocab import access_rights, vocabularies
from insyn.vocab.model import Agent, Catalog, Dataset, Distribution, PeriodOfTime
from insyn.vocab.profiles.dcat_read import (
    SCHEMA,
    SCHEMA_DATASETS,
    SCHEMA_HTTPS,
    Mapped,
    _check_mandatory,
    _licences,
    _media_type,
    _Reader,
    _report_unheld,
    parse_date,
)
from insyn.vocab.triples import RDF_TYPE, Term, TripleIndex, node_key

_GEO_SHAPES = ("box", "polygon", "line", "circle")


class _SchemaReader(_Reader):
    """A ``_Reader`` that takes a schema.org local name and reads it in both namespaces."""

    def all(self, name: str) -> list[Term]:
        return [*self.values(SCHEMA + name), *self.values(SCHEMA_HTTPS + name)]

    def names(self, name: str) -> tuple[str, str]:
        return SCHEMA + name, SCHEMA_HTTPS + name

    def words(self, name: str) -> list[str]:
        """Literal values and IRIs; a node's name, url or identifier."""
        result = []
        for value in self.all(name):
            if isinstance(value, ox.Literal):
                result.append(value.value.strip())
            elif isinstance(value, ox.NamedNode):
                result.append(value.value)
            else:
                inner = _SchemaReader(self.index, node_key(value), self.warnings)
                found = inner.words("url") or inner.words("value") or inner.words("name")
                result.extend(found[:1])
        return sorted({text for text in result if text})


def _agent(index: TripleIndex, node: Term, warnings: list[str]) -> Agent:
    if isinstance(node, ox.Literal):
        return Agent(name={"": node.value.strip()})
    reader = _SchemaReader(index, node_key(node), warnings)
    email = next(iter(reader.words("email")), None)
    homepage = next(iter(reader.words("url")), None)
    types = {term.value for term in index.properties(node_key(node)).get(RDF_TYPE, [])}
    return Agent(
        uri=None if isinstance(node, ox.BlankNode) else node.value,
        name=reader.text(*reader.names("name"), *reader.names("legalName")),
        type=vocabularies.PERSON_PUBLISHER_TYPE if types & vocabularies.PERSON_CLASSES else None,
        identifier=next(iter(reader.words("identifier")), None),
        homepage=homepage,
        email=email.removeprefix("mailto:") if email else None,
    )


def _agents(reader: _SchemaReader, name: str) -> list[Agent]:
    agents = []
    for value in reader.all(name):
        if isinstance(value, ox.BlankNode) and reader.index.objects(
            node_key(value), "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
        ):
            # A JSON-LD @list of creators: its members in order.
            agents.extend(
                _agent(reader.index, member, reader.warnings) for member in _list(reader, value)
            )
            continue
        agents.append(_agent(reader.index, value, reader.warnings))
    return sorted(agents, key=lambda agent: (agent.uri or "~", repr(sorted(agent.name.items()))))


def _list(reader: _Reader, node: Term) -> list[Term]:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    members: list[Term] = []
    seen: set[str] = set()
    while isinstance(node, ox.BlankNode) and node_key(node) not in seen:
        seen.add(node_key(node))
        members.extend(reader.index.objects(node_key(node), rdf + "first"))
        rest = reader.index.objects(node_key(node), rdf + "rest")
        node = rest[0] if rest else None  # type: ignore[assignment]
    return members


def _keywords(reader: _SchemaReader) -> dict[str, list[str]]:
    """schema:keywords as a list, or one comma-separated text; DefinedTerms by name."""
    result: dict[str, set[str]] = {}
    for value in reader.all("keywords"):
        if isinstance(value, ox.Literal):
            for word in value.value.split(","):
                if word.strip():
                    result.setdefault(value.language or "", set()).add(word.strip())
        elif isinstance(value, ox.BlankNode):
            inner = _SchemaReader(reader.index, node_key(value), reader.warnings)
            for language, name in inner.text(*inner.names("name")).items():
                result.setdefault(language, set()).add(name)
    return {language: sorted(words) for language, words in sorted(result.items())}


def _temporal(reader: _SchemaReader) -> list[PeriodOfTime]:
    """schema:temporalCoverage: an ISO 8601 interval ("2012/2016", "2012-01-01/..") or a date."""
    periods = []
    for text in reader.words("temporalCoverage"):
        start, _, end = text.partition("/")
        period = PeriodOfTime(
            start=parse_date(start) if start not in ("", "..") else None,
            end=parse_date(end) if end not in ("", "..") else None,
        )
        if period.start is None and period.end is None:
            reader.warnings.append(f"schema:temporalCoverage: '{text[:100]}' är ingen tidsperiod")
            reader.kept.setdefault(SCHEMA + "temporalCoverage", []).append(text)
            continue
        periods.append(period)
    return sorted(periods, key=lambda period: (str(period.start), str(period.end)))


def _box(text: str) -> str | None:
    """A schema:box ("south west north east", commas allowed) as a WKT polygon in CRS84."""
    try:
        south, west, north, east = (float(part) for part in text.replace(",", " ").split())
    except ValueError:
        return None
    return f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"


def _spatial(reader: _SchemaReader) -> tuple[list[str], list[str], list[str]]:
    """schema:spatialCoverage: place names or IRIs, boxes, and points as centroids."""
    places: set[str] = set()
    boxes: set[str] = set()
    points: set[str] = set()
    for value in reader.all("spatialCoverage"):
        if not isinstance(value, ox.BlankNode):
            places.add(value.value.strip())
            continue
        place = _SchemaReader(reader.index, node_key(value), reader.warnings)
        places.update(place.words("name"))
        for geo in place.all("geo"):
            shape = _SchemaReader(reader.index, node_key(geo), reader.warnings)
            for text in shape.words("box"):
                box = _box(text)
                if box is None:
                    reader.warnings.append(f"schema:box: '{text[:100]}' är ingen giltig ruta")
                    reader.kept.setdefault(SCHEMA + "box", []).append(text)
                else:
                    boxes.add(box)
            latitude, longitude = shape.words("latitude"), shape.words("longitude")
            if latitude and longitude:
                points.add(f"POINT({longitude[0]} {latitude[0]})")
            for name in _GEO_SHAPES[1:]:
                for text in shape.words(name):
                    reader.kept.setdefault(SCHEMA + name, []).append(text)
    return sorted(place for place in places if place), sorted(boxes), sorted(points)


def _distribution(reader: _SchemaReader, node: Term, licences: list[str]) -> Distribution:
    inner = _SchemaReader(reader.index, node_key(node), reader.warnings)
    given = inner.words("encodingFormat") or inner.words("fileFormat")
    formats = inner.controlled("file_types", SCHEMA + "encodingFormat") or given
    own_licences = _licences(inner, SCHEMA + "license") + _licences(inner, SCHEMA_HTTPS + "license")
    url = next(iter(inner.words("contentUrl")), None)
    distribution = Distribution(
        uri=None if isinstance(node, ox.BlankNode) else node.value,
        title=inner.text(*inner.names("name")),
        description=inner.joined(*inner.names("description")),
        access_url=url or next(iter(inner.words("url")), None),
        download_url=url,
        format=formats[0] if formats else None,
        media_type=_media_type(given[0]) if given else None,
        license=(own_licences or licences or [None])[0],
    )
    _report_unheld(inner, "Distributionen")
    return distribution


def read_dataset(index: TripleIndex, subject: str) -> Mapped:
    """Map one schema:Dataset subject to a ``Dataset``."""
    warnings: list[str] = []
    reader = _SchemaReader(index, subject, warnings)
    licences = _licences(reader, SCHEMA + "license") + _licences(reader, SCHEMA_HTTPS + "license")
    places, boxes, points = _spatial(reader)
    publishers = _agents(reader, "publisher") or _agents(reader, "provider")
    url = reader.words("url")
    identifiers = reader.words("identifier")
    free = reader.words("isAccessibleForFree")
    right = access_rights.resolve(
        [access_rights.PUBLIC if free[0].lower() == "true" else "restricted"] if free else []
    )
    reader.warnings.extend(right.warnings("schema:isAccessibleForFree"))
    dataset = Dataset(
        uri=None if subject.startswith("_:") else subject,
        title=reader.text(*reader.names("name")),
        description=reader.joined(*reader.names("description")),
        publisher=publishers[0] if publishers else None,
        creator=_agents(reader, "creator"),
        keyword=_keywords(reader),
        issued=_date(reader, "datePublished"),
        modified=_date(reader, "dateModified"),
        landing_page=url,
        identifier=identifiers,
        language=reader.words("inLanguage"),
        spatial=places,
        bbox=boxes,
        centroid=points,
        temporal=_temporal(reader),
        version=next(iter(reader.words("version")), None),
        relation=reader.words("sameAs"),
        distributions=[
            _distribution(reader, node, licences)
            for node in sorted(reader.all("distribution"), key=node_key)
        ],
    )
    dataset.governance.access_rights = right.code
    if licences and not dataset.distributions:
        # DCAT keeps a licence on a distribution: one with only the licence would invent
        # an access URL, so the licence stays with the record's other values.
        reader.kept.setdefault(SCHEMA + "license", []).extend(licences)
    reader.values(SCHEMA + "includedInDataCatalog")  # the catalogue, read as such
    reader.values(SCHEMA_HTTPS + "includedInDataCatalog")
    _check_mandatory(dataset, warnings)
    dataset.extras = reader.extras()
    return Mapped(dataset, warnings)


def _date(reader: _SchemaReader, name: str) -> date | datetime | None:
    return reader.temporal(*reader.names(name))


def read_catalog(index: TripleIndex, subject: str) -> Catalog:
    warnings: list[str] = []
    reader = _SchemaReader(index, subject, warnings)
    publishers = _agents(reader, "publisher") or _agents(reader, "provider")
    return Catalog(
        uri=None if subject.startswith("_:") else subject,
        title=reader.text(*reader.names("name")),
        description=reader.joined(*reader.names("description")),
        publisher=publishers[0] if publishers else None,
        homepage=next(iter(reader.words("url")), None),
    )


RECORD_READERS: dict[str, Callable[[TripleIndex, str], Mapped]] = {
    type_iri: read_dataset for type_iri in SCHEMA_DATASETS
}
