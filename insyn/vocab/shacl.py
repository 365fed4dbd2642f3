"""SHACL validation of DCAT-AP and DCAT-AP-SE metadata, reported in Swedish.

``validate`` runs pyshacl once over two shape sets: SEMIC's DCAT-AP 3.0.1 ``shapes.ttl``
(cardinalities, node kinds, datatypes) and the DCAT-AP-SE 3.0.1 shapes that
``insyn.vocab.se_shapes`` generates from DIGG's template bundle.

No inference runs and nothing is added to the data. EU vocabulary IRIs (themes, languages,
file types) are not typed in harvested data, so shapes that demand a class of a referenced
node would fail on correct metadata. Insyn does not load those: SEMIC keeps them apart
(``range.ttl``, and ``mdr-vocabularies.shape.ttl``, which needs the vocabularies loaded as
data), ``shapes.ttl`` has a single ``sh:class`` check (a catalogue record's primary topic
must be a typed catalogue, dataset or service, which Insyn's own records are), and the
generated DCAT-AP-SE shapes emit none. Without RDFS inference a publisher typed only
``foaf:Organization`` escapes DCAT-AP's ``foaf:Agent`` shape, but the DCAT-AP-SE shape
targets ``foaf:Organization`` and ``foaf:Person`` as well.

Messages are Swedish: a shape's own Swedish ``sh:message`` when it has one, otherwise the
constraint is described from its parameters with the shape's Swedish ``sh:name``. Results of
nested shapes (``sh:node``) are reported one by one with the chain of nodes that led there.
"""

from __future__ import annotations

import json
import xml.sax
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, NamespaceManager
from rdflib.paths import InvPath
from rdflib.paths import Path as RDFPath
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import BNode, Node

from insyn.errors import UnsafeInputError, VocabError
from insyn.vocab.safexml import rdfxml_view
from insyn.vocab.se_shapes import DCAT_AP_SHAPES_FILE, PREFIXES, SE_SHAPES_FILE

__all__ = [
    "DEFAULT_SHAPES",
    "SOURCE_DCAT_AP",
    "SOURCE_DCAT_AP_SE",
    "ValidationReport",
    "ValidationResult",
    "load_rdf_file",
    "validate",
]

SOURCE_DCAT_AP = "DCAT-AP 3.0.1"
SOURCE_DCAT_AP_SE = "DCAT-AP-SE 3.0.1"
DEFAULT_SHAPES: tuple[Path, ...] = (DCAT_AP_SHAPES_FILE, SE_SHAPES_FILE)
_SOURCE_NAMES = {DCAT_AP_SHAPES_FILE.name: SOURCE_DCAT_AP, SE_SHAPES_FILE.name: SOURCE_DCAT_AP_SE}

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_SV = {"Violation": "Fel", "Warning": "Varning", "Info": "Info"}
_RANK = {"Violation": 0, "Warning": 1, "Info": 2}
# How many blank nodes up a report looks for the record a nested finding belongs to.
_MAX_REFERRER_DEPTH = 5

_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}
_FORMAT_SV = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples"}

_NODE_KIND_SV = {
    SH.IRI: "en IRI",
    SH.Literal: "en literal",
    SH.BlankNode: "en blank nod",
    SH.BlankNodeOrIRI: "en IRI eller blank nod",
    SH.IRIOrLiteral: "en IRI eller literal",
    SH.BlankNodeOrLiteral: "en blank nod eller literal",
}


def _namespaces() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        manager.bind(prefix, ns, replace=True)
    return manager


_NS = _namespaces()


def _short(node: Node | RDFPath | None) -> str:
    """Return a node as people read it: prefixed name, <IRI>, "literal" or (blank nod)."""
    if node is None:
        return ""
    if isinstance(node, InvPath):
        return f"^{_short(node.arg)}"
    if isinstance(node, RDFPath):
        return "(sammansatt väg)"
    if isinstance(node, URIRef):
        prefixed = _NS.normalizeUri(node)
        return prefixed if not prefixed.startswith("<") else f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(_NS)
    return "(blank nod)"


