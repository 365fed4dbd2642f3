"""Claims: several workers share the sources, and no source ever runs twice at once.

A claim is a lease on a row of the ``claims`` table (``source:<id>`` for a source's
harvest, ``worker:<id>`` for a live scheduler process). Taking one is a compare-and-set:

- PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` on the claim row (a worker that
  finds it locked moves on at once instead of queueing), then one conditional
  ``UPDATE … WHERE holder IS NULL OR expires_at < now``, in the same transaction.
- SQLite (one machine): the same conditional ``UPDATE``; SQLite runs every write under
  its single database write lock (the lock ``BEGIN IMMEDIATE`` takes), so two
  processes cannot both see the row free. No file lock is needed.

The holder renews its leases from a heartbeat thread (every third of the lease). A
worker that crashes stops renewing; once ``expires_at`` has passed another worker
takes the source, and marks the crashed worker's ``running`` run as interrupted (the
run's transaction died with its connection, so nothing of it was applied).

Fencing: each claim carries a fresh token. Just before a run commits, the engine calls
``ClaimHandle.fence(session)``, which renews the claim *inside the run's transaction*
and fails the run if the token no longer matches. A worker that stalled past its lease
therefore cannot apply a run on top of the worker that took over.

Times are the workers' UTC clocks: keep the machines' clocks in step (NTP); the lease
(default 60 s) is far longer than any clock skew NTP leaves.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from insyn.catalogue.models import HarvestRun, Incident
from insyn.catalogue.operations import Claim
from insyn.catalogue.store import Catalogue, utcnow
from insyn.errors import HarvestError

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0


def worker_id() -> str:
    """A name for this process that says where it runs: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def source_claim_name(source_id: int) -> str:
    return f"source:{source_id}"


class ClaimLost(HarvestError):
    """This worker's lease ran out and another worker took the work over."""


