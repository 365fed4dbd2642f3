"""Polite HTTP for every connector: one session, clear User-Agent, timeouts,
retries with exponential back-off and jitter (honouring Retry-After), conditional
requests, a size limit on what is read, and per host a limit on concurrent requests
and on requests per second (a token bucket), shared by every source of this process
that reaches the host. Source options: ``max_connections_per_host`` (default 4),
``requests_per_second`` (default 10; 0 = no limit) and ``burst`` (default 10).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import monotonic as _monotonic
from time import sleep as _pause  # the rate limit's waits, apart from back-off
from typing import Any
from urllib.parse import urlsplit

import requests

from insyn import __version__
from insyn.connectors.options import Option, parse
from insyn.errors import ConnectorError

USER_AGENT = f"Insyn/{__version__} (metadatakatalog; +https://w3id.org/insyn)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


HTTP_OPTIONS: tuple[Option, ...] = (
    Option("connect_timeout", "float", 10.0, "Sekunder att vänta på anslutning.", minimum=0),
    Option("read_timeout", "float", 60.0, "Sekunder att vänta på svar.", minimum=0),
    Option("retries", "int", 3, "Nya försök vid 429/5xx och nätfel.", minimum=0),
    Option("backoff", "float", 1.0, "Sekunder före första nya försöket; dubblas.", minimum=0),
    Option("max_backoff", "float", 60.0, "Längsta väntan mellan försök (sekunder).", minimum=0),
    Option("max_bytes", "int", DEFAULT_MAX_BYTES, "Största svar som läses (byte).", minimum=1),
    Option("max_connections_per_host", "int", 4, "Samtidiga anrop per värd, högst.", minimum=1),
    Option(
        "requests_per_second", "float", 10.0, "Anrop per sekund per värd (0 = fritt).", minimum=0
    ),
    Option("burst", "int", 10, "Anrop i följd innan takten börjar gälla.", minimum=1),
)


@dataclass
class HttpSettings:
    """Per-source HTTP settings (all can be given as source options, ``HTTP_OPTIONS``)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0  # seconds; doubles on each retry
    max_backoff: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_connections_per_host: int = 4
    requests_per_second: float = 10.0  # 0: no rate limit
    burst: int = 10

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> HttpSettings:
        """The settings among a source's options (typed already, or strings).

        Raises:
            ConfigError: a value of the wrong type.
        """
        names = {option.name for option in HTTP_OPTIONS}
        given = {name: value for name, value in options.items() if name in names}
        values = parse("http", HTTP_OPTIONS, given)
        return cls(**{name: values[name] for name in names})


@dataclass
class Response:
    url: str
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


_session: requests.Session | None = None


def session() -> requests.Session:
    """The process-wide HTTP session (connection pooling across connectors)."""
    global _session
    if _session is None:
        _session = requests.Session()
        _session.headers["User-Agent"] = USER_AGENT
    return _session


