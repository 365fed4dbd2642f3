"""FGS Ärendehantering 2.0 (E-ARK CITS ERMS 2.1.2 and 3) elements → Case and Document.

The ``fgs`` connector streams an export and hands this module one element at a time:
``<control>`` (who delivered it: the register), an ``<aggregation>`` (a case file,
ärende) with its ``<record>`` children (registered documents, handlingar), or a lone
``<record>`` of an export without aggregations. Nothing here reads files or the network.

Mapping (ERMS → Insyn):

====================================  ================================================
aggregation @aggregationType=caseFile  Case (other aggregation types holding records too)
identification[@identificationType=   Case.diarienummer (as written) and
 ärendenummer|diarienummer], objectId  Case.diarienummer_normalised (``normalise_diarienummer``)
title / otherTitle[description]       title / description; otherTitle[public|publicTitle]
                                       → public_title; other otherTitle → extras
status/@value                          status (Swedish label)
dates/date[@dateType=opened|created]   opened; closed → closed
classification/@classificationCode     governance.process_code (inherited from a parent class)
agents/agent                           parties (role in Swedish); responsible_person's
                                       unitName/organisation → responsible_unit
restriction                            governance: confidential → NON_PUBLIC, gdpr/integrity/
                                       other → RESTRICTED; regulation (OSL reference, normalised
                                       to "26 kap. 1 § OSL") → secrecy_provision; explanatoryText
                                       → extras. Documents inherit their case's restriction
                                       unless they carry their own.
record                                 Document: runningNumber (else the objectId's document
                                       part) → document_number; direction/@directionDefinition →
                                       direction; @recordType → document_type; date received /
                                       originated / sent / created → date; appendix → attachments
control/identification                 the register (one Dataset per export): arkivbildare,
                                       organisationsnummer → publisher; ärendenummer → extras
====================================  ================================================

Parties: whether an agent is a private individual is ``insyn.vocab.parties.
is_private_individual``'s decision, failing closed: officials (``OFFICIAL_ROLES``: creator,
responsible person …) are not, their names being public in a Swedish diarium; any other
agent is unless an organisationsnummer, an otherAgentType meaning organisation, a legal
form in its name or a known authority's name says otherwise (its role and its free-text
``<organisation>`` never do). A personnummer or a protected identity always makes it
private. Each document also carries its case's private parties (role "part i ärendet"),
so that public masking finds their names in the document's own title.

Validation: ``ErmsValidator`` checks one unit (control + one aggregation, or control + one
record) against ERMS.xsd 2.1.2 or ERMS_v3.xsd and the Schematron rules, so that a huge
export is validated as it streams, with line numbers of the original file.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from lxml import etree

from insyn.vocab.diarienummer import normalise_diarienummer, parse_diarienummer
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    Agent,
    Attachment,
    Case,
    Dataset,
    Document,
    Governance,
    Party,
)
from insyn.vocab.parties import is_private_individual, with_case_parties
from insyn.vocab.personal_data import find_personnummer, is_personnummer, is_samordningsnummer

if TYPE_CHECKING:
    from lxml import isoschematron
from insyn.vocab.vocabularies import ADMS_PUBLISHER_TYPE

ERMS_NS = "https://DILCIS.eu/XML/ERMS"
# Riksarkivet's FGS Ärendehantering 1.0 namespace: read with the same names, not validated
# (its schema is not available to us).
FGS_1_NS = "http://xml.ra.se/e-arkiv/FGS-ERMS"
NAMESPACES = (ERMS_NS, FGS_1_NS)

# Part of the FGS connector's source digests: raise it when the mapping changes, so that
# the next harvest maps unchanged cases again.
MAPPING_VERSION = 1

SchemaVersion = Literal["v3", "v2"]
SCHEMA_FILES: dict[str, str] = {"v3": "ERMS_v3.xsd", "v2": "ERMS.xsd"}
SCHEMATRON_FILES: dict[str, str] = {
    "v3": "erms_v3.sch",
    "v2": "erms.sch",
    "svk": "ERMS-SVK-ARENDE.sch",
}

STATUS_LABELS = {
    "ad_acta": "ad acta",
    "closed": "avslutat",
    "expedited": "expedierat",
    "initiated": "initierat",
    "in_progress": "pågående",
    "obliterated": "makulerat",
    "on_hold": "vilande",
    "open": "öppet",
    "prepared": "upprättat",
    "received": "inkommet",
}
ROLE_LABELS = {
    "counterpart": "part",
    "sender": "avsändare",
    "receiver": "mottagare",
    "recipient": "mottagare",
    "creator": "upprättare",
    "responsible_person": "handläggare",
    "editor": "medhandläggare",
    "authorising_person": "beslutsfattare",
    "contact_person": "kontaktperson",
    "main_signatory": "undertecknare",
    "other_signatory": "undertecknare",
    "owner": "ägare",
    "agent": "annan aktör",
    "deliverer": "levererande",
    "dispatcher": "expedierande",
    "administrator": "administratör",
}
# Agent types of the authority's own officials, whose names are public in a diarium
# ("closing_person" is a common otherAgentType). Every other agent may be a private person.
OFFICIAL_ROLES = {
    "administrator",
    "archiver",
    "authorising_person",
    "closing_person",
    "creator",
    "custodian",
    "deliverer",
    "dispatcher",
    "editor",
    "opening_person",
    "responsible_person",
}
# otherTitle types that hold the source's title for the public (FGS, Public 360 …).
PUBLIC_TITLE_TYPES = {"public", "publictitle", "public_title", "offentlig", "offentligtitel"}
DIRECTIONS: dict[str, Literal["incoming", "outgoing", "drawn-up"]] = {
    "incoming": "incoming",
    "outgoing": "outgoing",
    "internal": "drawn-up",
    "internal_memo_for_follow-up": "drawn-up",
    "internal_memo_without_follow-up": "drawn-up",
    "case_draft": "drawn-up",
    "other": "drawn-up",
}
_OSL_PATTERNS = (
    # "26 kap. 1 § OSL", "26 kap 1 § offentlighets- och sekretesslagen (2009:400)"
    re.compile(
        r"(?P<chapter>\d{1,2})\s*kap\.?\s*(?P<section>\d{1,3}\s?[a-z]?)\s*§"
        r"(?:\s*(?:första|andra|tredje|fjärde|\d+)\s*st(?:\.|ycket)?)?\s*"
        r"(?:OSL|offentlighets-\s*och\s*sekretesslag(?:en)?(?:\s*\(2009:400\))?)",
        re.IGNORECASE,
    ),
    # "OSL 26:1", "OSL 26 kap. 1 §", "OSL 26 kap 1§"
    re.compile(
        r"OSL\s*(?P<chapter>\d{1,2})\s*(?::|kap\.?)\s*(?P<section>\d{1,3}\s?[a-z]?)\s*§?",
        re.IGNORECASE,
    ),
    # "26:1 OSL"
    re.compile(r"(?P<chapter>\d{1,2}):(?P<section>\d{1,3}\s?[a-z]?)\s*OSL", re.IGNORECASE),
)


def local(tag: object) -> str:
    """The element's name without its namespace."""
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def normalise_osl(text: str) -> str:
    """Return an OSL reference in the form "26 kap. 1 § OSL"; other text as given.

    >>> normalise_osl("OSL 26:1")
    '26 kap. 1 § OSL'
    """
    value = " ".join(text.split())
    for pattern in _OSL_PATTERNS:
        match = pattern.search(value)
        if match:
            section = match.group("section").replace(" ", "")
            return f"{int(match.group('chapter'))} kap. {section} § OSL"
    return value


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


