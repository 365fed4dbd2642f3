"""The SQL read profile on plain introspection values: no database needed."""

from __future__ import annotations

import pytest

from insyn.vocab.profiles import sql_read
from insyn.vocab.profiles.sql_read import Table


def table(**changes: object) -> Table:
    values: dict[str, object] = {
        "schema": "bygglov",
        "name": "sokande",
        "kind": "table",
        "columns": [
            {"name": "id", "type": "integer", "nullable": False, "comment": None},
            {"name": "personnummer", "type": "varchar(13)", "nullable": False, "comment": None},
            {"name": "anteckning", "type": None, "nullable": True, "comment": "Fri  text\n"},
        ],
        "primary_key": ["id"],
        "foreign_keys": [
            {
                "constrained_columns": ["skola_id"],
                "referred_schema": None,
                "referred_table": "skolor",
                "referred_columns": ["id"],
            }
        ],
        "comment": None,
        "rows": 5,
    }
    return Table(**{**values, **changes})  # type: ignore[arg-type]


def read(item: Table, **changes: object) -> tuple:
    options: dict[str, object] = {
        "database": "bygg",
        "default_schema": "public",
        "base_uri": "https://data.exempelby.se/db",
        "by_values": {},
        "supports_comments": True,
    }
    return sql_read.dataset(item, **{**options, **changes})  # type: ignore[arg-type]


def test_columns_keys_and_personal_data_become_extras_and_warnings() -> None:
    dataset, warnings = read(table(), by_values={"anteckning": ["personnummer"]})
    assert dataset.uri == "https://data.exempelby.se/db/bygglov.sokande"
    assert dataset.title == {"sv": "sokande (bygglov)"}
    assert dataset.extras["kolumner"] == [
        "id: integer, not null",
        "personnummer: varchar(13), not null",
        "anteckning: utan typ — Fri text",
    ]
    assert dataset.extras["främmande nycklar"] == ["skola_id → bygglov.skolor(id)"]
    assert dataset.extras["databas"] == ["bygg"]
    assert dataset.governance.contains_personal_data is True
    assert "anteckning: personnummer (stickprov)" in dataset.extras["personuppgifter"]
    assert "personnummer: personnummer (kolumnnamn)" in dataset.extras["personuppgifter"]
    assert warnings[0].startswith("Tabellen bygglov.sokande ser ut att innehålla personuppgifter")
    assert warnings[1] == "Tabellen bygglov.sokande saknar kommentar (beskrivning)"


@pytest.mark.parametrize(
    "rows,at_least,expected",
    [
        (0, False, ["0"]),
        (99, False, ["99"]),
        (12_345, False, ["ca 12 000"]),
        (1_000_000, True, ["minst 1 000 000"]),
        (None, False, None),
    ],
)
def test_row_counts_are_rounded_so_growth_is_no_change(
    rows: int | None, at_least: bool, expected: list[str] | None
) -> None:
    dataset, _ = read(table(rows=rows, rows_at_least=at_least))
    assert dataset.extras.get("antal rader (uppskattat)") == expected


def test_a_view_in_the_default_schema_without_comment_support() -> None:
    item = table(schema="public", kind="view", columns=[], comment="Aktiva  sökande", rows=None)
    dataset, warnings = read(item, base_uri=None, supports_comments=False)
    assert (dataset.uri, dataset.title) == (None, {"sv": "sokande"})
    assert dataset.description == {"sv": "Aktiva sökande"}
    assert dataset.extras["tabelltyp"] == ["vy"]
    assert warnings == []
    catalog = sql_read.catalog("bygg", "postgresql", None)
    assert catalog.description == {"sv": "Tabeller och vyer i databasen bygg (postgresql)"}
