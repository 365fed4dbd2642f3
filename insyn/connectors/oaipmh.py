"""OAI-PMH 2.0 connector: ``ListRecords`` in ``oai_dc`` from an archive (the e-archive, DSpace …).

- Paging follows resumption tokens with a visited set: a token that comes back is an error,
  so a looping archive cannot keep us going.
- Incremental runs send ``from`` = the newest datestamp of the last run, in the granularity
  the archive declares in Identify. ``from`` is inclusive, so the records already taken at
  exactly that datestamp (the cursor's ``boundary_keys``) are dropped when the granularity is
  seconds. With day granularity they are read again: a datestamp that is only a day cannot
  tell a later change on the same day, and the engine's content hash makes an unchanged
  record cost nothing. Incremental runs end ``Done(complete=False)``, full runs ``True``.
- ``header status="deleted"`` is yielded as ``Deleted``; ``noRecordsMatch`` is an empty,
  successful run; every other OAI error is a ``OaiPmhError`` with a message saying what to do.
- All XML goes through ``safexml.parse_xml`` (no external entities, no entity bombs).

Options: ``set`` (a setSpec), ``language`` (the language of text without ``xml:lang``, e.g.
``sv``: an archive that tags only its translations should say so, or its Swedish text is
stored untagged and an English translation would be shown first), ``metadata_prefix``
(``oai_dc``, the only one mapped so far), ``max_pages`` and the HTTP options of ``http.py``.

oai_dc → model (a ``Dataset`` per record; the key and ``uri`` are the OAI identifier):

=============  ===========================================================================
dc:title       ``title`` (per xml:lang; further titles → extras ``dc:title``)
dc:creator     ``creator`` (Agent per distinct name)
dc:publisher   ``publisher`` (Agent; further publishers → extras)
dc:subject     ``keyword`` (per language, duplicates dropped)
dc:description ``description`` (several in one language are joined as paragraphs)
dc:date        earliest → ``issued``, latest (if another) → ``modified``; others → extras
dc:type        extras ``dc:type``
dc:format      a known file type (media type, name) → ``Distribution.format``/``media_type``;
               anything else (extent, "2 hyllmeter") → extras ``dc:format``, reported
dc:identifier  all → ``identifier``; an http(s) URL to a file → a ``Distribution``
               (access and download URL, format from the extension), other URLs →
               ``landing_page``
dc:language    ``language`` (EU language URIs; "swe", "sv", "sv-SE" …)
dc:rights      licence (``licences`` vocabulary) → each distribution's ``license``;
               access right (EU label or URI, info:eu-repo/semantics/…Access, or words of
               secrecy such as "sekretess", "26 kap. 1 § OSL") → ``governance``; the most
               restrictive one wins; other statements → extras ``dc:rights``
dc:relation    ``relation``
dc:source      ``source``
dc:coverage    a year, date or period ("2015/2019") → ``temporal``; else → ``spatial``
dc:contributor extras ``dc:contributor``
setSpec        extras ``oai:setSpec``
=============  ===========================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.connectors.base import Cursor, Deleted, Done, Failure, Item, Yielded
from insyn.connectors.http import HttpSettings, fetch
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import vocabularies
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    Agent,
    Dataset,
    Distribution,
    Governance,
    LangText,
    PeriodOfTime,
)
from insyn.vocab.profiles.dcat_read import parse_date
from insyn.vocab.safexml import parse_xml

KIND = "oaipmh"

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
MAX_PAGES_DEFAULT = 100_000

DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)


class OaiPmhError(ConnectorError):
    """The archive answered with an OAI-PMH ``<error>``; ``code`` is its code."""

    def __init__(self, code: str, message: str, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.code = code


_ERROR_MESSAGES = {
    "badArgument": "Arkivet avvisade frågan (badArgument): {text}. Kontrollera alternativen "
    "set och metadata_prefix.",
    "badResumptionToken": "Arkivet avvisade återupptagningstoken (badResumptionToken): {text}. "
    "Token har troligen gått ut eller arkivet har startats om; kör skördningen igen.",
    "badVerb": "Arkivet känner inte igen frågan (badVerb): {text}. Är adressen en OAI-PMH-"
    "ändpunkt?",
    "cannotDisseminateFormat": "Arkivet kan inte leverera formatet som efterfrågades "
    "(cannotDisseminateFormat): {text}",
    "idDoesNotExist": "Arkivet känner inte till identifieraren (idDoesNotExist): {text}",
    "noMetadataFormats": "Arkivet har inga metadataformat för posten (noMetadataFormats): {text}",
    "noSetHierarchy": "Arkivet har inga set (noSetHierarchy); ta bort alternativet set. {text}",
}


@dataclass
class Config:
    url: str  # the archive's base URL
    set: str | None = None  # setSpec to harvest, all records when None
    language: str = ""  # the language of text without xml:lang ("sv"); "" when unknown
    metadata_prefix: str = "oai_dc"
    max_pages: int = MAX_PAGES_DEFAULT
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL and options.

        Raises:
            ConfigError: no http(s) URL, or a metadata format other than oai_dc.
        """
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En OAI-PMH-källa behöver --url med arkivets basadress (http/https)")
        prefix = str(options.get("metadata_prefix", "oai_dc"))
        if prefix != "oai_dc":
            raise ConfigError(f"Metadataformatet '{prefix}' stöds inte ännu; använd oai_dc")
        return cls(
            url=url,
            set=options.get("set") or None,
            language=_language_tag(options.get("language")),
            metadata_prefix=prefix,
            max_pages=int(options.get("max_pages", MAX_PAGES_DEFAULT)),
            http=HttpSettings.from_options(options),
        )


