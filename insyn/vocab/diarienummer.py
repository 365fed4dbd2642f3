"""Swedish diarienummer (registration numbers): recognise the written forms, normalise them.

Registries write one number many ways: "KS 2024/123", "KS 2024/00123", "KS.2024.123",
"KS.2024.0123", "BN-2024-123", "ks2024/123", "Dnr KS 2024/123", or without a series
"2024/123". All of them name one case, and this module gives it one canonical form:

    <SERIES> <YEAR>/<NUMBER>      "KS 2024/123"  (series upper-case, number without zeros)
    <YEAR>/<NUMBER>               "2024/123"     (registries without series letters)
    ... -<DOCUMENT>               "KS 2024/123-4" (a document within the case, when given)

The connectors store the canonical form in ``Case.diarienummer_normalised``; the search
index matches on it, so every written form finds the same records. This module imports
nothing of ours: connectors and search both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Diarienummer",
    "DiarienummerMatch",
    "find_diarienummer",
    "normalise_diarienummer",
    "normalise_diarienummer_prefix",
    "parse_diarienummer",
]

_LETTERS = "A-Za-zÅÄÖåäöÆØæøÜüÉé"
# "Dnr", "Dnr:", "dnr.", "Diarienr", "Diarienummer:" written before the number.
_LEAD = r"(?:(?:dnr|diarienr|diarienummer|diarie-nr)\.?\s*:?\s*)?"
_SERIES = rf"(?P<series>[{_LETTERS}]{{1,8}})"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_NUMBER = r"(?P<number>\d{1,7})"
_DOCUMENT = r"(?:[-:](?P<document>\d{1,5}))?"
# Series then year: "KS 2024", "KS.2024", "KS-2024", "KS/2024", "KS2024".
_SERIES_YEAR = rf"{_SERIES}(?:\s+|\s*[./-]\s*|(?=\d)){_YEAR}"

# A whole number, with or without a series. Without a series only "/" separates year and
# number: "2024-123" or "2024.123" are as likely a date, a sum or a version as a case.
_WITH_SERIES = re.compile(
    rf"{_LEAD}{_SERIES_YEAR}\s*(?P<sep>[/.:-])\s*{_NUMBER}{_DOCUMENT}", re.IGNORECASE
)
_WITHOUT_SERIES = re.compile(rf"{_LEAD}{_YEAR}\s*/\s*{_NUMBER}{_DOCUMENT}", re.IGNORECASE)
# A prefix: "KS 2024/", "KS.2024.", "KS-2024-", "KS 2024", "KS", "2024/".
_PREFIX_SERIES = re.compile(
    rf"{_LEAD}{_SERIES}(?:(?:\s+|\s*[./-]\s*|(?=\d)){_YEAR}(?:\s*[/.:-])?)?", re.IGNORECASE
)
_PREFIX_YEAR = re.compile(rf"{_LEAD}{_YEAR}\s*/", re.IGNORECASE)
_END = re.compile(rf"(?![\w{_LETTERS}]|[/.:-]\d)")
_WORD_START = re.compile(rf"(?<![\w{_LETTERS}])")
# In running text a lower-case word longer than this is taken for a word, not a series:
# "ks 2024/12" is a number, "beslut 2024/12" is the word "beslut" and the number "2024/12".
_MAX_LOWERCASE_SERIES = 4


@dataclass(frozen=True)
class Diarienummer:
    """A parsed diarienummer; ``str()`` gives the canonical form."""

    series: str | None
    year: int
    number: int
    document: int | None = None

    def __str__(self) -> str:
        text = f"{self.year}/{self.number}"
        if self.series:
            text = f"{self.series} {text}"
        if self.document is not None:
            text = f"{text}-{self.document}"
        return text

    @property
    def case(self) -> Diarienummer:
        """Return the case's number (this one without its document part)."""
        return Diarienummer(self.series, self.year, self.number)

    @property
    def without_series(self) -> str:
        """Return the canonical form without the series: "2024/123" (or "2024/123-4")."""
        return str(Diarienummer(None, self.year, self.number, self.document))


