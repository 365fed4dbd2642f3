"""Fixtures of the connector tests."""

from __future__ import annotations

import time
import types

import pytest

from insyn.connectors import http


@pytest.fixture
def backoff_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off waits ``insyn.connectors.http`` asks for, recorded instead of slept.

    Jitter is pinned to its low end, so each wait is exactly half of ``backoff * 2**try``:
    a test asserts the waits the code chose, never a wall-clock interval.
    """
    waits: list[float] = []
    monkeypatch.setattr(http, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    monkeypatch.setattr(http.random, "random", lambda: 0.0)
    return waits
