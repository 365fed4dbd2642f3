"""Read profile for folder trees: a folder → ``Dataset``, each of its files → ``Distribution``.

The ``files`` connector walks the tree, reads the first bytes of files whose name gives
no media type, and keeps the cursor; this profile takes plain values (a folder's relative
path, each file's path, size, modification time and media type) and makes the dataset.
It also holds the media-type rules: by extension (``media_type_by_name``), by the first
bytes (``sniff``), and the EU file-type vocabulary's format (``file_format``).
"""

from __future__ import annotations

import codecs
import mimetypes
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from insyn.vocab import vocabularies
from insyn.vocab.model import Dataset, Distribution

EXTRA_PATH = "sökväg"
EXTRA_FILES = "antal filer"
EXTRA_BYTES = "storlek (byte)"

# Our own table (the built-in one, not the machine's /etc/mime.types), so that every
# machine gives the same answer, plus types the built-in one lacks.
_TYPES = mimetypes.MimeTypes()
for _extension, _type in {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".geojson": "application/geo+json",
    ".gpkg": "application/geopackage+sqlite3",
    ".md": "text/markdown",
    ".7z": "application/x-7z-compressed",
    ".rar": "application/vnd.rar",
    ".msg": "application/vnd.ms-outlook",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".ttl": "text/turtle",
    ".rdf": "application/rdf+xml",
    ".jsonld": "application/ld+json",
    ".parquet": "application/vnd.apache.parquet",
    ".sqlite": "application/vnd.sqlite3",
    ".sqlite3": "application/vnd.sqlite3",
    ".dwg": "image/vnd.dwg",
    ".dxf": "image/vnd.dxf",
}.items():
    _TYPES.add_type(_type, _extension)