@dataclass
class Mapped:
    record: Case | Document | Dataset
    warnings: list[str] = field(default_factory=list)


@dataclass
class Register:
    """What ``<control>`` says about the register the export comes from."""

    organisation: str | None = None
    organisation_number: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)
    classification_schema: str | None = None
    delivering_system: str | None = None
    agency: str | None = None


@dataclass
class Context:
    """What every record of one export shares."""

    diarium: str
    publisher: Agent | None
    owner: str | None


@lru_cache(maxsize=4096)
def _is_private(
    name: str,
    numbers: tuple[str, ...],
    organisation_type: str | None,
    official: bool,
    personal: bool,
    protected: bool,
) -> bool:
    """``is_private_individual`` for one party as a diarium writes it. The same sender,
    counterpart and officer recur on document after document, and the decision (a
    handful of patterns over the name) depends on these values alone."""
    return is_private_individual(
        name,
        identifiers=numbers,
        organisation_type=organisation_type,
        official=official,
        flagged_private=True if personal else None,
        protected_identity=protected,
    )


class _Reader:
    """Reads ERMS child elements in one namespace."""

    def __init__(self, namespace: str) -> None:
        self.ns = "{" + namespace + "}"

    # Child steps through ``iterchildren(tag)``, filtered in C: ElementPath's ``find`` cost
    # three times as much, and a diarium export has tens of lookups per document.

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        return next(element.iterchildren(self.ns + name), None)

    def children(self, element: etree._Element, *path: str) -> list[etree._Element]:
        if len(path) == 1:  # most lookups: one step, a list built in C
            return list(element.iterchildren(self.ns + path[0]))
        found = [element]
        for name in path:
            tag = self.ns + name
            found = [child for parent in found for child in parent.iterchildren(tag)]
        return found

    def text(self, element: etree._Element | None, *path: str) -> str | None:
        if element is None:
            return None
        if len(path) == 1:
            found = next(element.iterchildren(self.ns + path[0]), None)
        elif path:
            found = next(iter(self.children(element, *path)), None)
        else:
            found = element
        if found is None or found.text is None:
            return None
        value = " ".join(found.text.split())
        return value or None

    # --- control ---------------------------------------------------------------------

    def register(self, control: etree._Element) -> Register:
        register = Register()
        for identification in self.children(control, "identification"):
            kind = (identification.get("identificationType") or "").strip()
            value = self.text(identification)
            if kind and value:
                register.identifiers.setdefault(kind, value)
        register.organisation = register.identifiers.get("arkivbildare")
        register.organisation_number = register.identifiers.get("organisationsnummer")
        register.classification_schema = self.text(
            control, "classificationSchema", "textualDescriptionOfClassificationSchema", "p"
        )
        agency = self.child(control, "maintenanceInformation")
        if agency is not None:
            register.agency = self.text(agency, "maintenanceAgency", "agencyName")
            for agent in agency.iter(self.ns + "agent"):
                if agent.get("agentType") == "deliverer":
                    register.delivering_system = self.text(agent, "name")
        return register

    # --- shared parts -----------------------------------------------------------------

    def parties(self, element: etree._Element) -> list[Party]:
        agents = self.children(element, "agents", "agent") + self.children(element, "agent")
        parties = []
        for agent in agents:
            name = self.text(agent, "name")
            if not name:
                continue
            kind = agent.get("agentType") or ""
            role = agent.get("otherAgentType") if kind == "other" else kind
            organisation = self.text(agent, "organisation")
            identifier = None
            personal = False
            numbers = []
            for id_number in self.children(agent, "idNumber"):
                value = self.text(id_number) or ""
                numbers.append(value)
                id_type = (id_number.get("idNumberType") or "").lower()
                if (
                    id_type in {"personnummer", "samordningsnummer"}
                    or is_personnummer(value)
                    or (is_samordningsnummer(value))
                ):
                    identifier, personal = value, True
                elif id_type == "organisationsnummer" and identifier is None:
                    identifier = value
            protected = (self.text(agent, "protectedIdentity") or "").lower() in {"true", "1"}
            # The <organisation> element is free text ("Privatperson" too): not trusted.
            is_private = _is_private(
                name,
                tuple(numbers),
                agent.get("otherAgentType") if kind == "other" else None,
                (role or "") in OFFICIAL_ROLES,
                personal,
                protected,
            )
            label = ROLE_LABELS.get(role or "", role or None)
            display = (
                f"{name} ({organisation})"
                if organisation and organisation != name and not is_private
                else name
            )
            parties.append(
                Party(
                    name=display,
                    role=label,
                    is_private_individual=is_private,
                    identifier=identifier,
                )
            )
        return parties

    def governance(
        self, element: etree._Element, inherited: Governance | None, context: Context
    ) -> tuple[Governance, dict[str, list[str]], list[str]]:
        """Governance from the element's restrictions (else the inherited ones)."""
        warnings: list[str] = []
        extras: dict[str, list[str]] = {}
        restrictions = self.children(element, "restriction")
        if not restrictions:
            if inherited is not None and not inherited.is_public:
                # Its own copy of all that mapping changes (a deep copy cost more than the
                # rest of a secret case's document).
                governance = replace(
                    inherited,
                    personal_data_categories=list(inherited.personal_data_categories),
                    retention=copy.copy(inherited.retention),
                )
            else:
                governance = Governance()
            governance.information_owner = context.owner
            return governance, extras, warnings
        provisions: list[str] = []
        kinds: list[str] = []
        for restriction in restrictions:
            kind = restriction.get("restrictionType") or "other_type"
            if kind == "other_type" and restriction.get("otherRestrictionType"):
                kind = restriction.get("otherRestrictionType") or kind
            kinds.append(kind)
            regulation = self.text(restriction, "regulation")
            explanation = self.text(restriction, "explanatoryText")
            if explanation:
                extras.setdefault("sekretess_förklaring", []).append(explanation)
            if regulation:
                provisions.append(normalise_osl(regulation))
            elif explanation:
                provisions.append(normalise_osl(explanation))
        governance = Governance(
            access_rights=NON_PUBLIC if "confidential" in kinds else RESTRICTED,
            information_owner=context.owner,
        )
        unique = list(dict.fromkeys(provisions))
        if unique:
            governance.secrecy_provision = "; ".join(unique)
        else:
            governance.secrecy_provision = "bestämmelse ej angiven"
            warnings.append(
                f"<restriction> på rad {restrictions[0].sourceline} anger ingen bestämmelse "
                "(regulation); posten behandlas som sekretessmarkerad"
            )
        if "gdpr" in kinds:
            governance.contains_personal_data = True
        extras["begränsning"] = list(dict.fromkeys(kinds))
        return governance, extras, warnings

    def process_code(self, element: etree._Element) -> str | None:
        current: etree._Element | None = element
        while current is not None:
            classification = self.child(current, "classification")
            if classification is not None:
                code = classification.get("classificationCode") or classification.get(
                    "fullyQualifiedClassificationCode"
                )
                if code:
                    return code.strip()
            current = current.getparent()
        return None

    def dates(self, element: etree._Element) -> dict[str, date]:
        found: dict[str, date] = {}
        for item in self.children(element, "dates", "date"):
            kind = item.get("dateType") or ""
            if kind == "other":
                kind = item.get("otherDateType") or kind
            value = _date(item.text)
            if value is not None:
                found.setdefault(kind, value)
        return found

    def titles(self, element: etree._Element, record: Case | Document) -> None:
        title = self.text(element, "title")
        if title:
            record.title = {"sv": title}
        descriptions = [self.text(d) for d in self.children(element, "description")]
        for other in self.children(element, "otherTitle"):
            kind = other.get("titleType") or ""
            value = self.text(other)
            if not value:
                continue
            if kind == "description":
                descriptions.append(value)
            elif kind.casefold() in PUBLIC_TITLE_TYPES and not record.public_title:
                record.public_title = {"sv": value}
            else:
                record.extras.setdefault(f"titel_{kind or 'annan'}", []).append(value)
        description = "\n".join(d for d in descriptions if d)
        if description:
            record.description = {"sv": description}
        keywords = [self.text(k) for k in self.children(element, "keywords", "keyword")]
        if any(keywords):
            record.keyword = {"sv": [k for k in keywords if k]}

    # --- case and document ------------------------------------------------------------

    def case(self, aggregation: etree._Element, context: Context) -> Mapped:
        warnings: list[str] = []
        case = Case(diarium=context.diarium, publisher=context.publisher)
        written = None
        for identification in self.children(aggregation, "identification"):
            kind = (identification.get("identificationType") or "").casefold()
            if kind in {"ärendenummer", "arendenummer", "diarienummer", "dnr"}:
                written = self.text(identification)
                break
        written = written or self.text(aggregation, "objectId") or ""
        case.diarienummer = written
        normalised = normalise_diarienummer(written) if written else None
        if written and normalised is None:
            warnings.append(
                f"Diarienumret '{written}' (rad {aggregation.sourceline}) har ingen känd form; "
                "det sparas som det är skrivet"
            )
        case.diarienummer_normalised = normalised or written
        system_id = aggregation.get("systemIdentifier")
        case.uri = f"{context.diarium}/arende/{system_id or case.diarienummer_normalised}"
        self.titles(aggregation, case)
        status = self.child(aggregation, "status")
        if status is not None and status.get("value"):
            case.status = STATUS_LABELS.get(status.get("value", ""), status.get("value"))
        dates = self.dates(aggregation)
        case.opened = dates.get("opened") or dates.get("opening_date") or dates.get("created")
        case.closed = dates.get("closed")
        case.modified = dates.get("modified")
        case.parties = self.parties(aggregation)
        for agent in self.children(aggregation, "agents", "agent") + self.children(
            aggregation, "agent"
        ):
            if agent.get("agentType") == "responsible_person":
                case.responsible_unit = self.text(agent, "unitName") or self.text(
                    agent, "organisation"
                )
                break
        governance, extras, more = self.governance(aggregation, None, context)
        warnings += more
        governance.process_code = self.process_code(aggregation)
        case.governance = governance
        for name, values in extras.items():
            case.extras.setdefault(name, []).extend(values)
        aggregation_type = aggregation.get("aggregationType")
        if aggregation_type and aggregation_type != "caseFile":
            case.extras["aggregationstyp"] = [
                aggregation.get("otherAggregationType") or aggregation_type
            ]
        if system_id:
            case.extras["systemidentifierare"] = [system_id]
        self._personal_data(case, case.parties, case.title)
        return Mapped(case, warnings)

    def document(self, record: etree._Element, case: Case | None, context: Context) -> Mapped:
        warnings: list[str] = []
        document = Document(diarium=context.diarium, publisher=context.publisher)
        object_id = self.text(record, "objectId") or ""
        running = self.text(record, "runningNumber")
        # The objectId is parsed only for what the case and runningNumber do not say.
        needed = object_id and (case is None or not running)
        parsed = parse_diarienummer(object_id) if needed else None
        if case is not None:
            document.case_diarienummer = case.diarienummer_normalised
        elif parsed is not None:
            document.case_diarienummer = str(parsed.case)
        else:
            document.case_diarienummer = object_id
        if running:
            document.document_number = running
        elif parsed is not None and parsed.document is not None:
            document.document_number = str(parsed.document)
        if object_id:
            document.extras["objektidentitet"] = [object_id]
        system_id = record.get("systemIdentifier")
        if system_id:
            document.extras["systemidentifierare"] = [system_id]
        base = f"{context.diarium}/handling/"
        document.uri = base + (
            system_id or f"{document.case_diarienummer}-{document.document_number or object_id}"
        )
        self.titles(record, document)
        direction = self.child(record, "direction")
        if direction is not None:
            definition = direction.get("directionDefinition") or ""
            document.direction = DIRECTIONS.get(definition)
            if definition == "other" and direction.get("otherDirectionDefinition"):
                document.extras["riktning"] = [direction.get("otherDirectionDefinition", "")]
            elif document.direction is None and definition:
                warnings.append(f"Okänd riktning '{definition}' (rad {direction.sourceline})")
        document.document_type = record.get("recordType") or self.text(record, "levelName")
        dates = self.dates(record)
        preferred = {
            "incoming": ("received", "originated", "created"),
            "outgoing": ("expedited", "sent", "dispatch", "originated", "created"),
        }.get(document.direction or "", ("originated", "created", "received", "sent"))
        document.date = next((dates[k] for k in preferred if k in dates), None)
        if document.date is None and dates:
            document.date = next(iter(dates.values()))
        document.modified = dates.get("modified")
        status = self.child(record, "status")
        if status is not None and status.get("value") == "obliterated":
            document.extras["status"] = ["makulerad"]
        document.parties = self.parties(record)
        for appendix in record.iter(self.ns + "appendix"):
            name = appendix.get("name") or appendix.get("path")
            if name:
                document.attachments.append(
                    Attachment(name=name, format=appendix.get("fileFormat") or None)
                )
        governance, extras, more = self.governance(
            record, case.governance if case is not None else None, context
        )
        warnings += more
        governance.process_code = self.process_code(record)
        document.governance = governance
        for name, values in extras.items():
            document.extras.setdefault(name, []).extend(values)
        self._personal_data(document, document.parties, document.title)
        if case is not None:
            document.parties = with_case_parties(document.parties, case.parties)
        return Mapped(document, warnings)

    @staticmethod
    def _personal_data(record: Case | Document, parties: list[Party], title: dict) -> None:
        private = [p for p in parties if p.is_private_individual]
        text = " ".join([*title.values(), *record.description.values()])
        personnummer = find_personnummer(text)
        if private or personnummer:
            record.governance.contains_personal_data = True
            categories = record.governance.personal_data_categories
            if "namn" not in categories and private:
                categories.append("namn")
            if personnummer and "personnummer" not in categories:
                categories.append("personnummer")


