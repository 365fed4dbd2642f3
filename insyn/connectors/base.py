"""What a connector yields, and the cursor it keeps between runs.

A connector is one module with ``KIND``, a typed ``Config`` (built from a source's
URL and options by ``Config.from_source``) and a generator ``harvest(config, cursor)``.
It yields, in any order:

- ``Item``: one record read from the source, under the source's own key;
- ``Deleted``: the source says a record is gone (OAI-PMH deleted records, for example);
- ``Failure``: a record that could not be read, with its key and the reason;
- ``Notice``: a warning of the run that belongs to no one record;

and, last, one ``Done`` carrying the new cursor and whether the run saw the whole
source (only then may the engine tombstone records that were not seen).

Connectors never touch the database: the engine stores the cursor in the same
transaction as the records, so the cursor never gets ahead of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from time import monotonic as _monotonic
from types import TracebackType
from typing import Any, Protocol

from insyn.connectors.options import Option
from insyn.errors import ConnectorError
from insyn.vocab.model import Catalog, Record


@dataclass
class Cursor:
    """Incremental state: the last value seen, plus what was seen at that boundary.

    ``last_value`` is a timestamp or token the source understands (``from`` for OAI-PMH,
    ``metadata_modified`` for CKAN …); ``boundary_keys`` are the keys already taken at
    exactly that value, so that the next run can drop them; ``http`` keeps validators
    (ETag, Last-Modified) for conditional requests, per URL.
    """

    last_value: str | None = None
    boundary_keys: list[str] = field(default_factory=list)
    http: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "last_value": self.last_value,
            "boundary_keys": self.boundary_keys,
            "http": self.http,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Cursor:
        data = data or {}
        return cls(
            last_value=data.get("last_value"),
            boundary_keys=list(data.get("boundary_keys") or []),
            http=dict(data.get("http") or {}),
        )


class Incremental:
    """One run's incremental cursor, dlt-style: the newest value taken and the keys at it.

    ``order`` turns a value into something comparable (a datetime, a day), or None for a
    value that is no cursor value (it is then ignored). Keys already taken at the stored
    boundary are dropped by ``taken_before``, so a source whose ``from`` is inclusive does
    not give them twice. ``hold`` marks a value the run saw but did not take (changed while
    it was read): the cursor then stops just before it, so that the next run reads it.
    The engine saves ``cursor()`` with the data, so the cursor never gets ahead of it.
    """

    def __init__(self, cursor: Cursor, order: Callable[[str], Any]) -> None:
        self.start = cursor.last_value
        self.http = cursor.http
        self._order = order
        self._dropped = frozenset(cursor.boundary_keys)
        self.value = cursor.last_value
        self.at = order(cursor.last_value) if cursor.last_value else None
        self.keys = set(cursor.boundary_keys)
        self._taken: dict[str, Any] = {}  # key → order, of this run
        self._held: tuple[Any, str] | None = None

    def taken_before(self, key: str, value: str | None = None) -> bool:
        """Whether the last run took ``key`` at its boundary (at ``value``, when given)."""
        return key in self._dropped and (value is None or value == self.start)

    def see(self, key: str, value: str | None) -> None:
        """Take ``key`` at ``value``: it moves the boundary forward, or joins it."""
        order = self._order(value) if value else None
        if order is None or value is None:
            return
        self._taken[key] = order
        if self.at is None or order > self.at:
            self.value, self.at, self.keys = value, order, {key}
        elif order == self.at:
            self.keys.add(key)
            self.value = max(self.value or value, value)

    def hold(self, value: str | None) -> None:
        """A newer version of something taken came by: the next run must start at it."""
        order = self._order(value) if value else None
        if order is not None and value and (self._held is None or order < self._held[0]):
            self._held = (order, value)

    def cursor(self) -> Cursor:
        """The cursor to save with this run's data."""
        if self._held is not None and (self.at is None or self._held[0] <= self.at):
            order, value = self._held
            keys = {key for key, taken in self._taken.items() if taken == order}
            return Cursor(last_value=value, boundary_keys=sorted(keys))
        return Cursor(last_value=self.value, boundary_keys=sorted(self.keys))