# --- protocol ------------------------------------------------------------------------------


@dataclass
class Identity:
    """What Identify says: the archive's name and how fine its datestamps are."""

    name: str
    granularity: str  # "day" or "seconds"
    earliest_datestamp: str | None = None
    deleted_record: str | None = None  # no, transient or persistent


@dataclass
class Header:
    identifier: str
    datestamp: str
    deleted: bool = False
    sets: list[str] = field(default_factory=list)


@dataclass
class Page:
    """One response of a list request: its ``<record>`` elements and the next token."""

    records: list[etree._Element]
    resumption_token: str | None = None
    complete_list_size: int | None = None


def _q(name: str, namespace: str = OAI) -> str:
    return f"{{{namespace}}}{name}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_response(data: bytes, *, url: str = "", source: str | None = None) -> etree._Element:
    """Parse an OAI-PMH response; return its root, raising the archive's own error if any.

    Raises:
        UnsafeInputError: refused by ``safexml`` (external entities, entity bombs).
        VocabError: not well-formed XML.
        ConnectorError: well-formed, but no OAI-PMH response.
        OaiPmhError: the archive answered with an ``<error>`` (``noRecordsMatch`` too).
    """
    root = parse_xml(data, source=source)
    if root.tag != _q("OAI-PMH"):
        raise ConnectorError(
            f"Svaret från {url or 'arkivet'} är inget OAI-PMH-svar "
            f"(rotelementet är <{_local(str(root.tag))}>)",
            source=source,
        )
    errors = root.findall(_q("error"))
    if errors:
        code = errors[0].get("code", "")
        text = " ".join(" ".join((e.text or "").split()) for e in errors).strip()
        template = _ERROR_MESSAGES.get(code, "Arkivet svarade med ett OAI-PMH-fel ({code}): {text}")
        raise OaiPmhError(code, template.format(code=code, text=text or "–"), source=source)
    return root


def parse_page(
    data: bytes, *, verb: str = "ListRecords", url: str = "", source: str | None = None
) -> Page:
    """Parse a ListRecords (or GetRecord) response; ``noRecordsMatch`` gives an empty page.

    Raises:
        the errors of ``parse_response``, and ConnectorError when the verb's element is missing.
    """
    try:
        root = parse_response(data, url=url, source=source)
    except OaiPmhError as exc:
        if exc.code == "noRecordsMatch":
            return Page(records=[])
        raise
    container = root.find(_q(verb))
    if container is None:
        raise ConnectorError(f"Svaret från {url or 'arkivet'} saknar <{verb}>", source=source)
    token_element = container.find(_q("resumptionToken"))
    token = size = None
    if token_element is not None:
        token = (token_element.text or "").strip() or None
        declared = token_element.get("completeListSize", "")
        size = int(declared) if declared.isdigit() else None
    return Page(container.findall(_q("record")), token, size)


