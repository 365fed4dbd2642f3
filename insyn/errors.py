"""Insyn's errors: one root, a subtree per package.

    InsynError
    ├── VocabError              bad or unreadable metadata
    │   └── UnsafeInputError    XML/RDF refused (external entities, entity bombs, too large)
    ├── ConnectorError          a source could not be read (network, HTTP status, format)
    ├── CatalogueError          store problems (unknown record, source or organisation)
    │   └── NotFoundError
    ├── HarvestError            a run could not complete
    └── ConfigError             bad settings or source options

Each error carries the fields a person needs to act: ``source``, ``record_id``,
``position`` and the record's ``field`` where known, and its message says what to do in Swedish.
"""

from __future__ import annotations


class InsynError(Exception):
    """Root of every error Insyn raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        record_id: str | None = None,
        position: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.record_id = record_id
        self.position = position
        self.field = field

    def __str__(self) -> str:
        parts = []
        if self.source:
            parts.append(f"källa {self.source}")
        if self.record_id:
            parts.append(f"post {self.record_id}")
        if self.position:
            parts.append(f"position {self.position}")
        if self.field:
            parts.append(f"fält {self.field}")
        where = f" ({', '.join(parts)})" if parts else ""
        return f"{self.message}{where}"


class VocabError(InsynError):
    """Metadata that cannot be read or mapped."""


class UnsafeInputError(VocabError):
    """Input refused before parsing: external entities, entity expansion or size."""


class ConnectorError(InsynError):
    """A source could not be read."""


class CatalogueError(InsynError):
    """A problem in the store."""


class NotFoundError(CatalogueError):
    """No such record, source or organisation."""


class HarvestError(InsynError):
    """A harvest run could not complete."""


class ConfigError(InsynError):
    """Bad settings or source options."""
