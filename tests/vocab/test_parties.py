"""Who is a private individual: one decision for every source, failing closed."""

from __future__ import annotations

import pytest

from insyn.vocab.model import Party
from insyn.vocab.parties import (
    CASE_PARTY_ROLE,
    flag,
    is_organisationsnummer,
    is_private_individual,
    with_case_parties,
)


@pytest.mark.parametrize(
    "name",
    [
        "Kyrklund",
        "Anna Kyrklund",
        "Bankman",
        "Lars Bankman",
        "Centrumsson",
        "Eva Centrumsson",
        "Privatperson",
        "Parkföreningen Ljuset",  # words inside a name are no evidence
        "Anna Ab",  # "AB" only in capitals, as a word
        "Stadsverket Karlsson",
        "Försäkringskassans handläggare Olle",  # not the authority's exact name
    ],
)
def test_names_alone_never_make_an_organisation(name: str) -> None:
    assert is_private_individual(name)


@pytest.mark.parametrize("role", ["sökande", "owner", "ägare", "part", "counterpart"])
def test_a_role_is_no_evidence(role: str) -> None:
    # The role is not even an argument: a caller cannot pass it as evidence.
    assert is_private_individual("Karl Kyrklund", organisation_type=role)


def test_an_organisation_element_saying_privatperson_is_no_evidence() -> None:
    assert is_private_individual("Karl Kyrklund", organisation_type="Privatperson")


@pytest.mark.parametrize(
    ("name", "identifiers", "organisation_type"),
    [
        ("Parkföreningen Ljuset", ["802400-0005"], None),
        ("Ljuset", ["8024000005"], None),
        ("Ljuset", ["16802400-0005"], None),
        ("Ljuset (802400-0005)", [], None),
        ("Ljuset", [], "juridisk person"),
        ("Ljuset", [], "Organisation"),
        ("Byggbolaget AB", [], None),
        ("Exempelby Fastighets Aktiebolag", [], None),
        ("Brf Solgläntan", [], None),
        ("Café Örat HB", [], None),
        ("Försäkringskassan", [], None),
        ("försäkringskassan", [], None),
    ],
)
def test_trusted_evidence_makes_an_organisation(
    name: str, identifiers: list[str], organisation_type: str | None
) -> None:
    assert not is_private_individual(
        name, identifiers=identifiers, organisation_type=organisation_type
    )


def test_organisationsnummer_needs_month_digits_20_and_a_luhn_digit() -> None:
    assert is_organisationsnummer("212000-1124")  # a municipality
    assert is_organisationsnummer("556036-0793")
    assert not is_organisationsnummer("556036-0794")  # wrong check digit
    assert not is_organisationsnummer("121212-1212")  # a personnummer (enskild firma)
    assert not is_organisationsnummer("19121212-1212")
    assert not is_organisationsnummer("5560000000")  # month digits fine, Luhn not
    # An invalid number is no evidence: the party stays private.
    assert is_private_individual("Ljuset", identifiers=["802400-0006"])


def test_personal_evidence_wins_over_everything() -> None:
    assert is_private_individual("Byggbolaget AB", identifiers=["19121212-1212"])
    assert is_private_individual("Sven 121212-1212")
    assert is_private_individual("Försäkringskassan", protected_identity=True)
    assert is_private_individual("Byggbolaget AB", flagged_private=True)
    assert is_private_individual("Karin Lind", official=True, identifiers=["701063-2391"])


def test_officials_and_the_sources_own_no() -> None:
    assert not is_private_individual("Karin Lind", official=True)
    assert not is_private_individual("Karin Lind", flagged_private=False)
    assert (flag("x"), flag("Ja"), flag("nej"), flag(""), flag(None), flag("-")) == (
        True,
        True,
        False,
        None,
        None,
        None,
    )


def test_a_document_carries_its_cases_private_parties_once() -> None:
    own = [Party("Anna Kyrklund", "avsändare", True)]
    case = [
        Party("anna kyrklund", "part", True),
        Party("Karl Bankman", "part", True, "19121212-1212"),
        Party("Byggbolaget AB", "part", False),
    ]
    parties = with_case_parties(own, case)
    assert [(p.name, p.role, p.is_private_individual, p.identifier) for p in parties] == [
        ("Anna Kyrklund", "avsändare", True, None),
        ("Karl Bankman", CASE_PARTY_ROLE, True, None),
    ]


@pytest.mark.parametrize("kind", ["Privatperson", "fysisk person", "PERSON", " Enskild "])
def test_a_persons_type_from_the_source_wins(kind: str) -> None:
    assert is_private_individual("Byggbolaget AB", organisation_type=kind)
    assert is_private_individual("Ljuset", identifiers=["802400-0005"], organisation_type=kind)


@pytest.mark.parametrize("kind", ["Företag", "  FÖRETAG ", "juridisk  person", "Kommun"])
def test_a_known_organisation_type_in_any_case_and_spacing(kind: str) -> None:
    assert not is_private_individual("Ljuset", organisation_type=kind)


def test_an_organisation_the_source_does_not_prove_stays_private() -> None:
    # No number, no known type, no legal form: whatever it looks like, it is masked.
    for name in ("Ljuset Bygg & Montage", "Kyrkbacken Fastigheter", "Centrumsson Konsult"):
        assert is_private_individual(name, organisation_type="leverantör")
