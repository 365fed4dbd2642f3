"""CKAN connector: a portal's Action API (``package_search``, ``organization_list``).

- ``package_search`` is paged with ``rows``/``start`` in a stable order
  (``metadata_modified asc, id asc``) through ``paging.pages``. Each page after the first
  starts one row early, on a package already taken. If another comes back there, rows
  moved down under us (a dataset before our position was removed or changed, so ``count``
  or the order changed) and the run steps back a page, skipping what it already took,
  until the listing joins up; a listing that keeps moving fails the run after
  ``max_resyncs`` such steps. A dataset changed during the run comes by again at the end:
  it is not taken twice, and the cursor stops before its new time (``Incremental.hold``)
  so that the next run reads it. Paging ends on a short page that reaches ``count``.
- Incremental runs ask ``fq=+metadata_modified:[<last> TO *]`` and drop the packages
  already taken at exactly ``<last>`` (the cursor's ``boundary_keys``); they end
  ``Done(complete=False)``, full runs ``complete=True``.
- ``organization_list`` (``all_fields``, paged by ``limit``/``offset``) gives the publishers.
- ``api_key_env=VAR`` names the environment variable holding an API token: it is read at the
  start of a run and sent in ``Authorization`` with that run's own requests (never set on
  the HTTP session, which every source shares), to the portal's API only; never stored.
  ``fq=…`` and ``organization=…`` narrow what is harvested.

Options: ``OPTIONS`` below; ``include_deleted`` (CKAN 2.9+) lets incremental runs see
deletions, which otherwise show only in full runs.

The package → model mapping is ``insyn.vocab.profiles.ckan_read``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from insyn import settings
from insyn.connectors.base import (
    Cursor,
    Deleted,
    Done,
    Failure,
    Incremental,
    Item,
    RecordGuard,
    Yielded,
)
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings, fetch
from insyn.connectors.options import PUBLISHER_OPTIONS, Option, parse
from insyn.connectors.paging import pages
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import source_defaults
from insyn.vocab.model import Agent
from insyn.vocab.profiles.ckan_read import map_package, organisation_agent
from insyn.vocab.source_defaults import SourceDefaults

KIND = "ckan"

ROWS_DEFAULT = 100
ROWS_MAX = 1000  # CKAN's default ckan.search.rows_max
MAX_PAGES_DEFAULT = 10_000
MAX_RESYNCS_DEFAULT = 10
SORT = "metadata_modified asc, id asc"
ACCEPT = "application/json"
_API_SUFFIXES = ("/api/3/action", "/api/action", "/api/3", "/api")
_SECRETS = ("api_key", "apikey", "token", "api_token")

OPTIONS = (
    Option(
        "rows",
        "int",
        ROWS_DEFAULT,
        "Paket per sida i package_search.",
        minimum=2,
        maximum=ROWS_MAX,
    ),
    Option("fq", "str", None, "Ett eget Solr-filter, t.ex. tags:miljö."),
    Option("organization", "str", None, "Namnet på den enda organisation som skördas."),
    Option("api_key_env", "str", None, "Miljövariabeln som håller API-nyckeln (aldrig nyckeln)."),
    Option("include_deleted", "bool", False, "Fråga efter borttagna datamängder (CKAN 2.9+)."),
    Option("language", "str", None, "Språket i oöversatt text, t.ex. sv."),
    Option("max_pages", "int", MAX_PAGES_DEFAULT, "Högst så många sidor per körning.", minimum=1),
    Option(
        "max_resyncs",
        "int",
        MAX_RESYNCS_DEFAULT,
        "Gånger en körning får backa när listan flyttar sig.",
        minimum=0,
    ),
    *PUBLISHER_OPTIONS,
    *HTTP_OPTIONS,
)


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
    defaults: SourceDefaults = field(default_factory=SourceDefaults)
    http: HttpSettings = field(default_factory=HttpSettings)

    @property
    def api(self) -> str:
        return self.url + "/api/3/action"

    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        """Build the config from a source's URL and options.

        Raises:
            ConfigError: a secret given in clear, an unknown or mistyped option (``rows``
                out of range), or no http(s) URL.
        """
        for secret in _SECRETS:
            if secret in options:
                raise ConfigError(
                    f"Alternativet '{secret}' skulle lagra en hemlighet i klartext; ange i "
                    "stället api_key_env=NAMN på miljövariabeln som håller nyckeln"
                )
        values = parse(KIND, OPTIONS, options)
        if not url or urlparse(url).scheme not in ("http", "https"):
            raise ConfigError("En CKAN-källa behöver --url med portalens adress (http/https)")
        base = url.rstrip("/")
        for suffix in _API_SUFFIXES:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        return cls(
            url=base,
            rows=values["rows"],
            fq=values["fq"] or None,
            organization=values["organization"] or None,
            api_key_env=values["api_key_env"] or None,
            include_deleted=values["include_deleted"],
            language=values["language"] or "",
            max_pages=values["max_pages"],
            max_resyncs=values["max_resyncs"],
            defaults=source_defaults.from_options(values),
            http=HttpSettings.from_options(values),
        )


# --- the Action API ------------------------------------------------------------------------


def action(config: Config, name: str, params: dict[str, Any], token: str | None = None) -> Any:
    """Call one action and return its ``result``; ``token`` goes in ``Authorization``.

    Raises:
        ConnectorError: the request failed, the answer is no JSON or no CKAN answer, or
            CKAN said ``success: false``.
    """
    url = f"{config.api}/{name}"
    # The token travels with this request only: requests drops it on a redirect to
    # another host, and the shared session never holds it.
    headers = {"Authorization": token} if token else None
    response = fetch(url, config.http, params=params, accept=ACCEPT, headers=headers)
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


def api_token(config: Config) -> str | None:
    """The token named by ``api_key_env``, read now (at the start of a run); None without one.

    Raises:
        ConfigError: the named environment variable is not set.
    """
    if not config.api_key_env:
        return None
    token = settings.secret(config.api_key_env)
    if not token:
        raise ConfigError(
            f"Miljövariabeln {config.api_key_env} (api_key_env) är inte satt; sätt den till "
            "API-nyckeln eller ta bort alternativet"
        )
    return token


def organisations(config: Config, token: str | None = None) -> dict[str, Agent]:
    """The portal's organisations as publishers, by id and by name.

    Raises:
        ConnectorError: as ``action``; too many pages.
    """
    found: dict[str, Agent] = {}

    def page(offset: int) -> tuple[list[dict[str, Any]], int | None]:
        params = {"all_fields": "true", "limit": config.rows, "offset": offset}
        result = action(config, "organization_list", params, token)
        if not isinstance(result, list):
            raise ConnectorError("organization_list gav ingen lista")
        fresh = [o for o in result if isinstance(o, dict) and str(o.get("id")) not in found]
        # Only a page with nothing new ends it: CKAN caps ``limit`` (at 25 by default), so
        # a short page says nothing, and an old CKAN sends the whole list every time.
        return fresh, (offset + len(result) if fresh else None)

    for fresh in pages(page, 0, max_pages=config.max_pages, what="offset"):
        for org in fresh:
            agent = organisation_agent(org, config.url, config.language)
            found[str(org.get("id"))] = agent
            if org.get("name"):
                found[str(org["name"])] = agent
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


@dataclass
class Listed:
    """A package as ``package_search`` listed it; ``again``: a newer version of one taken."""

    package: dict[str, Any]
    again: bool = False


def packages(config: Config, fq: str | None, token: str | None = None) -> Iterator[Listed]:
    """Yield each package of ``package_search`` once, reading the listing page by page.

    Every page but the first starts one row early, on a package already taken. If the row
    there is one not taken, rows moved down under us (a package before our position was
    removed or changed) and we step back a page, until the listing joins up again; more
    than ``max_resyncs`` such steps in one run fail it. A newer version of a package
    already taken (changed during the run) is yielded as ``again``. With ``token`` the
    private packages its holder may see are listed too.

    Raises:
        ConnectorError: as ``action``; the listing kept moving; too many pages.
    """
    seen: dict[str, Any] = {}  # key → metadata_modified as taken
    counts: list[int] = []

    # A position is (the first row not read yet, the steps back so far): a step back asks
    # for rows already asked for, and is no loop.
    def page(position: tuple[int, int]) -> tuple[list[Listed], tuple[int, int] | None]:
        next_start, resyncs = position
        ask = max(next_start - 1, 0)
        params: dict[str, Any] = {"q": "*:*", "rows": config.rows, "start": ask, "sort": SORT}
        if fq:
            params["fq"] = fq
        if token:
            params["include_private"] = "true"
        if config.include_deleted:
            params["include_deleted"] = "true"
        result = action(config, "package_search", params, token)
        if not isinstance(result, dict) or not isinstance(result.get("results"), list):
            raise ConnectorError("package_search gav inget resultat med 'results'")
        results = [p for p in result["results"] if isinstance(p, dict)]
        count = result.get("count") if isinstance(result.get("count"), int) else None
        if count is not None and count not in counts[-1:]:
            counts.append(count)
        if ask > 0 and (not results or _listing_key(results[0]) not in seen):
            if resyncs >= config.max_resyncs:
                raise ConnectorError(
                    "Portalen ändrades hela tiden medan den lästes (antal datamängder: "
                    f"{' → '.join(str(c) for c in counts[-6:]) or 'okänt'}); försök igen senare"
                )
            return [], (max(ask - config.rows + 1, 0), resyncs + 1)  # step back a page
        listed = []
        for package in results:
            key = _listing_key(package)
            if key in seen:
                if package.get("metadata_modified") != seen[key]:
                    seen[key] = package.get("metadata_modified")
                    listed.append(Listed(package, again=True))
                continue
            seen[key] = package.get("metadata_modified")
            listed.append(Listed(package))
        end = ask + len(results)
        # A short page ends the listing, unless ``count`` says there is more: then the
        # portal caps ``rows`` (ckan.search.rows_max) below what we asked for.
        if len(results) < config.rows and (count is None or end >= count):
            return listed, None
        return listed, (end, resyncs)

    for listed in pages(page, (0, 0), max_pages=config.max_pages):
        yield from listed


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
    incremental = Incremental(cursor, _modified_order)
    fq = filter_query(config, cursor)
    token = api_token(config)
    publishers = organisations(config, token)
    for listed in packages(config, fq, token):
        package = listed.package
        key = _package_key(package)
        modified = package.get("metadata_modified")
        stamp = str(modified) if modified else None
        if listed.again:
            incremental.hold(stamp)  # the next run reads it; a key is yielded once
            continue
        if key is None:
            yield Failure(None, "Paketet saknar både id och name")
            continue
        if stamp and incremental.taken_before(key, stamp):
            continue  # taken by the last run at exactly this time
        incremental.see(key, stamp)
        if package.get("state") == "deleted":
            yield Deleted(key)
            continue
        with RecordGuard(key, what="Paketet") as guard:
            dataset, warnings = map_package(
                package, portal=config.url, publishers=publishers, language=config.language
            )
            warnings += config.defaults.apply(dataset)
        yield guard.failure or Item(key, dataset, warnings)
    yield Done(incremental.cursor(), complete=cursor.last_value is None)
