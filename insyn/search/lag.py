"""The records public reads leave out while the search index lags the change log.

A record changed after the indexer's position may still be in the index in the form the
catalogue no longer shows: made internal, deleted or secret-marked. Public reads exclude
those (``SearchRequest.exclude_ids``), so index lag never shows a record that was just
made secret or internal; the indexer's next catch-up brings them back in the form the
catalogue shows.

``unindexed_hides`` works them out from scratch. ``LaggingHides`` keeps them for a reader
that asks before every search, and when the index's position or the change log moves it
steps from what it had (``LaggingHides.current``): every commit of the indexer moves the
position, and working out the whole list again cost 0.7 s at a million records.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry, ReaderCursor
from insyn.catalogue.store import Catalogue
from insyn.catalogue.visibility import public_clause, secret_marked_clause
from insyn.search.indexer import READER_NAME

__all__ = ["LaggingHides", "unindexed_hides"]

_LOOKUP_CHUNK = 500  # record ids per visibility lookup

# The index's position, the last change, and the record and time of the change at
# ``:seen`` (the last change when the list was worked out): one statement, asked before
# every public search. The change at ``:seen`` tells a log that grew from the one the list
# was worked out from apart from one that was replaced (a catalogue restored under the
# same connection).
_LAG = select(
    select(ReaderCursor.last_seq).where(ReaderCursor.name == READER_NAME).scalar_subquery(),
    select(func.max(ChangeLogEntry.seq)).scalar_subquery(),
    select(ChangeLogEntry.record_id)
    .where(ChangeLogEntry.seq == bindparam("seen"))
    .scalar_subquery(),
    select(ChangeLogEntry.changed_at)
    .where(ChangeLogEntry.seq == bindparam("seen"))
    .scalar_subquery(),
)


def unindexed_hides(catalogue: Catalogue) -> list[str]:
    """Return the records the index may still show the public in a form the catalogue no
    longer does: changed since the indexer's position, and now hidden, deleted or masked."""
    with catalogue.session() as session:
        position, last, _, _ = session.execute(_LAG, {"seen": 0}).one()
        return list(_hidden(session, _changed(session, position or 0, last or 0)))


def _changed(session: Session, after: int, upto: int) -> dict[str, int]:
    """The records changed in (``after``, ``upto``], each with its last change there."""
    if after >= upto:
        return {}
    rows = session.execute(
        select(ChangeLogEntry.record_id, func.max(ChangeLogEntry.seq))
        .where(ChangeLogEntry.seq > after, ChangeLogEntry.seq <= upto)
        .group_by(ChangeLogEntry.record_id)
    )
    return {record_id: seq for record_id, seq in rows}


def _hidden(session: Session, changed: dict[str, int]) -> dict[str, int]:
    """Those of ``changed`` that the public is not shown plainly now."""
    # Asked of these records only, looked up by key: in one statement the planner walked
    # every record by kind (a JSON test each, about 20 s per search at 1,000,000 records).
    # (The rule is a column, not a condition, so that the lookup goes by key.)
    plainly_shown = and_(public_clause(), ~secret_marked_clause())
    ids = list(changed)
    shown: set[str] = set()
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        rows = session.execute(
            select(CatalogueRecord.id, plainly_shown).where(
                CatalogueRecord.id.in_(ids[start : start + _LOOKUP_CHUNK])
            )
        )
        shown.update(record_id for record_id, is_shown in rows if is_shown)
    return {record_id: seq for record_id, seq in changed.items() if record_id not in shown}


class _Lag(NamedTuple):
    """What one ``_LAG`` statement read."""

    position: int
    last: int
    at_seen: tuple[str, datetime] | None  # the change at the last one seen before, if any

    @classmethod
    def read(cls, session: Session, seen: int) -> _Lag:
        position, last, record_id, changed_at = session.execute(_LAG, {"seen": seen}).one()
        at_seen = None if record_id is None else (record_id, changed_at)
        return cls(position or 0, last or 0, at_seen)


@dataclass(frozen=True)
class _Hides:
    """The hides of the changes in (``position``, ``last``]: each record with its last
    change there; ``at_last`` is the change at ``last`` (None when the log is empty)."""

    position: int
    last: int
    at_last: tuple[str, datetime] | None
    records: dict[str, int]
    ids: tuple[str, ...]

    def holds(self, lag: _Lag) -> bool:
        """Whether these are the hides at ``lag`` (read with ``seen=self.last``)."""
        return (self.position, self.last) == (lag.position, lag.last) and self.grew_into(lag)

    def grew_into(self, lag: _Lag) -> bool:
        """Whether the log ``lag`` read holds the change these saw last, where they saw it."""
        return lag.at_seen == self.at_last


class LaggingHides:
    """``unindexed_hides`` of one catalogue, kept from one call to the next.

    A record's visibility changes only with a change-log entry (the harvest, the plan,
    classification and deletion write one in the same transaction), so the list moves
    only when the log or the index's position does, and then step by step:

    * changes after the last one seen: only their records are looked up again, each
      added if now hidden (with its last change) and dropped if now shown;
    * the position moved on: the records whose last change it passed are dropped (the
      index now holds them in their latest form).

    It starts from scratch on the first call, and when the position went back (an index
    reset), the log got shorter, or the change last seen is not the one the log holds at
    its place (another catalogue restored under the same connection). An index rebuild
    moves the position on to the last change it read: a step like any other.

    Like the indexer, it takes every change below the last one it has read to be there
    when that one was read (``seq`` grows in commit order).
    """

    def __init__(self) -> None:
        self._hides: _Hides | None = None
        self._lock = threading.Lock()  # one update at a time

    def current(self, catalogue: Catalogue) -> tuple[str, ...]:
        """Return the records a public read of ``catalogue`` must leave out now
        (``unindexed_hides``). Always the same catalogue: the list is kept from the last
        call. (Passed, not kept: a reader keeps one of these per catalogue, by a weak key.)"""
        hides = self._hides
        with catalogue.session() as session:
            lag = _Lag.read(session, hides.last if hides else 0)
        if hides is not None and hides.holds(lag):
            return hides.ids
        with self._lock, catalogue.session() as session:
            # Read again: another thread may have brought the list up to date meanwhile.
            hides = self._hides
            lag = _Lag.read(session, hides.last if hides else 0)
            if hides is None or not hides.holds(lag):
                hides = self._hides = _step(session, hides, lag)
        return hides.ids


def _step(session: Session, hides: _Hides | None, lag: _Lag) -> _Hides:
    """The hides at ``lag``, stepped from ``hides`` where that is sure."""
    if (
        hides is None
        or lag.position < hides.position
        or lag.last < hides.last
        or not hides.grew_into(lag)
    ):
        records = _hidden(session, _changed(session, lag.position, lag.last))
    else:
        changed = _changed(session, max(hides.last, lag.position), lag.last)
        records = {
            record_id: seq
            for record_id, seq in hides.records.items()
            if seq > lag.position and record_id not in changed
        }
        records.update(_hidden(session, changed))
    at_last = _Lag.read(session, lag.last).at_seen if lag.last else None
    return _Hides(lag.position, lag.last, at_last, records, tuple(records))
