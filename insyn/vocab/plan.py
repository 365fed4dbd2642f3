"""The information-management plan (informationshanteringsplan): its rows and its rules.

A plan row says, for one record type in one process (a KLASSA process code), whether it
is kept (bevaras) or disposed of (gallras, after a period), which secrecy provision
typically applies, whether it holds personal data, whether its description is public or
internal (``beskrivning``: offentlig/intern), and optionally K/R/T levels. A row
becomes a rule that fills those values on harvested records *where the source says
nothing*, recording which rule did so.

A rule never makes a record more public than its source said: it may add a secrecy
provision, a "contains personal data" flag or a retention rule, but it never removes
one, never says "no personal data" (that could loosen masking) and never lowers a
confidentiality level below 1 on a record that is not public or is secret-marked.
"intern" always makes a description internal; "offentlig" makes public only a
description that was internal by its source kind's default alone (``apply_rule``'s
``kind_default``), never one the record or its source's option said was internal.

Reading: ``read_plan(path)`` takes CSV (``;`` or ``,``, UTF-8) or XLSX with these
headers (case and accents do not matter; only ``processkod`` and ``bevaras_gallras``
are required)::

    id; processkod; process; handlingstyp; posttyp; dokumenttyp; källa;
    bevaras_gallras; gallringsfrist; sekretess; personuppgifter; beskrivning; k; r; t

Pure: no database. ``insyn.catalogue.followup`` stores rules and applies them.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insyn.errors import VocabError
from insyn.vocab.model import DESCRIPTION_INTERNAL, DESCRIPTION_PUBLIC, PUBLIC, RECORD_KINDS

REQUIRED = ("processkod", "bevaras_gallras")
_ALIASES = {
    "regel": "id",
    "klassa": "processkod",
    "processkod_klassa": "processkod",
    "handlingstyp": "handlingstyp",
    "typ_av_post": "posttyp",
    "kalla": "kalla",
    "bevaras_eller_gallras": "bevaras_gallras",
    "atgard": "bevaras_gallras",
    "gallringsfrist": "gallringsfrist",
    "frist": "gallringsfrist",
    "sekretess": "sekretess",
    "osl": "sekretess",
    "personuppgifter": "personuppgifter",
    "beskrivningens_synlighet": "beskrivning",
    "synlighet": "beskrivning",
    "konfidentialitet": "k",
    "riktighet": "r",
    "tillganglighet": "t",
}
_PROCESS_CODE = re.compile(r"^\d+(\.\d+)*$")
_YES = {"ja", "j", "yes", "y", "true", "1", "x"}
_NO = {"nej", "n", "no", "false", "0"}
_DESCRIPTION = {
    "intern": DESCRIPTION_INTERNAL,
    "internal": DESCRIPTION_INTERNAL,
    "offentlig": DESCRIPTION_PUBLIC,
    "public": DESCRIPTION_PUBLIC,
}


@dataclass(frozen=True)
class PlanRule:
    """One row of the plan, as a rule."""

    key: str  # stable id: the row's own id, else "rad N"
    process_code: str
    action: str  # bevaras or gallras
    period: str | None = None
    process: str | None = None
    record_type: str | None = None  # handlingstyp, for people
    record_kind: str | None = None  # dataset, dataservice, case, document
    document_type: str | None = None
    source: str | None = None
    secrecy: str | None = None  # OSL provision, e.g. "26 kap. 1 § OSL"
    personal_data: bool | None = None
    confidentiality: int | None = None
    integrity: int | None = None
    availability: int | None = None
    description: str | None = None  # the description's visibility: public or internal

    def matches(
        self,
        *,
        process_code: str | None,
        kind: str | None,
        document_type: str | None,
        source: str | None,
    ) -> bool:
        """Return whether the rule applies; every criterion the rule sets must match."""
        if not process_code or not (
            process_code == self.process_code or process_code.startswith(self.process_code + ".")
        ):
            return False
        if self.record_kind and self.record_kind != kind:
            return False
        if self.source and self.source != source:
            return False
        wanted = (self.document_type or "").casefold()
        return not wanted or (document_type or "").casefold() == wanted

    @property
    def specificity(self) -> tuple[int, int]:
        criteria = sum(bool(v) for v in (self.record_kind, self.document_type, self.source))
        return (self.process_code.count(".") + 1, criteria)

    def describe(self) -> str:
        what = self.record_type or self.process or self.process_code
        return f"{self.key}: {self.process_code} {what}"


def _header(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return _ALIASES.get(text, text)


def _level(value: str, column: str, where: str) -> int | None:
    if not value:
        return None
    if value not in {"0", "1", "2", "3"}:
        raise VocabError(f"{where}: {column.upper()} ska vara 0–3, inte '{value}'")
    return int(value)


def rule_from_row(row: Mapping[str, str], number: int) -> PlanRule:
    """Build a rule from one row (headers already normalised).

    Raises:
        VocabError: a required value is missing or a value is not understood.
    """
    where = f"rad {number}"
    value = {key: (row.get(key) or "").strip() for key in row}
    code = value.get("processkod", "")
    if not _PROCESS_CODE.match(code):
        raise VocabError(f"{where}: processkoden '{code}' ska se ut som 3.4.1")
    action = value.get("bevaras_gallras", "").lower()
    if action.startswith("bevara"):
        action = "bevaras"
    elif action.startswith("gallr"):
        action = "gallras"
    else:
        raise VocabError(f"{where}: ange 'bevaras' eller 'gallras', inte '{action}'")
    period = value.get("gallringsfrist") or None
    if action == "gallras" and not period:
        raise VocabError(f"{where}: gallras kräver en gallringsfrist (t.ex. '2 år')")
    kind = value.get("posttyp", "").lower() or None
    if kind and kind not in RECORD_KINDS:
        raise VocabError(f"{where}: posttyp '{kind}' ska vara en av {', '.join(RECORD_KINDS)}")
    personal = value.get("personuppgifter", "").lower()
    if personal and personal not in _YES | _NO:
        raise VocabError(f"{where}: personuppgifter ska vara ja eller nej, inte '{personal}'")
    description = value.get("beskrivning", "").lower()
    if description and description not in _DESCRIPTION:
        raise VocabError(
            f"{where}: beskrivning ska vara offentlig eller intern, inte '{description}'"
        )
    secrecy = value.get("sekretess") or None
    if secrecy and secrecy.lower() in {"nej", "-", "ingen", "offentlig"}:
        secrecy = None
    return PlanRule(
        key=value.get("id") or where,
        process_code=code,
        action=action,
        period=period if action == "gallras" else None,
        process=value.get("process") or None,
        record_type=value.get("handlingstyp") or None,
        record_kind=kind,
        document_type=value.get("dokumenttyp") or None,
        source=value.get("kalla") or None,
        secrecy=secrecy,
        personal_data=True if personal in _YES else False if personal in _NO else None,
        confidentiality=_level(value.get("k", ""), "k", where),
        integrity=_level(value.get("r", ""), "r", where),
        availability=_level(value.get("t", ""), "t", where),
        description=_DESCRIPTION.get(description),
    )


def rules_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[PlanRule]:
    """Build rules from raw rows (any header spelling); row 1 is the header row.

    Raises:
        VocabError: a required column is missing, a row is invalid, or an id repeats.
    """
    rules: list[PlanRule] = []
    checked = False
    for number, raw in enumerate(rows, start=2):
        row = {_header(str(k)): "" if v is None else str(v) for k, v in raw.items() if k}
        if not checked:
            missing = [name for name in REQUIRED if name not in row]
            if missing:
                raise VocabError(f"Planen saknar kolumnen {', '.join(missing)}")
            checked = True
        if not any(value.strip() for value in row.values()):
            continue
        rules.append(rule_from_row(row, number))
    keys = [rule.key for rule in rules]
    if len(keys) != len(set(keys)):
        raise VocabError("Planen har två rader med samma id")
    return rules


def read_plan(path: Path) -> list[PlanRule]:
    """Read a plan from a CSV or XLSX file.

    Raises:
        VocabError: the file cannot be read or a row is invalid.
    """
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return rules_from_rows(_xlsx_rows(path))
    text = path.read_bytes().decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,\t")
    return rules_from_rows(csv.DictReader(io.StringIO(text), dialect=dialect))


def _xlsx_rows(path: Path) -> list[dict[str, Any]]:
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise VocabError("XLSX kräver paketet openpyxl") from exc
    try:
        sheet = load_workbook(path, read_only=True, data_only=True).active
    except Exception as exc:
        raise VocabError(f"Kunde inte läsa {path.name} som XLSX: {exc}") from exc
    rows = list(sheet.iter_rows(values_only=True)) if sheet is not None else []
    if not rows:
        return []
    header = [str(cell or "") for cell in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def best_rule(
    rules: Sequence[PlanRule],
    *,
    process_code: str | None,
    kind: str | None,
    document_type: str | None = None,
    source: str | None = None,
) -> PlanRule | None:
    """Return the most specific rule that applies (longest process code, most criteria)."""
    found: PlanRule | None = None
    for rule in rules:
        if rule.matches(
            process_code=process_code, kind=kind, document_type=document_type, source=source
        ) and (found is None or rule.specificity > found.specificity):
            found = rule
    return found


@dataclass(frozen=True)
class Derived:
    """What applying a rule filled in: field path → the rule's key."""

    data: dict[str, Any]
    fields: dict[str, str]


