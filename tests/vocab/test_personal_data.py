"""Personal data by column name and by value: personnummer, Luhn, false positives."""

from __future__ import annotations

import pytest

from insyn.vocab.personal_data import (
    CATEGORIES,
    categories_by_name,
    categories_by_values,
    classify_columns,
    find_personnummer,
    is_person_table,
    is_personnummer,
    is_samordningsnummer,
    luhn_valid,
    value_category,
)

# Skatteverket's well-known example, and a samordningsnummer (day 3 + 60 = 63).
VALID = "811228-9874"
COORDINATION = "701063-2391"


def test_luhn() -> None:
    assert luhn_valid("8112289874")
    assert luhn_valid("79927398713")  # the textbook example
    assert not luhn_valid("8112289875")
    assert not luhn_valid("")
    assert not luhn_valid("81122-9874")
    assert not luhn_valid("８１１２２８９８７４")  # full-width digits are not ASCII digits


@pytest.mark.parametrize(
    "text",
    [
        VALID,
        "8112289874",
        "19811228-9874",
        "198112289874",
        "811228+9874",  # a hundred years or older
        " 811228-9874 ",
        "811228 9874",  # a space for the dash, as people write it
        COORDINATION,
        "7010632391",
        "19701063-2391",
        "000229-0005",  # 29 February 2000
    ],
)
def test_valid_personnummer(text: str) -> None:
    assert is_personnummer(text)


@pytest.mark.parametrize(
    "text",
    [
        "811228-9875",  # wrong check digit
        "811328-9874",  # month 13
        "811232-9874",  # day 32
        "810229-1234",  # 29 February 1981 (check digit aside)
        "19000229-0000",  # 1900 was no leap year
        "701093-2391",  # samordningsnummer day 33
        "18811228-9874",  # a valid check digit, but 1881 with a "-" … still a valid date
        "20811228-9874",  # born in 2081: in the future
        "19811228+9874",  # "+" stands in for the century; both is no form
        "811228--9874",
        "81122898",
        "1234567890123",
        "abcdefghij",
        "",
    ],
)
def test_invalid_personnummer(text: str) -> None:
    if text == "18811228-9874":
        assert is_personnummer(text)  # old, but a real date and a valid check digit
        return
    assert not is_personnummer(text)


def test_samordningsnummer_is_told_apart() -> None:
    assert is_samordningsnummer(COORDINATION)
    assert not is_samordningsnummer(VALID)
    assert not is_samordningsnummer("701093-2391")


def test_find_personnummer_spans() -> None:
    text = (
        f"Sökande {VALID} och 19{COORDINATION}; tel 070-123 45 67, dnr KS 2024/1234, "
        "fel 811228-9875, längre 12381122898745, org 556677-8899, 8112289874."
    )
    spans = find_personnummer(text)
    assert [text[start:end] for start, end in spans] == [
        VALID,
        "19" + COORDINATION,
        "8112289874",
    ]
    masked = text
    for start, end in reversed(spans):
        masked = masked[:start] + "XXXXXX-XXXX" + masked[end:]
    assert "9874" not in masked.replace("12381122898745", "")


@pytest.mark.parametrize(
    "column,expected",
    [
        ("personnummer", ["personnummer"]),
        ("pnr", ["personnummer"]),
        ("PersonNr", ["personnummer"]),
        ("sokande_personnummer", ["personnummer"]),
        ("SokandePersonnummer", ["personnummer"]),
        ("samordningsnummer", ["personnummer"]),
        ("ssn", ["personnummer"]),
        ("förnamn", ["namn"]),
        ("fornamn", ["namn"]),
        ("Efternamn", ["namn"]),
        ("first_name", ["namn"]),
        ("LastName", ["namn"]),
        ("customer_name", ["namn"]),
        ("kontaktperson", ["namn"]),
        ("gatuadress", ["adress"]),
        ("postnummer", ["adress"]),
        ("zip_code", ["adress"]),
        ("home_address_2", ["adress"]),
        ("e_post", ["kontaktuppgifter"]),
        ("e-postadress", ["kontaktuppgifter"]),
        ("epost", ["kontaktuppgifter"]),
        ("email_address", ["kontaktuppgifter"]),
        ("mail", ["kontaktuppgifter"]),
        ("telefon", ["kontaktuppgifter"]),
        ("hemtelefon", ["kontaktuppgifter"]),
        ("tel_nr", ["kontaktuppgifter"]),
        ("mobil", ["kontaktuppgifter"]),
        ("phone_number", ["kontaktuppgifter"]),
        ("födelsedatum", ["födelsedatum"]),
        ("birth_date", ["födelsedatum"]),
        ("date_of_birth", ["födelsedatum"]),
        ("kön", ["kön"]),
        ("gender", ["kön"]),
        ("hälsa", ["hälsa"]),
        ("diagnos", ["hälsa"]),
        ("diagnoskod", ["hälsa"]),
        ("ip_address", ["ip-adress"]),
        ("namn", ["namn"]),  # bare: a name, of whom depends on the table
    ],
)
def test_categories_by_name(column: str, expected: list[str]) -> None:
    assert categories_by_name(column) == expected


