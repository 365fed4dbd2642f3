"""DCAT-AP / DCAT-AP-SE RDF → model (the read half; ``dcat_write`` is the other).

Works on a ``TripleIndex`` so that bulk harvests never build an rdflib graph. Each
mapping function returns model values and a list of warnings: a value that is odd
(an unknown theme, a date that is not a date) is kept and reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox

from insyn.vocab import access_rights, vocabularies
from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
    DESCRIPTION_PUBLIC,
    Agent,
    Catalog,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    Governance,
    LangText,
    PeriodOfTime,
    Record,
    Retention,
)
from insyn.vocab.triples import RDF_TYPE, Term, TripleIndex, node_key

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
DCATAP = "http://data.europa.eu/r5r/"
SPDX = "http://spdx.org/rdf/terms#"
OWL = "http://www.w3.org/2002/07/owl#"
ORG = "http://www.w3.org/ns/org#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
SCHEMA_HTTPS = "https://schema.org/"
LOCN = "http://www.w3.org/ns/locn#"
INSYN = "https://w3id.org/insyn/ns#"

# Raise when the mapping changes what it makes of the same statements.
MAPPING_VERSION = 7

DATASET_TYPES = (DCAT + "Dataset",)
SERIES_TYPES = (DCAT + "DatasetSeries",)
SERVICE_TYPES = (DCAT + "DataService",)
CATALOG_TYPES = (DCAT + "Catalog",)
SCHEMA_DATASETS = (SCHEMA + "Dataset", SCHEMA_HTTPS + "Dataset")
SCHEMA_CATALOGS = (SCHEMA + "DataCatalog", SCHEMA_HTTPS + "DataCatalog")

IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"
_MEDIA_TYPE = re.compile(r"^[a-z]+/[\w.+-]+$", re.IGNORECASE)

# ADMS status values (DCAT-AP 1.x/2.x) as the EU distribution-status table of DCAT-AP 3.
_ADMS_STATUS = "http://purl.org/adms/status/"
_DISTRIBUTION_STATUS = "http://publications.europa.eu/resource/authority/distribution-status/"
_STATUS_CODES = {
    "completed": "COMPLETED",
    "deprecated": "DEPRECATED",
    "underdevelopment": "DEVELOP",
    "withdrawn": "WITHDRAWN",
}

# The predicate being read when a mapping fails: the error names it as the field. A cell
# per context (thread), written on every read: setting the variable itself for each of
# the hundred reads of a record was a tenth of the mapping.
_FIELD: ContextVar[list[str | None]] = ContextVar("dcat_read_field")


def _field_cell() -> list[str | None]:
    cell = _FIELD.get(None)
    if cell is None:
        cell = [None]
        _FIELD.set(cell)
    return cell


def current_field() -> str | None:
    """The property the mapping was reading when it last stopped (for error messages)."""
    predicate = _field_cell()[0]
    return short(predicate) if predicate else None


def _status(value: str | None) -> str | None:
    if value and value.startswith(_ADMS_STATUS):
        code = _STATUS_CODES.get(value.removeprefix(_ADMS_STATUS).casefold())
        if code:
            return _DISTRIBUTION_STATUS + code
    return value


def _media_type(value: str | None) -> str | None:
    """A media type given as a string ("text/csv") as its IANA IRI."""
    if value and _MEDIA_TYPE.match(value.strip()):
        return IANA_MEDIA_TYPES + value.strip().lower()
    return value


# DCAT-AP 2 named planned availability under r5r/availability/; DCAT-AP 3 and
# DCAT-AP-SE 3 use the EU authority table with the same four upper-case codes.
_OLD_AVAILABILITY = "http://data.europa.eu/r5r/availability/"
_PLANNED_AVAILABILITY = "http://publications.europa.eu/resource/authority/planned-availability/"


def _availability(value: str | None) -> str | None:
    if value and value.startswith(_OLD_AVAILABILITY):
        return _PLANNED_AVAILABILITY + value.removeprefix(_OLD_AVAILABILITY).upper()
    return value


# What ``_Reader.values`` gives for a property the subject does not have; never changed.
_NO_VALUES: list[Term] = []


@dataclass
class Mapped:
    record: Record
    warnings: list[str] = field(default_factory=list)


class _Reader:
    """Reads one subject's properties, collecting warnings and tracking used predicates.

    RDF values are sets: every multi-valued result is sorted, so the same statements in
    another order or serialisation give the same record and the same content hash.
    """

    def __init__(self, index: TripleIndex, subject: str, warnings: list[str]) -> None:
        self.index = index
        self.subject = subject
        self.properties = index.properties(subject)
        self.warnings = warnings
        self.used: set[str] = {RDF_TYPE}
        # Values a mapping read but wants shown as given (e.g. an INSPIRE access ground).
        self.kept: dict[str, list[str]] = {}
        self.field = _field_cell()

    def values(self, predicate: str) -> list[Term]:
        self.field[0] = predicate
        found = self.properties.get(predicate)
        if found is None:
            # Most properties a record could have, it has not: nothing to mark as used
            # (``extras`` looks only at the ones it has), no list to make.
            return _NO_VALUES
        self.used.add(predicate)
        return found

    def texts(self, *predicates: str) -> dict[str, list[str]]:
        """Every text per language, sorted (RDF gives no order)."""
        result: dict[str, set[str]] = {}
        for predicate in predicates:
            for value in self.values(predicate):
                # A term's value is a new string each time it is asked for: ask once.
                if isinstance(value, ox.Literal) and (text := value.value.strip()):
                    result.setdefault(value.language or "", set()).add(text)
        return {language: sorted(texts) for language, texts in sorted(result.items())}

    def text(self, *predicates: str) -> LangText:
        """One text per language; a second one in the same language is kept where no
        field holds it (``kept``, shown with the record) and reported."""
        result: LangText = {}
        for language, texts in self.texts(*predicates).items():
            result[language] = texts[0]
            if len(texts) > 1:
                self.kept.setdefault(predicates[0], []).extend(texts[1:])
                self.warnings.append(
                    f"{short(predicates[0])}: {len(texts)} texter på språket "
                    f"'{language or 'utan språk'}'; den första används, de andra sparas"
                )
        return result

    def joined(self, *predicates: str) -> LangText:
        """Every text per language, joined: a second description in a language is kept."""
        return {language: "\n\n".join(texts) for language, texts in self.texts(*predicates).items()}

    def keywords(self, predicate: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for value in self.values(predicate):
            if isinstance(value, ox.Literal) and (word := value.value.strip()):
                words = result.setdefault(value.language or "", [])
                if word not in words:
                    words.append(word)
        return {language: sorted(words) for language, words in sorted(result.items())}

    def iris(self, predicate: str) -> list[str]:
        """IRIs (and literal values, which some publishers give instead)."""
        values = self.values(predicate)
        if not values:
            return []
        result = []
        for value in values:
            if isinstance(value, ox.NamedNode):
                result.append(value.value)
            elif isinstance(value, ox.Literal):
                if text := value.value.strip():
                    result.append(text)
            elif isinstance(value, ox.BlankNode):
                label = self.label_of(node_key(value))
                if label:
                    result.append(label)
        return sorted(set(result))

    def iri(self, predicate: str) -> str | None:
        values = self.iris(predicate)
        return values[0] if values else None

    def literal(self, predicate: str) -> str | None:
        values = self.literals(predicate)
        return values[0] if values else None

    def literals(self, predicate: str) -> list[str]:
        values = self.values(predicate)
        if not values:
            return []
        texts = {value.value.strip() for value in values if isinstance(value, ox.Literal)}
        texts.discard("")
        return sorted(texts)

    def nodes(self, predicate: str) -> list[str]:
        """Resource values; IRIs sorted first (blank nodes have no stable order)."""
        values = self.values(predicate)
        if not values:
            return []
        keys = {node_key(v) for v in values if not isinstance(v, ox.Literal)}
        return sorted(keys, key=lambda key: (key.startswith("_:"), key))

    def temporal(self, *predicates: str) -> date | datetime | None:
        for predicate in predicates:
            for value in self.values(predicate):
                if isinstance(value, ox.Literal):
                    parsed = parse_date(value.value)
                    if parsed is None:
                        self.warnings.append(
                            f"{short(predicate)}: '{value.value}' är inget giltigt datum"
                        )
                    return parsed
        return None

    def integer(self, predicate: str) -> int | None:
        text = self.literal(predicate)
        if text is None:
            return None
        try:
            return int(float(text))
        except (ValueError, OverflowError):  # OverflowError: "1e999" is infinite
            self.warnings.append(f"{short(predicate)}: '{text[:100]}' är inget heltal")
            return None

    def controlled(self, vocabulary: str, predicate: str) -> list[str]:
        """Controlled values normalised to the EU vocabulary; unknown ones kept and reported."""
        result = []
        for value in self.iris(predicate):
            uri, recognised = vocabularies.normalise(vocabulary, value)
            if not recognised:
                self.warnings.append(
                    f"{short(predicate)}: '{value}' finns inte i vokabulären {vocabulary}"
                )
            result.append(uri)
        return result

    def extras(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for predicate, values in self.properties.items():
            if predicate in self.used:
                continue
            result[predicate] = [
                value.value for value in values if not isinstance(value, ox.BlankNode)
            ]
        result.update(self.kept)
        return {key: value for key, value in sorted(result.items()) if value}

    def label_of(self, node: str) -> str | None:
        properties = self.index.properties(node)
        for predicate in (RDFS + "label", SKOS + "prefLabel", DCT + "title"):
            for value in properties.get(predicate, []):
                if isinstance(value, ox.Literal):
                    return value.value
        return None


def short(predicate: str) -> str:
    """A predicate or class IRI with its usual prefix (dcat:, dcterms:, schema: …)."""
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dcterms", DCT),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("adms", ADMS),
        ("dcatap", DCATAP),
        ("insyn", INSYN),
        ("schema", SCHEMA),
        ("schema", SCHEMA_HTTPS),
        ("locn", LOCN),
        ("skos", SKOS),
        ("rdfs", RDFS),
    ):
        if predicate.startswith(namespace):
            return f"{prefix}:{predicate[len(namespace) :]}"
    return predicate


def parse_date(text: str) -> date | datetime | None:
    """Parse xsd:date, xsd:dateTime or xsd:gYear-ish text; None if it is not a date."""
    text = text.strip()
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if len(text) == 7 and text[4] == "-":
            return date(int(text[:4]), int(text[5:]), 1)
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def read_agent(index: TripleIndex, node: str, warnings: list[str]) -> Agent:
    reader = _Reader(index, node, warnings)
    uri = None if node.startswith("_:") else node
    mbox = reader.iri(FOAF + "mbox")
    stated = reader.iri(DCT + "type")
    if stated is None and {t.value for t in reader.values(RDF_TYPE)} & vocabularies.PERSON_CLASSES:
        stated = vocabularies.PERSON_PUBLISHER_TYPE
    return Agent(
        uri=uri,
        name=reader.text(FOAF + "name", VCARD + "fn", SKOS + "prefLabel", RDFS + "label"),
        identifier=reader.literal(DCT + "identifier"),
        type=stated,
        homepage=reader.iri(FOAF + "homepage"),
        email=mbox.removeprefix("mailto:") if mbox else None,
        parent=reader.iri(ORG + "unitOf")
        or reader.iri(ORG + "subOrganizationOf")
        or reader.iri(INSYN + "partOf"),
    )


def _vcard_value(reader: _Reader, predicate: str, scheme: str) -> str | None:
    for value in reader.values(predicate):
        if isinstance(value, ox.BlankNode):
            inner = _Reader(reader.index, node_key(value), reader.warnings)
            found = inner.iri(VCARD + "hasValue") or inner.literal(VCARD + "value")
        else:
            found = value.value
        if found:
            return found.removeprefix(scheme)
    return None


def read_contact(index: TripleIndex, node: str, warnings: list[str]) -> ContactPoint:
    reader = _Reader(index, node, warnings)
    types = {value.value for value in reader.values(RDF_TYPE)}
    contact = ContactPoint(
        uri=None if node.startswith("_:") else node,
        # A contact named only by its unit (DCAT-AP-NO) is that unit.
        name=reader.text(VCARD + "fn", VCARD + "organization-name")
        or reader.text(VCARD + "organization-unit"),
        # vcard:email, vcard:tel and vcard:url: the older vCard forms of DCAT-AP 1.x.
        email=_vcard_value(reader, VCARD + "hasEmail", "mailto:")
        or _vcard_value(reader, VCARD + "email", "mailto:")
        or (node.removeprefix("mailto:") if node.startswith("mailto:") else None),
        telephone=_vcard_value(reader, VCARD + "hasTelephone", "tel:")
        or _vcard_value(reader, VCARD + "tel", "tel:"),
        url=reader.iri(VCARD + "hasURL") or reader.iri(VCARD + "url"),
        kind="Individual" if VCARD + "Individual" in types else "Organization",
    )
    for address in reader.nodes(VCARD + "hasAddress"):
        address_reader = _Reader(index, address, warnings)
        contact.street_address = address_reader.literal(VCARD + "street-address")
        contact.postal_code = address_reader.literal(VCARD + "postal-code")
        contact.locality = address_reader.literal(VCARD + "locality")
        contact.country = address_reader.literal(VCARD + "country-name")
    return contact


def _period(index: TripleIndex, node: str, warnings: list[str]) -> PeriodOfTime:
    reader = _Reader(index, node, warnings)
    return PeriodOfTime(
        start=reader.temporal(DCAT + "startDate", SCHEMA + "startDate"),
        end=reader.temporal(DCAT + "endDate", SCHEMA + "endDate"),
    )


def _read_access_rights(reader: _Reader) -> access_rights.AccessRight:
    """Every dct:accessRights value through the one table, the most restrictive winning.

    A rights statement without a label is a value nobody can read, not an absent one.
    """
    values = reader.iris(DCT + "accessRights")
    for value in reader.values(DCT + "accessRights"):
        if isinstance(value, ox.BlankNode) and reader.label_of(node_key(value)) is None:
            values.append(access_rights.UNLABELLED_STATEMENT)
    right = access_rights.resolve(values)
    reader.warnings.extend(right.warnings("dcterms:accessRights"))
    # Keep what the stored code does not say (an INSPIRE ground, a word, an unknown value).
    shown = [value for value in right.values if value != right.code]
    if shown:
        reader.kept[DCT + "accessRights"] = shown
    return right


def _access_rights(reader: _Reader) -> str:
    """The record's access right; openness (the model's default) when the source is silent."""
    return _read_access_rights(reader).code


def _boolean(reader: _Reader, predicate: str) -> bool | None:
    text = reader.literal(predicate)
    if text is None:
        return None
    if text.lower() in ("true", "1", "ja", "yes"):
        return True
    if text.lower() in ("false", "0", "nej", "no"):
        return False
    reader.warnings.append(f"{short(predicate)}: '{text}' är inget sanningsvärde")
    return None


def _level(reader: _Reader, predicate: str) -> int | None:
    level = reader.integer(predicate)
    if level is not None and not 0 <= level <= 3:
        reader.warnings.append(f"{short(predicate)}: nivån {level} ligger utanför 0–3")
        return None
    return level


_DESCRIPTION_WORDS = {
    "public": DESCRIPTION_PUBLIC,
    "offentlig": DESCRIPTION_PUBLIC,
    "internal": DESCRIPTION_INTERNAL,
    "intern": DESCRIPTION_INTERNAL,
}


def _description_visibility(reader: _Reader) -> str | None:
    """insyn:descriptionVisibility: public or internal; an unknown word reads as internal."""
    text = reader.literal(INSYN + "descriptionVisibility")
    if text is None:
        return None
    value = _DESCRIPTION_WORDS.get(text.strip().casefold())
    if value is None:
        reader.warnings.append(
            f"insyn:descriptionVisibility: '{text}' ska vara 'public' eller 'internal'; "
            "läses som internal"
        )
        return DESCRIPTION_INTERNAL
    return value


def read_governance(reader: _Reader) -> Governance:
    retention_action = reader.literal(INSYN + "retention")
    retention = None
    if retention_action:
        action = retention_action.lower()
        if action in ("bevaras", "gallras"):
            retention = Retention(action=action, period=reader.literal(INSYN + "retentionPeriod"))
        else:
            reader.warnings.append(
                f"insyn:retention: '{retention_action}' ska vara 'bevaras' eller 'gallras'"
            )
    governance = Governance(
        access_rights=_access_rights(reader),
        description_visibility=_description_visibility(reader),
        secrecy_provision=reader.literal(INSYN + "secrecyProvision"),
        contains_personal_data=_boolean(reader, INSYN + "containsPersonalData"),
        personal_data_categories=reader.literals(INSYN + "personalDataCategory"),
        information_owner=reader.iri(INSYN + "informationOwner"),
        process_code=reader.literal(INSYN + "processCode"),
        retention=retention,
        confidentiality=_level(reader, INSYN + "confidentiality"),
        integrity=_level(reader, INSYN + "integrity"),
        availability=_level(reader, INSYN + "availability"),
    )
    # The access right concerns the data and hides nothing: say what the public will see.
    internal = governance.description_visibility == DESCRIPTION_INTERNAL
    if not governance.is_public and not governance.secrecy_provision and not internal:
        reader.warnings.append(
            "Data är inte offentliga, men posten anger ingen sekretessbestämmelse "
            "(insyn:secrecyProvision): beskrivningen visas omaskerad för alla"
        )
    return governance


def _common(reader: _Reader, index: TripleIndex, warnings: list[str]) -> dict[str, Any]:
    publishers = reader.nodes(DCT + "publisher")
    return {
        "uri": None if reader.subject.startswith("_:") else reader.subject,
        "title": reader.text(DCT + "title"),
        "description": reader.joined(DCT + "description"),
        "publisher": read_agent(index, publishers[0], warnings) if publishers else None,
        "contact_point": sorted(
            # adms:contactPoint: ADMS's, which DCAT-AP 1.x sources and POD JSON-LD use.
            (
                read_contact(index, node, warnings)
                for predicate in (DCAT + "contactPoint", ADMS + "contactPoint")
                for node in reader.nodes(predicate)
            ),
            key=lambda contact: (contact.uri or "~", contact.email or "", repr(contact.name)),
        ),
        "keyword": reader.keywords(DCAT + "keyword"),
        "theme": reader.controlled("data_themes", DCAT + "theme"),
        "issued": reader.temporal(DCT + "issued"),
        "modified": reader.temporal(DCT + "modified"),
        "landing_page": reader.iris(DCAT + "landingPage"),
        "governance": read_governance(reader),
    }


def _distribution_access_rights(reader: _Reader) -> str | None:
    """A distribution's own access right, or None when it states none."""
    right = _read_access_rights(reader)
    return right.code if right.stated else None