_ENCODINGS = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "br": "application/x-brotli",
    "compress": "application/x-compress",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-office"),  # .doc .xls .msg
    (b"%!PS", "application/postscript"),
    (b"{\\rtf", "application/rtf"),
    (b"ID3", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
    (b"PAR1", "application/vnd.apache.parquet"),
)
_RIFF = {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_CONTROL = frozenset(range(0, 9)) | frozenset(range(14, 32))


def media_type_by_name(name: str) -> str | None:
    """The media type a file name's extension gives, or None if it gives none."""
    media_type, encoding = _TYPES.guess_type(name, strict=False)
    if encoding:
        return _ENCODINGS.get(encoding, "application/octet-stream")
    return media_type


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes; None for an empty file.

    Knows the usual binary signatures (PDF, images, archives, Office and OpenDocument
    files, SQLite …) and tells text apart: XML, HTML, JSON, CSV, plain text.
    """
    if not head:
        return None
    for signature, media_type in _MAGIC:
        if head.startswith(signature):
            return media_type
    if head.startswith(b"RIFF") and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return "image/heic" if head[8:12] in (b"heic", b"heix", b"mif1") else "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(head)
    text = _as_text(head)
    if text is None:
        return "application/octet-stream"
    return _text_type(text)


def _zip_type(head: bytes) -> str:
    # OpenDocument stores its media type uncompressed as the first member, "mimetype".
    if head[30:38] == b"mimetype":
        declared = head[38:140].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if re.fullmatch(r"application/[\w.+-]+", declared):
            return declared
    for marker, media_type in _OOXML:
        if marker in head:
            return media_type
    return "application/zip"


def _as_text(head: bytes) -> str | None:
    """The bytes as text (UTF-8, else Latin-1/Windows-1252), or None if they are binary."""
    if b"\x00" in head:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return head.decode("utf-16", "replace")
        return None
    try:
        # The sniffed piece may end inside a character: decode what is whole.
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    if sum(byte in _CONTROL for byte in head) > len(head) // 100:
        return None
    return head.decode("cp1252", "replace")


def _text_type(text: str) -> str:
    start = text.lstrip("\ufeff \t\r\n")
    lower = start[:200].lower()
    if lower.startswith("<?xml") or lower.startswith("<"):
        if "<!doctype html" in lower or "<html" in lower:
            return "text/html"
        if "<rdf:rdf" in text[:2000].lower():
            return "application/rdf+xml"
        if "<svg" in lower:
            return "image/svg+xml"
        if lower.startswith("<?xml"):
            return "application/xml"
    if start.startswith(("{", "[")):
        return "application/geo+json" if '"FeatureCollection"' in text else "application/json"
    if lower.startswith("@prefix") or lower.startswith("@base"):
        return "text/turtle"
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    if len(lines) > 2:
        lines = lines[:-1]  # the last line may be cut off
    if len(lines) >= 2:
        for delimiter, media_type in (
            (";", "text/csv"),
            (",", "text/csv"),
            ("\t", "text/tab-separated-values"),
        ):
            counts = {line.count(delimiter) for line in lines}
            if len(counts) == 1 and counts.pop() > 0:
                return media_type
    return "text/plain"


_FORMATS: dict[tuple[str, str | None], str | None] = {}


def file_format(name: str, media_type: str | None) -> str | None:
    """The EU file-type URI for a file: by its extension, else by its media type."""
    suffix = Path(name).suffix.lower()
    cache_key = (suffix, media_type)
    if cache_key not in _FORMATS:
        vocabulary = vocabularies.file_types()
        concept = vocabulary.lookup(suffix) if suffix else None
        if concept is None and media_type and media_type != "application/octet-stream":
            concept = vocabulary.lookup(media_type)
        _FORMATS[cache_key] = concept.uri if concept else None
    return _FORMATS[cache_key]


def readable(name: str) -> str:
    """A file name as text that can be stored: bytes that are no UTF-8 (a share written by an
    old Windows in Latin-1) come back as "\ufffd" instead of unencodable surrogates."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


def _when(mtime_ns: int) -> datetime:
    return datetime.fromtimestamp(mtime_ns // 1_000_000_000, UTC)


@dataclass
class File:
    """One file as the walk found it, in plain values."""

    rel: str  # relative to the root, with "/", as text (``readable``)
    path: bytes  # the same path as the bytes on disk, for its link
    size: int
    mtime_ns: int
    media_type: str | None


class Folders:
    """Maps one tree's folders; links are made under ``base_url`` (the root's address)."""

    def __init__(self, base_url: str, base_uri: str | None, root_name: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.base_uri = base_uri
        self.root_name = root_name
        self._prefixes: dict[bytes, str] = {}

    def url(self, file: File) -> str:
        """``base_url`` plus the path as its bytes, quoted."""
        folder, _, name = file.path.rpartition(b"/")
        prefix = self._prefixes.get(folder)
        if prefix is None:  # one folder's files share it: quote it once
            quoted = quote(folder) + "/" if folder else ""
            prefix = self._prefixes[folder] = f"{self.base_url}/{quoted}"
        return prefix + quote(name)

    def dataset(self, key: str, rel: str, files: list[File]) -> Dataset:
        """The dataset of the folder ``rel`` (relative to the root; "" is the root itself)."""
        distributions = []
        prefix = rel + "/" if rel else ""
        for file in files:
            name = file.rel.removeprefix(prefix)
            url = self.url(file)
            distributions.append(
                Distribution(
                    title={"sv": name},
                    access_url=url,
                    download_url=url,
                    media_type=file.media_type,
                    format=file_format(name, file.media_type),
                    byte_size=file.size,
                    modified=_when(file.mtime_ns),
                )
            )
        title = rel or readable(self.root_name)
        uri = f"{self.base_uri}/{quote(key)}" if self.base_uri else None
        newest = max((f.mtime_ns for f in files), default=None)
        return Dataset(
            uri=uri,
            title={"sv": title},
            description={"sv": f"Filerna i mappen {title}"},
            modified=_when(newest) if newest is not None else None,
            distributions=distributions,
            extras={
                EXTRA_PATH: [rel or "."],
                EXTRA_FILES: [str(len(files))],
                EXTRA_BYTES: [str(sum(f.size for f in files))],
            },
        )
