"""Files connector: a folder tree on a local disk or a mounted file share.

Folders become datasets and files their distributions. ``depth`` says which folders: with
``depth=1`` (the default) each top-level folder is a dataset holding every file beneath
it, and the files directly in the root make a dataset of their own (key ``.``); with
``depth=0`` the whole tree is one dataset; with ``depth=2`` each second-level folder is
one, and the files directly in a top-level folder make that folder's dataset. A dataset's
key is its folder's path relative to the root, with "/" ("Ekonomi/Budget").

Each file gives its size, modification time, a ``file://`` URI (or ``base_url`` + path)
and a media type: from the extension, else from a sniff of its first ``SNIFF_BYTES``
(nothing further is ever read). Its format comes from the EU file-type vocabulary. The
media-type rules and the mapping are in ``insyn.vocab.profiles.files_read``.

Options: ``depth``; ``include=*.pdf,*.csv`` and ``exclude=~$*,.git/**`` (globs: one
without "/" matches a file or folder name anywhere, one with "/" a relative path at any
depth, or from the root when it starts with "/"; ``**`` spans folders; case-insensitive
unless ``case_sensitive=true``); ``hidden=true`` to take hidden files (dot files and the
system's litter: ``~$*`` lock files, ``Thumbs.db``, ``desktop.ini``), skipped by default;
``base_url`` (links under this address instead of ``file://``) and ``base_uri`` (dataset
URIs); ``max_run_seconds`` (default 6 hours): a walk still going then (a share that
answers slowly, a tree far larger than expected) fails the run, naming the folder it had
reached, and nothing stored changes.

Symbolic links are never followed into folders: one pointing outside the root would
leave it, and one pointing inside shows folders that are catalogued where they are (and
may loop). A link to a file inside the root is listed as a file; a link leading outside
the root, or nowhere, is left out with a warning.

Incremental runs: every run walks the whole tree (``os.scandir``: one ``stat`` per file,
no reading) and yields every dataset with ``complete=True``. Deleted files and folders
are thus seen (a modification-time cursor alone cannot see them, nor files copied in
with an old modification time), and the engine's content hash leaves unchanged datasets
untouched. What is saved between runs is the slow part: sniffed media types, kept in
the cursor (``http``: relative path → size, mtime, media type) and reused while a file's
size and modification time are unchanged. ``last_value`` is the newest modification time.

An unreadable folder or file inside a dataset is a warning on that dataset; a dataset
folder that cannot be listed at all is a ``Failure`` (its stored record stays as it
was). The root going away part-way (an unmounted share, an I/O error) fails the run,
naming the folder.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from insyn.connectors.base import (
    DEFAULT_MAX_RUN_SECONDS,
    MAX_RUN_SECONDS,
    Cursor,
    Done,
    Failure,
    Item,
    RecordGuard,
    RunDeadline,
    Yielded,
)
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.profiles import files_read
from insyn.vocab.profiles.files_read import media_type_by_name, readable, sniff

KIND = "files"

SNIFF_BYTES = 4096
DEFAULT_DEPTH = 1
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})

# Errors that mean the share itself is failing, not one folder or file.
_SOURCE_ERRNOS = frozenset(
    {errno.EIO, errno.ENOTCONN, errno.ESTALE, errno.EHOSTDOWN, errno.EHOSTUNREACH}
    | {errno.ETIMEDOUT, errno.ECONNRESET, errno.ENODEV, errno.ENXIO}
)


OPTIONS = (
    Option("depth", "int", DEFAULT_DEPTH, "Mappnivåer under roten som beskrivs.", minimum=0),
    Option("include", "list", [], "Globmönster för filer och mappar att ta med."),
    Option("exclude", "list", [], "Globmönster för filer och mappar att hoppa över."),
    Option("hidden", "bool", False, "Ta med dolda filer och mappar."),
    Option("case_sensitive", "bool", False, "Mönstren skiljer på stora och små bokstäver."),
    Option("base_url", "str", None, "Utdelningens webbadress, för nedladdningslänkar."),
    Option("base_uri", "str", None, "Början på datamängdernas URI:er."),
    MAX_RUN_SECONDS,
)


def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    """Compile a glob: ``**`` spans folders, ``*`` and ``?`` stay within one, ``[…]`` a set."""
    anchored = pattern.startswith("/")
    body = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if body.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = body.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                inner = body[i + 1 : end].replace("\\", "\\\\")
                out.append(f"[^{inner[1:]}]" if inner.startswith("!") else f"[{inner}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    prefix = "" if anchored or "/" not in pattern else "(?:.*/)?"
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(prefix + "".join(out) + r"\Z", flags)


@dataclass
class _Globs:
    names: list[re.Pattern[str]] = field(default_factory=list)  # match a file or folder name
    paths: list[re.Pattern[str]] = field(default_factory=list)  # match a relative path

    @classmethod
    def of(cls, patterns: list[str], case_sensitive: bool) -> _Globs:
        globs = cls()
        for pattern in patterns:
            target = globs.paths if "/" in pattern else globs.names
            target.append(_glob(pattern, case_sensitive))
        return globs

    def __bool__(self) -> bool:
        return bool(self.names or self.paths)

    def match(self, name: str, rel: str, *, folder: bool = False) -> bool:
        if any(p.match(name) for p in self.names):
            return True
        # "arkiv/**" matches the folder "arkiv" itself, so the walk does not go in.
        candidates = (rel, rel + "/") if folder else (rel,)
        return any(p.match(c) for p in self.paths for c in candidates)


@dataclass
class Config:
    root: Path
    depth: int = DEFAULT_DEPTH
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    hidden: bool = False
    case_sensitive: bool = False
    base_url: str | None = None
    base_uri: str | None = None
    max_run_seconds: float = DEFAULT_MAX_RUN_SECONDS

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL (a folder or ``file://`` URI) and options.

        Raises:
            ConfigError: no folder given, a relative path, or a bad option value.
        """
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError("En filkälla behöver --url: en mapp eller en file://-adress")
        parsed = urlparse(url)
        if parsed.scheme == "file":
            if parsed.netloc not in ("", "localhost"):
                raise ConfigError(f"{url}: montera utdelningen och ange mappen där den är monterad")
            path = Path(unquote(parsed.path))
        elif parsed.scheme and len(parsed.scheme) > 1:
            raise ConfigError(f"{url}: filkällan läser bara mappar (sökväg eller file://)")
        else:
            path = Path(url).expanduser()
        if not path.is_absolute():
            raise ConfigError(f"Ange mappen med absolut sökväg, inte '{url}'")
        return cls(
            root=path,
            depth=values["depth"],
            include=values["include"],
            exclude=values["exclude"],
            hidden=values["hidden"],
            case_sensitive=values["case_sensitive"],
            base_url=(values["base_url"] or "").rstrip("/") or None,
            base_uri=(values["base_uri"] or "").rstrip("/") or None,
            max_run_seconds=values["max_run_seconds"],
        )


