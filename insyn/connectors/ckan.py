"""CKAN connector: a portal's Action API (``package_search``, ``organization_list``).

- ``package_search`` is paged with ``rows``/``start`` in a stable order
  (``metadata_modified asc, id asc``). Each page after the first starts one row early, on
  a package already taken. If another comes back there, rows moved down under us (a
  dataset before our position was removed or changed, so ``count`` or the order changed)
  and the run steps back a page, skipping what it already took, until the listing joins
  up; a listing that keeps moving fails the run after ``max_resyncs`` such steps. A dataset
  changed during the run comes by again at the end: it is not taken twice, and the cursor
  stops before its new time so that the next run reads it. Paging stops on a page with
  nothing past the row already taken.
- Incremental runs ask ``fq=+metadata_modified:[<last> TO *]`` and drop the packages
  already taken at exactly ``<last>`` (the cursor's ``boundary_keys``); they end
  ``Done(complete=False)``, full runs ``complete=True``.
- ``organization_list`` (``all_fields``, paged by ``limit``/``offset``) gives the publishers.
- ``api_key_env=VAR`` names the environment variable holding an API token: it is read at the
  start of a run, sent in ``Authorization`` to the portal's API only, and never stored.
  ``fq=…`` and ``organization=…`` narrow what is harvested.

Options: ``rows`` (page size, 2–1000), ``fq``, ``organization``, ``api_key_env``,
``include_deleted`` (CKAN 2.9+: incremental runs then see deletions; otherwise deletions
show only in full runs), ``language`` (the language of untranslated text, e.g. ``sv``),
``max_pages``, ``max_resyncs`` and the HTTP options of ``http.py``.

The package → model mapping is ``insyn.vocab.profiles.ckan_read``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import requests

from insyn import settings
from insyn.connectors.base import Cursor, Deleted, Done, Failure, Item, Yielded
from insyn.connectors.http import HttpSettings, fetch, session
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab.model import Agent
from insyn.vocab.profiles.ckan_read import map_package, organisation_agent

KIND = "ckan"

ROWS_DEFAULT = 100
ROWS_MAX = 1000  # CKAN's default ckan.search.rows_max
MAX_PAGES_DEFAULT = 10_000
MAX_RESYNCS_DEFAULT = 10
SORT = "metadata_modified asc, id asc"
ACCEPT = "application/json"
_API_SUFFIXES = ("/api/3/action", "/api/action", "/api/3", "/api")


@dataclass
class Config:
    url: str  # the portal, e.g. https://ckan.exempel.se
    rows: int = ROWS_DEFAULT
    fq: str | None = None  # a Solr filter query of one's own, e.g. "tags:miljö"
    organization: str | None = None  # the name of one organisation to harvest
    api_key_env: str | None = None  # the NAME of the environment variable with the token
    include_deleted: bool = False  # ask for deleted datasets too (CKAN 2.9+)
    language: str = ""  # the language of untranslated text ("sv"); "" when unknown
    max_pages: int = MAX_PAGES_DEFAULT
    max_resyncs: int = MAX_RESYNCS_DEFAULT
    http: HttpSettings = field(default_factory=HttpSettings)

    @property
    def api(self) -> str:
        return self.url + "/api/3/action"

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL and options.

        Raises:
            ConfigError: no http(s) URL, ``rows`` out of range, or a secret given in clear.
        """
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En CKAN-källa behöver --url med portalens adress (http/https)")
        for secret in ("api_key", "apikey", "token", "api_token"):
            if secret in options:
                raise ConfigError(
                    f"Alternativet '{secret}' skulle lagra en hemlighet i klartext; ange i "
                    "stället api_key_env=NAMN på miljövariabeln som håller nyckeln"
                )
        base = url.rstrip("/")
        for suffix in _API_SUFFIXES:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        rows = int(options.get("rows", ROWS_DEFAULT))
        if not 2 <= rows <= ROWS_MAX:
            raise ConfigError(f"rows ska vara mellan 2 och {ROWS_MAX}, inte {rows}")
        return cls(
            url=base,
            rows=rows,
            fq=options.get("fq") or None,
            organization=options.get("organization") or None,
            api_key_env=options.get("api_key_env") or None,
            include_deleted=str(options.get("include_deleted", "")).lower() in ("1", "true", "ja"),
            language=str(options.get("language") or ""),
            max_pages=int(options.get("max_pages", MAX_PAGES_DEFAULT)),
            max_resyncs=int(options.get("max_resyncs", MAX_RESYNCS_DEFAULT)),
            http=HttpSettings.from_options(options),
        )


# --- the Action API ------------------------------------------------------------------------


