"""Diarium exports as CSV or XLSX: one row per registered document (or per case).

Case-management products export their diarium as spreadsheets with their own column
names. A source names its columns with a shipped preset (``--option mapping=ciceron-lik``,
presets in ``diarium_presets/*.toml``) and/or column by column
(``--option column.diarienummer=Dnr``), which overrides the preset.

Fields (``column.<field>``): diarienummer (required), case_title, case_status, opened,
closed, unit, process_code, document_number, document_title, date, direction,
document_type, sender, recipient, party, party_private, secrecy, personal_data,
attachments, case_public_title, document_public_title (the source's name-free titles for
the public). Whether a party is a private individual is ``insyn.vocab.parties.
is_private_individual``'s decision (failing closed; party_private's "ja"/"nej" is the
source's word); each document carries its case's private parties met so far. A row with
document fields becomes a Document; the first row of each diarienummer also makes its
Case, so a case-only export works as well. Cases are yielded after the last row, when all
their rows are read, as rows come in any order: a case is secret-marked (masked for the
public) when any of its rows is, a case-level row or a document, and then names the
first provision given.

Values: dates in the Swedish forms "2024-03-05", "2024-03-05 14:22", "5 mars 2024",
"05.03.2024", "20240305" (and real dates in XLSX); directions I/In/Inkommen, U/Ut/
Utgående, E/Upprättad/Internt …; secrecy as an OSL reference ("OSL 26:1",
"26 kap. 1 § OSL"), "Ja"/"Sekretess" (no provision: kept secret, with a warning) or empty/
"Nej". Encoding: UTF-8, UTF-8 with BOM or Windows-1252, detected. A bad row is a
``Failure`` naming its row number and column; the rest of the file is read.

Options: ``OPTIONS`` below.
"""

from __future__ import annotations

import codecs
import csv
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from insyn.connectors.base import Cursor, Done, Failure, Item, RecordGuard, Yielded
from insyn.connectors.options import Option, parse
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.diarienummer import normalise_diarienummer
from insyn.vocab.model import (
    NON_PUBLIC,
    Agent,
    Attachment,
    Case,
    Dataset,
    Document,
    Governance,
    Party,
)
from insyn.vocab.parties import flag, is_private_individual, with_case_parties
from insyn.vocab.personal_data import find_personnummer
from insyn.vocab.profiles.erms_read import normalise_osl

KIND = "diarium-csv"

FIELDS = (
    "diarienummer",
    "case_title",
    "case_status",
    "opened",
    "closed",
    "unit",
    "process_code",
    "document_number",
    "document_title",
    "date",
    "direction",
    "document_type",
    "sender",
    "recipient",
    "party",
    "party_private",
    "secrecy",
    "personal_data",
    "attachments",
    "case_public_title",
    "document_public_title",
)
# Columns a preset may name that many exports lack: no warning when missing.
OPTIONAL_FIELDS = ("case_public_title", "document_public_title")
DOCUMENT_FIELDS = ("document_number", "document_title", "date", "direction", "document_type")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("mars", "mar"),
            ("april", "apr"),
            ("maj",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augusti", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
DIRECTIONS = {
    **dict.fromkeys(["i", "in", "ink", "inkommen", "inkommande", "inkommit"], "incoming"),
    **dict.fromkeys(["u", "ut", "utg", "utgående", "utgaende", "expedierad"], "outgoing"),
    **dict.fromkeys(
        ["e", "upp", "upprättad", "upprattad", "internt", "intern", "pm", "x", "egen"],
        "drawn-up",
    ),
}
_YES = {"ja", "j", "x", "1", "true", "sant", "yes"}
_NO = {"", "nej", "n", "0", "false", "falskt", "no", "-", "offentlig", "ingen"}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?")
_DOTTED = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s+\d{1,2}[:.]\d{2})?")
_WORDS = re.compile(r"(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})", re.IGNORECASE)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_UNNAMED_PROVISION = "bestämmelse ej angiven"

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


