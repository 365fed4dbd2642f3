"""What a connector yields, and the cursor it keeps between runs.

A connector is one module with ``KIND``, a typed ``Config`` (built from a source's
URL and options by ``Config.from_source``) and a generator ``harvest(config, cursor)``.
It yields, in any order:

- ``Item``: one record read from the source, under the source's own key;
- ``Deleted``: the source says a record is gone (OAI-PMH deleted records, for example);
- ``Failure``: a record that could not be read, with its key and the reason;

and, last, one ``Done`` carrying the new cursor and whether the run saw the whole
source (only then may the engine tombstone records that were not seen).

Connectors never touch the database: the engine stores the cursor in the same
transaction as the records, so the cursor never gets ahead of the data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

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


Yielded = Item | Deleted | Failure | CatalogInfo | Done


class ConnectorConfig(Protocol):
    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> ConnectorConfig: ...


class ConnectorModule(Protocol):
    KIND: str
    Config: type[ConnectorConfig]

    def harvest(self, config: Any, cursor: Cursor) -> Iterator[Yielded]: ...
