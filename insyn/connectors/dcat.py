"""DCAT-AP / DCAT-AP-SE connector: RDF from a URL or a file.

Turtle, RDF/XML, JSON-LD and N-Triples; Hydra paging (``hydra:next`` on a
``hydra:PartialCollectionView``, as CKAN and EntryScape publish it) with a visited
set so a looping server cannot keep us going; conditional requests (ETag,
Last-Modified) so a 304 counts as unchanged. The simplest connector: copy it to
write the next one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pyoxigraph as ox

from insyn import __version__
from insyn.connectors.base import CatalogInfo, Cursor, Done, Item, LazyItem, RecordGuard, Yielded
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import Option, parse
from insyn.connectors.paging import pages
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.model import Record
from insyn.vocab.profiles import dcat_read
from insyn.vocab.triples import (
    TripleIndex,
    format_from_media_type,
    format_from_name,
    parse_triples,
    sniff_format,
    subject_digest,
)

KIND = "dcat"

HYDRA = "http://www.w3.org/ns/hydra/core#"
MAX_PAGES_DEFAULT = 10_000
ACCEPT = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, application/n-triples;q=0.7"
)
OPTIONS = (
    Option(
        "format",
        "choice",
        None,
        "RDF-formatet, när servern eller filnamnet inte säger det.",
        choices=("turtle", "xml", "jsonld", "nt"),
    ),
    Option("max_pages", "int", MAX_PAGES_DEFAULT, "Högst så många Hydra-sidor.", minimum=1),
    *HTTP_OPTIONS,
)


@dataclass
class Config:
    url: str
    format: str | None = None  # turtle, xml, jsonld, nt; guessed when not given
    max_pages: int = MAX_PAGES_DEFAULT
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError("En DCAT-källa behöver --url (en webbadress eller en fil)")
        return cls(
            url=url,
            format=values["format"],
            max_pages=values["max_pages"],
            http=HttpSettings.from_options(values),
        )


def _is_local(url: str) -> bool:
    return urlparse(url).scheme in ("", "file")


def _local_path(url: str) -> Path:
    return Path(urlparse(url).path if url.startswith("file:") else url)


def _read_local(config: Config, cursor: Cursor) -> tuple[Path | None, str, dict[str, str]]:
    """Return the file (None when unchanged since the last run), its format and validators."""
    path = _local_path(config.url)
    if not path.is_file():
        raise ConnectorError(f"Filen {path} finns inte")
    stat = path.stat()
    if stat.st_size > config.http.max_bytes:
        raise ConnectorError(
            f"Filen {path} är {stat.st_size:,} byte, mer än gränsen {config.http.max_bytes:,}",
        )
    validators = {"etag": f"{stat.st_mtime_ns}-{stat.st_size}"}
    fmt = config.format or format_from_name(path.name)
    if fmt is None:
        with path.open("rb") as handle:
            fmt = sniff_format(handle.read(4096))
    unchanged = cursor.http.get(config.url) == validators
    return (None if unchanged else path), fmt, validators


def next_page(index: TripleIndex, page_url: str) -> str | None:
    """The Hydra ``next`` link of a page, resolved against the page URL."""
    for properties in index.subjects.values():
        for predicate in (HYDRA + "next", HYDRA + "nextPage"):
            for value in properties.get(predicate, ()):
                if isinstance(value, ox.NamedNode):
                    return urljoin(page_url, value.value)
    return None


def record_key(subject: str, record: dcat_read.Mapped) -> str:
    """The source key: the IRI, or for a blank-node record a key built from what it says."""
    if not subject.startswith("_:"):
        return subject
    dataset_ids = getattr(record.record, "identifier", None)
    if dataset_ids:
        return f"identifier:{dataset_ids[0]}"
    digest = hashlib.sha1(repr(sorted(record.record.title.items())).encode()).hexdigest()
    return f"bnode:{digest}"


# Part of every digest: a new mapping (or new bundled vocabularies) maps every record again.
MAPPING_VERSION = f"dcat-{dcat_read.MAPPING_VERSION}-insyn-{__version__}"


def _records(index: TripleIndex) -> Iterator[Yielded]:
    for subject in index.subjects_of_type(*dcat_read.CATALOG_TYPES):
        yield CatalogInfo(dcat_read.read_catalog(index, subject))
    for subject, read in dcat_read.record_subjects(index):
        if subject.startswith("_:"):
            # A blank-node record's key comes from its mapped content: map it now.
            with RecordGuard(subject) as guard:
                mapped = read(index, subject)
            if guard.failure:
                yield guard.failure
                continue
            yield Item(record_key(subject, mapped), mapped.record, mapped.warnings)
            continue
        digest = subject_digest(index, subject, MAPPING_VERSION)
        yield LazyItem(subject, digest, partial(_map, read, index, subject))


def _map(
    read: Callable[[TripleIndex, str], dcat_read.Mapped], index: TripleIndex, subject: str
) -> tuple[Record, list[str]]:
    mapped = read(index, subject)
    return mapped.record, mapped.warnings


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every dataset and data service of the catalogue, page by page."""
    new_cursor = Cursor(last_value=cursor.last_value)
    if _is_local(config.url):
        path, fmt, validators = _read_local(config, cursor)
        new_cursor.http[config.url] = validators
        if path is None:
            yield Done(new_cursor, complete=False, not_modified=True)
            return
        yield from _records(parse_triples(path, fmt))
        yield Done(new_cursor)
        return

    def page(url: str) -> tuple[TripleIndex | None, str | None]:
        first = url == config.url
        # Only the first page is asked conditionally: a 304 there means the whole
        # catalogue is as it was, and later pages must be read to list their keys.
        validators = cursor.http.get(config.url) if first else None
        response = fetch(url, config.http, validators=validators, accept=ACCEPT)
        if first and response.not_modified:
            return None, None
        if first:
            new_cursor.http[config.url] = {
                key: value
                for key, value in (
                    ("etag", response.etag),
                    ("last_modified", response.last_modified),
                )
                if value
            }
        fmt = config.format or _response_format(response.content_type, url, response.content)
        index = parse_triples(response.content, fmt, base_iri=url)
        return index, next_page(index, url)

    for index in pages(page, config.url, max_pages=config.max_pages, what="sidadress"):
        if index is None:
            new_cursor.http[config.url] = cursor.http.get(config.url, {})
            yield Done(new_cursor, complete=False, not_modified=True)
            return
        yield from _records(index)
    yield Done(new_cursor)


def _response_format(content_type: str | None, url: str, content: bytes) -> str:
    fmt = format_from_media_type(content_type)
    if fmt is not None:
        return fmt
    bare_type = (content_type or "").split(";")[0].strip()
    # Generic types say nothing either way: look at the content instead.
    generic = ("application/octet-stream", "binary/octet-stream", "text/plain")
    if bare_type and bare_type not in generic:
        raise ConnectorError(
            f"Servern skickade '{bare_type}' från {url}, inget RDF-format; ange --option "
            "format=turtle|xml|jsonld|nt om innehållet ändå är RDF"
        )
    return format_from_name(url) or sniff_format(content[:4096])