@dataclass
class ClaimHandle:
    """A claim this worker holds."""

    name: str
    token: str
    claims: Claims
    lost: threading.Event = field(default_factory=threading.Event)

    def fence(self, session: Session) -> None:
        """Renew the claim in the caller's transaction; raise ClaimLost if it was taken.

        Raises:
            ClaimLost: the lease expired and another worker holds the claim now.
        """
        now = utcnow()
        result = session.execute(
            update(Claim)
            .where(
                Claim.name == self.name,
                Claim.holder == self.claims.holder,
                Claim.token == self.token,
            )
            .values(heartbeat_at=now, expires_at=now + self.claims.lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            self.lost.set()
            raise ClaimLost(
                f"Anspråket '{self.name}' har gått ut och tagits över av en annan arbetare; "
                "körningen tillämpades inte"
            )

    def release(self) -> None:
        self.claims.release(self)


class Claims:
    """Takes, renews and releases leases in the catalogue database for one holder."""

    def __init__(
        self,
        catalogue: Catalogue,
        holder: str | None = None,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.catalogue = catalogue
        self.holder = holder or worker_id()
        self.lease = timedelta(seconds=lease_seconds)
        self._held: dict[str, ClaimHandle] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- taking and giving back ------------------------------------------------------

    def _ensure_row(self, connection: Connection, name: str) -> None:
        # The dialect in use's own INSERT … ON CONFLICT: loading PostgreSQL's dialect too
        # would cost every SQLite command a tenth of a second.
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = pg_insert(Claim).values(name=name).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = sqlite_insert(Claim).values(name=name).on_conflict_do_nothing()
        connection.execute(statement)

    def claim(
        self, name: str, *, source_id: int | None = None, slot: float | None = None
    ) -> ClaimHandle | None:
        """Take the lease ``name`` if it is free or expired; None when another holds it.

        With ``source_id``, runs of that source left ``running`` by an expired holder
        are marked interrupted in the same transaction. With ``slot`` (the scheduled
        time of a run, Unix seconds) the claim is refused when that time, or a later
        one, was claimed already: each scheduled time runs once, however many workers
        fire it.
        """
        now = utcnow()
        token = uuid.uuid4().hex
        with self.catalogue.engine.begin() as connection:
            self._ensure_row(connection, name)
        with self.catalogue.engine.begin() as connection:
            row = connection.execute(
                select(Claim.holder, Claim.expires_at)
                .where(Claim.name == name)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:  # locked by a worker claiming it right now
                return None
            conditions = [Claim.name == name, Claim.holder.is_(None) | (Claim.expires_at < now)]
            values = {
                "holder": self.holder,
                "token": token,
                "claimed_at": now,
                "heartbeat_at": now,
                "expires_at": now + self.lease,
            }
            if slot is not None:
                conditions.append(Claim.last_slot.is_(None) | (Claim.last_slot < slot))
                values["last_slot"] = slot
            taken = connection.execute(update(Claim).where(*conditions).values(**values))
            if taken.rowcount != 1:
                return None
            if source_id is not None and row.holder is not None:
                # The last holder never released: it died or stalled past its lease.
                self._interrupt_orphaned_runs(connection, source_id, row.holder, now)
        handle = ClaimHandle(name, token, self)
        with self._lock:
            self._held[name] = handle
        log.debug("claimed %s", name, extra={"event": "claim", "claim": name})
        return handle

    def claim_source(self, source_id: int, slot: float | None = None) -> ClaimHandle | None:
        return self.claim(source_claim_name(source_id), source_id=source_id, slot=slot)

    def _interrupt_orphaned_runs(
        self, connection: Connection, source_id: int, previous: str, now: datetime
    ) -> None:
        """The expired holder's runs still ``running`` for this source lost their worker."""
        orphaned = connection.execute(
            select(HarvestRun.id).where(
                HarvestRun.source_id == source_id,
                HarvestRun.status == "running",
                HarvestRun.worker == previous,
            )
        ).scalars()
        for run_id in list(orphaned):
            reason = f"arbetaren {previous} slutade svara; anspråket gick ut"
            connection.execute(
                update(HarvestRun)
                .where(HarvestRun.id == run_id)
                .values(status="interrupted", finished_at=now, error=f"avbruten: {reason}")
            )
            connection.execute(
                Incident.__table__.insert().values(
                    source_id=source_id,
                    run_id=run_id,
                    kind="run_interrupted",
                    message=f"Skördningen nr {run_id} avbröts: {reason}. Inget av den tillämpades.",
                    status="open",
                    created_at=now,
                    details={"worker": previous},
                )
            )
            log.warning(
                "run %s of source %s was orphaned by %s",
                run_id,
                source_id,
                previous,
                extra={"event": "run_orphaned", "run_id": run_id, "worker": previous},
            )

    def release(self, handle: ClaimHandle) -> None:
        """Give a claim back (only if we still hold it)."""
        with self._lock:
            self._held.pop(handle.name, None)
        with self.catalogue.engine.begin() as connection:
            connection.execute(
                update(Claim)
                .where(
                    Claim.name == handle.name,
                    Claim.holder == self.holder,
                    Claim.token == handle.token,
                )
                .values(holder=None, token=None, expires_at=None)
            )

    def held(self) -> list[str]:
        with self._lock:
            return sorted(self._held)

    # --- the heartbeat ---------------------------------------------------------------

    def renew(self) -> None:
        """Extend every held lease; a lease that was taken over is marked lost."""
        now = utcnow()
        with self._lock:
            handles = list(self._held.values())
        with self.catalogue.engine.begin() as connection:
            for handle in handles:
                result = connection.execute(
                    update(Claim)
                    .where(
                        Claim.name == handle.name,
                        Claim.holder == self.holder,
                        Claim.token == handle.token,
                    )
                    .values(heartbeat_at=now, expires_at=now + self.lease)
                )
                if result.rowcount != 1:
                    handle.lost.set()
                    log.error("claim %s was lost", handle.name, extra={"event": "claim_lost"})

    def start_heartbeat(self) -> None:
        """Renew the leases every third of the lease, in a daemon thread."""
        if self._thread is not None:
            return
        interval = self.lease.total_seconds() / 3

        def beat() -> None:
            while not self._stop.wait(interval):
                try:
                    self.renew()
                except OperationalError as exc:
                    if self.catalogue.engine.dialect.name == "sqlite":
                        # A run holds SQLite's one write lock for its whole transaction; no
                        # other process can take the claim meanwhile, and the run renews it
                        # in its own transaction before it commits (ClaimHandle.fence).
                        log.debug("heartbeat waits for the run's write lock: %s", exc)
                        continue
                    log.warning("heartbeat failed, trying again: %s", exc)
                except Exception:  # not the database being away: a bug worth a traceback
                    log.exception("heartbeat failed")

        self._thread = threading.Thread(target=beat, name="insyn-heartbeat", daemon=True)
        self._thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
