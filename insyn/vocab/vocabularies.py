"""Controlled vocabularies: EU authority tables, ADMS publisher types, DCAT-AP-SE's lists.

Everything is read from the official files bundled in ``data/vocabularies`` (origin and
licence of each are in the NOTICE there), never retyped, once per process on first use.

A vocabulary resolves what sources actually write to one concept: a URI (http or https,
with or without a trailing slash), a code ("CSV", "PUBLIC"), a label in any language
("Utbildning, kultur och sport"), and for file types also a media type ("text/csv", its
IANA or INSPIRE URI) or a file extension (".csv"). Swedish and English display labels are
DIGG's (the DCAT-AP-SE 3.0.1 bundle) where DIGG gives one, else the EU files'.

An unrecognised value is never dropped: ``normalise`` hands it back unchanged with
``False``, for the caller to keep and report.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import pyoxigraph

from insyn.errors import VocabError

# Plain strings rather than rdflib namespaces: nothing here needs rdflib, and a connector
# that only normalises values should not pay for importing it.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
# The list's one type for natural persons: an agent the source calls a person
# (foaf:Person, schema:Person, vcard:Individual) has it, as DCAT-AP-SE wants a type.
PERSON_PUBLISHER_TYPE = ADMS_PUBLISHER_TYPE + "PrivateIndividual(s)"
PERSON_CLASSES = frozenset(
    {
        "http://xmlns.com/foaf/0.1/Person",
        "http://schema.org/Person",
        "https://schema.org/Person",
        "http://www.w3.org/2006/vcard/ns#Individual",
    }
)
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
INSPIRE_MEDIA_TYPES = "http://inspire.ec.europa.eu/media-types/"
INSPIRE_THEME = "http://inspire.ec.europa.eu/theme/"
ISO_TOPIC_CATEGORY = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SKOS_XL = "http://www.w3.org/2008/05/skos-xl#"
_EUVOC = "http://publications.europa.eu/ontology/euvoc#"
_DEPRECATED = "http://publications.europa.eu/ontology/authority/deprecated"
_DC_IDENTIFIER = "http://purl.org/dc/elements/1.1/identifier"
_DCT_TYPE = "http://purl.org/dc/terms/type"
_MAPPING_RELATIONS = frozenset(
    _SKOS + name
    for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
# The Publications Office puts a "Provisional data" placeholder into every authority table;
# no dataset may carry it, and DCAT-AP-SE lists it nowhere.
_PLACEHOLDER_CODES = frozenset({"OP_DATPRO"})
_MEDIA_TYPE = re.compile(r"^[a-z0-9][\w.+-]*/[\w.+-]+$")
_EXTENSION = re.compile(r"^[\w+-]+(\.[\w+-]+)*$")
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})[-_][a-z0-9-]+$", re.IGNORECASE)

_DATA = resources.files("insyn.vocab").joinpath("data", "vocabularies")
_OLD_AUTHORITY = re.compile(r"/mdr/authority/")
_LANGUAGE_IRI = re.compile(
    r"^https?://(?:id\.loc\.gov/vocabulary/iso639-[12]|lexvo\.org/id/iso639-[13])/([a-z]{2,3})/?$",
    re.IGNORECASE,
)
# ISO 8601 repeating intervals as Project Open Data (DCAT-US 1.1) lists them for
# accrualPeriodicity, and the EU frequency each names.
_ISO8601_FREQUENCIES = {
    "R/P10Y": "DECENNIAL",
    "R/P4Y": "QUADRENNIAL",
    "R/P3Y": "TRIENNIAL",
    "R/P2Y": "BIENNIAL",
    "R/P1Y": "ANNUAL",
    "R/P6M": "ANNUAL_2",
    "R/P4M": "ANNUAL_3",
    "R/P3M": "QUARTERLY",
    "R/P2M": "BIMONTHLY",
    "R/P0.5M": "MONTHLY_2",
    "R/P1M": "MONTHLY",
    "R/P2W": "BIWEEKLY",
    "R/P0.33W": "WEEKLY_3",
    "R/P0.5W": "WEEKLY_2",
    "R/P3.5D": "WEEKLY_2",
    "R/P1W": "WEEKLY",
    "R/P1D": "DAILY",
    "R/PT1H": "HOURLY",
    "R/PT1S": "CONT",
}


@dataclass(frozen=True)
class Concept:
    """One value of a vocabulary: its URI, its code and its labels (language → label)."""

    uri: str
    code: str
    labels: dict[str, str] = field(compare=False)  # equal and hashable by URI and code

    def label(self, lang: str = "sv") -> str:
        """Return the label in ``lang``, else Swedish, English, any language, else the code."""
        for tag in (lang, "sv", "en"):
            if self.labels.get(tag):
                return self.labels[tag]
        return next(iter(self.labels.values()), self.code)


@dataclass
class _Index:
    """Lookup keys of one vocabulary, tried in this order; each key names one concept."""

    uris: dict[str, str]
    codes: dict[str, str]
    labels: dict[str, str]
    alt_labels: dict[str, str]
    media_types: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


class Vocabulary:
    """A controlled vocabulary: its concepts by URI, and ways to find one from a value."""

    def __init__(
        self, name: str, scheme_uri: str, concepts: dict[str, Concept], index: _Index
    ) -> None:
        self.name = name
        self.scheme_uri = scheme_uri
        self.concepts = concepts
        self._index = index

    def __repr__(self) -> str:
        return f"<Vocabulary {self.name}: {len(self.concepts)} begrepp>"

    def __len__(self) -> int:
        return len(self.concepts)

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts.values())

    def __contains__(self, uri: object) -> bool:
        return isinstance(uri, str) and self.get(uri) is not None

    def get(self, uri: str) -> Concept | None:
        """Return the concept with this URI (or one the files equate with it), or None."""
        if uri in self.concepts:
            return self.concepts[uri]
        found = self._index.uris.get(_uri_key(uri))
        if found is None and _OLD_AUTHORITY.search(uri):
            # DCAT-AP 1.x named the EU tables under mdr/authority/; 2.x and 3.x under
            # resource/authority/, with the same codes.
            found = self._index.uris.get(_uri_key(_OLD_AUTHORITY.sub("/resource/authority/", uri)))
        return self.concepts[found] if found else None

    def lookup(self, value: str) -> Concept | None:
        """Return the concept ``value`` names (URI, code, label …), or None if none does.

        A key the files give to several current concepts names none of them.
        """
        text = " ".join(value.split())
        if not text:
            return None
        if "://" in text and (concept := self.get(text)):
            return concept
        key = text.casefold()
        for keys in (self._index.codes, self._index.labels, self._index.alt_labels):
            if key in keys:
                return self.concepts[keys[key]]
        found = self._lookup_more(text)
        return self.concepts[found] if found else None

    def _lookup_more(self, text: str) -> str | None:
        """Return the URI a vocabulary-specific form of ``text`` names (none by default)."""
        return None


class _FileTypes(Vocabulary):
    def _lookup_more(self, text: str) -> str | None:
        media_type = _media_type_key(text)
        if media_type is None:
            return self._index.extensions.get(_extension_key(text) or "")
        if media_type in self._index.media_types:
            return self._index.media_types[media_type]
        # A media type the files do not list may still spell the file type in its whole
        # subtype: "text/xml" → XML, "application/csv" → CSV; but text/csv+zip is no CSV.
        return self._index.codes.get(_codes_named_by(media_type)[0].casefold())


class _Languages(Vocabulary):
    def _lookup_more(self, text: str) -> str | None:
        # A BCP 47 tag adds a region or script ("sv-SE"); the language is what we record.
        match = _LANGUAGE_TAG.match(text)
        if match:
            return self._index.codes.get(match.group(1).casefold())
        # The ISO 639 IRIs of the Library of Congress and Lexvo, which DCAT-AP 1.x sources
        # and DCAT-US use instead of the EU table: the code at their end is the language.
        found = _LANGUAGE_IRI.match(text)
        return self._index.codes.get(found.group(1).casefold()) if found else None


class _Frequencies(Vocabulary):
    def _lookup_more(self, text: str) -> str | None:
        # An ISO 8601 repeating interval (DCAT-US, schema.org: "R/P1Y") as the EU frequency.
        code = _ISO8601_FREQUENCIES.get(text.strip().upper())
        return self._index.codes.get(code.casefold()) if code else None


# --- reading the bundled files ---------------------------------------------------------


def _read(filename: str) -> bytes:
    try:
        return _DATA.joinpath(filename).read_bytes()
    except OSError as exc:
        raise VocabError(
            f"Vokabulärfilen {filename} saknas eller kan inte läsas; installera om Insyn ({exc})."
        ) from exc


def _quads(filename: str) -> list[pyoxigraph.Quad]:
    # pyoxigraph's streaming parser: 30 ms for the three big RDF/XML files, rdflib 0.6 s.
    ttl = filename.endswith(".ttl")
    rdf_format = pyoxigraph.RdfFormat.TURTLE if ttl else pyoxigraph.RdfFormat.RDF_XML
    # GeoCat's alignments describe themselves as rdf:about="", which needs a base IRI.
    base = f"file:///insyn/vocab/data/vocabularies/{filename}"
    try:
        return list(pyoxigraph.parse(_read(filename), format=rdf_format, base_iri=base))
    except SyntaxError as exc:
        raise VocabError(f"Vokabulärfilen {filename} är inte giltig RDF: {exc}") from exc


@cache
def _json(filename: str) -> Any:
    try:
        return json.loads(_read(filename))
    except ValueError as exc:
        raise VocabError(f"Vokabulärfilen {filename} är inte giltig JSON: {exc}") from exc


@cache
def _dcat_ap_se_choices(template_id: str) -> list[dict[str, Any]]:
    """Return a value list of DIGG's DCAT-AP-SE 3.0.1 bundle: value and label per language."""
    for template in _json("bundle.json")["templates"]:
        if template.get("id") == template_id:
            return template["choices"]
    raise VocabError(f"DCAT-AP-SE-paketet saknar värdelistan {template_id}.")