def read_distribution(index: TripleIndex, node: str, warnings: list[str]) -> Distribution:
    reader = _Reader(index, node, warnings)
    formats = reader.controlled("file_types", DCT + "format")
    licences = _licences(reader, DCT + "license")
    checksum = _checksum(reader)
    byte_size = reader.integer(DCAT + "byteSize")
    distribution = Distribution(
        uri=None if node.startswith("_:") else node,
        title=reader.text(DCT + "title"),
        description=reader.text(DCT + "description"),
        access_url=reader.iri(DCAT + "accessURL"),
        download_url=reader.iri(DCAT + "downloadURL"),
        format=formats[0] if formats else None,
        media_type=_media_type(reader.iri(DCAT + "mediaType")),
        license=licences[0] if licences else None,
        access_rights=_distribution_access_rights(reader),
        byte_size=byte_size,
        issued=reader.temporal(DCT + "issued"),
        modified=reader.temporal(DCT + "modified"),
        language=reader.iris(DCT + "language"),
        conforms_to=reader.iris(DCT + "conformsTo"),
        availability=_availability(reader.iri(DCATAP + "availability")),
        status=_status(reader.iri(ADMS + "status")),
        checksum=checksum,
        access_service=reader.iris(DCAT + "accessService"),
        page=reader.iris(FOAF + "page"),
    )
    if not distribution.access_url:
        warnings.append(f"Distributionen {node} saknar dcat:accessURL")
    _report_unheld(reader, "Distributionen")
    return distribution


