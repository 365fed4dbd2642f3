"""Files of the embedded backend: generations, the CURRENT pointer, the write lock.

Layout of the index directory::

    CURRENT                 the generation in use (replaced atomically with os.replace)
    write.lock              held (flock) by the one process writing at a time
    gen-<utc>-<pid>/        one generation: all/ (every record), public/ (public records,
                            restricted fields removed) and generation.json (versions)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tantivy

from insyn.search.backends._tantivy_schema import SCHEMA_VERSION, Analyzers
from insyn.search.errors import (
    IndexLockedError,
    IndexMissingError,
    SearchError,
    SearchUnavailableError,
)

try:  # POSIX advisory locks; elsewhere tantivy's own writer lock still guards the index
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

_POINTER = "CURRENT"
_LOCK = "write.lock"
_META = "generation.json"
PARTITIONS = ("all", "public")
# Indexing threads per partition's writer. Two writers already index in two threads;
# measured on 20,000 generated records (2 cores), 2 threads each cost 5-15 % more CPU for
# no shorter run, and more segments to merge.
WRITER_THREADS = 1


class Generation:
    """One opened generation: its two indexes and what has been seen of them."""

    def __init__(self, name: str, path: Path, analyzers: Analyzers) -> None:
        self.name = name
        self.path = path
        meta = json.loads((path / _META).read_text(encoding="utf-8"))
        self.schema_version = int(meta.get("schema_version", 0))
        self.document_version = int(meta.get("document_version", 0))
        self.indexes: dict[str, tantivy.Index] = {}
        self.seen: dict[str, tuple[int, int, int]] = {}
        for part in PARTITIONS:
            index = tantivy.Index.open(str(path / part))
            analyzers.register(index)
            self.indexes[part] = index
            self.seen[part] = self._stamp(part)

    def _stamp(self, part: str) -> tuple[int, int, int]:
        """Identify the last commit: tantivy replaces meta.json on every commit."""
        try:
            found = (self.path / part / "meta.json").stat()
        except OSError:
            return (0, 0, 0)
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def searcher(self, part: str) -> tantivy.Searcher:
        """Return a searcher, reloading first if another process committed."""
        stamp = self._stamp(part)
        if stamp != self.seen[part]:
            self.indexes[part].reload()
            self.seen[part] = stamp
        return self.indexes[part].searcher()

    def reload(self) -> None:
        for part, index in self.indexes.items():
            index.reload()
            self.seen[part] = self._stamp(part)


class CallerFailure(Exception):
    """Carries an exception raised by the caller's document iterator through the edge."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