class HostLimit:
    """One host's gate: at most N requests at once, and a token bucket for their rate.

    Thread-safe; the limits are read from each caller's settings, so a source with
    stricter options is never let through faster than it asked.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active = 0
        self._tokens: float | None = None
        self._last = _monotonic()

    def acquire(self, settings: HttpSettings) -> None:
        limit = max(1, settings.max_connections_per_host)
        with self._condition:
            while self._active >= limit:
                self._condition.wait()
            self._active += 1
        try:
            self._take_token(settings)
        except BaseException:
            self.release()
            raise

    def _take_token(self, settings: HttpSettings) -> None:
        rate = settings.requests_per_second
        if rate <= 0:
            return
        burst = max(1.0, float(settings.burst))
        while True:
            with self._condition:
                now = _monotonic()
                tokens = burst if self._tokens is None else self._tokens
                tokens = min(burst, tokens + (now - self._last) * rate)
                self._last = now
                if tokens >= 1.0:
                    self._tokens = tokens - 1.0
                    return
                self._tokens = tokens
                wait = (1.0 - tokens) / rate
            _pause(wait)

    def release(self) -> None:
        with self._condition:
            self._active -= 1
            self._condition.notify()

    @property
    def active(self) -> int:
        return self._active


_hosts: dict[str, HostLimit] = {}
_hosts_lock = threading.Lock()


def host_limit(url: str) -> HostLimit:
    """The process-wide gate of the URL's host (scheme, host and port)."""
    parts = urlsplit(url)
    key = f"{parts.scheme}://{parts.netloc}".lower()
    with _hosts_lock:
        if key not in _hosts:
            _hosts[key] = HostLimit()
        return _hosts[key]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def fetch(
    url: str,
    settings: HttpSettings,
    *,
    source: str | None = None,
    validators: dict[str, str] | None = None,
    accept: str | None = None,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """GET a URL with retries; a 304 is returned, not raised.

    Each attempt waits for the host's concurrency and rate limit (see ``HostLimit``);
    ``headers`` are added to the request (e.g. an API key from a source option).

    Raises:
        ConnectorError: the server kept failing, answered 4xx, or sent more than
            ``settings.max_bytes``.
    """
    headers = dict(headers or {})
    if accept:
        headers["Accept"] = accept
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    attempt = 0
    gate = host_limit(url)
    while True:
        gate.acquire(settings)
        try:
            outcome = _attempt(url, settings, headers, params)
        finally:
            gate.release()
        if isinstance(outcome, Response):
            return outcome
        kind, error, delay = outcome
        if kind == "fail" or attempt >= settings.retries:
            if isinstance(error, ConnectorError):
                error.source = source
                raise error
            raise _failure(url, kind, error, source) from error
        _sleep(settings, attempt, delay)
        attempt += 1


def _failure(url: str, kind: str, error: BaseException | None, source: str | None) -> Exception:
    if kind == "read":
        return ConnectorError(
            f"Överföringen från {url} bröts: {type(error).__name__}", source=source
        )
    return ConnectorError(f"Kunde inte hämta {url}: {type(error).__name__}: {error}", source=source)


def _attempt(
    url: str,
    settings: HttpSettings,
    headers: dict[str, str],
    params: dict[str, Any] | None,
) -> Response | tuple[str, BaseException | None, float | None]:
    """One request, holding the host's gate: a Response, or (kind, error, retry delay).

    kind is ``connect`` or ``read`` (retryable), ``status`` (retryable 429/5xx) or
    ``fail`` (not retried).
    """
    try:
        response = session().get(
            url,
            headers=headers,
            params=params,
            timeout=(settings.connect_timeout, settings.read_timeout),
            stream=True,
        )
    except requests.RequestException as exc:
        return ("connect", exc, None)
    if response.status_code >= 400:
        delay = _retry_after(response)
        response.close()
        error = ConnectorError(f"Servern svarade HTTP {response.status_code} för {url}")
        retryable = response.status_code in RETRY_STATUSES
        return ("status" if retryable else "fail", error, delay)
    try:
        content = b"" if response.status_code == 304 else _read_limited(response, settings)
    except requests.RequestException as exc:
        return ("read", exc, None)
    except ConnectorError as exc:
        return ("fail", exc, None)
    return Response(
        url=response.url,
        status=response.status_code,
        content=content,
        content_type=response.headers.get("Content-Type"),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _read_limited(response: requests.Response, settings: HttpSettings) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        response.close()
        raise ConnectorError(
            f"Svaret från {response.url} är {int(declared):,} byte, mer än gränsen "
            f"{settings.max_bytes:,} byte"
        )
    chunks = []
    received = 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        received += len(chunk)
        if received > settings.max_bytes:
            response.close()
            raise ConnectorError(
                f"Svaret från {response.url} är större än gränsen {settings.max_bytes:,} byte"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _sleep(settings: HttpSettings, attempt: int, retry_after: float | None) -> None:
    # Jitter spreads the retries of many workers hitting one host; a server's
    # Retry-After is a minimum, so its jitter only adds.
    if retry_after is not None:
        delay = min(retry_after, settings.max_backoff) * (1 + random.random() / 4)
    else:
        delay = min(settings.backoff * (2**attempt), settings.max_backoff)
        delay *= 0.5 + random.random() / 2
    time.sleep(delay)
