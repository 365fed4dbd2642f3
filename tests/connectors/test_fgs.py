"""The fgs connector: real ERMS files, a generated Swedish export, bad input, search by dnr."""

from __future__ import annotations

import re
import shutil
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import select

from insyn.catalogue.models import RecordError
from insyn.catalogue.store import Catalogue
from insyn.connectors import fgs, fgs_stream
from insyn.connectors.base import Cursor, Failure, Item
from insyn.errors import ConnectorError, UnsafeInputError
from insyn.harvester.engine import harvest_source
from insyn.search.backends.base import SearchRequest
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import Indexer
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED, Case, Dataset, Document, from_dict
from insyn.vocab.profiles import erms_read
from insyn.vocab.profiles.erms_read import normalise_osl
from tests.conftest import shared_file

DATA = Path(__file__).parent / "data"
KOMMUN = DATA / "fgs_kommun.xml"
SVK = "fgs-arendehantering/svkgs-arendehandlingar/exempel.xml"
DILCIS = "fgs-arendehantering/dilcis-cits-erms/examples/ERMS_version_2_1_0_generated_example.xml"


def run(path: Path | str, **options: str) -> list:
    return list(fgs.harvest(fgs.Config.from_source(str(path), options), Cursor()))


def items(yielded: list) -> dict[str, Item]:
    return {y.key: y for y in yielded if isinstance(y, Item)}


def test_svk_example_reports_exactly_the_enumeration_error_and_harvests_the_rest() -> None:
    yielded = run(shared_file(SVK))
    found = items(yielded)
    warnings = [w for item in found.values() for w in item.warnings]
    assert len(warnings) == 1
    # Ours: the rule, the line in the original file and the element. What follows is the
    # XSD validator's own wording (libxml2's), which the test does not pin.
    assert warnings[0].startswith("XSD ERMS 3: rad 151, <record>: ")
    document = found["handling:8dbbdc56-8ada-4ad5-a1ec-b8131a1086a2"]
    assert document.warnings == warnings
    case = found["arende:3b9fbc5f-3eaf-4521-9726-0f142feb04c3"].record
    assert isinstance(case, Case)
    assert (case.diarienummer, case.diarienummer_normalised) == ("F 2019-0032", "F 2019/32")
    assert case.governance.access_rights == NON_PUBLIC
    assert case.governance.secrecy_provision == "KO 54:2"
    assert case.governance.process_code == "1.2"
    assert case.status == "avslutat" and str(case.opened) == "2020-05-20"
    assert {p.name: p.is_private_individual for p in case.parties}["Försäkringskassan"] is False
    doc = document.record
    assert isinstance(doc, Document)
    assert (doc.case_diarienummer, doc.document_number, doc.direction) == (
        "F 2019/32",
        "1",
        "outgoing",
    )
    assert doc.document_type == "ärendedokument" and str(doc.date) == "2020-02-03"
    assert [(a.name, a.format) for a in doc.attachments] == [("ansökan", "pdf")]
    receiver = next(p for p in doc.parties if p.role == "mottagare")
    assert (receiver.name, receiver.is_private_individual) == ("Jörgen Mottagare", True)
    register = found["diarium"].record
    assert isinstance(register, Dataset) and register.uri == "urn:insyn:diarium:sunne-pastorat"
    assert case.diarium == doc.diarium == register.uri
    assert register.extras["control_ärendenummer"] == ["P 2019-0254"]


def test_skip_makes_the_invalid_record_a_failure_and_keeps_its_case() -> None:
    yielded = run(shared_file(SVK), on_invalid="skip")
    failures = [y for y in yielded if isinstance(y, Failure)]
    assert [(f.key, f.field) for f in failures] == [
        ("handling:8dbbdc56-8ada-4ad5-a1ec-b8131a1086a2", "record")
    ]
    assert failures[0].reason.startswith(
        "Posten följer inte schemat och hoppades över: XSD ERMS 3: rad 151, <record>: "
    )
    assert set(items(yielded)) == {"diarium", "arende:3b9fbc5f-3eaf-4521-9726-0f142feb04c3"}


def test_svk_profile_schematron_runs_and_names_lines() -> None:
    warnings = [
        w for i in items(run(shared_file(SVK), schematron="svk")).values() for w in i.warnings
    ]
    assert any("ERMS-SVK-ARENDE.sch: rad 15, <p>" in w for w in warnings)
    assert any("rad 47, <otherTitle>" in w for w in warnings)


