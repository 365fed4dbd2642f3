"""The scheduler: each source harvested on its own schedule, surviving restarts.

A source's ``schedule`` is either

- a cron expression of five fields, ``minute hour day month weekday``, in
  Europe/Stockholm time (``0 3 * * *`` = every night at 03:00, ``*/15 * * * *``,
  ``0 6 * * mon-fri``), or
- an interval, ``every N`` followed by a unit: ``s`` (seconds, for tests), ``m``
  (minutes), ``h`` (hours) or ``d`` (days), e.g. ``every 15m``, ``every 6h``.

Jobs are kept by APScheduler 3 in the catalogue database (``SQLAlchemyJobStore``,
table ``insyn_scheduler_jobs``), one job per scheduled source, id ``source:<id>``.
When the scheduler was down, the runs it missed are coalesced: a source runs once on
start-up, not once per missed time, provided the latest missed time is within the
misfire grace time (default one day); older misses are skipped until the next time.

Several scheduler processes may share one database: each fires the jobs it finds
due, and the claims of ``insyn.harvester.workers`` decide which of them runs the
source; the others skip it. A worker's jobs are synchronised with the sources table
every ``sync_seconds`` (a changed schedule is picked up without a restart).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from insyn.catalogue.operations import SCHEDULER_JOBS_TABLE
from insyn.catalogue.store import Catalogue
from insyn.errors import ConfigError
from insyn.harvester.engine import RunSummary, StopRequested, harvest_source
from insyn.harvester.workers import DEFAULT_LEASE_SECONDS, Claims

log = logging.getLogger(__name__)

TIMEZONE = "Europe/Stockholm"
DEFAULT_MISFIRE_GRACE = 24 * 3600
INTERVAL = re.compile(r"^\s*every\s+(\d+)\s*([smhd])\s*$", re.IGNORECASE)
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_schedule(text: str) -> BaseTrigger:
    """The APScheduler trigger of a schedule (cron or ``every N[smhd]``).

    Raises:
        ConfigError: the text is neither a valid cron expression nor an interval.
    """
    match = INTERVAL.match(text)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ConfigError(f"Schemat '{text}': intervallet måste vara större än noll")
        return IntervalTrigger(timezone=TIMEZONE, **{UNITS[match.group(2).lower()]: amount})
    if len(text.split()) != 5:
        raise ConfigError(
            f"Schemat '{text}' är varken ett cron-uttryck med fem fält "
            "(t.ex. '0 3 * * *') eller ett intervall (t.ex. 'every 15m')"
        )
    try:
        return CronTrigger.from_crontab(text, timezone=TIMEZONE)
    except ValueError as exc:
        raise ConfigError(f"Schemat '{text}' är inget giltigt cron-uttryck: {exc}") from exc


def job_id(source_id: int) -> str:
    return f"source:{source_id}"


# The scheduler process's runtime: jobs in the store hold only a source id, and find
# the catalogue, claims and stop event here (a pickled job cannot carry them).
_RUNTIME: HarvestScheduler | None = None


_CURRENT = threading.local()  # the scheduled time of the job this thread runs


class SlotExecutor(ThreadPoolExecutor):
    """A thread pool that tells the job which scheduled time it runs for."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        def callback(future: Any) -> None:
            exc = future.exception()
            if exc:
                self._run_job_error(job.id, exc, getattr(exc, "__traceback__", None))
            else:
                self._run_job_success(job.id, future.result())

        def run() -> Any:
            _CURRENT.slot = run_times[-1].timestamp() if run_times else None
            try:
                return run_job(job, job._jobstore_alias, run_times, self._logger.name)
            finally:
                _CURRENT.slot = None

        self._pool.submit(run).add_done_callback(callback)


def run_scheduled(source_id: int) -> None:
    """The job APScheduler persists for a source: harvest it if we get the claim."""
    runtime = _RUNTIME
    if runtime is None:
        log.warning("scheduled run of source %s with no scheduler running", source_id)
        return
    runtime.run_source(source_id, slot=getattr(_CURRENT, "slot", None))