# --- walking -----------------------------------------------------------------------------


@dataclass
class _File:
    rel: str  # relative to the root, with "/"
    path: str
    size: int
    mtime_ns: int


@dataclass
class _Folder:
    """One dataset: a folder and the files it holds."""

    key: str
    rel: str
    path: str
    files: list[_File] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Unlistable(Exception):
    """A dataset's own folder could not be listed (no permission)."""


class _Walker:
    def __init__(self, config: Config, deadline: RunDeadline) -> None:
        self.config = config
        self.deadline = deadline
        self.root = str(config.root)
        self.real_root = os.path.realpath(self.root)
        self.include = _Globs.of(config.include, config.case_sensitive)
        self.exclude = _Globs.of(config.exclude, config.case_sensitive)

    def check_root(self, where: str | None = None) -> None:
        """Raise ConnectorError unless the root is there and can be listed."""
        place = f" (vid mappen {where})" if where else ""
        try:
            with os.scandir(self.root) as entries:
                next(entries, None)
        except FileNotFoundError:
            raise ConnectorError(
                f"Mappen {readable(self.root)} finns inte{place}; är utdelningen monterad?"
            ) from None
        except NotADirectoryError:
            raise ConnectorError(f"{readable(self.root)} är ingen mapp{place}") from None
        except OSError as exc:
            raise ConnectorError(
                f"Mappen {readable(self.root)} kan inte läsas{place}: {exc.strerror or exc}"
            ) from None

    def _skipped(self, name: str) -> bool:
        if self.config.hidden:
            return False
        return name.startswith((".", "~$")) or name.casefold() in SYSTEM_FILES

    def _rel(self, parent_rel: str, name: str) -> str:
        name = readable(name)
        return f"{parent_rel}/{name}" if parent_rel else name

    def _lost(self, exc: OSError, rel: str) -> ConnectorError:
        root = readable(self.root)
        return ConnectorError(
            f"Mappen {root} gick inte att läsa vid {rel or '.'}: {exc.strerror or exc}"
        )

    def _entries(
        self, path: str, rel: str, folder: _Folder, *, own: bool
    ) -> tuple[list[_File], list[tuple[str, str]]] | None:
        """List one folder: its wanted files and subfolders (rel, path), sorted by name.

        Returns None if the folder vanished meanwhile. Raises _Unlistable when ``own``
        (the dataset's own folder) cannot be listed, ConnectorError when the root is lost
        or the run's time is up.
        """
        self.deadline.check(f"mappen {rel or '.'}")
        try:
            with os.scandir(path) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except PermissionError as exc:
            if own:
                raise _Unlistable(exc.strerror or str(exc)) from None
            folder.warnings.append(f"Mappen {rel} kunde inte läsas: {exc.strerror or exc}")
            return [], []
        except (FileNotFoundError, NotADirectoryError):
            self.check_root(rel or ".")
            return None  # deleted while we walked: it is gone
        except OSError as exc:
            self.check_root(rel or ".")
            raise self._lost(exc, rel) from None
        files: list[_File] = []
        folders: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            if self._skipped(name):
                continue
            entry_rel = self._rel(rel, name)
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir()
            except OSError as exc:
                if exc.errno in _SOURCE_ERRNOS:
                    raise self._lost(exc, entry_rel) from None
                folder.warnings.append(f"{entry_rel} kunde inte läsas: {exc.strerror or exc}")
                continue
            if is_dir:
                if not self.exclude.match(name, entry_rel, folder=True):
                    folders.append((entry_rel, entry.path))
                continue
            if self.exclude.match(name, entry_rel):
                continue
            if self.include and not self.include.match(name, entry_rel):
                continue
            found = self._file(entry, entry_rel, is_link, folder)
            if found is not None:
                files.append(found)
        return files, folders

    def _file(
        self, entry: os.DirEntry[str], rel: str, is_link: bool, folder: _Folder
    ) -> _File | None:
        if is_link:
            target = os.path.realpath(entry.path)
            inside = target == self.real_root or target.startswith(self.real_root + os.sep)
            if not inside:
                folder.warnings.append(f"Länken {rel} pekar utanför mappen och följs inte")
                return None
        try:
            info = entry.stat()  # follows a link (inside the root, as checked)
        except FileNotFoundError:
            if is_link:
                folder.warnings.append(f"Länken {rel} pekar på något som inte finns")
            return None  # else: deleted while we walked
        except OSError as exc:
            if exc.errno in _SOURCE_ERRNOS:
                raise self._lost(exc, rel) from None
            folder.warnings.append(f"Filen {rel} kunde inte läsas: {exc.strerror or exc}")
            return None
        if not stat.S_ISREG(info.st_mode):
            return None  # a link to a folder (not followed), a socket, a device …
        return _File(rel, entry.path, info.st_size, info.st_mtime_ns)

    def _collect(self, path: str, rel: str, folder: _Folder, *, own: bool) -> bool:
        """Add every file beneath ``path`` to ``folder``; False if the folder vanished."""
        listed = self._entries(path, rel, folder, own=own)
        if listed is None:
            return False
        files, subfolders = listed
        folder.files.extend(files)
        for sub_rel, sub_path in subfolders:
            self._collect(sub_path, sub_rel, folder, own=False)
        return True

    def folders(self) -> Iterator[_Folder | Failure]:
        """Yield each dataset's folder with its files, in name order."""
        yield from self._level(self.root, "", 0)

    def _level(self, path: str, rel: str, level: int) -> Iterator[_Folder | Failure]:
        key = rel or "."
        folder = _Folder(key=key, rel=rel, path=path)
        try:
            if level >= self.config.depth:
                if self._collect(path, rel, folder, own=True) and (folder.files or folder.warnings):
                    yield folder
                return
            listed = self._entries(path, rel, folder, own=True)
        except _Unlistable as exc:
            yield Failure(key, f"Mappen {key} kunde inte läsas: {exc}")
            return
        if listed is None:
            return
        files, subfolders = listed
        folder.files = files
        if folder.files or folder.warnings:
            yield folder
        for sub_rel, sub_path in subfolders:
            yield from self._level(sub_path, sub_rel, level + 1)