def _checksum(reader: _Reader) -> str | None:
    """An SHA-1 spdx:checksum's value (the model holds that one; the export names it SHA-1).
    Another algorithm's is kept as given, with the record's other values, and reported."""
    found = None
    for node in reader.nodes(SPDX + "checksum"):
        inner = _Reader(reader.index, node, reader.warnings)
        value = inner.literal(SPDX + "checksumValue")
        algorithm = inner.iri(SPDX + "algorithm") or ""
        # spdx:checksumAlgorithm_sha1, or the word ("SHA-1", "sha1") older sources give.
        name = algorithm.rsplit("_", 1)[-1].replace("-", "").casefold()
        if value and name == "sha1":
            found = value
        elif value:
            reader.kept.setdefault(SPDX + "checksum", []).append(f"{algorithm} {value}".strip())
            reader.warnings.append(
                f"spdx:checksum: algoritmen '{algorithm or 'saknas'}' sparas som given; "
                "bara SHA-1 exporteras"
            )
    return found


def _temporal(reader: _Reader) -> list[PeriodOfTime]:
    """dct:temporal: PeriodOfTime nodes (dcat:startDate, or schema:startDate as DCAT-AP 1.x
    had it), and an ISO 8601 interval given as text ("2000-01-15/2010-01-15", DCAT-US)."""
    periods = [
        _period(reader.index, node, reader.warnings) for node in reader.nodes(DCT + "temporal")
    ]
    for text in reader.literals(DCT + "temporal"):
        parts = text.split("/")
        dates = [parse_date(part) for part in parts] if len(parts) == 2 else [None, None]
        if any(dates) and all(dates):
            periods.append(PeriodOfTime(start=dates[0], end=dates[1]))
        else:
            reader.kept.setdefault(DCT + "temporal", []).append(text)
            reader.warnings.append(f"dcterms:temporal: '{text[:100]}' är ingen tidsperiod")
    return sorted(periods, key=lambda period: (str(period.start), str(period.end)))


