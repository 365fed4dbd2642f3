"""Several workers: claims are leases that one holder gets, that expire when the holder
stops renewing them, and that fence a stalled holder's commit. Then real ``insyn
scheduler`` processes on PostgreSQL, one killed mid-run with SIGKILL."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from insyn.catalogue.models import CatalogueRecord, HarvestRun, Incident
from insyn.catalogue.operations import list_claims
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.harvester.scheduler import wait_for
from insyn.harvester.workers import Claims
from tests.support.catalogues import catalogue_ttl, write_catalogue
from tests.support.http import LocalServer, Reply

INSYN = str(Path(sys.executable).with_name("insyn"))


def all_runs(catalogue: Catalogue) -> list[HarvestRun]:
    with catalogue.session() as session:
        return list(session.scalars(select(HarvestRun).order_by(HarvestRun.id)))


def test_one_holder_at_a_time_and_expiry(catalogue: Catalogue) -> None:
    first = Claims(catalogue, "w1", lease_seconds=0.5)
    second = Claims(catalogue, "w2", lease_seconds=0.5)
    held = first.claim("source:1")
    assert held is not None
    assert second.claim("source:1") is None  # held, not expired
    assert second.claim("source:2") is not None  # another source is free
    first.renew()
    assert second.claim("source:1") is None
    time.sleep(0.7)  # w1 stops renewing: its lease runs out
    taken = second.claim("source:1")
    assert taken is not None
    assert [c.holder for c in list_claims(catalogue, "source:1")] == ["w2"]
    first.renew()  # w1's heartbeat finds out
    assert held.lost.is_set()
    held.release()  # w1's late release must not free w2's claim
    assert [c.holder for c in list_claims(catalogue, "source:1")] == ["w2"]
    taken.release()
    assert list_claims(catalogue, "source:1") == []


def test_each_scheduled_time_is_claimed_once(catalogue: Catalogue) -> None:
    first = Claims(catalogue, "w1")
    second = Claims(catalogue, "w2")
    handle = first.claim_source(7, slot=1000.0)
    assert handle is not None
    handle.release()  # a quick run is over before the other worker fires the same time
    assert second.claim_source(7, slot=1000.0) is None
    later = second.claim_source(7, slot=1060.0)
    assert later is not None
    later.release()
    assert first.claim_source(7) is not None  # a manual run has no scheduled time


def test_heartbeat_keeps_a_claim(catalogue: Catalogue) -> None:
    first = Claims(catalogue, "w1", lease_seconds=0.6)
    first.claim("source:1")
    first.start_heartbeat()
    try:
        time.sleep(1.3)
        assert Claims(catalogue, "w2", lease_seconds=0.6).claim("source:1") is None
    finally:
        first.stop_heartbeat()


def test_a_stalled_holder_cannot_commit(catalogue: Catalogue, tmp_path: Path) -> None:
    source = catalogue.add_source("bn", "dcat", str(write_catalogue(tmp_path / "k.ttl", [1, 2])))
    stalled = Claims(catalogue, "w1", lease_seconds=0.3)
    handle = stalled.claim_source(source.id)
    assert handle is not None
    time.sleep(0.5)
    assert Claims(catalogue, "w2", lease_seconds=30).claim_source(source.id) is not None
    summary = harvest_source(catalogue, "bn", worker="w1", before_commit=handle.fence)
    assert summary.status == "failed"
    assert "tagits över" in (summary.error or "")
    with catalogue.session() as session:
        assert session.scalars(select(CatalogueRecord.id)).all() == []


def test_orphaned_run_is_marked_interrupted_on_takeover(catalogue: Catalogue) -> None:
    source = catalogue.add_source("bn", "dcat", "https://example.invalid/k.ttl")
    crashed = Claims(catalogue, "w1", lease_seconds=0.2)
    assert crashed.claim_source(source.id) is not None
    with catalogue.session() as session:
        from insyn.catalogue.store import utcnow

        for worker in ("w1", None):  # the crashed worker's run, and a manual run
            session.add(
                HarvestRun(
                    source_id=source.id, status="running", started_at=utcnow(), worker=worker
                )
            )
        session.commit()
    time.sleep(0.3)
    assert Claims(catalogue, "w2").claim_source(source.id) is not None
    run, manual = all_runs(catalogue)
    assert run.status == "interrupted" and "w1" in (run.error or "")
    assert run.finished_at is not None
    assert manual.status == "running"  # not this worker's to judge
    assert [i.kind for i in catalogue.incidents()] == ["run_interrupted"]


# --- real processes on PostgreSQL ---------------------------------------------------------


def _scheduler(url: str, home: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            INSYN,
            "--database-url",
            url,
            "scheduler",
            "--no-index",
            "--lease",
            "2",
            "--workers",
            "3",
            "--log-format",
            "json",
        ],
        env={**os.environ, "INSYN_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_two_workers_never_overlap_and_a_killed_workers_claim_expires(
    postgres_url: str, http_server: LocalServer, tmp_path: Path
) -> None:
    catalogue = Catalogue(postgres_url)

    def slow_source(number: int):
        # Own publisher per source: two first runs creating one organisation at once
        # collide on organisations.uri (a store issue reported apart from claims).
        body = catalogue_ttl(range(1, 6)).replace("org/bn", f"org/bn{number}").encode()
        body = body.replace(b"dataset/", f"s{number}/dataset/".encode())

        def slow(_request: object) -> Reply:
            time.sleep(1.2)
            return Reply(200, body, {"Content-Type": "text/turtle"})

        return slow

    for number in range(3):
        http_server.route(f"/k{number}.ttl", slow_source(number))
        catalogue.add_source(
            f"s{number}", "dcat", http_server.url(f"/k{number}.ttl"), schedule="every 1s"
        )
    workers = [_scheduler(postgres_url, tmp_path / f"h{n}") for n in range(2)]
    try:
        victim = workers[0]

        def victim_running() -> HarvestRun | None:
            return next(
                (
                    run
                    for run in all_runs(catalogue)
                    if run.status == "running" and f":{victim.pid}:" in (run.worker or "")
                ),
                None,
            )

        assert wait_for(lambda: victim_running() is not None, 20)
        killed_run = victim_running()
        assert killed_run is not None
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=5)

        def taken_over() -> bool:
            return any(
                run.source_id == killed_run.source_id
                and run.id > killed_run.id
                and run.status == "completed"
                and f":{workers[1].pid}:" in (run.worker or "")
                for run in all_runs(catalogue)
            )

        assert wait_for(taken_over, 20)
        time.sleep(1.5)  # let the survivor run a few more rounds
        workers[1].send_signal(signal.SIGTERM)
        assert workers[1].wait(timeout=20) == 0
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()

    runs = all_runs(catalogue)
    orphan = next(run for run in runs if run.id == killed_run.id)
    assert orphan.status == "interrupted" and str(victim.pid) in (orphan.error or "")
    assert all(run.finished_at is not None for run in runs)
    failed = [(run.id, run.error) for run in runs if run.status == "failed"]
    assert failed == []
    by_source: dict[int, list[HarvestRun]] = {}
    for run in runs:
        by_source.setdefault(run.source_id, []).append(run)
    for source_runs in by_source.values():
        source_runs.sort(key=lambda run: run.started_at)
        for earlier, later in itertools.pairwise(source_runs):
            assert earlier.finished_at <= later.started_at, (earlier.id, later.id)
    assert len(by_source) == 3 and len(runs) >= 5
    # Both workers did work, and the killed worker's worker lease ran out too.
    assert {run.worker.split(":")[1] for run in runs} == {str(victim.pid), str(workers[1].pid)}
    assert list_claims(catalogue, "worker:") == []
    assert list_claims(catalogue, "source:") == []
    with catalogue.session() as session:
        kinds = session.scalars(select(Incident.kind)).all()
        live = session.scalars(
            select(CatalogueRecord.id).where(CatalogueRecord.deleted_at.is_(None))
        ).all()
    assert "run_interrupted" in kinds
    assert len(live) == 3 * 5
    catalogue.close()


def test_a_long_sqlite_run_keeps_the_heartbeat_quiet_and_the_claim(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A run holds SQLite's one write lock for its whole transaction: the heartbeat cannot
    # write meanwhile. It waits without a traceback, and the run's fence renews the claim.
    url = f"sqlite:///{tmp_path / 'insyn.sqlite3'}"
    catalogue = Catalogue(url)
    # Give up on the lock at once instead of after the usual 60 s.
    catalogue.engine = create_engine(url, connect_args={"timeout": 0.01})
    claims = Claims(catalogue, "w1", lease_seconds=0.3)
    handle = claims.claim("source:1")
    assert handle is not None
    caplog.set_level(logging.DEBUG, logger="insyn.harvester.workers")
    run = sqlite3.connect(tmp_path / "insyn.sqlite3", isolation_level=None)
    run.execute("BEGIN IMMEDIATE")  # the long run's write transaction
    claims.start_heartbeat()
    try:
        deadline = time.monotonic() + 30
        while not any("waits" in r.getMessage() for r in caplog.records):
            if time.monotonic() > deadline:
                pytest.fail("the heartbeat never tried to renew")
            time.sleep(0.05)
    finally:
        claims.stop_heartbeat()
        run.execute("ROLLBACK")
        run.close()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
    with catalogue.session() as session:
        handle.fence(session)  # the run renews its claim in its own transaction
        session.commit()
    assert not handle.lost.is_set()
    catalogue.close()
