"""Errors of the search package, under Insyn's one root.

    InsynError
    └── SearchError                 the search index could not do what was asked
        ├── SearchUnavailableError  the engine cannot be reached or failed (try again later)
        ├── IndexMissingError       there is no index yet: run ``ensure_index``/a rebuild
        ├── IndexLockedError        another process is writing the embedded index
        ├── IndexingError           the engine refused documents (``record_ids`` says which)
        └── InvalidSearchRequest    an unknown facet, filter or sort, or bad paging

Backends translate their library's exceptions into these at the edge, ``from`` the
original. Messages never quote record content: an error a public user sees must not
tell anything about records the user may not see.
"""

from __future__ import annotations

from collections.abc import Sequence

from insyn.errors import InsynError


class SearchError(InsynError):
    """The search index could not do what was asked."""


class SearchUnavailableError(SearchError):
    """The search engine cannot be reached, timed out or failed inside."""


class IndexMissingError(SearchError):
    """The index does not exist yet."""


class IndexLockedError(SearchError):
    """Another process holds the embedded index's write lock."""


class IndexingError(SearchError):
    """The engine refused some documents."""

    def __init__(self, message: str, *, record_ids: Sequence[str] = (), **kwargs: str) -> None:
        super().__init__(message, **kwargs)
        self.record_ids = list(record_ids)


class InvalidSearchRequest(SearchError):
    """The request names an unknown facet, filter or sort, or asks for an impossible page."""
