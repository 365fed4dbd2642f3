"""The metadata model: DCAT-AP-SE classes plus the Swedish records extensions.

Plain typed dataclasses with no database or RDF code in them, so that connectors,
the store, the indexer and the serialisers all speak the same language.

Multilingual text is a ``LangText``: a dict from language tag ("sv", "en", "" for
no tag) to the text. Controlled values (themes, formats, access rights …) are kept
as URIs; an unknown value is kept as given and reported by the vocabularies, never
dropped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

LangText = dict[str, str]

ACCESS_RIGHTS_BASE = "http://publications.europa.eu/resource/authority/access-right/"
PUBLIC = ACCESS_RIGHTS_BASE + "PUBLIC"
RESTRICTED = ACCESS_RIGHTS_BASE + "RESTRICTED"
NON_PUBLIC = ACCESS_RIGHTS_BASE + "NON_PUBLIC"

# Whether a record's description (not its data) may be published: its own governance field.
DESCRIPTION_PUBLIC = "public"
DESCRIPTION_INTERNAL = "internal"
DESCRIPTION_VISIBILITIES: tuple[str, ...] = (DESCRIPTION_PUBLIC, DESCRIPTION_INTERNAL)

RecordKind = Literal["dataset", "dataservice", "case", "document"]
RECORD_KINDS: tuple[str, ...] = ("dataset", "dataservice", "case", "document")


def text_in(value: LangText | None, *languages: str) -> str:
    """Return the text in the first language found (Swedish, English, untagged, any)."""
    if not value:
        return ""
    for lang in (*languages, "sv", "en", ""):
        if value.get(lang):
            return value[lang]
    return next(iter(value.values()), "")


@dataclass
class Agent:
    """An organisation (foaf:Agent): publisher, creator or information owner."""

    uri: str | None = None
    name: LangText = field(default_factory=dict)
    identifier: str | None = None  # organisationsnummer or another id
    type: str | None = None  # ADMS publisher type URI
    homepage: str | None = None
    email: str | None = None
    parent: str | None = None  # URI of the organisation this one belongs to (org:unitOf)


@dataclass
class ContactPoint:
    """A vcard:Kind contact point."""

    uri: str | None = None
    name: LangText = field(default_factory=dict)
    email: str | None = None
    telephone: str | None = None
    url: str | None = None
    kind: str = "Organization"  # vcard:Organization or vcard:Individual
    street_address: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: str | None = None


@dataclass
class PeriodOfTime:
    start: date | datetime | None = None
    end: date | datetime | None = None


@dataclass
class Retention:
    """Retention rule from the information-management plan (bevaras/gallras)."""

    action: Literal["bevaras", "gallras"]
    period: str | None = None  # e.g. "2 år", "10 år efter ärendets avslut"
    derived_from: str | None = None  # the plan rule that filled it in, if any


@dataclass
class Governance:
    """The governance fields every record carries, whatever its kind.

    Openness is the default: a record with no stated access right is public.
    ``access_rights`` says who may use the data; ``description_visibility`` whether the
    description itself may be published (``public`` or ``internal``). None there means
    the record says nothing: the harvest fills in its source's default, and a record
    that says nothing is public.
    """

    access_rights: str = PUBLIC
    description_visibility: str | None = None
    secrecy_provision: str | None = None  # e.g. "26 kap. 1 § OSL"
    contains_personal_data: bool | None = None
    personal_data_categories: list[str] = field(default_factory=list)
    information_owner: str | None = None  # organisation URI or identifier
    process_code: str | None = None  # KLASSA process code
    retention: Retention | None = None
    confidentiality: int | None = None  # K, 0-3
    integrity: int | None = None  # R, 0-3
    availability: int | None = None  # T, 0-3

    @property
    def is_public(self) -> bool:
        """Public access right and no secrecy provision: a named OSL provision wins."""
        return self.access_rights == PUBLIC and not self.secrecy_provision


@dataclass
class Distribution:
    uri: str | None = None
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    access_url: str | None = None
    download_url: str | None = None
    format: str | None = None  # EU file-type URI, or the source's own value
    media_type: str | None = None  # IANA media type URI or string
    license: str | None = None
    access_rights: str | None = None
    byte_size: int | None = None
    issued: date | datetime | None = None
    modified: date | datetime | None = None
    language: list[str] = field(default_factory=list)
    conforms_to: list[str] = field(default_factory=list)
    availability: str | None = None
    status: str | None = None
    checksum: str | None = None
    access_service: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)


@dataclass
class Record:
    """What every catalogued thing shares: identity, text, ownership, governance."""

    uri: str | None = None
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    publisher: Agent | None = None
    contact_point: list[ContactPoint] = field(default_factory=list)
    keyword: dict[str, list[str]] = field(default_factory=dict)  # language -> keywords
    theme: list[str] = field(default_factory=list)
    issued: date | datetime | None = None
    modified: date | datetime | None = None
    landing_page: list[str] = field(default_factory=list)
    governance: Governance = field(default_factory=Governance)
    # Values the source gave that no property of ours holds, kept for the record page.
    extras: dict[str, list[str]] = field(default_factory=dict)

    kind: RecordKind = dataclasses.field(default="dataset", init=False)

    def display_title(self, *languages: str) -> str:
        return text_in(self.title, *languages)


@dataclass
class Dataset(Record):
    identifier: list[str] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    spatial: list[str] = field(default_factory=list)  # place IRIs, or place names as given
    # Bounding boxes as WKT in CRS84, "POLYGON((w s,e s,e n,w n,w s))": dcat:bbox of a
    # dct:Location (GeoDCAT-AP), one Location per box.
    bbox: list[str] = field(default_factory=list)
    # The other geometry of a dct:Location, as the literal the source gave (WKT, GML or
    # GeoJSON): dcat:centroid and locn:geometry.
    centroid: list[str] = field(default_factory=list)
    geometry: list[str] = field(default_factory=list)
    temporal: list[PeriodOfTime] = field(default_factory=list)
    accrual_periodicity: str | None = None
    conforms_to: list[str] = field(default_factory=list)
    creator: list[Agent] = field(default_factory=list)
    version: str | None = None
    version_notes: LangText = field(default_factory=dict)
    # Other versions of this dataset (dcat:hasVersion) and the one it is a version of.
    has_version: list[str] = field(default_factory=list)
    is_version_of: list[str] = field(default_factory=list)
    provenance: LangText = field(default_factory=dict)
    source: list[str] = field(default_factory=list)
    relation: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)
    hvd_category: list[str] = field(default_factory=list)
    applicable_legislation: list[str] = field(default_factory=list)
    in_series: list[str] = field(default_factory=list)
    # A dcat:DatasetSeries is a dataset (DCAT 3 makes it a subclass) with members: a flag,
    # not a record kind of its own, so search, pages and visibility treat it as one.
    is_series: bool = False
    series_member: list[str] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)

    kind: RecordKind = dataclasses.field(default="dataset", init=False)


@dataclass
class DataService(Record):
    endpoint_url: list[str] = field(default_factory=list)
    endpoint_description: list[str] = field(default_factory=list)
    serves_dataset: list[str] = field(default_factory=list)
    conforms_to: list[str] = field(default_factory=list)
    license: str | None = None
    format: list[str] = field(default_factory=list)
    hvd_category: list[str] = field(default_factory=list)
    applicable_legislation: list[str] = field(default_factory=list)

    kind: RecordKind = dataclasses.field(default="dataservice", init=False)


@dataclass
class Party:
    """A party to a case or a sender/recipient of a document."""

    name: str
    role: str | None = None  # e.g. "sökande", "avsändare"
    is_private_individual: bool = False  # private individuals are masked in public views
    identifier: str | None = None  # personnummer/organisationsnummer, never shown publicly


@dataclass
class Case(Record):
    """An ärende in a diarium (records extension)."""

    diarienummer: str = ""
    diarienummer_normalised: str = ""
    status: str | None = None
    opened: date | None = None
    closed: date | None = None
    responsible_unit: str | None = None
    parties: list[Party] = field(default_factory=list)
    diarium: str | None = None  # URI of the dataset describing the register
    # The source's own title for the public, free of names (ERMS otherTitle "public"):
    # public views show it instead of the title.
    public_title: LangText = field(default_factory=dict)

    kind: RecordKind = dataclasses.field(default="case", init=False)


@dataclass
class Attachment:
    name: str
    format: str | None = None


@dataclass
class Document(Record):
    """A handling (registered document) within a case (records extension)."""

    case_diarienummer: str = ""
    document_number: str | None = None
    date: date | None = None
    direction: Literal["incoming", "outgoing", "drawn-up"] | None = None
    document_type: str | None = None
    parties: list[Party] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    diarium: str | None = None
    public_title: LangText = field(default_factory=dict)  # as Case.public_title

    kind: RecordKind = dataclasses.field(default="document", init=False)


@dataclass
class Catalog:
    uri: str | None = None
    title: LangText = field(default_factory=dict)
    description: LangText = field(default_factory=dict)
    publisher: Agent | None = None
    homepage: str | None = None
    language: list[str] = field(default_factory=list)
    license: str | None = None
    issued: date | datetime | None = None
    modified: date | datetime | None = None
    theme_taxonomy: list[str] = field(default_factory=list)
    spatial: list[str] = field(default_factory=list)


RECORD_CLASSES: dict[str, type[Record]] = {
    "dataset": Dataset,
    "dataservice": DataService,
    "case": Case,
    "document": Document,
}


# --- plain-data conversion, used for hashing and for storage as JSON ---------------


_SCALARS = frozenset((str, int, float, bool, type(None)))
# Field names per dataclass (None for any other type), looked up once: to_dict runs for
# every harvested record, and asking is_dataclass of each list and dict was a tenth of it.
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {list: None, dict: None, tuple: None}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    try:
        names = _FIELD_NAMES[kind]
    except KeyError:
        dataclass = dataclasses.is_dataclass(kind)
        names = tuple(f.name for f in dataclasses.fields(kind)) if dataclass else None
        _FIELD_NAMES[kind] = names
    # Most values are scalars (a text, None) and are taken as they are, without a call.
    if names is not None:
        result = {}
        for name in names:
            item = getattr(value, name)
            result[name] = item if type(item) in _SCALARS else _plain(item)
        return result
    if kind is list or kind is tuple:
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    if kind is dict:
        return {
            key: item if type(item) in _SCALARS else _plain(item) for key, item in value.items()
        }
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def to_dict(record: Record) -> dict[str, Any]:
    """Return the record as JSON-ready plain data (dates as ISO strings)."""
    return _plain(record)


def content_hash(record: Record) -> str:
    """A stable hash of everything the record says, used to tell unchanged records."""
    payload = json.dumps(to_dict(record), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _parse_temporal(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    if "T" in value:
        return datetime.fromisoformat(value)
    return date.fromisoformat(value)


_TEMPORAL_FIELDS = {"issued", "modified", "start", "end", "opened", "closed", "date"}


# Per dataclass, looked up once (from_dict runs for every indexed record): its init field
# names, and those whose plain value is converted (nested records, dates); every other
# value is passed as it is, without a call per field.
_PLANS: dict[type, tuple[frozenset[str], tuple[str, ...]]] = {}


def _build(cls: type, data: dict[str, Any]) -> Any:
    plan = _PLANS.get(cls)
    if plan is None:
        names = frozenset(f.name for f in dataclasses.fields(cls) if f.init)
        converted = tuple(n for n in names if n in _NESTED or n in _TEMPORAL_FIELDS)
        plan = _PLANS[cls] = (names, converted)
    names, converted = plan
    values = {name: value for name, value in data.items() if name in names}
    for name in converted:
        value = values.get(name)
        if value is not None:
            values[name] = _from_plain(name, value)
    return cls(**values)


_NESTED: dict[str, type] = {
    "publisher": Agent,
    "creator": Agent,
    "contact_point": ContactPoint,
    "temporal": PeriodOfTime,
    "governance": Governance,
    "retention": Retention,
    "distributions": Distribution,
    "parties": Party,
    "attachments": Attachment,
}


def _from_plain(name: str, value: Any) -> Any:
    nested = _NESTED.get(name)
    if nested is not None:
        if isinstance(value, list):
            return [_build(nested, item) for item in value]
        return _build(nested, value)
    if name in _TEMPORAL_FIELDS and isinstance(value, str):
        return _parse_temporal(value)
    return value


def from_dict(data: dict[str, Any]) -> Record:
    """Rebuild a record from ``to_dict`` output.

    Raises:
        KeyError: the data names no known record kind.
    """
    cls = RECORD_CLASSES[data.get("kind", "dataset")]
    return _build(cls, data)