@dataclass(frozen=True)
class DiarienummerMatch:
    """A diarienummer found in running text: where it is and what it says."""

    start: int
    end: int
    value: Diarienummer | None  # None for a prefix such as "KS 2024/"
    prefix: str | None = None  # the canonical prefix, for prefix matches


def _build(match: re.Match[str]) -> Diarienummer:
    groups = match.groupdict()
    series = groups.get("series")
    document = groups.get("document")
    return Diarienummer(
        series=series.upper() if series else None,
        year=int(groups["year"]),
        number=int(groups["number"]),
        document=int(document) if document else None,
    )


def parse_diarienummer(text: str) -> Diarienummer | None:
    """Return the diarienummer that ``text`` is in full, or None if it is not one.

    Surrounding white space and a leading "Dnr"/"Diarienummer:" are allowed; anything
    else around the number makes it not one.
    """
    value = " ".join(text.split())
    for pattern in (_WITH_SERIES, _WITHOUT_SERIES):
        match = pattern.fullmatch(value)
        if match and not _is_lead_word(match):
            return _build(match)
    return None


def normalise_diarienummer(text: str) -> str | None:
    """Return the canonical form of the diarienummer ``text`` ("KS 2024/123"), or None.

    >>> normalise_diarienummer("ks.2024.00123")
    'KS 2024/123'
    """
    parsed = parse_diarienummer(text)
    return str(parsed) if parsed else None


def normalise_diarienummer_prefix(text: str) -> str | None:
    """Return the canonical prefix that ``text`` starts a diarienummer with, or None.

    "KS 2024/", "KS.2024." and "KS-2024" give "KS 2024/"; "KS" gives "KS " (the series);
    "2024/" gives "2024/". A complete number is not a prefix: use
    ``normalise_diarienummer`` for it.
    """
    value = " ".join(text.split())
    if parse_diarienummer(value):
        return None
    match = _PREFIX_YEAR.fullmatch(value)
    if match:
        return f"{match.group('year')}/"
    match = _PREFIX_SERIES.fullmatch(value)
    if not match or _is_lead_word(match):
        return None
    series = match.group("series").upper()
    year = match.group("year")
    return f"{series} {year}/" if year else f"{series} "


def _is_lead_word(match: re.Match[str]) -> bool:
    """Tell whether the "series" is really "Dnr" or "Diarienummer" written before a number."""
    series = match.groupdict().get("series")
    return bool(series) and series.casefold() in {"dnr", "diarienr", "diarienummer"}


def _plausible_series(series: str) -> bool:
    return series.isupper() or len(series) <= _MAX_LOWERCASE_SERIES


def find_diarienummer(text: str) -> list[DiarienummerMatch]:
    """Return the diarienummer and diarienummer prefixes written in running text.

    A complete number ("KS 2024/123", "2024/00123") gives its value; a series and year
    followed by a separator and nothing more ("KS 2024/") gives a prefix. In running text a
    series must be upper-case or at most four letters, so that a word before a number is
    not taken for a series. Matches do not overlap and are in text order.
    """
    found: list[DiarienummerMatch] = []
    position = 0
    while position < len(text):
        match = _match_at(text, position)
        if match is None:
            position += 1
            continue
        found.append(match)
        position = match.end
    return found


def _match_at(text: str, position: int) -> DiarienummerMatch | None:
    if not _WORD_START.match(text, position):
        return None
    for pattern in (_WITH_SERIES, _WITHOUT_SERIES):
        match = pattern.match(text, position)
        if not match or not _END.match(text, match.end()) or _is_lead_word(match):
            continue
        series = match.groupdict().get("series")
        if series and not _plausible_series(series):
            continue
        return DiarienummerMatch(match.start(), match.end(), _build(match))
    match = _PREFIX_SERIES.match(text, position)
    if (
        match
        and match.group("year")
        and text[match.end() - 1] in "/.:-"
        and (match.end() == len(text) or text[match.end()].isspace())
        and not _is_lead_word(match)
        and _plausible_series(match.group("series"))
    ):
        prefix = f"{match.group('series').upper()} {match.group('year')}/"
        return DiarienummerMatch(match.start(), match.end(), None, prefix)
    return None
