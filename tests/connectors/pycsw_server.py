"""Serve pycsw's WSGI app on 127.0.0.1 for the CSW connector tests.

Runs under ``.venv-pycsw/bin/python`` (pycsw 2.6.2 needs SQLAlchemy 1.4, Insyn needs 2),
never imported by the tests themselves:

    .venv-pycsw/bin/python tests/connectors/pycsw_server.py CONFIG [--max-requests N]

It binds a free port, prints ``LISTENING <port>`` on stdout once it accepts
connections, and serves until killed. ``--max-requests N`` makes it exit after N
answers: a catalogue that stops in the middle of a harvest. Every request's query
string is written to stderr as ``REQUEST <query>``, so the tests can count pages.
"""

from __future__ import annotations

import argparse
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("--max-requests", type=int, default=0)
    args = parser.parse_args()
    os.environ["PYCSW_CONFIG"] = os.path.abspath(args.config)

    from pycsw.wsgi import application

    def logged(environ, start_response):  # type: ignore[no-untyped-def]
        print(f"REQUEST {environ.get('QUERY_STRING', '')}", file=sys.stderr, flush=True)
        # pycsw.wsgi prints PATH_INFO on stdout for every request; keep stdout for us.
        saved, sys.stdout = sys.stdout, sys.stderr
        try:
            return application(environ, start_response)
        finally:
            sys.stdout = saved

    server: WSGIServer = make_server("127.0.0.1", 0, logged, handler_class=_QuietHandler)
    print(f"LISTENING {server.server_port}", flush=True)
    if args.max_requests:
        for _ in range(args.max_requests):
            server.handle_request()
        server.server_close()
        return
    server.serve_forever()


if __name__ == "__main__":
    main()