def parse_identify(data: bytes, *, url: str = "", source: str | None = None) -> Identity:
    """Parse an Identify response.

    Raises:
        the errors of ``parse_response``; ConnectorError for a protocol version other than
        2.0 or a granularity OAI-PMH does not define.
    """
    root = parse_response(data, url=url, source=source)
    identify = root.find(_q("Identify"))
    if identify is None:
        raise ConnectorError(f"Svaret från {url or 'arkivet'} saknar <Identify>", source=source)

    def text(name: str) -> str | None:
        element = identify.find(_q(name))
        return (element.text or "").strip() if element is not None else None

    version = text("protocolVersion")
    if version != "2.0":
        raise ConnectorError(
            f"Arkivet talar OAI-PMH {version or '(okänd version)'}; bara 2.0 stöds",
            source=source,
        )
    granularity = {"YYYY-MM-DD": "day", "YYYY-MM-DDThh:mm:ssZ": "seconds"}.get(
        text("granularity") or ""
    )
    if granularity is None:
        raise ConnectorError(
            f"Arkivet anger en okänd granularitet '{text('granularity')}'", source=source
        )
    return Identity(
        name=text("repositoryName") or "",
        granularity=granularity,
        earliest_datestamp=text("earliestDatestamp"),
        deleted_record=text("deletedRecord"),
    )


_DATESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?$")


def _datestamp_key(datestamp: str) -> datetime | None:
    """A datestamp as an aware datetime, for ordering; None if it is no OAI datestamp."""
    if not _DATESTAMP.match(datestamp):
        return None
    if "T" not in datestamp:
        return datetime.fromisoformat(datestamp).replace(tzinfo=UTC)
    return datetime.fromisoformat(datestamp.replace("Z", "+00:00"))


def from_argument(last_value: str, granularity: str) -> str:
    """The ``from`` argument for a stored datestamp, in the archive's granularity."""
    if granularity == "day" or "T" not in last_value:
        return last_value[:10]
    # Some archives (DSpace) write fractions of seconds; ``from`` must not carry them.
    return last_value[:19] + "Z"


def read_header(record: etree._Element) -> Header:
    """Read a record's ``<header>``.

    Raises:
        ConnectorError: the header or its identifier is missing.
    """
    header = record.find(_q("header"))
    identifier = header.findtext(_q("identifier")) if header is not None else None
    if header is None or not (identifier or "").strip():
        raise ConnectorError("Posten saknar <header> med <identifier>")
    return Header(
        identifier=(identifier or "").strip(),
        datestamp=(header.findtext(_q("datestamp")) or "").strip(),
        deleted=header.get("status") == "deleted",
        sets=[(s.text or "").strip() for s in header.findall(_q("setSpec")) if s.text],
    )


def read_record(record: etree._Element, *, language: str = "") -> tuple[Header | None, Yielded]:
    """Map one ``<record>`` to an ``Item``, a ``Deleted`` or a ``Failure``, with its header.

    ``language`` tags text that has no xml:lang.
    """
    try:
        header = read_header(record)
    except ConnectorError as exc:
        return None, Failure(None, exc.message)
    if header.deleted:
        return header, Deleted(header.identifier)
    dc = record.find(f"{_q('metadata')}/{_q('dc', OAI_DC)}")
    if dc is None:
        return header, Failure(
            header.identifier, "Posten saknar <metadata> med oai_dc:dc", "metadata"
        )
    try:
        dataset, warnings = map_oai_dc(header, dc, language=language)
    except Exception as exc:  # one bad record must not stop the run
        return header, Failure(
            header.identifier, f"Posten kunde inte läsas: {type(exc).__name__}: {exc}"
        )
    if header.datestamp and _datestamp_key(header.datestamp) is None:
        warnings.append(f"header/datestamp: '{header.datestamp}' är ingen OAI-PMH-tidsstämpel")
    return header, Item(header.identifier, dataset, warnings)


# --- harvest -------------------------------------------------------------------------------


class _Boundary:
    """The newest datestamp seen and the identifiers at exactly that datestamp."""

    def __init__(self, cursor: Cursor) -> None:
        self.value = cursor.last_value
        self.order = _datestamp_key(cursor.last_value) if cursor.last_value else None
        self.keys = set(cursor.boundary_keys)

    def see(self, header: Header) -> None:
        order = _datestamp_key(header.datestamp)
        if order is None:
            return
        if self.order is None or order > self.order:
            self.value, self.order, self.keys = header.datestamp, order, {header.identifier}
        elif order == self.order:
            self.keys.add(header.identifier)

    def cursor(self) -> Cursor:
        return Cursor(last_value=self.value, boundary_keys=sorted(self.keys))


