"""The scheduler: schedule syntax, catch-up of missed runs after a restart (exactly
once), the job store in the catalogue database, and clean shutdown on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner
from sqlalchemy import select

from insyn.catalogue.models import CatalogueRecord, HarvestRun
from insyn.catalogue.operations import SchedulerJob
from insyn.catalogue.store import Catalogue
from insyn.cli import main
from insyn.errors import ConfigError
from insyn.harvester.scheduler import HarvestScheduler, parse_schedule, wait_for
from tests.support.catalogues import catalogue_ttl, write_catalogue
from tests.support.http import LocalServer, Reply

INSYN = str(Path(sys.executable).with_name("insyn"))


def runs(catalogue: Catalogue) -> list[HarvestRun]:
    with catalogue.session() as session:
        return list(session.scalars(select(HarvestRun).order_by(HarvestRun.id)))


def test_schedule_syntax() -> None:
    assert isinstance(parse_schedule("0 3 * * *"), CronTrigger)
    assert isinstance(parse_schedule("*/15 6-18 * * mon-fri"), CronTrigger)
    interval = parse_schedule("every 15m")
    assert isinstance(interval, IntervalTrigger)
    assert interval.interval.total_seconds() == 900
    assert parse_schedule("every 6h").interval.total_seconds() == 6 * 3600
    assert parse_schedule("EVERY 2 d").interval.total_seconds() == 2 * 86400
    for bad in ("every 0m", "every 5 weeks", "0 3 * *", "61 3 * * *", "sometimes"):
        with pytest.raises(ConfigError):
            parse_schedule(bad)


def test_missed_runs_are_caught_up_exactly_once_after_restart(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    catalogue = sqlite_catalogue
    source_file = write_catalogue(tmp_path / "k.ttl", range(1, 4))
    catalogue.add_source("bn", "dcat", str(source_file), schedule="every 3s")

    first = HarvestScheduler(catalogue, sync_seconds=60)
    first.start()
    with catalogue.session() as session:
        stored = session.scalar(select(SchedulerJob.next_run_time))
    assert stored is not None and stored > time.time()  # the job is in the database
    first.shutdown()
    assert runs(catalogue) == []

    time.sleep(6.5)  # down for two scheduled times (+3 s and +6 s)

    second = HarvestScheduler(catalogue, sync_seconds=60)
    second.start()
    try:
        assert wait_for(lambda: any(r.status == "completed" for r in runs(catalogue)), 3)
        time.sleep(0.5)
        assert [run.status for run in runs(catalogue)] == ["completed"]  # once, not twice
        next_run = second.next_runs()
        assert len(next_run) == 1 and next_run[next(iter(next_run))].timestamp() > time.time()
    finally:
        second.shutdown()


def test_a_changed_schedule_replaces_the_job(sqlite_catalogue: Catalogue, tmp_path: Path):
    catalogue = sqlite_catalogue
    source = catalogue.add_source("bn", "dcat", str(tmp_path / "k.ttl"), schedule="0 3 * * *")
    service = HarvestScheduler(catalogue)
    service.start()
    try:
        before = service.next_runs()[source.id]
        assert (before.hour, before.minute) == (3, 0)
        runner = CliRunner()
        home = ["--database-url", catalogue.url]
        result = runner.invoke(main, [*home, "sources", "schedule", "bn", "30 4 * * *"])
        assert result.exit_code == 0, result.output
        bad = runner.invoke(main, [*home, "sources", "schedule", "bn", "every 5 weeks"])
        assert bad.exit_code == 1 and "cron" in bad.output
        assert service.sync_jobs() == {"added": 0, "changed": 1, "removed": 0}
        after = service.next_runs()[source.id]
        assert (after.hour, after.minute) == (4, 30)
        listing = runner.invoke(main, [*home, "sources", "schedule", "--json"])
        assert '"next_run_from": "job_store"' in listing.output
        assert runner.invoke(main, [*home, "sources", "schedule", "bn", "--clear"]).exit_code == 0
        assert service.sync_jobs()["removed"] == 1
        assert service.next_runs() == {}
    finally:
        service.shutdown()


def test_a_schedule_changed_while_every_harvest_thread_is_busy_is_picked_up(
    sqlite_catalogue: Catalogue, http_server: LocalServer
) -> None:
    # The sync ran in the harvests' pool: behind a long night's runs it never came,
    # APScheduler warned every interval that it was still running (bench/scaleout.py),
    # and a shutdown then hung: APScheduler's shutdown holds the job stores' lock while it
    # waits for the pool, where the sync waited for that lock.
    catalogue = sqlite_catalogue
    catalogue.add_source("slow", "dcat", _slow_source(http_server, 6.0), schedule="every 1s")
    service = HarvestScheduler(catalogue, workers=1, sync_seconds=0.5)
    service.start()
    assert wait_for(lambda: any(r.status == "running" for r in runs(catalogue)), 10)
    added = catalogue.add_source("new", "dcat", "https://example.org/k.ttl", schedule="0 3 * * *")
    picked_up = wait_for(lambda: added.id in service.next_runs(), 3)
    harvests_then = [r.status for r in runs(catalogue)]
    stopper = threading.Thread(target=service.shutdown, kwargs={"wait": False}, daemon=True)
    stopper.start()
    stopper.join(timeout=30)
    assert picked_up
    assert harvests_then == ["running"]  # picked up while the only harvest thread was busy
    assert not stopper.is_alive()  # the shutdown ends


def _slow_source(server: LocalServer, delay: float) -> str:
    body = catalogue_ttl(range(1, 6)).encode()

    def slow(_request: object) -> Reply:
        time.sleep(delay)
        return Reply(200, body, {"Content-Type": "text/turtle"})

    server.route("/slow.ttl", slow)
    return server.url("/slow.ttl")


def _start_scheduler(home: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "INSYN_HOME": str(home)}
    return subprocess.Popen(
        [INSYN, "scheduler", "--no-index", "--lease", "3", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(
    ("timeout", "expected"), [(30.0, "completed"), (0.3, "interrupted")], ids=["finish", "cut"]
)
def test_sigterm_finishes_or_interrupts_the_run_in_progress(
    tmp_path: Path, http_server: LocalServer, timeout: float, expected: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    try:
        catalogue.add_source("slow", "dcat", _slow_source(http_server, 2.0), schedule="every 1s")
        process = _start_scheduler(home, "--shutdown-timeout", str(timeout))
        try:
            assert wait_for(lambda: any(r.status == "running" for r in runs(catalogue)), 15)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
        statuses = [run.status for run in runs(catalogue)]
        assert statuses == [expected]  # no half-applied run, no new run after SIGTERM
        with catalogue.session() as session:
            stored = len(session.scalars(select(CatalogueRecord.id)).all())
        assert stored == (5 if expected == "completed" else 0)
    finally:
        catalogue.close()