def apply_rule(
    data: Mapping[str, Any], rule: PlanRule, plan: str, *, kind_default: str | None = None
) -> Derived:
    """Return the record's plain data with the rule's values filled where it has none.

    ``fields`` names each governance field filled (``governance.retention`` …). The
    retention's ``derived_from`` names the plan and the rule. ``kind_default`` is the
    description visibility the record has by its source kind's default alone (None when
    the record or its source's option said it): a rule may replace that, and always
    make a description internal.
    """
    result = copy.deepcopy(dict(data))
    governance: dict[str, Any] = result.setdefault("governance", {})
    reference = f"{plan}: {rule.describe()}"
    filled: dict[str, str] = {}
    if not governance.get("retention"):
        governance["retention"] = {
            "action": rule.action,
            "period": rule.period,
            "derived_from": reference,
        }
        filled["governance.retention"] = rule.key
    if rule.secrecy and not governance.get("secrecy_provision"):
        governance["secrecy_provision"] = rule.secrecy
        filled["governance.secrecy_provision"] = rule.key
    if rule.personal_data is True and governance.get("contains_personal_data") is None:
        governance["contains_personal_data"] = True
        filled["governance.contains_personal_data"] = rule.key
    described = governance.get("description_visibility")
    if (
        rule.description
        and rule.description != described
        and (rule.description == DESCRIPTION_INTERNAL or described in (None, kind_default))
    ):
        governance["description_visibility"] = rule.description
        filled["governance.description_visibility"] = rule.key
    restricted = governance.get("access_rights", PUBLIC) != PUBLIC or bool(
        governance.get("secrecy_provision")
    )
    for name, level in (
        ("confidentiality", rule.confidentiality),
        ("integrity", rule.integrity),
        ("availability", rule.availability),
    ):
        if level is None or governance.get(name) is not None:
            continue
        if name == "confidentiality" and restricted:
            level = max(level, 1)
        governance[name] = level
        filled[f"governance.{name}"] = rule.key
    return Derived(result, filled)


def strip_derived(data: Mapping[str, Any], derived_fields: Iterable[str]) -> dict[str, Any]:
    """Return the data without values an earlier rule filled (to apply a new plan)."""
    result = copy.deepcopy(dict(data))
    governance: dict[str, Any] = result.setdefault("governance", {})
    for path in derived_fields:
        name = path.removeprefix("governance.")
        if name == "personal_data_categories":
            governance[name] = []
        elif name in governance:
            governance[name] = None
    return result