@dataclass
class Item:
    """A record read from the source. ``warnings`` name what was odd but kept.

    ``digest``, when the connector gives one, fingerprints what the source said about
    the record before mapping: the engine skips a record whose digest it has stored.
    """

    key: str
    record: Record
    warnings: list[str] = field(default_factory=list)
    digest: str | None = None


class LazyItem(Item):
    """An item mapped only when the engine needs it (its digest is new or changed).

    ``build`` returns the record and its warnings; it runs at most once.
    """

    def __init__(
        self, key: str, digest: str, build: Callable[[], tuple[Record, list[str]]]
    ) -> None:
        self.key = key
        self.digest = digest
        self._build = build
        self._built: tuple[Record, list[str]] | None = None

    def _mapped(self) -> tuple[Record, list[str]]:
        if self._built is None:
            self._built = self._build()
        return self._built

    @property  # type: ignore[override]
    def record(self) -> Record:
        return self._mapped()[0]

    @property  # type: ignore[override]
    def warnings(self) -> list[str]:
        return self._mapped()[1]


@dataclass
class Deleted:
    key: str


@dataclass
class Failure:
    """A record the connector could not map; the run goes on without it."""

    key: str | None
    reason: str
    field: str | None = None


class RecordGuard:
    """Turns one record's error into a ``Failure`` naming its key and field; the run goes on.

        guard = RecordGuard(key, field="metadata")
        with guard:
            record, warnings = map_it(element)
        if guard.failure:
            yield guard.failure
            continue

    Only ``Exception`` is caught, never ``KeyboardInterrupt``. Keep reads that mean the
    whole source failed (the next page, a lost connection) outside the block: they must
    fail the run, not one record.
    """

    def __init__(self, key: str | None, *, field: str | None = None, what: str = "Posten") -> None:
        self.key = key
        self.field = field
        self.what = what
        self.failure: Failure | None = None

    def __enter__(self) -> RecordGuard:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(exc, Exception):
            return False
        self.failure = Failure(
            self.key,
            f"{self.what} kunde inte läsas: {type(exc).__name__}: {exc}",
            getattr(exc, "field", None) or self.field,
        )
        return True


DEFAULT_MAX_RUN_SECONDS = 21600.0
# The run limit of every kind (HTTP kinds through insyn.connectors.http's options).
MAX_RUN_SECONDS = Option(
    "max_run_seconds",
    "float",
    DEFAULT_MAX_RUN_SECONDS,
    "Längsta tid en körning får läsa från källan (sekunder).",
    minimum=1,
)


class RunDeadline:
    """When a run must stop reading its source (``max_run_seconds`` from its start).

    A connector checks it between pieces of work (a table, a folder) and bounds what it
    asks the source to do by ``remaining()``. Past it, the run fails with ``error``: the
    engine then applies nothing, so nothing stored is lost.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = _monotonic() + seconds

    def remaining(self) -> float:
        return max(self.ends - _monotonic(), 0.0)

    def passed(self) -> bool:
        return _monotonic() >= self.ends

    def error(self, where: str) -> ConnectorError:
        return ConnectorError(
            f"Körningen har läst från källan i mer än {self.seconds:g} sekunder "
            f"(max_run_seconds) och avbröts vid {where}; inget ändrades"
        )

    def check(self, where: str) -> None:
        """Raise ``error(where)`` once the deadline has passed."""
        if self.passed():
            raise self.error(where)


@dataclass
class Notice:
    """A warning of the run that belongs to no one record: a statement the parser skipped
    and could not place, properties the model cannot hold (counted), links not followed."""

    message: str
    field: str | None = None


@dataclass
class CatalogInfo:
    """Metadata about the source's own catalogue, when it has one."""

    catalog: Catalog


@dataclass
class Done:
    """The end of a run's stream.

    ``complete``: the connector listed the whole source, so keys not seen are gone.
    ``not_modified``: the source answered that nothing changed (HTTP 304).
    """

    cursor: Cursor
    complete: bool = True
    not_modified: bool = False


Yielded = Item | Deleted | Failure | Notice | CatalogInfo | Done


class ConnectorConfig(Protocol):
    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> ConnectorConfig: ...


class ConnectorModule(Protocol):
    KIND: str
    OPTIONS: tuple[Option, ...]  # checked by ``insyn sources add``; see ``options.py``
    Config: type[ConnectorConfig]

    def harvest(self, config: Any, cursor: Cursor) -> Iterator[Yielded]: ...
