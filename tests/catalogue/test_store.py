"""The store on SQLite and PostgreSQL: sources, the organisation tree, records, change log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from insyn.catalogue.store import Catalogue
from insyn.errors import CatalogueError, NotFoundError
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import Agent
from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl


def test_sources_round_trip(catalogue: Catalogue) -> None:
    catalogue.add_source(
        "a", "dcat", "https://example.org/a.ttl", {"format": "turtle"}, "0 3 * * *"
    )
    source = catalogue.get_source("a")
    assert (source.kind, source.options, source.schedule) == (
        "dcat",
        {"format": "turtle"},
        "0 3 * * *",
    )
    with pytest.raises(CatalogueError):
        catalogue.add_source("a", "dcat", None)
    with pytest.raises(NotFoundError):
        catalogue.get_source("b")


def test_organisation_tree_from_agents(catalogue: Catalogue) -> None:
    with catalogue.session() as session:
        municipality = Agent(uri="https://x.se/org/kommun", name={"sv": "Exempelby kommun"})
        catalogue.upsert_organisation(session, municipality)
        board_id = catalogue.upsert_organisation(
            session,
            Agent(
                uri="https://x.se/org/ks",
                name={"sv": "Kommunstyrelsen", "en": "Municipal Executive Board"},
                parent="https://x.se/org/kommun",
            ),
        )
        # A second sighting of the same agent is the same organisation.
        again = catalogue.upsert_organisation(session, Agent(uri="https://x.se/org/ks"))
        session.commit()
    assert board_id == again
    organisations = {o.name_sv: o for o in catalogue.organisations()}
    board = organisations["Kommunstyrelsen"]
    assert board.name_en == "Municipal Executive Board"
    assert board.parent_id == organisations["Exempelby kommun"].id


def test_records_change_log_and_reader_position(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "k.ttl"
    internal = dataset_ttl(2, public=False).replace(
        "dcterms:accessRights", 'insyn:descriptionVisibility "internal" ;\n    dcterms:accessRights'
    )
    path.write_text(PREFIXES + PUBLISHER + dataset_ttl(1) + internal, encoding="utf-8")
    catalogue.add_source("bn", "dcat", str(path))
    harvest_source(catalogue, "bn")
    assert catalogue.count_records(public_only=True) == 1
    assert catalogue.count_records(public_only=False) == 2
    public = [row.uri for row in catalogue.iter_records(public_only=True)]
    assert public == ["https://data.exempel.se/dataset/1"]
    everything = list(catalogue.iter_records(public_only=False, batch_size=1))
    assert len(everything) == 2

    changes = catalogue.changes_since(0)
    assert [c.operation for c in changes] == ["upsert", "upsert"]
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert catalogue.last_change_seq() == changes[-1].seq
    with catalogue.session() as session:
        catalogue.set_reader_position(session, "index", changes[0].seq)
        session.commit()
    assert catalogue.reader_position("index") == changes[0].seq
    assert [c.seq for c in catalogue.changes_since(catalogue.reader_position("index"))] == [
        changes[1].seq
    ]

    record = catalogue.get_record("https://data.exempel.se/dataset/2")
    assert record.governance.secrecy_provision == "26 kap. 1 § OSL"
    row = catalogue.get_record_row("https://data.exempel.se/dataset/1")
    assert row.publisher.name_sv == "Byggnadsnämnden"
    # Owner defaults to the publisher when the source names none.
    assert row.owner_id == row.publisher_id
    assert [d.format for d in row.distributions] == [
        "http://publications.europa.eu/resource/authority/file-type/CSV"
    ]


@pytest.mark.postgres
def test_two_runs_naming_the_same_new_publisher_at_once(postgres_url: str) -> None:
    import threading

    catalogue = Catalogue(postgres_url)
    agent = Agent(uri="https://x.se/org/ny", name={"sv": "Ny nämnd"})
    first = catalogue.session()
    first_id = catalogue.upsert_organisation(first, agent)  # inserted, not yet committed
    found: list[int | None] = []

    def second_run() -> None:
        with catalogue.session() as second:
            # Blocks on the unique URI until the first commits, then takes its row.
            found.append(catalogue.upsert_organisation(second, agent))
            second.commit()

    thread = threading.Thread(target=second_run)
    thread.start()
    thread.join(timeout=1)
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert found == [first_id]
    assert [o.uri for o in catalogue.organisations()] == ["https://x.se/org/ny"]
    catalogue.close()


@pytest.mark.postgres
def test_runs_meeting_new_publishers_in_opposite_orders_neither_wait_nor_deadlock(
    postgres_url: str,
) -> None:
    """Two runs of different sources, each naming both new publishers, in opposite orders:
    the publishers' rows were held until each run committed, so each run waited for the
    other and PostgreSQL failed one of them (deadlock). Found by bench/scaleout.py."""
    import threading

    catalogue = Catalogue(postgres_url)
    north = Agent(uri="https://x.se/org/norra", name={"sv": "Norra nämnden"})
    south = Agent(uri="https://x.se/org/sodra", name={"sv": "Södra nämnden"})
    first, second = catalogue.session(), catalogue.session()
    found: dict[str, list[int | None]] = {"first": [], "second": []}
    errors: list[BaseException] = []
    try:
        found["first"].append(catalogue.upsert_organisation(first, north))
        found["second"].append(catalogue.upsert_organisation(second, south))

        def cross(run: str, session: Session, agent: Agent) -> None:
            try:
                found[run].append(catalogue.upsert_organisation(session, agent))
            except Exception as exc:  # the deadlock's victim
                errors.append(exc)

        threads = [
            threading.Thread(target=cross, args=("first", first, south)),
            threading.Thread(target=cross, args=("second", second, north)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=15)
        still_waiting = [thread for thread in threads if thread.is_alive()]
        assert errors == []
        assert still_waiting == []  # neither run waits for the other to commit
        first.commit()
        second.commit()
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()
    assert found["first"] == found["second"][::-1]  # the same two rows for both runs
    assert sorted(o.name_sv for o in catalogue.organisations()) == [
        "Norra nämnden",
        "Södra nämnden",
    ]
    catalogue.close()