def reader(namespace: str = ERMS_NS) -> _Reader:
    return _Reader(namespace)


# An organisationsnummer's first four digits give a public body's legal form: 2120 a
# kommun, 2321 a region, 2021 a state authority (Bolagsverket's groups of juridisk form).
PUBLIC_BODY_TYPES = {
    "2120": "LocalAuthority",
    "2321": "RegionalAuthority",
    "2021": "NationalAuthority",
}


def publisher_type(organisation_number: str | None) -> str | None:
    """The ADMS publisher type an organisationsnummer states, if it is a public body's."""
    digits = re.sub(r"\D", "", organisation_number or "")[-10:]
    kind = PUBLIC_BODY_TYPES.get(digits[:4]) if len(digits) == 10 else None
    return ADMS_PUBLISHER_TYPE + kind if kind else None


def register_dataset(
    register: Register, *, uri: str, title: str | None, owner: str | None
) -> Dataset:
    """The Dataset describing the register (diarium) an export comes from."""
    name = register.organisation or register.agency
    number = register.organisation_number
    publisher = (
        Agent(name={"sv": name}, identifier=number, type=publisher_type(number)) if name else None
    )
    dataset = Dataset(
        uri=uri,
        title={"sv": title or (f"Diarium – {name}" if name else "Diarium")},
        description={
            "sv": "Register över ärenden och allmänna handlingar, skördat från en export "
            "enligt FGS Ärendehantering (E-ARK CITS ERMS)."
        },
        publisher=publisher,
        identifier=[uri],
        conforms_to=["https://citserms.dilcis.eu/"],
    )
    dataset.governance = Governance(access_rights=PUBLIC, information_owner=owner)
    for kind, value in register.identifiers.items():
        dataset.extras.setdefault(f"control_{kind}", []).append(value)
    if register.classification_schema:
        dataset.extras["klassificeringsstruktur"] = [register.classification_schema]
    if register.delivering_system:
        dataset.extras["levererande_system"] = [register.delivering_system]
    return dataset


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "diarium"