def action(config: Config, name: str, params: dict[str, Any]) -> Any:
    """Call one action and return its ``result``.

    Raises:
        ConnectorError: the request failed, the answer is no JSON or no CKAN answer, or
            CKAN said ``success: false``.
    """
    url = f"{config.api}/{name}"
    response = fetch(url, config.http, params=params, accept=ACCEPT)
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise ConnectorError(f"Svaret från {url} är inte giltig JSON: {exc}") from exc
    if not isinstance(body, dict) or "success" not in body:
        raise ConnectorError(f"Svaret från {url} är inget svar från CKAN:s API")
    if body["success"] is not True:
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        reason = error.get("message") or error.get("__type") or json.dumps(error)[:200]
        raise ConnectorError(f"CKAN svarade success: false på {name}: {reason}")
    return body.get("result")


class _ApiKeyAdapter(requests.adapters.HTTPAdapter):
    """Adds the API token to requests under one URL prefix (requests' documented hook)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Authorization"] = self._token


@contextmanager
def api_key(config: Config) -> Iterator[bool]:
    """While the block runs, send the token from ``api_key_env`` to the portal's API only.

    Yields whether a token is in use.

    Raises:
        ConfigError: the named environment variable is not set.
    """
    if not config.api_key_env:
        yield False
        return
    token = settings.secret(config.api_key_env)
    if not token:
        raise ConfigError(
            f"Miljövariabeln {config.api_key_env} (api_key_env) är inte satt; sätt den till "
            "API-nyckeln eller ta bort alternativet"
        )
    prefix = config.api + "/"
    http = session()
    http.mount(prefix, _ApiKeyAdapter(token))
    try:
        yield True
    finally:
        adapter = http.adapters.pop(prefix, None)
        if adapter is not None:
            adapter.close()


def organisations(config: Config) -> dict[str, Agent]:
    """The portal's organisations as publishers, by id and by name.

    Raises:
        ConnectorError: as ``action``.
    """
    found: dict[str, Agent] = {}
    offset = 0
    for _page in range(config.max_pages):
        params = {"all_fields": "true", "limit": config.rows, "offset": offset}
        result = action(config, "organization_list", params)
        if not isinstance(result, list):
            raise ConnectorError("organization_list gav ingen lista")
        fresh = [org for org in result if isinstance(org, dict) and org.get("id") not in found]
        # An old CKAN ignores limit/offset and sends the whole list every time.
        if not fresh:
            break
        for org in fresh:
            agent = organisation_agent(org, config.url, config.language)
            found[str(org.get("id"))] = agent
            if org.get("name"):
                found[str(org["name"])] = agent
        offset += len(result)
    return found


# --- paging ----------------------------------------------------------------------------------


def _modified_order(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def solr_datetime(value: str) -> str:
    """A CKAN timestamp as Solr wants it in a range: UTC, milliseconds (floored), ``Z``."""
    parsed = _modified_order(value)
    if parsed is None:
        raise ConnectorError(f"Markören '{value}' är ingen tidpunkt; kör en full skördning")
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def filter_query(config: Config, cursor: Cursor) -> str | None:
    """The ``fq`` of a run: the source's own filter, its organisation, the incremental range."""
    clauses = []
    if config.fq:
        clauses.append(f"+({config.fq})")
    if config.organization:
        clauses.append(f"+organization:{config.organization}")
    if cursor.last_value:
        clauses.append(f"+metadata_modified:[{solr_datetime(cursor.last_value)} TO *]")
    return " ".join(clauses) or None


class _Boundary:
    """The newest ``metadata_modified`` taken and the packages at exactly that time."""

    def __init__(self, cursor: Cursor) -> None:
        self.value = cursor.last_value
        self.order = _modified_order(cursor.last_value)
        self.keys = set(cursor.boundary_keys)
        self.taken: dict[str, str] = {}  # key → metadata_modified, of this run
        self.cap: tuple[datetime, str] | None = None

    def see(self, key: str, modified: str | None) -> None:
        order = _modified_order(modified)
        if order is None or modified is None:
            return
        self.taken[key] = modified
        if self.order is None or order > self.order:
            self.value, self.order, self.keys = modified, order, {key}
        elif order == self.order:
            self.keys.add(key)

    def missed(self, modified: str | None) -> None:
        """A newer version of a package already taken came by: the next run must read it."""
        order = _modified_order(modified)
        if order is not None and modified is not None and (self.cap is None or order < self.cap[0]):
            self.cap = (order, modified)

    def cursor(self) -> Cursor:
        if self.cap is not None and (self.order is None or self.cap[0] <= self.order):
            # Stop just at the change not taken; ``[cap TO *]`` reads it (and a few more).
            order, value = self.cap
            keys = {k for k, m in self.taken.items() if _modified_order(m) == order}
            return Cursor(last_value=value, boundary_keys=sorted(keys))
        return Cursor(last_value=self.value, boundary_keys=sorted(self.keys))


