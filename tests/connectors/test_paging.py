"""The one paging loop: visited set, page budget, short page; CKAN's short page ends."""

from __future__ import annotations

import pytest

from insyn.connectors import ckan
from insyn.connectors.base import Cursor
from insyn.connectors.paging import pages
from insyn.errors import ConnectorError
from tests.connectors.ckan_portal import FakeCkan, portal_packages
from tests.support.http import LocalServer
from tests.support.runs import collect


def test_pages_follow_next_until_none() -> None:
    book = {"a": ([1, 2], "b"), "b": ([3, 4], "c"), "c": ([5], None)}
    asked: list[str] = []

    def fetch(position: str) -> tuple[list[int], str | None]:
        asked.append(position)
        return book[position]

    stream = pages(fetch, "a", max_pages=10)
    assert next(stream) == [1, 2] and asked == ["a"]  # lazily: one page at a time
    assert list(stream) == [[3, 4], [5]]
    assert asked == ["a", "b", "c"]


def test_a_position_that_comes_back_is_a_loop() -> None:
    # A resumption token (or Hydra next) that points back at a page already read.
    ring = {"t1": (["x"], "t2"), "t2": (["y"], "t1")}
    read: list[list[str]] = []
    with pytest.raises(ConnectorError, match=r"samma återupptagningstoken två gånger.*cirkel"):
        for page in pages(ring.__getitem__, "t1", max_pages=100, what="återupptagningstoken"):
            read.append(page)
    assert read == [["x"], ["y"]]


def test_the_page_budget_says_which_option_to_raise() -> None:
    with pytest.raises(ConnectorError, match="Fler än 3 sidor; höj max_pages"):
        list(pages(lambda n: ([n], n + 1), 0, max_pages=3))


@pytest.mark.parametrize(
    ("rows", "asked"), [(0, [0]), (1, [0]), (2, [0, 2]), (3, [0, 2]), (4, [0, 2, 4])]
)
def test_a_short_page_ends_paging(rows: int, asked: list[int]) -> None:
    # A source that answers any start past its end with its last row again (a full page is
    # two rows): only a page shorter than asked for ends it.
    data = list(range(rows))
    seen: list[int] = []

    def fetch(start: int) -> tuple[list[int], int]:
        seen.append(start)
        return (data[start : start + 2] or data[-1:]), start + 2

    got = [row for page in pages(fetch, 0, max_pages=50, size=2) for row in page]
    assert seen == asked
    assert got[: len(data)] == data


# --- CKAN's package_search on the test portal ---------------------------------------------

ROWS = 4


@pytest.mark.parametrize("count", [0, 1, ROWS, ROWS + 1])
def test_ckan_paging_ends_on_a_short_page(http_server: LocalServer, count: int) -> None:
    portal = FakeCkan(http_server, portal_packages()[:count])
    config = ckan.Config.from_source(portal.url, {"rows": str(ROWS), "backoff": "0.01"})
    run = collect(ckan.harvest(config, Cursor()), unique_keys=True)
    assert len(run.items) == count and not run.failures
    assert run.done is not None and run.done.complete
    starts = [int(call.params["start"]) for call in portal.searches()]
    # One page, unless it was full: then the next (one row early) is short and ends it.
    assert starts == ([0] if count < ROWS else [0, ROWS - 1])


def test_ckan_incremental_run_after_no_change_takes_nothing(http_server: LocalServer) -> None:
    portal = FakeCkan(http_server, portal_packages())
    config = ckan.Config.from_source(portal.url, {"rows": str(ROWS), "backoff": "0.01"})
    full = collect(ckan.harvest(config, Cursor()), unique_keys=True)
    assert full.done is not None and len(full.items) == len(portal.packages)
    portal.calls.clear()

    again = collect(ckan.harvest(config, full.done.cursor), unique_keys=True)

    # The range [last TO *] gives back only the two packages at the boundary: one short
    # page, both dropped as taken, and the cursor stays where it was.
    assert not again.items and not again.failures and not again.deleted
    assert again.done is not None and not again.done.complete
    assert again.done.cursor == full.done.cursor
    assert [int(call.params["start"]) for call in portal.searches()] == [0]
