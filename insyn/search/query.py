"""The query language people type into the search box, parsed into a small typed AST.

    bygglov "detaljplan för centrum" -vindkraft tema:miljö år:2020..2024 KS 2024/123

* words are free text (``terms``), matched with stemming, compounds and typo tolerance;
* ``"quoted words"`` must appear as a phrase (``phrases``); an unclosed quote runs to
  the end of the query;
* ``-word`` and ``-"a phrase"`` exclude records (``excluded``), ``-tema:x`` excludes a
  field value;
* ``field:value`` (or ``field:"a value"``) filters, with Swedish and English names:
  ``utgivare:``/``publisher:``, ``ägare:``/``owner:``, ``tema:``/``theme:``,
  ``format:``, ``typ:``/``kind:``, ``år:``/``year:`` (``2024``, ``2020..2024``,
  ``2020-2024``, ``>=2020``, ``<2024``), ``diarienummer:``/``dnr:``;
* a diarienummer written in the text in any common form ("KS 2024/123", "KS.2024.0123",
  "BN-2024-123", "2024/00123") is matched exactly on its canonical form
  (``diarienummer``); a series and year ending in a separator ("KS 2024/") lists that
  series (``diarienummer_prefixes``);
* a personnummer in any spelling ("19121212-1212", "121212 1212", "191212121212") is the
  word of its ten digits, as the staff index keeps the numbers of a record.

Parsing never fails: text that is no filter is free text. Unknown ``name:value`` pairs
stay words, so URLs and times can be searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from insyn.vocab.diarienummer import (
    find_diarienummer,
    normalise_diarienummer,
    normalise_diarienummer_prefix,
)
from insyn.vocab.personal_data import find_personnummer, personnummer_keys

__all__ = [
    "FIELD_ALIASES",
    "KIND_ALIASES",
    "SWEDISH_STOPWORDS",
    "FieldFilter",
    "SearchQuery",
    "parse_query",
    "year_range",
]

FIELD_ALIASES: dict[str, str] = {
    "utgivare": "publisher",
    "publisher": "publisher",
    "ägare": "owner",
    "agare": "owner",
    "informationsägare": "owner",
    "owner": "owner",
    "tema": "theme",
    "theme": "theme",
    "format": "format",
    "filformat": "format",
    "typ": "kind",
    "type": "kind",
    "kind": "kind",
    "år": "year",
    "ar": "year",
    "year": "year",
    "diarienummer": "diarienummer",
    "diarienr": "diarienummer",
    "dnr": "diarienummer",
}

KIND_ALIASES: dict[str, str] = {
    "dataset": "dataset",
    "datamängd": "dataset",
    "datamängder": "dataset",
    "data": "dataset",
    "dataservice": "dataservice",
    "datatjänst": "dataservice",
    "datatjänster": "dataservice",
    "tjänst": "dataservice",
    "api": "dataservice",
    "case": "case",
    "ärende": "case",
    "ärenden": "case",
    "arende": "case",
    "document": "document",
    "dokument": "document",
    "handling": "document",
    "handlingar": "document",
}

# Words too common to demand: they still rank, but a record need not contain them.
SWEDISH_STOPWORDS: frozenset[str] = frozenset(
    [
        "alla",
        "allt",
        "att",
        "av",
        "blev",
        "bli",
        "blir",
        "de",
        "dem",
        "den",
        "denna",
        "deras",
        "dess",
        "dessa",
        "det",
        "detta",
        "dig",
        "din",
        "dina",
        "ditt",
        "du",
        "där",
        "då",
        "efter",
        "ej",
        "eller",
        "en",
        "er",
        "era",
        "ert",
        "ett",
        "från",
        "för",
        "ha",
        "hade",
        "han",
        "hans",
        "har",
        "henne",
        "hennes",
        "hon",
        "honom",
        "hur",
        "här",
        "i",
        "icke",
        "ingen",
        "inom",
        "inte",
        "jag",
        "ju",
        "kan",
        "kunde",
        "man",
        "med",
        "mellan",
        "men",
        "mig",
        "min",
        "mina",
        "mitt",
        "mot",
        "mycket",
        "ni",
        "nu",
        "när",
        "någon",
        "något",
        "några",
        "och",
        "om",
        "oss",
        "på",
        "samma",
        "sedan",
        "sig",
        "sin",
        "sina",
        "sitta",
        "själv",
        "skulle",
        "som",
        "så",
        "sådan",
        "sådana",
        "sådant",
        "till",
        "under",
        "upp",
        "ut",
        "utan",
        "vad",
        "var",
        "vara",
        "varför",
        "varit",
        "varje",
        "vars",
        "vart",
        "vem",
        "vi",
        "vid",
        "vilka",
        "vilken",
        "vilket",
        "vår",
        "våra",
        "vårt",
        "än",
        "är",
        "åt",
        "över",
    ]
)

_FIELD = re.compile(r"(?P<name>[^\W\d_][\w]*):(?=\S)", re.UNICODE)
_YEAR_RANGE = re.compile(r"^(?P<low>\d{4})?\s*(?:\.\.|-|–)\s*(?P<high>\d{4})?$")
_YEAR_COMPARE = re.compile(r"^(?P<op>>=|<=|>|<)\s*(?P<year>\d{4})$")
# Characters that carry no meaning on their own in free text.
_NOISE = re.compile(r"^[\W_]+$", re.UNICODE)


@dataclass(frozen=True)
class FieldFilter:
    """``field:value`` in the query: ``field`` is the canonical name (see FIELD_ALIASES).

    ``value`` is as typed, except that kinds are canonical ("dataset") and diarienummer are
    in canonical form. ``prefix`` marks a diarienummer prefix ("KS 2024/").
    """

    field: str
    value: str
    negated: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query. Empty tuples mean "no constraint of that kind"."""

    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # excluded words and phrases (phrases contain spaces)
    filters: tuple[FieldFilter, ...] = ()
    diarienummer: tuple[str, ...] = ()  # canonical numbers, any one matches exactly
    diarienummer_prefixes: tuple[str, ...] = ()  # canonical prefixes ("KS 2024/")
    text: str = field(default="", compare=False)  # the query as typed

    @property
    def is_empty(self) -> bool:
        """True when the query asks for nothing but may still filter (lists everything)."""
        return not (self.terms or self.phrases or self.diarienummer or self.diarienummer_prefixes)

    @property
    def has_text(self) -> bool:
        """True when there is free text or a phrase to rank by."""
        return bool(self.terms or self.phrases)

    def filters_for(self, name: str, *, negated: bool = False) -> list[FieldFilter]:
        """Return the filters on field ``name`` (the negated ones if ``negated``)."""
        return [f for f in self.filters if f.field == name and f.negated == negated]


