"""A connector that plays a script, for engine tests of what real sources do rarely."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from insyn.connectors.base import Cursor, Done, Failure, Item, Yielded
from insyn.vocab.model import Dataset

KIND = "scripted"


@dataclass
class Config:
    script: str

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        return cls(script=options["script"])


def _dataset(number: int) -> Dataset:
    return Dataset(
        uri=f"https://data.exempel.se/scripted/{number}",
        title={"sv": f"Datamängd {number}"},
        description={"sv": "Beskrivning"},
    )


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    if config.script == "one-bad":
        yield Item("good-1", _dataset(1))
        yield Failure("bad-1", "dcterms:issued: '2024-13-45' är inget datum", "dcterms:issued")
        yield Item("good-2", _dataset(2))
        yield Done(Cursor(last_value="2026-10-01T00:00:00Z"))
    elif config.script == "incremental":
        yield Item("good-3", _dataset(3))
        yield Done(Cursor(last_value="2026-11-01T00:00:00Z"), complete=False)
    elif config.script == "interrupt":
        yield Item("new-1", _dataset(10))
        raise KeyboardInterrupt
    elif config.script == "no-done":
        yield Item("new-1", _dataset(10))
