"""ISO 19139 (gmd:MD_Metadata, gmi:MI_Metadata) → model, after GeoDCAT-AP.

CSW serves these records (``insyn.connectors.csw`` fetches and pages them); this profile
maps one parsed record element. The mapping follows GeoDCAT-AP. A record that breaks a rule
is mapped with warnings naming what is wrong; only a record with no identifier at all (or
one that cannot be read) is ``Unreadable``.

    gmd:fileIdentifier (else the first resource identifier) → the key, dct:identifier
    citation/identifier/*/code                  → dct:identifier (after the fileIdentifier)
    hierarchyLevel service (or SV_ServiceIdentification)   → DataService, else Dataset
    citation/title, abstract (+ PT_FreeText)    → title, description; language tags from
                                                  gmd:language and gmd:locale/PT_Locale
    descriptiveKeywords, GEMET INSPIRE themes   → theme (EU data themes), extras inspire:theme
    descriptiveKeywords, anchor to the HVD      → applicable_legislation (as SEMIC's
    regulation (eli/reg_impl/2023/138/oj)         iso-19139-to-dcat-ap.xsl)
    descriptiveKeywords, anchors in the thesaurus → hvd_category
    "High-value dataset categories" (bna/asd487ae75)
    descriptiveKeywords, other                  → keyword, by language
    topicCategory → INSPIRE themes              → theme (EU data themes), extras
    citation dates publication (else creation)  → issued
    citation date revision, else dateStamp      → modified
    pointOfContact/citedResponsibleParty roles  → publisher: publisher, owner, custodian,
                                                  pointOfContact, distributor (organisation)
    role pointOfContact (else gmd:contact)      → contact_point (name, e-mail, phone, address)
    role originator/author/principalInvestigator → creator
    EX_GeographicBoundingBox                    → bbox: WKT "POLYGON((w s,e s,e n,w n,w s))"
                                                  in CRS84 (DataService: extras dcat:bbox)
    EX_GeographicDescription code (a URI)       → spatial
    EX_TemporalExtent gml:TimePeriod/TimeInstant → temporal
    resource language                           → language (EU language URIs)
    maintenanceAndUpdateFrequency               → accrual_periodicity (EU frequency)
    lineage/statement (dct:provenance),         → provenance, version
    citation/edition
    transferOptions/onLine, service protocol    → distribution (format WMS_SRVC, WFS_SRVC …);
                                                  DataService: endpoint_url, format
    onLine, function information/search         → landing_page
    onLine, other                               → distribution, format from the file
                                                  extension or the one distributionFormat
    otherConstraints LimitationsOnPublicAccess  → governance.access_rights through the one
                                                  table (insyn.vocab.access_rights)
    otherConstraints/useLimitation licence      → distribution license (DataService.license)
    useLimitation, otherConstraints texts       → extras (no rights property in the model)
    srv:operatesOn                              → serves_dataset
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.vocab import access_rights, vocabularies
from insyn.vocab.model import (
    NON_PUBLIC,
    Agent,
    ContactPoint,
    DataService,
    Dataset,
    Distribution,
    LangText,
    PeriodOfTime,
    Record,
)
from insyn.vocab.profiles.dcat_read import parse_date
from insyn.vocab.source_defaults import HVD_LEGISLATION

GMD = "http://www.isotc211.org/2005/gmd"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
NS = {
    "gmd": GMD,
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
}
# SEMIC's iso-19139-to-dcat-ap.xsl: a keyword anchored to the HVD regulation is the
# applicable legislation; anchors in the HVD category thesaurus are HVD categories.
HVD_CATEGORIES = "http://data.europa.eu/bna/asd487ae75"
GML_NAMESPACES = ("http://www.opengis.net/gml/3.2", "http://www.opengis.net/gml")
FILE_TYPE = vocabularies.EU_AUTHORITY + "file-type/"
FREQUENCY = vocabularies.EU_AUTHORITY + "frequency/"
LIMITATIONS_ON_PUBLIC_ACCESS = "LimitationsOnPublicAccess/"

# ISO 639-2 (what ISO 19139 writes) → the BCP 47 tags of LangText.
_LANGUAGE_TAGS = {
    "swe": "sv", "eng": "en", "fin": "fi", "nor": "no", "nob": "nb", "nno": "nn", "dan": "da",
    "ger": "de", "deu": "de", "fre": "fr", "fra": "fr", "spa": "es", "ita": "it", "gre": "el",
    "ell": "el", "dut": "nl", "nld": "nl", "sme": "se", "ice": "is", "isl": "is", "est": "et",
    "lav": "lv", "lit": "lt", "pol": "pl",
}  # fmt: skip
# ISO 19115 MD_MaintenanceFrequencyCode → EU frequency (GeoDCAT-AP's correspondences).
_FREQUENCIES = {
    "continual": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "fortnightly": "BIWEEKLY",
    "monthly": "MONTHLY", "quarterly": "QUARTERLY", "biannually": "ANNUAL_2",
    "annually": "ANNUAL", "asNeeded": "IRREG", "irregular": "IRREG", "notPlanned": "NEVER",
    "unknown": "UNKNOWN",
}  # fmt: skip
# Protocol words → EU file type. A service protocol makes a distribution, whatever the link's
# declared function: geodata.se marks its WMS links "information".
_PROTOCOL_FORMATS = (
    (("WMTS",), "MAP_SRVC"),
    (("WMS",), "WMS_SRVC"),
    (("WEB", "MAP", "SERVICE"), "WMS_SRVC"),
    (("WFS",), "WFS_SRVC"),
    (("WEB", "FEATURE", "SERVICE"), "WFS_SRVC"),
    (("WCS",), "WCS_SRVC"),
    (("ATOM",), "ATOM"),
    (("ESRI", "REST"), "REST"),
)
_NO_LIMITATIONS = {
    "no limitations",
    "no limitation",
    "nolimitations",
    "none",
    "inga begränsningar",
    "inga begränsningar för allmänhetens tillgång",
}
_CLOSED_CLASSIFICATIONS = {
    "restricted",
    "confidential",
    "secret",
    "topSecret",
    "limitedDistribution",
}
_TEMPLATE = re.compile(r"\{\{[^}]*\}\}")
_URL_IN_TEXT = re.compile(r"https?://[^\s)\"'<>]+")
_CC_LICENCE = re.compile(r"\bCC[ -]?(0|BY(?:[ -](?:SA|ND|NC))*)(?:[ -]?(\d\.\d))?\b", re.IGNORECASE)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _value(prop: etree._Element | None) -> str | None:
    """The text of an ISO property (its gco:CharacterString, gmx:Anchor, gmd:URL …)."""
    if prop is None:
        return None
    for child in prop:
        if isinstance(child.tag, str) and _local(child) != "PT_FreeText":
            text = (child.text or "").strip()
            return text or None
    return None


def _code(prop: etree._Element | None) -> str | None:
    """The value of a code-list property: codeListValue, else the element's text."""
    if prop is None:
        return None
    for child in prop:
        if isinstance(child.tag, str):
            value = (child.get("codeListValue") or child.text or "").strip()
            return value or None
    return None


