"""``insyn serve`` end to end: the app opens the store and the search index from the
settings alone and brings the index up to date before answering."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from fastapi.testclient import TestClient

from insyn.catalogue.store import Catalogue
from insyn.settings import load_settings
from insyn.web.app import create_app
from insyn.web.server import address, bind
from tests.conftest import require
from tests.web.support import harvest_demo


def test_an_app_from_settings_alone_catches_the_index_up(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path, base_url="http://127.0.0.1:8080")
    catalogue = Catalogue(settings.catalogue_url)
    harvest_demo(catalogue, tmp_path, extras=False)
    catalogue.close()
    with TestClient(create_app(settings)) as client:  # opens and, at shutdown, closes both
        # The demo's datasets and services, its eight secret-marked ones listed masked.
        assert client.get("/api/search").json()["total"] == 78
        assert client.get("/health").json()["status"] == "ok"


def _serve_demo(home: Path, **environment: str) -> tuple[subprocess.Popen[bytes], str]:
    """Harvest the demo into ``home`` and start ``insyn serve`` on a free port; return the
    process and its base URL."""
    settings = load_settings(home=home)
    catalogue = Catalogue(settings.catalogue_url)
    harvest_demo(catalogue, home, extras=False)
    catalogue.close()
    sock = bind("127.0.0.1")
    base = address(sock)
    port = sock.getsockname()[1]
    sock.close()  # free the port for the server process
    process = subprocess.Popen(
        [sys.executable, "-m", "insyn", "--home", str(home), "serve", "--port", str(port)],
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, base


def test_insyn_serve_answers_on_the_given_port(tmp_path: Path) -> None:
    process, base = _serve_demo(tmp_path)
    try:
        # A hang guard, not a figure: generous, so a busy machine never trips it.
        deadline = time.monotonic() + 120
        while True:
            try:
                health = requests.get(f"{base}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
                if time.monotonic() > deadline:
                    pytest.fail("insyn serve did not answer /health within 120 s")
                time.sleep(0.2)
        assert health.status_code == 200
        page = requests.get(f"{base}/", headers={"Accept": "text/html"}, timeout=5)
        assert "Exempelby kommun" in page.text
        assert requests.get(f"{base}/api/search?q=bygglov", timeout=5).json()["total"] >= 3
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_base_url_follows_the_served_port_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insyn.settings import Settings, load_settings
    from insyn.web.server import served_settings

    monkeypatch.delenv("INSYN_BASE_URL", raising=False)
    for default in (Settings(home=tmp_path), load_settings(home=tmp_path)):
        assert served_settings(default, "127.0.0.1", 8123).base_url == "http://127.0.0.1:8123"
        assert served_settings(default, "0.0.0.0", 9000).base_url == "http://127.0.0.1:9000"
        assert served_settings(default, "::1", 9000).base_url == "http://[::1]:9000"
    given = load_settings(home=tmp_path, base_url="https://katalog.exempelby.se")
    assert served_settings(given, "0.0.0.0", 9000).base_url == "https://katalog.exempelby.se"
    # Set to the default's very value, by the variable or explicitly: it still wins.
    monkeypatch.setenv("INSYN_BASE_URL", Settings.base_url)
    assert served_settings(load_settings(home=tmp_path), "127.0.0.1", 9000).base_url == (
        Settings.base_url
    )
    monkeypatch.setenv("INSYN_BASE_URL", "")  # an empty variable counts as unset
    assert served_settings(load_settings(home=tmp_path), "127.0.0.1", 9000).base_url == (
        "http://127.0.0.1:9000"
    )
    explicit = load_settings(home=tmp_path, base_url=Settings.base_url)
    assert served_settings(explicit, "127.0.0.1", 9000).base_url == Settings.base_url


def _server_processes(parent: int) -> list[int]:
    """The worker processes uvicorn spawned for ``parent`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        # stat: pid (name) state ppid …; the name may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def test_insyn_serve_answers_from_several_processes(tmp_path: Path) -> None:
    require(Path("/proc/self/stat").exists(), "the worker count is read from Linux's /proc")
    process, base = _serve_demo(tmp_path, INSYN_WEB_WORKERS="2")
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 120  # a hang guard, not a figure
        while len(workers) < 2:
            try:
                requests.get(f"{base}/health", timeout=2)
                workers = _server_processes(process.pid)
            except requests.ConnectionError:
                pass
            assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("insyn serve did not start two processes within 120 s")
            time.sleep(0.2)
        assert len(workers) == 2
        # The workers search the catalogue's index, which the parent caught up.
        for _ in range(6):
            found = requests.get(f"{base}/api/search?q=bygglov", timeout=10).json()
            assert found["total"] >= 3
    finally:
        process.terminate()
        process.wait(timeout=30)
    # Stopping the server stops its workers.
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_a_server_process_closes_a_connection_every_so_many_responses(tmp_path: Path) -> None:
    from insyn.web.middleware import RecycleConnections
    from insyn.web.server import RECYCLE_EVERY, worker_app

    settings = load_settings(home=tmp_path, base_url="http://127.0.0.1:8080")
    app = worker_app(settings)  # one of several processes: no index yet, still answers
    assert [m.kwargs for m in app.user_middleware if m.cls is RecycleConnections] == [
        {"every": RECYCLE_EVERY}
    ]
    with TestClient(app) as client:
        closed = [
            number
            for number in range(1, 2 * RECYCLE_EVERY + 1)
            if client.get("/health").headers.get("connection") == "close"
        ]
    assert closed == [RECYCLE_EVERY, 2 * RECYCLE_EVERY]
    # A single server process has no other to hand connections to: it keeps them.
    with TestClient(create_app(settings, catch_up=False)) as client:
        answers = [client.get("/health") for _ in range(RECYCLE_EVERY)]
    assert not [a for a in answers if a.headers.get("connection") == "close"]


def test_connections_to_a_bound_socket_send_without_delay() -> None:
    import asyncio
    import socket

    async def nagle_off_on_accepted() -> bool:
        accepted: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                accepted.set_result(bool(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
                transport.close()

        sock = bind("127.0.0.1")
        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        try:
            return await asyncio.wait_for(accepted, 30)
        finally:
            writer.close()
            server.close()

    # As uvicorn serves it (``running``): with Nagle's algorithm on, a keep-alive client
    # waits for a delayed ACK before each answer.
    assert asyncio.run(nagle_off_on_accepted())