def register_with_context(
    register: Register, *, file_stem: str, uri: str | None, title: str | None, owner: str | None
) -> tuple[Dataset, Context]:
    """The register's Dataset and the context its records are read in. ``uri`` defaults to
    urn:insyn:diarium:<arkivbildare, else agency, else ``file_stem``>; the records' owner
    to the source's ``owner``, else the arkivbildare."""
    name = register.organisation or register.agency or file_stem
    diarium = uri or f"urn:insyn:diarium:{_slug(name)}"
    dataset = register_dataset(register, uri=diarium, title=title, owner=owner)
    context = Context(
        diarium=diarium, publisher=dataset.publisher, owner=owner or register.organisation
    )
    return dataset, context


# --- validation ---------------------------------------------------------------------------


@dataclass
class Violation:
    line: int | None
    element: str
    message: str
    rule: str  # "XSD ERMS v3", "Schematron erms_v3" …

    def __str__(self) -> str:
        where = f"rad {self.line}" if self.line else "okänd rad"
        return f"{self.rule}: {where}, <{self.element}>: {self.message}"


def _data(name: str) -> bytes:
    return resources.files("insyn.vocab").joinpath("data", "erms", name).read_bytes()


@cache
def xml_schema(version: str) -> etree.XMLSchema:
    """The compiled ERMS XSD (bundled; its includes resolve to nothing on the network)."""
    return etree.XMLSchema(etree.fromstring(_data(SCHEMA_FILES[version])))


