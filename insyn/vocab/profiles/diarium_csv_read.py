"""Read profile for diarium exports as spreadsheets: a row → ``Case`` and ``Document``.

The ``diarium-csv`` connector reads the file (CSV or XLSX, its encoding), finds each
field's column and groups rows per case; this profile reads one row's values by field
name (``Row``) and makes the records: the register (``register``), what a row says
(``read_row``), the case its first row describes (``case``), what each row adds to its
case (``add_to_case``: secrecy, private parties) and the row's document (``document``).

Values: dates in the Swedish forms "2024-03-05", "2024-03-05 14:22", "5 mars 2024",
"05.03.2024", "20240305" (and real dates in XLSX); directions I/In/Inkommen, U/Ut/
Utgående, E/Upprättad/Internt … (a preset may add its own words); secrecy as an OSL
reference ("OSL 26:1", "26 kap. 1 § OSL"), "Ja"/"Sekretess" (no provision: kept secret,
with a warning) or empty/"Nej". Whether a party is a private individual is
``insyn.vocab.parties.is_private_individual``'s decision (failing closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from insyn.vocab.diarienummer import normalise_diarienummer
from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
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

# The fields a source names a column for (``column.<field>``), as the rows are read.
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
    "party_type",
    "party_id",
    "secrecy",
    "personal_data",
    "attachments",
    "case_public_title",
    "document_public_title",
)
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


def cell_text(value: object) -> str:
    """A cell's value as one line of text ("" for empty; 12.0 from a spreadsheet is "12")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


class Row:
    """One row's values by field name; ``columns`` names each field's column, for messages."""

    def __init__(self, values: dict[str, Any], columns: dict[str, str]) -> None:
        self.values = values
        self.columns = columns

    def text(self, name: str) -> str:
        return cell_text(self.values.get(name))

    def date(self, name: str) -> date | None:
        try:
            return parse_swedish_date(self.values.get(name))
        except ValueError as exc:
            raise RowError(self.columns[name], str(exc)) from exc


@dataclass
class Register:
    """What every row of one export shares."""

    uri: str
    publisher: Agent | None
    owner: str | None
    directions: dict[str, str]  # the preset's own direction words, lower case


def register(
    stem: str, *, name: str | None, owner: str | None, uri: str | None, directions: dict[str, str]
) -> tuple[Dataset, Register]:
    """The register (a dataset) of the export whose file is named ``stem``, and the context
    its rows are mapped in.

    With neither ``name`` nor ``owner`` nothing public names the register: the file's stem
    is an internal key ("p360"), so the register is titled "Diarium" and kept internal
    (out of public search), never a public dataset named after the key.
    """
    title = name or (f"Diarium – {owner}" if owner else "Diarium")
    diarium = uri or f"urn:insyn:diarium:{stem.lower()}"
    publisher = Agent(name={"sv": owner}) if owner else None
    dataset = Dataset(
        uri=diarium,
        title={"sv": title},
        description={"sv": "Register över ärenden och handlingar, skördat från en diarieexport."},
        publisher=publisher,
        identifier=[diarium],
    )
    dataset.governance = Governance(
        information_owner=owner,
        description_visibility=None if name or owner else DESCRIPTION_INTERNAL,
    )
    return dataset, Register(diarium, publisher, owner, directions)


def _party(name: str, role: str, private_flag: str, kind: str = "", number: str = "") -> Party:
    """A party of a row; ``kind`` and ``number`` are the source's own party type and
    identifier (columns ``party_type``, ``party_id``) where it gives them."""
    private = is_private_individual(
        name,
        identifiers=[number] if number else (),
        organisation_type=kind or None,
        flagged_private=flag(private_flag),
    )
    return Party(name=name, role=role, is_private_individual=private, identifier=number or None)


def _governance(row: Row, owner: str | None) -> tuple[Governance, list[str]]:
    governance = Governance(information_owner=owner)
    warnings: list[str] = []
    secrecy = row.text("secrecy")
    if secrecy.casefold() not in _NO:
        governance.access_rights = NON_PUBLIC
        if secrecy.casefold() in _YES | {"sekretess", "sekr", "sekretessmarkerad", "hemlig"}:
            governance.secrecy_provision = _UNNAMED_PROVISION
            warnings.append(
                f"Kolumnen '{row.columns['secrecy']}' säger sekretess men anger ingen "
                "bestämmelse; posten behandlas som sekretessmarkerad"
            )
        else:
            governance.secrecy_provision = normalise_osl(secrecy)
    flag = row.text("personal_data").casefold()
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


