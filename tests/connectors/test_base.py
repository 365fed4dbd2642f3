"""The shared cursor (stored form and the incremental boundary) and the per-record guard."""

from __future__ import annotations

from datetime import date

import pytest

from insyn.connectors.base import Cursor, Failure, Incremental, RecordGuard
from insyn.errors import VocabError


def test_cursor_round_trip() -> None:
    cursor = Cursor(
        last_value="2024-05-02T09:30:00Z",
        boundary_keys=["a", "b"],
        http={"https://exempel.se/k.ttl": {"etag": '"v1"'}},
    )
    stored = cursor.to_dict()
    assert stored == {
        "last_value": "2024-05-02T09:30:00Z",
        "boundary_keys": ["a", "b"],
        "http": {"https://exempel.se/k.ttl": {"etag": '"v1"'}},
    }
    assert Cursor.from_dict(stored) == cursor
    assert Cursor.from_dict(None) == Cursor()


def test_incremental_moves_the_boundary_and_keeps_the_keys_at_it() -> None:
    incremental = Incremental(Cursor(), order=str)
    incremental.see("a", "2024-01-01")
    incremental.see("b", "2024-01-03")
    incremental.see("c", "2024-01-03")
    incremental.see("d", "2024-01-02")  # older: the boundary stays
    incremental.see("e", None)  # no value: ignored
    cursor = incremental.cursor()
    assert cursor == Cursor(last_value="2024-01-03", boundary_keys=["b", "c"])

    # The next run drops what was taken at exactly the boundary, and keeps it if nothing
    # newer comes.
    again = Incremental(Cursor.from_dict(cursor.to_dict()), order=str)
    assert again.taken_before("b", "2024-01-03") and not again.taken_before("b", "2024-01-04")
    assert again.taken_before("c") and not again.taken_before("a")
    assert again.cursor() == cursor


def test_incremental_holds_at_a_change_it_did_not_take() -> None:
    incremental = Incremental(Cursor(), order=date.fromisoformat)
    incremental.see("a", "2024-01-01")
    incremental.see("b", "2024-01-02")
    incremental.see("c", "2024-01-05")
    incremental.hold("2024-01-04")  # "b" changed again while the run read the source
    incremental.hold("2024-01-02")
    assert incremental.cursor() == Cursor(last_value="2024-01-02", boundary_keys=["b"])


def test_the_guard_turns_an_error_into_a_failure_naming_key_and_field() -> None:
    guard = RecordGuard("post-1", field="metadata")
    with guard:
        raise ValueError("inget datum")
    assert guard.failure == Failure(
        "post-1", "Posten kunde inte läsas: ValueError: inget datum", "metadata"
    )

    class FieldError(VocabError):
        """An error naming its field as every InsynError does (``field=``)."""

    named = RecordGuard("post-2", what="Paketet")
    with named:
        raise FieldError("fel", field="dct:issued")
    assert named.failure is not None and named.failure.field == "dct:issued"
    assert named.failure.reason.startswith("Paketet kunde inte läsas: FieldError")

    fine = RecordGuard("post-3")
    with fine:
        value = 1
    assert fine.failure is None and value == 1


def test_the_guard_lets_an_interrupt_through() -> None:
    with pytest.raises(KeyboardInterrupt), RecordGuard("x"):
        raise KeyboardInterrupt