def _node(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value


# --- concepts as read, before they are frozen ------------------------------------------


@dataclass
class _Draft:
    uri: str
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: set[str] = field(default_factory=set)
    other_codes: set[str] = field(default_factory=set)
    same_as: set[str] = field(default_factory=set)
    media_types: set[str] = field(default_factory=set)
    extensions: set[str] = field(default_factory=set)
    deprecated: bool = False

    def add_label(self, lang: str, text: str, *, prefer: bool = False) -> None:
        """Add a label; ``prefer`` makes it the display label for its language."""
        old = self.labels.get(lang)
        if old is None or prefer:
            self.labels[lang] = text
            text = old or text
        if text != self.labels[lang]:
            self.alt_labels.add(text)


Drafts = dict[str, _Draft]


def _skos_concepts(filename: str, namespace: str) -> Drafts:
    """Read the SKOS concepts under ``namespace``: codes, labels, notations, exact matches."""
    graph: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for quad in _quads(filename):
        graph[_node(quad.subject)][quad.predicate.value].append(quad.object)

    def literals(node: str, predicate: str) -> list[Any]:
        found = graph[node][predicate] if node in graph else []
        return [o for o in found if isinstance(o, pyoxigraph.Literal)]

    drafts: Drafts = {}
    for subject, props in list(graph.items()):
        if not subject.startswith(namespace) or not (
            _SKOS + "inScheme" in props or _DC_IDENTIFIER in props
        ):
            continue
        codes = literals(subject, _DC_IDENTIFIER) + literals(subject, _SKOS + "notation")
        code = codes[0].value if codes else subject.removeprefix(namespace)
        if code in _PLACEHOLDER_CODES:
            continue
        draft = drafts[subject] = _Draft(subject, code)
        draft.deprecated = any(o.value == "true" for o in literals(subject, _DEPRECATED))
        for literal in literals(subject, _SKOS + "prefLabel"):
            draft.add_label((literal.language or "").lower(), literal.value)
        draft.alt_labels.update(o.value for o in literals(subject, _SKOS + "altLabel"))
        # Long names ("Comma-Separated Values") are given only as SKOS-XL labels.
        for predicate in (_SKOS_XL + "prefLabel", _SKOS_XL + "altLabel"):
            for label in props.get(predicate, []):
                forms = literals(_node(label), _SKOS_XL + "literalForm")
                draft.alt_labels.update(o.value for o in forms)
        for notation in props.get(_EUVOC + "xlNotation", []):
            kinds = {o.value.rsplit("/", 1)[-1] for o in graph[_node(notation)][_DCT_TYPE]}
            values = [o.value for o in literals(_node(notation), _EUVOC + "xlCodification")]
            # Malformed notations ("arcgis_rest" as a media type, "gml .xml" as an
            # extension) are skipped rather than guessed at.
            if "IANA_MT" in kinds:
                draft.media_types.update(filter(None, map(_media_type_key, values)))
            if "FILE_EXT" in kinds:
                draft.extensions.update(filter(None, map(_extension_key, values)))
        draft.same_as.update(o.value for o in props.get(_SKOS + "exactMatch", []))
    return drafts


def _merge(*sources: Drafts) -> Drafts:
    """Return the union of several readings of one table; the first source's labels lead."""
    merged: Drafts = {}
    for drafts in sources:
        for uri, draft in drafts.items():
            into = merged.setdefault(uri, _Draft(uri, draft.code, deprecated=draft.deprecated))
            for lang, text in draft.labels.items():
                into.add_label(lang, text)
            into.other_codes |= {draft.code, *draft.other_codes} - {into.code}
            into.alt_labels |= draft.alt_labels
            into.same_as |= draft.same_as
            into.media_types |= draft.media_types
            into.extensions |= draft.extensions
    return merged


def _apply_dcat_ap_se(drafts: Drafts, template_id: str) -> None:
    """Make DIGG's labels the display labels; add the DCAT-AP-SE values the EU files lack."""
    for choice in _dcat_ap_se_choices(template_id):
        uri = choice["value"]
        if uri not in drafts:
            code = uri.rsplit("/", 1)[-1] if uri.startswith(EU_AUTHORITY) else ""
            drafts[uri] = _Draft(uri, code)
        for lang, text in choice.get("label", {}).items():
            drafts[uri].add_label(lang, text, prefer=True)


def _apply_processor(drafts: Drafts, filename: str, *, code_from_key: bool = False) -> None:
    """Add the names DIGG's DCAT-AP-SE processor accepts (its keys and titles) as labels."""
    for key, entry in _json(filename).items():
        draft = drafts.get(entry["url"])
        if draft is None:
            continue
        draft.alt_labels |= {key.strip(), entry.get("title", "").strip()} - {""}
        if code_from_key and not draft.code:
            draft.code = key.strip()


# --- keys --------------------------------------------------------------------------------


def _uri_key(uri: str) -> str:
    return re.sub(r"^https?://", "", uri.strip()).rstrip("/").casefold()


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _media_type_key(text: str) -> str | None:
    """Return the bare media type in ``text`` (or in its IANA or INSPIRE URI), or None."""
    value = re.sub(r"^https?://", "", text.strip().lower())
    for prefix in (IANA_MEDIA_TYPES, INSPIRE_MEDIA_TYPES):
        value = value.removeprefix(prefix.removeprefix("http://"))
    value = value.split(";", 1)[0].strip()
    return value if _MEDIA_TYPE.match(value) else None


def _extension_key(text: str) -> str | None:
    """Return a file extension without its dot, lower-cased, or None if ``text`` is none."""
    value = text.strip().lower().removeprefix(".")
    return value if _EXTENSION.match(value) else None


def _codes_named_by(media_type: str) -> list[str]:
    """Return the file-type codes a media type's subtype spells: rdf+xml → RDF_XML, RDF."""
    subtype = media_type.split("/", 1)[1].removeprefix("x-")
    return [re.sub(r"[+.-]", "_", subtype).upper(), subtype.split("+", 1)[0].upper()]


def _unique(pairs: Iterable[tuple[str, str]], deprecated: set[str]) -> dict[str, str]:
    """Return key → URI for the keys that name one concept, or one not deprecated."""
    found: dict[str, set[str]] = defaultdict(set)
    for key, uri in pairs:
        if key:
            found[key].add(uri)
    index = {}
    for key, uris in found.items():
        # The EU licence table gives CC_BY (deprecated) and CC_BY_4_0 the same label.
        current = uris - deprecated if len(uris) > 1 else uris
        if len(current) == 1:
            index[key] = next(iter(current))
    return index


def _pick(candidates: list[_Draft], codes: list[str]) -> _Draft | None:
    """Choose among file types sharing a media type or an extension, or return None."""
    if len(candidates) == 1:
        return candidates[0]
    # application/xml is given to XML, METS, TMX …: take the type the key itself names.
    for code in codes:
        for draft in candidates:
            if draft.code == code:
                return draft
    # text/plain is given to TXT, MIF_MID, UNGEN: take the one named after its extension.
    own = [d for d in candidates if d.code.lower() in d.extensions]
    return own[0] if len(own) == 1 else None


def _build(
    cls: type[Vocabulary], name: str, scheme_uri: str, drafts: Drafts, **extra: dict[str, str]
) -> Vocabulary:
    concepts = {
        uri: Concept(uri, d.code or uri, dict(sorted(d.labels.items())))
        for uri, d in sorted(drafts.items())
    }
    old = {d.uri for d in drafts.values() if d.deprecated}
    every = drafts.values()
    index = _Index(
        uris=_unique(((_uri_key(u), d.uri) for d in every for u in (d.uri, *d.same_as)), old),
        codes=_unique(
            ((c.casefold(), d.uri) for d in every for c in (d.code, *d.other_codes)), old
        ),
        labels=_unique(((_label_key(t), d.uri) for d in every for t in d.labels.values()), old),
        alt_labels=_unique(((_label_key(t), d.uri) for d in every for t in d.alt_labels), old),
        **extra,
    )
    return cls(name, scheme_uri, concepts, index)


# --- the vocabularies --------------------------------------------------------------------


@cache
def access_rights() -> Vocabulary:
    """Return the EU access rights, with DCAT-AP-SE's Swedish labels.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    scheme = EU_AUTHORITY + "access-right"
    drafts = _skos_concepts("access-right-sparql-result.ttl", scheme + "/")
    _apply_dcat_ap_se(drafts, "dcat:dcterms:accessRights")
    _apply_processor(drafts, "accessRights.json")
    # Hand-written, as no file has it: DIGG calls PUBLIC "Publik" and NON_PUBLIC "Ej
    # offentlig", but Swedish sources write "Offentlig", the word of offentlighetsprincipen.
    drafts[scheme + "/PUBLIC"].alt_labels.add("Offentlig")
    return _build(Vocabulary, "access_rights", scheme, drafts)


@cache
def data_themes() -> Vocabulary:
    """Return the 13 EU data themes, with DCAT-AP-SE's Swedish labels.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    scheme = EU_AUTHORITY + "data-theme"
    drafts = _skos_concepts("data-theme-skos-ap-act.rdf", scheme + "/")
    _apply_dcat_ap_se(drafts, "dcat:theme")
    _apply_processor(drafts, "theme.json")
    return _build(Vocabulary, "data_themes", scheme, drafts)


@cache
def frequencies() -> Vocabulary:
    """Return the EU frequencies (found also by their Dublin Core URIs), DCAT-AP-SE labels.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    scheme = EU_AUTHORITY + "frequency"
    drafts = _merge(
        _skos_concepts("frequencies-skos-ap-act.rdf", scheme + "/"),
        _skos_concepts("frequencies-sparql-result.ttl", scheme + "/"),
    )
    _apply_dcat_ap_se(drafts, "dcat:dcterms:accrualPeriodicity_da")
    _apply_processor(drafts, "accrualPeriodicity.json")
    return _build(_Frequencies, "frequencies", scheme, drafts)


@cache
def file_types() -> Vocabulary:
    """Return the EU file types, found also by media type and by file extension.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    scheme = EU_AUTHORITY + "file-type"
    drafts = _merge(
        _skos_concepts("filetypes-skos-ap-act.rdf", scheme + "/"),
        _skos_concepts("filetypes-sparql-result.ttl", scheme + "/"),
    )
    by_media_type: dict[str, list[_Draft]] = defaultdict(list)
    by_extension: dict[str, list[_Draft]] = defaultdict(list)
    for draft in drafts.values():
        for media_type in draft.media_types:
            by_media_type[media_type].append(draft)
        for extension in draft.extensions:
            by_extension[extension].append(draft)
    media_types = {
        key: chosen.uri
        for key, candidates in by_media_type.items()
        if (chosen := _pick(candidates, _codes_named_by(key)))
    }
    extensions = {
        key: chosen.uri
        for key, candidates in by_extension.items()
        if (chosen := _pick(candidates, [key.upper()]))
    }
    # GeoCat's alignment settles media types the table leaves open or lacks, and makes the
    # INSPIRE media-type URIs names of file types.
    for source, target in _media_type_alignment().items():
        if target in drafts:
            drafts[target].same_as.add(source)
            if media_type := _media_type_key(source):
                media_types[media_type] = target
    # DIGG names media types ("Microsoft Excel (.xls)", "turtle"); so they name file types.
    names = [
        (name, entry["url"])
        for filename in ("media.json", "geographicmedia.json")
        for key, entry in _json(filename).items()
        for name in (key, entry.get("title", ""))
    ] + [
        (label, choice["value"])
        for template in ("dcat:format-group_common_choices", "geodcat:dcterms:format-INSPIRE")
        for choice in _dcat_ap_se_choices(template)
        for label in choice.get("label", {}).values()
    ]
    for name, media_type in names:
        target = media_types.get(_media_type_key(media_type) or "")
        if target and name.strip():
            drafts[target].alt_labels.add(name.strip())
    return _build(
        _FileTypes, "file_types", scheme, drafts, media_types=media_types, extensions=extensions
    )


@cache
def languages() -> Vocabulary:
    """Return the languages DCAT-AP-SE lists, found also by ISO 639-1 code ("sv", "sv-SE").

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    drafts: Drafts = {}
    _apply_dcat_ap_se(drafts, "dcat:dcterms:language")
    # DIGG's processor file gives the two-letter codes. Its Swedish names are not used (it
    # calls UKR "valencianska"), and a code it gives to two languages ("la" for Latin and
    # for Luxembourgish) names neither.
    for entry in _json("languages.json").values():
        if entry["url"] in drafts and entry.get("metadata"):
            drafts[entry["url"]].other_codes.add(entry["metadata"])
    return _build(_Languages, "languages", EU_AUTHORITY + "language", drafts)


@cache
def licences() -> Vocabulary:
    """Return the EU licences plus the Creative Commons licences DCAT-AP-SE offers.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    scheme = EU_AUTHORITY + "licence"
    drafts = _skos_concepts("licences-sparql-result.ttl", scheme + "/")
    _apply_dcat_ap_se(drafts, "dcat:dcterms:cc-license-choices")
    _apply_processor(drafts, "license.json", code_from_key=True)
    return _build(Vocabulary, "licences", scheme, drafts)


@cache
def publisher_types() -> Vocabulary:
    """Return the ADMS publisher types, with DCAT-AP-SE's Swedish labels.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    drafts = _skos_concepts("ADMS_SKOS_v1.00.rdf", ADMS_PUBLISHER_TYPE)
    _apply_dcat_ap_se(drafts, "adms:publishertype")
    return _build(Vocabulary, "publisher_types", ADMS_PUBLISHER_TYPE + "1.0", drafts)


VOCABULARIES: dict[str, Callable[[], Vocabulary]] = {
    "access_rights": access_rights,
    "data_themes": data_themes,
    "file_types": file_types,
    "frequencies": frequencies,
    "languages": languages,
    "licences": licences,
    "publisher_types": publisher_types,
}


def by_name(name: str) -> Vocabulary:
    """Return the vocabulary called ``name``, a key of ``VOCABULARIES``.

    Raises:
        VocabError: no vocabulary has that name, or its files are unreadable.
    """
    if name not in VOCABULARIES:
        known = ", ".join(VOCABULARIES)
        raise VocabError(f"Okänd vokabulär {name!r}; välj en av: {known}.")
    return VOCABULARIES[name]()


def normalise(vocabulary_name: str, value: str) -> tuple[str, bool]:
    """Return (the concept URI to store, True), or (``value`` unchanged, False) if unknown.

    Raises:
        VocabError: no vocabulary has that name, or its files are unreadable.
    """
    concept = by_name(vocabulary_name).lookup(value)
    return (concept.uri, True) if concept else (value, False)


# --- GeoCat's alignments, for geodata (ISO 19139, INSPIRE) sources ------------------------


@cache
def _alignment(filename: str) -> dict[str, tuple[str, ...]]:
    """Return source URI key → target URIs of every SKOS mapping relation, in file order."""
    targets: dict[str, list[str]] = defaultdict(list)
    for quad in _quads(filename):
        if quad.predicate.value in _MAPPING_RELATIONS:
            found = targets[_uri_key(quad.subject.value)]
            if quad.object.value not in found:
                found.append(quad.object.value)
    return {key: tuple(uris) for key, uris in targets.items()}


@cache
def _media_type_alignment() -> dict[str, str]:
    """Return INSPIRE or IANA media-type URI → EU file-type URI (exact matches only)."""
    return {
        quad.subject.value: quad.object.value
        for quad in _quads("inspire-media-types-to-mdr-file-types.rdf")
        if quad.predicate.value == _SKOS + "exactMatch"
    }


def _aligned(filename: str, namespace: str, value: str) -> tuple[str, ...]:
    uri = value if "://" in value else namespace + value.strip()
    return _alignment(filename).get(_uri_key(uri), ())


# The 34 INSPIRE themes by the INSPIRE registry's code and English name (as in the registry,
# http://inspire.ec.europa.eu/theme, whose 2018 copy GeoNetwork bundles). GEMET's thesaurus
# names a theme by a number of its own: the English name joins the two.
INSPIRE_THEME_NAMES = {
    "ac": "Atmospheric conditions",
    "ad": "Addresses",
    "af": "Agricultural and aquaculture facilities",
    "am": "Area management/restriction/regulation zones and reporting units",
    "au": "Administrative units",
    "br": "Bio-geographical regions",
    "bu": "Buildings",
    "cp": "Cadastral parcels",
    "ef": "Environmental monitoring facilities",
    "el": "Elevation",
    "er": "Energy resources",
    "ge": "Geology",
    "gg": "Geographical grid systems",
    "gn": "Geographical names",
    "hb": "Habitats and biotopes",
    "hh": "Human health and safety",
    "hy": "Hydrography",
    "lc": "Land cover",
    "lu": "Land use",
    "mf": "Meteorological geographical features",
    "mr": "Mineral resources",
    "nz": "Natural risk zones",
    "of": "Oceanographic geographical features",
    "oi": "Orthoimagery",
    "pd": "Population distribution - demography",
    "pf": "Production and industrial facilities",
    "ps": "Protected sites",
    "rs": "Coordinate reference systems",
    "sd": "Species distribution",
    "so": "Soil",
    "sr": "Sea regions",
    "su": "Statistical units",
    "tn": "Transport networks",
    "us": "Utility and governmental services",
}


def theme_label_key(text: str) -> str:
    """A theme label as compared: any dash as "-", spaces collapsed, any case."""
    return " ".join(text.replace("\u2014", "-").replace("\u2013", "-").split()).casefold()


@cache
def inspire_theme_labels() -> dict[str, dict[str, str]]:
    """Return INSPIRE theme code → {language: label}, in the 22 EU languages of GEMET's
    INSPIRE themes thesaurus (``inspire-theme.rdf``), Swedish among them.

    Raises:
        VocabError: the bundled file is missing or unreadable, or names a theme the
            registry does not (by its English name).
    """
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for quad in _quads("inspire-theme.rdf"):
        term = quad.object
        if quad.predicate.value == _SKOS + "prefLabel" and isinstance(term, pyoxigraph.Literal):
            labels[quad.subject.value][term.language or ""] = term.value.strip()
    code_by_name = {theme_label_key(name): code for code, name in INSPIRE_THEME_NAMES.items()}
    result: dict[str, dict[str, str]] = {}
    for concept, by_language in labels.items():
        code = code_by_name.get(theme_label_key(by_language.get("en", "")))
        if code is None:
            raise VocabError(f"inspire-theme.rdf: {concept} är inget tema i INSPIRE-registret")
        result[code] = dict(sorted(by_language.items()))
    return result


def inspire_theme_code(label: str) -> str | None:
    """The INSPIRE theme code ("hy") a label names in any of the 22 languages; None if none."""
    return _inspire_theme_by_label().get(theme_label_key(label))


@cache
def _inspire_theme_by_label() -> dict[str, str]:
    return {
        theme_label_key(label): code
        for code, by_language in inspire_theme_labels().items()
        for label in (*by_language.values(), INSPIRE_THEME_NAMES[code])
    }


def inspire_theme_to_data_theme(uri: str) -> tuple[str, ...]:
    """Return the EU data-theme URIs for an INSPIRE theme (URI or code "hy"); () if none.

    Raises:
        VocabError: the bundled alignment file is missing or unreadable.
    """
    return _aligned("inspire-themes-to-mdr-data-themes.rdf", INSPIRE_THEME, uri)


def iso_topic_category_to_inspire_themes(code: str) -> tuple[str, ...]:
    """Return the INSPIRE theme URIs for an ISO 19115 topic category (code or URI).

    Every correspondence in the INSPIRE metadata regulation counts, the "related" ones too.

    Raises:
        VocabError: the bundled alignment file is missing or unreadable.
    """
    return _aligned("iso-topic-categories-to-inspire-themes.rdf", ISO_TOPIC_CATEGORY, code)


def inspire_media_type_to_file_type(uri: str) -> str | None:
    """Return the EU file-type URI for an INSPIRE (or IANA) media-type URI, or None.

    GeoCat's alignment decides first; a media type it lacks is looked up in the file types.

    Raises:
        VocabError: a bundled file is missing or unreadable.
    """
    concept = file_types().lookup(uri)
    return concept.uri if concept else None


__all__ = [
    "VOCABULARIES",
    "Concept",
    "Vocabulary",
    "access_rights",
    "by_name",
    "data_themes",
    "file_types",
    "frequencies",
    "inspire_media_type_to_file_type",
    "inspire_theme_to_data_theme",
    "iso_topic_category_to_inspire_themes",
    "languages",
    "licences",
    "normalise",
    "publisher_types",
]
