"""ASGI middleware: security headers on every response, a rate limit per client address.

Both are plain ASGI (not ``BaseHTTPMiddleware``) so streamed responses pass untouched.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from insyn.web.errors import error_body
from insyn.web.headers import SECURITY_HEADERS

# Open data may be read from any web page: public read-only routes allow every origin.
CORS_PREFIXES = ("/api/", "/catalog", "/datasets/", "/health")
CORS_EXCLUDED = ("/api/sources", "/api/runs")


class SecurityHeaders:
    """Add the security headers (and CORS on public read routes) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        cors = path.startswith(CORS_PREFIXES) and not path.startswith(CORS_EXCLUDED)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if cors:
                    headers.append((b"access-control-allow-origin", b"*"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD like GET without the body (link checkers and harvesters use HEAD)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


# --- the rate limit ------------------------------------------------------------------


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One token bucket per client: ``burst`` tokens, refilled at ``per_minute`` a minute.

    At most ``max_clients`` buckets are kept; the least recently used go first (a client
    that comes back after eviction simply starts with a full bucket).
    """

    def __init__(self, per_minute: float, burst: int, *, max_clients: int = 50_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, client: str, now: float | None = None) -> float:
        """Take a token for ``client``; return 0 if granted, else seconds until one is."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.pop(client, None)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
        else:
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        self._buckets[client] = bucket
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate if self.rate > 0 else 60.0


# What costs nothing to serve: everything else (search, pages, the CKAN API, feeds,
# sign-in) draws on the client's bucket.
UNLIMITED_PREFIXES = ("/static/", "/favicon.ico", "/robots.txt", "/health", "/metrics")


class RateLimit:
    """Answer 429 with Retry-After when a client address exceeds its bucket.

    The address is the connecting peer's, or the one a trusted proxy forwards
    (``INSYN_TRUSTED_PROXIES``; uvicorn rewrites the client only for those).
    """

    def __init__(self, app: ASGIApp, buckets: TokenBuckets | None) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.buckets is None
            or scope["type"] != "http"
            or scope.get("path", "").startswith(UNLIMITED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        wait = self.buckets.take(address)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        body = json.dumps(
            error_body(
                429,
                "rate_limited",
                f"För många anrop från din adress. Vänta {retry_after} sekunder och försök igen.",
            ),
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", retry_after.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


# --- spreading connections over server processes ------------------------------------


class RecycleConnections:
    """Close the connection of every ``every``-th response of this process.

    Server processes sharing a port (``insyn serve --workers``) accept connections as
    they come, and the first one awake takes every connection waiting: a few long-lived
    keep-alive connections (a proxy's, a harvester's, clients starting together) can all
    end up on one process while another idles. ``Connection: close`` on a response now
    and then makes its client connect again, and the least busy process tends to accept
    first, so the connections spread again (as web servers' keep-alive request limits do).
    """

    def __init__(self, app: ASGIApp, every: int) -> None:
        self.app = app
        self.every = every
        self.responses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.responses += 1
        if self.responses % self.every:
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, closing)