def test_dilcis_example_validates_against_erms_2_1_2() -> None:
    for schema in ("v2", "auto"):
        found = items(run(shared_file(DILCIS), schema=schema))
        assert all(
            not w.startswith(("XSD", "Schematron")) for i in found.values() for w in i.warnings
        )
        kinds = [i.record.kind for i in found.values()]
        assert (kinds.count("case"), kinds.count("document")) == (4, 6)
    v3 = [w for i in items(run(shared_file(DILCIS), schema="v3")).values() for w in i.warnings]
    # The v2 spelling adressType on addressLine (line 105 of the example), which v3 refuses.
    assert any(w.startswith("XSD ERMS 3: rad 105, <addressLine>: ") for w in v3)


def test_generated_swedish_export_maps_secrecy_parties_and_dnr() -> None:
    yielded = run(KOMMUN)
    found = items(yielded)
    assert not [w for i in found.values() for w in i.warnings]  # valid ERMS 3
    assert sum(1 for i in found.values() if i.record.kind == "case") == 3
    assert sum(1 for i in found.values() if i.record.kind == "document") == 5
    ks = found["arende:a-1"].record
    assert ks.diarienummer_normalised == "KS 2024/123" and ks.responsible_unit == (
        "Kommunledningsförvaltningen"
    )
    parties = {p.name: p for p in ks.parties}
    assert parties["Sven Svensson"].is_private_individual
    assert parties["Sven Svensson"].identifier == "19121212-1212"
    assert not parties["Parkföreningen Ljuset"].is_private_individual
    assert not parties["Karin Lind"].is_private_individual  # an official
    assert ks.governance.access_rights == PUBLIC and ks.governance.contains_personal_data
    sn = found["arende:a-2"].record
    assert sn.diarienummer_normalised == "SN 2024/45"
    assert (sn.governance.access_rights, sn.governance.secrecy_provision) == (
        NON_PUBLIC,
        "26 kap. 1 § OSL",
    )
    inherited = found["handling:r-2-1"].record  # no restriction of its own: the case's
    assert inherited.governance.secrecy_provision == "26 kap. 1 § OSL"
    assert "personnummer" in inherited.governance.personal_data_categories
    own = found["handling:r-3-1"].record
    assert (own.governance.access_rights, own.governance.secrecy_provision) == (
        RESTRICTED,
        "18 kap. 8 § OSL",
    )
    assert own.case_diarienummer == "BN 2024/7"
    assert [a.name for a in own.attachments] == ["ritning.dwg", "situationsplan.pdf"]
    assert found["handling:r-1-2"].record.direction == "drawn-up"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OSL 26:1", "26 kap. 1 § OSL"),
        ("26:1 OSL", "26 kap. 1 § OSL"),
        ("26 kap 1 § första stycket OSL", "26 kap. 1 § OSL"),
        ("21 kap. 3 a § offentlighets- och sekretesslagen (2009:400)", "21 kap. 3a § OSL"),
        ("KO 54:2", "KO 54:2"),
    ],
)
def test_osl_references_are_normalised(text: str, expected: str) -> None:
    assert normalise_osl(text) == expected


def test_xxe_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE erms [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<erms xmlns="https://DILCIS.eu/XML/ERMS"><control/>&x;</erms>',
        encoding="utf-8",
    )
    with pytest.raises(UnsafeInputError):
        run(path)