@dataclass
class RunOutcome:
    source_id: int
    summary: RunSummary | None  # None: another worker held the claim
    started: datetime


class HarvestScheduler:
    """APScheduler around the catalogue: jobs per source, claims, clean shutdown."""

    def __init__(
        self,
        catalogue: Catalogue,
        *,
        after_harvest: Callable[[], None] | None = None,
        workers: int = 4,
        misfire_grace: int = DEFAULT_MISFIRE_GRACE,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        sync_seconds: float = 30.0,
        holder: str | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.after_harvest = after_harvest
        self.claims = Claims(catalogue, holder, lease_seconds=lease_seconds)
        self.sync_seconds = sync_seconds
        self.stop_event = threading.Event()  # set: runs in progress stop, interrupted
        self.stopping = False  # set on shutdown: runs not yet started are skipped
        self.outcomes: deque[RunOutcome] = deque(maxlen=1000)  # the latest, for tests
        self._index_lock = threading.Lock()
        self._sync_lock = threading.Lock()  # held while a sync uses the scheduler's jobs
        self._worker_claim = None
        self.scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(
                    engine=catalogue.engine, tablename=SCHEDULER_JOBS_TABLE
                ),
                "local": MemoryJobStore(),
            },
            # The schedule sync has a thread of its own: in the harvests' pool it queued
            # behind every due run, so a busy night picked up no changed schedule and
            # warned every 30 s that the sync was still "running".
            executors={
                "default": SlotExecutor(max_workers=workers),
                "sync": ThreadPoolExecutor(max_workers=1),
            },
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": misfire_grace,
            },
            timezone=TIMEZONE,
        )

    @property
    def holder(self) -> str:
        return self.claims.holder

    # --- jobs ------------------------------------------------------------------------

    def sync_jobs(self) -> dict[str, int]:
        """Make the job store match the sources' schedules; return what changed.

        A job whose schedule is unchanged keeps its next run time, so a run missed
        while no scheduler was up is still due (and is caught up once). Once the
        shutdown has begun it changes nothing.
        """
        with self._sync_lock:
            if self.stopping:
                return {"added": 0, "changed": 0, "removed": 0}
            return self._sync_jobs()

    def _sync_jobs(self) -> dict[str, int]:
        changes = {"added": 0, "changed": 0, "removed": 0}
        wanted: dict[str, tuple[int, str]] = {}
        for source in self.catalogue.sources():
            if source.enabled and source.schedule:
                wanted[job_id(source.id)] = (source.id, source.schedule.strip())
        existing = {job.id: job for job in self.scheduler.get_jobs(jobstore="default")}
        for jid in existing:
            if jid not in wanted:
                self._quietly(self.scheduler.remove_job, jid, jobstore="default")
                changes["removed"] += 1
        for jid, (source_id, schedule) in wanted.items():
            job = existing.get(jid)
            if job is not None and job.name == schedule:
                continue
            try:
                trigger = parse_schedule(schedule)
            except ConfigError as exc:
                log.error("%s", exc, extra={"event": "bad_schedule", "source_id": source_id})
                continue
            if job is not None:
                self._quietly(self.scheduler.modify_job, jid, jobstore="default", name=schedule)
                self._quietly(
                    self.scheduler.reschedule_job, jid, jobstore="default", trigger=trigger
                )
                changes["changed"] += 1
            else:
                try:
                    self.scheduler.add_job(
                        run_scheduled,
                        trigger=trigger,
                        args=[source_id],
                        id=jid,
                        name=schedule,
                        jobstore="default",
                    )
                    changes["added"] += 1
                except ConflictingIdError:  # another worker added it a moment ago
                    pass
        return changes

    @staticmethod
    def _quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        with contextlib.suppress(JobLookupError):  # another worker removed it just now
            function(*args, **kwargs)

    def next_runs(self) -> dict[int, datetime | None]:
        """Each scheduled source's next run time, by source id (read from the job store)."""
        out: dict[int, datetime | None] = {}
        for job in self.scheduler.get_jobs(jobstore="default"):
            if job.id.startswith("source:"):
                out[int(job.id.split(":", 1)[1])] = getattr(job, "next_run_time", None)
        return out

    # --- running ---------------------------------------------------------------------

    def run_source(self, source_id: int, slot: float | None = None) -> RunOutcome:
        """Harvest one source under its claim, then bring the index up to date.

        ``slot`` is the scheduled time; a time another worker claimed is not run again.
        """
        started = datetime.now().astimezone()
        if self.stopping or self.stop_event.is_set():  # queued before the shutdown began
            return RunOutcome(source_id, None, started)
        handle = self.claims.claim_source(source_id, slot)
        if handle is None:
            log.info(
                "source %s runs on another worker, or ran for this time already",
                source_id,
                extra={"event": "claim_busy", "source_id": source_id},
            )
            outcome = RunOutcome(source_id, None, started)
            self.outcomes.append(outcome)
            return outcome
        summary: RunSummary | None = None
        try:
            name = next(
                (source.name for source in self.catalogue.sources() if source.id == source_id),
                None,
            )
            if name is None:
                return RunOutcome(source_id, None, started)
            try:
                summary = harvest_source(
                    self.catalogue,
                    name,
                    worker=self.holder,
                    before_commit=handle.fence,
                    stop=self.stop_event,
                )
            except StopRequested:
                log.info(
                    "run of %s interrupted by shutdown",
                    name,
                    extra={"event": "run_stopped", "source": name},
                )
        finally:
            handle.release()
        outcome = RunOutcome(source_id, summary, started)
        self.outcomes.append(outcome)
        if summary is not None and self.after_harvest is not None:
            with self._index_lock:  # one catch-up at a time in this process
                try:
                    self.after_harvest()
                except Exception:  # the index can catch up later; the harvest stands
                    log.exception("index catch-up after harvest failed")
        return outcome

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        global _RUNTIME
        _RUNTIME = self
        self._worker_claim = self.claims.claim(f"worker:{self.holder}")
        self.claims.start_heartbeat()
        self.scheduler.start(paused=True)
        self.sync_jobs()
        self.scheduler.add_job(
            self.sync_jobs,
            "interval",
            seconds=self.sync_seconds,
            id="sync",
            jobstore="local",
            executor="sync",
            misfire_grace_time=None,
        )
        self.scheduler.resume()
        log.info("scheduler started", extra={"event": "scheduler_started", "worker": self.holder})

    def shutdown(self, *, wait: bool = True, timeout: float | None = None) -> None:
        """Stop taking new runs; let runs in progress finish.

        With ``timeout``, runs still going after that many seconds are stopped at
        their next record and marked interrupted (nothing of them is applied).
        """
        global _RUNTIME
        self.stopping = True
        self.scheduler.pause()
        # APScheduler's shutdown holds the job stores' lock while it waits for running
        # jobs, and a sync running then waits for that lock: let a sync in progress end
        # first (later ones return at once).
        with self._sync_lock:
            pass
        if timeout is not None:
            timer = threading.Timer(timeout, self.stop_event.set)
            timer.daemon = True
            timer.start()
        if not wait:
            self.stop_event.set()
        self.scheduler.shutdown(wait=True)
        if self._worker_claim is not None:
            self._worker_claim.release()
        self.claims.stop_heartbeat()
        if _RUNTIME is self:
            _RUNTIME = None
        log.info("scheduler stopped", extra={"event": "scheduler_stopped", "worker": self.holder})


def run_forever(
    scheduler: HarvestScheduler, stop: threading.Event, shutdown_timeout: float | None
) -> None:
    """Start, wait until ``stop`` is set (SIGTERM/SIGINT), then shut down cleanly."""
    scheduler.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True, timeout=shutdown_timeout)


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``condition`` until true or ``timeout`` seconds passed (for tests and tools)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


__all__ = [
    "DEFAULT_MISFIRE_GRACE",
    "HarvestScheduler",
    "parse_schedule",
    "run_forever",
    "run_scheduled",
]
