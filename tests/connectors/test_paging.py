"""The one paging loop: visited set, page budget, short page; CKAN's short page ends."""

from __future__ import annotations

import pytest

from insyn.connectors.paging import pages
from insyn.errors import ConnectorError


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
