"""Splitting Swedish compounds with the hunspell-sv dictionary (insyn/search/compounds.py)."""

from __future__ import annotations

import pytest

from insyn.search.compounds import compound_parts, dictionary_path, split_compound
from tests.conftest import require


@pytest.fixture(autouse=True)
def _dictionary() -> None:
    # hunspell-sv is a pinned dependency: a missing dictionary is a broken install
    require(dictionary_path() is not None, "no sv_SE dictionary (hunspell-sv is in pyproject.toml)")


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("badplatser", ("bad", "platser")),
        ("bygglovsansökningar", ("bygglov", "ansökningar")),
        ("dricksvattenkvalitet", ("dricksvatten", "kvalitet")),
        # "gatu-" is a joining form the dictionary lists as an entry, not by its flags.
        ("gatubelysning", ("gata", "belysning")),
        ("gatuparkering", ("gata", "parkering")),
        ("kommunfullmäktige", ("kommun", "fullmäktige")),
    ],
)
def test_split(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


def test_no_split_of_plain_words() -> None:
    assert split_compound("parkering") == ()
    assert split_compound("bad") == ()


def test_inner_heads_are_nouns_not_suffix_forms() -> None:
    # "vattenkvalitet" is a head inside "dricksvatten|kvalitet"; "mäktige" (an adjective
    # form inside "fullmäktige") is not.
    assert "vattenkvalitet" in compound_parts(["dricksvattenkvalitet"])
    assert compound_parts(["kommunfullmäktige"]) == ["kommun", "fullmäktige"]
    assert compound_parts(["badvattenkvalitet"]) == ["bad", "vattenkvalitet", "kvalitet"]