def _report_unheld(reader: _Reader, what: str) -> None:
    """A node inside a record (a distribution) has no extras of its own: what the model
    cannot hold there is named in the record's warnings, never dropped without a word."""
    unheld = sorted(short(predicate) for predicate in reader.extras())
    if unheld:
        reader.warnings.append(f"{what} har egenskaper som modellen saknar fält för: {unheld}")


def _licence_key(text: str) -> str:
    return re.sub(r"[\s.-]+", "_", text.strip()).upper()


def _licences(reader: _Reader, predicate: str) -> list[str]:
    """Licences as EU licence IRIs where the IRI, the text or a licence document's label
    or IRI names one; other texts kept as given (exported as a dct:LicenseDocument)."""
    result = []
    for value in reader.values(predicate):
        candidates = [value.value.strip()] if not isinstance(value, ox.BlankNode) else []
        if not isinstance(value, ox.Literal):
            inner = reader.index.properties(node_key(value))
            for name in (RDFS + "label", DCT + "title", SCHEMA + "name", SCHEMA + "url"):
                candidates += [term.value.strip() for term in inner.get(name, [])]
        candidates = [text for text in candidates if text]
        for text in candidates:
            uri, recognised = vocabularies.normalise("licences", text)
            if not recognised:
                uri, recognised = vocabularies.normalise("licences", _licence_key(text))
            if recognised:
                result.append(uri)
                break
        else:
            if candidates:
                reader.warnings.append(
                    f"{short(predicate)}: '{candidates[0][:200]}' finns inte i licenslistan"
                )
                result.append(candidates[0])
    return sorted(set(result))