def _href(prop: etree._Element | None) -> str | None:
    if prop is None:
        return None
    for child in prop:
        if isinstance(child.tag, str) and child.get(XLINK_HREF, "").strip():
            return child.get(XLINK_HREF, "").strip()
    return None


def _language_tag(code: str | None) -> str:
    """'swe', 'sv', 'sv-SE', 'SWE' → 'sv'; an unknown code is kept as given, lower-cased."""
    if not code:
        return ""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return _LANGUAGE_TAGS.get(code, code)


class _Reader:
    """One ISO record: its language, its locales, and the warnings found while reading it."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.warnings: list[str] = []
        self.language = _language_tag(
            _code(root.find("gmd:language", NS)) or _value(root.find("gmd:language", NS))
        )
        self.locales = {
            locale.get("id", ""): _language_tag(_code(locale.find("gmd:languageCode", NS)))
            for locale in root.iterfind("gmd:locale/gmd:PT_Locale", NS)
        }

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def find(self, path: str, within: etree._Element | None = None) -> etree._Element | None:
        return (self.root if within is None else within).find(path, NS)

    def all(self, path: str, within: etree._Element | None = None) -> list[etree._Element]:
        return (self.root if within is None else within).findall(path, NS)

    def locale_tag(self, reference: str | None) -> str:
        ref = (reference or "").lstrip("#")
        if ref in self.locales:
            return self.locales[ref]
        # "#EN", "#locale-eng", "#SV": the id often names the language itself.
        return _language_tag(re.split(r"[-_]", ref)[-1]) if ref else self.language

    def text(self, prop: etree._Element | None, where: str) -> LangText:
        """Multilingual text: the main value in the metadata language plus PT_FreeText."""
        result: LangText = {}
        if prop is None:
            return result
        main = _value(prop)
        if main:
            result[self.language] = main
        for localised in prop.iterfind(
            "gmd:PT_FreeText/gmd:textGroup/gmd:LocalisedCharacterString", NS
        ):
            text = (localised.text or "").strip()
            if text:
                result.setdefault(self.locale_tag(localised.get("locale")), text)
        for language, text in list(result.items()):
            if _TEMPLATE.search(text):
                self.warn(f"{where}: '{text}' är en oifylld mall från redigeringsverktyget")
                del result[language]
        return result

    def date(self, prop: etree._Element | None, where: str) -> date | datetime | None:
        text = _value(prop)
        if text is None:
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.warn(f"{where}: '{text}' är inget giltigt datum")
        return parsed

    def url(self, text: str | None, where: str) -> str | None:
        if not text:
            return None
        if "://" not in text and not text.startswith(("mailto:", "urn:")):
            fixed = "http://" + text.lstrip("/")
            self.warn(f"{where}: länken '{text}' saknar http(s)://; tolkad som {fixed}")
            return fixed
        return text


@dataclass
class Unreadable:
    """A record that could not be mapped: its key when it has one, why (naming its title
    when it has one), and the field at fault when one is."""

    key: str | None
    reason: str
    field: str | None = None


def map_record(
    element: etree._Element,
) -> tuple[str, Record, list[str], str | None] | Unreadable:
    """Map one gmd:MD_Metadata (or gmi:MI_Metadata) to a model record.

    Returns (key, record, warnings, dateStamp text), or ``Unreadable`` when the record has no
    identifier at all or cannot be read.
    """
    reader = _Reader(element)
    key = _value(reader.find("gmd:fileIdentifier"))
    found = reader.find("gmd:identificationInfo/*")
    ident = found if found is not None else etree.Element("none")
    resource_ids = [
        code
        for prop in reader.all("gmd:citation/*/gmd:identifier/*/gmd:code", ident)
        if (code := _value(prop))
    ]
    title = reader.text(reader.find("gmd:citation/*/gmd:title", ident), "gmd:title")
    if key is None:
        if not resource_ids:
            named = f" ('{next(iter(title.values()))}')" if title else ""
            return Unreadable(
                None,
                f"Posten{named} saknar gmd:fileIdentifier och resursidentifierare",
                "gmd:fileIdentifier",
            )
        key = resource_ids[0]
        reader.warn(f"gmd:fileIdentifier saknas; resursidentifieraren {key} används som nyckel")
    if found is None:
        reader.warn("gmd:identificationInfo saknas; posten har bara sin identifierare")
    try:
        record = _build(reader, ident, key, resource_ids, title)
    except Exception as exc:  # one odd record must not stop the run
        named = f" '{next(iter(title.values()))}'" if title else ""
        return Unreadable(
            key,
            f"Posten{named} ({key}) kunde inte läsas: {type(exc).__name__}: {exc}",
            getattr(exc, "field", None),
        )
    stamp = _value(reader.find("gmd:dateStamp"))
    if stamp is None:
        reader.warn("gmd:dateStamp saknas")
    elif parse_date(stamp) is None:
        reader.warn(f"gmd:dateStamp: '{stamp}' är inget giltigt datum")
        stamp = None
    return key, record, reader.warnings, stamp


def _build(
    reader: _Reader,
    ident: etree._Element,
    key: str,
    resource_ids: list[str],
    title: LangText,
) -> Record:
    levels = [code for prop in reader.all("gmd:hierarchyLevel") if (code := _code(prop))]
    is_service = (levels[:1] == ["service"]) or (
        not levels and _local(ident) == "SV_ServiceIdentification"
    )
    extras: dict[str, list[str]] = {}
    if levels and levels[0] not in ("dataset", "service"):
        extras["gmd:hierarchyLevel"] = levels
    if reader.language:
        extras["gmd:language"] = [reader.language]
    if parent := _value(reader.find("gmd:parentIdentifier")):
        extras["gmd:parentIdentifier"] = [parent]
    if not title:
        reader.warn("Titel saknas (gmd:citation/gmd:title)")
    description = reader.text(reader.find("gmd:abstract", ident), "gmd:abstract")
    if not description:
        reader.warn("Sammanfattning saknas (gmd:abstract)")
    keywords, themes, hvd = _keywords(reader, ident, extras)
    issued, modified = _dates(reader, ident)
    parties = _parties(reader, ident)
    access_rights, licence = _constraints(reader, ident, extras)
    pages, links = _online_resources(reader, licence)
    bbox = _bounding_boxes(reader, ident)
    common: dict[str, Any] = {
        "title": title,
        "description": description,
        "publisher": _publisher(reader, parties),
        "contact_point": _contacts(reader, parties),
        "keyword": keywords,
        "theme": themes,
        "issued": issued,
        "modified": modified,
        "landing_page": pages,
    }
    if is_service:
        service_type = _value(reader.find("srv:serviceType", ident))
        if service_type:
            extras["srv:serviceType"] = [service_type]
        if bbox:
            # DataService has no dct:spatial; the bounding box is kept for the record page.
            extras["dcat:bbox"] = bbox
        record: Record = DataService(
            **common,
            endpoint_url=[link.access_url for link in links if link.access_url],
            serves_dataset=_operates_on(reader, ident),
            license=licence,
            format=sorted({link.format for link in links if link.format}),
            hvd_category=hvd.categories,
            applicable_legislation=hvd.legislation,
        )
    else:
        statements = reader.all("gmd:dataQualityInfo/*/gmd:lineage/*/gmd:statement")
        frequency = _code(
            reader.find("gmd:resourceMaintenance/*/gmd:maintenanceAndUpdateFrequency", ident)
        )
        record = Dataset(
            **common,
            identifier=list(dict.fromkeys([key, *resource_ids])),
            language=_languages(reader, ident),
            spatial=_place_uris(reader, ident),
            bbox=bbox,
            temporal=_temporal(reader, ident),
            accrual_periodicity=_frequency(reader, frequency),
            creator=[
                Agent(name={reader.language: org})
                for role, _, party in parties
                if role in ("originator", "author", "principalInvestigator")
                and (org := _value(reader.find("gmd:organisationName", party)))
            ],
            version=_value(reader.find("gmd:citation/*/gmd:edition", ident)),
            provenance=reader.text(statements[0], "gmd:lineage") if statements else {},
            hvd_category=hvd.categories,
            applicable_legislation=hvd.legislation,
            distributions=links,
        )
    record.governance.access_rights = access_rights
    record.extras = extras
    return record


@dataclass
class _HighValue:
    """What a record's keywords say of the high-value datasets regulation."""

    categories: list[str]
    legislation: list[str]