def caller_documents(documents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Iterate the caller's documents, marking its own failures as not the engine's."""
    iterator = iter(documents)
    while True:
        try:
            document = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise CallerFailure(exc) from exc
        yield document


@contextlib.contextmanager
def engine_errors(action: str) -> Iterator[None]:
    """Translate tantivy's and the file system's errors into SearchError."""
    try:
        yield
    except CallerFailure as failure:
        raise failure.original from None
    except SearchError:
        raise
    except (ValueError, OSError, RuntimeError) as exc:
        raise SearchUnavailableError(f"Sökindexet kunde inte {action}: {exc}") from exc


class IndexDirectory:
    """The index directory: which generation is current, switching it, locking writes."""

    def __init__(
        self,
        root: Path,
        schema: tantivy.Schema,
        analyzers: Analyzers,
        *,
        lock_timeout: float,
        writer_heap_bytes: int,
    ) -> None:
        self.root = root
        self.schema = schema
        self.analyzers = analyzers
        self.lock_timeout = lock_timeout
        self.writer_heap_bytes = writer_heap_bytes
        self.writer_threads = WRITER_THREADS
        self.generation: Generation | None = None
        self._open_lock = threading.Lock()
        self._write_thread_lock = threading.RLock()

    def has_generation(self, name: str) -> bool:
        return (self.root / name / _META).exists()

    def forget(self) -> None:
        """Drop the opened generation (it is reopened on next use)."""
        with self._open_lock:
            self.generation = None

    def pointer(self) -> str | None:
        try:
            name = (self.root / _POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current(self) -> Generation:
        """Return the generation in use, opening it if CURRENT has moved."""
        for _ in range(5):
            name = self.pointer()
            if name is None:
                raise IndexMissingError(
                    "Sökindexet finns inte än; kör 'insyn index' för att bygga det."
                )
            generation = self.generation
            if generation is not None and generation.name == name:
                return generation
            with self._open_lock:
                if self.generation is not None and self.generation.name == name:
                    return self.generation
                try:
                    opened = Generation(name, self.root / name, self.analyzers)
                except (OSError, ValueError):
                    # Switched and deleted between reading CURRENT and opening: read again.
                    time.sleep(0.01)
                    continue
                self.generation = opened
                return opened
        raise SearchUnavailableError("Sökindexet byttes ut under läsningen; försök igen.")

    def searcher(self, part: str) -> tantivy.Searcher:
        """Return a searcher of the generation in use. A writer in another process may switch
        generations and drop this one between ``current`` and the reload: find it again."""
        for _ in range(5):
            generation = self.current()
            try:
                return generation.searcher(part)
            except (OSError, ValueError):
                if self.pointer() == generation.name:
                    raise  # still the one in use: a real failure, not a switch
                with self._open_lock:
                    if self.generation is generation:
                        self.generation = None
        raise SearchUnavailableError("Sökindexet byttes ut under läsningen; försök igen.")

    def create_generation(self, document_version: int) -> tuple[str, Path]:
        name = f"gen-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        path = self.root / name
        for part in PARTITIONS:
            (path / part).mkdir(parents=True)
            index = tantivy.Index(self.schema, path=str(path / part), reuse=False)
            self.analyzers.register(index)
        self.write_meta(path, document_version)
        return name, path

    def write_meta(self, path: Path, document_version: int) -> None:
        meta = {
            "schema_version": SCHEMA_VERSION,
            "document_version": document_version,
            "created": datetime.now(UTC).isoformat(),
        }
        (path / _META).write_text(json.dumps(meta), encoding="utf-8")

    def switch(self, name: str) -> None:
        """Point CURRENT at generation ``name`` atomically and drop the others."""
        temporary = self.root / f".{_POINTER}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(name)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / _POINTER)
        with contextlib.suppress(OSError, AttributeError):
            directory = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        self.current()
        # We hold the write lock, so no other generation is being built.
        for entry in self.root.glob("gen-*"):
            if entry.name != name and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the write lock: one thread of this process, one process on this machine."""
        with self._write_thread_lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / _LOCK, "a+") as handle:
                if fcntl is not None:
                    deadline = time.monotonic() + self.lock_timeout
                    while True:
                        try:
                            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                            break
                        except BlockingIOError:
                            if time.monotonic() > deadline:
                                raise IndexLockedError(
                                    "Sökindexet skrivs av en annan process; försök igen "
                                    "när den är klar."
                                ) from None
                            time.sleep(0.05)
                try:
                    yield
                finally:
                    if fcntl is not None:
                        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def writers(self, generation: Generation | Path) -> dict[str, tantivy.IndexWriter]:
        writers = {}
        for part in ("public", "all"):  # public first: it is committed first
            if isinstance(generation, Generation):
                index = generation.indexes[part]
            else:
                index = tantivy.Index.open(str(generation / part))
                self.analyzers.register(index)
            try:
                writers[part] = index.writer(
                    heap_size=self.writer_heap_bytes, num_threads=self.writer_threads
                )
            except ValueError as exc:
                for writer in writers.values():
                    writer.wait_merging_threads()
                raise IndexLockedError(
                    f"Sökindexet är låst av en annan skrivare; försök igen. ({exc})"
                ) from exc
        return writers

    @staticmethod
    def finish(writers: dict[str, tantivy.IndexWriter], *, commit: bool) -> None:
        try:
            for writer in writers.values():
                if commit:
                    writer.commit()
                else:
                    writer.rollback()
        finally:
            for writer in writers.values():
                with contextlib.suppress(Exception):
                    writer.wait_merging_threads()
