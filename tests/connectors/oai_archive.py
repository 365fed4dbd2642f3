"""A real OAI-PMH 2.0 server on 127.0.0.1 for connector tests: a municipal e-archive.

The protocol is the ``oaipmh`` package's server (the maintained fork of pyoai): verbs,
argument checks, resumption tokens, error envelopes, ``from``/``until``. It has no HTTP
side, so ``OaiWsgiApp`` wraps it as a WSGI application and ``ArchiveServer`` serves that
with ``wsgiref`` in a thread. ``Fault``s break chosen requests the way real servers break:
HTTP 500, a stalled answer, a reset connection, a malformed page, a repeated token.

``oai_schema`` validates responses against the OAI-PMH, oai_dc, simple DC and
oai-identifier XSDs in ../shared/data, offline: the W3C ``xml.xsd`` import is resolved to
the local copy.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from lxml import etree
from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import NS_DC, NS_OAIDC, NS_XSI, Server

XML_NS = "http://www.w3.org/XML/1998/namespace"
REPOSITORY = "earkiv.exempelby.se"
BASE_URL = "https://earkiv.exempelby.se/oai"

# --- the archive's records -------------------------------------------------------------

Value = str | tuple[str, str]  # a text, or (text, xml:lang)


@dataclass
class ArchiveRecord:
    identifier: str
    datestamp: datetime
    sets: list[str]
    dc: dict[str, list[Value]] = field(default_factory=dict)
    deleted: bool = False


# (set, local id, title, creator, description, subjects, years, extras)
_SERIES: list[tuple[str, str, str, str, str, list[str], str, dict[str, list[Value]]]] = [
    (
        "ks",
        "ks-a1",
        "Kommunstyrelsens protokoll",
        "Kommunstyrelsen",
        "Justerade protokoll från kommunstyrelsens sammanträden med bilagor.",
        ["protokoll", "kommunstyrelsen", "beslut"],
        "2019",
        {"format": ["application/pdf"], "type": ["Text"]},
    ),
    (
        "ks",
        "ks-diarium",
        "Kommunstyrelsens diarium",
        "Kommunstyrelsen",
        "Diarium över registrerade allmänna handlingar och ärenden hos kommunstyrelsen.",
        ["diarium", "registrering", "allmänna handlingar"],
        "2020",
        {"format": ["text/xml"], "type": ["Dataset"]},
    ),
    (
        "bn",
        "bn-bygglov",
        "Bygglovsärenden",
        "Byggnadsnämnden",
        "Ärenden om bygglov, marklov och rivningslov med ritningar och beslut.",
        ["bygglov", "plan- och bygglagen"],
        "2018",
        {"format": ["application/pdf", "2 hyllmeter"], "coverage": ["Exempelby"]},
    ),
    (
        "bn",
        "bn-detaljplaner",
        "Detaljplaner",
        "Byggnadsnämnden",
        "Antagna detaljplaner med plankartor, planbeskrivningar och samrådsredogörelser.",
        ["detaljplan", "samhällsplanering"],
        "2017",
        {"coverage": ["Exempelby tätort", "2010/2017"]},
    ),
    (
        "son",
        "son-personakter",
        "Personakter inom individ- och familjeomsorgen",
        "Socialnämnden",
        "Akter för enskilda inom individ- och familjeomsorgen.",
        ["personakter", "socialtjänst"],
        "2016",
        {"rights": ["Sekretess enligt 26 kap. 1 § OSL"]},
    ),
    (
        "bun",
        "bun-betyg",
        "Slutbetyg från grundskolan",
        "Barn- och utbildningsnämnden",
        "Betygskataloger och slutbetyg från kommunens grundskolor.",
        ["betyg", "grundskola"],
        "2015",
        {"rights": ["Offentlig"], "format": ["application/pdf"]},
    ),
    (
        "ks",
        "ks-arsredovisning",
        "Årsredovisning",
        "Kommunstyrelsen",
        "Kommunens årsredovisning med förvaltningsberättelse och bokslut.",
        ["ekonomi", "årsredovisning"],
        "2021",
        {"rights": ["https://creativecommons.org/publicdomain/zero/1.0/"], "type": ["Text"]},
    ),
    (
        "mhn",
        "mhn-tillsyn",
        "Tillsynsärenden miljö och hälsoskydd",
        "Miljö- och hälsoskyddsnämnden",
        "Inspektioner, förelägganden och beslut enligt miljöbalken.",
        ["miljötillsyn", "miljöbalken"],
        "2019",
        {"relation": ["oai:earkiv.exempelby.se:mhn-tillsyn-2018"]},
    ),
]


def _record(series: tuple, year: int, stamp: datetime) -> ArchiveRecord:
    set_spec, local, title, creator, description, subjects, _first, extra = series
    local_id = f"{local}-{year}"
    dc: dict[str, list[Value]] = {
        "title": [f"{title} {year}"],
        "creator": [creator],
        "publisher": ["Exempelby kommun"],
        "subject": list(subjects),
        "description": [description],
        "date": [f"{year}-12-31", f"{year + 1}-03-15"],
        "identifier": [
            f"SE/EXB/{set_spec.upper()}/{local_id}",
            f"https://{REPOSITORY}/arkiv/{local_id}",
        ],
        "language": ["swe"],
    }
    for name, values in extra.items():
        dc.setdefault(name, []).extend(values)
    if "application/pdf" in dc.get("format", []):
        dc["identifier"].append(f"https://{REPOSITORY}/filer/{local_id}.pdf")
    return ArchiveRecord(f"oai:{REPOSITORY}:{local_id}", stamp, [set_spec], dc)


def sample_records() -> list[ArchiveRecord]:
    """30 archive descriptions (three of them deleted), datestamps spread over 2024–2025.

    The two newest records share a datestamp, so incremental runs meet a boundary.
    """
    records: list[ArchiveRecord] = []
    start = datetime(2024, 1, 8, 9, 0, 0)
    number = 0
    for year_offset in range(4):
        for series in _SERIES:
            if len(records) == 30:
                break
            year = int(series[6]) - year_offset
            stamp = start + timedelta(days=17 * number, hours=number % 7, minutes=number)
            records.append(_record(series, year, stamp))
            number += 1
    records[-1].datestamp = records[-2].datestamp
    # A bilingual record and a record whose metadata names an English title.
    records[0].dc["title"].append(("Minutes of the Municipal Executive Board 2019", "en"))
    records[0].dc["description"].append(("Approved minutes with appendices.", "en"))
    for index in (5, 11, 17):
        records[index].deleted = True
        records[index].dc = {}
    return records


# --- the archive behind the package's server ----------------------------------------------


class Archive:
    """An in-memory archive implementing the ``oaipmh`` IOAI interface."""

    def __init__(self, records: list[ArchiveRecord], *, granularity: str = "seconds") -> None:
        self.records = records
        self.granularity = granularity
        self.expire_tokens = False
        self.list_calls = 0

    def identify(self) -> common.Identify:
        identify = common.Identify(
            repositoryName="Exempelby kommuns e-arkiv",
            baseURL=BASE_URL,
            protocolVersion="2.0",
            adminEmails=["arkiv@exempelby.se"],
            earliestDatestamp=datetime(2024, 1, 1),
            deletedRecord="persistent",
            granularity="YYYY-MM-DD" if self.granularity == "day" else "YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
            toolkit_description=False,
        )
        identify.add_description(
            '<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier">'
            f"<scheme>oai</scheme><repositoryIdentifier>{REPOSITORY}</repositoryIdentifier>"
            "<delimiter>:</delimiter>"
            f"<sampleIdentifier>oai:{REPOSITORY}:ks-a1-2019</sampleIdentifier>"
            "</oai-identifier>"
        )
        return identify

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", NS_OAIDC)]

    def listSets(self) -> list[tuple[str, str, None]]:
        names = {"ks": "Kommunstyrelsen", "bn": "Byggnadsnämnden", "son": "Socialnämnden"}
        return [(spec, name, None) for spec, name in names.items()]

    def _select(self, metadataPrefix: str, set: str | None, from_, until) -> list[ArchiveRecord]:
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        found = [
            record
            for record in sorted(self.records, key=lambda r: (r.datestamp, r.identifier))
            if (set is None or set in record.sets)
            and (from_ is None or record.datestamp >= from_)
            and (until is None or record.datestamp <= until)
        ]
        return found

    def _header(self, record: ArchiveRecord) -> common.Header:
        return common.Header(None, record.identifier, record.datestamp, record.sets, record.deleted)

    def listRecords(self, metadataPrefix: str, set=None, from_=None, until=None):
        self.list_calls += 1
        if self.expire_tokens and self.list_calls > 1:
            raise error.BadResumptionTokenError("The resumption token has expired")
        return [
            (self._header(record), common.Metadata(None, record.dc), None)
            for record in self._select(metadataPrefix, set, from_, until)
        ]

    def listIdentifiers(self, metadataPrefix: str, set=None, from_=None, until=None):
        return [self._header(r) for r in self._select(metadataPrefix, set, from_, until)]

    def getRecord(self, metadataPrefix: str, identifier: str):
        for record in self.records:
            if record.identifier == identifier:
                return self._header(record), common.Metadata(None, record.dc), None
        raise error.IdDoesNotExistError(identifier)


def oai_dc_writer(element: etree._Element, metadata: common.Metadata) -> None:
    """Write oai_dc with xml:lang where a value names its language."""
    dc = etree.SubElement(
        element, f"{{{NS_OAIDC}}}dc", nsmap={"oai_dc": NS_OAIDC, "dc": NS_DC, "xsi": NS_XSI}
    )
    dc.set(
        f"{{{NS_XSI}}}schemaLocation", f"{NS_OAIDC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    )
    for name, values in metadata.getMap().items():
        for value in values:
            child = etree.SubElement(dc, f"{{{NS_DC}}}{name}")
            if isinstance(value, tuple):
                child.text, language = value
                child.set(f"{{{XML_NS}}}lang", language)
            else:
                child.text = value


# --- HTTP: a WSGI wrapper and faults ---------------------------------------------------------


@dataclass
class Fault:
    """How to break one request: ``status`` (e.g. 500), ``delay`` seconds before answering,
    ``reset`` the connection, ``body`` instead of the real answer, or ``repeat`` the answer
    to the previous request."""

    status: int | None = None
    delay: float = 0.0
    reset: bool = False
    body: bytes | None = None
    repeat: bool = False


@dataclass
class Seen:
    """A request the server received, with its arguments and when."""

    args: dict[str, str]
    at: float


class OaiWsgiApp:
    """The package's OAI-PMH server as a WSGI application, with faults by predicate."""

    def __init__(self, archive: Archive, *, batch_size: int = 7) -> None:
        registry = MetadataRegistry()
        registry.registerWriter("oai_dc", oai_dc_writer)
        self.archive = archive
        self.server = Server(archive, registry, resumption_batch_size=batch_size)
        self.requests: list[Seen] = []
        self.responses: list[bytes] = []
        self.faults: list[tuple[Callable[[dict[str, str]], bool], Fault]] = []
        self._lock = threading.Lock()

    def fail(self, when: Callable[[dict[str, str]], bool], fault: Fault) -> None:
        """Break every request whose arguments ``when`` accepts."""
        self.faults.append((when, fault))

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        args = {key: values[0] for key, values in query.items()}
        with self._lock:
            self.requests.append(Seen(args, time.monotonic()))
        fault = next((f for when, f in self.faults if when(args)), None)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.reset:
            environ["oai.test.reset"]()
            return []
        if fault is not None and fault.status:
            start_response(f"{fault.status} Fel", [("Content-Type", "text/plain")])
            return [b"internt serverfel"]
        if fault is not None and fault.body is not None:
            body = fault.body
        elif fault is not None and fault.repeat and self.responses:
            body = self.responses[-1]
        elif any(len(values) > 1 for values in query.values()):
            body = self.server.handleException(
                args, (error.BadArgumentError, error.BadArgumentError("repeated argument"), None)
            )
        else:
            body = self.server.handleRequest(args)
        with self._lock:
            self.responses.append(body)
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
        return [body]


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # reset connections and stalled clients are what the tests ask for