def _keywords(
    reader: _Reader, ident: etree._Element, extras: dict[str, list[str]]
) -> tuple[dict[str, list[str]], list[str], _HighValue]:
    """Free keywords by language, EU data themes (from INSPIRE themes and topic categories),
    and the HVD category and legislation."""
    keywords: dict[str, list[str]] = {}
    inspire: list[str] = []
    hvd = _HighValue(categories=[], legislation=[])
    for block in reader.all("gmd:descriptiveKeywords/gmd:MD_Keywords", ident):
        thesaurus_prop = reader.find("gmd:thesaurusName/*/gmd:title", block)
        thesaurus = _value(thesaurus_prop) or ""
        thesaurus_href = _href(thesaurus_prop) or ""
        is_hvd = thesaurus_href.rstrip("/") == HVD_CATEGORIES
        is_inspire = "inspire_themes" in thesaurus_href or (
            "inspire" in thesaurus.lower()
            and ("theme" in thesaurus.lower() or "tema" in thesaurus.lower())
        )
        for prop in reader.all("gmd:keyword", block):
            texts = reader.text(prop, "gmd:keyword")
            href = _href(prop) or ""
            if not texts and not href:
                reader.warn(f"Tomt nyckelord i tesaurusen '{thesaurus or 'ingen'}'")
                continue
            if href.rstrip("/") == HVD_LEGISLATION:
                if HVD_LEGISLATION not in hvd.legislation:
                    hvd.legislation.append(HVD_LEGISLATION)
                continue
            if is_hvd:
                if not href:
                    label = next(iter(texts.values()))
                    reader.warn(f"HVD-kategorin '{label}' anges utan gmx:Anchor; den hoppas över")
                elif href not in hvd.categories:
                    hvd.categories.append(href)
                continue
            if is_inspire or href.startswith(vocabularies.INSPIRE_THEME):
                code = _inspire_theme(texts, href)
                if code is None:
                    label = next(iter(texts.values()), href)
                    reader.warn(f"INSPIRE-temat '{label}' finns inte bland de 34 INSPIRE-temana")
                    continue
                inspire.append(vocabularies.INSPIRE_THEME + code)
                continue
            for language, text in texts.items():
                words = keywords.setdefault(language, [])
                if text not in words:
                    words.append(text)
    topics = [
        code
        for prop in reader.all("gmd:topicCategory", ident)
        if (code := _value(prop) or _code(prop))
    ]
    from_topics = [
        uri for topic in topics for uri in vocabularies.iso_topic_category_to_inspire_themes(topic)
    ]
    for topic in topics:
        if not vocabularies.iso_topic_category_to_inspire_themes(topic):
            reader.warn(f"gmd:topicCategory: '{topic}' är ingen ISO 19115-ämneskategori")
    if topics:
        extras["gmd:topicCategory"] = [vocabularies.ISO_TOPIC_CATEGORY + t for t in topics]
    if inspire:
        extras["inspire:theme"] = list(dict.fromkeys(inspire))
    themes = [
        data_theme
        for theme in (*inspire, *from_topics)
        for data_theme in vocabularies.inspire_theme_to_data_theme(theme)
    ]
    return keywords, sorted(set(themes)), hvd


