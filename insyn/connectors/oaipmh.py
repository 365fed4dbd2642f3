"""OAI-PMH 2.0 connector: ``ListRecords`` in ``oai_dc`` from an archive (the e-archive, DSpace …).

- Paging follows resumption tokens through ``paging.pages``: a token that comes back is an
  error, so a looping archive cannot keep us going.
- Incremental runs send ``from`` = the newest datestamp of the last run, in the granularity
  the archive declares in Identify. ``from`` is inclusive, so the records already taken at
  exactly that datestamp (the cursor's ``boundary_keys``) are dropped when the granularity is
  seconds. With day granularity they are read again: a datestamp that is only a day cannot
  tell a later change on the same day, and the engine's content hash makes an unchanged
  record cost nothing. Incremental runs end ``Done(complete=False)``, full runs ``True``.
- ``header status="deleted"`` is yielded as ``Deleted``; ``noRecordsMatch`` is an empty,
  successful run; every other OAI error is a ``OaiPmhError`` with a message saying what to do.
- All XML goes through ``safexml.parse_xml`` (no external entities, no entity bombs).

Options: ``OPTIONS`` below. ``language`` matters: an archive that tags only its translations
should say so, or its Swedish text is stored untagged and an English translation would be
shown first.

The oai_dc → model mapping is ``insyn.vocab.profiles.oai_dc_read``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.connectors.base import (
    Cursor,
    Deleted,
    Done,
    Failure,
    Incremental,
    Item,
    RecordGuard,
    Yielded,
)
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import PUBLISHER_OPTIONS, Option, parse
from insyn.connectors.paging import pages
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import source_defaults
from insyn.vocab.profiles.oai_dc_read import OAI_DC, language_tag, map_oai_dc
from insyn.vocab.safexml import parse_xml
from insyn.vocab.source_defaults import SourceDefaults

KIND = "oaipmh"

OAI = "http://www.openarchives.org/OAI/2.0/"
ACCEPT = "text/xml, application/xml;q=0.9, */*;q=0.1"
MAX_PAGES_DEFAULT = 100_000

OPTIONS = (
    Option("set", "str", None, "Det set (setSpec) som skördas; alla poster utan."),
    Option("language", "str", None, "Språket i text utan xml:lang, t.ex. sv."),
    Option(
        "metadata_prefix",
        "choice",
        "oai_dc",
        "Metadataformatet (bara oai_dc mappas).",
        choices=("oai_dc",),
    ),
    Option("max_pages", "int", MAX_PAGES_DEFAULT, "Högst så många sidor per körning.", minimum=1),
    *PUBLISHER_OPTIONS,
    *HTTP_OPTIONS,
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
    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL and options.

        Raises:
            ConfigError: an unknown or mistyped option (a metadata format other than
                oai_dc), or no http(s) URL.
        """
        values = parse(KIND, OPTIONS, options)
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En OAI-PMH-källa behöver --url med arkivets basadress (http/https)")
        return cls(
            url=url,
            set=values["set"] or None,
            language=language_tag(values["language"]),
            metadata_prefix=values["metadata_prefix"],
            max_pages=values["max_pages"],
            defaults=source_defaults.from_options(values),
            http=HttpSettings.from_options(values),
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


def read_record(
    record: etree._Element, *, language: str = "", defaults: SourceDefaults | None = None
) -> tuple[Header | None, Yielded]:
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
    with RecordGuard(header.identifier) as guard:
        dataset, warnings = map_oai_dc(
            dc, identifier=header.identifier, sets=header.sets, language=language
        )
        warnings += (defaults or SourceDefaults()).apply(dataset)
    if guard.failure:
        return header, guard.failure
    if header.datestamp and _datestamp_key(header.datestamp) is None:
        warnings.append(f"header/datestamp: '{header.datestamp}' är ingen OAI-PMH-tidsstämpel")
    return header, Item(header.identifier, dataset, warnings)


# --- harvest -------------------------------------------------------------------------------


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
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": config.metadata_prefix}
    if config.set:
        params["set"] = config.set
    granularity = None
    if cursor.last_value is not None:
        granularity = identify(config).granularity
        params["from"] = from_argument(cursor.last_value, granularity)
    incremental = Incremental(cursor, _datestamp_key)
    # With day granularity the records of the boundary day are read again: a day cannot
    # tell a later change on the same day. With seconds, those taken at it are dropped.
    drop = granularity == "seconds"

    # The first position is "" (the first request); then each resumption token.
    def page(token: str) -> tuple[Page, str | None]:
        asked = {"verb": "ListRecords", "resumptionToken": token} if token else params
        response = fetch(config.url, config.http, params=asked, accept=ACCEPT)
        found = parse_page(response.content, url=response.url)
        return found, found.resumption_token

    for found in pages(page, "", max_pages=config.max_pages, what="återupptagningstoken"):
        for record in found.records:
            header, yielded = read_record(
                record, language=config.language, defaults=config.defaults
            )
            if header is not None:
                if drop and incremental.taken_before(header.identifier, header.datestamp):
                    continue  # taken by the last run at exactly this datestamp
                incremental.see(header.identifier, header.datestamp)
            yield yielded
    yield Done(incremental.cursor(), complete=cursor.last_value is None)