@pytest.mark.parametrize(
    "column",
    [
        "filnamn",
        "tabellnamn",
        "produktnamn",
        "kolumnnamn",
        "gatunamn",
        "ortnamn",
        "företagsnamn",
        "användarnamn",
        "file_name",
        "FileName",
        "table_name",
        "company_name",
        "hostname",
        "display_name",
        "hälsocentral_namn",
        "webbadress",
        "mail_server",
        "mobile_app_version",
        "phone_model",
        "ip_range",
        "street_light_id",
        "kontor",
        "konto",
        "hotel",
        "telemetri",
        "diagnostik",
        "co2",
        "person_id",
        "beskrivning",
        "postnummer_omrade_kod",  # still an address part: see the assert below
    ],
)
def test_no_false_positives_by_name(column: str) -> None:
    if column == "postnummer_omrade_kod":
        assert categories_by_name(column) == ["adress"]
        return
    assert categories_by_name(column) == []


def test_categories_are_swedish_and_ordered() -> None:
    assert categories_by_name("epost_fornamn_personnummer") == [
        "personnummer",
        "namn",
        "kontaktuppgifter",
    ]
    assert set(CATEGORIES) >= {"personnummer", "namn", "adress", "kontaktuppgifter", "hälsa"}


def test_bare_name_and_address_depend_on_the_table() -> None:
    # A school's name and address are no personal data …
    assert classify_columns("skolor", ["id", "namn", "adress", "rektor_epost"]) == {
        "rektor_epost": ["kontaktuppgifter"]
    }
    # … a customer's are.
    assert classify_columns("kunder", ["id", "namn", "adress"]) == {
        "namn": ["namn"],
        "adress": ["adress"],
    }
    # A table of anything with a personnummer in it is about people.
    assert classify_columns("ansokningar", ["namn", "pnr", "gatuadress"]) == {
        "namn": ["namn"],
        "pnr": ["personnummer"],
        "gatuadress": ["adress"],
    }
    # Sampling counts too.
    assert classify_columns("register", ["namn", "kod"], by_values={"kod": ["personnummer"]}) == {
        "namn": ["namn"],
        "kod": ["personnummer"],
    }
    assert is_person_table("Kundregister") and is_person_table("employees")
    assert not is_person_table("skolor")


def test_value_category() -> None:
    assert value_category(VALID) == "personnummer"
    assert value_category(198112289874) == "personnummer"  # stored as a number
    assert value_category("anna.berg@exempel.se") == "kontaktuppgifter"
    assert value_category("070-123 45 67") == "kontaktuppgifter"
    assert value_category("+46 70 123 45 67") == "kontaktuppgifter"
    assert value_category("08-123 456 78") == "kontaktuppgifter"
    for value in ("12345", "KS 2024/1234", "556677-8899", "hej", True, 3.5, None, b"x", "a@b"):
        assert value_category(value) is None


def test_categories_by_values_needs_a_share_of_the_column() -> None:
    assert categories_by_values([VALID, COORDINATION, None, ""]) == ["personnummer"]
    # One chance hit among many other codes is not a personnummer column.
    codes = [f"{n:010d}" for n in range(1000, 1019)]
    assert categories_by_values([VALID, *codes]) == []
    assert categories_by_values(["a@b.se", "c@d.se", "x"]) == ["kontaktuppgifter"]
    assert categories_by_values([]) == []
    assert categories_by_values([VALID, "x"], min_share=0.5) == ["personnummer"]