def _inspire_theme(texts: LangText, href: str) -> str | None:
    """The INSPIRE theme code of a keyword: by its registry IRI, else by its label in any of
    GEMET's 22 languages (records name themes by label, seldom by IRI)."""
    if href.startswith(vocabularies.INSPIRE_THEME):
        code = href.removeprefix(vocabularies.INSPIRE_THEME).strip("/").split("/")[0]
        if code in vocabularies.INSPIRE_THEME_NAMES:
            return code
    for text in texts.values():
        code = vocabularies.inspire_theme_code(text)
        if code is not None:
            return code
    return None


def _dates(reader: _Reader, ident: etree._Element) -> tuple[date | datetime | None, ...]:
    """issued: publication (else creation) date; modified: revision date, else dateStamp."""
    found: dict[str, list[date | datetime]] = {}
    for ci_date in reader.all("gmd:citation/*/gmd:date/gmd:CI_Date", ident):
        kind = _code(reader.find("gmd:dateType", ci_date)) or "?"
        value = reader.date(reader.find("gmd:date", ci_date), f"gmd:CI_Date ({kind})")
        if value is not None:
            found.setdefault(kind, []).append(value)

    def key(value: date | datetime) -> str:
        return value.isoformat()

    issued_values = found.get("publication") or found.get("creation") or []
    issued = min(issued_values, key=key) if issued_values else None
    modified = max(found["revision"], key=key) if found.get("revision") else None
    if modified is None:
        modified = parse_date(_value(reader.find("gmd:dateStamp")) or "")
    return issued, modified


