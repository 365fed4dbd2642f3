"""Polite HTTP (insyn.connectors.http) against a real local server: a per-host limit on
concurrent requests, a rate limit, Retry-After as a minimum, headers and User-Agent."""

from __future__ import annotations

import threading
import time

from insyn.connectors import http
from insyn.connectors.http import HttpSettings, fetch
from tests.support.http import LocalServer, Reply


def test_concurrent_requests_per_host_are_limited(http_server: LocalServer) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(_request: object) -> Reply:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.25)
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
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2
    assert time.monotonic() - started >= 0.7  # three rounds of two
    assert http.host_limit(http_server.url("/")).active == 0


def test_requests_per_second_is_a_token_bucket(http_server: LocalServer) -> None:
    http_server.route("/r", Reply(200, b"ok"))
    settings = HttpSettings.from_options({"requests_per_second": "10", "burst": "3"})
    stamps = []
    for _ in range(8):
        fetch(http_server.url("/r"), settings)
        stamps.append(time.monotonic())
    # The burst of three goes at once; the other five wait 0.1 s each.
    assert stamps[2] - stamps[0] < 0.08
    assert stamps[-1] - stamps[0] >= 0.45
    per_host = [request for request in http_server.requests if request.path == "/r"]
    assert len(per_host) == 8


def test_retry_after_is_honoured_as_a_minimum(http_server: LocalServer) -> None:
    answers = iter([Reply(429, b"", {"Retry-After": "1"}), Reply(200, b"ok")])
    http_server.route("/busy", lambda _request: next(answers))
    started = time.monotonic()
    response = fetch(http_server.url("/busy"), HttpSettings(backoff=0.01))
    assert response.status == 200
    assert 1.0 <= time.monotonic() - started < 2.0


def test_headers_and_user_agent(http_server: LocalServer) -> None:
    http_server.route("/h", Reply(200, b"ok"))
    fetch(http_server.url("/h"), HttpSettings(), headers={"X-Api-Key": "hemligt"})
    sent = http_server.requests[-1].headers
    assert sent["x-api-key"] == "hemligt"
    assert sent["user-agent"].startswith("Insyn/")