def read_dataset(index: TripleIndex, subject: str) -> Mapped:
    """Map one dcat:Dataset subject to a ``Dataset``."""
    warnings: list[str] = []
    reader = _Reader(index, subject, warnings)
    spatial, geometry = _spatial(reader)
    types = {value.value for value in reader.values(RDF_TYPE)}
    dataset = Dataset(
        **_common(reader, index, warnings),
        identifier=reader.literals(DCT + "identifier"),
        language=reader.controlled("languages", DCT + "language"),
        spatial=spatial,
        **geometry,
        temporal=_temporal(reader),
        accrual_periodicity=next(
            iter(reader.controlled("frequencies", DCT + "accrualPeriodicity")), None
        ),
        conforms_to=reader.iris(DCT + "conformsTo"),
        creator=sorted(
            (read_agent(index, node, warnings) for node in reader.nodes(DCT + "creator")),
            key=lambda agent: (agent.uri or "~", repr(sorted(agent.name.items()))),
        ),
        version=reader.literal(DCAT + "version") or reader.literal(OWL + "versionInfo"),
        version_notes=reader.text(ADMS + "versionNotes"),
        # dct:hasVersion/isVersionOf: DCAT-AP 2's, which DCAT-AP 3 deprecates for DCAT's.
        has_version=sorted({*reader.iris(DCAT + "hasVersion"), *reader.iris(DCT + "hasVersion")}),
        is_version_of=sorted(
            {*reader.iris(DCAT + "isVersionOf"), *reader.iris(DCT + "isVersionOf")}
        ),
        provenance=_provenance(reader),
        source=reader.iris(DCT + "source"),
        relation=reader.iris(DCT + "relation"),
        page=reader.iris(FOAF + "page"),
        hvd_category=reader.iris(DCATAP + "hvdCategory"),
        applicable_legislation=reader.iris(DCATAP + "applicableLegislation"),
        in_series=reader.iris(DCAT + "inSeries"),
        is_series=bool(types & set(SERIES_TYPES)),
        series_member=reader.iris(DCAT + "seriesMember"),
        distributions=sorted(
            (
                read_distribution(index, node, warnings)
                for node in reader.nodes(DCAT + "distribution")
            ),
            key=_distribution_order,
        ),
    )
    _dataset_level(reader, dataset)
    _check_mandatory(dataset, warnings)
    dataset.extras = reader.extras()
    return Mapped(dataset, warnings)


