"""Streaming RDF parsing into a per-subject index, without an rdflib graph.

rdflib's in-memory store is the cost of a bulk harvest (a 600,000-triple file takes
about 18 s to ``Graph.parse``); pyoxigraph's streaming parser reads it in under a
second. ``parse_triples`` streams triples from pyoxigraph and groups them by subject
in plain dicts, which is all the DCAT mapping needs. rdflib stays the model API for
serialisation and SHACL.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from insyn.errors import VocabError
from insyn.vocab.safexml import rdfxml_view, root_element_name

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
    """Triples grouped by subject: ``{subject: {predicate: [objects]}}``.

    ``problems`` holds what the lenient parse repaired or left out, per subject (a
    statement the parser could not read is filed under the subject read just before it);
    ``loose`` what it could not place at all. ``unsure`` names the subjects read just
    before and just after a statement that could not be read: the lost statement may have
    been theirs, a governance statement among them.
    """

    __slots__ = (
        "_by_type",
        "_kinds",
        "_typed",
        "expanded",
        "loose",
        "met",
        "problems",
        "subjects",
        "unsure",
    )

    def __init__(self) -> None:
        self.subjects: dict[str, dict[str, list[Term]]] = {}
        self.problems: dict[str, list[str]] = {}
        self.loose: list[str] = []
        self.unsure: set[str] = set()
        # ``subject_digest``'s text of resources records point to (see ``_pointed_to``).
        self.expanded: dict[str, str] = {}
        self.met: set[str] = set()
        # Worked out by ``types`` when first asked; ``add`` forgets them.
        self._typed: list[str] | None = None
        self._kinds: list[tuple[str, ...]] = []
        self._by_type: dict[str, list[str]] = {}

    def problems_of(self, subject: str) -> list[str]:
        """The parse problems of a subject and of the nodes it points to (its distributions,
        contact points …), three steps deep."""
        if not self.problems:
            return []
        found: list[str] = []
        seen = {subject}
        frontier = [subject]
        for _ in range(4):
            following: list[str] = []
            for node in frontier:
                found.extend(self.problems.get(node, ()))
                for values in self.subjects.get(node, {}).values():
                    for value in values:
                        key = node_key(value) if not isinstance(value, ox.Literal) else None
                        if key is not None and key not in seen and key in self.subjects:
                            seen.add(key)
                            following.append(key)
            frontier = following
        return found

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        self._typed = None
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

    def types(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Each subject with a stated type, in document order, with its types in the order
        stated: worked out once per document, not once per question (catalogues, records,
        linked datasets) over every subject."""
        if self._typed is None:
            typed: list[str] = []
            kinds: list[tuple[str, ...]] = []
            # One tuple (and one string per type) for every subject typed alike.
            shared: dict[tuple[str, ...], tuple[str, ...]] = {}
            by_type: dict[str, list[str]] = {}
            for subject, properties in self.subjects.items():
                terms = properties.get(RDF_TYPE)
                if terms is None:
                    continue
                types = tuple(term.value for term in terms)
                kind = shared.get(types)
                if kind is None:
                    kind = shared[types] = types
                typed.append(subject)
                kinds.append(kind)
                for type_iri in dict.fromkeys(kind):
                    by_type.setdefault(type_iri, []).append(subject)
            self._typed, self._kinds, self._by_type = typed, kinds, by_type
        return zip(self._typed, self._kinds, strict=True)

    def subjects_of_type(self, *type_iris: str) -> list[str]:
        """The subjects of any of these types, in document order."""
        self.types()
        found = [self._by_type[iri] for iri in dict.fromkeys(type_iris) if iri in self._by_type]
        if len(found) <= 1:
            return list(found[0]) if found else []
        wanted = {subject for subjects in found for subject in subjects}
        return [subject for subject, _ in self.types() if subject in wanted]

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple | ox.Quad]) -> TripleIndex:
        index = cls()
        subjects = index.subjects
        # One string object per predicate IRI, not one per triple (a third of the memory),
        # found by the predicate node itself: no string is made for a predicate seen before.
        predicates: dict[ox.NamedNode, str] = {}
        # Statements about one subject mostly come together (Turtle's ``;``): the subject's
        # key is made and looked up only when it changes.
        last: Any = None
        properties: dict[str, list[Term]] = {}
        for triple in triples:
            subject = triple.subject
            if subject != last:
                last = subject
                key = "_:" + subject.value if type(subject) is ox.BlankNode else subject.value
                found = subjects.get(key)
                if found is None:
                    found = subjects[key] = {}
                properties = found
            predicate_node = triple.predicate
            predicate = predicates.get(predicate_node)
            if predicate is None:
                predicate = predicates[predicate_node] = predicate_node.value
            values = properties.get(predicate)
            if values is None:
                properties[predicate] = [triple.object]
            else:
                values.append(triple.object)
        return index