class _Handler(WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["oai.test.reset"] = self._reset
        return environ

    def _reset(self) -> None:
        """Close the connection with a TCP RST, as a crashed proxy or server does."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()

    def log_message(self, *_args: object) -> None:
        pass


@dataclass
class ArchiveServer:
    app: OaiWsgiApp
    url: str

    @property
    def archive(self) -> Archive:
        return self.app.archive

    def list_requests(self) -> list[Seen]:
        return [seen for seen in self.app.requests if seen.args.get("verb") == "ListRecords"]


@contextmanager
def serve_archive(archive: Archive, *, batch_size: int = 7) -> Iterator[ArchiveServer]:
    """Serve the archive on 127.0.0.1 (a free port) until the block ends."""
    app = OaiWsgiApp(archive, batch_size=batch_size)
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_Handler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield ArchiveServer(app, f"http://127.0.0.1:{server.server_port}/oai")
    finally:
        server.shutdown()
        server.server_close()


# --- XSD validation, offline ------------------------------------------------------------------

_XML_XSD_URLS = ("http://www.w3.org/2001/03/xml.xsd", "http://www.w3.org/2001/xml.xsd")


class _LocalSchemas(etree.Resolver):
    """Resolve the W3C xml.xsd import to the local copy; refuse every other network URL."""

    def __init__(self, schemas: Path) -> None:
        super().__init__()
        self.schemas = schemas

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        if system_url in _XML_XSD_URLS:
            return self.resolve_filename(str(self.schemas / "xml.xsd"), context)
        if system_url.startswith(("http://", "https://")):
            raise AssertionError(f"the schemas must not reach the network: {system_url}")
        return None


def oai_schema(schemas: Path) -> etree.XMLSchema:
    """One schema for OAI-PMH responses carrying oai_dc and oai-identifier descriptions."""
    imports = {
        "http://www.openarchives.org/OAI/2.0/": "OAI-PMH.xsd",
        NS_OAIDC: "oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai-identifier": "oai-identifier.xsd",
    }
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'targetNamespace="urn:insyn:test:oai-driver">'
        + "".join(
            f'<xs:import namespace="{namespace}" schemaLocation="{(schemas / name).as_uri()}"/>'
            for namespace, name in imports.items()
        )
        + "</xs:schema>"
    )
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas(schemas))
    document = etree.fromstring(driver.encode(), parser, base_url=(schemas / "driver.xsd").as_uri())
    return etree.XMLSchema(etree.ElementTree(document))


def validation_errors(schema: etree.XMLSchema, body: bytes) -> list[str]:
    """The schema's complaints about one response; [] when it is valid."""
    document = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