def _dataset_level(reader: _Reader, dataset: Dataset) -> None:
    """A licence or planned availability given on the dataset (DCAT-AP 1.x, DCAT-US,
    DCAT-AP.de) is, in DCAT-AP 2 and 3, its distributions': those without one of their own
    get it. Without a distribution it is kept with the dataset's other values."""
    licences = _licences(reader, DCT + "license")
    availability = _availability(reader.iri(DCATAP + "availability"))
    for distribution in dataset.distributions:
        distribution.license = distribution.license or next(iter(licences), None)
        distribution.availability = distribution.availability or availability
    if dataset.distributions:
        return
    for predicate, values in (
        (DCT + "license", licences),
        (DCATAP + "availability", [availability]),
    ):
        if any(values):
            reader.kept.setdefault(predicate, []).extend(value for value in values if value)


def _distribution_order(distribution: Distribution) -> tuple[str, ...]:
    return (
        distribution.uri or "~",
        distribution.access_url or "",
        distribution.download_url or "",
        distribution.format or "",
        repr(sorted(distribution.title.items())),
    )


_GEOMETRY = {DCAT + "bbox": "bbox", DCAT + "centroid": "centroid", LOCN + "geometry": "geometry"}


def _spatial(reader: _Reader) -> tuple[list[str], dict[str, list[str]]]:
    """dct:spatial as place IRIs or names, and the geometry of dct:Location nodes
    (dcat:bbox, dcat:centroid, locn:geometry) as the literals they are (WKT, GML, GeoJSON)."""
    places: set[str] = set()
    geometry: dict[str, set[str]] = {name: set() for name in _GEOMETRY.values()}
    for value in reader.values(DCT + "spatial"):
        if isinstance(value, ox.Literal):
            if value.value.strip():
                places.add(value.value.strip())
            continue
        key = node_key(value)
        properties = reader.index.properties(key)
        shapes = {
            name: [term.value.strip() for term in properties.get(predicate, [])]
            for predicate, name in _GEOMETRY.items()
        }
        for name, texts in shapes.items():
            geometry[name].update(text for text in texts if text)
        if isinstance(value, ox.NamedNode):
            places.add(value.value)
        elif label := reader.label_of(key):
            places.add(label)
    return sorted(places), {name: sorted(texts) for name, texts in geometry.items()}


