"""One search path for the JSON API, the web pages and the CKAN API.

``run_search`` builds the backend request (public only unless the principal may see
more), runs it, and drops any hit the catalogue says the principal may not see: an
index that lags behind a change to a record's access rights cannot leak it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from weakref import WeakKeyDictionary

from insyn.catalogue.store import Catalogue
from insyn.search.backends.base import (
    FACETS,
    MAX_PAGE_SIZE,
    MAX_RESULT_WINDOW,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from insyn.search.lag import LaggingHides
from insyn.web.access import Principal
from insyn.web.errors import invalid
from insyn.web.queries import visible_ids
from insyn.web.state import WebState

SORTS = ("relevance", "modified", "title")
# The dates a search engine can compare (tantivy: 1677–2262); outside them, a 422.
EARLIEST, LATEST = date(1700, 1, 1), date(2200, 12, 31)
# The facets the public sees: owner and publisher are names, the rest controlled codes.
PUBLIC_FACETS: tuple[str, ...] = tuple(FACETS)


@dataclass
class SearchParams:
    q: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: Sequence[str] = PUBLIC_FACETS
    modified_from: date | None = None
    modified_to: date | None = None
    facet_size: int = 100

    def check(self, max_page_size: int, max_query_length: int, *, page_field: str = "page") -> None:
        """Raise a 422 ``ApiError`` naming the field for limits the backend would refuse."""
        if len(self.q) > max_query_length:
            raise invalid("q", f"Sökfrågan får vara högst {max_query_length} tecken lång.")
        if not 1 <= self.page_size <= min(max_page_size, MAX_PAGE_SIZE):
            raise invalid("page_size", f"Sidstorleken måste vara mellan 1 och {max_page_size}.")
        if self.page < 1:
            raise invalid(page_field, "Sidnumret måste vara minst 1.")
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise invalid(
                page_field,
                f"Det går inte att bläddra längre än {MAX_RESULT_WINDOW} träffar; "
                "förfina sökningen i stället.",
            )
        if self.sort not in SORTS:
            raise invalid("sort", f"Sorteringen måste vara en av: {', '.join(SORTS)}.")
        unknown = [name for name in self.filters if name not in FACETS]
        if unknown:
            raise invalid(unknown[0], f"Okänt filter '{unknown[0]}'.")
        for name in ("modified_from", "modified_to"):
            day = getattr(self, name)
            if day is not None and not EARLIEST <= day <= LATEST:
                raise invalid(name, f"Datumet måste ligga mellan {EARLIEST} och {LATEST}.")
        if self.modified_from and self.modified_to and self.modified_from > self.modified_to:
            raise invalid("modified_from", "Startdatumet ligger efter slutdatumet.")


# Per catalogue: the lagging index's hides, kept from one search to the next.
_HIDES: WeakKeyDictionary[Catalogue, LaggingHides] = WeakKeyDictionary()
_HIDES_LOCK = threading.Lock()


def lagging_hides(catalogue: Catalogue) -> tuple[str, ...]:
    """The records a public read must leave out while the index lags (``LaggingHides``):
    one statement a search, and when the index's position or the change log moved, a
    step from the last list instead of working it out again (0.7 s at a million
    records). ``visible_ids`` checks every hit against the catalogue itself as well."""
    with _HIDES_LOCK:
        hides = _HIDES.get(catalogue)
        if hides is None:
            hides = _HIDES[catalogue] = LaggingHides()
    return hides.current(catalogue)


def run_search(state: WebState, principal: Principal, params: SearchParams) -> SearchResult:
    """Run a search as ``principal`` and return the page of hits it may see.

    Raises:
        ApiError: 422 for a parameter out of bounds.
        SearchError: the backend failed (the app answers 503).
    """
    params.check(state.config.max_page_size, state.config.max_query_length)
    public_only = not principal.sees_non_public
    request = SearchRequest(
        query=params.q,
        filters={name: list(values) for name, values in params.filters.items() if values},
        facets=tuple(params.facets),
        sort=params.sort,  # type: ignore[arg-type]
        page=params.page,
        page_size=params.page_size,
        public_only=public_only,
        modified_from=params.modified_from,
        modified_to=params.modified_to,
        facet_size=params.facet_size,
        exclude_ids=lagging_hides(state.catalogue) if public_only else (),
    )
    result = state.backend.search(request)
    allowed = visible_ids(state.catalogue, principal, [hit.id for hit in result.hits])
    result.hits = [hit for hit in result.hits if hit.id in allowed]
    return result


# How many filters a zero-result page tries dropping, one at a time (a search each).
MAX_RELIEF_SEARCHES = 6


def filters_that_find(
    state: WebState, principal: Principal, params: SearchParams
) -> list[tuple[str, str, int]]:
    """Return (facet, value, hits) for each filter the user set whose removal alone finds
    something: what a zero-result page offers ("Utan filtret Format: CSV: 12 träffar")."""
    out: list[tuple[str, str, int]] = []
    chosen = [(name, value) for name, values in params.filters.items() for value in values]
    for name, value in chosen[:MAX_RELIEF_SEARCHES]:
        filters = {
            other: [v for v in values if (other, v) != (name, value)]
            for other, values in params.filters.items()
        }
        # Only the count is wanted: one hit, no facets.
        trial = replace(params, filters=filters, page=1, page_size=1, facets=())
        total = run_search(state, principal, trial).total
        if total:
            out.append((name, value, total))
    return out


def page_count(total: int, page_size: int) -> int:
    """Number of pages a client can reach (bounded by the result window)."""
    reachable = min(total, MAX_RESULT_WINDOW)
    return max(1, -(-reachable // page_size))


def hit_description(hit: SearchHit) -> str:
    fields = hit.fields
    return str(fields.get("description_sv") or fields.get("description_en") or "")
