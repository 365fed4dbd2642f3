"""Running the web app with uvicorn: ``insyn serve`` in the foreground, or in a thread.

``serve`` is what the CLI's ``serve`` and ``demo`` commands call: one process, or
several (``workers``) sharing the listening socket, each with its own catalogue
connections and index readers. ``running`` starts a real server on an already bound
socket in a background thread and stops it on exit: tests, the screenshot script and
anything that needs a live server use it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from insyn.catalogue.store import Catalogue
from insyn.errors import InsynError
from insyn.settings import Settings
from insyn.settings import value as setting_value
from insyn.web.app import create_app, open_search_backend
from insyn.web.middleware import RecycleConnections

log = logging.getLogger(__name__)

# Responses of one of several server processes from one closed connection to the next: a
# reconnection costs a client a round trip, so rarely; often enough that connections
# that all landed on one process spread over the others within seconds under load.
RECYCLE_EVERY = 100


def uvicorn_config(app: FastAPI, **options: object) -> uvicorn.Config:
    """The server's configuration: X-Forwarded-For is believed only from the proxies
    ``INSYN_TRUSTED_PROXIES`` names (none by default), so no client picks its address."""
    proxies = [p.strip() for p in (setting_value("trusted_proxies") or "").split(",")]
    proxies = [p for p in proxies if p]
    return uvicorn.Config(
        app,
        server_header=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or [],
        **options,  # type: ignore[arg-type]
    )


def served_settings(settings: Settings, host: str, port: int) -> Settings:
    """Return ``settings`` with the base URL of where it is served, unless one was set.

    Every absolute link (feeds, API, CKAN, Hydra paging) is built on the base URL; left
    unset, it follows ``--host``/``--port`` so that the links work on any port. One set
    (``INSYN_BASE_URL`` or given) always wins, even when it equals the default.
    """
    if "base_url" in settings.given:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return dataclasses.replace(settings, base_url=f"http://{shown}:{port}")


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8080, workers: int = 1
) -> None:
    """Serve the web app until interrupted (Ctrl+C), in ``workers`` processes.

    One Python process runs one request's Python at a time, so on a machine with more
    cores several processes answer more requests at once. They share what must be
    shared through the catalogue (sessions, sign-in throttling, the audit log) and read
    the same index; each keeps its own rate-limit buckets.
    """
    served = served_settings(settings, host, port)
    if workers <= 1:
        app = warmed(create_app(served))
        uvicorn.Server(uvicorn_config(app, host=host, port=port, log_level="info")).run()
        return
    # The index is caught up once, here; the workers are spawned (not forked), so no
    # database connection or index reader of this process is shared with them.
    catalogue = Catalogue(served.catalogue_url)
    try:
        open_search_backend(served, catalogue).close()
    finally:
        catalogue.close()
    config = uvicorn_config(
        functools.partial(worker_app, served),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )
    Multiprocess(config, sockets=[config.bind_socket()]).run()


def worker_app(settings: Settings) -> FastAPI:
    """The app of one of several server processes (``serve``), which caught the index up.

    It closes a keep-alive connection now and then (``RecycleConnections``), so that
    connections spread over the processes instead of staying where they were accepted.
    """
    app = create_app(settings, catch_up=False)
    app.add_middleware(RecycleConnections, every=RECYCLE_EVERY)
    return warmed(app)


def warmed(app: FastAPI) -> FastAPI:
    """Return ``app`` after one search, before it takes requests: the first search of a
    process loads the query vocabularies and opens the index (0.8 s measured), which the
    first visitor would otherwise wait for."""
    from insyn.web.access import ANONYMOUS
    from insyn.web.searching import SearchParams, run_search

    try:
        run_search(app.state.web, ANONYMOUS, SearchParams(q="kommunen"))
    except InsynError as exc:  # no index yet, or it cannot be read: the app says so later
        log.info("no warm-up search: %s", exc)
    return app


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Return a listening socket (port 0: a free port), so the URL is known in advance.

    Its protocol is named (TCP): asyncio turns Nagle's algorithm off only on connections
    of such a socket, and with it on, a keep-alive client waited about 40 ms for each
    answer (Nagle against delayed ACKs).
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextmanager
def running(app: FastAPI, sock: socket.socket, *, timeout: float = 15.0) -> Iterator[str]:
    """Serve ``app`` on ``sock`` in a background thread; yield its base URL.

    Raises:
        RuntimeError: the server did not start within ``timeout`` seconds.
    """
    config = uvicorn_config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("Webbservern startade inte")
        time.sleep(0.02)
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
