"""The diarium-csv connector: three invented product layouts, encodings, dates, bad rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from insyn.catalogue.store import Catalogue
from insyn.connectors import diarium_csv
from insyn.connectors.base import Cursor, Failure, Item
from insyn.errors import ConfigError
from insyn.harvester.engine import harvest_source
from insyn.search.backends.base import SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import Indexer
from insyn.vocab.masking import public_record
from insyn.vocab.model import NON_PUBLIC

DATA = Path(__file__).parent / "data"
CICERON = (
    "Dnr;Ärendemening;Status;Reg.datum ärende;Enhet;Klassificering;Handl.nr;"
    "Handlingsbeskrivning;Handl.datum;Riktning;Handlingstyp;Avsändare/Mottagare;Privatperson;"
    "Sekretess\n"
    "MN.2024.12;Tillsyn av livsmedelsanläggning;Öppet;5 mars 2024;Miljöenheten;4.2;1;"
    "Inspektionsrapport;05.03.2024;E;Rapport;Café Örat AB;;\n"
    "MN.2024.12;Tillsyn av livsmedelsanläggning;Öppet;5 mars 2024;Miljöenheten;4.2;2;"
    "Klagomål från granne;6 mars 2024;I;Skrivelse;Göran Åberg;x;Ja\n"
    "MN.2024.12;Tillsyn av livsmedelsanläggning;Öppet;5 mars 2024;Miljöenheten;4.2;3;"
    "Svar;2024-03-07;Q;Skrivelse;Göran Åberg;x;\n"
)


def run(path: Path, **options: str) -> list:
    return list(diarium_csv.harvest(diarium_csv.Config.from_source(str(path), options), Cursor()))


def by_key(yielded: list) -> dict[str, Item]:
    return {y.key: y for y in yielded if isinstance(y, Item)}


def test_public360_layout_utf8_bom_and_a_bad_row() -> None:
    assert diarium_csv.detect_encoding(DATA / "p360.csv") == "utf-8-sig"
    yielded = run(DATA / "p360.csv", mapping="public360-lik", owner="Exempelby kommun")
    found = by_key(yielded)
    assert {k for k in found if k.startswith("arende:")} == {
        "arende:KS 2024/123",
        "arende:SN 2024/45",
        "arende:BN 2024/7",
    }
    case = found["arende:KS 2024/123"].record
    assert (case.diarienummer, case.opened, case.responsible_unit) == (
        "KS 2024/00123",
        date(2024, 3, 5),
        "Kommunledningsförvaltningen",
    )
    assert case.governance.process_code == "1.3.2"
    second = found["handling:KS 2024/123-2"].record
    assert second.direction == "drawn-up"
    assert [a.name for a in second.attachments] == ["tjskr.docx", "bilaga.pdf"]
    secret = found["handling:SN 2024/45-1"].record
    assert (secret.governance.access_rights, secret.governance.secrecy_provision) == (
        NON_PUBLIC,
        "26 kap. 1 § OSL",
    )
    assert secret.parties[0].is_private_individual and secret.governance.contains_personal_data
    company = found["handling:BN 2024/7-1"].record.parties[0]
    assert not company.is_private_individual
    [failure] = [y for y in yielded if isinstance(y, Failure)]
    assert failure.field == "Dokumentdatum" and failure.key == "handling:SN 2024/45-2"
    assert failure.reason.startswith("Rad 5, kolumn 'Dokumentdatum'")
    assert "den femte" in failure.reason


def test_ciceron_layout_windows_1252_and_word_dates(tmp_path: Path) -> None:
    path = tmp_path / "ciceron.csv"
    path.write_bytes(CICERON.encode("cp1252"))
    assert diarium_csv.detect_encoding(path) == "cp1252"
    yielded = run(path, mapping="ciceron-lik")
    found = by_key(yielded)
    case = found["arende:MN 2024/12"].record
    assert (case.title["sv"], case.opened) == ("Tillsyn av livsmedelsanläggning", date(2024, 3, 5))
    report = found["handling:MN 2024/12-1"].record
    assert (report.date, report.direction, report.parties[0].is_private_individual) == (
        date(2024, 3, 5),
        "drawn-up",
        False,
    )
    complaint = found["handling:MN 2024/12-2"].record
    assert complaint.parties[0].name == "Göran Åberg" and complaint.parties[0].is_private_individual
    assert complaint.governance.secrecy_provision == "bestämmelse ej angiven"
    assert any("anger ingen bestämmelse" in w for w in found["handling:MN 2024/12-2"].warnings)
    [failure] = [y for y in yielded if isinstance(y, Failure)]
    assert failure.field == "Riktning" and failure.reason.startswith("Rad 4, kolumn 'Riktning'")


def test_w3d3_layout_xlsx_with_column_override(tmp_path: Path) -> None:
    path = tmp_path / "w3d3.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "Diarienr",
            "Ärende",
            "Löpnr",
            "Rubrik",
            "Datum",
            "In/Ut",
            "Part",
            "Sekr.",
            "Personuppgifter",
            "Handläggande enhet",
        ]
    )
    sheet.append(
        [
            "BN-2024-123",
            "Bygglov Ekbacken",
            1,
            "Ansökan",
            datetime(2024, 3, 5, 14, 22),
            "In",
            "Ekbacken Bygg AB",
            "",
            "Nej",
            "Bygglovsenheten",
        ]
    )
    sheet.append(
        [
            "BN-2024-123",
            "Bygglov Ekbacken",
            2,
            "Grannyttrande",
            "05.03.2024",
            "In",
            "Lisa Nilsson",
            "",
            "Ja",
            "Bygglovsenheten",
        ]
    )
    book.save(path)
    found = by_key(run(path, mapping="w3d3-lik", **{"column.document_title": "Rubrik"}))
    first = found["handling:BN 2024/123-1"].record
    assert (first.date, first.direction, first.governance.contains_personal_data) == (
        date(2024, 3, 5),
        "incoming",
        False,
    )
    assert found["handling:BN 2024/123-2"].record.governance.contains_personal_data is True
    assert found["arende:BN 2024/123"].record.responsible_unit == "Bygglovsenheten"


def test_config_errors() -> None:
    with pytest.raises(ConfigError, match="diarienumret"):
        diarium_csv.Config.from_source("x.csv", {})
    with pytest.raises(ConfigError, match="Okänd mappning"):
        diarium_csv.Config.from_source("x.csv", {"mapping": "finns-inte"})
    with pytest.raises(ConfigError, match="Okänt fält"):
        diarium_csv.Config.from_source("x.csv", {"column.dnr": "Dnr"})


@pytest.mark.parametrize("written", ["KS 2024/123", "KS.2024.123", "KS-2024-123", "2024/00123"])
def test_harvested_and_found_by_each_form(
    sqlite_catalogue: Catalogue, tmp_path: Path, written: str
) -> None:
    sqlite_catalogue.add_source(
        "p360", "diarium-csv", str(DATA / "p360.csv"), options={"mapping": "public360-lik"}
    )
    summary = harvest_source(sqlite_catalogue, "p360")
    assert (summary.status, summary.added, summary.failed) == ("completed", 8, 1)
    backend = EmbeddedBackend(tmp_path / "index")
    Indexer(sqlite_catalogue, backend).catch_up()
    hits = backend.search(SearchRequest(query=written, public_only=False)).hits
    assert {h.title for h in hits} == {"Medborgarförslag om belysning", "Tjänsteskrivelse"}


def test_public_titles_fail_closed_parties_and_case_parties_on_documents(tmp_path: Path) -> None:
    path = tmp_path / "p360.csv"
    header = (
        "Ärendenummer;Ärendetitel;Offentlig ärendetitel;Dokumentnummer;Dokumenttitel;"
        "Offentlig dokumenttitel;Dokumentdatum;Dokumentkategori;Avsändare;Mottagare\n"
    )
    path.write_text(
        header + "SN 2024/9;Bostadsanpassning – Anna-Karin Kyrklund, Storgatan 8 B;"
        "Bostadsanpassning;1;Ansökan från Anna Karin Kyrklund;Ansökan;2024-03-01;Inkommande;"
        "Anna-Karin Kyrklund;\n"
        "SN 2024/9;Bostadsanpassning – Anna-Karin Kyrklund, Storgatan 8 B;;2;"
        "Beslut till Kyrklund;;2024-03-09;Utgående;;Bankcentrum Kyrkliga\n",
        encoding="utf-8",
    )
    yielded = run(path, mapping="public360-lik")
    found = by_key(yielded)
    # The public-title columns are optional: a file without them is not warned about.
    p360 = by_key(run(DATA / "p360.csv", mapping="public360-lik"))["diarium"].warnings
    assert not [w for w in p360 if "Offentlig" in w]
    case = found["arende:SN 2024/9"].record
    assert case.public_title == {"sv": "Bostadsanpassning"}
    # The case carries the private parties of all its rows (it is yielded after them).
    assert [(p.name, p.is_private_individual) for p in case.parties] == [
        ("Anna-Karin Kyrklund", True),
        ("Bankcentrum Kyrkliga", True),
    ]
    application = found["handling:SN 2024/9-1"].record
    assert application.public_title == {"sv": "Ansökan"}
    decision = found["handling:SN 2024/9-2"].record
    assert decision.public_title == {}
    # No word in a name makes an organisation; the case's applicant rides along.
    assert [(p.name, p.role, p.is_private_individual) for p in decision.parties] == [
        ("Bankcentrum Kyrkliga", "mottagare", True),
        ("Anna-Karin Kyrklund", "part i ärendet", True),
    ]
    shown = public_record(decision)
    assert shown is not None and shown.title == {"sv": "Beslut till [namn]"}
    assert public_record(case).title == {"sv": "Bostadsanpassning"}  # type: ignore[union-attr]
    # Without the public-title column the name and address are masked instead.
    case.public_title = {}
    masked = public_record(case)
    assert masked is not None and masked.title == {"sv": "Bostadsanpassning – [namn], [adress]"}


def test_a_party_type_or_number_column_is_trusted_and_nothing_else(tmp_path: Path) -> None:
    """A source's own party type and identifier columns say who is an organisation (a
    known type, a valid organisationsnummer); a person's type wins over anything; a party
    the source calls nothing, or numbers wrongly, stays private (fails closed)."""
    path = tmp_path / "parter.csv"
    rows = [
        ("1", "Ljuset Bygg", "Företag", ""),
        ("2", "Parkföreningen Ljuset", "", "802400-0005"),
        ("3", "Kim Kyrklund", "Privatperson", ""),
        ("4", "Bankman Konsult AB", "Fysisk person", ""),  # the source says a person
        ("5", "Centrumsson Bygg & Montage", "", ""),  # an organisation? not said
        ("6", "Solgläntan", "", "802400-0006"),  # no valid number: no evidence
        ("7", "Exempelby kommun", "kommun", "212000-1124"),
    ]
    path.write_text(
        "Dnr;Ärende;Nr;Handling;Part;Parttyp;Partens id\n"
        + "".join(
            f"BN 2024/{n};Bygglov;1;Ansökan från {name};{name};{kind};{number}\n"
            for n, name, kind, number in rows
        ),
        encoding="utf-8",
    )
    columns = {
        "column.diarienummer": "Dnr",
        "column.case_title": "Ärende",
        "column.document_number": "Nr",
        "column.document_title": "Handling",
        "column.party": "Part",
        "column.party_type": "Parttyp",
        "column.party_id": "Partens id",
    }
    found = by_key(run(path, **columns))
    private = {
        n: found[f"handling:BN 2024/{n}-1"].record.parties[0].is_private_individual
        for n, *_ in rows
    }
    assert private == {
        "1": False,
        "2": False,
        "3": True,
        "4": True,
        "5": True,
        "6": True,
        "7": False,
    }
    shown = {n: public_record(found[f"handling:BN 2024/{n}-1"].record) for n, *_ in rows}
    assert shown["1"].title == {"sv": "Ansökan från Ljuset Bygg"}  # type: ignore[union-attr]
    assert shown["5"].title == {"sv": "Ansökan från [namn]"}  # type: ignore[union-attr]
    assert shown["4"].title == {"sv": "Ansökan från [namn]"}  # type: ignore[union-attr]


SECRECY_COLUMNS = {
    "column.diarienummer": "Dnr",
    "column.case_title": "Ärende",
    "column.document_number": "Nr",
    "column.document_title": "Handling",
    "column.direction": "Riktning",
    "column.secrecy": "Sekretess",
}
CASE_ROW = "SN 2024/50;Placering av barn;;;;OSL 26:1\n"
DOCUMENT_ROW = "SN 2024/50;Placering av barn;1;Kallelse till möte;U;\n"


@pytest.mark.parametrize("order", ["case row first", "case row last"])
def test_a_case_level_secrecy_row_counts_in_any_order(tmp_path: Path, order: str) -> None:
    path = tmp_path / "d.csv"
    rows = [CASE_ROW, DOCUMENT_ROW] if order == "case row first" else [DOCUMENT_ROW, CASE_ROW]
    path.write_text("Dnr;Ärende;Nr;Handling;Riktning;Sekretess\n" + "".join(rows), "utf-8")
    found = by_key(run(path, **SECRECY_COLUMNS))
    case = found["arende:SN 2024/50"].record
    assert (case.governance.access_rights, case.governance.secrecy_provision) == (
        NON_PUBLIC,
        "26 kap. 1 § OSL",
    )
    assert case.title == {"sv": "Placering av barn"}
    masked = public_record(case)
    assert masked is not None and "Placering" not in str(masked.title)
    # The document row itself named no secrecy.
    assert found["handling:SN 2024/50-1"].record.governance.secrecy_provision is None


@pytest.mark.parametrize("secret_at", [0, 1, 2])
def test_a_case_with_any_secret_marked_document_is_masked(tmp_path: Path, secret_at: int) -> None:
    rows = [f"KS 2024/8;Skyddat boende;{n};Handling {n};I;\n" for n in (1, 2, 3)]
    rows[secret_at] = rows[secret_at].replace(";I;\n", ";I;OSL 21:1\n")
    path = tmp_path / "d.csv"
    path.write_text("Dnr;Ärende;Nr;Handling;Riktning;Sekretess\n" + "".join(rows), "utf-8")
    found = by_key(run(path, **SECRECY_COLUMNS))
    case = found["arende:KS 2024/8"].record
    assert case.governance.secrecy_provision == "21 kap. 1 § OSL"
    assert case.governance.access_rights == NON_PUBLIC
    masked = public_record(case)
    assert masked is not None and "Skyddat boende" not in str(masked.title)


def test_every_document_secret_masks_the_case_and_a_failed_row_still_marks_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "Dnr;Ärende;Nr;Handling;Riktning;Sekretess\n"
        "BN 2024/3;Anmälan om ovårdad tomt;1;Anmälan;I;Ja\n"
        "BN 2024/3;Anmälan om ovårdad tomt;2;Foton;Q;OSL 21:3\n",
        "utf-8",
    )
    yielded = run(path, **SECRECY_COLUMNS)
    [failure] = [y for y in yielded if isinstance(y, Failure)]
    assert failure.key == "handling:BN 2024/3-2"
    case = by_key(yielded)["arende:BN 2024/3"].record
    # The named provision wins over the unnamed "Ja"; the failed row's mark still counts.
    assert case.governance.secrecy_provision == "21 kap. 3 § OSL"
    assert case.governance.access_rights == NON_PUBLIC
