"""Diarium exports as CSV or XLSX: one row per registered document (or per case).

Case-management products export their diarium as spreadsheets with their own column
names. A source names its columns with a shipped preset (``--option mapping=ciceron-lik``,
presets in ``diarium_presets/*.toml``) and/or column by column
(``--option column.diarienummer=Dnr``), which overrides the preset.

Fields (``column.<field>``): diarienummer (required), case_title, case_status, opened,
closed, unit, process_code, document_number, document_title, date, direction,
document_type, sender, recipient, party, party_private, party_type, party_id, secrecy,
personal_data, attachments, case_public_title, document_public_title (the source's
name-free titles for the public; party_private's "ja"/"nej", party_type's
"Företag"/"Privatperson" and party_id's organisationsnummer or personnummer are the
source's word on the party column's party, judged by ``insyn.vocab.parties``). A row with
document fields becomes a Document; the first row of each diarienummer also makes its
Case, so a case-only export works as well. Cases are yielded after the last row, when all
their rows are read, as rows come in any order: a case is secret-marked (masked for the
public) when any of its rows is, a case-level row or a document, and then names the
first provision given.

The mapping (values, dates, directions, secrecy, parties) is in
``insyn.vocab.profiles.diarium_csv_read``. Encoding: UTF-8, UTF-8 with BOM or
Windows-1252, detected. A bad row is a ``Failure`` naming its row number and column; the
rest of the file is read.

Options: ``OPTIONS`` below.
"""

from __future__ import annotations

import codecs
import csv
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from insyn.connectors.base import Cursor, Done, Failure, Item, RecordGuard, Yielded
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.diarienummer import normalise_diarienummer
from insyn.vocab.profiles import diarium_csv_read
from insyn.vocab.profiles.diarium_csv_read import FIELDS, Register, Row, RowError, cell_text

KIND = "diarium-csv"

# Columns a preset may name that many exports lack: no warning when missing.
OPTIONAL_FIELDS = ("case_public_title", "document_public_title")
OPTIONS = (
    Option("mapping", "str", None, "Ett medföljande förval av kolumner (diarium_presets)."),
    Option("column.*", "str", None, "Kolumnrubriken för ett fält, t.ex. column.diarienummer=Dnr."),
    Option("delimiter", "str", None, "Avgränsare i CSV (gissas annars)."),
    Option("encoding", "str", "auto", "Teckenkodning (auto: UTF-8, annars Windows-1252)."),
    Option("sheet", "str", None, "Kalkylbladet i en XLSX-fil (det första annars)."),
    Option("diarium", "str", None, "Registrets URI."),
    Option("name", "str", None, "Registrets namn."),
    Option("owner", "str", None, "Informationsägare för registrets poster."),
)


