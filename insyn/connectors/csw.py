"""OGC CSW 2.0.2 connector: ISO 19139 records from a geodata catalogue, mapped to DCAT-AP-SE.

Requests are GetRecords in KVP (HTTP GET) with ``outputSchema`` gmd and ``ElementSetName``
full, paged by ``startPosition``/``nextRecord``. The HTTP is ``insyn.connectors.http.fetch``
(timeouts, retries with back-off on 5xx/429, a size limit); OWSLib builds the OGC filter
``apiso:Modified >= day`` of an incremental run. Every page goes through
``safexml.parse_xml`` (no external entities, no entity bombs): OWSLib's own parsing is
lenient, so it never sees a response.

Paging goes through ``paging.pages`` (a visited set on ``startPosition``) and stops on a
server that never advances. A run with a cursor asks only for records modified since the
cursor's day and yields ``Done(complete=False)``; a run without one (or with
``incremental=nej``) lists everything and is complete when it saw as many records as the
server said it has.

The ISO 19139 → model mapping is ``insyn.vocab.profiles.iso19139_read``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from lxml import etree
from owslib import fes

from insyn.connectors.base import Cursor, Done, Failure, Incremental, Item, RecordGuard, Yielded
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import PUBLISHER_OPTIONS, Option, parse
from insyn.connectors.paging import pages
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import source_defaults
from insyn.vocab.model import Record, content_hash
from insyn.vocab.profiles.iso19139_read import GMD, Unreadable, map_record
from insyn.vocab.safexml import parse_xml
from insyn.vocab.source_defaults import SourceDefaults

KIND = "csw"

CSW = "http://www.opengis.net/cat/csw/2.0.2"
NS = {"csw": CSW}
DEFAULT_PAGE_SIZE = 50
MAX_PAGES_DEFAULT = 10_000
TYPE_NAMES_DEFAULT = "gmd:MD_Metadata"

OPTIONS = (
    Option(
        "page_size",
        "int",
        DEFAULT_PAGE_SIZE,
        "Poster per GetRecords-sida.",
        minimum=1,
        maximum=1000,
    ),
    Option("max_pages", "int", MAX_PAGES_DEFAULT, "Högst så många sidor per körning.", minimum=1),
    Option("incremental", "bool", True, "Fråga bara efter poster ändrade sedan förra körningen."),
    Option("sort_by", "str", None, "sortBy, t.ex. apiso:Identifier:A, om ordningen glider."),
    Option("type_names", "str", TYPE_NAMES_DEFAULT, "typeNames i frågan."),
    *PUBLISHER_OPTIONS,
    *HTTP_OPTIONS,
)


@dataclass
class Config:
    url: str
    page_size: int = DEFAULT_PAGE_SIZE
    max_pages: int = MAX_PAGES_DEFAULT
    incremental: bool = True  # false: every run lists the whole catalogue
    sort_by: str | None = None  # e.g. "apiso:Identifier:A", for servers whose order drifts
    type_names: str = TYPE_NAMES_DEFAULT
    # ISO 19139 has no publisher type, which DCAT-AP-SE requires: one for the whole source.
    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL (the CSW endpoint) and options.

        Raises:
            ConfigError: an unknown or mistyped option, no http(s) URL, or a publisher
                (``source_defaults.from_options``) that is none.
        """
        values = parse(KIND, OPTIONS, options)
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En CSW-källa behöver --url med tjänstens http(s)-adress")
        return cls(
            url=url,
            page_size=values["page_size"],
            max_pages=values["max_pages"],
            incremental=values["incremental"],
            sort_by=values["sort_by"] or None,
            type_names=values["type_names"] or TYPE_NAMES_DEFAULT,
            defaults=source_defaults.from_options(values),
            http=HttpSettings.from_options(values),
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


def _day(value: str) -> str | None:
    return value[:10] or None


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
    # The filter is by day and inclusive, so every record of the boundary day comes back:
    # the boundary is what this run saw that day (the last run's entries are not carried,
    # or a record changed back to what it said before would be dropped as taken).
    boundary = Incremental(Cursor(last_value=cursor.last_value), _day)
    matched: int | None = None
    taken = 0

    def fetch_page(start: int) -> tuple[Page, int | None]:
        response = fetch(
            config.url,
            config.http,
            accept="application/xml, text/xml;q=0.9",
            params=request_params(config, start, since_day),
        )
        page = read_page(response.content, config.url)
        if page.next_record == 0 or page.next_record > page.matched:
            return page, None
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
        return page, page.next_record

    for page in pages(fetch_page, 1, max_pages=config.max_pages, what="startPosition"):
        matched = page.matched if matched is None else matched
        taken += len(page.records)
        for element in page.records:
            # The profile turns what it can name into ``Unreadable``; the guard the rest.
            key = (element.findtext(f"{{{GMD}}}fileIdentifier/*") or "").strip() or None
            with RecordGuard(key) as guard:
                mapped = map_record(element)
            if guard.failure or isinstance(mapped, Unreadable):
                yield guard.failure or Failure(mapped.key, mapped.reason)
                continue
            key, record, warnings, stamp = mapped
            warnings = [*warnings, *config.defaults.apply(record)]
            entry = _boundary_entry(key, record)
            boundary.see(entry, stamp)
            if entry in skip:
                continue  # taken by the last run at its boundary, unchanged since
            yield Item(key, record, warnings)
    complete = not incremental and taken >= (matched or 0)
    if not incremental and not complete:
        yield Failure(
            None,
            f"Tjänsten angav {matched} poster men skickade {taken}; inga poster tas bort "
            "efter den här körningen",
        )
    yield Done(boundary.cursor(), complete=complete)