# --- reading heads ----------------------------------------------------------------------


class _Heads:
    """Media types of files whose name gives none: from the cursor while a file's size and
    modification time are unchanged, else by reading its first ``SNIFF_BYTES``."""

    def __init__(self, cursor: Cursor, deadline: RunDeadline) -> None:
        self.deadline = deadline
        self.previous = cursor.http
        self.sniffed: dict[str, dict[str, str]] = {}
        self.newest = 0

    def media_type(self, file: _File, warnings: list[str]) -> str | None:
        by_name = media_type_by_name(file.rel.rsplit("/", 1)[-1])
        if by_name is not None:
            return by_name
        validators = {"size": str(file.size), "mtime_ns": str(file.mtime_ns)}
        cached = self.previous.get(file.rel)
        if cached and all(cached.get(k) == v for k, v in validators.items()):
            media_type = cached.get("media_type") or None
        else:
            self.deadline.check(f"filen {file.rel}")
            try:
                with open(file.path, "rb") as handle:
                    media_type = sniff(handle.read(SNIFF_BYTES))
            except FileNotFoundError:
                return None
            except OSError as exc:
                warnings.append(
                    f"Filen {file.rel} kunde inte läsas ({exc.strerror or exc}); filtypen är okänd"
                )
                return None
        self.sniffed[file.rel] = {**validators, "media_type": media_type or ""}
        return media_type

    def files(self, folder: _Folder, root_bytes: bytes) -> list[files_read.File]:
        """The folder's files as the profile takes them (warnings go on the folder)."""
        found = []
        for file in folder.files:
            found.append(
                files_read.File(
                    rel=file.rel,
                    path=os.fsencode(file.path)[len(root_bytes) :].lstrip(b"/"),
                    size=file.size,
                    mtime_ns=file.mtime_ns,
                    media_type=self.media_type(file, folder.warnings),
                )
            )
            self.newest = max(self.newest, file.mtime_ns)
        return found

    def cursor(self) -> Cursor:
        last_value = (
            datetime.fromtimestamp(self.newest / 1e9, UTC).isoformat() if self.newest else None
        )
        return Cursor(last_value=last_value, http=self.sniffed)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield one dataset per folder (see ``depth``) and, last, ``Done(complete=True)``.

    Raises ConnectorError when the root is missing or unreadable, is lost part-way, or
    the walk outlasts ``max_run_seconds``.
    """
    deadline = RunDeadline(config.max_run_seconds)
    walker = _Walker(config, deadline)
    walker.check_root()
    heads = _Heads(cursor, deadline)
    root_bytes = os.fsencode(config.root)
    folders = files_read.Folders(
        config.base_url or config.root.as_uri(),
        config.base_uri,
        config.root.name or str(config.root),
    )
    for found in walker.folders():
        if isinstance(found, Failure):
            yield found
            continue
        with RecordGuard(found.key, what=f"Mappen {found.key}") as guard:
            dataset = folders.dataset(found.key, found.rel, heads.files(found, root_bytes))
        yield guard.failure or Item(found.key, dataset, found.warnings)
    yield Done(heads.cursor(), complete=True)