def presets() -> dict[str, dict[str, Any]]:
    """The shipped column mappings, by name."""
    folder = resources.files("insyn.connectors").joinpath("diarium_presets")
    return {
        entry.name.removesuffix(".toml"): tomllib.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


@dataclass
class Config:
    path: Path
    columns: dict[str, str] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str = "auto"
    sheet: str | None = None
    diarium: str | None = None
    name: str | None = None
    owner: str | None = None

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        values = parse(KIND, OPTIONS, options)
        if not url:
            raise ConfigError("En diarium-csv-källa behöver --url (sökvägen till CSV/XLSX-filen)")
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise ConfigError("diarium-csv läser en fil; ange sökvägen som --url")
        columns: dict[str, str] = {}
        directions: dict[str, str] = {}
        delimiter = values["delimiter"] or None
        preset_name = values["mapping"]
        if preset_name:
            known = presets()
            if preset_name not in known:
                raise ConfigError(
                    f"Okänd mappning '{preset_name}'. Kända: {', '.join(sorted(known))}"
                )
            preset = known[preset_name]
            columns.update(preset.get("columns", {}))
            directions.update(preset.get("direction", {}))
            delimiter = delimiter or preset.get("delimiter")
        for name, value in values["column.*"].items():
            if name not in FIELDS:
                raise ConfigError(
                    f"Okänt fält '{name}' i column.{name}. Kända fält: {', '.join(FIELDS)}"
                )
            columns[name] = value
        if "diarienummer" not in columns:
            raise ConfigError(
                "Ange vilken kolumn som är diarienumret: --option mapping=<förval> eller "
                "--option column.diarienummer=<kolumnrubrik>"
            )
        encoding = (values["encoding"] or "auto").lower()
        if encoding != "auto":
            try:
                codecs.lookup(encoding)
            except LookupError as exc:
                raise ConfigError(f"Okänd teckenkodning '{encoding}'") from exc
        return cls(
            path=Path(parsed.path if url.startswith("file:") else url),
            columns=columns,
            directions={k.lower(): v for k, v in directions.items()},
            delimiter=delimiter,
            encoding=encoding,
            sheet=values["sheet"] or None,
            diarium=values["diarium"] or None,
            name=values["name"] or None,
            owner=values["owner"] or None,
        )


def detect_encoding(path: Path) -> str:
    """UTF-8 with BOM, UTF-8, else Windows-1252 (read in chunks, never whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        first = handle.read(1 << 16)
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(1 << 20)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _csv_rows(config: Config) -> Iterator[list[Any]]:
    encoding = detect_encoding(config.path) if config.encoding == "auto" else config.encoding
    with config.path.open("r", encoding=encoding, newline="") as handle:
        delimiter = config.delimiter
        if not delimiter:
            sample = handle.read(1 << 15)
            handle.seek(0)
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
            except csv.Error:
                delimiter = ";"
        yield from csv.reader(handle, delimiter=delimiter)


def _xlsx_rows(config: Config) -> Iterator[list[Any]]:
    import openpyxl  # only XLSX sources need it

    try:
        book = openpyxl.load_workbook(config.path, read_only=True, data_only=True)
    except Exception as exc:
        raise ConnectorError(f"{config.path} kan inte läsas som XLSX: {exc}") from exc
    try:
        sheet = book[config.sheet] if config.sheet else book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


class _Rows:
    """Finds each field's column in one file's header row."""

    def __init__(self, config: Config, header: list[Any]) -> None:
        names = [cell_text(h).casefold() for h in header]
        self.positions: dict[str, int] = {}
        self.columns = config.columns
        missing = []
        for name, column in config.columns.items():
            if column.casefold() in names:
                self.positions[name] = names.index(column.casefold())
            elif name not in OPTIONAL_FIELDS:
                missing.append(column)
        if "diarienummer" not in self.positions:
            raise ConnectorError(
                f"Kolumnen '{config.columns['diarienummer']}' (diarienummer) finns inte i "
                f"filens rubrikrad: {', '.join(cell_text(h) for h in header)}"
            )
        self.missing = missing

    def row(self, values: list[Any]) -> Row:
        """One row's values by field name."""
        by_field = {
            name: values[position]
            for name, position in self.positions.items()
            if position < len(values)
        }
        return Row(by_field, self.columns)


def _map_row(row: Row, register: Register, cases: dict[str, Item]) -> Iterator[Item]:
    facts = diarium_csv_read.read_row(row, register)
    key = facts.normalised
    if key not in cases:
        # Held until every row is read (``harvest``): a later row may mark the case.
        first = diarium_csv_read.case(row, register, facts)
        cases[key] = Item(f"arende:{key}", first, list(facts.warnings))
    case = cases[key].record
    diarium_csv_read.add_to_case(case, facts)
    if facts.is_document:
        document = diarium_csv_read.document(row, register, facts, case)
        ident = row.text("document_number") or row.text("document_title")
        yield Item(f"handling:{key}-{ident}", document, facts.warnings)


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield the register, then each row's case (once) and document."""
    path = config.path
    if not path.is_file():
        raise ConnectorError(f"Filen {path} finns inte")
    stat = path.stat()
    validators = {"etag": f"{stat.st_mtime_ns}-{stat.st_size}"}
    new_cursor = Cursor(http={str(path): validators})
    if cursor.http.get(str(path)) == validators:
        yield Done(new_cursor, complete=False, not_modified=True)
        return
    is_xlsx = path.suffix.lower() in {".xlsx", ".xlsm"}
    try:
        source_rows = _xlsx_rows(config) if is_xlsx else _csv_rows(config)
        header = next(source_rows, None)
    except UnicodeDecodeError as exc:
        raise ConnectorError(f"{path} kunde inte avkodas som {config.encoding}: {exc}") from exc
    if header is None:
        raise ConnectorError(f"{path} är tom")
    rows = _Rows(config, header)
    dataset, register = diarium_csv_read.register(
        path.stem,
        name=config.name,
        owner=config.owner,
        uri=config.diarium,
        directions=config.directions,
    )
    warnings = [f"Kolumnen '{c}' finns inte i filen" for c in rows.missing]
    yield Item("diarium", dataset, warnings)
    cases: dict[str, Item] = {}
    number = 1
    try:
        for number, values in enumerate(source_rows, start=2):
            if not any(cell_text(v) for v in values):
                continue
            row = rows.row(values)
            written = row.text("diarienummer")
            ident = row.text("document_number") or row.text("document_title")
            dnr = normalise_diarienummer(written) or written
            key = f"handling:{dnr}-{ident}" if written and ident else None
            with RecordGuard(key, what=f"Rad {number}") as guard:
                try:
                    mapped: list[Yielded] = list(_map_row(row, register, cases))
                except RowError as exc:  # a value its column cannot hold: name the column
                    reason = f"Rad {number}, kolumn '{exc.column}' (dnr {written or 'saknas'})"
                    mapped = [Failure(key, f"{reason}: {exc}", exc.column)]
            yield from [guard.failure] if guard.failure else mapped
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConnectorError(f"{path}: raden efter rad {number} kan inte läsas: {exc}") from exc
    yield from cases.values()
    yield Done(new_cursor)
