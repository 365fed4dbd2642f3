"""Swedish compound words split with a real dictionary (Hunspell ``sv_SE``).

"badvattenkvalitet" is "bad" + "vatten" + "kvalitet": a person searching for
"vattenkvalitet" or "kvalitet" wants it. The index therefore holds, beside each Swedish
text, the parts and heads of its compounds (``compound_parts``), and a query word that is
a compound can also match by its parts.

The dictionary is Göran Andersson's Swedish Hunspell dictionary (LGPL-3.0), installed by
the PyPI package ``hunspell-sv`` (pinned in pyproject.toml) under ``<prefix>/share/hunspell``;
Debian's ``hunspell-sv-se`` in ``/usr/share/hunspell`` is used if that is missing. Only what
splitting needs is read, without a spell-checker library: stems flagged as compound begin,
middle and end (the affix file's ``COMPOUNDBEGIN``/``MIDDLE``/``END`` flags), the linking
forms its suffix rules make for compounds ("bygglov" → "bygglovs"), the joining forms it
lists as entries ending in a hyphen ("gatu-", for "gatu- och parkträd": "gata" → "gatu"),
and the suffix rules, to know an inflected head ("platser" is "plats"). Without a
dictionary, nothing is split (and ``dictionary_path`` is None).
"""

from __future__ import annotations

import re
import sys
import sysconfig
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path

__all__ = ["base_form", "compound_parts", "dictionary_path", "split_compound"]

_NAME = "sv_SE"
# A part shorter than this is no word of its own here ("a", "in"): too many false splits.
MIN_PART = 3
# Words shorter than this are not split (the shortest compound of two parts).
MIN_WORD = 2 * MIN_PART
MAX_PARTS = 4  # the dictionary's COMPOUNDWORDMAX
# A head found inside a part ("vattenkvalitet" in "dricksvatten|kvalitet") is at least this
# long, and a noun: "kommunfullmäktige" must not give "mäktige".
MIN_INNER_HEAD = 5
_LETTERS = re.compile(r"^[a-zåäöéü]+$")


def dictionary_path() -> Path | None:
    """Return the ``sv_SE.dic`` in use: the hunspell-sv package's, else Debian's, else None."""
    for base in (
        Path(sysconfig.get_path("data")) / "share" / "hunspell",
        Path(sys.prefix) / "share" / "hunspell",
        Path("/usr/share/hunspell"),
    ):
        if (base / f"{_NAME}.dic").is_file() and (base / f"{_NAME}.aff").is_file():
            return base / f"{_NAME}.dic"
    return None


@dataclass
class _Suffix:
    strip: str
    add: str
    condition: re.Pattern[str]
    flags: str


@dataclass
class _Dictionary:
    begin: dict[str, str] = field(default_factory=dict)  # form → stem, may start a compound
    middle: dict[str, str] = field(default_factory=dict)  # form → stem, may stand inside one
    # Joining forms listed as "gatu-": tried only when the flags give no reading.
    joined: dict[str, str] = field(default_factory=dict)  # form → stem
    end: dict[str, str] = field(default_factory=dict)  # stem → its flags, may end one
    suffixes: dict[str, list[tuple[str, _Suffix]]] = field(default_factory=dict)  # by add
    # Flags of adjective stems: their rules make a superlative ("mäktig" → "mäktigast").
    adjective: set[str] = field(default_factory=set)

    def is_noun_head(self, word: str) -> bool:
        """Tell whether ``word`` may end a compound and its stem is no adjective."""
        stem = self.head_stem(word)
        return stem is not None and self.adjective.isdisjoint(self.end[stem])

    def head_stem(self, word: str) -> str | None:
        """Return the stem of ``word`` if it may end a compound (inflected or not)."""
        if word in self.end:
            return word
        for length in range(min(len(word) - 1, 6), 0, -1):
            for flag, rule in self.suffixes.get(word[-length:], ()):
                stem = word[:-length] + rule.strip
                flags = self.end.get(stem)
                if flags is not None and flag in flags and rule.condition.search(stem):
                    return stem
        return None


def _condition(text: str) -> re.Pattern[str]:
    return re.compile("" if text == "." else f"{text}$")


