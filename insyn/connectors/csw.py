"""OGC CSW 2.0.2 connector: ISO 19139 records from a geodata catalogue, mapped to DCAT-AP-SE.

Requests are GetRecords in KVP (HTTP GET) with ``outputSchema`` gmd and ``ElementSetName``
full, paged by ``startPosition``/``nextRecord``. The HTTP is ``insyn.connectors.http.fetch``
(timeouts, retries with back-off on 5xx/429, a size limit); OWSLib builds the OGC filter
``apiso:Modified >= day`` of an incremental run. Every page goes through
``safexml.parse_xml`` (no external entities, no entity bombs): OWSLib's own parsing is
lenient, so it never sees a response.

Paging keeps a visited set and stops on a server that never advances. A run with a
cursor asks only for records modified since the cursor's day and yields
``Done(complete=False)``; a run without one lists everything and is complete when it saw as
many records as the server said it has.

The ISO 19139 → model mapping is ``insyn.vocab.profiles.iso19139_read``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from lxml import etree
from owslib import fes

from insyn.connectors.base import Cursor, Done, Failure, Item, Yielded
from insyn.connectors.http import HttpSettings, fetch
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import vocabularies
from insyn.vocab.model import Record, content_hash
from insyn.vocab.profiles.iso19139_read import GMD, Unreadable, map_record
from insyn.vocab.safexml import parse_xml

KIND = "csw"

CSW = "http://www.opengis.net/cat/csw/2.0.2"
NS = {"csw": CSW}
DEFAULT_PAGE_SIZE = 50
MAX_PAGES_DEFAULT = 10_000


@dataclass
class Config:
    url: str
    page_size: int = DEFAULT_PAGE_SIZE
    max_pages: int = MAX_PAGES_DEFAULT
    incremental: bool = True  # false: every run lists the whole catalogue
    sort_by: str | None = None  # e.g. "apiso:Identifier:A", for servers whose order drifts
    type_names: str = "gmd:MD_Metadata"
    # ISO 19139 has no publisher type, which DCAT-AP-SE requires: one for the whole source.
    publisher_type: str | None = None
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL (the CSW endpoint) and options.

        Raises:
            ConfigError: no http(s) URL, or an option that is not a number where one is needed.
        """
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En CSW-källa behöver --url med tjänstens http(s)-adress")
        try:
            page_size = int(options.get("page_size", DEFAULT_PAGE_SIZE))
            max_pages = int(options.get("max_pages", MAX_PAGES_DEFAULT))
        except ValueError as exc:
            raise ConfigError(f"page_size och max_pages ska vara heltal: {exc}") from exc
        if not 1 <= page_size <= 1000:
            raise ConfigError(f"page_size ska vara 1–1000, inte {page_size}")
        incremental = str(options.get("incremental", "true")).lower()
        publisher_type = options.get("publisher_type") or None
        if publisher_type:
            publisher_type, known = vocabularies.normalise("publisher_types", publisher_type)
            if not known:
                raise ConfigError(
                    f"publisher_type '{publisher_type}' är ingen ADMS-utgivartyp, t.ex. "
                    "LocalAuthority eller NationalAuthority"
                )
        return cls(
            url=url,
            page_size=page_size,
            max_pages=max_pages,
            incremental=incremental not in ("false", "0", "no", "nej"),
            sort_by=options.get("sort_by") or None,
            type_names=options.get("type_names", "gmd:MD_Metadata"),
            publisher_type=publisher_type,
            http=HttpSettings.from_options(options),
        )


# --- harvesting -----------------------------------------------------------------------------


def modified_filter(since_day: str) -> str:
    """The OGC filter (FES 1.1) for records modified on or after a day, built by OWSLib."""
    constraint = fes.PropertyIsGreaterThanOrEqualTo("apiso:Modified", since_day)
    xml = fes.FilterRequest().setConstraint(constraint, tostring=True)
    return xml.decode() if isinstance(xml, bytes) else xml


def request_params(config: Config, start: int, since_day: str | None) -> dict[str, str]:
    """The KVP parameters of one GetRecords page."""
    params = {
        "service": "CSW",
        "version": "2.0.2",
        "request": "GetRecords",
        "typeNames": config.type_names,
        "namespace": f"xmlns(gmd={GMD}),xmlns(apiso=http://www.opengis.net/cat/csw/apiso/1.0)",
        "resultType": "results",
        "elementSetName": "full",
        "outputSchema": GMD,
        "startPosition": str(start),
        "maxRecords": str(config.page_size),
    }
    if since_day:
        params["constraintLanguage"] = "FILTER"
        params["constraint_language_version"] = "1.1.0"
        params["constraint"] = modified_filter(since_day)
    if config.sort_by:
        params["sortBy"] = config.sort_by
    return params


