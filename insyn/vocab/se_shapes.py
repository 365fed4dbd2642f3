"""SHACL shapes for DCAT-AP-SE 3.0.1, generated from DIGG's RDForms template bundle.

DIGG publishes DCAT-AP-SE as an RDForms bundle (``bundle.json``), not as SHACL. This module
turns the bundle into shapes, reading it the way RDForms itself validates a graph
(``graphReport`` → ``fuzzyMatch`` + ``bindingReport`` in MetaSolutionsAB/rdforms
``src/model/engine.js`` and ``validate.js``). The output is never edited by hand: a test
regenerates it and compares.

Classes
    A group with an ``rdf:type`` constraint that no item refers to is a class template
    (Katalog, Datamängd, Aktör, Kontaktuppgift, …): a ``sh:NodeShape`` with one
    ``sh:targetClass`` per type. A group that an item refers to (tidsperiod, adress,
    rättighetsförklaring, …) describes a nested node: two untargeted node shapes, one with
    its Violations and one with its Warnings, reached with ``sh:node`` from the property,
    so that a nested warning never turns into a violation of the parent. ``extends`` is
    resolved as in RDForms (the item's own keys override the base's). A group without a
    property (format, licens) is layout only: its children are fields of the class.

Cardinality
    ``min`` → ``sh:minCount`` (Violation); ``pref`` above ``min`` → ``sh:minCount`` as
    Warning (rekommenderad); ``max`` → ``sh:maxCount`` (Violation). Several items for one
    property are alternatives (a Geonames IRI or a bounding-box node for ``dcterms:spatial``):
    the highest min and pref count, and their max values add up. A ``disjoint`` layout group
    allows one child (max 1); RDForms does not check a layout group's own min/pref, and
    DIGG's mandatory example has no format, so those become Warnings. Items styled
    ``deprecated`` are not checked but flagged as Warnings when used. An item with ``deps``
    is only required when its dependency holds (a dataset under the high-value regulation
    must name its categories): a conditional ``sh:or`` node shape. A single-choice checkbox
    is a yes/no flag, so leaving it out is an answer: no min/pref.

Node types
    LITERAL, ONLY_LITERAL, LANGUAGE_LITERAL → ``sh:nodeKind sh:Literal`` (LANGUAGE_LITERAL also
    gets a Warning shape asking for a language tag); DATATYPE_LITERAL → ``sh:datatype`` (an
    ``sh:or`` of them when several); URI → ``sh:IRI``; RESOURCE → ``sh:BlankNodeOrIRI``.
    ``pattern`` (anchored as RDForms does, around the ``valueTemplate`` prefix such as
    ``tel:``) → ``sh:pattern`` as Warning: DCAT-AP accepts any IRI for URLs, subjects and roles.

Value lists (``choices``)
    RDForms reports a value outside an item's choices as WRONG_VALUE, unless a sibling item
    for the same property takes it. Hence, per property of a class:

    * a list beside a free-text or free-IRI sibling (media types beside "Övriga mediatyper",
      Creative Commons licences beside "Licens - övriga") is a suggestion: no ``sh:in``;
    * otherwise the list is closed: ``sh:in`` as Violation (åtkomsträttigheter, planerad
      tillgänglighet, distributionsstatus, aktörstyp, HVD-kategori, …);
    * unless DCAT-AP 3.0.1 accepts values the bundle does not list (``DCAT_AP_OPEN_LISTS``:
      språk, uppdateringsfrekvens, tema, …): then ``sh:in`` and the item's max are Warnings;
    * a fixed ``value`` (the catalogue's CC0 licence, which the description says is
      required in Sweden) → ``sh:hasValue`` at the item's severity;
    * the contact point's ``rdf:type`` choice → exactly one of its classes, counted with a
      qualified value shape, since the node may also be typed ``vcard:Kind``.

Conflicts with DCAT-AP
    DCAT-AP-SE is a profile of DCAT-AP 3.0.1 and Insyn validates both. Where the bundle's node
    type contradicts DCAT-AP's ``shapes.ttl`` for the same class and property (media types as
    literals in ``dcterms:format``, ``adms:identifier`` as a literal), no node kind, datatype,
    value list or pattern is emitted: data cannot satisfy both. The summary lists them.

Not mapped
    ``constraints`` on referenced or nested nodes (RDForms uses them to match values to
    items and EntryScape writes them automatically; EU vocabulary IRIs, Geonames IRIs and
    DIGG's examples are untyped, and DCAT-AP's shapes.ttl asks for no class either), a root
    group's own nodetype and cardinality, and presentation keys (other styles, ``cls``,
    ``labelProperties``, ``automatic``, ``content``).

Names and messages come from the bundle's Swedish labels and descriptions (``sh:name``,
``sh:description``); value-list messages name the choices by their Swedish labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from insyn.errors import VocabError
from insyn.vocab.namespaces import (
    ADMS,
    DCAT,
    DCATAP,
    DCTERMS,
    FOAF,
    LOCN,
    SCHEMA,
    SKOS,
    SPDX,
    VCARD,
)

SHAPES_DIR = Path(__file__).parent / "data" / "shapes"
BUNDLE_FILE = SHAPES_DIR / "dcat-ap-se-3.0.1-bundle.json"
DCAT_AP_SHAPES_FILE = SHAPES_DIR / "dcat-ap-3.0.1-shapes.ttl"
SE_SHAPES_FILE = SHAPES_DIR / "dcat-ap-se-3.0.1-shapes.ttl"

SE = Namespace("https://w3id.org/insyn/shapes/dcat-ap-se-3.0.1#")
ODRS = Namespace("http://schema.theodi.org/odrs#")
PROV = Namespace("http://www.w3.org/ns/prov#")

# The prefixes the bundle writes (RDForms' namespace registry); any other prefix is an error.
# Plain namespaces: rdflib's closed ones warn about terms they do not list (dcat:inSeries).
PREFIXES: dict[str, Namespace] = {
    prefix: Namespace(str(ns))
    for prefix, ns in {
        "adms": ADMS,
        "dcat": DCAT,
        "dcatap": DCATAP,
        "dcterms": DCTERMS,
        "foaf": FOAF,
        "locn": LOCN,
        "odrs": ODRS,
        "owl": OWL,
        "prov": PROV,
        "rdf": RDF,
        "rdfs": RDFS,
        "schema": SCHEMA,
        "sh": SH,
        "skos": SKOS,
        "spdx": SPDX,
        "vcard": VCARD,
        "xsd": XSD,
    }.items()
}

# Closed lists in the bundle where DCAT-AP 3.0.1 accepts more values, keyed by bundle item id
# (an inline item by its property as written). The reason ends the Swedish warning message.
# E.g. the language list has 95 languages and lacks South and Lule Sami and Meänkieli, and
# the frequency list has 22 of the EU table's 38 (the 2017 copy in shared/data). Lists that
# hold a whole EU table (planned availability, distribution status, publisher type, HVD
# category) or a Swedish choice within one (access rights: 3 of 6) stay Violations.
DCAT_AP_OPEN_LISTS: dict[str, str] = {
    "dcat:dcterms:language": "DCAT-AP tillåter hela EU:s språktabell, mallen listar ett urval",
    "dcat:dcterms:accrualPeriodicity_da": (
        "DCAT-AP tillåter hela EU:s frekvenstabell, mallen listar ett urval"
    ),
    "dcat:dcterms:accrualPeriodicity_dss": (
        "DCAT-AP tillåter hela EU:s frekvenstabell, mallen listar ett urval"
    ),
    "dcat:theme": "DCAT-AP tillåter teman ur andra vokabulärer utöver EU:s datateman",
    "dcat:themeTaxonomy_ca": "DCAT-AP tillåter fler taxonomier än EU:s datateman",
    "dcatap:applicableLegislation": (
        "DCAT-AP tillåter all lagstiftning, mallen listar bara förordningen om värdefulla "
        "datamängder"
    ),
    "dcat:dcterms:type_ds": "DCAT-AP begränsar inte datatjänsters typ till en lista",
    "geodcat:dcterms:type-responsiblepartyrole": "DCAT-AP begränsar inte roller till en lista",
    "http://spdx.org/rdf/terms#algorithm": (
        "DCAT-AP tillåter alla SPDX-algoritmer, och mallen väntar sig fler"
    ),
}

# Value lists longer than this are summarised in messages instead of listed.
_MAX_LISTED_CHOICES = 12

_KINDS = {  # nodetype → the RDF term kinds it allows: I(RI), B(lank node), L(iteral)
    "LITERAL": "L",
    "ONLY_LITERAL": "L",
    "PLAIN_LITERAL": "L",
    "LANGUAGE_LITERAL": "L",
    "DATATYPE_LITERAL": "L",
    "URI": "I",
    "RESOURCE": "IB",
    "BLANK": "B",
}
_SH_KINDS = {
    frozenset("I"): SH.IRI,
    frozenset("B"): SH.BlankNode,
    frozenset("L"): SH.Literal,
    frozenset("IB"): SH.BlankNodeOrIRI,
    frozenset("IL"): SH.IRIOrLiteral,
    frozenset("BL"): SH.BlankNodeOrLiteral,
}
_KIND_OF_SH = {v: k for k, v in _SH_KINDS.items()}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass
class _Item:
    """One resolved bundle item (``extends`` merged, references followed)."""

    key: str
    kind: str  # "text", "choice" or "group"
    prop: URIRef | None
    nodetype: str
    min: int
    pref: int
    max: int | None
    choices: list[tuple[Node, str]] | None
    datatypes: list[URIRef]
    pattern: str | None
    value: str | None
    styles: frozenset[str]
    label: str
    description: str
    deps: list[str] | None
    types: list[URIRef]
    children: list[_Item] = field(default_factory=list)

    @property
    def deprecated(self) -> bool:
        return "deprecated" in self.styles

    @property
    def is_flag(self) -> bool:
        """A single-choice checkbox: present means yes, absent means no."""
        return "verticalCheckBoxes" in self.styles and len(self.choices or []) == 1


@dataclass
class Summary:
    """What a generation produced and what it left out, for people to read."""

    class_shapes: int = 0
    nested_shapes: int = 0
    conditional_shapes: int = 0
    property_shapes: dict[str, int] = field(default_factory=lambda: {"Violation": 0, "Warning": 0})
    value_lists: dict[str, list[str]] = field(
        default_factory=lambda: {"Violation": [], "Warning": [], "förslag": []}
    )
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Return the summary as Swedish text."""
        lines = [
            f"Nodformer: {self.class_shapes} klasser, {self.nested_shapes} nästlade, "
            f"{self.conditional_shapes} villkorade",
            f"Egenskapsformer: {self.property_shapes['Violation']} Violation, "
            f"{self.property_shapes['Warning']} Warning",
            f"Slutna värdelistor (Violation): {', '.join(self.value_lists['Violation'])}",
            f"Värdelistor som varning: {', '.join(self.value_lists['Warning'])}",
            f"Förslagslistor utan sh:in: {', '.join(self.value_lists['förslag'])}",
        ]
        lines += [f"Konflikt med DCAT-AP: {c}" for c in self.conflicts]
        lines += [f"Ej mappat: {n}" for n in self.notes]
        return "\n".join(lines)