class RowError(ValueError):
    """A value in a row that cannot be read; names the column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def parse_swedish_date(value: object) -> date | None:
    """Read a date as Swedish exports write it; None for empty.

    Raises:
        ValueError: not a date in any known form.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    for pattern, order in ((_ISO, "ymd"), (_DOTTED, "dmy"), (_COMPACT, "ymd")):
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            return date(parts["y"], parts["m"], parts["d"])
    match = _WORDS.fullmatch(text)
    if match and match.group(2).lower() in MONTHS:
        return date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    raise ValueError(f"'{text}' är inget datum i en känd form (t.ex. 2024-03-05, 5 mars 2024)")


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


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class _Rows:
    """Reads one file's rows by field name."""

    def __init__(self, config: Config, header: list[Any]) -> None:
        names = [_text(h).casefold() for h in header]
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
                f"filens rubrikrad: {', '.join(_text(h) for h in header)}"
            )
        self.missing = missing

    def get(self, row: list[Any], name: str) -> Any:
        position = self.positions.get(name)
        if position is None or position >= len(row):
            return None
        return row[position]

    def text(self, row: list[Any], name: str) -> str:
        return _text(self.get(row, name))

    def date(self, row: list[Any], name: str) -> date | None:
        try:
            return parse_swedish_date(self.get(row, name))
        except ValueError as exc:
            raise RowError(self.columns[name], str(exc)) from exc


def _party(name: str, role: str, private_flag: str) -> Party:
    private = is_private_individual(name, flagged_private=flag(private_flag))
    return Party(name=name, role=role, is_private_individual=private)


def _governance(rows: _Rows, row: list[Any], owner: str | None) -> tuple[Governance, list[str]]:
    governance = Governance(information_owner=owner)
    warnings: list[str] = []
    secrecy = rows.text(row, "secrecy")
    if secrecy.casefold() not in _NO:
        governance.access_rights = NON_PUBLIC
        if secrecy.casefold() in _YES | {"sekretess", "sekr", "sekretessmarkerad", "hemlig"}:
            governance.secrecy_provision = _UNNAMED_PROVISION
            warnings.append(
                f"Kolumnen '{rows.columns['secrecy']}' säger sekretess men anger ingen "
                "bestämmelse; posten behandlas som sekretessmarkerad"
            )
        else:
            governance.secrecy_provision = normalise_osl(secrecy)
    flag = rows.text(row, "personal_data").casefold()
    if flag in _YES:
        governance.contains_personal_data = True
    elif flag and flag in _NO:
        governance.contains_personal_data = False
    return governance, warnings


def _mark_case(case: Governance, row: Governance) -> None:
    """Carry a secret-marked row's secrecy to its case's governance: one masks the case."""
    if not row.secrecy_provision:
        return
    case.access_rights = NON_PUBLIC
    if case.secrecy_provision in (None, _UNNAMED_PROVISION):
        case.secrecy_provision = row.secrecy_provision
    if row.contains_personal_data:
        case.contains_personal_data = True


