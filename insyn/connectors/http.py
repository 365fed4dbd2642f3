"""Polite HTTP for every connector: one session, clear User-Agent, timeouts,
retries with exponential back-off and jitter (honouring Retry-After), conditional
requests, a size limit on what is read, and per host a limit on concurrent requests
and on requests per second (a token bucket), shared by every source of this process
that reaches the host. Source options: ``max_connections_per_host`` (default 4),
``requests_per_second`` (default 10; 0 = no limit) and ``burst`` (default 10).

Each source stays in its lane. The first URL a run fetches is the source's own host:
redirects (followed here, one hop at a time) and paging links must stay on it, or on a
host of ``allow_hosts``. An address that resolves to loopback, link-local or a private
network is refused unless ``allow_private`` (or the setting ``INSYN_ALLOW_PRIVATE_SOURCES``)
allows it; the address actually connected to is checked too, so DNS that changes its
answer between the two does not get through. One fetch, retries and redirects included,
ends after ``max_fetch_seconds`` and a run's fetches after ``max_run_seconds``: a server
that sends one byte a second fails the run instead of holding it for ever.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from time import monotonic as _monotonic
from time import sleep as _pause  # the rate limit's waits, apart from back-off
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from insyn import __version__
from insyn.connectors.base import DEFAULT_MAX_RUN_SECONDS, MAX_RUN_SECONDS
from insyn.connectors.options import Option, parse
from insyn.errors import ConnectorError
from insyn.settings import flag

USER_AGENT = f"Insyn/{__version__} (metadatakatalog; +https://w3id.org/insyn)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 10
# Headers that carry a source's credentials: never sent on to another host.
CREDENTIAL_HEADERS = ("authorization", "x-ckan-api-key", "x-api-key", "cookie")


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
    Option(
        "allow_hosts",
        "list",
        [],
        "Andra värdar än källans egen som omdirigeringar och sidlänkar får leda till.",
    ),
    Option(
        "allow_private",
        "bool",
        False,
        "Tillåt adresser i loopback, link-local och privata nät (intern källa).",
    ),
    Option(
        "max_fetch_seconds",
        "float",
        900.0,
        "Längsta tid för ett anrop, svar och nya försök inräknade (sekunder).",
        minimum=1,
    ),
    MAX_RUN_SECONDS,
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
    allow_hosts: list[str] = field(default_factory=list)
    allow_private: bool = False
    max_fetch_seconds: float = 900.0
    max_run_seconds: float = DEFAULT_MAX_RUN_SECONDS

    def __post_init__(self) -> None:
        # One run's lane, set by its first fetch: the source's own host and when the run
        # ends. Not options, so not fields.
        self.home: str | None = None
        self.run_deadline: float | None = None

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
    ``headers`` are added to the request (e.g. an API key from a source option) and never
    sent on to another host by a redirect. The first fetch with ``settings`` sets the
    run's own host and starts its clock (see the module docstring).

    Raises:
        ConnectorError: the server kept failing, answered 4xx, sent more than
            ``settings.max_bytes``, led out of the source's lane, or took too long.
    """
    headers = dict(headers or {})
    if accept:
        headers["Accept"] = accept
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    deadline = _start(url, settings)
    attempt = 0
    gate = host_limit(url)
    while True:
        gate.acquire(settings)
        try:
            outcome = _attempt(url, settings, headers, params, deadline)
        finally:
            gate.release()
        if isinstance(outcome, Response):
            return outcome
        kind, error, delay = outcome
        if kind == "fail" or attempt >= settings.retries or _monotonic() >= deadline:
            if isinstance(error, ConnectorError):
                error.source = source
                raise error
            raise _failure(url, kind, error, source) from error
        _sleep(settings, attempt, delay)
        attempt += 1


def _start(url: str, settings: HttpSettings) -> float:
    """The deadline of one fetch; the run's first fetch sets its host and its clock.

    Raises:
        ConnectorError: the run has fetched for longer than ``max_run_seconds``.
    """
    now = _monotonic()
    if settings.home is None:
        settings.home = (urlsplit(url).hostname or "").lower()
        settings.run_deadline = now + settings.max_run_seconds
    run_deadline = settings.run_deadline or now + settings.max_run_seconds
    if now >= run_deadline:
        raise ConnectorError(
            f"Körningen har hämtat från källan i mer än {settings.max_run_seconds:g} sekunder "
            "(max_run_seconds); den avbröts och inget ändrades"
        )
    return min(now + settings.max_fetch_seconds, run_deadline)


