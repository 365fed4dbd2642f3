"""Everyday words, English and recognised values: what else a query word may match.

``expand`` turns one word of a query into a ``WordGroup``: the word itself and the other
ways a record may match it, each weighted below the word:

* related terms from ``data/synonyms.toml`` ("soptömning" → "avfallshämtning");
* Swedish for English catalogue words: theme, file-type and licence labels and codes
  from the EU vocabularies (``insyn.vocab.vocabularies``), and the list in
  ``data/english.toml`` ("swimming" → "bad"; terms of several words such as "district
  heating" → "fjärrvärme" are one unit, see ``multiword_terms``);
* the dictionary form of an inflected word ("bygglovet" → "bygglov");
* the parts of a Swedish compound ("trafikolyckor" → "trafik" + "olyckor");
* a filter key the word names: a year ("2024" → ``year_keys``), a file type ("csv" →
  ``format_keys``), a data theme ("miljö" → ``theme_keys``). These only rank: a year or
  format written as a plain word is a wish, not a filter (``år:2024`` filters).

``QUESTION_WORDS`` are words of natural questions ("var kan jag hitta …") that say
nothing about the records; they are dropped when other words remain.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from insyn.search.compounds import base_form, split_compound

__all__ = ["WordGroup", "expand", "is_question_word", "multiword_terms"]

_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class WordGroup:
    """One word of a query and the other ways a record may match it.

    ``alternatives`` are word sequences (all words of one must match) with their weight
    against the word itself; ``keys`` are (keys field, value) pairs of a filter the word
    names, which rank records but never filter them. ``parts`` are the parts of a
    compound word, head last: when a search relaxes, each part also matches by itself,
    below the whole word ("badplatskarta" → "badplats…" records, then "karta" ones).
    """

    word: str
    alternatives: tuple[tuple[tuple[str, ...], float], ...] = ()
    keys: tuple[tuple[str, str], ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def is_value(self) -> bool:
        """True for a year (a value, not a word): it only ranks, never must match."""
        return bool(_YEAR.match(self.word))


# Weights of the other ways a word matches, against the word itself (1.0).
RELATED_WEIGHT = 0.6
ENGLISH_WEIGHT = 0.9
PARTS_WEIGHT = 0.5
BASE_WEIGHT = 0.8


@dataclass(frozen=True)
class _Data:
    question_words: frozenset[str]
    related: dict[tuple[str, ...], tuple[str, ...]]
    english: dict[str, str]
    keys: dict[str, tuple[tuple[str, str], ...]]


@cache
def _data() -> _Data:
    data = resources.files("insyn.search").joinpath("data")
    raw = tomllib.loads(data.joinpath("synonyms.toml").read_text("utf-8"))
    related: dict[tuple[str, ...], tuple[str, ...]] = {}
    for entry in raw.get("related", []):
        words = tuple(w.casefold() for w in entry["words"])
        related[words] = related.get(words, ()) + tuple(entry["terms"])
    english_words = tomllib.loads(data.joinpath("english.toml").read_text("utf-8"))["words"]
    # Multi-word keys are matched on query words joined by one space.
    english = {" ".join(k.casefold().split()): v for k, v in english_words.items()}
    return _Data(
        question_words=frozenset(w.casefold() for w in raw.get("question_words", [])),
        related=related,
        english=english,
        keys=_vocabulary_keys(),
    )


def _vocabulary_keys() -> dict[str, tuple[tuple[str, str], ...]]:
    """Word → filter keys it names: codes and one-word labels (Swedish and English) of
    the EU data themes, file types and licences."""
    from insyn.vocab import vocabularies

    found: dict[str, list[tuple[str, str]]] = {}

    def add(word: str, field: str, code: str) -> None:
        key = word.casefold()
        if len(key) >= 3 and (field, code.casefold()) not in found.get(key, []):
            found.setdefault(key, []).append((field, code.casefold()))

    for name, field in (
        ("data_themes", "theme_keys"),
        ("file_types", "format_keys"),
        ("licences", "licence_keys"),
    ):
        try:
            vocabulary = getattr(vocabularies, name)()
        except Exception:  # the vocabularies are optional for searching
            continue
        for concept in vocabulary:
            if field != "theme_keys" and len(concept.code) <= 8:
                add(concept.code, field, concept.code)
            for lang in ("sv", "en"):
                label = concept.labels.get(lang, "")
                first = re.split(r"[\s,]+", label.strip(), maxsplit=1)[0]
                if field == "theme_keys" and first:
                    add(first, field, concept.code)
    return {k: tuple(v) for k, v in found.items()}


def is_question_word(word: str) -> bool:
    """Tell whether ``word`` only makes a question ("var", "hur", "hittar", "finns")."""
    return word.casefold() in _data().question_words


def multiword_terms(
    words: list[str],
) -> list[tuple[int, int, tuple[tuple[tuple[str, ...], float], ...]]]:
    """Return (start, end, alternatives) for runs of words that together name related
    terms ("lediga jobb" → "rekrytering") or one English term ("district heating" →
    "fjärrvärme"), longest first, not overlapping."""
    data = _data()
    folded = [w.casefold() for w in words]
    out: list[tuple[int, int, tuple[tuple[tuple[str, ...], float], ...]]] = []
    taken: set[int] = set()
    for length in (3, 2):
        for start in range(len(folded) - length + 1):
            span = range(start, start + length)
            key = tuple(folded[start : start + length])
            if not taken.isdisjoint(span):
                continue
            alternatives = [(tuple(t.split()), RELATED_WEIGHT) for t in data.related.get(key, ())]
            swedish = data.english.get(" ".join(key))
            if swedish:
                alternatives += _english(swedish)
            if alternatives:
                out.append((start, start + length, tuple(dict.fromkeys(alternatives))))
                taken.update(span)
    return out


def _english(swedish: str) -> list[tuple[tuple[str, ...], float]]:
    """Return the Swedish term of an English word and the terms related to it."""
    related = _data().related.get(tuple(swedish.casefold().split()), ())
    return [(tuple(swedish.split()), ENGLISH_WEIGHT)] + [
        (tuple(term.split()), RELATED_WEIGHT * ENGLISH_WEIGHT) for term in related
    ]


def expand(word: str) -> WordGroup:
    """Return the word with every other way a record may match it."""
    data = _data()
    key = word.casefold()
    alternatives: list[tuple[tuple[str, ...], float]] = []
    for term in data.related.get((key,), ()):
        alternatives.append((tuple(term.split()), RELATED_WEIGHT))
    swedish = data.english.get(key)
    if swedish and swedish.casefold() != key:
        alternatives += _english(swedish)
    base = base_form(key)
    if base:
        # Engines stem differently; the dictionary's base form makes them agree.
        alternatives.append(((base,), BASE_WEIGHT))
    parts = split_compound(key)
    if parts:
        alternatives.append((parts, PARTS_WEIGHT))
    keys = list(data.keys.get(key, ()))
    if swedish:
        keys += [k for k in data.keys.get(swedish.casefold(), ()) if k not in keys]
    if _YEAR.match(key):
        keys.append(("year_keys", key))
    return WordGroup(word, tuple(dict.fromkeys(alternatives)), tuple(keys), parts)