@cache
def _dictionary() -> _Dictionary | None:
    path = dictionary_path()
    if path is None:
        return None
    compound_flags: dict[str, str] = {}
    rules: dict[str, list[_Suffix]] = {}
    with open(path.with_suffix(".aff"), encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) == 2 and fields[0].startswith("COMPOUND"):
                compound_flags[fields[0]] = fields[1]
            if len(fields) >= 5 and fields[0] == "SFX":
                add, _, flags = fields[3].partition("/")
                rules.setdefault(fields[1], []).append(
                    _Suffix(
                        "" if fields[2] == "0" else fields[2],
                        "" if add == "0" else add,
                        _condition(fields[4]),
                        flags,
                    )
                )
    begin = compound_flags.get("COMPOUNDBEGIN", "X")
    middle = compound_flags.get("COMPOUNDMIDDLE", "U")
    end = compound_flags.get("COMPOUNDEND", "Y")
    flags_of = {begin, middle, end}
    found = _Dictionary()
    linking: dict[str, list[_Suffix]] = {}
    for flag, suffixes in rules.items():
        for rule in suffixes:
            if rule.add:
                found.suffixes.setdefault(rule.add, []).append((flag, rule))
            if rule.add in ("ast", "aste"):
                found.adjective.add(flag)
            # Linking forms: suffix rules whose result may begin or sit in a compound.
            if begin in rule.flags or middle in rule.flags:
                linking.setdefault(flag, []).append(rule)
    kinds = set(flags_of) | set(linking)
    with open(path, encoding="utf-8") as handle:
        joining = {
            line[:-2]
            for line in handle
            if line.endswith("-\n") and len(line) > MIN_PART + 1 and _LETTERS.match(line[:-2])
        }
    # The words a joining form may stand for ("gatu" → "gata"), found in the main pass.
    wanted = {c for form in joining for c in (form[:-1] + "a", form[:-1], form + "a")}
    plain: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        next(handle, None)  # the word count
        for line in handle:
            stem, _, flags = line.rstrip("\n").partition("/")
            if stem in wanted:
                plain.add(stem)
            if len(stem) < MIN_PART or not stem.isalpha() or not stem.islower():
                continue  # names (capitals), abbreviations, phrases
            if kinds.isdisjoint(flags):
                continue
            if end in flags:
                found.end[stem] = flags
            if begin in flags:
                found.begin.setdefault(stem, stem)
            if middle in flags:
                found.middle.setdefault(stem, stem)
            for flag in flags:
                for rule in linking.get(flag, ()):
                    if not stem.endswith(rule.strip) or not rule.condition.search(stem):
                        continue
                    form = stem[: len(stem) - len(rule.strip)] + rule.add
                    if begin in rule.flags:
                        found.begin.setdefault(form, stem)
                    if middle in rule.flags:
                        found.middle.setdefault(form, stem)
    for form in joining - found.begin.keys():
        # "gatu" → "gata", "kyrko" → "kyrka", "adels" → "adel"; else the form itself.
        candidates = (form[:-1] + "a", form[:-1], form + "a")
        found.joined[form] = next((c for c in candidates if c in plain), form)
    return found


@lru_cache(maxsize=65_536)
def base_form(word: str) -> str | None:
    """Return the dictionary form of an inflected word ("bygglovet" → "bygglov"), or None
    when the word is not inflected or not in the dictionary (only words that may end a
    compound, which is nearly every noun)."""
    text = word.casefold()
    dictionary = _dictionary() if _LETTERS.match(text) else None
    stem = dictionary.head_stem(text) if dictionary is not None else None
    return stem if stem and stem != text else None


@lru_cache(maxsize=65_536)
def split_compound(word: str) -> tuple[str, ...]:
    """Return the parts of a Swedish compound, the last as written ("badplatser" →
    ("bad", "platser")); linking forms become their stems ("bygglovs" → "bygglov").

    Returns ``()`` for a word that is no compound, or without a dictionary. Of several
    readings, the one with the fewest parts and then the longest last part wins.
    """
    text = word.casefold()
    if len(text) < MIN_WORD or not _LETTERS.match(text):
        return ()
    dictionary = _dictionary()
    if dictionary is None:
        return ()
    # The dictionary's own compound flags first; its hyphen-listed joining forms only when
    # they give no reading ("dricksvatten|kvalitet", not "dricks|vattenkvalitet").
    best = _split(dictionary, text, first=True, depth=1, joined=False)
    if not best:
        best = _split(dictionary, text, first=True, depth=1, joined=True)
    return best if best and len(best) > 1 else ()


def _split(
    dictionary: _Dictionary, text: str, *, first: bool, depth: int, joined: bool
) -> tuple[str, ...]:
    best: tuple[str, ...] = ()
    # Longest head first: "vattenkvalitet" before "kvalitet".
    for cut in range(MIN_PART, len(text) - MIN_PART + 1):
        left, right = text[:cut], text[cut:]
        forms = dictionary.begin if first else dictionary.middle
        stem = forms.get(left) or (dictionary.begin.get(left) if not first else None)
        if stem is None and joined:
            stem = dictionary.joined.get(left)
        if stem is None:
            continue
        if dictionary.head_stem(right) is not None:
            return (stem, right)
        if depth + 1 < MAX_PARTS and not best:
            rest = _split(dictionary, right, first=False, depth=depth + 1, joined=joined)
            if rest:
                best = (stem, *rest)
    return best


def compound_parts(words: list[str]) -> list[str]:
    """Return the parts and heads of every compound among ``words``, once each.

    "badvattenkvalitet" gives "bad", "vattenkvalitet" and the head "kvalitet", so that
    each matches the record. A head inside a part is kept only when it is a noun of at
    least ``MIN_INNER_HEAD`` letters ("kommunfullmäktige" gives "kommun" and
    "fullmäktige", never "full" or "mäktige").
    """
    # One pass in C over the words (each cached below): most words are no compounds.
    return list(dict.fromkeys(chain.from_iterable(map(_word_parts, map(str.casefold, words)))))


@lru_cache(maxsize=262_144)
def _word_parts(word: str) -> tuple[str, ...]:
    """The parts and heads of one compound, in order (cached: a catalogue repeats its words)."""
    parts = split_compound(word)
    if not parts:
        return ()
    out = dict.fromkeys(parts)
    dictionary = _dictionary()
    assert dictionary is not None  # there are parts
    # Every head that is a word after a word: "dricksvatten|kvalitet" also has the head
    # "vattenkvalitet" (after "dricks"), though the split above took another reading.
    for cut in range(MIN_PART, len(word) - MIN_INNER_HEAD + 1):
        left, head = word[:cut], word[cut:]
        if head not in out and _is_word(dictionary, left) and dictionary.is_noun_head(head):
            out.setdefault(head, None)
    return tuple(out)


def _is_word(dictionary: _Dictionary, text: str) -> bool:
    return (
        text in dictionary.begin
        or text in dictionary.middle
        or text in dictionary.joined
        or dictionary.head_stem(text) is not None
        or (text.endswith("s") and dictionary.head_stem(text[:-1]) is not None)
        or bool(split_compound(text))
    )
