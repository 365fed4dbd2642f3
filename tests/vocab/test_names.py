"""Names of people who are no party, from SCB's name lists (``insyn.vocab.names``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from insyn.vocab import names
from insyn.vocab.masking import NAME_MASK, public_record, shown_as_is
from insyn.vocab.model import Attachment, Case, Dataset, Document, to_dict
from insyn.vocab.names import first_names, mask_listed_names, surnames

DATA = Path(names.__file__).parent / "data" / "names"


def test_the_bundled_lists_are_scbs_and_say_so() -> None:
    assert len(first_names()) == 200 and len(surnames()) == 100
    assert {"Anna", "Lars", "Ann-Christin", "Linnéa"} <= first_names()
    assert {"Andersson", "Åberg", "Berg"} <= surnames()
    notice = (DATA / "NOTICE").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and "1153b470164c0b834d636a2c226118c355eb40d5" in notice


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Klagomål från Anna Andersson på staket", f"Klagomål från {NAME_MASK} på staket"),
        ("Ann-Christin Lindqvists ansökan", f"{NAME_MASK} ansökan"),
        ("Skrivelse från Anna Maria Berg:s ombud", f"Skrivelse från {NAME_MASK} ombud"),
        ("Yttrande, Kjell-Åke Nilsson", f"Yttrande, {NAME_MASK}"),
        ("ersättare Annika Samuelsson Björk (KD)", f"ersättare {NAME_MASK} (KD)"),
        ("Lars Eriksson och Eva Nilsson", f"{NAME_MASK} och {NAME_MASK}"),
        # A word-like pair is a name where a sentence cannot start.
        ("Ansökan från Björn Berg", f"Ansökan från {NAME_MASK}"),
        ("Bygglov, Per Lund", f"Bygglov, {NAME_MASK}"),
    ],
)
def test_a_listed_first_name_before_a_listed_surname_is_masked(text: str, expected: str) -> None:
    assert mask_listed_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Anna ringde om bygglovet",  # a first name alone
        "Andersson har svarat",  # a surname alone
        "Cecilia Melander, Kerstin Ekman",  # surnames not on the list
        "Anna Lindh-biblioteket",  # "Lindh" is not "Lind"
        "Karl Johans torg och Gustav Adolfs kyrka",  # given names, not surnames
        "per berg och anna andersson",  # not written as names
        "Björn Berg",  # could start a sentence: word-like both ways
        "Sten. Per Lund är kvar",  # after a full stop, too
        "Andersson-Annas väg",
    ],
)
def test_what_is_no_listed_pair_stays(text: str) -> None:
    assert mask_listed_names(text) == text


def test_public_cases_and_documents_lose_a_non_partys_listed_name() -> None:
    case = Case(
        title={"sv": "Klagomål från Anna Andersson om snöröjning"},
        description={"sv": "Grannen Lars Eriksson har också hört av sig."},
        keyword={"sv": ["snöröjning"]},
    )
    # Nothing else in it to mask: still not shown as stored (the fast path must know).
    assert not shown_as_is(case, to_dict(case))
    shown = public_record(case)
    assert shown is not None
    assert shown.title == {"sv": f"Klagomål från {NAME_MASK} om snöröjning"}
    assert shown.description == {"sv": f"Grannen {NAME_MASK} har också hört av sig."}
    document = Document(
        title={"sv": "Svar till Eva Nilsson"},
        attachments=[Attachment(name="Brev till Eva Nilsson.pdf")],
    )
    shown_document = public_record(document)
    assert isinstance(shown_document, Document)
    assert shown_document.title == {"sv": f"Svar till {NAME_MASK}"}
    assert shown_document.attachments[0].name == f"Brev till {NAME_MASK}.pdf"
    # A dataset's text is no diarium text: left as the publisher wrote it.
    dataset = Dataset(title={"sv": "Anna Anderssons fågelinventering"})
    assert public_record(dataset).title == {"sv": "Anna Anderssons fågelinventering"}  # type: ignore[union-attr]