@cache
def schematron(name: str) -> isoschematron.Schematron:
    """The compiled Schematron rules; an "xslt2" query binding is dropped (XPath 1 rules)."""
    # Imported here: it compiles its own stylesheets on import, and a run whose cases no
    # rule can fire (``schematron_tokens``), or an unchanged one, never needs it.
    from lxml import isoschematron

    tree = etree.fromstring(_data(SCHEMATRON_FILES[name]))
    tree.attrib.pop("queryBinding", None)
    return isoschematron.Schematron(tree, store_report=True)


_SCH = ("http://purl.oclc.org/dsdl/schematron", "http://www.ascc.net/xml/schematron")
# One step of a plain rule context: [prefix:]name or *, with at most one [@attr = 'value'].
_STEP = r"(?:[\w.-]+:)?(?:\*|[\w.-]+)(?:\[\s*@[\w.-]+\s*=\s*(?:'[\w.-]*'|\"[\w.-]*\")\s*\])?"
_PLAIN_CONTEXT = re.compile(rf"/{{0,2}}{_STEP}(?:/{{1,2}}{_STEP})*", re.ASCII)
_STEP_PARTS = re.compile(
    r"(?:[\w.-]+:)?(\*|[\w.-]+)(?:\[\s*@([\w.-]+)\s*=\s*['\"]([\w.-]*)['\"]\s*\])?", re.ASCII
)


