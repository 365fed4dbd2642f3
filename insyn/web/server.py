"""Running the web app with uvicorn: ``insyn serve`` in the foreground, or in a thread.

``serve`` is what the CLI's ``serve`` and ``demo`` commands call. ``running`` starts a
real server on an already bound socket in a background thread and stops it on exit:
tests, the screenshot script and anything that needs a live server use it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from insyn.settings import Settings
from insyn.web.app import create_app


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve the web app until interrupted (Ctrl+C)."""
    app = create_app(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        # X-Forwarded-For is believed only from a proxy on this machine.
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Return a listening socket (port 0: a free port), so the URL is known in advance."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
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
    config = uvicorn.Config(app, log_level="warning", server_header=False, lifespan="on")
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