@dataclass
class RowFacts:
    """What one row says before it is a case or a document."""

    written: str  # the diarienummer as written
    normalised: str
    governance: Governance
    parties: list[Party]
    is_document: bool
    warnings: list[str]


def read_row(row: Row, register: Register) -> RowFacts:
    """Read a row's diarienummer, secrecy and parties.

    Raises:
        RowError: the row has no diarienummer.
    """
    written = row.text("diarienummer")
    if not written:
        raise RowError(row.columns["diarienummer"], "diarienummer saknas")
    normalised = normalise_diarienummer(written) or written
    warnings: list[str] = []
    if normalise_diarienummer(written) is None:
        warnings.append(f"Diarienumret '{written}' har ingen känd form; det sparas som skrivet")
    governance, more = _governance(row, register.owner)
    warnings += more
    private_flag = row.text("party_private")
    parties = [
        _party(name, role, private_flag, *facts)
        for role, name, facts in (
            # The type and identifier columns describe the party column's party.
            ("part", row.text("party"), (row.text("party_type"), row.text("party_id"))),
            ("avsändare", row.text("sender"), ()),
            ("mottagare", row.text("recipient"), ()),
        )
        if name
    ]
    is_document = any(row.text(name) for name in DOCUMENT_FIELDS)
    return RowFacts(written, normalised, governance, parties, is_document, warnings)


def case(row: Row, register: Register, facts: RowFacts) -> Case:
    """The case as the first row of its diarienummer describes it.

    Raises:
        RowError: a date the row gives for the case is no date.
    """
    case_public = row.text("case_public_title")
    diarium = register.uri
    record = Case(
        uri=f"{diarium}/arende/{facts.normalised}",
        title={"sv": row.text("case_title")} if row.text("case_title") else {},
        public_title={"sv": case_public} if case_public else {},
        publisher=register.publisher,
        diarienummer=facts.written,
        diarienummer_normalised=facts.normalised,
        status=row.text("case_status") or None,
        opened=row.date("opened") or (None if facts.is_document else row.date("date")),
        closed=row.date("closed"),
        responsible_unit=row.text("unit") or None,
        parties=[] if facts.is_document else facts.parties,
        diarium=diarium,
    )
    record.governance = Governance(
        information_owner=register.owner,
        process_code=row.text("process_code") or None,
    )
    if not facts.is_document:
        record.governance.contains_personal_data = facts.governance.contains_personal_data
    return record


def add_to_case(case: Case, facts: RowFacts) -> None:
    """Add one of its rows to a case: a secret-marked row marks the case, and the case
    carries the private parties of all its rows (public masking then finds their names in
    every record's own texts)."""
    _mark_case(case.governance, facts.governance)
    case.parties[:] = with_case_parties(case.parties, facts.parties)


def document(row: Row, register: Register, facts: RowFacts, case: Case) -> Document:
    """The row's document, carrying its case's private parties met so far.

    Raises:
        RowError: an unknown direction or a date that is no date.
    """
    direction_text = row.text("direction")
    direction = None
    if direction_text:
        key = direction_text.casefold()
        direction = register.directions.get(key) or DIRECTIONS.get(key)
        if direction is None:
            raise RowError(
                row.columns["direction"],
                f"okänd riktning '{direction_text}' (I/In/Inkommen, U/Ut/Utgående, E/Upprättad)",
            )
    number = row.text("document_number")
    title = row.text("document_title")
    public_title = row.text("document_public_title")
    diarium = register.uri
    record = Document(
        uri=f"{diarium}/handling/{facts.normalised}-{number or title}",
        title={"sv": title} if title else {},
        public_title={"sv": public_title} if public_title else {},
        publisher=register.publisher,
        case_diarienummer=facts.normalised,
        document_number=number or None,
        date=row.date("date"),
        direction=direction,  # type: ignore[arg-type]
        document_type=row.text("document_type") or None,
        parties=facts.parties,
        attachments=[
            Attachment(name=name.strip(), format=Path(name.strip()).suffix.lstrip(".") or None)
            for name in re.split(r"[;|\n]", row.text("attachments"))
            if name.strip()
        ],
        diarium=diarium,
    )
    record.governance = facts.governance
    record.governance.process_code = row.text("process_code") or None
    if any(p.is_private_individual for p in facts.parties) or find_personnummer(title):
        record.governance.contains_personal_data = True
    record.parties = with_case_parties(facts.parties, case.parties)
    return record