Party = tuple[str, str, etree._Element]  # role, where (resource/metadata), CI_ResponsibleParty


def _parties(reader: _Reader, ident: etree._Element) -> list[Party]:
    parties: list[Party] = []
    for where, path, within in (
        ("resource", "gmd:pointOfContact/gmd:CI_ResponsibleParty", ident),
        ("resource", "gmd:citation/*/gmd:citedResponsibleParty/gmd:CI_ResponsibleParty", ident),
        ("metadata", "gmd:contact/gmd:CI_ResponsibleParty", None),
    ):
        for party in reader.all(path, within):
            parties.append((_code(reader.find("gmd:role", party)) or "", where, party))
    return parties


def _publisher(reader: _Reader, parties: list[Party]) -> Agent | None:
    """The organisation of the first publisher, owner, custodian or point of contact."""
    for wanted in ("publisher", "owner", "custodian", "pointOfContact", "distributor"):
        for where in ("resource", "metadata"):
            for role, party_where, party in parties:
                org = _value(reader.find("gmd:organisationName", party))
                if role == wanted and party_where == where and org:
                    # A person's address is a contact point's, not the organisation's.
                    person = _value(reader.find("gmd:individualName", party))
                    email = _value(reader.find(".//gmd:electronicMailAddress", party))
                    return Agent(name={reader.language: org}, email=None if person else email)
    reader.warn("Utgivare saknas: ingen part med organisationName")
    return None


