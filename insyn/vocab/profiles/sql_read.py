"""Read profile for relational databases: an introspected table or view → ``Dataset``.

The ``sql`` connector connects, introspects and samples; this profile takes what it found
as plain values (``Table``: names, column dicts with the type as the database names it,
keys, the comment, a row count, the personal-data categories sampled values showed) and
makes the dataset. The database itself becomes the catalogue (``catalog``).

The model has no field for columns yet: they go into ``extras`` as readable lines,
``"personnummer: varchar(12), not null — Personnummer för sökande"`` under ``kolumner``,
with ``primärnyckel``, ``främmande nycklar``, ``tabelltyp``, ``antal rader (uppskattat)``
and ``personuppgifter`` beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from insyn.vocab import personal_data
from insyn.vocab.model import Catalog, Dataset, Governance

_TABLE_KINDS = {"table": "tabell", "view": "vy", "materialized view": "materialiserad vy"}
_DEFINITE = {"table": "Tabellen", "view": "Vyn", "materialized view": "Den materialiserade vyn"}

# Keys of ``Dataset.extras``: the structured part of a table's documentation.
EXTRA_KIND = "tabelltyp"
EXTRA_COLUMNS = "kolumner"
EXTRA_PRIMARY_KEY = "primärnyckel"
EXTRA_FOREIGN_KEYS = "främmande nycklar"
EXTRA_ROWS = "antal rader (uppskattat)"
EXTRA_PERSONAL_DATA = "personuppgifter"
EXTRA_DATABASE = "databas"
EXTRA_SCHEMA = "schema"


@dataclass
class Table:
    """One table or view as introspection found it, in plain values."""

    schema: str
    name: str
    kind: str  # "table", "view", "materialized view"
    # name, type (the database's type name; None for an untyped column), nullable, comment
    columns: list[dict[str, Any]]
    primary_key: list[str]
    # constrained_columns, referred_schema, referred_table, referred_columns
    foreign_keys: list[dict[str, Any]]
    comment: str | None
    rows: int | None = None  # an estimate, or None when unknown
    rows_at_least: bool = False  # counting stopped at ``rows``: there are at least that many

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


def catalog(database: str, dialect: str, base_uri: str | None) -> Catalog:
    """The catalogue a database makes: its name and what kind of server it is on."""
    return Catalog(
        uri=base_uri,
        title={"sv": database},
        description={"sv": f"Tabeller och vyer i databasen {database} ({dialect})"},
    )


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _approximately(value: int) -> str:
    """Two significant digits from 100 up, so that a growing table is not a changed record."""
    if value < 100:
        return str(max(value, 0))
    magnitude = 10 ** (len(str(value)) - 2)
    return f"ca {_thousands(round(value / magnitude) * magnitude)}"


def _rows(item: Table) -> str | None:
    if item.rows is None:
        return None
    return f"minst {_thousands(item.rows)}" if item.rows_at_least else _approximately(item.rows)


def _column_line(info: dict[str, Any]) -> str:
    type_name = "utan typ" if info.get("type") is None else info["type"]
    line = f"{info['name']}: {type_name}"
    if not info.get("nullable", True):
        line += ", not null"
    if info.get("comment"):
        line += f" — {' '.join(str(info['comment']).split())}"
    return line


def _foreign_key_line(info: dict[str, Any], schema: str) -> str:
    target = f"{info.get('referred_schema') or schema}.{info['referred_table']}"
    return (
        f"{', '.join(info['constrained_columns'])} → "
        f"{target}({', '.join(info['referred_columns'])})"
    )


def _personal_data(
    item: Table, by_values: dict[str, list[str]]
) -> tuple[dict[str, list[str]], list[str], str | None]:
    """Return (column → categories, extras lines, warning) for one table."""
    found = personal_data.classify_columns(
        item.name, [c["name"] for c in item.columns], by_values=by_values
    )
    lines = []
    for name, categories in found.items():
        sampled = by_values.get(name, ())
        named = personal_data.categories_by_name(name)
        how = []
        for category in categories:
            ways = [
                w
                for w, hit in (
                    ("kolumnnamn", category in named),
                    ("stickprov", category in sampled),
                )
                if hit
            ]
            how.append(f"{category} ({', '.join(ways) or 'tabellens sammanhang'})")
        lines.append(f"{name}: {', '.join(how)}")
    warning = None
    if found:
        columns = ", ".join(f"{name} ({', '.join(cats)})" for name, cats in found.items())
        warning = (
            f"{_DEFINITE[item.kind]} {item.key} ser ut att innehålla personuppgifter i "
            f"kolumnerna {columns}"
        )
    return found, lines, warning


def dataset(
    item: Table,
    *,
    database: str,
    default_schema: str,
    base_uri: str | None,
    by_values: dict[str, list[str]],
    supports_comments: bool,
) -> tuple[Dataset, list[str]]:
    """The dataset a table describes, and its warnings.

    ``by_values`` maps a column to the personal-data categories its sampled values showed
    (the values themselves never reach this profile); ``supports_comments`` whether the
    database can hold a description, so that a missing one is worth a warning.
    """
    title = item.name if item.schema == default_schema else f"{item.name} ({item.schema})"
    found, personal_lines, warning = _personal_data(item, by_values)
    categories = [c for c in personal_data.CATEGORIES if any(c in v for v in found.values())]
    rows = _rows(item)
    extras = {
        EXTRA_KIND: [_TABLE_KINDS[item.kind]],
        EXTRA_DATABASE: [database],
        EXTRA_SCHEMA: [item.schema],
        EXTRA_COLUMNS: [_column_line(c) for c in item.columns],
        EXTRA_PRIMARY_KEY: [", ".join(item.primary_key)] if item.primary_key else [],
        EXTRA_FOREIGN_KEYS: [_foreign_key_line(f, item.schema) for f in item.foreign_keys],
        EXTRA_ROWS: [rows] if rows else [],
        EXTRA_PERSONAL_DATA: personal_lines,
    }
    record = Dataset(
        uri=f"{base_uri}/{quote(item.key)}" if base_uri else None,
        title={"sv": title},
        description={"sv": " ".join(item.comment.split())} if item.comment else {},
        extras={key: values for key, values in extras.items() if values},
        governance=Governance(
            contains_personal_data=True if found else None,
            personal_data_categories=categories,
        ),
    )
    warnings = [warning] if warning else []
    if not item.comment and supports_comments:
        warnings.append(f"{_DEFINITE[item.kind]} {item.key} saknar kommentar (beskrivning)")
    return record, warnings
