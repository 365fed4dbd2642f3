"""One paging loop for every connector: a visited set, a page budget and the short page.

``pages(fetch, first, …)`` asks ``fetch(position)`` for one page at a time and yields it;
``fetch`` returns the page and the position of the next one (a resumption token,
``nextRecord``, a CKAN ``start``, a Hydra ``next`` URL), or None at the end. The loop

- never asks for a position twice: a source that sends us round in a circle is an error
  (ckanext-dcat #260 looped until out of memory on a Hydra ``next`` that came back);
- stops after ``max_pages`` pages with an error that says which option to raise;
- with ``size`` (the page size asked for), ends on a page shorter than that, so a source
  that answers ``start`` past its end with the last row again cannot keep us going.

Pages are fetched lazily: the consumer has handled one page before the next is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sized
from typing import TypeVar

from insyn.errors import ConnectorError

P = TypeVar("P")
K = TypeVar("K", bound=Hashable)


def pages(
    fetch: Callable[[K], tuple[P, K | None]],
    first: K,
    *,
    max_pages: int,
    size: int | None = None,
    what: str = "sidposition",
) -> Iterator[P]:
    """Yield page after page from ``first`` until ``fetch`` says there is no next one.

    ``what`` names the position in the loop error (``återupptagningstoken``, ``URL`` …).

    Raises:
        ConnectorError: a position asked for twice, or more than ``max_pages`` pages;
            and whatever ``fetch`` raises.
    """
    visited: set[K] = set()
    position: K | None = first
    while position is not None:
        if position in visited:
            shown = str(position)[:80]
            raise ConnectorError(
                f"Källan skickade samma {what} två gånger ('{shown}'); sidindelningen går i cirkel"
            )
        if len(visited) >= max_pages:
            raise ConnectorError(f"Fler än {max_pages} sidor; höj max_pages om det stämmer")
        visited.add(position)
        page, position = fetch(position)
        yield page
        if size is not None and isinstance(page, Sized) and len(page) < size:
            return
