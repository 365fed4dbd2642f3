"""Follow-up in the store: the plan applied after a harvest with provenance, K/R/T
history, and the incident lifecycle. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from insyn import followup
from insyn.catalogue.store import Catalogue
from insyn.errors import CatalogueError
from insyn.harvester.engine import harvest_source
from insyn.vocab.plan import PlanRule

TTL = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix insyn: <https://w3id.org/insyn/ns#> .
<https://x.se/d/1> a dcat:Dataset ; dcterms:title "Ekonomiskt bistånd"@sv ;
    dcterms:description "Statistik"@sv ; insyn:processCode "3.2.2" .
<https://x.se/d/2> a dcat:Dataset ; dcterms:title "Bygglov"@sv ;
    dcterms:description "Lov"@sv ; insyn:processCode "3.1.1" ; insyn:retention "bevaras" .
"""


@pytest.fixture
def harvested(catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    path = tmp_path / "k.ttl"
    path.write_text(TTL, encoding="utf-8")
    followup.import_plan(
        catalogue,
        [
            PlanRule(
                key="IHP-1",
                process_code="3",
                action="gallras",
                period="2 år",
                secrecy="26 kap. 1 § OSL",
                personal_data=True,
                confidentiality=2,
            ),
        ],
        "IHP",
    )
    catalogue.add_source("s", "dcat", str(path))
    assert harvest_source(catalogue, "s").status == "completed"
    return catalogue


def test_plan_fills_defaults_after_harvest_with_provenance(harvested: Catalogue) -> None:
    row = harvested.get_record_row("https://x.se/d/1")
    governance = row.data["governance"]
    assert governance["retention"]["derived_from"] == "IHP: IHP-1: 3 3"
    assert governance["secrecy_provision"] == "26 kap. 1 § OSL"
    assert row.contains_personal_data is True
    assert row.field_provenance["governance.retention"]["rule"] == "IHP-1"
    # The source's own retention is kept.
    other = harvested.get_record_row("https://x.se/d/2")
    assert other.data["governance"]["retention"] == {
        "action": "bevaras",
        "period": None,
        "derived_from": None,
    }
    assert "governance.retention" not in other.field_provenance
    # A second, unchanged harvest keeps the derived values.
    assert harvest_source(harvested, "s").unchanged == 2
    again = harvested.get_record_row("https://x.se/d/1")
    assert again.data["governance"]["retention"]["derived_from"]


def test_classification_by_a_person_is_recorded_and_outlasts_harvests(
    harvested: Catalogue,
) -> None:
    record = harvested.get_record_row("https://x.se/d/2")
    followup.classify(
        harvested,
        record.id,
        by="anna",
        confidentiality=1,
        integrity=2,
        availability=3,
        comment="Bedömd",
    )
    history = followup.classification_history(harvested, record.id)
    assert [(h.set_by_kind, h.set_by) for h in history][-1] == ("person", "anna")
    assert harvested.get_record_row(record.id).data["governance"]["availability"] == 3
    with pytest.raises(CatalogueError):
        followup.classify(harvested, record.id, by="anna")


def test_incident_lifecycle(harvested: Catalogue, tmp_path: Path) -> None:
    (tmp_path / "k.ttl").unlink()
    assert harvest_source(harvested, "s").status == "failed"
    [incident] = harvested.incidents(status="open")
    acked = followup.acknowledge(harvested, incident.id, "bo", "Tittar")
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", "bo")
    done = followup.resolve(harvested, incident.id, "bo", "Filen återställd")
    assert (done.status, done.resolved_by) == ("resolved", "bo")
    assert "Filen återställd" in done.comment and done.resolved_at is not None
    # Each comment line is stamped in Stockholm time, as the pages show every other time.
    stamped = done.resolved_at.replace(tzinfo=done.resolved_at.tzinfo or UTC)
    local = stamped.astimezone(ZoneInfo("Europe/Stockholm"))
    assert done.comment.splitlines()[-1] == f"{local:%Y-%m-%d %H:%M} bo: Filen återställd"
    with pytest.raises(CatalogueError):
        followup.resolve(harvested, incident.id, "bo")


def test_the_plan_sets_the_description_visibility_and_falls_back_to_the_source(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    from insyn.followup.plan import apply_plan

    path = tmp_path / "k.ttl"
    path.write_text(TTL, encoding="utf-8")
    rule = PlanRule(key="IHP-9", process_code="3.1", action="bevaras", description="internal")
    followup.import_plan(catalogue, [rule], "IHP")
    catalogue.add_source("s", "dcat", str(path))
    assert harvest_source(catalogue, "s").status == "completed"
    row = catalogue.get_record_row("https://x.se/d/2")  # process 3.1.1
    assert row.description_visibility == "internal"
    assert row.data["governance"]["description_visibility"] == "internal"
    assert row.field_provenance["governance.description_visibility"]["rule"] == "IHP-9"
    assert catalogue.get_record_row("https://x.se/d/1").description_visibility == "public"
    assert catalogue.count_records(public_only=True) == 1
    # A new plan without the column: the derived value goes, the source's default is back.
    followup.import_plan(
        catalogue, [PlanRule(key="IHP-10", process_code="3", action="bevaras")], "IHP"
    )
    with catalogue.session() as session:
        apply_plan(session)
        session.commit()
    row = catalogue.get_record_row("https://x.se/d/2")
    assert row.description_visibility == "public"
    assert row.data["governance"]["description_visibility"] == "public"
    assert "governance.description_visibility" not in row.field_provenance