def _map_row(
    rows: _Rows, row: list[Any], context: dict[str, Any], cases: dict[str, Item]
) -> Iterator[Item]:
    written = rows.text(row, "diarienummer")
    if not written:
        raise RowError(rows.columns["diarienummer"], "diarienummer saknas")
    normalised = normalise_diarienummer(written) or written
    warnings: list[str] = []
    if normalise_diarienummer(written) is None:
        warnings.append(f"Diarienumret '{written}' har ingen känd form; det sparas som skrivet")
    governance, more = _governance(rows, row, context["owner"])
    warnings += more
    private_flag = rows.text(row, "party_private")
    parties = [
        _party(name, role, private_flag)
        for role, name in (
            ("part", rows.text(row, "party")),
            ("avsändare", rows.text(row, "sender")),
            ("mottagare", rows.text(row, "recipient")),
        )
        if name
    ]
    diarium, publisher = context["diarium"], context["publisher"]
    is_document = any(rows.text(row, name) for name in DOCUMENT_FIELDS)
    if normalised not in cases:
        case_public = rows.text(row, "case_public_title")
        case = Case(
            uri=f"{diarium}/arende/{normalised}",
            title={"sv": rows.text(row, "case_title")} if rows.text(row, "case_title") else {},
            public_title={"sv": case_public} if case_public else {},
            publisher=publisher,
            diarienummer=written,
            diarienummer_normalised=normalised,
            status=rows.text(row, "case_status") or None,
            opened=rows.date(row, "opened") or (None if is_document else rows.date(row, "date")),
            closed=rows.date(row, "closed"),
            responsible_unit=rows.text(row, "unit") or None,
            parties=[] if is_document else parties,
            diarium=diarium,
        )
        case.governance = Governance(
            information_owner=context["owner"],
            process_code=rows.text(row, "process_code") or None,
        )
        if not is_document:
            case.governance.contains_personal_data = governance.contains_personal_data
        # Held until every row is read (``harvest``): a later row may mark the case.
        cases[normalised] = Item(f"arende:{normalised}", case, list(warnings))
    _mark_case(cases[normalised].record.governance, governance)
    # The case carries the private parties of all its rows, each document the case's met so
    # far: public masking then finds their names in every record's own texts.
    case_parties = cases[normalised].record.parties
    case_parties[:] = with_case_parties(case_parties, parties)
    if not is_document:
        return
    direction_text = rows.text(row, "direction")
    direction = None
    if direction_text:
        key = direction_text.casefold()
        direction = context["directions"].get(key) or DIRECTIONS.get(key)
        if direction is None:
            raise RowError(
                rows.columns["direction"],
                f"okänd riktning '{direction_text}' (I/In/Inkommen, U/Ut/Utgående, E/Upprättad)",
            )
    number = rows.text(row, "document_number")
    title = rows.text(row, "document_title")
    public_title = rows.text(row, "document_public_title")
    document = Document(
        uri=f"{diarium}/handling/{normalised}-{number or title}",
        title={"sv": title} if title else {},
        public_title={"sv": public_title} if public_title else {},
        publisher=publisher,
        case_diarienummer=normalised,
        document_number=number or None,
        date=rows.date(row, "date"),
        direction=direction,  # type: ignore[arg-type]
        document_type=rows.text(row, "document_type") or None,
        parties=parties,
        attachments=[
            Attachment(name=name.strip(), format=Path(name.strip()).suffix.lstrip(".") or None)
            for name in re.split(r"[;|\n]", rows.text(row, "attachments"))
            if name.strip()
        ],
        diarium=diarium,
    )
    document.governance = governance
    document.governance.process_code = rows.text(row, "process_code") or None
    if any(p.is_private_individual for p in parties) or find_personnummer(title):
        document.governance.contains_personal_data = True
    document.parties = with_case_parties(parties, case_parties)
    yield Item(f"handling:{normalised}-{number or title}", document, warnings)


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
    name = config.name or f"Diarium – {config.owner or path.stem}"
    diarium = config.diarium or f"urn:insyn:diarium:{path.stem.lower()}"
    publisher = Agent(name={"sv": config.owner}) if config.owner else None
    register = Dataset(
        uri=diarium,
        title={"sv": name},
        description={"sv": "Register över ärenden och handlingar, skördat från en diarieexport."},
        publisher=publisher,
        identifier=[diarium],
    )
    register.governance = Governance(information_owner=config.owner)
    warnings = [f"Kolumnen '{c}' finns inte i filen" for c in rows.missing]
    yield Item("diarium", register, warnings)
    context = {
        "diarium": diarium,
        "publisher": publisher,
        "owner": config.owner,
        "directions": config.directions,
    }
    cases: dict[str, Item] = {}
    number = 1
    try:
        for number, row in enumerate(source_rows, start=2):
            if not any(_text(v) for v in row):
                continue
            written = rows.text(row, "diarienummer")
            ident = rows.text(row, "document_number") or rows.text(row, "document_title")
            dnr = normalise_diarienummer(written) or written
            key = f"handling:{dnr}-{ident}" if written and ident else None
            with RecordGuard(key, what=f"Rad {number}") as guard:
                try:
                    mapped: list[Yielded] = list(_map_row(rows, row, context, cases))
                except RowError as exc:  # a value its column cannot hold: name the column
                    reason = f"Rad {number}, kolumn '{exc.column}' (dnr {written or 'saknas'})"
                    mapped = [Failure(key, f"{reason}: {exc}", exc.column)]
            yield from [guard.failure] if guard.failure else mapped
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConnectorError(f"{path}: raden efter rad {number} kan inte läsas: {exc}") from exc
    yield from cases.values()
    yield Done(new_cursor)