@dataclass
class Listed:
    """A package as ``package_search`` listed it; ``again``: a newer version of one taken."""

    package: dict[str, Any]
    again: bool = False


def packages(config: Config, fq: str | None, *, private: bool) -> Iterator[Listed]:
    """Yield each package of ``package_search`` once, reading the listing page by page.

    Every page but the first starts one row early, on a package already taken. If the row
    there is one not taken, rows moved down under us (a package before our position was
    removed or changed) and we step back a page, until the listing joins up again; more
    than ``max_resyncs`` such steps in one run fail it. A newer version of a package
    already taken (changed during the run) is yielded as ``again``.

    Raises:
        ConnectorError: as ``action``; the listing kept moving; too many pages.
    """
    seen: dict[str, Any] = {}  # key → metadata_modified as taken
    next_start = 0  # the first row not read yet
    counts: list[int] = []
    resyncs = 0
    for _page in range(config.max_pages):
        ask = max(next_start - 1, 0)
        params: dict[str, Any] = {"q": "*:*", "rows": config.rows, "start": ask, "sort": SORT}
        if fq:
            params["fq"] = fq
        if private:
            params["include_private"] = "true"
        if config.include_deleted:
            params["include_deleted"] = "true"
        result = action(config, "package_search", params)
        if not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise ConnectorError("package_search gav inget resultat med 'results'")
        results = [p for p in result["results"] if isinstance(p, dict)]
        if isinstance(result.get("count"), int) and result["count"] not in counts[-1:]:
            counts.append(result["count"])
        if ask > 0 and (not results or _listing_key(results[0]) not in seen):
            resyncs += 1
            if resyncs > config.max_resyncs:
                raise ConnectorError(
                    "Portalen ändrades hela tiden medan den lästes (antal datamängder: "
                    f"{' → '.join(str(c) for c in counts[-6:]) or 'okänt'}); försök igen senare"
                )
            next_start = max(ask - config.rows + 1, 0)  # step back a page
            continue
        if len(results) <= (1 if ask > 0 else 0):
            return  # nothing past the row we already had: the end
        for package in results:
            key = _listing_key(package)
            if key in seen:
                if package.get("metadata_modified") != seen[key]:
                    seen[key] = package.get("metadata_modified")
                    yield Listed(package, again=True)
                continue
            seen[key] = package.get("metadata_modified")
            yield Listed(package)
        next_start = ask + len(results)
    raise ConnectorError(f"Fler än {config.max_pages} sidor; höj max_pages om det stämmer")


def _listing_key(package: dict[str, Any]) -> str:
    """What tells packages apart in the listing, even one without id and name."""
    key = _package_key(package)
    if key is not None:
        return key
    content = json.dumps(package, sort_keys=True, ensure_ascii=False, default=str)
    return "sha1:" + hashlib.sha1(content.encode()).hexdigest()


def _package_key(package: Any) -> str | None:
    if not isinstance(package, dict):
        return None
    key = package.get("id") or package.get("name")
    return str(key) if key else None


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """Yield every package of the portal (or those changed since the cursor).

    Raises:
        ConfigError: ``api_key_env`` names an unset variable.
        ConnectorError: the portal could not be read or kept changing.
    """
    incremental = cursor.last_value is not None
    boundary = _Boundary(cursor)
    drop = set(cursor.boundary_keys)
    fq = filter_query(config, cursor)
    with api_key(config) as private:
        publishers = organisations(config)
        for listed in packages(config, fq, private=private):
            package = listed.package
            key = _package_key(package)
            modified = package.get("metadata_modified")
            if listed.again:
                boundary.missed(modified)  # the next run reads it; a key is yielded once
                continue
            if key is None:
                yield Failure(None, "Paketet saknar både id och name")
                continue
            if key in drop and modified == cursor.last_value:
                continue  # taken by the last run at exactly this time
            boundary.see(key, modified)
            if package.get("state") == "deleted":
                yield Deleted(key)
                continue
            try:
                dataset, warnings = map_package(
                    package, portal=config.url, publishers=publishers, language=config.language
                )
            except Exception as exc:  # one bad package must not stop the run
                yield Failure(key, f"Paketet kunde inte läsas: {type(exc).__name__}: {exc}")
                continue
            yield Item(key, dataset, warnings)
    yield Done(boundary.cursor(), complete=not incremental)