def _provenance(reader: _Reader) -> LangText:
    result: LangText = {}
    for value in reader.values(DCT + "provenance"):
        if isinstance(value, ox.Literal):
            result.setdefault(value.language or "", value.value)
        else:
            inner = _Reader(reader.index, node_key(value), reader.warnings)
            texts = inner.text(RDFS + "label", DCT + "description")
            for language, text in texts.items():
                result.setdefault(language, text)
            if not texts and isinstance(value, ox.NamedNode):
                # A statement named only by its IRI: kept with the record's other values.
                reader.kept.setdefault(DCT + "provenance", []).append(value.value)
    return result


def read_service(index: TripleIndex, subject: str) -> Mapped:
    """Map one dcat:DataService subject to a ``DataService``."""
    warnings: list[str] = []
    reader = _Reader(index, subject, warnings)
    licences = _licences(reader, DCT + "license")
    service = DataService(
        **_common(reader, index, warnings),
        endpoint_url=reader.iris(DCAT + "endpointURL"),
        endpoint_description=reader.iris(DCAT + "endpointDescription"),
        serves_dataset=reader.iris(DCAT + "servesDataset"),
        conforms_to=reader.iris(DCT + "conformsTo"),
        license=licences[0] if licences else None,
        format=reader.controlled("file_types", DCT + "format"),
        hvd_category=reader.iris(DCATAP + "hvdCategory"),
        applicable_legislation=reader.iris(DCATAP + "applicableLegislation"),
    )
    _check_mandatory(service, warnings)
    if not service.endpoint_url:
        warnings.append("Datatjänsten saknar dcat:endpointURL")
    service.extras = reader.extras()
    return Mapped(service, warnings)


