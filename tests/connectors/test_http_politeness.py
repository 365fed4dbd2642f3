"""Polite HTTP (insyn.connectors.http) against a real local server: a per-host limit on
concurrent requests, a rate limit, Retry-After as a minimum, headers and User-Agent.

No test here reads the wall clock: the rate limit and the back-off run on a fake clock
(``Clock``), so what is asserted is the waits the code asks for, never how long it took.
"""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest

from insyn.connectors import http
from insyn.connectors.http import HttpSettings, fetch
from tests.support.http import LocalServer, Reply


class Clock:
    """A fake monotonic clock: it moves only when the code under test sleeps.

    Rates in these tests are powers of two, so every wait is exact in binary floating
    point. A wait that cannot move the clock, or too many waits, fail the test instead of
    spinning for ever.
    """

    def __init__(self) -> None:
        self.now = 1024.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, wait: float) -> None:
        self.sleeps.append(wait)
        assert len(self.sleeps) < 100, f"waited {len(self.sleeps)} times: {self.sleeps[:5]} …"
        assert wait <= 0 or self.now + wait > self.now, f"a wait of {wait} s"
        self.now += wait

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The http module's clock and sleeps, faked; and fresh per-host gates on that clock."""
    fake = Clock()
    monkeypatch.setattr(http, "_monotonic", fake.monotonic)
    monkeypatch.setattr(http, "_pause", fake.sleep)
    monkeypatch.setattr(http, "time", fake)  # the back-off's time.sleep and time.time
    monkeypatch.setattr(http, "_hosts", {})
    return fake


def test_concurrent_requests_per_host_are_limited(http_server: LocalServer) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    two_inside = threading.Event()

    def slow(_request: object) -> Reply:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active >= 2:
                two_inside.set()
        # Hold the request until a second one is inside too (the limit lets two in), then
        # a little longer, so that a third would get in here if the gate let it.
        two_inside.wait(timeout=10)
        threading.Event().wait(0.05)
        with lock:
            active -= 1
        return Reply(200, b"ok")

    http_server.route("/slow", slow)
    settings = HttpSettings.from_options(
        {"max_connections_per_host": "2", "requests_per_second": "0"}
    )
    threads = [
        threading.Thread(target=fetch, args=(http_server.url("/slow"), settings)) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2
    assert len([r for r in http_server.requests if r.path == "/slow"]) == 6
    assert http.host_limit(http_server.url("/")).active == 0


def test_requests_per_second_is_a_token_bucket(http_server: LocalServer, clock: Clock) -> None:
    http_server.route("/r", Reply(200, b"ok"))
    settings = HttpSettings.from_options({"requests_per_second": "8", "burst": "3"})
    stamps = []
    for _ in range(8):
        fetch(http_server.url("/r"), settings)
        stamps.append(clock.now)
    # The burst of three goes at once; each of the other five waits for its token, 1/8 s.
    assert clock.sleeps == [0.125] * 5
    assert [b - a for a, b in pairwise(stamps)] == [0, 0] + [0.125] * 5
    per_host = [request for request in http_server.requests if request.path == "/r"]
    assert len(per_host) == 8


@pytest.mark.parametrize("jitter", [0.0, 1.0])
def test_retry_after_is_honoured_as_a_minimum(
    http_server: LocalServer, clock: Clock, monkeypatch: pytest.MonkeyPatch, jitter: float
) -> None:
    monkeypatch.setattr(http.random, "random", lambda: jitter)
    answers = iter([Reply(429, b"", {"Retry-After": "1"}), Reply(200, b"ok")])
    http_server.route("/busy", lambda _request: next(answers))
    response = fetch(http_server.url("/busy"), HttpSettings(backoff=0.01))
    assert response.status == 200
    # One wait before the second try: the server's second, never less (jitter only adds
    # a quarter at most), though the source's own back-off would be 0.01 s.
    assert len(clock.sleeps) == 1 and 1.0 <= clock.sleeps[0] <= 1.25
    assert len([r for r in http_server.requests if r.path == "/busy"]) == 2


def test_headers_and_user_agent(http_server: LocalServer) -> None:
    http_server.route("/h", Reply(200, b"ok"))
    fetch(http_server.url("/h"), HttpSettings(), headers={"X-Api-Key": "hemligt"})
    sent = http_server.requests[-1].headers
    assert sent["x-api-key"] == "hemligt"
    assert sent["user-agent"].startswith("Insyn/")