def year_range(value: str) -> tuple[int | None, int | None] | None:
    """Return the inclusive (low, high) years that an ``år:`` value means, or None.

    "2024" → (2024, 2024); "2020..2024" and "2020-2024" → (2020, 2024); "2020.." →
    (2020, None); ">=2020" → (2020, None); "<2024" → (None, 2023).
    """
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text), int(text)
    match = _YEAR_RANGE.match(text)
    if match and (match.group("low") or match.group("high")):
        low = int(match.group("low")) if match.group("low") else None
        high = int(match.group("high")) if match.group("high") else None
        if low is not None and high is not None and low > high:
            low, high = high, low
        return low, high
    match = _YEAR_COMPARE.match(text)
    if match:
        year = int(match.group("year"))
        return {
            ">=": (year, None),
            ">": (year + 1, None),
            "<=": (None, year),
            "<": (None, year - 1),
        }[match.group("op")]
    return None


class _Builder:
    def __init__(self) -> None:
        self.terms: list[str] = []
        self.phrases: list[str] = []
        self.excluded: list[str] = []
        self.filters: list[FieldFilter] = []
        self.diarienummer: list[str] = []
        self.prefixes: list[str] = []

    def text(self, word: str, negated: bool) -> None:
        """Add free text: a word, or several if the word held a diarienummer."""
        words = _split_words(word)
        for item in words:
            (self.excluded if negated else self.terms).append(item)

    def phrase(self, text: str, negated: bool) -> None:
        words = " ".join(text.split())
        if not words or _NOISE.match(words):
            return
        if negated:
            self.excluded.append(words)
        elif " " in words:
            self.phrases.append(words)
        else:
            self.terms.append(words)

    def number(self, canonical: str, *, prefix: bool, negated: bool) -> None:
        if negated:
            self.filters.append(FieldFilter("diarienummer", canonical, True, prefix))
        else:
            (self.prefixes if prefix else self.diarienummer).append(canonical)

    def build(self, text: str) -> SearchQuery:
        return SearchQuery(
            terms=tuple(_dedupe(self.terms)),
            phrases=tuple(_dedupe(self.phrases)),
            excluded=tuple(_dedupe(self.excluded)),
            filters=tuple(dict.fromkeys(self.filters)),
            diarienummer=tuple(_dedupe(self.diarienummer)),
            diarienummer_prefixes=tuple(_dedupe(self.prefixes)),
            text=text,
        )


