"""The diarienummer normaliser: every written form gives one canonical form."""

from __future__ import annotations

import pytest

from insyn.vocab.diarienummer import (
    Diarienummer,
    find_diarienummer,
    normalise_diarienummer,
    normalise_diarienummer_prefix,
    parse_diarienummer,
)


@pytest.mark.parametrize(
    "text",
    [
        "KS 2024/123",
        "KS 2024/00123",
        "KS.2024.123",
        "KS.2024.0123",
        "KS-2024-123",
        "KS/2024/123",
        "KS2024/123",
        "ks 2024/123",
        "Ks 2024 / 0123",
        "  KS   2024/123 ",
        "Dnr KS 2024/123",
        "dnr: KS 2024/123",
        "Diarienummer: KS.2024.00123",
        "KS 2024:123",
    ],
)
def test_written_forms_normalise_to_one(text: str) -> None:
    assert normalise_diarienummer(text) == "KS 2024/123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BN-2024-123", "BN 2024/123"),
        ("bn-2024-0001", "BN 2024/1"),
        ("2024/123", "2024/123"),
        ("2024/00123", "2024/123"),
        ("Dnr 2024/7", "2024/7"),
        ("MÖN 2023/45", "MÖN 2023/45"),
        ("mön.2023.045", "MÖN 2023/45"),
        ("SBN 1998/12", "SBN 1998/12"),
        ("KS 2024/123-4", "KS 2024/123-4"),
        ("KS 2024/123:04", "KS 2024/123-4"),
        ("KS 2024/0", "KS 2024/0"),
    ],
)
def test_canonical_forms(text: str, expected: str) -> None:
    assert normalise_diarienummer(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bygglov",
        "KS",
        "KS 2024",
        "KS 2024/",
        "2024-123",  # a date-like or arithmetic string without series is not a number
        "2024.123",
        "KS 1850/12",  # no registry numbers before 1900
        "KS 24/123",  # two-digit years are ambiguous
        "KS 2024/123 bygglov",
        "Dnr",
        "2024/12345678",
    ],
)
def test_not_a_diarienummer(text: str) -> None:
    assert normalise_diarienummer(text) is None


def test_parse_gives_parts() -> None:
    parsed = parse_diarienummer("ks.2024.0123-2")
    assert parsed == Diarienummer("KS", 2024, 123, 2)
    assert str(parsed.case) == "KS 2024/123"
    assert parsed.without_series == "2024/123-2"


def test_canonical_form_is_a_fixed_point() -> None:
    for text in ("KS 2024/123", "2024/1", "BN 2020/99-3"):
        assert normalise_diarienummer(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KS 2024/", "KS 2024/"),
        ("ks.2024.", "KS 2024/"),
        ("BN-2024-", "BN 2024/"),
        ("KS 2024", "KS 2024/"),
        ("KS", "KS "),
        ("ks", "KS "),
        ("2024/", "2024/"),
        ("KS 2024/123", None),
        ("", None),
        ("Dnr", None),
        ("2024", None),
    ],
)
def test_prefixes(text: str, expected: str | None) -> None:
    assert normalise_diarienummer_prefix(text) == expected


def _found(text: str) -> list[str]:
    return [str(m.value) if m.value else f"prefix:{m.prefix}" for m in find_diarienummer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bygglov KS 2024/123", ["KS 2024/123"]),
        ("ks 2024/00123 och BN-2023-7", ["KS 2024/123", "BN 2023/7"]),
        ("beslut 2024/12", ["2024/12"]),  # a long lower-case word is not a series
        ("Beslut 2024/12", ["2024/12"]),
        ("BESLUT 2024/12", ["BESLUT 2024/12"]),  # upper-case is a series
        ("se dnr KS.2024.123.", ["KS 2024/123"]),
        ("lista KS 2024/ tack", ["prefix:KS 2024/"]),
        ("KS.2024.", ["prefix:KS 2024/"]),
        ("budget 2024 och 2025", []),
        ("2024-05-01", []),
        ("version 2024.1", []),
        ("KS 2024/1234567890", []),
        ("x/2024/12", ["X 2024/12"]),
        ("AKS2024/5", ["AKS 2024/5"]),
    ],
)
def test_find_in_running_text(text: str, expected: list[str]) -> None:
    assert _found(text) == expected


def test_find_reports_spans() -> None:
    text = "ärende KS 2024/123 om bygglov"
    (match,) = find_diarienummer(text)
    assert text[match.start : match.end] == "KS 2024/123"