def _contacts(reader: _Reader, parties: list[Party]) -> list[ContactPoint]:
    """Resource points of contact; the metadata contact when the resource names none."""
    chosen = [p for p in parties if p[0] == "pointOfContact" and p[1] == "resource"]
    chosen = chosen or [p for p in parties if p[1] == "metadata"]
    contacts: list[ContactPoint] = []
    for _, _, party in chosen:
        person = _value(reader.find("gmd:individualName", party))
        org = _value(reader.find("gmd:organisationName", party))
        info = reader.find("gmd:contactInfo/gmd:CI_Contact", party)
        address = reader.find("gmd:address/gmd:CI_Address", info) if info is not None else None

        def field_of(path: str, base: etree._Element | None) -> str | None:
            return _value(reader.find(path, base)) if base is not None else None

        email = field_of("gmd:electronicMailAddress", address)
        if email and "@" not in email:
            reader.warn(f"Kontaktpunktens e-postadress '{email}' saknar @")
        contact = ContactPoint(
            name={reader.language: person or org} if (person or org) else {},
            kind="Individual" if person else "Organization",
            email=email,
            telephone=field_of("gmd:phone/gmd:CI_Telephone/gmd:voice", info),
            url=reader.url(
                field_of("gmd:onlineResource/gmd:CI_OnlineResource/gmd:linkage", info),
                "kontaktpunktens webbadress",
            ),
            street_address=field_of("gmd:deliveryPoint", address),
            postal_code=field_of("gmd:postalCode", address),
            locality=field_of("gmd:city", address),
            country=field_of("gmd:country", address),
        )
        if contact not in contacts:
            contacts.append(contact)
    if not contacts:
        reader.warn("Kontaktpunkt saknas (gmd:pointOfContact)")
    return contacts


def _constraints(
    reader: _Reader, ident: etree._Element, extras: dict[str, list[str]]
) -> tuple[str, str | None]:
    """Access rights (INSPIRE limitations on public access) and a licence, if one is named.

    Every stated limitation goes through the one access-rights table: the most restrictive
    wins, and one nobody can read counts as restricted, never public; none at all means
    public (with a warning).
    """
    stated: list[str] = []
    licence: str | None = None
    for block in reader.all("gmd:resourceConstraints/*", ident):
        is_access = reader.find("gmd:accessConstraints", block) is not None
        is_use = reader.find("gmd:useConstraints", block) is not None
        classification = _code(reader.find("gmd:classification", block))
        if classification in _CLOSED_CLASSIFICATIONS:
            stated.append(NON_PUBLIC)
        for prop in reader.all("gmd:useLimitation", block):
            for text in reader.text(prop, "gmd:useLimitation").values():
                extras.setdefault("gmd:useLimitation", []).append(text)
                licence = licence or _licence(reader, text, None)
        for prop in reader.all("gmd:otherConstraints", block):
            text = " ".join(reader.text(prop, "gmd:otherConstraints").values())
            href = _href(prop) or ""
            extras.setdefault("gmd:otherConstraints", []).append(
                f"{text} <{href}>".strip() if href else text
            )
            if LIMITATIONS_ON_PUBLIC_ACCESS in href:
                stated.append(href)
            elif text.casefold().rstrip(".") in _NO_LIMITATIONS:
                stated.append(access_rights.INSPIRE_LIMITATIONS + "noLimitations")
            elif is_access and not is_use and text and not href:
                stated.append(text)
            else:
                licence = licence or _licence(reader, text, href)
    right = access_rights.resolve(stated)
    for warning in right.warnings("gmd:otherConstraints"):
        reader.warn(warning)
    if right.grounds:
        reader.warn(f"Begränsad åtkomst ({', '.join(right.grounds)}); posten är inte offentlig")
    if not right.stated:
        reader.warn(
            "Begränsningar av allmänhetens tillgång anges inte (INSPIRE "
            "LimitationsOnPublicAccess); posten behandlas som offentlig"
        )
    return right.code, licence