def identify(config: Config) -> Identity:
    """Ask the archive's Identify.

    Raises:
        ConnectorError: the request failed or the answer is no OAI-PMH 2.0 Identify.
    """
    response = fetch(config.url, config.http, params={"verb": "Identify"}, accept=ACCEPT)
    return parse_identify(response.content, url=response.url)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every record of the archive (or those changed since the cursor), page by page.

    Raises:
        ConnectorError: a page could not be fetched or read, a token repeated, too many pages.
        OaiPmhError: the archive answered with an OAI-PMH error other than noRecordsMatch.
    """
    incremental = cursor.last_value is not None
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": config.metadata_prefix}
    if config.set:
        params["set"] = config.set
    drop: set[str] = set()
    if cursor.last_value is not None:
        granularity = identify(config).granularity
        params["from"] = from_argument(cursor.last_value, granularity)
        if granularity == "seconds":
            drop = set(cursor.boundary_keys)
    boundary = _Boundary(cursor)
    tokens: set[str] = set()
    pages = 0
    while True:
        if pages >= config.max_pages:
            raise ConnectorError(f"Fler än {config.max_pages} sidor; höj max_pages om det stämmer")
        pages += 1
        response = fetch(config.url, config.http, params=params, accept=ACCEPT)
        page = parse_page(response.content, url=response.url)
        for record in page.records:
            header, yielded = read_record(record, language=config.language)
            if header is not None:
                if header.identifier in drop and header.datestamp == cursor.last_value:
                    continue  # taken by the last run at exactly this datestamp
                boundary.see(header)
            yield yielded
        token = page.resumption_token
        if token is None:
            break
        if token in tokens:
            raise ConnectorError(
                f"Arkivet skickade samma återupptagningstoken två gånger ('{token[:80]}'); "
                "sidindelningen går i cirkel"
            )
        tokens.add(token)
        params = {"verb": "ListRecords", "resumptionToken": token}
    yield Done(boundary.cursor(), complete=not incremental)


# --- oai_dc → model ------------------------------------------------------------------------

_ISO_639_2 = {
    "swe": "sv",
    "eng": "en",
    "fin": "fi",
    "dan": "da",
    "nor": "no",
    "nob": "nb",
    "nno": "nn",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "sme": "se",
    "smi": "se",
}
_PAGE_EXTENSIONS = frozenset({"", "htm", "html", "xhtml", "php", "asp", "aspx", "jsp", "cgi"})
_EU_REPO_ACCESS = {
    "info:eu-repo/semantics/openaccess": PUBLIC,
    "info:eu-repo/semantics/restrictedaccess": RESTRICTED,
    "info:eu-repo/semantics/embargoedaccess": RESTRICTED,
    "info:eu-repo/semantics/closedaccess": NON_PUBLIC,
}
_SECRECY_WORDS = re.compile(
    r"sekretess|hemlig|ej offentlig|icke offentlig|skyddad identitet|\bOSL\b", re.IGNORECASE
)
_PROVISION = re.compile(
    r"\d+\s*kap\.?\s*\d+\s*[a-z]?\s*§(?:\s*\d+\s*st\.?)?"
    r"(?:\s*(?:OSL|offentlighets-\s*och\s*sekretesslagen(?:\s*\(2009:400\))?))?",
    re.IGNORECASE,
)
_RESTRICTIVENESS = {PUBLIC: 0, RESTRICTED: 1}
_DAY = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_PERIOD = re.compile(rf"^\s*({_DAY})\s*(?:/|–|—|--?|\s-\s)\s*({_DAY})?\s*$")


def _language_tag(value: str | None) -> str:
    """A text's language as the model keys it: "sv", "en" …; "" when not given."""
    if not value:
        return ""
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return _ISO_639_2.get(primary, primary)