def _expand(name: str) -> URIRef:
    """Return the IRI for a bundle name, prefixed (``dcat:theme``) or full."""
    if "://" in name:
        return URIRef(name)
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES:
        raise VocabError(f"Okänt prefix {prefix!r} i DCAT-AP-SE-mallen: {name}")
    return PREFIXES[prefix][local]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _sv(texts: Any) -> str:
    """Return the Swedish text of a bundle label or description, English if none."""
    if not isinstance(texts, dict):
        return ""
    return texts.get("sv") or texts.get("en") or ""


def _full_pattern(raw: dict[str, Any]) -> str | None:
    """Return the anchored regex RDForms applies, widened to the stored value's template."""
    pattern, template = raw.get("pattern"), raw.get("valueTemplate") or ""
    if pattern is None and not template:
        return None
    prefix, _, suffix = template.partition("$1")
    core = (pattern or ".*").removeprefix("^").removesuffix("$")
    return f"^{re.escape(prefix)}(?:{core}){re.escape(suffix)}$"


class _Bundle:
    """The bundle's templates by id, resolved into ``_Item`` trees."""

    def __init__(self, templates: list[dict[str, Any]]) -> None:
        self.raw = {t["id"]: t for t in templates}
        self.referenced = {ref for t in templates for ref in self._refs(t) if isinstance(ref, str)}

    def _refs(self, template: dict[str, Any]) -> list[Any]:
        refs = []
        for child in template.get("items", []):
            refs.append(child)
            if isinstance(child, dict):
                refs += self._refs(child)
        return refs

    def merged(self, ref: str | dict[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
        """Return the raw template with its ``extends`` chain merged in (own keys win)."""
        raw = self.raw.get(ref) if isinstance(ref, str) else ref
        if raw is None:
            raise VocabError(f"DCAT-AP-SE-mallen refererar till okänd mall {ref!r}")
        base_id = raw.get("extends")
        if base_id is None:
            return dict(raw)
        if base_id in seen:
            raise VocabError(f"Cirkulär extends i DCAT-AP-SE-mallen: {' → '.join(seen)}")
        base = self.merged(base_id, (*seen, base_id))
        return {**base, **{k: v for k, v in raw.items() if k != "extends"}}

    def item(self, ref: str | dict[str, Any], open_keys: set[str]) -> _Item:
        """Return the resolved item; ``open_keys`` collects the override keys it matched."""
        raw = self.merged(ref)
        chain = self._chain(ref)
        key = next((k for k in chain if k in DCAT_AP_OPEN_LISTS), chain[0])
        if key in DCAT_AP_OPEN_LISTS:
            open_keys.add(key)
        card = raw.get("cardinality") or {}
        kind = raw.get("type", "text")
        choices = None
        if "choices" in raw:
            choices = [
                (
                    URIRef(c["value"])
                    if raw.get("nodetype") in ("URI", "RESOURCE")
                    else Literal(c["value"]),
                    _sv(c.get("label")) or c["value"],
                )
                for c in raw["choices"]
            ]
        types = _as_list((raw.get("constraints") or {}).get(str(RDF.type)))
        types += _as_list((raw.get("constraints") or {}).get("rdf:type"))
        default_nodetype = {"group": "RESOURCE", "choice": "URI"}.get(kind, "LITERAL")
        return _Item(
            key=key,
            kind=kind,
            prop=_expand(raw["property"]) if raw.get("property") else None,
            nodetype=raw.get("nodetype", default_nodetype),
            min=card.get("min") or 0,
            pref=card.get("pref") or 0,
            max=card.get("max"),
            choices=choices,
            datatypes=[_expand(d) for d in _as_list(raw.get("datatype"))],
            pattern=_full_pattern(raw),
            value=raw.get("value"),
            styles=frozenset(raw.get("styles", [])),
            label=_sv(raw.get("label")),
            description=_sv(raw.get("description")),
            deps=raw.get("deps"),
            types=[_expand(t) for t in types],
            children=[self.item(c, open_keys) for c in raw.get("items", [])],
        )

    def _chain(self, ref: str | dict[str, Any]) -> list[str]:
        """Return the item's id (or inline property) followed by the ids it extends."""
        raw = self.raw[ref] if isinstance(ref, str) else ref
        chain = [raw.get("id") or raw.get("property") or "?"]
        while raw.get("extends"):
            chain.append(raw["extends"])
            raw = self.raw[raw["extends"]]
        return chain


@dataclass
class _Context:
    """Where property shapes go: a class shape, or the two halves of a nested shape."""

    slug: str
    classes: list[URIRef]
    attach: Callable[[str], URIRef]
    targeted: bool


@dataclass
class _Field:
    """The items of one class (or nested group) for one property, and their Swedish name."""

    prop: URIRef
    active: list[_Item]
    wrapper: _Item | None
    label: str
    description: str
    what: str  # "Label (prefix:name)", for messages


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")


class _Generator:
    def __init__(self, bundle: _Bundle, dcat_ap: Graph | None, digest: str) -> None:
        self.bundle = bundle
        self.graph = Graph()
        for prefix, ns in {**PREFIXES, "se": SE}.items():
            self.graph.bind(prefix, ns, replace=True)
        self.summary = Summary()
        self.open_keys: set[str] = set()
        self.nested: dict[str, tuple[URIRef | None, URIRef | None]] = {}
        self.ap_kinds = _dcat_ap_node_kinds(dcat_ap) if dcat_ap is not None else {}
        header = URIRef(str(SE))
        comment = (
            "Genererad av insyn.vocab.se_shapes ur DIGG:s RDForms-mall; redigera inte för hand."
        )
        self.graph.add((header, RDF.type, OWL.Ontology))
        self.graph.add((header, RDFS.label, Literal("DCAT-AP-SE 3.0.1 som SHACL", lang="sv")))
        self.graph.add((header, RDFS.comment, Literal(comment, lang="sv")))
        self.graph.add((header, DCTERMS.source, Literal(f"DIGG bundle.json sha256:{digest}")))

    def pname(self, iri: URIRef) -> str:
        return self.graph.namespace_manager.normalizeUri(iri)

    def run(self) -> None:
        """Emit a node shape per class template, then drop what nothing refers to."""
        roots = [
            tid
            for tid, raw in self.bundle.raw.items()
            if raw.get("type") == "group"
            and tid not in self.bundle.referenced
            and raw.get("constraints")
        ]
        for tid in roots:
            group = self.bundle.item(tid, self.open_keys)
            shape = SE[_slug(tid)]
            self.graph.add((shape, RDF.type, SH.NodeShape))
            self._names(shape, group.label, group.description)
            for cls in group.types:
                self.graph.add((shape, SH.targetClass, cls))
            self._fields(_Context(_slug(tid), group.types, lambda _s, s=shape: s, True), group)
            if group.nodetype != "RESOURCE" or group.max is not None or group.min:
                self.summary.notes.append(
                    f"{tid}: klassmallens egen nodetyp/kardinalitet (gäller formulärets rot)"
                )
        for key in sorted(set(DCAT_AP_OPEN_LISTS) - self.open_keys):
            self.summary.notes.append(f"DCAT_AP_OPEN_LISTS-nyckeln {key} finns inte i mallen")
        self._prune()
        self._count()

    def _prune(self) -> None:
        """Drop nested node shapes that no property refers to (advice that does not apply)."""
        for shape in list(self.graph.subjects(RDF.type, SH.NodeShape)):
            targeted = any((shape, p, None) in self.graph for p in _TARGETS)
            if targeted or (None, SH.node, shape) in self.graph:
                continue
            for prop_shape in list(self.graph.objects(shape, SH.property)):
                self._remove(prop_shape)
            self._remove(shape)

    def _remove(self, node: Node) -> None:
        for obj in list(self.graph.objects(node, None)):
            if isinstance(obj, BNode):
                self._remove(obj)
        self.graph.remove((node, None, None))

    def _count(self) -> None:
        summary = self.summary
        for shape in self.graph.subjects(RDF.type, SH.NodeShape):
            if (shape, SH.targetSubjectsOf, None) in self.graph:
                summary.conditional_shapes += 1
            elif (shape, SH.targetClass, None) in self.graph:
                summary.class_shapes += 1
            else:
                summary.nested_shapes += 1
        for shape in self.graph.subjects(RDF.type, SH.PropertyShape):
            severity = self.pname(self.graph.value(shape, SH.severity)).removeprefix("sh:")
            summary.property_shapes[severity] += 1

    def _names(self, shape: URIRef, label: str, description: str) -> None:
        if label:
            self.graph.add((shape, SH.name, Literal(label, lang="sv")))
        if description:
            self.graph.add((shape, SH.description, Literal(description, lang="sv")))

    def _fields(self, ctx: _Context, group: _Item) -> None:
        """Emit the property shapes of a class or nested group."""
        by_prop: dict[URIRef, list[tuple[_Item, _Item | None]]] = {}
        for child, wrapper in _flatten(group):
            if child.prop is None:
                self.summary.notes.append(f"{child.key}: fält utan egenskap")
                continue
            by_prop.setdefault(child.prop, []).append((child, wrapper))
        for prop, fields in by_prop.items():
            self._property(ctx, prop, fields)

    def _iri(self, ctx: _Context, field: _Field, suffix: str) -> URIRef:
        return SE[f"{ctx.slug}.{_slug(self.pname(field.prop))}{suffix}"]

    def _shape(
        self,
        ctx: _Context,
        field: _Field,
        suffix: str,
        severity: str,
        constraints: dict[URIRef, Node],
        message: str | None = None,
    ) -> URIRef:
        """Add a named property shape on ``field`` at ``severity`` to its node shape."""
        shape = self._iri(ctx, field, suffix)
        self.graph.add((ctx.attach(severity), SH.property, shape))
        self.graph.add((shape, RDF.type, SH.PropertyShape))
        self.graph.add((shape, SH.path, field.prop))
        self.graph.add((shape, SH.severity, SH[severity]))
        self._names(shape, field.label, field.description)
        for p, o in constraints.items():
            self.graph.add((shape, p, o))
        if message:
            self.graph.add((shape, SH.message, Literal(message, lang="sv")))
        return shape

    def _property(
        self, ctx: _Context, prop: URIRef, fields: list[tuple[_Item, _Item | None]]
    ) -> None:
        """Emit the shapes for all items of one property (see the module docstring)."""
        items = [item for item, _ in fields]
        active = [i for i in items if not i.deprecated]
        wrapper = fields[0][1] if all(w is fields[0][1] for _, w in fields) else None
        named = wrapper if wrapper is not None and len(items) > 1 else (active or items)[0]
        what = f"{named.label} ({self.pname(prop)})"
        field = _Field(prop, active, wrapper, named.label, named.description, what)

        deprecated = [c for i in items if i.deprecated for c in i.choices or []]
        if not active:
            message = f"{what} är föråldrad i DCAT-AP-SE"
            self._shape(ctx, field, ".foraldrad", "Warning", {SH.maxCount: Literal(0)}, message)
            return
        if deprecated:
            old = self._iri(ctx, field, ".foraldrad.lista")
            in_old = self._in_shape([v for v, _ in deprecated], old)
            message = f"Föråldrat värde för {what} enligt DCAT-AP-SE"
            self._shape(ctx, field, ".foraldrad", "Warning", {SH["not"]: in_old}, message)
        if prop == RDF.type:
            self._type_choice(ctx, field)
            return

        open_reason = next(
            (DCAT_AP_OPEN_LISTS[i.key] for i in active if i.key in DCAT_AP_OPEN_LISTS), None
        )
        counted = [i for i in active if not i.is_flag and not i.deps]
        min_count = max((i.min for i in counted), default=0)
        pref = max((i.pref for i in counted), default=0)
        if wrapper is not None and "disjoint" in wrapper.styles:
            # RDForms accepts one child of a disjoint group and checks not the group's min.
            max_count: int | None = 1
            pref = max(pref, wrapper.min, wrapper.pref)
        elif all(i.max is not None for i in active):
            max_count = sum(i.max or 0 for i in active)
        else:
            max_count = None
        kinds = frozenset("".join(_KINDS[i.nodetype] for i in active))
        conflict = self._conflict(ctx, prop, kinds)

        main: dict[URIRef, Node] = {}
        advice: dict[URIRef, Node] = {}
        if min_count:
            main[SH.minCount] = Literal(min_count)
        if pref > min_count:
            advice[SH.minCount] = Literal(pref)
        if max_count is not None:
            (advice if open_reason else main)[SH.maxCount] = Literal(max_count)
        if not conflict and kinds in _SH_KINDS:
            main[SH.nodeKind] = _SH_KINDS[kinds]
        datatypes = list(dict.fromkeys(d for i in active for d in i.datatypes))
        if not conflict and datatypes and all(i.nodetype == "DATATYPE_LITERAL" for i in active):
            if len(datatypes) == 1:
                main[SH.datatype] = datatypes[0]
            else:
                alternatives = [
                    self._node({SH.datatype: d}, SE[f"datatyp.{_slug(self.pname(d))}"])
                    for d in datatypes
                ]
                main[SH["or"]] = self._list(alternatives)
        values = [i.value for i in active if i.value]
        if len(values) == 1:
            (main if min_count else advice)[SH.hasValue] = URIRef(values[0])
        nested_advice = self._nested_shapes(ctx, field, main)

        if main:
            self._shape(ctx, field, "", "Violation", main)
        if advice:
            self._shape(ctx, field, ".rekommenderad", "Warning", advice)
        if nested_advice is not None:
            self._shape(ctx, field, ".rekommendationer", "Warning", {SH.node: nested_advice})
        if not conflict:
            self._choices(ctx, field, deprecated, open_reason)
            self._pattern(ctx, field)
            if all(i.nodetype == "LANGUAGE_LITERAL" for i in active):
                message = f"{what} bör ha en språktagg, t.ex. @sv"
                self._shape(ctx, field, ".sprak", "Warning", {SH.datatype: RDF.langString}, message)
        for item in active:
            if item.deps:
                self._conditional(ctx, field, item)

    def _nested_shapes(
        self, ctx: _Context, field: _Field, main: dict[URIRef, Node]
    ) -> URIRef | None:
        """Point ``main`` at a nested group's Violation half; return its Warning half if due."""
        groups = [i for i in field.active if i.kind == "group"]
        if len(groups) > 1:
            self.summary.notes.append(f"{ctx.slug} {self.pname(field.prop)}: flera grupper")
        if len(groups) != 1:
            return None
        required, advice = self._nested(groups[0])
        if required is not None:
            main[SH.node] = required
        if advice is not None and len(field.active) > 1:
            # A plain IRI sibling may take the value; the group's advice is not for it.
            # The unused half is pruned at the end.
            self.summary.notes.append(
                f"{ctx.slug} {self.pname(field.prop)}: rekommendationerna i {groups[0].key} "
                "gäller inte (alternativ utan grupp finns)"
            )
            return None
        return advice

    def _conflict(self, ctx: _Context, prop: URIRef, kinds: frozenset[str]) -> bool:
        """Return whether DCAT-AP gives ``prop`` a node kind that ``kinds`` cannot meet."""
        for cls in ctx.classes:
            ap_kind = self.ap_kinds.get((cls, prop))
            if ap_kind is not None and not kinds & _KIND_OF_SH[ap_kind]:
                self.summary.conflicts.append(
                    f"{self.pname(cls)} {self.pname(prop)}: DCAT-AP-SE anger "
                    f"{'/'.join(sorted(kinds))}, DCAT-AP {self.pname(ap_kind)}; "
                    "bara kardinalitet genereras"
                )
                return True
        return False

    def _choices(
        self,
        ctx: _Context,
        field: _Field,
        deprecated: list[tuple[Node, str]],
        open_reason: str | None,
    ) -> None:
        listed = [i for i in field.active if i.choices is not None]
        if not listed:
            return
        where = f"{ctx.slug} {self.pname(field.prop)}"
        if len(listed) < len(field.active):
            self.summary.value_lists["förslag"].append(where)
            return
        choices = [c for i in listed for c in i.choices or []] + deprecated
        severity = "Warning" if open_reason else "Violation"
        members = self._list(list(dict(choices)))
        if open_reason:
            message = f"Värdet för {field.what} finns inte i DCAT-AP-SE:s lista ({open_reason})"
        else:
            message = f"{field.what} ska ha {_choice_text(choices)}"
        self._shape(ctx, field, ".varden", severity, {SH["in"]: members}, message)
        self.summary.value_lists[severity].append(f"{where} ({len(choices)})")

    def _pattern(self, ctx: _Context, field: _Field) -> None:
        patterns = list(dict.fromkeys(i.pattern for i in field.active))
        if not patterns or None in patterns:
            return
        regex = patterns[0] if len(patterns) == 1 else f"^(?:{'|'.join(map(str, patterns))})$"
        message = f"Värdet för {field.what} har inte den form DCAT-AP-SE anger ({regex})"
        self._shape(ctx, field, ".monster", "Warning", {SH.pattern: Literal(regex)}, message)

    def _type_choice(self, ctx: _Context, field: _Field) -> None:
        """Count only the listed classes: the node may carry other types (vcard:Kind)."""
        item = field.active[0]
        choices = item.choices or []
        listed = self._in_shape([v for v, _ in choices], self._iri(ctx, field, ".varden.lista"))
        constraints: dict[URIRef, Node] = {SH.qualifiedValueShape: listed}
        if item.min:
            constraints[SH.qualifiedMinCount] = Literal(item.min)
        if item.max is not None:
            constraints[SH.qualifiedMaxCount] = Literal(item.max)
        exactly = "exakt " if item.min == item.max == 1 else ""
        message = f"{field.what} ska vara {exactly}{_choice_text(choices)}"
        self._shape(ctx, field, ".varden", "Violation", constraints, message)
        self.summary.value_lists["Violation"].append(f"{ctx.slug} {self.pname(field.prop)} (typ)")

    def _conditional(self, ctx: _Context, field: _Field, item: _Item) -> None:
        """Require ``item`` only where its ``deps`` [property, value] holds."""
        need = item.min or item.pref
        deps = item.deps or []
        if not need or len(deps) != 2 or not ctx.targeted:
            self.summary.notes.append(f"{item.key}: deps {deps} kan inte uttryckas")
            return
        dep_prop, dep_value = _expand(deps[0]), URIRef(deps[1])
        shape = self._iri(ctx, field, ".villkor")
        self.graph.add((shape, RDF.type, SH.NodeShape))
        # Only nodes that state the dependency property can need the item: targeting them
        # instead of the whole class keeps the sh:or off every other node.
        self.graph.add((shape, SH.targetSubjectsOf, dep_prop))
        self.graph.add((shape, SH.severity, SH["Violation" if item.min else "Warning"]))
        # Named inner shapes: pyshacl describes a failing inner shape in full, which for a
        # blank node means serialising its whole structure, once per focus node.
        classes = [
            self._node({SH["class"]: c}, URIRef(f"{shape}.klass{i}"))
            for i, c in enumerate(ctx.classes)
        ]
        in_class = self._node({SH["or"]: self._list(classes)}, URIRef(f"{shape}.klass"))
        holds = self._node({SH.path: dep_prop, SH.hasValue: dep_value}, URIRef(f"{shape}.om"))
        alternatives = [
            self._node({SH["not"]: in_class}, URIRef(f"{shape}.annan-klass")),
            self._node({SH["not"]: holds}, URIRef(f"{shape}.inte")),
            self._node({SH.path: field.prop, SH.minCount: Literal(need)}, URIRef(f"{shape}.krav")),
        ]
        self.graph.add((shape, SH["or"], self._list(alternatives)))
        verb = "krävs" if item.min else "rekommenderas"
        dep = f"{self.pname(dep_prop)} är {self._choice_label(dep_prop, dep_value)}"
        self.graph.add((shape, SH.message, Literal(f"{field.what} {verb} när {dep}", lang="sv")))

    def _choice_label(self, prop: URIRef, value: URIRef) -> str:
        for raw in self.bundle.raw.values():
            if raw.get("property") and _expand(raw["property"]) == prop:
                for choice in raw.get("choices", []):
                    if choice["value"] == str(value):
                        return f"”{_sv(choice.get('label'))}” <{value}>"
        return f"<{value}>"

    def _nested(self, group: _Item) -> tuple[URIRef | None, URIRef | None]:
        """Return the Violation and Warning node shapes for a nested group, made once."""
        if group.key not in self.nested:
            slug = _slug(group.key)
            halves = {"Violation": SE[f"{slug}.krav"], "Warning": SE[f"{slug}.rekommendationer"]}
            self._fields(_Context(slug, group.types, halves.__getitem__, False), group)
            for half in halves.values():
                if (half, SH.property, None) in self.graph:
                    self.graph.add((half, RDF.type, SH.NodeShape))
                    self._names(half, group.label, group.description)
            made = [h if (h, SH.property, None) in self.graph else None for h in halves.values()]
            self.nested[group.key] = (made[0], made[1])
        return self.nested[group.key]

    def _node(self, pairs: dict[URIRef, Node], node: URIRef | None = None) -> Node:
        subject: Node = node if node is not None else BNode()
        for p, o in pairs.items():
            self.graph.add((subject, p, o))
        return subject

    def _list(self, members: list[Node]) -> BNode:
        head = BNode()
        Collection(self.graph, head, members)
        return head

    def _in_shape(self, values: list[Node], node: URIRef) -> Node:
        return self._node({SH["in"]: self._list(list(dict.fromkeys(values)))}, node)


def _flatten(group: _Item) -> list[tuple[_Item, _Item | None]]:
    """Return a group's fields, lifting the children of layout (property-less) groups."""
    out: list[tuple[_Item, _Item | None]] = []
    for child in group.children:
        if child.kind == "group" and child.prop is None:
            out += [(grandchild, child) for grandchild, _ in _flatten(child)]
        else:
            out.append((child, None))
    return out


def _choice_text(choices: list[tuple[Node, str]]) -> str:
    labels = list(dict.fromkeys(label for _, label in choices))
    if len(labels) > _MAX_LISTED_CHOICES:
        return f"ett värde ur DCAT-AP-SE:s lista ({len(labels)} värden)"
    return f"ett av värdena: {', '.join(labels)}"


def _dcat_ap_node_kinds(graph: Graph) -> dict[tuple[Node, Node], URIRef]:
    """Return DCAT-AP's ``sh:nodeKind`` per (target class, predicate path)."""
    kinds: dict[tuple[Node, Node], URIRef] = {}
    for node_shape, cls in graph.subject_objects(SH.targetClass):
        for prop_shape in graph.objects(node_shape, SH.property):
            path, kind = graph.value(prop_shape, SH.path), graph.value(prop_shape, SH.nodeKind)
            if isinstance(path, URIRef) and isinstance(kind, URIRef) and kind in _KIND_OF_SH:
                kinds[(cls, path)] = kind
    return kinds


def generate(
    bundle_path: Path, dcat_ap_shapes: Path | None = DCAT_AP_SHAPES_FILE
) -> tuple[Graph, Summary]:
    """Return the DCAT-AP-SE shapes generated from ``bundle_path`` and a summary.

    ``dcat_ap_shapes`` (DCAT-AP 3.0.1 ``shapes.ttl``) is read to leave out node types that
    contradict DCAT-AP; ``None`` skips that check. Raises VocabError for an unreadable bundle.
    """
    try:
        data = Path(bundle_path).read_bytes()
        templates = json.loads(data)["templates"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise VocabError(
            f"DCAT-AP-SE-mallen kunde inte läsas: {exc}", source=str(bundle_path)
        ) from exc
    dcat_ap = Graph().parse(dcat_ap_shapes, format="turtle") if dcat_ap_shapes else None
    generator = _Generator(_Bundle(templates), dcat_ap, hashlib.sha256(data).hexdigest())
    generator.run()
    return generator.graph, generator.summary


def build_shapes(bundle_path: Path) -> Graph:
    """Return the DCAT-AP-SE SHACL shapes generated from the RDForms bundle at ``bundle_path``.

    Raises VocabError when the bundle cannot be read or uses an unknown prefix.
    """
    return generate(bundle_path)[0]


def main(argv: list[str] | None = None) -> int:
    """Write the shapes for ``BUNDLE`` to ``OUTPUT`` as Turtle and print a summary."""
    parser = argparse.ArgumentParser(
        prog="python -m insyn.vocab.se_shapes",
        description="Generera SHACL-former för DCAT-AP-SE ur DIGG:s RDForms-mall (bundle.json).",
    )
    parser.add_argument("bundle", type=Path, help="DIGG:s bundle.json")
    parser.add_argument("output", type=Path, help="Turtle-fil att skriva")
    parser.add_argument(
        "--dcat-ap",
        type=Path,
        default=DCAT_AP_SHAPES_FILE,
        help="DCAT-AP 3.0.1 shapes.ttl att jämföra nodtyper mot",
    )
    args = parser.parse_args(argv)
    try:
        graph, summary = generate(args.bundle, args.dcat_ap)
    except VocabError as exc:
        print(exc, file=sys.stderr)
        return 1
    args.output.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    print(summary.text())
    print(f"Skrev {len(graph)} tripler till {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
