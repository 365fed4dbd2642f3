"""Public masking of private parties' names and of addresses in case and document texts."""

from __future__ import annotations

import pytest

from insyn.vocab.masking import (
    ADDRESS_MASK,
    NAME_MASK,
    mask_addresses,
    mask_names,
    public_record,
)
from insyn.vocab.model import (
    NON_PUBLIC,
    Attachment,
    Case,
    Dataset,
    Document,
    Governance,
    Party,
)

PARTY = "Anna-Karin Kyrklund"


@pytest.mark.parametrize(
    "written",
    [
        "Anna-Karin Kyrklund",
        "Anna Karin Kyrklund",
        "anna-karin kyrklund",
        "ANNA KARIN KYRKLUND",
        "Anna–Karin Kyrklund",  # an en dash
        "Anna Kyrklund",
        "Karin Kyrklund",
        "Kyrklund, Anna-Karin",
        "Kyrklund Anna-Karin",
        "A. Kyrklund",
        "Kyrklund",
        "Kyrklunds",
        "Anna-Karin Kyrklunds",
        "Kyrklund's",
    ],
)
def test_every_form_of_a_private_partys_name_is_masked(written: str) -> None:
    text = f"Yttrande om {written} inkommet"
    assert mask_names(text, [PARTY]) == f"Yttrande om {NAME_MASK} inkommet"


def test_first_names_alone_and_common_words_are_kept() -> None:
    assert mask_names("Anna ringde", [PARTY]) == "Anna ringde"
    # "Berg" is also a word: the last name alone is not masked, the full name is.
    text = "Bygglov Berg 1:2 för Lars Berg, Bergs ansökan"
    assert mask_names(text, ["Lars Berg"]) == f"Bygglov Berg 1:2 för {NAME_MASK}, Bergs ansökan"
    # A word merely containing the name is not the name.
    assert mask_names("Kyrklundsvägen och Kyrklundare", [PARTY]) == (
        "Kyrklundsvägen och Kyrklundare"
    )
    assert mask_names("", [PARTY]) == "" and mask_names("Text", []) == "Text"


def test_several_parties_and_a_one_word_name() -> None:
    text = "Karl Bankman och Försäkringskassan om Centrumsson"
    masked = mask_names(text, ["Karl Bankman", "Försäkringskassan", "Eva Centrumsson"])
    assert masked == f"{NAME_MASK} och {NAME_MASK} om {NAME_MASK}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Storgatan 8 B", ADDRESS_MASK),
        ("Storgatan 8B, 123 45 Exempelby", ADDRESS_MASK),
        ("Kyrkvägen 12b", ADDRESS_MASK),
        ("Gamla Kungsvägen 12, lgh 1102", ADDRESS_MASK),
        ("Drottning Kristinas väg 5", ADDRESS_MASK),
        ("Lilla Gränd 3", ADDRESS_MASK),
        ("Lingonstigen 3, 2 tr", ADDRESS_MASK),
        ("Solbacken 14 A", ADDRESS_MASK),
        ("Stortorget 2", ADDRESS_MASK),
        ("Björkallén 7", ADDRESS_MASK),
        ("Järntorgsplan 1", ADDRESS_MASK),
        ("S:t Eriksgatan 117", ADDRESS_MASK),
        ("Kyrkvägen 4-6", ADDRESS_MASK),
        ("Storgatan 8 i Exempelby", f"{ADDRESS_MASK} i Exempelby"),
        # Not addresses: property designations, plans, roads, years.
        ("Ekbacken 1:2", "Ekbacken 1:2"),
        ("Detaljplan 12", "Detaljplan 12"),
        ("Översiktsplan 2030", "Översiktsplan 2030"),
        ("Riksväg 40", "Riksväg 40"),
        ("Storgatan 2024", "Storgatan 2024"),
        ("Storgatan", "Storgatan"),
    ],
)
def test_swedish_street_addresses(text: str, expected: str) -> None:
    assert mask_addresses(f"Ansökan, {text}") == f"Ansökan, {expected}"


def applicant_case() -> Case:
    return Case(
        title={"sv": "Ansökan om bostadsanpassningsbidrag – Anna Karin Kyrklund, Storgatan 8 B"},
        description={"sv": "Kyrklunds ansökan gäller Storgatan 8 B, 123 45 Exempelby."},
        keyword={"sv": ["Kyrklund"]},
        extras={"titel_alternative": ["Bidrag Kyrklund"]},
        diarienummer="SN 2024/9",
        parties=[
            Party(PARTY, "sökande", True, "19121212-1212"),
            Party("Byggbolaget AB", "entreprenör"),
        ],
    )


def test_a_shown_case_has_its_private_partys_name_and_address_masked_everywhere() -> None:
    shown = public_record(applicant_case())
    assert isinstance(shown, Case)
    assert shown.title == {"sv": "Ansökan om bostadsanpassningsbidrag – [namn], [adress]"}
    assert shown.description == {"sv": "[namn] ansökan gäller [adress]."}
    assert shown.keyword == {"sv": [NAME_MASK]}
    assert shown.extras == {"titel_alternative": ["Bidrag [namn]"]}
    assert [p.name for p in shown.parties] == ["Enskild", "Byggbolaget AB"]


def test_the_sources_public_title_is_what_the_public_sees() -> None:
    case = applicant_case()
    case.public_title = {"sv": "Ansökan om bostadsanpassningsbidrag"}
    shown = public_record(case)
    assert shown is not None
    assert shown.title == {"sv": "Ansökan om bostadsanpassningsbidrag"}
    assert case.title["sv"].endswith("Storgatan 8 B")  # the stored record is unchanged


def test_a_document_is_masked_with_its_cases_party_and_its_attachments_too() -> None:
    document = Document(
        title={"sv": "Intyg för Anna-Karin Kyrklund"},
        attachments=[Attachment("intyg-kyrklund.pdf", "PDF"), Attachment("Kyrklund intyg.pdf")],
        case_diarienummer="SN 2024/9",
        parties=[Party(PARTY, "part i ärendet", True)],
    )
    shown = public_record(document)
    assert isinstance(shown, Document)
    assert shown.title == {"sv": "Intyg för [namn]"}
    assert [a.name for a in shown.attachments] == ["intyg-[namn].pdf", "[namn] intyg.pdf"]
    public = Document(
        title={"sv": "Intyg för Anna-Karin Kyrklund"},
        public_title={"sv": "Intyg"},
        parties=[Party(PARTY, "part i ärendet", True)],
    )
    assert public_record(public).title == {"sv": "Intyg"}  # type: ignore[union-attr]


def test_secret_marked_records_lose_their_public_title_too_and_datasets_are_untouched() -> None:
    case = applicant_case()
    case.public_title = {"sv": "Ansökan om bidrag"}
    case.governance = Governance(access_rights=NON_PUBLIC, secrecy_provision="26 kap. 1 § OSL")
    shown = public_record(case)
    assert shown is not None and shown.public_title == {}
    assert shown.title["sv"].startswith("Uppgift omfattas av sekretess")
    dataset = Dataset(title={"sv": "Gatunamn: Storgatan 8 B"})
    assert public_record(dataset).title == {"sv": "Gatunamn: Storgatan 8 B"}  # type: ignore[union-attr]