def _licence(reader: _Reader, text: str, href: str | None) -> str | None:
    """A licence URI named by an anchor, a URL in the text, or a CC name with its version."""
    licences = vocabularies.licences()
    for candidate in (href, *_URL_IN_TEXT.findall(text), text):
        if candidate and "inspire.ec.europa.eu" not in candidate:
            concept = licences.lookup(candidate)
            if concept is not None:
                return concept.uri
    match = _CC_LICENCE.search(text)
    if match:
        variant, version = match.group(1).upper().replace("-", " "), match.group(2)
        if variant == "0":
            return vocabularies.normalise("licences", "CC0")[0]
        if version and (concept := licences.lookup(f"CC {variant} {version}")):
            return concept.uri
        reader.warn(f"Licensen '{match.group(0)}' anges utan version; ingen licens sattes")
    return None


def _format_from_protocol(protocol: str) -> str | None:
    words = set(re.split(r"[^A-Z0-9]+", protocol.upper()))
    for needed, code in _PROTOCOL_FORMATS:
        if all(word in words for word in needed):
            return FILE_TYPE + code
    return None


def _online_resources(reader: _Reader, licence: str | None) -> tuple[list[str], list[Distribution]]:
    """Information links (landing pages) and distributions of gmd:transferOptions/gmd:onLine."""
    formats = {
        name
        for prop in reader.all("gmd:distributionInfo/*/gmd:distributionFormat/*/gmd:name")
        if (name := _value(prop))
    }
    pages: list[str] = []
    distributions: list[Distribution] = []
    seen: set[tuple[str | None, str]] = set()
    path = "gmd:distributionInfo//gmd:MD_DigitalTransferOptions/gmd:onLine/gmd:CI_OnlineResource"
    for online in reader.all(path):
        linkage = reader.url(_value(reader.find("gmd:linkage", online)), "gmd:linkage")
        protocol = _value(reader.find("gmd:protocol", online)) or ""
        if (linkage, protocol) in seen:
            continue
        seen.add((linkage, protocol))
        if linkage is None:
            reader.warn(f"En länk (gmd:onLine, protokoll '{protocol}') saknar gmd:linkage")
            continue
        function = _code(reader.find("gmd:function", online)) or ""
        words = set(re.split(r"[^A-Z0-9]+", protocol.upper()))
        file_type = _format_from_protocol(protocol) or _format_from_protocol(
            _href(reader.find("gmd:protocol", online)) or ""
        )
        if file_type is None and (
            function in ("information", "search") or words & {"INFORMATION", "LINK"}
        ):
            if linkage not in pages:
                pages.append(linkage)
            continue
        download = function == "download" or bool(words & {"DOWNLOAD", "NEDLADDNING"})
        if file_type is None:
            file_type = _format_from_file(reader, linkage, formats)
        distributions.append(
            Distribution(
                title=reader.text(reader.find("gmd:name", online), "gmd:name"),
                description=reader.text(reader.find("gmd:description", online), "gmd:description"),
                access_url=linkage,
                download_url=linkage if download else None,
                format=file_type,
                license=licence,
            )
        )
    return pages, distributions


def _format_from_file(reader: _Reader, linkage: str, formats: set[str]) -> str | None:
    """A format from the link's file extension, else the record's one distributionFormat."""
    suffix = urlparse(linkage).path.rsplit("/", 1)[-1]
    if "." in suffix and len(suffix.rsplit(".", 1)[1]) <= 5:
        found = vocabularies.inspire_media_type_to_file_type(suffix.rsplit(".", 1)[1])
        if found:
            return found
    if len(formats) == 1:
        name = next(iter(formats))
        found = vocabularies.inspire_media_type_to_file_type(name)
        if found is None:
            reader.warn(f"gmd:distributionFormat: '{name}' finns inte i vokabulären file_types")
        return found or name
    return None