# One step down from a record: (node, the predicate or path leading on from it).
Step = tuple[Node, URIRef | RDFPath | None]


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL finding, with a Swedish message.

    ``severity`` is "Violation", "Warning" or "Info"; ``path`` a predicate IRI, an inverse
    path (``rdflib.paths.InvPath``) or None for a check of the node itself. ``via`` holds the
    (node, predicate) steps from the record the finding belongs to down to ``focus_node``
    when that is a nested node (checked through ``sh:node``, or a blank node the record
    points to), outermost first; it is empty for findings on the record itself.
    """

    severity: str
    focus_node: Node
    path: URIRef | RDFPath | None
    value: Node | None
    message: str
    shape_source: str
    via: tuple[Step, ...] = ()

    @property
    def subject(self) -> Node:
        """Return the outermost node the finding belongs to (the record people know)."""
        return self.via[0][0] if self.via else self.focus_node

    def path_text(self) -> str:
        """Return the property path from ``subject`` as prefixed names."""
        steps = [_short(path) for _, path in self.via if path is not None]
        if self.path is not None:
            steps.append(_short(self.path))
        return " / ".join(steps)


@dataclass
class ValidationReport:
    """All findings of one validation; ``conforms`` means no Violation."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ValidationResult]:
        """Return the findings of severity Violation."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Return the findings of severity Warning."""
        return [r for r in self.results if r.severity == "Warning"]

    def format_text(self) -> str:
        """Return a Swedish text report grouped by the node each finding is about."""
        counts = {s: sum(r.severity == s for r in self.results) for s in _RANK}
        verdict = "uppfyller kraven" if self.conforms else "uppfyller inte kraven"
        lines = [
            f"Valideringsrapport: {verdict} ({counts['Violation']} fel, "
            f"{counts['Warning']} varningar, {counts['Info']} info)"
        ]
        by_subject: dict[Node, list[ValidationResult]] = {}
        for result in self.results:
            by_subject.setdefault(result.subject, []).append(result)
        for subject, results in by_subject.items():
            lines.append("")
            lines.append(_short(subject))
            for r in results:
                where = r.path_text() or "(noden)"
                line = f"  {_SEVERITY_SV[r.severity]}: {where}: {r.message.rstrip('.')}."
                if r.value is not None and r.value != r.subject:
                    line += f" Värde: {_short(r.value)}."
                lines.append(f"{line} [{r.shape_source}]")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Shapes:
    graph: Graph
    source: dict[Node, str]
    has_rules: bool


@lru_cache(maxsize=8)
def _load_shapes(files: tuple[tuple[Path, int], ...]) -> _Shapes:
    """Return the merged shapes of ``files`` ((path, mtime) pairs, so edits reload)."""
    graph = Graph()
    source: dict[Node, str] = {}
    for path, _mtime in files:
        part = load_rdf_file(path)
        label = _SOURCE_NAMES.get(path.name, path.stem)
        source.update(dict.fromkeys(part.subjects(), label))
        graph += part
    _hoist_property_shapes(graph)
    return _Shapes(graph, source, (None, SH.rule, None) in graph)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _hoist_property_shapes(graph: Graph) -> None:
    """Give the property shapes of targeted node shapes those targets directly.

    The results are the same, but pyshacl builds a property shape's constraints once per
    focus node when it reaches it through ``sh:property``, and once in all when the shape
    is targeted itself: 500 datasets validate in about a tenth of the time.
    """
    for node_shape in set(graph.subjects(SH.property, None)):
        targets = [(p, o) for p in _TARGETS for o in graph.objects(node_shape, p)]
        used_elsewhere = next(graph.subjects(None, node_shape), None) is not None
        if not targets or used_elsewhere or graph.value(node_shape, SH.deactivated):
            continue
        for prop_shape in list(graph.objects(node_shape, SH.property)):
            if len(set(graph.subject_predicates(prop_shape))) > 1:
                continue  # shared with another shape: leave it where it is
            graph.remove((node_shape, SH.property, prop_shape))
            for target in targets:
                graph.add((prop_shape, *target))


def validate(data: Graph, shapes: list[Path] | None = None) -> ValidationReport:
    """Return the validation report of ``data`` against ``shapes``.

    ``shapes`` defaults to DCAT-AP 3.0.1 and DCAT-AP-SE 3.0.1 (``DEFAULT_SHAPES``).
    Raises VocabError when a shapes file cannot be read.
    """
    files = []
    for path in map(Path, shapes or DEFAULT_SHAPES):
        try:
            files.append((path, path.stat().st_mtime_ns))
        except OSError as exc:
            raise VocabError(
                f"SHACL-filen {path.name} kunde inte läsas: {exc.strerror or exc}",
                source=str(path),
            ) from exc
    loaded = _load_shapes(tuple(files))
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=loaded.graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        # Advanced mode copies the data graph for rules; without rules nothing is written.
        inplace=not loaded.has_rules,
    )
    results: list[ValidationResult] = []
    for node in report.objects(None, SH.result):
        focus = report.value(node, SH.focusNode)
        results.extend(_results(report, loaded, data, node, _referrers(data, focus)))
    results.sort(key=lambda r: (str(r.subject), _RANK[r.severity], r.path_text(), r.message))
    return ValidationReport(
        conforms=not any(r.severity == "Violation" for r in results), results=results
    )


