"""The diarium-csv read profile on plain row values: dates, directions, secrecy, parties."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from insyn.vocab.model import NON_PUBLIC
from insyn.vocab.profiles import diarium_csv_read
from insyn.vocab.profiles.diarium_csv_read import Row, RowError

COLUMNS = {name: name.capitalize() for name in diarium_csv_read.FIELDS}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("5 mars 2024", date(2024, 3, 5)),
        ("05.03.2024", date(2024, 3, 5)),
        ("2024-03-05 14:22", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        (datetime(2024, 3, 5, 14, 22), date(2024, 3, 5)),
        ("", None),
    ],
)
def test_swedish_dates(text: object, expected: date | None) -> None:
    assert diarium_csv_read.parse_swedish_date(text) == expected


def test_an_unnamed_register_is_internal_not_a_dataset_named_after_its_key() -> None:
    dataset, _ = diarium_csv_read.register("p360", name=None, owner=None, uri=None, directions={})
    assert dataset.title == {"sv": "Diarium"}  # not "Diarium – p360"
    assert dataset.governance.description_visibility == "internal"
    named, _ = diarium_csv_read.register(
        "p360", name="Kommunstyrelsens diarium", owner=None, uri=None, directions={}
    )
    assert named.title == {"sv": "Kommunstyrelsens diarium"}
    assert named.governance.description_visibility is None  # the source's default


def test_rows_make_a_case_and_its_documents() -> None:
    dataset, register = diarium_csv_read.register(
        "Diarium_MN", name=None, owner="Miljönämnden", uri=None, directions={"k": "incoming"}
    )
    assert dataset.uri == register.uri == "urn:insyn:diarium:diarium_mn"
    assert dataset.title == {"sv": "Diarium – Miljönämnden"}
    first = Row(
        {
            "diarienummer": "MN 2024/12",
            "case_title": "Tillsyn",
            "document_number": 1.0,
            "document_title": "Rapport",
            "date": "5 mars 2024",
            "direction": "K",
            "sender": "Café Örat AB",
        },
        COLUMNS,
    )
    facts = diarium_csv_read.read_row(first, register)
    case = diarium_csv_read.case(first, register, facts)
    assert (case.diarienummer_normalised, case.opened, case.parties) == ("MN 2024/12", None, [])
    diarium_csv_read.add_to_case(case, facts)
    document = diarium_csv_read.document(first, register, facts, case)
    assert document.uri == "urn:insyn:diarium:diarium_mn/handling/MN 2024/12-1"
    assert (document.direction, document.date) == ("incoming", date(2024, 3, 5))
    assert case.governance.access_rights != NON_PUBLIC

    secret = Row(
        {"diarienummer": "MN 2024/12", "document_title": "Klagomål", "secrecy": "Ja"}, COLUMNS
    )
    facts = diarium_csv_read.read_row(secret, register)
    assert facts.warnings == [
        "Kolumnen 'Secrecy' säger sekretess men anger ingen bestämmelse; "
        "posten behandlas som sekretessmarkerad"
    ]
    diarium_csv_read.add_to_case(case, facts)
    assert case.governance.access_rights == NON_PUBLIC
    assert case.governance.secrecy_provision == "bestämmelse ej angiven"


def test_values_a_column_cannot_hold_name_the_column() -> None:
    _, register = diarium_csv_read.register("d", name=None, owner=None, uri=None, directions={})
    with pytest.raises(RowError) as missing:
        diarium_csv_read.read_row(Row({"diarienummer": " "}, COLUMNS), register)
    assert missing.value.column == "Diarienummer"
    row = Row({"diarienummer": "KS 2024/1", "document_title": "x", "direction": "Q"}, COLUMNS)
    facts = diarium_csv_read.read_row(row, register)
    case = diarium_csv_read.case(row, register, facts)
    with pytest.raises(RowError) as direction:
        diarium_csv_read.document(row, register, facts, case)
    assert direction.value.column == "Direction"
    with pytest.raises(RowError) as when:
        Row({"opened": "igår"}, COLUMNS).date("opened")
    assert when.value.column == "Opened"
