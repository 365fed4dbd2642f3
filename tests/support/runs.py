"""Collect what a connector yields in one run, for connector tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from insyn.connectors.base import Deleted, Done, Failure, Item, Yielded


@dataclass
class Run:
    items: dict[str, Item] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    done: Done | None = None


def collect(stream: Iterable[Yielded], *, unique_keys: bool = False) -> Run:
    """Sort a run's yields; with ``unique_keys`` an item key seen twice fails the test."""
    run = Run()
    for yielded in stream:
        if isinstance(yielded, Item):
            if unique_keys:
                assert yielded.key not in run.items, f"{yielded.key} yielded twice"
            run.items[yielded.key] = yielded
        elif isinstance(yielded, Deleted):
            run.deleted.append(yielded.key)
        elif isinstance(yielded, Failure):
            run.failures.append(yielded)
        elif isinstance(yielded, Done):
            run.done = yielded
    assert run.done is not None
    return run