# --- lenient parsing ----------------------------------------------------------------------

# Formats whose parser recovers at the next statement after an error; RDF/XML and JSON-LD
# are trees, and what their parsers read after a broken element is not to be trusted.
_STATEMENT_FORMATS = frozenset({"turtle", "nt", "n3", "trig", "nquads"})
# Formats whose strict parser raises on what the lenient path would repair or skip; JSON-LD's
# algorithm drops a statement with an invalid IRI without a word, so it is always read leniently.
_STRICT_FORMATS = _STATEMENT_FORMATS | {"xml"}
# More unreadable statements than this and the document is not the format it claims.
MAX_BAD_STATEMENTS = 1000
_VALID_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*$")
_BAD_IRI_CHARACTER = re.compile(r"[\x00-\x20<>\"{}|\\^`]")
_EMAIL = re.compile(r"^[^@\s/:<>]+@[^@\s/:<>]+\.[A-Za-z]{2,}$")
_LABELS = {"turtle": "Turtle", "xml": "RDF/XML", "jsonld": "JSON-LD", "nt": "N-Triples"}


def _short(iri: str) -> str:
    for prefix, namespace in (
        ("dcat", "http://www.w3.org/ns/dcat#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("vcard", "http://www.w3.org/2006/vcard/ns#"),
        ("schema", "http://schema.org/"),
    ):
        if iri.startswith(namespace):
            return prefix + ":" + iri[len(namespace) :]
    return iri


class _Repairs:
    """Checks every IRI the lenient parser let through; repairs what is safe to repair.

    Safe: spaces and other characters an IRI may not hold are percent-encoded (a ``tel:``
    number loses its spaces instead), and a bare e-mail address (also one a base IRI was
    put in front of) becomes ``mailto:``. What is still no IRI is kept as a plain literal,
    which the mapping reads as text and the export leaves out: reported, never dropped.
    """

    def __init__(self, base_iri: str | None) -> None:
        self.base = base_iri.rsplit("/", 1)[0] + "/" if base_iri and "/" in base_iri else None
        self.cache: dict[str, tuple[Term, str] | None] = {}

    def based_email(self, value: str) -> bool:
        """Whether the IRI is a bare e-mail address a base IRI was put in front of."""
        local = value.removeprefix(self.base) if self.base else None
        return bool(local and local != value and _EMAIL.match(local))

    def check(self, term: ox.NamedNode) -> tuple[Term, str] | None:
        """None when the IRI is fine; else the term to use and what was done."""
        value = term.value
        if _VALID_IRI.match(value) and not self.based_email(value):
            return None
        if value not in self.cache:
            self.cache[value] = self._repair(value)
        return self.cache[value]

    def _repair(self, value: str) -> tuple[Term, str] | None:
        text = value.strip()
        local = text.removeprefix(self.base) if self.base else text
        if _EMAIL.match(local) or _EMAIL.match(text):
            address = local if _EMAIL.match(local) else text
            return ox.NamedNode("mailto:" + address), f"e-postadressen '{address}' fick mailto:"
        if text.lower().startswith("tel:"):
            repaired = "tel:" + re.sub(r"[\s()]", "", text[4:])
        else:
            repaired = _BAD_IRI_CHARACTER.sub(lambda m: f"%{ord(m.group()):02X}", text)
        try:
            node = ox.NamedNode(repaired)
        except ValueError:
            return ox.Literal(text), f"'{text[:200]}' är ingen IRI; behålls som text"
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", repaired):
            return ox.Literal(text), f"'{text[:200]}' är ingen IRI; behålls som text"
        return node, f"'{text[:200]}' är ingen giltig IRI; lagad till '{repaired[:200]}'"


class _Lines:
    """Finds the line a bad value is on (the parser gives none for a statement it read)."""

    def __init__(self, data: bytes | Path) -> None:
        self.data = data
        self.content: bytes | None = None

    def indented(self, number: int | None) -> bool:
        """Whether line ``number`` starts with white space (unknown lines count as not)."""
        if number is None or number < 1:
            return False
        if self.content is None:
            self.content = self.data.read_bytes() if isinstance(self.data, Path) else self.data
        found = self.content.split(b"\n", number)[number - 1 : number]
        return bool(found) and found[0][:1] in (b" ", b"\t")

    def of(self, needle: str) -> int | None:
        if self.content is None:
            self.content = self.data.read_bytes() if isinstance(self.data, Path) else self.data
        at = self.content.find(needle.encode())
        return self.content.count(b"\n", 0, at) + 1 if at >= 0 else None


def _at_the_end(exc: SyntaxError, data: bytes | Path) -> bool:
    """Whether the parser stopped at the document's last character: it was cut off."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            handle.seek(max(0, data.stat().st_size - 65536))
            tail = handle.read()
    else:
        lines, tail = data.count(b"\n"), data[-65536:]
    stripped = tail.rstrip()
    last_line = stripped.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")
    last_number = lines + 1 - tail[len(stripped) :].count(b"\n")
    line = getattr(exc, "end_lineno", None) or exc.lineno or 0
    column = getattr(exc, "end_offset", None) or exc.offset or 0
    return line > last_number or (line == last_number and column >= len(last_line))


def _statements(
    parsed: Iterator[Any],
    lenient: bool,
    errors: list[str],
    data: bytes | Path,
    error_lines: list[int | None],
) -> Iterator[Any]:
    """The parser's statements; in a statement format, an unreadable one is noted and
    skipped (the parser picks up at the next), else the first error ends the document."""
    while True:
        try:
            yield next(parsed)
        except StopIteration:
            return
        except SyntaxError as exc:
            # A document that ends mid-statement was cut off: the run must not count as
            # complete (that would tombstone what the lost part held).
            if not lenient or _at_the_end(exc, data):
                raise
            errors.append(str(exc))
            error_lines.append(exc.lineno)
            if len(errors) > MAX_BAD_STATEMENTS:
                raise


def _checked(
    statements: Iterable[Any],
    repairs: _Repairs,
    index: TripleIndex,
    original: bytes | Path,
    errors: list[str],
    error_lines: list[int | None],
) -> Iterator[ox.Triple]:
    """Triples with their IRIs checked and repaired; the problems filed under the subject."""
    last: str | None = None
    reported = 0
    after_a_loss = False
    lines = _Lines(original)
    for statement in statements:
        while reported < len(errors):
            # The statement before the error was most likely about the same record.
            message = f"Ett påstående kunde inte läsas och hoppades över: {errors[reported]}"
            if last is None:
                index.loose.append(message)
            else:
                index.problems.setdefault(last, []).append(message)
                index.unsure.add(last)
            # A lost line that starts a statement (not indented) after a record may have
            # been the next record's first; an indented one continued the record before it
            # (a loss in the header, before any record, touches none).
            after_a_loss = after_a_loss or (
                last is not None and not lines.indented(error_lines[reported])
            )
            reported += 1
        subject, predicate, obj = statement.subject, statement.predicate, statement.object
        if after_a_loss:
            index.unsure.add(node_key(subject))
            after_a_loss = False
        notes = []
        if isinstance(subject, ox.NamedNode) and (fixed := repairs.check(subject)):
            if isinstance(fixed[0], ox.Literal):
                # A subject that is no IRI (a relative @id in a file without a base) is
                # still one resource: a blank node named by its text, the same each time.
                label = hashlib.sha1(fixed[0].value.encode()).hexdigest()[:20]
                subject = ox.BlankNode("iri" + label)
                notes.append(fixed[1].replace("behålls som text", "läses som tom nod"))
            else:
                subject = fixed[0]
                notes.append(fixed[1])
        if isinstance(obj, ox.NamedNode) and (fixed := repairs.check(obj)):
            obj = fixed[0]
            notes.append(fixed[1])
        last = node_key(subject)
        for note in notes:
            line = lines.of(note.split("'")[1]) if "'" in note else None
            where = f"rad {line}, " if line else ""
            message = f"{where}{_short(predicate.value)}: {note}"
            if last is None:
                index.loose.append(message)
            else:
                index.problems.setdefault(last, []).append(message)
        yield ox.Triple(subject, predicate, obj)
    for error in errors[reported:]:
        message = f"Ett påstående kunde inte läsas och hoppades över: {error}"
        if last is None:
            index.loose.append(message)
        else:
            index.unsure.add(last)
            index.problems.setdefault(last, []).append(message)


def parse_triples(
    data: bytes | Path,
    fmt: str,
    *,
    base_iri: str | None = None,
    source: str | None = None,
) -> TripleIndex:
    """Parse an RDF document (bytes, or a file streamed from disk) into a ``TripleIndex``.

    Lenient: a malformed IRI is repaired when that is safe, else kept as text, and (in
    Turtle, N-Triples, TriG, N-Quads) an unreadable statement is skipped; each is filed in
    ``TripleIndex.problems`` with its line where it can be found. A schema.org context
    named by URL is read from a bundled copy: nothing is fetched. A document that
    pyoxigraph reads strictly as it stands (the usual case) is read in one pass with no
    Python step per statement; only one with something to repair or skip is read again
    statement by statement.

    Raises:
        UnsafeInputError: RDF/XML with external entities or an entity bomb.
        VocabError: the document is not RDF in that format (the message names its real
            format when it can tell, else the line and column the parser reported).
    """
    rdf_format = FORMATS.get(fmt)
    if rdf_format is None:
        raise VocabError(f"Okänt RDF-format '{fmt}'", source=source)
    head = data.open("rb").read(8192) if isinstance(data, Path) else data[:8192]
    not_rdf = what_else(head, fmt)
    if not_rdf:
        raise VocabError(not_rdf, source=source)
    original = data
    if fmt == "xml":
        # The RDF/XML parser sees the document only as libxml2 read it: checked, entities
        # expanded under its limits, nesting bounded.
        data = rdfxml_view(data.read_bytes() if isinstance(data, Path) else data, source=source)
    elif fmt == "jsonld":
        data = offline_jsonld(data)
    where = {"path": str(data)} if isinstance(data, Path) else {"input": data}
    strict = _strict(where, rdf_format, base_iri) if fmt in _STRICT_FORMATS else None
    if strict is not None:
        return strict
    index = TripleIndex()
    errors: list[str] = []
    error_lines: list[int | None] = []
    try:
        parsed = ox.parse(**where, format=rdf_format, base_iri=base_iri, lenient=True)
        statements = _statements(parsed, fmt in _STATEMENT_FORMATS, errors, data, error_lines)
        triples = _checked(statements, _Repairs(base_iri), index, original, errors, error_lines)
        index.subjects = TripleIndex.from_triples(triples).subjects
    except (SyntaxError, ValueError) as exc:
        label = _LABELS.get(fmt, fmt)
        raise VocabError(f"Källan är inte giltig {label}: {exc}", source=source) from exc
    if errors and not index.subjects:
        label = _LABELS.get(fmt, fmt)
        raise VocabError(f"Källan är inte giltig {label}: {errors[0]}", source=source)
    return index


def _strict(
    where: dict[str, Any], rdf_format: ox.RdfFormat, base_iri: str | None
) -> TripleIndex | None:
    """The whole document read by pyoxigraph's own parser, strictly, with no Python step per
    statement; None when anything in it would need the lenient path (a statement that
    cannot be read, an IRI that is not valid as written, a bare e-mail address made
    relative to the base), which then reads it again statement by statement.

    A document the strict parser accepts holds only valid IRIs, so the lenient path would
    repair nothing in it but those e-mail addresses: both paths give the same index.
    """
    try:
        index = TripleIndex.from_triples(
            ox.parse(**where, format=rdf_format, base_iri=base_iri, lenient=False)
        )
    except (SyntaxError, ValueError):
        return None
    if base_iri is not None:
        repairs = _Repairs(base_iri)
        for subject, properties in index.subjects.items():
            if repairs.based_email(subject):
                return None
            for values in properties.values():
                for value in values:
                    if isinstance(value, ox.NamedNode) and repairs.based_email(value.value):
                        return None
    return index


# --- what a document is, when it is not RDF -------------------------------------------------

_XML_KINDS = {
    "http://www.isotc211.org/2005/gmd": "ISO 19139-XML: använd --kind iso19139 eller csw",
    "http://www.isotc211.org/2005/gmi": "ISO 19139-XML: använd --kind iso19139 eller csw",
    "http://www.opengis.net/cat/csw/2.0.2": "ett CSW-svar: använd --kind csw",
    "http://www.openarchives.org/OAI/2.0/": "ett OAI-PMH-svar: använd --kind oaipmh",
    "http://www.w3.org/1999/xhtml": "en HTML-sida, inte RDF",
    "http://www.w3.org/2005/Atom": "en Atom-feed, inte RDF",
}


def what_else(head: bytes, fmt: str) -> str | None:
    """A message naming what the document is, when its first bytes show it is not RDF."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = text[:1000].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "Detta är en HTML-sida, inte RDF: kontrollera adressen"
    if text.startswith(b"%PDF"):
        return "Detta är en PDF-fil, inte RDF"
    if text.startswith(b"PK\x03\x04"):
        return "Detta är en zip-fil (eller ett Office-dokument), inte RDF"
    if fmt == "xml" or text.startswith(b"<?xml"):
        name = root_element_name(head)
        if name and name[0] in _XML_KINDS:
            return "Detta är " + _XML_KINDS[name[0]]
        if name and name[1] in ("html", "HTML"):
            return "Detta är en HTML-sida, inte RDF: kontrollera adressen"
    ckan = b'"success"' in text[:200] and b'"result"' in text[:400]
    if fmt == "jsonld" and text.startswith(b"{") and b'"@' not in text[:8192] and ckan:
        return "Detta är ett svar från CKAN:s API, inte JSON-LD: använd --kind ckan"
    return None


_SCHEMA_CONTEXTS = frozenset(
    {"https://schema.org/", "https://schema.org", "http://schema.org/", "http://schema.org"}
)


def _schema_context() -> dict[str, Any]:
    path = resources.files("insyn.vocab").joinpath("data", "schemaorg-context.json")
    return json.loads(path.read_bytes())["@context"]


def _offline_context(context: Any, bundled: dict[str, Any]) -> Any:
    if isinstance(context, str) and context in _SCHEMA_CONTEXTS:
        return bundled
    if isinstance(context, list):
        return [_offline_context(part, bundled) for part in context]
    return context


def _replace_contexts(node: Any, bundled: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {
            key: _offline_context(value, bundled)
            if key == "@context"
            else _replace_contexts(value, bundled)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_contexts(item, bundled) for item in node]
    return node


def offline_jsonld(data: bytes | Path) -> bytes | Path:
    """JSON-LD with a schema.org context named by URL replaced by the bundled copy, so
    the parser never asks the network; other documents are returned as they are."""
    content = data.read_bytes() if isinstance(data, Path) else data
    if b"schema.org" not in content:
        return data
    try:
        document = json.loads(content)
    except ValueError:
        return data  # the parser names the error
    return json.dumps(_replace_contexts(document, _schema_context())).encode()


def _canonical_term(index: TripleIndex, term: Term, depth: int, seen: frozenset[str]) -> str:
    if type(term) is ox.Literal:
        return f'"{term.value}"@{term.language or ""}^^{term.datatype.value}'
    if type(term) is ox.BlankNode:
        # Blank-node labels differ between parses: a blank node is what it says.
        key = "_:" + term.value
        if depth >= _DIGEST_DEPTH or key in seen:
            return "[]"
        return "[" + _canonical_node(index, key, depth + 1, seen | {key}) + "]"
    key = term.value
    if depth == 0 and key in index.subjects and key not in seen:
        # Resources the record points to (distributions, publisher, contact point) are
        # read by the mapping, so what they say is part of the record.
        return f"<{key}>{{{_pointed_to(index, key, seen)}}}"
    return f"<{key}>"


def _pointed_to(index: TripleIndex, key: str, seen: frozenset[str]) -> str:
    """What a resource a record points to says (its blank nodes included, no IRI followed).

    From a record named by an IRI this does not depend on the record (the blank nodes on
    the way are the only ones ``seen`` can hold), so a resource many records point to (a
    publisher, a catalogue) is written out once per document: the second time it is met
    its text is kept for the rest.
    """
    if any(node.startswith("_:") for node in seen):
        return _canonical_node(index, key, 1, seen | {key})
    expanded = index.expanded.get(key)
    if expanded is None:
        expanded = _canonical_node(index, key, 1, frozenset((key,)))
        # Kept from the second time on: most resources (distributions) are met once.
        if key in index.met:
            index.expanded[key] = expanded
        else:
            index.met.add(key)
    return expanded


def _canonical_node(index: TripleIndex, key: str, depth: int, seen: frozenset[str]) -> str:
    properties = index.subjects.get(key)
    if not properties:
        return ""
    parts = []
    for predicate in sorted(properties):
        values = properties[predicate]
        if len(values) == 1:
            text = _canonical_term(index, values[0], depth, seen)
        else:
            text = "|".join(sorted([_canonical_term(index, v, depth, seen) for v in values]))
        parts.append(f"{predicate}={text}")
    return ";".join(parts)


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