def _check_mandatory(record: Record, warnings: list[str]) -> None:
    if not record.title:
        warnings.append("dcterms:title saknas")
    if isinstance(record, Dataset) and not record.description:
        warnings.append("dcterms:description saknas")


def read_catalog(index: TripleIndex, subject: str) -> Catalog:
    warnings: list[str] = []
    reader = _Reader(index, subject, warnings)
    publishers = reader.nodes(DCT + "publisher")
    licences = reader.iris(DCT + "license")
    return Catalog(
        uri=None if subject.startswith("_:") else subject,
        title=reader.text(DCT + "title"),
        description=reader.text(DCT + "description"),
        publisher=read_agent(index, publishers[0], warnings) if publishers else None,
        homepage=reader.iri(FOAF + "homepage"),
        language=reader.iris(DCT + "language"),
        license=licences[0] if licences else None,
        issued=reader.temporal(DCT + "issued"),
        modified=reader.temporal(DCT + "modified"),
        theme_taxonomy=reader.iris(DCAT + "themeTaxonomy"),
        spatial=reader.iris(DCT + "spatial"),
    )


RECORD_READERS: dict[str, Callable[[TripleIndex, str], Mapped]] = {
    **{type_iri: read_dataset for type_iri in DATASET_TYPES + SERIES_TYPES},
    **{type_iri: read_service for type_iri in SERVICE_TYPES},
}


def record_subjects(
    index: TripleIndex,
    readers: dict[str, Callable[[TripleIndex, str], Mapped]] | None = None,
) -> list[tuple[str, Callable[[TripleIndex, str], Mapped]]]:
    """Every record in the index, with the function that reads it (by its first type that
    ``readers``, by default ``RECORD_READERS``, knows)."""
    readers = RECORD_READERS if readers is None else readers
    found = []
    for subject, types in index.types():
        for type_iri in types:
            reader = readers.get(type_iri)
            if reader is not None:
                found.append((subject, reader))
                break
    return found