def _dedupe(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _split_words(word: str) -> list[str]:
    """Strip punctuation that only wraps a word ("(bygglov)," → "bygglov")."""
    stripped = word.strip(".,;:!?()[]{}<>«»'\"`´")
    if not stripped or _NOISE.match(stripped):
        return []
    return [stripped]


def parse_query(text: str) -> SearchQuery:
    """Parse what a person typed into a ``SearchQuery``. Never raises."""
    text = text or ""
    builder = _Builder()
    pos = 0
    length = len(text)
    while pos < length:
        if text[pos].isspace():
            pos += 1
            continue
        negated = False
        if text[pos] in "-−" and pos + 1 < length and not text[pos + 1].isspace():
            negated = True
            pos += 1
        if text[pos] == '"':
            end = text.find('"', pos + 1)
            end = length if end < 0 else end
            builder.phrase(text[pos + 1 : end], negated)
            pos = end + 1
            continue
        field_match = _FIELD.match(text, pos)
        if field_match and field_match.group("name").casefold() in FIELD_ALIASES:
            name = FIELD_ALIASES[field_match.group("name").casefold()]
            consumed = _field(builder, name, text, field_match.end(), negated)
            if consumed is not None:
                pos = consumed
                continue
        personnummer = _personnummer_at(text, pos)
        if personnummer is not None:
            end, key = personnummer
            builder.text(key, negated)
            pos = end
            continue
        found = _diarienummer_at(text, pos)
        if found is not None:
            end, canonical, is_prefix = found
            builder.number(canonical, prefix=is_prefix, negated=negated)
            pos = end
            continue
        end = pos
        while end < length and not text[end].isspace():
            end += 1
        builder.text(text[pos:end], negated)
        pos = end
    return builder.build(text)


def _personnummer_at(text: str, pos: int) -> tuple[int, str] | None:
    """Return (end, key) if a personnummer in any spelling starts at ``pos`` and ends a word.

    It is searched as its ten-digit key (``personnummer_keys``), which the staff index
    holds for the numbers in a record (documents.py); the public index has none.
    """
    window = text[pos : pos + 40]
    spans = find_personnummer(window)
    if not spans or spans[0][0] != 0:
        return None
    end = spans[0][1]
    if end < len(window) and not (window[end].isspace() or window[end] in ".,;:!?)"):
        return None
    return pos + end, personnummer_keys([window[:end]])[0]


def _diarienummer_at(text: str, pos: int) -> tuple[int, str, bool] | None:
    """Return (end, canonical, is_prefix) if a diarienummer starts at ``pos``.

    A complete number followed by "*" ("KS 2024/12*") is a prefix.
    """
    for match in find_diarienummer(text[pos : pos + 60]):
        if match.start != 0:
            return None
        end = pos + match.end
        if match.value is not None:
            if text.startswith("*", end):
                return end + 1, str(match.value), True
            return end, str(match.value), False
        if match.prefix is not None:
            return end, match.prefix, True
    return None


def _value_at(text: str, pos: int) -> tuple[str, int]:
    """Return the value after ``field:``: a quoted string or the next word."""
    if pos < len(text) and text[pos] == '"':
        end = text.find('"', pos + 1)
        end = len(text) if end < 0 else end
        return text[pos + 1 : end], end + 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], end


def _field(builder: _Builder, name: str, text: str, pos: int, negated: bool) -> int | None:
    """Add the filter ``name`` whose value starts at ``pos``; return where it ends.

    Returns None if the value means nothing for that field, so that the whole
    ``name:value`` is read as free text instead.
    """
    if name == "diarienummer":
        return _diarienummer_field(builder, text, pos, negated)
    value, end = _value_at(text, pos)
    value = " ".join(value.split())
    if not value:
        return None
    if name == "kind":
        kind = KIND_ALIASES.get(value.casefold())
        if kind is None:
            return None
        value = kind
    elif name == "year" and year_range(value) is None:
        return None
    builder.filters.append(FieldFilter(name, value, negated))
    return end


def _diarienummer_field(builder: _Builder, text: str, pos: int, negated: bool) -> int | None:
    if pos < len(text) and text[pos] == '"':
        value, end = _value_at(text, pos)
    else:
        # The value may hold spaces ("dnr:KS 2024/123"): take the longest diarienummer.
        found = _diarienummer_at(text, pos)
        if found is not None:
            end, canonical, is_prefix = found
            builder.number(canonical, prefix=is_prefix, negated=negated)
            return end
        # Or a series and year without separator ("dnr:KS 2024" lists KS 2024/…).
        two_words = re.match(r"\S+\s+\S+", text[pos:])
        if two_words:
            prefix = normalise_diarienummer_prefix(two_words.group())
            if prefix and prefix[-1] == "/":
                builder.number(prefix, prefix=True, negated=negated)
                return pos + two_words.end()
        value, end = _value_at(text, pos)
    value = " ".join(value.split())
    wildcard = value.endswith("*")
    value = value.rstrip("*").strip()
    if not value:
        return None
    canonical = normalise_diarienummer(value)
    if canonical and not wildcard:
        builder.number(canonical, prefix=False, negated=negated)
        return end
    prefix = canonical or normalise_diarienummer_prefix(value)
    if prefix:
        builder.number(prefix, prefix=True, negated=negated)
        return end
    # A number in a form we do not know: matched as written, case-insensitively.
    builder.number(value.casefold(), prefix=wildcard, negated=negated)
    return end
