"""Streaming RDF parsing into a per-subject index, without an rdflib graph.

rdflib's in-memory store is the cost of a bulk harvest (a 600,000-triple file takes
about 18 s to ``Graph.parse``); pyoxigraph's streaming parser reads it in under a
second. ``parse_triples`` streams triples from pyoxigraph and groups them by subject
in plain dicts, which is all the DCAT mapping needs. rdflib stays the model API for
serialisation and SHACL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from insyn.errors import VocabError
from insyn.vocab.safexml import rdfxml_view

Term = ox.NamedNode | ox.BlankNode | ox.Literal

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "n3": ox.RdfFormat.N3,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}

_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

_EXTENSIONS = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".nt": "nt",
    ".n3": "n3",
    ".trig": "trig",
    ".nq": "nquads",
}


def format_from_media_type(content_type: str | None) -> str | None:
    """Return the format name for an HTTP Content-Type, or None if it is not RDF."""
    if not content_type:
        return None
    return _MEDIA_TYPES.get(content_type.split(";")[0].strip().lower())


def format_from_name(name: str) -> str | None:
    """Return the format name for a file name or URL path by its extension."""
    lowered = name.lower().split("?")[0]
    for extension, fmt in _EXTENSIONS.items():
        if lowered.endswith(extension):
            return fmt
    return None


def sniff_format(head: bytes) -> str:
    """Guess the RDF format from the first bytes of a document."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "jsonld"
    if text.startswith(b"<?xml") or text.startswith(b"<rdf:RDF") or text.startswith(b"<!"):
        return "xml"
    if text.startswith(b"<") and b"> <" in text[:2000]:
        return "nt"
    return "turtle"


def node_key(term: Term) -> str:
    """The index key of a subject or object node: the IRI, or ``_:id`` for a blank node."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


class TripleIndex:
    """Triples grouped by subject: ``{subject: {predicate: [objects]}}``."""

    __slots__ = ("subjects",)

    def __init__(self) -> None:
        self.subjects: dict[str, dict[str, list[Term]]] = {}

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        properties = self.subjects.get(subject)
        if properties is None:
            properties = self.subjects[subject] = {}
        values = properties.get(predicate)
        if values is None:
            properties[predicate] = [obj]
        else:
            values.append(obj)

    def __len__(self) -> int:
        return len(self.subjects)

    def properties(self, subject: str) -> dict[str, list[Term]]:
        return self.subjects.get(subject, {})

    def objects(self, subject: str, predicate: str) -> list[Term]:
        return self.subjects.get(subject, {}).get(predicate, [])

    def subjects_of_type(self, *type_iris: str) -> list[str]:
        wanted = set(type_iris)
        return [
            subject
            for subject, properties in self.subjects.items()
            if any(t.value in wanted for t in properties.get(RDF_TYPE, ()))
        ]

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple]) -> TripleIndex:
        index = cls()
        subjects = index.subjects
        # One string object per predicate IRI, not one per triple (a third of the memory).
        predicates: dict[str, str] = {}
        for triple in triples:
            subject = triple.subject
            key = "_:" + subject.value if isinstance(subject, ox.BlankNode) else subject.value
            properties = subjects.get(key)
            if properties is None:
                properties = subjects[key] = {}
            predicate = triple.predicate.value
            predicate = predicates.setdefault(predicate, predicate)
            values = properties.get(predicate)
            if values is None:
                properties[predicate] = [triple.object]
            else:
                values.append(triple.object)
        return index


def parse_triples(
    data: bytes | Path,
    fmt: str,
    *,
    base_iri: str | None = None,
    source: str | None = None,
) -> TripleIndex:
    """Parse an RDF document (bytes, or a file streamed from disk) into a ``TripleIndex``.

    Raises:
        UnsafeInputError: RDF/XML with external entities or an entity bomb.
        VocabError: the document is not valid in that format (the message names the
            line and column the parser reported).
    """
    rdf_format = FORMATS.get(fmt)
    if rdf_format is None:
        raise VocabError(f"Okänt RDF-format '{fmt}'", source=source)
    if fmt == "xml":
        # The RDF/XML parser sees the document only as libxml2 read it: checked, entities
        # expanded under its limits, nesting bounded.
        data = rdfxml_view(data.read_bytes() if isinstance(data, Path) else data, source=source)
    where = {"path": str(data)} if isinstance(data, Path) else {"input": data}
    try:
        parsed = ox.parse(**where, format=rdf_format, base_iri=base_iri)
        if fmt in ("trig", "nquads"):
            parsed = (ox.Triple(quad.subject, quad.predicate, quad.object) for quad in parsed)
        return TripleIndex.from_triples(parsed)
    except (SyntaxError, ValueError) as exc:
        label = {"turtle": "Turtle", "xml": "RDF/XML", "jsonld": "JSON-LD"}.get(fmt, fmt)
        raise VocabError(f"Källan är inte giltig {label}: {exc}", source=source) from exc


def _canonical_term(index: TripleIndex, term: Term, depth: int, seen: frozenset[str]) -> str:
    if isinstance(term, ox.Literal):
        return f'"{term.value}"@{term.language or ""}^^{term.datatype.value}'
    key = node_key(term)
    if isinstance(term, ox.BlankNode):
        # Blank-node labels differ between parses: a blank node is what it says.
        if depth >= _DIGEST_DEPTH or key in seen:
            return "[]"
        return "[" + _canonical_node(index, key, depth + 1, seen | {key}) + "]"
    if depth == 0 and key in index.subjects and key not in seen:
        # Resources the record points to (distributions, publisher, contact point) are
        # read by the mapping, so what they say is part of the record.
        return f"<{key}>{{{_canonical_node(index, key, depth + 1, seen | {key})}}}"
    return f"<{key}>"


def _canonical_node(index: TripleIndex, key: str, depth: int, seen: frozenset[str]) -> str:
    properties = index.subjects.get(key, {})
    return ";".join(
        predicate
        + "="
        + "|".join(sorted(_canonical_term(index, value, depth, seen) for value in values))
        for predicate, values in sorted(properties.items())
    )


_DIGEST_DEPTH = 4


def subject_digest(index: TripleIndex, subject: str, salt: str) -> str:
    """A digest of everything the source says about a subject and what it points to.

    Independent of statement order, serialisation and blank-node labels, so a record
    whose statements did not change has the same digest in the next harvest, and the
    engine can skip mapping it. ``salt`` names the mapping's version: a new mapping
    changes every digest.
    """
    canonical = _canonical_node(index, subject, 0, frozenset({subject}))
    return hashlib.sha256(f"{salt}\n{canonical}".encode()).hexdigest()