@cache
def schematron_tokens(name: str) -> tuple[tuple[bytes, ...], ...] | None:
    """What the serialised document must hold for a rule of the Schematron ``name`` to
    fire: per rule context, the element names and ``attr="value"`` pairs of its steps.

    An assertion is tested only where its rule fires, so a unit whose serialisation holds
    none of these passes every rule, and the rules (an XSLT run over every node, most of
    a unit's validation) need not run. None when some context is not a plain path of
    names and ``[@attr = 'value']`` tests (ASCII only, as lxml writes them), or a step
    matches any element with no test: then the rules always run.
    """
    tree = etree.fromstring(_data(SCHEMATRON_FILES[name]))
    sch = etree.QName(tree).namespace
    if sch not in _SCH:
        return None
    needs: list[tuple[bytes, ...]] = []
    for rule in tree.iter(f"{{{sch}}}rule"):
        for alternative in (rule.get("context") or "").split("|"):
            if not _PLAIN_CONTEXT.fullmatch(alternative.strip()):
                return None
            tokens = []
            for local_name, attribute, value in _STEP_PARTS.findall(alternative):
                if local_name != "*":
                    tokens.append(local_name.encode())
                if attribute:
                    tokens.append(f'{attribute}="{value}"'.encode())
            if not tokens:
                return None
            needs.append(tuple(tokens))
    return tuple(needs)