def _operates_on(reader: _Reader, ident: etree._Element) -> list[str]:
    served = []
    for prop in reader.all("srv:operatesOn", ident):
        value = (prop.get(XLINK_HREF) or prop.get("uuidref") or "").strip()
        if value:
            served.append(value)
        else:
            reader.warn("srv:operatesOn saknar både xlink:href och uuidref")
    return served


def _bounding_boxes(reader: _Reader, ident: etree._Element) -> list[str]:
    boxes: list[str] = []
    for box in reader.all(
        "gmd:extent/*/gmd:geographicElement/gmd:EX_GeographicBoundingBox", ident
    ) + reader.all("srv:extent/*/gmd:geographicElement/gmd:EX_GeographicBoundingBox", ident):
        texts = [
            _value(reader.find(f"gmd:{side}", box))
            for side in (
                "westBoundLongitude",
                "eastBoundLongitude",
                "southBoundLatitude",
                "northBoundLatitude",
            )
        ]
        try:
            west, east, south, north = (float(text) for text in texts)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            reader.warn(f"Ogiltig omskrivande rektangel (gmd:EX_GeographicBoundingBox): {texts}")
            continue
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
            reader.warn(
                f"Omskrivande rektangel utanför WGS 84 eller med syd > nord: "
                f"väst {west}, öst {east}, syd {south}, nord {north}"
            )
            continue
        w, e, s, n = (repr(v).removesuffix(".0") for v in (west, east, south, north))
        if (w, s) == (e, n):
            wkt = f"POINT({w} {s})"
        else:
            wkt = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
        if wkt not in boxes:
            boxes.append(wkt)
    return boxes


def _place_uris(reader: _Reader, ident: etree._Element) -> list[str]:
    path = (
        "gmd:extent/*/gmd:geographicElement/gmd:EX_GeographicDescription"
        "/gmd:geographicIdentifier/*/gmd:code"
    )
    return [
        href or text
        for prop in reader.all(path, ident)
        if (href := _href(prop)) or ((text := _value(prop)) and "://" in text)
    ]


def _temporal(reader: _Reader, ident: etree._Element) -> list[PeriodOfTime]:
    periods: list[PeriodOfTime] = []
    for extent in reader.all(".//gmd:temporalElement/*/gmd:extent", ident):
        for gml in GML_NAMESPACES:
            for period in extent.iterfind(f"{{{gml}}}TimePeriod"):
                begin = period.find(f"{{{gml}}}beginPosition")
                end = period.find(f"{{{gml}}}endPosition")
                found = PeriodOfTime(
                    start=_gml_time(reader, begin, "gml:beginPosition"),
                    end=_gml_time(reader, end, "gml:endPosition"),
                )
                if (found.start or found.end) and found not in periods:
                    periods.append(found)
            for instant in extent.iterfind(f"{{{gml}}}TimeInstant/{{{gml}}}timePosition"):
                moment = _gml_time(reader, instant, "gml:timePosition")
                if moment and PeriodOfTime(moment, moment) not in periods:
                    periods.append(PeriodOfTime(moment, moment))
    return periods


def _gml_time(
    reader: _Reader, element: etree._Element | None, where: str
) -> date | datetime | None:
    if element is None or not (element.text or "").strip():
        return None  # an open end ("now", "unknown") is given as indeterminatePosition
    parsed = parse_date(element.text.strip())
    if parsed is None:
        reader.warn(f"{where}: '{element.text.strip()}' är inget giltigt datum")
    return parsed


def _languages(reader: _Reader, ident: etree._Element) -> list[str]:
    result = []
    for prop in reader.all("gmd:language", ident):
        code = _code(prop) or _value(prop)
        if not code:
            continue
        uri, known = vocabularies.normalise("languages", code)
        if not known:
            reader.warn(f"Resursspråket '{code}' finns inte i vokabulären languages")
        if uri not in result:
            result.append(uri)
    return result


def _frequency(reader: _Reader, code: str | None) -> str | None:
    if code is None:
        return None
    if code in _FREQUENCIES:
        return FREQUENCY + _FREQUENCIES[code]
    reader.warn(f"gmd:maintenanceAndUpdateFrequency: '{code}' är ingen ISO 19115-kod")
    return None