@dataclass
class Page:
    matched: int
    returned: int
    next_record: int
    records: list[etree._Element]


def read_page(content: bytes, url: str) -> Page:
    """Parse one GetRecords response.

    Raises:
        UnsafeInputError: the XML has external entities or an entity bomb.
        VocabError: the XML is not well-formed.
        ConnectorError: an OWS exception, or no ISO 19139 search results.
    """
    root = parse_xml(content, source=url)
    if etree.QName(root).localname == "ExceptionReport":
        texts = [
            f"{e.get('exceptionCode', '')} {e.get('locator', '')}: "
            + " ".join(t.strip() for t in e.itertext() if t.strip())
            for e in root
        ]
        raise ConnectorError(f"CSW-tjänsten svarade med ett fel: {'; '.join(texts)}")
    results = root.find("csw:SearchResults", NS)
    if results is None:
        raise ConnectorError(
            f"Svaret från {url} är inget CSW GetRecordsResponse "
            f"(rotelementet är {etree.QName(root).localname})"
        )
    records = [child for child in results if isinstance(child.tag, str)]
    foreign = [r for r in records if not etree.QName(r).localname.endswith("_Metadata")]
    if foreign:
        raise ConnectorError(
            f"Tjänsten skickade {etree.QName(foreign[0]).localname} i stället för ISO 19139; "
            f"stöder den outputSchema={GMD}?"
        )
    try:
        return Page(
            matched=int(results.get("numberOfRecordsMatched", "0")),
            returned=int(results.get("numberOfRecordsReturned", str(len(records)))),
            next_record=int(results.get("nextRecord") or 0),
            records=records,
        )
    except ValueError as exc:
        raise ConnectorError(f"Ogiltiga sidräknare i svaret från {url}: {exc}") from exc


def _boundary_entry(key: str, record: Record) -> str:
    # The key with a hash of what it said: a record changed again on the boundary day
    # hashes differently, so it is taken again rather than dropped.
    return f"{key}#{content_hash(record)[:16]}"


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every record (or, with a cursor, every record modified since it), page by page.

    Raises:
        ConnectorError: HTTP failures after retries, an OWS exception, paging that loops,
            stalls or runs past ``max_pages``.
        VocabError: a page that is not well-formed or unsafe XML.
    """
    incremental = config.incremental and cursor.last_value is not None
    since_day = cursor.last_value[:10] if incremental and cursor.last_value else None
    skip = set(cursor.boundary_keys) if incremental else set()
    newest: str | None = cursor.last_value
    by_day: dict[str, list[str]] = {}  # day → boundary entries of the records modified then
    visited: set[int] = set()
    start, matched, taken = 1, None, 0
    while True:
        if start in visited:
            raise ConnectorError(f"Sidindelningen går i cirkel vid startPosition={start}")
        if len(visited) >= config.max_pages:
            raise ConnectorError(f"Fler än {config.max_pages} sidor; höj max_pages om det stämmer")
        visited.add(start)
        response = fetch(
            config.url,
            config.http,
            accept="application/xml, text/xml;q=0.9",
            params=request_params(config, start, since_day),
        )
        page = read_page(response.content, config.url)
        matched = page.matched if matched is None else matched
        taken += len(page.records)
        for element in page.records:
            mapped = map_record(element)
            if isinstance(mapped, Unreadable):
                yield Failure(mapped.key, mapped.reason)
                continue
            key, record, warnings, stamp = mapped
            for agent in (record.publisher, *getattr(record, "creator", [])):
                if agent is not None and config.publisher_type:
                    agent.type = config.publisher_type
            entry = _boundary_entry(key, record)
            if stamp:
                newest = max(newest or stamp, stamp)
                by_day.setdefault(stamp[:10], []).append(entry)
            if entry in skip:
                continue  # taken by the last run at its boundary, unchanged since
            yield Item(key, record, warnings)
        if page.next_record == 0 or page.next_record > page.matched:
            break
        if not page.records:
            raise ConnectorError(
                f"Tjänsten skickade inga poster vid startPosition={start} fast den anger "
                f"{page.matched} träffar och nextRecord={page.next_record}"
            )
        if page.next_record <= start:
            raise ConnectorError(
                f"Tjänsten flyttar inte fram: nextRecord={page.next_record} efter "
                f"startPosition={start}"
            )
        start = page.next_record
    complete = not incremental and taken >= (matched or 0)
    if not incremental and not complete:
        yield Failure(
            None,
            f"Tjänsten angav {matched} poster men skickade {taken}; inga poster tas bort "
            "efter den här körningen",
        )
    boundary = sorted(by_day.get(newest[:10], [])) if newest else []
    yield Done(Cursor(last_value=newest, boundary_keys=boundary), complete=complete)