def _check_lane(url: str, settings: HttpSettings) -> None:
    """Refuse a URL off the source's host or (unless allowed) at a private address.

    Raises:
        ConnectorError: naming the URL and the option that would allow it.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ConnectorError(f"Bara http och https hämtas, inte {url}")
    host = (parts.hostname or "").lower()
    allowed = {settings.home, *(name.strip().lower() for name in settings.allow_hosts)}
    if host not in allowed:
        raise ConnectorError(
            f"{url} ligger på en annan värd än källans ({settings.home}); den hämtas inte. "
            f"Tillåt värden med --option allow_hosts={host} om den hör till källan"
        )
    if _private_allowed(settings):
        return
    for address in _addresses(host, parts.port or (443 if parts.scheme == "https" else 80)):
        _refuse_private(url, address)


def _private_allowed(settings: HttpSettings) -> bool:
    return settings.allow_private or flag("allow_private_sources")


def _addresses(host: str, port: int) -> set[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return set()  # the request itself fails with the resolver's own error
    return {str(info[4][0]) for info in found}


def _refuse_private(url: str, address: str) -> None:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if (
        ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    ):
        raise ConnectorError(
            f"{url} leder till {ip}, en intern adress (loopback, link-local eller privat nät); "
            "den hämtas inte. Tillåt det med --option allow_private=ja om källan är intern"
        )


def _failure(url: str, kind: str, error: BaseException | None, source: str | None) -> Exception:
    if kind == "read":
        return ConnectorError(
            f"Överföringen från {url} bröts: {type(error).__name__}", source=source
        )
    return ConnectorError(f"Kunde inte hämta {url}: {type(error).__name__}: {error}", source=source)


def _too_slow(url: str, settings: HttpSettings, deadline: float) -> ConnectorError:
    if settings.run_deadline is not None and deadline >= settings.run_deadline:
        return ConnectorError(
            f"Körningen har hämtat från källan i mer än {settings.max_run_seconds:g} sekunder "
            f"(max_run_seconds) och avbröts vid {url}; inget ändrades"
        )
    return ConnectorError(
        f"Hämtningen av {url} tog mer än {settings.max_fetch_seconds:g} sekunder "
        "(max_fetch_seconds) och avbröts"
    )


def _attempt(
    url: str,
    settings: HttpSettings,
    headers: dict[str, str],
    params: dict[str, Any] | None,
    deadline: float,
) -> Response | tuple[str, BaseException | None, float | None]:
    """One request and its redirects, holding the host's gate: a Response, or (kind,
    error, retry delay).

    kind is ``connect`` or ``read`` (retryable), ``status`` (retryable 429/5xx) or
    ``fail`` (not retried: a 4xx, a size or time limit, a URL out of the lane).
    """
    current = url
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_lane(current, settings)
            if _monotonic() >= deadline:
                raise _too_slow(url, settings, deadline)
            try:
                response = session().get(
                    current,
                    headers=headers,
                    params=params,
                    timeout=(settings.connect_timeout, settings.read_timeout),
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                return ("connect", exc, None)
            _check_peer(current, response, settings)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return _answer(current, response, settings, deadline)
            response.close()
            target = urljoin(response.url, location)
            if urlsplit(target).hostname != urlsplit(current).hostname:
                headers = {
                    name: value
                    for name, value in headers.items()
                    if name.lower() not in CREDENTIAL_HEADERS
                }
            # The Location is the whole next address: the query is not added again.
            current, params = target, None
        raise ConnectorError(f"Fler än {MAX_REDIRECTS} omdirigeringar från {url}")
    except ConnectorError as exc:
        return ("fail", exc, None)


def _check_peer(url: str, response: requests.Response, settings: HttpSettings) -> None:
    """Check the address actually connected to (a second DNS answer may differ)."""
    if _private_allowed(settings):
        return
    # The pooled connection's socket; when the server closes after this answer, http.client
    # has handed the socket to the response's file instead.
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        body = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(body, "raw", None), "_sock", None)
    try:
        address = sock.getpeername()[0] if sock is not None else None
    except OSError:
        address = None
    if address is None:
        return
    try:
        _refuse_private(url, str(address))
    except ConnectorError:
        response.close()
        raise


def _answer(
    url: str, response: requests.Response, settings: HttpSettings, deadline: float
) -> Response | tuple[str, BaseException | None, float | None]:
    if response.status_code >= 400:
        delay = _retry_after(response)
        response.close()
        error = ConnectorError(f"Servern svarade HTTP {response.status_code} för {url}")
        retryable = response.status_code in RETRY_STATUSES
        return ("status" if retryable else "fail", error, delay)
    try:
        content = (
            b"" if response.status_code == 304 else _read_limited(response, settings, deadline)
        )
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        return ("read", exc, None)
    return Response(
        url=response.url,
        status=response.status_code,
        content=content,
        content_type=response.headers.get("Content-Type"),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _read_limited(response: requests.Response, settings: HttpSettings, deadline: float) -> bytes:
    """The body, read as it arrives, within the size limit and before the deadline.

    Each read returns as soon as some bytes came (``read1``), so a server that trickles
    cannot hold one read past the deadline by more than ``read_timeout``.
    """
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        response.close()
        raise ConnectorError(
            f"Svaret från {response.url} är {int(declared):,} byte, mer än gränsen "
            f"{settings.max_bytes:,} byte"
        )
    chunks = []
    received = 0
    while True:
        if _monotonic() >= deadline:
            response.close()
            raise _too_slow(response.url, settings, deadline)
        chunk = response.raw.read1(1 << 16, decode_content=True)
        if not chunk:
            break
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
