"""ISO 19139 files and URLs: metadata records read directly, without a CSW service.

``--url`` is a file, a directory (its ``*.xml`` files, or ``pattern``) or an http(s)
address of one document. A document may be one ``gmd:MD_Metadata``/``gmi:MI_Metadata``,
a CSW response or any XML that holds such records: every record element is taken, in
document order. Everything read goes through ``safexml.parse_xml`` (no external entities,
no entity bombs); the HTTP is ``insyn.connectors.http.fetch``.

Each run lists every record, so a record gone from the files is gone from the catalogue.
A file or URL unchanged since the last run (its size and time, or ETag/Last-Modified)
answers "not modified". The mapping is ``insyn.vocab.profiles.iso19139_read``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.connectors.base import Cursor, Done, Failure, Item, Yielded
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import PUBLISHER_OPTIONS, Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import source_defaults
from insyn.vocab.profiles.iso19139_read import GMD, Unreadable, map_record
from insyn.vocab.safexml import parse_xml
from insyn.vocab.source_defaults import SourceDefaults

KIND = "iso19139"

GMI = "http://www.isotc211.org/2005/gmi"
RECORD_TAGS = (f"{{{GMD}}}MD_Metadata", f"{{{GMI}}}MI_Metadata")
ACCEPT = "application/xml, text/xml;q=0.9"
OPTIONS = (
    Option("pattern", "str", "*.xml", "Filmönster när --url är en katalog."),
    *PUBLISHER_OPTIONS,
    *HTTP_OPTIONS,
)


@dataclass
class Config:
    url: str
    pattern: str = "*.xml"
    # ISO 19139 has no publisher type, which DCAT-AP-SE requires: one for the whole source.
    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Raises: ConfigError: no URL, or an unknown option or publisher type."""
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError(
                "En ISO 19139-källa behöver --url: en fil, en katalog eller en webbadress"
            )
        return cls(
            url=url,
            pattern=values["pattern"],
            defaults=source_defaults.from_options(values),
            http=HttpSettings.from_options(values),
        )


def _is_local(url: str) -> bool:
    return urlparse(url).scheme in ("", "file")


def _local_files(config: Config) -> list[Path]:
    path = Path(urlparse(config.url).path if config.url.startswith("file:") else config.url)
    if path.is_dir():
        return sorted(p for p in path.glob(config.pattern) if p.is_file())
    if not path.is_file():
        raise ConnectorError(f"Filen {path} finns inte")
    return [path]


def records_in(root: etree._Element, source: str) -> list[etree._Element]:
    """The ISO 19139 record elements of a document, outermost only, in document order.

    Raises:
        ConnectorError: the document holds none, naming what it is instead.
    """
    if root.tag in RECORD_TAGS:
        return [root]
    found = [
        element
        for element in root.iter(*RECORD_TAGS)
        if not any(parent.tag in RECORD_TAGS for parent in element.iterancestors())
    ]
    if not found:
        name = etree.QName(root)
        hint = " (RDF: använd --kind dcat)" if name.localname == "RDF" else ""
        raise ConnectorError(
            f"{source} innehåller inga ISO 19139-poster (gmd:MD_Metadata); "
            f"rotelementet är {{{name.namespace or ''}}}{name.localname}{hint}"
        )
    return found


def _read(config: Config, root: etree._Element, source: str) -> Iterator[Yielded]:
    for position, element in enumerate(records_in(root, source), start=1):
        mapped = map_record(element)
        if isinstance(mapped, Unreadable):
            # No key: the position in the document is what finds the record again.
            where = f" (post {position} i {source})" if mapped.key is None else ""
            yield Failure(mapped.key, mapped.reason + where, mapped.field)
            continue
        key, record, warnings, _ = mapped
        warnings = [*warnings, *config.defaults.apply(record)]
        yield Item(key, record, warnings)


def _file_validators(path: Path) -> dict[str, str]:
    stat = path.stat()
    return {"etag": f"{stat.st_mtime_ns}-{stat.st_size}"}


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every record of the file(s) or URL.

    Raises:
        ConnectorError: a missing file, a file over the size limit, HTTP failures after
            retries, or a document without ISO 19139 records.
        UnsafeInputError, VocabError: a document that is unsafe or not well-formed XML.
    """
    new_cursor = Cursor()
    if _is_local(config.url):
        files = _local_files(config)
        for path in files:
            new_cursor.http[str(path)] = _file_validators(path)
        if files and new_cursor.http == cursor.http:
            yield Done(Cursor(http=dict(cursor.http)), complete=False, not_modified=True)
            return
        for path in files:
            size = path.stat().st_size
            if size > config.http.max_bytes:
                raise ConnectorError(
                    f"Filen {path} är {size:,} byte, mer än gränsen {config.http.max_bytes:,}"
                )
            yield from _read(config, parse_xml(path.read_bytes(), source=str(path)), str(path))
        yield Done(new_cursor)
        return
    response = fetch(config.url, config.http, validators=cursor.http.get(config.url), accept=ACCEPT)
    if response.not_modified:
        yield Done(Cursor(http=dict(cursor.http)), complete=False, not_modified=True)
        return
    new_cursor.http[config.url] = {
        key: value
        for key, value in (("etag", response.etag), ("last_modified", response.last_modified))
        if value
    }
    yield from _read(config, parse_xml(response.content, source=config.url), config.url)
    yield Done(new_cursor)