def test_not_an_erms_file(tmp_path: Path) -> None:
    path = tmp_path / "annat.xml"
    path.write_text('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    with pytest.raises(ConnectorError, match="namnrymden"):
        run(path)


def _harvested(catalogue: Catalogue) -> dict[str, object]:
    return {
        row.source_key: from_dict(row.data) for row in catalogue.iter_records(public_only=False)
    }


def test_malformed_mid_file_fails_cleanly_and_keeps_everything(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "export.xml"
    shutil.copy(KOMMUN, path)
    sqlite_catalogue.add_source("diariet", "fgs", str(path))
    first = harvest_source(sqlite_catalogue, "diariet")
    assert (first.status, first.added, first.warnings) == ("completed", 9, 0)
    before = _harvested(sqlite_catalogue)
    text = KOMMUN.read_text(encoding="utf-8")
    cut = text.index('<aggregation systemIdentifier="a-3"')
    path.write_text(text[:cut] + "<aggregation><objectId>trasig</aggregation>", encoding="utf-8")
    broken = harvest_source(sqlite_catalogue, "diariet")
    # Ours: the failed run, the file it names and the Swedish "not well-formed". Which
    # check notices the break first (the XML guard or the streaming pass) and the
    # parser's own words are not pinned.
    assert broken.status == "failed"
    assert str(path) in (broken.error or "")
    assert re.search(r"inte välforma[dt]", broken.error or "")
    assert _harvested(sqlite_catalogue) == before
    # Unchanged file: the conditional shortcut; a fixed file harvests again.
    shutil.copy(KOMMUN, path)
    again = harvest_source(sqlite_catalogue, "diariet")
    assert (again.status, again.unchanged) == ("completed", 9)


@pytest.mark.parametrize(
    "written", ["KS 2024/123", "KS 2024/00123", "KS.2024.123", "KS-2024-123", "2024/123"]
)
def test_harvested_case_is_found_by_every_written_form(
    sqlite_catalogue: Catalogue, tmp_path: Path, written: str
) -> None:
    sqlite_catalogue.add_source("diariet", "fgs", str(KOMMUN))
    harvest_source(sqlite_catalogue, "diariet")
    backend = EmbeddedBackend(tmp_path / "index")
    Indexer(sqlite_catalogue, backend).catch_up()
    hits = backend.search(SearchRequest(query=written, public_only=False)).hits
    assert {h.title for h in hits} == {
        "Medborgarförslag om belysning i Stadsparken",
        "Medborgarförslag om belysning",
        "Tjänsteskrivelse om belysning",
    }
    # Prefix: the series and year list the case and its documents.
    prefix = backend.search(SearchRequest(query="KS 2024/", public_only=False))
    assert prefix.total == 3
    # A registrar sees the secret-marked case; the public sees at most a masked entry.
    registrar = backend.search(SearchRequest(query="SN.2024.45", public_only=False))
    assert "Ansökan om ekonomiskt bistånd" in {h.title for h in registrar.hits}
    public = backend.search(SearchRequest(query="SN 2024/45")).hits
    assert all("bistånd" not in h.title and "Hemlig" not in h.title for h in public)
    assert backend.search(SearchRequest(query="bistånd")).total == 0


def _bench_diarium() -> types.ModuleType:
    """bench/diarium.py, whose ``write_export`` writes a generated export of any size."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_diarium", Path(__file__).resolve().parents[2] / "bench" / "diarium.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


class _Counted:
    """Counts the cases validated and the documents mapped by the FGS connector."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.validated: list[str] = []
        self.mapped = 0
        check, document = erms_read.ErmsValidator.check, erms_read._Reader.document

        def counted_check(validator: Any, control: Any, unit: Any, *args: Any) -> Any:
            self.validated.append(unit.get("systemIdentifier"))
            return check(validator, control, unit, *args)

        def counted_document(reader: Any, *args: Any) -> Any:
            self.mapped += 1
            return document(reader, *args)

        monkeypatch.setattr(erms_read.ErmsValidator, "check", counted_check)
        monkeypatch.setattr(erms_read._Reader, "document", counted_document)

    def reset(self) -> None:
        self.validated, self.mapped = [], 0


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A generated export: 10 cases (a0 … a9) of 10 documents each, each on its own line."""
    path = tmp_path / "export.xml"
    _bench_diarium().write_export(path, 100)
    return path


def test_unchanged_cases_are_neither_validated_nor_mapped_again(
    sqlite_catalogue: Catalogue, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = _Counted(monkeypatch)
    sqlite_catalogue.add_source("diariet", "fgs", str(export))
    first = harvest_source(sqlite_catalogue, "diariet")
    assert (first.status, first.added, first.warnings, first.failed) == ("completed", 111, 0, 0)
    assert (len(counted.validated), counted.mapped) == (10, 100)
    counted.reset()
    again = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (again.unchanged, again.added, again.updated) == (111, 0, 0)
    # Only the first case is read again (it carries <control>'s findings): nine skipped.
    assert (counted.validated, counted.mapped) == (["a0"], 10)
    # One case changes: that case alone is validated and mapped again.
    text = export.read_text(encoding="utf-8")
    export.write_text(text.replace(" nr 7</title>", " nr 7, ändrat</title>"), encoding="utf-8")
    counted.reset()
    changed = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (changed.updated, changed.unchanged) == (1, 110)
    assert set(counted.validated) == {"a0", "a7"} and counted.mapped == 20
    rows = {row.source_key: row for row in sqlite_catalogue.iter_records(public_only=False)}
    assert rows["arende:a7"].title.endswith(" nr 7, ändrat")


@pytest.mark.parametrize("order", ["identifier first", "identifier later"])
def test_unchanged_cases_are_not_even_parsed(
    sqlite_catalogue: Catalogue, export: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    if order == "identifier later":  # keys read attribute by attribute, not in one pass
        text = export.read_text(encoding="utf-8")
        export.write_text(text.replace("<record system", "<record xml:lang='sv' system"), "utf-8")
    sqlite_catalogue.add_source("diariet", "fgs", str(export), {"validate": "false"})
    harvest_source(sqlite_catalogue, "diariet")
    fed: list[bytes] = []

    class CountingParser:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.inner = etree.XMLPullParser(*args, **kwargs)

        def feed(self, data: bytes) -> None:
            fed.append(data)
            self.inner.feed(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    watched = types.SimpleNamespace(**{name: getattr(etree, name) for name in dir(etree)})
    watched.XMLPullParser = CountingParser
    monkeypatch.setattr(fgs_stream, "etree", watched)
    again = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (again.unchanged, again.added, again.updated) == (111, 0, 0)
    parsed = b"".join(fed)
    assert b'systemIdentifier="a0"' in parsed  # the first case carries <control>'s findings
    assert not any(f'systemIdentifier="a{i}"'.encode() in parsed for i in range(1, 10))
    # Each case not fed is as many line ends, so later line numbers stay those of the file.
    assert parsed.count(b"\n") == export.read_bytes().count(b"\n")


def test_an_unchanged_invalid_record_is_reported_again_in_every_run(
    sqlite_catalogue: Catalogue, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Case a4's third document loses its attachment's required path (an XSD error).
    text = export.read_text(encoding="utf-8")
    export.write_text(text.replace(' path="bilagor/4/handling3.pdf"', ""), encoding="utf-8")
    for on_invalid in ("skip", "warn"):
        counted = _Counted(monkeypatch)
        sqlite_catalogue.add_source(on_invalid, "fgs", str(export), {"on_invalid": on_invalid})
        first = harvest_source(sqlite_catalogue, on_invalid)
        reported = _reported(sqlite_catalogue, first.run_id)
        assert [key for key, _ in reported] == ["handling:r4-3"]
        assert "XSD ERMS 3" in reported[0][1] and "<appendix>" in reported[0][1]
        if on_invalid == "skip":
            assert (first.added, first.failed, first.warnings) == (110, 1, 0)
        else:
            assert (first.added, first.failed, first.warnings) == (111, 0, 1)
        counted.reset()
        again = harvest_source(sqlite_catalogue, on_invalid, full=True)
        # The same finding, named the same way; only the first case and that one read.
        assert _reported(sqlite_catalogue, again.run_id) == reported
        assert (again.failed, again.warnings) == (first.failed, first.warnings)
        assert again.unchanged == first.added and again.added == again.updated == 0
        assert set(counted.validated) == {"a0", "a4"}


def test_a_schematron_rule_still_fires_where_its_context_is_found(export: Path) -> None:
    # Case a3's counterpart becomes agentType="other" without otherAgentType: the ERMS 3
    # co-occurrence rule (Schematron, not the XSD) must name it. The rules are skipped only
    # in units where no rule's context is found, such as every other case here.
    text = export.read_text(encoding="utf-8")
    start = text.index('<aggregation systemIdentifier="a3"')
    at = text.index('agentType="counterpart"', start)
    export.write_text(text[:at] + 'agentType="other"' + text[at + 23 :], encoding="utf-8")
    warnings = [w for item in items(run(export)).values() for w in item.warnings]
    assert len(warnings) == 1 and warnings[0].startswith("Schematron erms_v3.sch: rad ")
    assert "otherAgentType" in warnings[0]
    assert erms_read.schematron_tokens("v3") is not None  # the rules are skipped elsewhere


@pytest.mark.parametrize(
    "layout", ["one line", "CRLF", "nested", "keys from objectId", "a start tag in a comment"]
)
def test_a_change_is_seen_however_the_cases_are_laid_out(
    sqlite_catalogue: Catalogue, export: Path, layout: str
) -> None:
    # A case's digest is of the file's own bytes when they are known to hold all of it,
    # else of the case serialised; a case whose keys cannot be read from its bytes is
    # parsed. Either way, a change to any part of it is seen.
    text = export.read_text(encoding="utf-8")
    if layout == "one line":
        text = text.replace("\n", "")
    elif layout == "CRLF":
        text = text.replace("\n", "\r\n")
    elif layout == "keys from objectId":
        text = re.sub(r' systemIdentifier="r[0-9-]+"', "", text)
    elif layout == "a start tag in a comment":
        at = text.index('<record systemIdentifier="r4-2"')
        text = text[:at] + '<!-- <record systemIdentifier="r4-1"> -->' + text[at:]
    else:  # case a5 inside case a4, before a4's documents: a4's bytes begin before a5 ends
        start = text.index('    <aggregation systemIdentifier="a5"')
        end = text.index("</aggregation>", start) + len("</aggregation>\n")
        inner, text = text[start:end], text[:start] + text[end:]
        at = text.index('<record systemIdentifier="r4-1"')
        text = text[:at] + inner + text[at:]
    export.write_bytes(text.encode("utf-8"))
    sqlite_catalogue.add_source("diariet", "fgs", str(export), {"validate": "false"})
    assert harvest_source(sqlite_catalogue, "diariet").added == 111
    again = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (again.unchanged, again.updated) == (111, 0)
    changed = text.replace(" nr 4</title>", " nr 4, ändrat</title>")
    export.write_bytes(changed.encode("utf-8"))
    after = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (after.updated, after.unchanged) == (1, 110)
    rows = {row.source_key: row for row in sqlite_catalogue.iter_records(public_only=False)}
    assert rows["arende:a4"].title.endswith(" nr 4, ändrat")


def _reported(catalogue: Catalogue, run_id: int | None) -> list[tuple[str, str]]:
    with catalogue.session() as session:
        rows = session.scalars(select(RecordError).where(RecordError.run_id == run_id))
        return sorted((row.record_key or "", row.reason) for row in rows)


def test_a_case_removed_from_the_export_is_tombstoned_with_its_documents(
    sqlite_catalogue: Catalogue, export: Path
) -> None:
    sqlite_catalogue.add_source("diariet", "fgs", str(export))
    harvest_source(sqlite_catalogue, "diariet")
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if 'systemIdentifier="a6"' in line)
    end = next(i for i in range(start, len(lines)) if "</aggregation>" in lines[i])
    export.write_text("".join(lines[:start] + lines[end + 1 :]), encoding="utf-8")
    again = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (again.status, again.deleted, again.unchanged) == ("completed", 11, 100)
    live = {row.source_key for row in sqlite_catalogue.iter_records(public_only=False)}
    assert "arende:a6" not in live and "handling:r6-1" not in live and "arende:a7" in live
    # More than the deletion guard allows (20 %): nothing goes, an incident asks a person.
    text = export.read_text(encoding="utf-8")
    cut = text.index('<aggregation systemIdentifier="a2"')
    kept = text[:cut] + "  </aggregations>\n</erms>\n"
    export.write_text(kept, encoding="utf-8")
    held = harvest_source(sqlite_catalogue, "diariet", full=True)
    assert (held.status, held.deleted, len(held.incidents)) == ("completed", 0, 1)


class _WatchedParser:
    """An lxml ``XMLPullParser`` that remembers the root of the tree it builds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.root: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def read_events(self) -> Iterator[tuple[str, Any]]:
        for event, element in self.inner.read_events():
            if self.root is None:
                self.root = element.getroottree().getroot()
            yield event, element


def test_streaming_holds_one_case_at_a_time_however_large_the_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counted, not measured: the elements of the parsed tree still in memory whenever the
    # connector yields. Streaming keeps that to about one case (plus <control>), so ten
    # times the export holds about as many; a connector that kept the tree would hold ten
    # times as many. Peak memory in MB is bench/diarium.py's figure.
    bench = _bench_diarium()
    parses: list[_WatchedParser] = []

    def pull_parser(*args: Any, **kwargs: Any) -> _WatchedParser:
        parser = _WatchedParser(etree.XMLPullParser(*args, **kwargs))
        parses.append(parser)
        return parser

    watched = types.SimpleNamespace(**{name: getattr(etree, name) for name in dir(etree)})
    watched.XMLPullParser = pull_parser
    monkeypatch.setattr(fgs_stream, "etree", watched)

    def most_held(documents: int) -> int:
        path = tmp_path / f"e{documents}.xml"
        bench.write_export(path, documents)
        config = fgs.Config.from_source(str(path), {"validate": "false"})
        count = most = 0
        for yielded in fgs.harvest(config, Cursor()):
            if isinstance(yielded, Item):
                count += 1
                root = parses[-1].root
                if root is not None:
                    most = max(most, sum(1 for _ in root.iter()))
        assert count == documents + documents // 10 + 1
        assert most > 0
        return most

    small, large = most_held(500), most_held(5000)
    assert large < small * 2  # ten times the export, not ten times the elements held