def _text(element: etree._Element) -> str:
    """The element's text, lines stripped; a blank line stays a paragraph break."""
    raw = "".join(element.itertext())
    paragraphs = re.split(r"\n\s*\n", raw)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _file_type_of_url(url: str) -> str | None:
    """The EU file type a URL's extension names, None for pages and unknown extensions."""
    name = urlparse(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in _PAGE_EXTENSIONS:
        return None
    concept = vocabularies.file_types().lookup("." + extension)
    return concept.uri if concept else None


def _period_end(text: str) -> date | None:
    """The last day a year ("2019"), month ("2019-05") or date stands for."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(*parts)


def _period(value: str) -> PeriodOfTime | None:
    """A year, month, date or period ("2015/2019", "1998–2005") as a period, else None."""
    match = _PERIOD.match(value)
    if match is None:
        match = re.fullmatch(rf"\s*({_DAY})\s*", value)
        if match is None:
            return None
        first, last = match.group(1), match.group(1)
    else:
        first, last = match.group(1), match.group(2)
    try:
        start = parse_date(first)
        end = _period_end(last) if last else None
    except ValueError:
        return None
    return PeriodOfTime(start=start, end=end) if start is not None else None


@dataclass
class _Fields:
    """The oai_dc elements of one record: (text, language) in document order."""

    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def texts(self, name: str) -> list[str]:
        seen: list[str] = []
        for text, _lang in self.values.get(name, []):
            if text not in seen:
                seen.append(text)
        return seen

    def by_language(self, name: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for text, lang in self.values.get(name, []):
            texts = result.setdefault(lang, [])
            if text not in texts:
                texts.append(text)
        return result


def _read_fields(dc: etree._Element, language: str, warnings: list[str]) -> _Fields:
    fields = _Fields()
    stray = " ".join((dc.text or "").split())
    for child in dc:
        stray = " ".join([stray, *(child.tail or "").split()]).strip()
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = _local(child.tag)
        if not child.tag.startswith(f"{{{DC}}}") or name not in DC_ELEMENTS:
            warnings.append(f"oai_dc: okänt element <{child.tag}> hoppades över")
            continue
        text = _text(child)
        if text:
            lang = _language_tag(child.get(XML_LANG)) or language
            fields.values.setdefault(name, []).append((text, lang))
    if stray:
        warnings.append(f"oai_dc: lös text utanför elementen hoppades över: '{stray[:80]}'")
    return fields


def _lang_text(by_language: dict[str, list[str]], join: str | None) -> tuple[LangText, list[str]]:
    """One text per language (the first, or all joined); the rest returned apart."""
    result: LangText = {}
    rest: list[str] = []
    for lang, texts in by_language.items():
        if join is not None:
            result[lang] = join.join(texts)
        else:
            result[lang] = texts[0]
            rest.extend(texts[1:])
    return result, rest


def _agents(fields: _Fields, name: str) -> list[Agent]:
    agents: list[Agent] = []
    seen: set[str] = set()
    for text, lang in fields.values.get(name, []):
        if text.casefold() not in seen:
            seen.add(text.casefold())
            agents.append(Agent(name={lang: text}))
    return agents


def _dates(fields: _Fields, warnings: list[str], extras: dict[str, list[str]]) -> dict[str, Any]:
    parsed: list[tuple[str, date | datetime]] = []
    for text in fields.texts("date"):
        value = parse_date(text)
        if value is None:
            warnings.append(f"dc:date: '{text}' är inget giltigt datum; sparat under extras")
            extras.setdefault("dc:date", []).append(text)
        else:
            parsed.append((text, value))

    def order(item: tuple[str, date | datetime]) -> tuple[str, str]:
        return (item[1].isoformat()[:10], item[1].isoformat())

    parsed.sort(key=order)
    if not parsed:
        return {}
    result: dict[str, Any] = {"issued": parsed[0][1]}
    if len(parsed) > 1:
        result["modified"] = parsed[-1][1]
        if len(parsed) > 2:
            extras.setdefault("dc:date", []).extend(text for text, _ in parsed[1:-1])
    return result


def _governance(
    fields: _Fields, warnings: list[str], extras: dict[str, list[str]]
) -> tuple[Governance, str | None]:
    """Access rights and secrecy from dc:rights; the licence, if one is named, returned apart."""
    access = PUBLIC
    provision: str | None = None
    licence: str | None = None
    for text in fields.texts("rights"):
        found: str | None = None
        uri, recognised = vocabularies.normalise("licences", text)
        if recognised and licence is None:
            licence = uri
            continue
        if text.strip().lower() in _EU_REPO_ACCESS:
            found = _EU_REPO_ACCESS[text.strip().lower()]
        elif _SECRECY_WORDS.search(text) or _PROVISION.search(text):
            found = NON_PUBLIC
            if provision is None and (match := _PROVISION.search(text)):
                provision = " ".join(match.group(0).split())
        else:
            uri, recognised = vocabularies.normalise("access_rights", text)
            if recognised:
                found = uri
        if found is None:
            extras.setdefault("dc:rights", []).append(text)
            continue
        # The most restrictive statement wins: never show what one statement closes.
        if _RESTRICTIVENESS.get(found, 2) >= _RESTRICTIVENESS.get(access, 2):
            access = found
    governance = Governance(access_rights=access, secrecy_provision=provision)
    if not governance.is_public and not provision:
        warnings.append("Posten är inte offentlig men anger ingen sekretessbestämmelse (dc:rights)")
    return governance, licence


def _identifiers_and_formats(
    fields: _Fields, licence: str | None, warnings: list[str], extras: dict[str, list[str]]
) -> dict[str, Any]:
    identifiers = fields.texts("identifier")
    landing_pages: list[str] = []
    distributions: list[Distribution] = []
    for value in identifiers:
        if not _is_url(value):
            continue
        file_type = _file_type_of_url(value)
        if file_type is None:
            landing_pages.append(value)
        else:
            distributions.append(
                Distribution(access_url=value, download_url=value, format=file_type)
            )
    formats: list[tuple[str, str | None]] = []  # (file-type URI, media type if given as one)
    for text in fields.texts("format"):
        uri, recognised = vocabularies.normalise("file_types", text)
        if recognised:
            formats.append((uri, text.strip().lower() if "/" in text else None))
        else:
            warnings.append(f"dc:format: '{text}' är ingen känd filtyp; sparat under extras")
            extras.setdefault("dc:format", []).append(text)
    for file_type, media_type in formats:
        matching = [d for d in distributions if d.format == file_type]
        for distribution in matching:
            distribution.media_type = distribution.media_type or media_type
        if not matching:
            # The format of the resource the landing page gives access to.
            distributions.append(
                Distribution(
                    access_url=landing_pages[0] if landing_pages else None,
                    format=file_type,
                    media_type=media_type,
                )
            )
    for distribution in distributions:
        distribution.license = licence
        if not distribution.access_url:
            warnings.append("Distributionen saknar åtkomstadress (ingen URL i dc:identifier)")
    if licence and not distributions:
        extras.setdefault("licence", []).append(licence)
    return {
        "identifier": identifiers,
        "landing_page": landing_pages,
        "distributions": distributions,
    }


def _coverage(fields: _Fields) -> dict[str, Any]:
    temporal: list[PeriodOfTime] = []
    spatial: list[str] = []
    for text in fields.texts("coverage"):
        period = _period(text)
        if period is not None:
            temporal.append(period)
        else:
            spatial.append(text)
    return {"temporal": temporal, "spatial": spatial}


def _languages(fields: _Fields, warnings: list[str]) -> list[str]:
    result: list[str] = []
    for text in fields.texts("language"):
        uri, recognised = vocabularies.normalise("languages", text)
        if not recognised:
            warnings.append(f"dc:language: '{text}' finns inte i vokabulären languages")
        if uri not in result:
            result.append(uri)
    return result


def map_oai_dc(
    header: Header, dc: etree._Element, *, language: str = ""
) -> tuple[Dataset, list[str]]:
    """Map one ``oai_dc:dc`` element to a ``Dataset``; return it with its warnings.

    ``language`` tags text that has no xml:lang ("" leaves it untagged). Odd values are
    kept (in ``extras`` when no property holds them) and reported.
    """
    warnings: list[str] = []
    extras: dict[str, list[str]] = {}
    fields = _read_fields(dc, language, warnings)
    title, more_titles = _lang_text(fields.by_language("title"), join=None)
    description, _ = _lang_text(fields.by_language("description"), join="\n\n")
    publishers = _agents(fields, "publisher")
    governance, licence = _governance(fields, warnings, extras)
    keyword = {
        lang: words for lang, words in sorted(fields.by_language("subject").items()) if words
    }
    for name, values in (
        ("dc:title", more_titles),
        ("dc:publisher", [next(iter(a.name.values())) for a in publishers[1:]]),
        ("dc:type", fields.texts("type")),
        ("dc:contributor", fields.texts("contributor")),
        ("oai:setSpec", header.sets),
    ):
        if values:
            extras.setdefault(name, []).extend(values)
    dataset = Dataset(
        uri=header.identifier,
        title=title,
        description=description,
        publisher=publishers[0] if publishers else None,
        keyword=keyword,
        governance=governance,
        creator=_agents(fields, "creator"),
        language=_languages(fields, warnings),
        relation=fields.texts("relation"),
        source=fields.texts("source"),
        **_dates(fields, warnings, extras),
        **_identifiers_and_formats(fields, licence, warnings, extras),
        **_coverage(fields),
    )
    if not dataset.title:
        warnings.append("dc:title saknas")
    if not dataset.description:
        warnings.append("dc:description saknas")
    dataset.extras = extras
    return dataset, warnings