_ELEMENT_IN_MESSAGE = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"


class ErmsValidator:
    """Validates an export one unit at a time, keeping the original line numbers.

    ``schema``: "v3", "v2" or "auto" (the first unit decides: ERMS 3 unless only 2.1.2
    accepts it — both use one namespace). ``rules``: "erms" (the generic co-occurrence
    rules of the chosen version), "svk" (the Church of Sweden's profile, which includes
    them) or "none".
    """

    def __init__(self, schema: str = "auto", rules: str = "erms") -> None:
        self.version: str | None = None if schema == "auto" else schema
        self.rules = rules
        # The last wrapper built: (control, container, document, holder). An export has one
        # control, so one copy of it serves every unit.
        self._wrapper: (
            tuple[etree._Element | None, str, etree._ElementTree, etree._Element] | None
        ) = None

    def _document(
        self, control: etree._Element | None, container: str
    ) -> tuple[etree._ElementTree, etree._Element]:
        """The document a unit is checked in (``<erms>``, a copy of ``control``, an empty
        ``container``) and that container."""
        cached = self._wrapper
        if cached is not None and cached[0] is control and cached[1] == container:
            return cached[2], cached[3]
        wrapper = etree.Element(f"{{{ERMS_NS}}}erms", nsmap={None: ERMS_NS})
        if control is not None:
            wrapper.append(copy.deepcopy(control))
        holder = etree.SubElement(wrapper, f"{{{ERMS_NS}}}{container}")
        document = etree.ElementTree(wrapper)
        self._wrapper = (control, container, document, holder)
        return document, holder

    def check(
        self,
        control: etree._Element | None,
        unit: etree._Element,
        container: str,
        serialised: bytes | None = None,
    ) -> list[Violation]:
        """The unit's violations; ``serialised``, the control's and the unit's bytes as
        ``etree.tostring`` writes them, lets the Schematron rules be skipped where none
        can fire (``schematron_tokens``)."""
        text = None if serialised is None else b"<erms><" + container.encode() + serialised
        document, holder = self._document(control, container)
        # A unit in a tree is moved into the wrapper for the checks and back to its place
        # after, not copied: a copy of a case file cost twice its XSD validation. Its line
        # numbers go with it.
        parent = unit.getparent()
        placed = unit if parent is not None else copy.deepcopy(unit)
        index = parent.index(unit) if parent is not None else 0
        holder.append(placed)
        try:
            return self._check(document, text)
        finally:
            if parent is not None:
                parent.insert(index, unit)
            else:
                holder.remove(placed)

    def _check(self, document: etree._ElementTree, text: bytes | None) -> list[Violation]:
        if self.version is None:
            found = self._xsd(document, "v3")
            if found and not self._xsd(document, "v2"):
                self.version = "v2"
                return self._rules(document, text)
            self.version = "v3"
            return found + self._rules(document, text)
        return self._xsd(document, self.version) + self._rules(document, text)

    def _xsd(self, document: etree._ElementTree, version: str) -> list[Violation]:
        schema = xml_schema(version)
        if schema.validate(document):
            return []
        rule = f"XSD ERMS {'3' if version == 'v3' else '2.1.2'}"
        violations = []
        for error in schema.error_log:
            match = _ELEMENT_IN_MESSAGE.search(error.message)
            violations.append(
                Violation(error.line or None, match.group(1) if match else "?", error.message, rule)
            )
        return violations

    def _rules(self, document: etree._ElementTree, text: bytes | None) -> list[Violation]:
        if self.rules == "none":
            return []
        name = "svk" if self.rules == "svk" else (self.version or "v3")
        needs = schematron_tokens(name)
        if (
            needs is not None
            and text is not None
            and not any(all(token in text for token in need) for need in needs)
        ):
            return []
        checker = schematron(name)
        if checker.validate(document):
            return []
        violations = []
        for failed in checker.validation_report.getroot().iter(_SVRL + "failed-assert"):
            location = failed.get("location") or ""
            element = document.xpath(location) if location else []
            target = element[0] if isinstance(element, list) and element else None
            text = " ".join("".join(failed.itertext()).split())
            violations.append(
                Violation(
                    getattr(target, "sourceline", None),
                    local(target.tag) if target is not None else location,
                    text,
                    f"Schematron {SCHEMATRON_FILES[name]}",
                )
            )
        return violations
