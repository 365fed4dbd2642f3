"""Polite HTTP for every connector: one session, clear User-Agent, timeouts,
retries with exponential back-off and jitter (honouring Retry-After), conditional
requests and a size limit on what is read.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from insyn import __version__
from insyn.errors import ConnectorError

USER_AGENT = f"Insyn/{__version__} (metadatakatalog; +https://w3id.org/insyn)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass
class HttpSettings:
    """Per-source HTTP settings (all can be given as source options)."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0  # seconds; doubles on each retry
    max_backoff: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> HttpSettings:
        settings = cls()
        for name in ("connect_timeout", "read_timeout", "backoff", "max_backoff"):
            if name in options:
                setattr(settings, name, float(options[name]))
        for name in ("retries", "max_bytes"):
            if name in options:
                setattr(settings, name, int(options[name]))
        return settings


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
) -> Response:
    """GET a URL with retries; a 304 is returned, not raised.

    Raises:
        ConnectorError: the server kept failing, answered 4xx, or sent more than
            ``settings.max_bytes``.
    """
    headers: dict[str, str] = {}
    if accept:
        headers["Accept"] = accept
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    attempt = 0
    while True:
        try:
            response = session().get(
                url,
                headers=headers,
                params=params,
                timeout=(settings.connect_timeout, settings.read_timeout),
                stream=True,
            )
        except requests.RequestException as exc:
            if attempt >= settings.retries:
                raise ConnectorError(
                    f"Kunde inte hämta {url}: {type(exc).__name__}: {exc}", source=source
                ) from exc
            _sleep(settings, attempt, None)
            attempt += 1
            continue
        if response.status_code in RETRY_STATUSES and attempt < settings.retries:
            delay = _retry_after(response)
            response.close()
            _sleep(settings, attempt, delay)
            attempt += 1
            continue
        if response.status_code >= 400:
            response.close()
            raise ConnectorError(
                f"Servern svarade HTTP {response.status_code} för {url}", source=source
            )
        try:
            content = b"" if response.status_code == 304 else _read_limited(response, settings)
        except requests.RequestException as exc:
            if attempt >= settings.retries:
                raise ConnectorError(
                    f"Överföringen från {url} bröts: {type(exc).__name__}", source=source
                ) from exc
            _sleep(settings, attempt, None)
            attempt += 1
            continue
        except ConnectorError as exc:
            exc.source = source
            raise
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
    delay = retry_after if retry_after is not None else settings.backoff * (2**attempt)
    # Jitter spreads the retries of many workers hitting one host.
    delay = min(delay, settings.max_backoff) * (0.5 + random.random() / 2)
    time.sleep(delay)
