"""Tables of the operations room: claims (leases) and the scheduler's job store.

``claims`` holds one row per thing that only one worker may do at a time: a source's
harvest (``source:<id>``) and a running scheduler process (``worker:<id>``, so that
``/health`` can tell which schedulers are alive). A claim is a lease: it names its
holder and expires unless the holder renews it (the heartbeat), so a crashed worker's
claim runs out and another worker takes the source.

``insyn_scheduler_jobs`` is APScheduler's ``SQLAlchemyJobStore`` table, declared here
(with the exact columns APScheduler creates) so that Alembic owns it like every other
table of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Float, Index, LargeBinary, String, Unicode, select
from sqlalchemy.orm import Mapped, mapped_column

from insyn.catalogue.models import Base
from insyn.catalogue.store import Catalogue, utcnow

SCHEDULER_JOBS_TABLE = "insyn_scheduler_jobs"


class Claim(Base):
    """A lease on one piece of work: held by ``holder`` until ``expires_at``."""

    __tablename__ = "claims"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    # A new token per claim: a holder whose lease was taken over cannot renew or commit.
    token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The scheduled time (Unix seconds) of the last run claimed: every worker fires a
    # due job, and only the first claim for that time may run it.
    last_slot: Mapped[float | None] = mapped_column(Float)


class SchedulerJob(Base):
    """APScheduler's persisted jobs (pickled job state, next run as a UTC timestamp)."""

    __tablename__ = SCHEDULER_JOBS_TABLE

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25))
    job_state: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index(f"ix_{SCHEDULER_JOBS_TABLE}_next_run_time", "next_run_time"),)


@dataclass(frozen=True)
class ClaimInfo:
    name: str
    holder: str | None
    expires_at: datetime | None
    heartbeat_at: datetime | None

    @property
    def live(self) -> bool:
        return self.holder is not None and self.expires_at is not None


def list_claims(catalogue: Catalogue, prefix: str = "") -> list[ClaimInfo]:
    """The held, unexpired claims whose name starts with ``prefix``."""
    now = utcnow()
    with catalogue.session() as session:
        rows = session.execute(
            select(Claim.name, Claim.holder, Claim.expires_at, Claim.heartbeat_at).where(
                Claim.name.startswith(prefix),
                Claim.holder.is_not(None),
                Claim.expires_at >= now,
            )
        )
        return [ClaimInfo(*row) for row in rows]
