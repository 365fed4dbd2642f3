"""Sources stay in their lane: redirects and paging links stay on the source's host, private
addresses only when allowed, and a time limit on every fetch and on the run.

The suite's servers listen on 127.0.0.1, so ``localhost`` stands for "another host".
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.connectors import http
from insyn.connectors.http import HttpSettings, fetch
from insyn.errors import ConnectorError
from insyn.harvester.engine import harvest_source
from tests.support.catalogues import catalogue_ttl
from tests.support.http import LocalServer, Reply, Request, local_server

TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}
HYDRA_NEXT = """
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{this}> a hydra:PartialCollectionView ; hydra:next <{next}> .
"""


@pytest.fixture
def other_host() -> Iterator[LocalServer]:
    """A second server, reached by the name ``localhost``: another host to the lane."""
    with local_server() as server:
        yield server


def elsewhere(server: LocalServer, path: str) -> str:
    return server.url(path).replace("127.0.0.1", "localhost")


def live_count(catalogue: Catalogue) -> int:
    with catalogue.session() as session:
        query = select(func.count()).where(CatalogueRecord.deleted_at.is_(None))
        return session.scalar(query) or 0


# --- hosts ------------------------------------------------------------------------------


def test_a_redirect_to_another_host_is_refused(
    http_server: LocalServer, other_host: LocalServer
) -> None:
    other_host.route("/data", Reply(200, b"hemligt"))
    http_server.route("/start", Reply(302, b"", {"Location": elsewhere(other_host, "/data")}))
    with pytest.raises(ConnectorError, match="allow_hosts=localhost"):
        fetch(http_server.url("/start"), HttpSettings())
    assert not other_host.requests


def test_an_allowed_host_is_followed_without_the_sources_credentials(
    http_server: LocalServer, other_host: LocalServer
) -> None:
    other_host.route("/data", Reply(200, b"ok"))
    http_server.route("/start", Reply(302, b"", {"Location": elsewhere(other_host, "/data")}))
    settings = HttpSettings.from_options({"allow_hosts": "localhost"})
    response = fetch(http_server.url("/start"), settings, headers={"Authorization": "hemlig"})
    assert response.content == b"ok"
    assert http_server.requests[-1].headers["authorization"] == "hemlig"
    assert "authorization" not in other_host.requests[-1].headers


def test_a_redirect_on_the_same_host_is_followed(http_server: LocalServer) -> None:
    http_server.route("/start", Reply(301, b"", {"Location": "/data"}))
    http_server.route("/data", Reply(200, b"ok"))
    assert fetch(http_server.url("/start"), HttpSettings()).content == b"ok"


def test_a_hydra_next_page_on_another_host_fails_the_run_and_stores_nothing(
    catalogue: Catalogue, http_server: LocalServer, other_host: LocalServer
) -> None:
    page_one = catalogue_ttl(range(1, 3)) + HYDRA_NEXT.format(
        this=http_server.url("/katalog/1"), next=elsewhere(other_host, "/intern")
    )
    http_server.route("/katalog/1", Reply(200, page_one.encode(), TURTLE))
    other_host.route("/intern", Reply(200, catalogue_ttl(range(3, 5)).encode(), TURTLE))
    catalogue.add_source("portal", "dcat", http_server.url("/katalog/1"))

    summary = harvest_source(catalogue, "portal")

    assert summary.status == "failed" and "allow_hosts" in (summary.error or "")
    assert not other_host.requests
    assert live_count(catalogue) == 0


# --- private addresses ------------------------------------------------------------------


@pytest.fixture
def private_not_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSYN_ALLOW_PRIVATE_SOURCES", raising=False)


@pytest.mark.usefixtures("private_not_allowed")
def test_loopback_is_refused_unless_the_source_allows_it(http_server: LocalServer) -> None:
    http_server.route("/data", Reply(200, b"ok"))
    with pytest.raises(ConnectorError, match="allow_private=ja"):
        fetch(http_server.url("/data"), HttpSettings())
    assert not http_server.requests
    allowed = HttpSettings.from_options({"allow_private": "ja"})
    assert fetch(http_server.url("/data"), allowed).content == b"ok"


@pytest.mark.usefixtures("private_not_allowed")
def test_a_name_is_judged_by_the_address_it_resolves_to(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def resolve(host: str, *args: object, **kwargs: object) -> object:
        return real("127.0.0.1" if host == "data.exempel.se" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    port = http_server.url("/").rsplit(":", 1)[1].strip("/")
    with pytest.raises(ConnectorError, match=r"127\.0\.0\.1"):
        fetch(f"http://data.exempel.se:{port}/data", HttpSettings())
    for address in ("10.1.2.3", "192.168.1.1", "169.254.169.254", "::1", "::ffff:127.0.0.1"):
        with pytest.raises(ConnectorError, match="intern adress"):
            http._refuse_private("http://x/", address)
    http._refuse_private("http://x/", "93.184.216.34")  # a public address passes


@pytest.mark.usefixtures("private_not_allowed")
def test_a_connection_that_lands_on_loopback_is_refused(
    http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS said "public" when asked; the connection went to 127.0.0.1 all the same.
    monkeypatch.setattr(http, "_addresses", lambda host, port: {"93.184.216.34"})
    http_server.route("/data", Reply(200, b"hemligt"))
    with pytest.raises(ConnectorError, match="intern adress"):
        fetch(http_server.url("/data"), HttpSettings())


@pytest.mark.usefixtures("private_not_allowed")
def test_a_redirect_to_loopback_is_refused_even_on_an_allowed_host(
    http_server: LocalServer, other_host: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The source itself is "public" (its own address is let through); it redirects to a
    # loopback service, which must never reach the catalogue.
    public = {"127.0.0.1"}
    monkeypatch.setattr(
        http,
        "_addresses",
        lambda host, port: {"93.184.216.34"} if host in public else {"127.0.0.1"},
    )
    monkeypatch.setattr(http, "_check_peer", lambda url, response, settings: None)
    other_host.route("/intern", Reply(200, b"hemligt"))
    http_server.route("/start", Reply(302, b"", {"Location": elsewhere(other_host, "/intern")}))
    settings = HttpSettings.from_options({"allow_hosts": "localhost"})
    with pytest.raises(ConnectorError, match="intern adress"):
        fetch(http_server.url("/start"), settings)
    assert not other_host.requests


# --- time limits ------------------------------------------------------------------------


@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that sends its headers, then one byte of its body every 0.2 s, for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(4096)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                try:
                    while not stop.is_set():
                        connection.sendall(b"x")
                        time.sleep(0.2)
                except OSError:
                    continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/langsam"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_one_byte_at_a_time_ends_at_the_fetch_deadline(trickle: str) -> None:
    settings = HttpSettings.from_options({"max_fetch_seconds": "1", "read_timeout": "5"})
    # The server sends a byte a second for ever: only the whole-fetch deadline ends this.
    with pytest.raises(ConnectorError, match="max_fetch_seconds"):
        fetch(trickle, settings)


def test_a_run_past_its_time_limit_fails_and_deletes_nothing(
    catalogue: Catalogue, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {
        number: catalogue_ttl(datasets)
        + HYDRA_NEXT.format(
            this=http_server.url(f"/katalog/{number}"),
            next=http_server.url(f"/katalog/{number + 1}"),
        )
        for number, datasets in ((1, range(1, 3)), (2, range(3, 5)))
    }
    for number, page in pages.items():
        http_server.route(f"/katalog/{number}", Reply(200, page.encode(), TURTLE))
    http_server.route("/katalog/3", Reply(200, b"", TURTLE))
    catalogue.add_source(
        "portal", "dcat", http_server.url("/katalog/1"), {"max_run_seconds": "1000"}
    )
    assert harvest_source(catalogue, "portal").status == "completed"
    assert live_count(catalogue) == 4

    # Now each page takes 700 s: each is within max_fetch_seconds (900), the second ends
    # past the run's 1000.
    clock = [time.monotonic()]  # the host gates keep time too
    monkeypatch.setattr(http, "_monotonic", lambda: clock[0])

    def slow(page: str) -> Callable[[Request], Reply]:
        def answer(_request: Request) -> Reply:
            clock[0] += 700
            return Reply(200, page.encode(), TURTLE)

        return answer

    for number, page in pages.items():
        http_server.route(f"/katalog/{number}", slow(page))

    summary = harvest_source(catalogue, "portal", full=True)

    assert summary.status == "failed" and "max_run_seconds" in (summary.error or "")
    assert "max_fetch_seconds" not in (summary.error or "")
    assert live_count(catalogue) == 4
