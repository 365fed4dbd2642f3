"""Personnummer and samordningsnummer are masked in every spelling people and documents use.

Hypothesis generates valid numbers (a real date, or day + 60, and the Luhn check digit) and
writes them the way text copied from case files does: any dash-like character, a space, a
plus sign or nothing before the serial; full-width digits; soft hyphens and zero-width
characters anywhere. Organisation numbers (the "month" is 20 or more) are left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from insyn.vocab.masking import PERSONNUMMER_MASK, mask_personnummer
from insyn.vocab.personal_data import (
    find_personnummer,
    is_personnummer,
    is_samordningsnummer,
    luhn_valid,
)

DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\uff0d", "\ufe63"]
SPACES = [" ", "\u00a0", "\u202f", "\u2009"]
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def check_digit(nine: str) -> str:
    return next(d for d in "0123456789" if luhn_valid(nine + d))


@st.composite
def numbers(draw: st.DrawFn, samordning: bool | None = None) -> tuple[str, str, bool]:
    """A valid number as (century, ten digits, is a samordningsnummer)."""
    born = draw(st.dates(min_value=date(1901, 1, 1), max_value=date.today() - timedelta(days=1)))
    coordination = draw(st.booleans()) if samordning is None else samordning
    day = born.day + (60 if coordination else 0)
    serial = draw(st.integers(0, 999))
    nine = f"{born.year % 100:02d}{born.month:02d}{day:02d}{serial:03d}"
    return f"{born.year // 100:02d}", nine + check_digit(nine), coordination


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, bool]:
    """A valid number, written in one of the spellings, and whether it is samordning."""
    century, digits, coordination = draw(numbers())
    with_century = draw(st.booleans())
    separator = draw(
        st.sampled_from(["", *DASHES, *SPACES])
        | st.builds(lambda s, d: f"{s}{d}{s}", st.sampled_from(SPACES), st.sampled_from(DASHES))
    )
    if not with_century and century == "19" and draw(st.booleans()):
        # "+" says the person is a hundred years old or more: only when that is true
        born_year = 1900 + int(digits[:2])
        if date.today().year - born_year >= 100:
            separator = "+"
    text = (century if with_century else "") + digits[:6] + separator + digits[6:]
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(1, len(chars) - 1))
        chars.insert(position, draw(st.sampled_from(INVISIBLE)))
    return "".join(chars), coordination


@given(
    spellings(),
    st.sampled_from(["Ansökan från ", "", "(", "pnr: "]),
    st.sampled_from(["", " om bygglov", ")", "."]),
)
@settings(max_examples=400, deadline=None)
def test_every_spelling_is_found_and_masked(
    spelled: tuple[str, bool], before: str, after: str
) -> None:
    number, coordination = spelled
    text = before + number + after
    assert is_personnummer(number)
    assert is_samordningsnummer(number) is coordination
    assert find_personnummer(text) == [(len(before), len(before) + len(number))]
    assert mask_personnummer(text) == before + PERSONNUMMER_MASK + after


@given(st.integers(0, 99), st.integers(20, 99), st.integers(0, 99), st.integers(0, 999))
@settings(max_examples=200, deadline=None)
def test_organisation_numbers_are_left_alone(
    group: int, middle: int, day: int, serial: int
) -> None:
    nine = f"{group:02d}{middle:02d}{day:02d}{serial:03d}"
    number = nine[:6] + "-" + nine[6:] + check_digit(nine)
    text = f"Bolaget {number} AB"
    assert not is_personnummer(number)
    assert mask_personnummer(text) == text


@given(numbers())
@settings(max_examples=100, deadline=None)
def test_a_wrong_check_digit_is_no_personnummer(generated: tuple[str, str, bool]) -> None:
    _, digits, _ = generated
    wrong = digits[:9] + str((int(digits[9]) + 1) % 10)
    assert not is_personnummer(wrong[:6] + "-" + wrong[6:])
    assert mask_personnummer(f"nr {wrong}") == f"nr {wrong}"


def test_part_of_a_longer_number_is_not_a_personnummer() -> None:
    # a valid number inside a longer run of digits (an invoice or case id) is left as it is
    assert find_personnummer("ref 1121212121212") == []
    assert find_personnummer("ref 121212121212\u200b3") == []