def _results(
    report: Graph,
    shapes: _Shapes,
    data: Graph,
    node: Node,
    via: tuple[Step, ...],
    outer: tuple[str, str] | None = None,
) -> Iterator[ValidationResult]:
    """Yield the findings of one pyshacl result, flattening its ``sh:detail`` results."""
    focus = report.value(node, SH.focusNode)
    path = _path(report, report.value(node, SH.resultPath))
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    severity, source = outer or (
        _SEVERITIES.get(report.value(node, SH.resultSeverity), "Violation"),
        shapes.source.get(shape, "okänd"),
    )
    details = list(report.objects(node, SH.detail))
    for detail in details:
        detail_focus = report.value(detail, SH.focusNode)
        if detail_focus == value and report.value(detail, SH.resultPath) is None:
            # A node-level check of the value itself (e.g. DCAT-AP's date-or-datetime shape):
            # report it on the outer property.
            message = _message(shapes.graph, data, report, detail, severity, focus, path, value)
            yield ValidationResult(severity, focus, path, value, message, source, via)
        else:
            yield from _results(
                report, shapes, data, detail, (*via, (focus, path)), (severity, source)
            )
    if not details:
        message = _message(shapes.graph, data, report, node, severity, focus, path, value)
        yield ValidationResult(severity, focus, path, value, message, source, via)


def _path(report: Graph, path: Node | None) -> URIRef | RDFPath | None:
    """Return a result path as an IRI or, for ``[sh:inversePath p]``, as ``^p``."""
    inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
    if isinstance(inverse, URIRef):
        return InvPath(inverse)
    return path if isinstance(path, URIRef) else None


def _referrers(data: Graph, node: Node | None) -> tuple[Step, ...]:
    """Return the (subject, predicate) chain that leads to a blank node, outermost first.

    A blank node means nothing to a reader; the record that points to it does.
    """
    chain: list[Step] = []
    while isinstance(node, BNode) and len(chain) < _MAX_REFERRER_DEPTH:
        referrer = min(data.subject_predicates(node), default=None)
        if referrer is None or any(referrer[0] == s for s, _ in chain):
            break
        chain.insert(0, referrer)
        node = referrer[0]
    return tuple(chain)


def _sv_text(graph: Graph, node: Node | None, predicate: URIRef) -> str | None:
    """Return the Swedish literal of ``predicate`` on ``node``, if any."""
    for text in graph.objects(node, predicate):
        if isinstance(text, Literal) and text.language == "sv":
            return str(text)
    return None


