"""The information-management plan: reading CSV/XLSX, matching rules, filling defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from insyn.errors import VocabError
from insyn.vocab import plan
from insyn.vocab.model import NON_PUBLIC, Dataset, Retention, to_dict

DEMO_PLAN = Path(__file__).parents[2] / "insyn" / "demo" / "data" / "informationshanteringsplan.csv"


def test_demo_plan_reads() -> None:
    rules = plan.read_plan(DEMO_PLAN)
    assert len(rules) > 20
    social = next(rule for rule in rules if rule.key == "IHP-13")
    assert (social.process_code, social.action, social.period) == (
        "3.2",
        "gallras",
        "5 år efter sista anteckningen",
    )
    assert social.secrecy == "26 kap. 1 § OSL" and social.personal_data is True
    assert social.record_kind == "case"


def test_xlsx_reads_like_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Processkod", "Handlingstyp", "Bevaras/gallras", "Gallringsfrist", "Sekretess"])
    sheet.append(["3.1.1", "Bygglov", "Gallras", "10 år", "-"])
    book.save(tmp_path / "plan.xlsx")
    [rule] = plan.read_plan(tmp_path / "plan.xlsx")
    assert (rule.key, rule.action, rule.period, rule.secrecy) == ("rad 2", "gallras", "10 år", None)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x.1;bevaras;", "processkoden"),
        ("3.1;kanske;", "bevaras"),
        ("3.1;gallras;", "gallringsfrist"),
    ],
)
def test_bad_rows_are_refused_with_the_row_number(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(f"processkod;bevaras_gallras;gallringsfrist\n{row}\n", encoding="utf-8")
    with pytest.raises(VocabError, match=message) as error:
        plan.read_plan(path)
    assert "rad 2" in str(error.value)


def test_most_specific_rule_wins() -> None:
    broad = plan.PlanRule(key="A", process_code="3", action="bevaras")
    narrow = plan.PlanRule(key="B", process_code="3.2", action="gallras", period="2 år")
    cases = plan.PlanRule(key="C", process_code="3.2", action="bevaras", record_kind="case")
    rules = [broad, narrow, cases]
    assert plan.best_rule(rules, process_code="3.2.1", kind="dataset").key == "B"
    assert plan.best_rule(rules, process_code="3.2.1", kind="case").key == "C"
    assert plan.best_rule(rules, process_code="3.10", kind="dataset").key == "A"
    assert plan.best_rule(rules, process_code="30.1", kind="dataset") is None
    assert plan.best_rule(rules, process_code=None, kind="dataset") is None


def test_rule_fills_only_what_the_source_left_empty() -> None:
    rule = plan.PlanRule(
        key="R1",
        process_code="3.2",
        action="gallras",
        period="2 år",
        secrecy="26 kap. 1 § OSL",
        personal_data=True,
        confidentiality=2,
        integrity=1,
    )
    record = Dataset(title={"sv": "T"})
    record.governance.integrity = 3
    derived = plan.apply_rule(to_dict(record), rule, "IHP")
    governance = derived.data["governance"]
    assert governance["retention"] == {
        "action": "gallras",
        "period": "2 år",
        "derived_from": "IHP: R1: 3.2 3.2",
    }
    assert governance["secrecy_provision"] == "26 kap. 1 § OSL"
    assert governance["contains_personal_data"] is True
    assert governance["confidentiality"] == 2
    assert governance["integrity"] == 3  # the source said 3
    assert set(derived.fields) == {
        "governance.retention",
        "governance.secrecy_provision",
        "governance.contains_personal_data",
        "governance.confidentiality",
    }

    stated = Dataset(title={"sv": "T"})
    stated.governance.retention = Retention("bevaras")
    assert "governance.retention" not in plan.apply_rule(to_dict(stated), rule, "IHP").fields


def test_a_rule_never_makes_a_record_more_public() -> None:
    says_no = plan.PlanRule(
        key="N", process_code="1", action="bevaras", personal_data=False, confidentiality=0
    )
    record = Dataset(title={"sv": "T"})
    record.governance.access_rights = NON_PUBLIC
    derived = plan.apply_rule(to_dict(record), says_no, "IHP")
    # "no personal data" is never derived; K is not lowered below 1 on a non-public record.
    assert derived.data["governance"]["contains_personal_data"] is None
    assert derived.data["governance"]["confidentiality"] == 1
    assert derived.data["governance"]["access_rights"] == NON_PUBLIC


def test_the_description_column_reads_intern_and_offentlig(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "processkod;bevaras_gallras;beskrivning\n3.1;bevaras;intern\n3.2;bevaras;Offentlig\n"
        "3.3;bevaras;\n",
        encoding="utf-8",
    )
    assert [rule.description for rule in plan.read_plan(path)] == ["internal", "public", None]
    path.write_text("processkod;bevaras_gallras;synlighet\n3.1;bevaras;intern\n", "utf-8")
    assert [rule.description for rule in plan.read_plan(path)] == ["internal"]
    path.write_text("processkod;bevaras_gallras;beskrivning\n3.1;bevaras;hemlig\n", "utf-8")
    with pytest.raises(VocabError, match="beskrivning ska vara offentlig eller intern") as error:
        plan.read_plan(path)
    assert "rad 2" in str(error.value)


def test_intern_always_applies_offentlig_only_over_the_kind_default() -> None:
    internal = plan.PlanRule(key="I", process_code="1", action="bevaras", description="internal")
    public = plan.PlanRule(key="O", process_code="1", action="bevaras", description="public")

    def described(visibility: str | None, rule: plan.PlanRule, kind_default: str | None):  # type: ignore[no-untyped-def]
        record = Dataset(title={"sv": "T"})
        record.governance.description_visibility = visibility
        derived = plan.apply_rule(to_dict(record), rule, "IHP", kind_default=kind_default)
        filled = "governance.description_visibility" in derived.fields
        return derived.data["governance"]["description_visibility"], filled

    # "intern" makes any description internal.
    assert described("public", internal, None) == ("internal", True)
    assert described(None, internal, "public") == ("internal", True)
    # "offentlig" replaces only what the source kind's default made internal (sql, files).
    assert described("internal", public, "internal") == ("public", True)
    assert described(None, public, None) == ("public", True)
    # Internal by the record itself or its source's option (no kind default): kept.
    assert described("internal", public, None) == ("internal", False)
    assert described("internal", public, "public") == ("internal", False)
    assert described("public", public, None) == ("public", False)
