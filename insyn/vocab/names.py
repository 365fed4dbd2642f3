"""Names of people who are no party: "Förnamn Efternamn" from SCB's name statistics.

A case or document title may name a private person the source never gave as a party
("Klagomål från Anna Andersson på grannens staket"). ``mask_listed_names`` masks such a
pair in public text when both halves are on SCB's lists (bundled in ``data/names``, see
its NOTICE: the 100 commonest tilltalsnamn of men and of women and the 100 commonest
surnames, 2021, CC BY 4.0):

- the first name is on the list, written as a name (capital first letter, the rest as
  listed): "Anna", "Ann-Christin"; two listed first names in a row count as one
  ("Anna Maria Berg");
- the next word is a listed surname, written as a name, perhaps in the genitive
  ("Anderssons", "Berg:s"), and a second listed surname is taken along ("Annika
  Samuelsson Björk", "Eva Lind-Berg"). A word merely shaped like a surname (-sson, -berg) is not
  enough: the lists are what is trusted, so the masking stays predictable;
- care for common words: a first name that is also a Swedish word ("Björn", "Bo", "Per",
  "Max", "Klara", "Saga" …, ``WORDLIKE_FIRST``) followed by a surname that is a word too
  ("Berg", "Lund", "Holm", "Ek", "Ström" …, ``WORDLIKE_SURNAMES``) is masked only where a
  word could not start a sentence: not at the start of the text or after ". ", "! ",
  "? ", ": ", "– ". Both capitalised mid-sentence is a name; at a sentence start the
  first word is capitalised anyway.

What it cannot do: a name off the lists (most Swedes have one: the lists hold the
commonest names only), a surname alone, or a name in capitals throughout. What it masks
that it should not: a public official, a street, school or prize named after a person
("Anna Lindh" is not listed; "Karl Johansson" would be). The README gives the figures
measured on the corpus.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

__all__ = [
    "NAME_MASK",
    "WORDLIKE_FIRST",
    "WORDLIKE_SURNAMES",
    "first_names",
    "listed_name_spans",
    "mask_listed_names",
    "surnames",
]

NAME_MASK = "[namn]"  # what a masked name becomes (insyn.vocab.masking uses it too)

# Listed names that are also everyday Swedish words (or English ones common in titles).
WORDLIKE_FIRST = frozenset(
    {"Bo", "Björn", "Per", "Max", "Stig", "Kent", "John", "Ali", "Leo", "Klara", "Saga"}
    | {"Siv", "Gun", "Britt", "Moa", "Ella", "Alva", "Lisa", "Maja", "Ida", "Linn", "Mona"}
)
WORDLIKE_SURNAMES = frozenset(
    {"Berg", "Lind", "Lund", "Holm", "Ek", "Blom", "Falk", "Ström", "Björk", "Ali"}
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\u2013\u2014-]\s*|\n)\s*$")


def _column(name: str) -> list[str]:
    text = resources.files("insyn.vocab").joinpath("data", "names", name).read_text("utf-8")
    return [row[0].strip() for row in csv.reader(text.splitlines()[1:]) if row and row[0].strip()]


@cache
def first_names() -> frozenset[str]:
    """SCB's 100 commonest tilltalsnamn of men and of women (2021)."""
    return frozenset(_column("tilltalsnamn.csv"))


@cache
def surnames() -> frozenset[str]:
    """SCB's 100 commonest surnames (2021)."""
    return frozenset(_column("efternamn.csv"))


def _alternatives(names: frozenset[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))


@cache
def _pair() -> re.Pattern[str]:
    first = _alternatives(first_names())
    last = _alternatives(surnames())
    # Case-sensitive on purpose: "Anna Andersson" is a name, "per berg" is not.
    return re.compile(
        rf"(?<![\w-])(?P<first>(?:{first})(?:[ -](?:{first}))?)\s+(?P<last>{last})"
        rf"(?:[ -](?:{last}))?(?:s|:s|['\u2019]s?)?(?![\w-])"
    )


@cache
def _first_words() -> tuple[re.Pattern[str], frozenset[str]]:
    """A quick test before ``_pair``: the words that start with a first name's initial, and
    what such a word is where a listed first name starts (up to a hyphen: "Ann-Marie")."""
    initials = "".join(sorted({name[0] for name in first_names()}))
    heads = frozenset(re.split(r"\W", name)[0] for name in first_names())
    return re.compile(rf"\b[{re.escape(initials)}]\w*"), heads


def _is_name(text: str, match: re.Match[str]) -> bool:
    first = match.group("first").split()[-1].split("-")[-1]
    if first not in WORDLIKE_FIRST or match.group("last") not in WORDLIKE_SURNAMES:
        return True
    return not _SENTENCE_START.search(text[: match.start()])


def listed_name_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds a listed "Förnamn Efternamn" pair (see the module)."""
    if not text:
        return []
    # A pair starts where a word starts, and its first name ends that word or a hyphen
    # does: without such a word in the text, the long pattern cannot match.
    words, heads = _first_words()
    if heads.isdisjoint(words.findall(text)):
        return []
    return [m.span() for m in _pair().finditer(text) if _is_name(text, m)]


def mask_listed_names(text: str) -> str:
    """``text`` with every listed "Förnamn Efternamn" pair as "[namn]"."""
    for start, end in reversed(listed_name_spans(text)):
        text = text[:start] + NAME_MASK + text[end:]
    return text