def _message(
    shapes: Graph,
    data: Graph,
    report: Graph,
    node: Node,
    severity: str,
    focus: Node,
    path: URIRef | RDFPath | None,
    value: Node | None,
) -> str:
    """Return the Swedish message for one pyshacl result."""
    shape = report.value(node, SH.sourceShape)
    own = _sv_text(shapes, shape, SH.message)
    if own:
        return own
    component = report.value(node, SH.sourceConstraintComponent)
    name = _sv_text(shapes, shape, SH.name)
    what = f"{_short(path)} ”{name}”" if name and path is not None else _short(path) or "noden"
    must = "måste" if severity == "Violation" else "bör"

    def param(predicate: URIRef) -> Node | None:
        return shapes.value(shape, predicate)

    local = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    if local == "MinCount":
        n = int(param(SH.minCount))
        verb = {"Violation": "krävs", "Warning": "rekommenderas"}.get(severity, "föreslås")
        return f"Minst {n} värde{'n' * (n > 1)} {verb} för {what}{_has(data, focus, path)}"
    if local == "MaxCount":
        n = int(param(SH.maxCount))
        allowed = "tillåts" if severity == "Violation" else "bör anges"
        return f"Högst {n} värde{'n' * (n != 1)} {allowed} för {what}{_has(data, focus, path)}"
    if local == "NodeKind":
        return f"Värdet för {what} {must} vara {_NODE_KIND_SV.get(param(SH.nodeKind), '?')}"
    if local == "Datatype":
        return f"Värdet för {what} {must} vara en giltig {_short(param(SH.datatype))}"
    if local == "In":
        return f"Värdet för {what} finns inte bland de tillåtna värdena"
    if local == "HasValue":
        return f"{what} {must} ha värdet {_short(param(SH.hasValue))}"
    if local == "Pattern":
        return f"Värdet för {what} matchar inte mönstret {param(SH.pattern)}"
    if local == "Class":
        return f"Värdet för {what} {must} vara av typen {_short(param(SH['class']))}"
    if local == "Or":
        datatypes = [shapes.value(m, SH.datatype) for m in Collection(shapes, param(SH["or"]))]
        if datatypes and None not in datatypes:
            names = ", ".join(_short(d) for d in datatypes)
            return f"Värdet för {what} {must} ha någon av datatyperna {names}"
        return f"Värdet för {what} uppfyller inget av de tillåtna alternativen"
    if local == "Not":
        return f"Värdet för {what} är inte tillåtet här"
    if local == "Node":
        return f"Värdet för {what} uppfyller inte formen {_short(param(SH.node))}"
    english = report.value(node, SH.resultMessage)
    return f"Villkoret {local} är inte uppfyllt för {what} ({english})"


def _has(data: Graph, focus: Node, path: URIRef | RDFPath | None) -> str:
    """Return " (har N)", the number of values at ``path``, for a predicate or inverse path."""
    if isinstance(focus, Literal):
        return ""
    if isinstance(path, URIRef):
        return f" (har {len(set(data.objects(focus, path)))})"
    if isinstance(path, InvPath) and isinstance(path.arg, URIRef):
        return f" (har {len(set(data.subjects(path.arg, focus)))})"
    return ""


def load_rdf_file(path: Path) -> Graph:
    """Return the RDF in ``path``, its syntax guessed from the file extension.

    Turtle (.ttl), RDF/XML (.rdf, .xml, .owl), JSON-LD (.jsonld, .json) and N-Triples (.nt).
    Raises VocabError, with the line where the parser gives one, for a missing file, an
    unknown extension or input that does not parse.
    """
    path = Path(path)
    rdf_format = _FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        known = ", ".join(sorted(_FORMATS))
        raise VocabError(
            f"Okänt RDF-format för filen {path.name}: filändelsen ska vara en av {known}",
            source=str(path),
        )
    graph = Graph()
    try:
        if rdf_format == "xml":
            # The same guard as a harvest: no entities or nesting the parser could choke on.
            graph.parse(data=rdfxml_view(path.read_bytes(), source=str(path)), format="xml")
        else:
            graph.parse(path, format=rdf_format)
    except UnsafeInputError:
        raise
    except VocabError as exc:  # not well-formed, as libxml2 read it ("rad L, kolumn C")
        line = exc.position.split(",")[0] if exc.position else None
        raise VocabError(
            f"RDF-filen {path.name} är inte giltig RDF/XML{f' på {line}' if line else ''}: "
            f"{exc.message}",
            source=str(path),
            position=line,
        ) from exc
    except OSError as exc:
        raise VocabError(
            f"RDF-filen {path.name} kunde inte läsas: {exc.strerror or exc}", source=str(path)
        ) from exc
    except Exception as exc:  # rdflib's parsers raise many unrelated types
        line = _error_line(exc)
        raise VocabError(
            f"RDF-filen {path.name} är inte giltig {_FORMAT_SV[rdf_format]}"
            f"{f' på rad {line}' if line else ''}: {_error_reason(exc)}",
            source=str(path),
            position=f"rad {line}" if line else None,
        ) from exc
    return graph


def _error_line(exc: Exception) -> int | None:
    """Return the 1-based line a parser error points at, when the parser says."""
    if isinstance(exc, BadSyntax):
        return exc.lines + 1
    if isinstance(exc, xml.sax.SAXParseException):
        return exc.getLineNumber()
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno
    return None


def _error_reason(exc: Exception) -> str:
    if isinstance(exc, BadSyntax):
        return exc._why  # the bare reason, without rdflib's multi-line excerpt
    if isinstance(exc, xml.sax.SAXParseException):
        return exc.getMessage()
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
