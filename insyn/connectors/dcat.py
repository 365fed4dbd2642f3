"""DCAT-AP / DCAT-AP-SE connector: RDF from a URL or a file.

Turtle, RDF/XML, JSON-LD and N-Triples; Hydra paging (``hydra:next`` on a
``hydra:PartialCollectionView``, as CKAN and EntryScape publish it) with a visited
set so a looping server cannot keep us going; conditional requests (ETag,
Last-Modified) so a 304 counts as unchanged. Parsing is lenient (``parse_triples``): a
bad value costs its statement and is reported under its record. schema.org Datasets are
read too, and a catalogue that only links to its datasets (LKOD) is followed, up to
``follow_limit`` documents. The simplest connector: copy it to write the next one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pyoxigraph as ox

from insyn import __version__
from insyn.connectors.base import (
    CatalogInfo,
    Cursor,
    Done,
    Failure,
    LazyItem,
    Notice,
    RecordGuard,
    Yielded,
)
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import PUBLISHER_OPTIONS, Option, parse
from insyn.connectors.paging import pages
from insyn.errors import ConfigError, ConnectorError, VocabError
from insyn.vocab import source_defaults
from insyn.vocab.model import DESCRIPTION_INTERNAL, Record
from insyn.vocab.profiles import dcat_read, schemaorg_read
from insyn.vocab.source_defaults import SourceDefaults
from insyn.vocab.triples import (
    RDF_TYPE,
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
FOLLOW_LIMIT_DEFAULT = 1_000
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
    Option(
        "follow_limit",
        "int",
        FOLLOW_LIMIT_DEFAULT,
        "Högst så många datamängder att hämta när katalogen bara länkar till dem "
        "(dcat:dataset med en adress, som i LKOD); 0 = hämta inga.",
        minimum=0,
    ),
    *PUBLISHER_OPTIONS,
    *HTTP_OPTIONS,
)


@dataclass
class Config:
    url: str
    format: str | None = None  # turtle, xml, jsonld, nt; guessed when not given
    max_pages: int = MAX_PAGES_DEFAULT
    follow_limit: int = FOLLOW_LIMIT_DEFAULT
    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    http: HttpSettings = field(default_factory=HttpSettings)
    # Set by the engine: the digest of each file as the last clean run read it, offered
    # only while the catalogue holds exactly the records that run left.
    stored_documents: dict[str, str] | None = None

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError("En DCAT-källa behöver --url (en webbadress eller en fil)")
        return cls(
            url=url,
            format=values["format"],
            max_pages=values["max_pages"],
            follow_limit=values["follow_limit"],
            defaults=source_defaults.from_options(values),
            http=HttpSettings.from_options(values),
        )


def _is_local(url: str) -> bool:
    return urlparse(url).scheme in ("", "file")


def _local_path(url: str) -> Path:
    return Path(urlparse(url).path if url.startswith("file:") else url)


def _document_digest(path: Path, config: Config) -> str:
    """The file's bytes, salted like every record digest (mapping version, stated defaults):
    the same digest means the same statements, read by the same mapping."""
    digest = hashlib.sha256(f"{MAPPING_VERSION}|{config.defaults.key}\n".encode())
    with path.open("rb") as handle:
        hashlib.file_digest(handle, lambda: digest)
    return digest.hexdigest()


def _read_local(config: Config, cursor: Cursor) -> tuple[Path | None, str, dict[str, str]]:
    """Return the file (None when unchanged since the last run), its format and validators.

    Unchanged: the size and modification time of the last run (not with ``--full``, which
    gives an empty cursor), or else the same bytes as the last clean run read, when the
    engine vouches that the catalogue still holds what that run left (``stored_documents``):
    then every record would be skipped by its own digest anyway, after a parse and a digest
    of every record (most of an unchanged re-harvest)."""
    path = _local_path(config.url)
    if not path.is_file():
        raise ConnectorError(f"Filen {path} finns inte")
    stat = path.stat()
    if stat.st_size > config.http.max_bytes:
        raise ConnectorError(
            f"Filen {path} är {stat.st_size:,} byte, mer än gränsen {config.http.max_bytes:,}",
        )
    etag = f"{stat.st_mtime_ns}-{stat.st_size}"
    fmt = config.format or format_from_name(path.name)
    if fmt is None:
        with path.open("rb") as handle:
            fmt = sniff_format(handle.read(4096))
    last = cursor.http.get(config.url) or {}
    if last.get("etag") == etag and "sha256" in last:
        return None, fmt, last
    validators = {"etag": etag, "sha256": _document_digest(path, config)}
    stored = (config.stored_documents or {}).get(config.url)
    unchanged = stored == validators["sha256"]
    return (None if unchanged else path), fmt, validators


def next_page(index: TripleIndex, page_url: str) -> str | None:
    """The Hydra ``next`` link of a page, resolved against the page URL."""
    for properties in index.subjects.values():
        for predicate in (HYDRA + "next", HYDRA + "nextPage"):
            for value in properties.get(predicate, ()):
                if isinstance(value, ox.NamedNode):
                    return urljoin(page_url, value.value)
    return None


def _raw_identifier(index: TripleIndex, subject: str) -> str | None:
    values = sorted(
        value.value.strip()
        for value in index.objects(subject, dcat_read.DCT + "identifier")
        if isinstance(value, ox.Literal) and value.value.strip()
    )
    return values[0] if values else None


class _Keys:
    """Source keys: a record's IRI; for a blank-node record its dct:identifier when no other
    record of the document has it, else a digest of what it says (its statements and those
    of the nodes it points to, as ``subject_digest`` reads them), numbered by position when
    several say exactly the same. Never the title alone: 36 services titled "N/A" are 36.
    """

    def __init__(self, index: TripleIndex, subjects: list[str]) -> None:
        blanks = [subject for subject in subjects if subject.startswith("_:")]
        identifiers = [_raw_identifier(index, subject) for subject in blanks]
        counts = Counter(identifiers)
        self.keys: dict[str, str] = {}
        taken: Counter[str] = Counter()
        for subject, identifier in zip(blanks, identifiers, strict=True):
            if identifier is not None and counts[identifier] == 1:
                self.keys[subject] = f"identifier:{identifier}"
                continue
            base = "bnode:" + subject_digest(index, subject, "key")[:32]
            taken[base] += 1
            self.keys[subject] = base if taken[base] == 1 else f"{base}-{taken[base]}"

    def key(self, subject: str) -> str:
        return self.keys.get(subject, subject)


def describe(index: TripleIndex, subject: str, position: int) -> str:
    """How an error names a record: its title, its IRI or its position in the document."""
    titles = sorted(
        value.value.strip()
        for value in index.objects(subject, dcat_read.DCT + "title")
        + index.objects(subject, dcat_read.SCHEMA + "name")
        if isinstance(value, ox.Literal)
    )
    title = f"'{titles[0][:120]}'" if titles else "utan titel"
    where = f"post nr {position} i dokumentet" if subject.startswith("_:") else subject
    return f"Posten {title} ({where})"


# Part of every digest: a new mapping (or new bundled vocabularies) maps every record again.
MAPPING_VERSION = f"dcat-{dcat_read.MAPPING_VERSION}-insyn-{__version__}"


@dataclass
class _RunState:
    """What one run counts across its documents (properties the model does not hold), and
    what the administrator states for the whole source."""

    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    unheld: Counter[str] = field(default_factory=Counter)

    def notices(self) -> Iterator[Notice]:
        if self.unheld:
            counts = ", ".join(f"{name} ({count})" for name, count in self.unheld.most_common())
            yield Notice(
                "Egenskaper som modellen inte har fält för (sparade som övriga uppgifter på "
                f"posten; antal poster): {counts}",
                "extras",
            )


def _records(index: TripleIndex, state: _RunState) -> Iterator[Yielded]:
    for message in index.loose:
        yield Notice(message)
    for subject in index.subjects_of_type(*dcat_read.CATALOG_TYPES):
        yield CatalogInfo(dcat_read.read_catalog(index, subject))
    for subject in index.subjects_of_type(*dcat_read.SCHEMA_CATALOGS):
        yield CatalogInfo(schemaorg_read.read_catalog(index, subject))
    readers = {**dcat_read.RECORD_READERS, **schemaorg_read.RECORD_READERS}
    found = dcat_read.record_subjects(index, readers)
    keys = _Keys(index, [subject for subject, _ in found])
    for position, (subject, read) in enumerate(found, start=1):
        digest = subject_digest(index, subject, f"{MAPPING_VERSION}|{state.defaults.key}")
        build = partial(_map, read, index, subject, position, state)
        yield LazyItem(keys.key(subject), digest, build)
    if not found and index.subjects:
        types = Counter(
            dcat_read.short(value.value)
            for properties in index.subjects.values()
            for value in properties.get(RDF_TYPE, ())
        )
        named = ", ".join(f"{name} ({count})" for name, count in types.most_common(8))
        yield Notice(
            f"Dokumentet har {len(index.subjects)} resurser men ingen datamängd, "
            f"dataserie eller datatjänst (dcat:Dataset, dcat:DatasetSeries, dcat:DataService, "
            f"schema:Dataset); typer: {named or 'inga'}"
        )


def _map(
    read: Callable[[TripleIndex, str], dcat_read.Mapped],
    index: TripleIndex,
    subject: str,
    position: int,
    state: _RunState,
) -> tuple[Record, list[str]]:
    try:
        mapped = read(index, subject)
    except Exception as exc:  # named here: the engine's guard knows only the key
        # The error's own field first: the profile's current field may be a stale one.
        field_name = getattr(exc, "field", None) or dcat_read.current_field()
        raise VocabError(
            f"{describe(index, subject, position)} kunde inte läsas: {type(exc).__name__}: {exc}",
            field=field_name,
        ) from exc
    state.unheld.update(dcat_read.short(name) for name in mapped.record.extras)
    warnings = [
        *index.problems_of(subject),
        *mapped.warnings,
        *state.defaults.apply(mapped.record),
    ]
    if subject in index.unsure:
        # A statement beside this record could not be read: it may have made the record
        # internal or secret. Fail closed until the source is mended.
        mapped.record.governance.description_visibility = DESCRIPTION_INTERNAL
        warnings.append(
            "Ett påstående intill posten kunde inte läsas; beskrivningen hålls intern tills "
            "källan är rättad (det kan ha gällt postens synlighet eller sekretess)"
        )
    return mapped.record, warnings


def _unlisted(index: TripleIndex) -> list[str]:
    """Datasets a catalogue lists by IRI only, described in documents of their own (the
    Czech and Slovak LKOD pattern): no statement about them in this document."""
    listed = []
    for subject in index.subjects_of_type(*dcat_read.CATALOG_TYPES):
        for value in index.objects(subject, dcat_read.DCAT + "dataset"):
            if isinstance(value, ox.NamedNode) and value.value not in index.subjects:
                listed.append(value.value)
    return sorted(set(listed))


def _follow(config: Config, index: TripleIndex, state: _RunState) -> Iterator[Yielded]:
    """Read each dataset the catalogue only links to, up to ``follow_limit`` documents."""
    links = _unlisted(index)
    if not links:
        return
    if len(links) > config.follow_limit:
        yield Notice(
            f"Katalogen länkar till {len(links)} datamängder som beskrivs i egna dokument; "
            f"bara de {config.follow_limit} första hämtades (höj follow_limit om det stämmer)",
            "dcat:dataset",
        )
    for link in links[: config.follow_limit]:
        with RecordGuard(link, field="dcat:dataset", what=f"Datamängden {link}") as guard:
            response = fetch(link, config.http, accept=ACCEPT)
            fmt = config.format or _response_format(response.content_type, link, response.content)
            document = parse_triples(response.content, fmt, base_iri=link)
        if guard.failure:
            yield guard.failure
            continue
        if link not in document.subjects:
            yield Failure(link, f"Dokumentet på {link} beskriver inte {link}", "dcat:dataset")
            continue
        yield from _records(document, state)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every dataset and data service of the catalogue, page by page."""
    new_cursor = Cursor(last_value=cursor.last_value)
    state = _RunState(defaults=config.defaults)
    if _is_local(config.url):
        path, fmt, validators = _read_local(config, cursor)
        new_cursor.http[config.url] = validators
        if path is None:
            yield Done(new_cursor, complete=False, not_modified=True)
            return
        index = parse_triples(path, fmt)
        yield from _records(index, state)
        yield from _follow(config, index, state)
        yield from state.notices()
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
        yield from _records(index, state)
        yield from _follow(config, index, state)
    yield from state.notices()
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
