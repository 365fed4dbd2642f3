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

CKAN → model:

===================================  ==================================================
package ``id``                       the key; ``uri`` is the ``uri`` extra (ckanext-dcat)
                                     or ``<portal>/dataset/<id>``
``title`` / ``title_translated``     ``title``
``notes`` / ``notes_translated``     ``description``
``tags``                             ``keyword``
``groups``                           ``theme`` where a group names an EU data theme;
                                     the others → extras ``ckan:groups``
``theme`` (ckanext-dcat)             ``theme`` (unknown values kept, reported)
``license_url``/``license_id``       licence (``licences`` vocabulary, CKAN's own ids
                                     too) → each distribution's ``license``
``issued``/``modified`` (dcat),      ``issued``/``modified``
else ``metadata_created``/``_modified``
``url``                              ``landing_page`` (a value that is no URL → extras)
``maintainer``/``author`` (+email),  ``contact_point``
``contact`` (dcat)
``organization``; ``publisher``      ``publisher`` (Agent: title, id, the organisation's
(dcat, wins)                         page on the portal as URI)
``creator`` (dcat)                   ``creator``
``private: true``, ``state: draft``  not public (``NON_PUBLIC``), with a warning
``state: deleted``                   ``Deleted``
``access_rights`` (dcat)             ``governance.access_rights`` (unreadable → not public)
``identifier``, ``guid``             ``identifier``
``language``, ``frequency``,         ``language``, ``accrual_periodicity``, ``version``,
``version``, ``version_notes``,      ``version_notes``, ``provenance``, ``conforms_to``,
``provenance``, ``conforms_to``,     ``page``, ``applicable_legislation``,
``documentation``,                   ``hvd_category``
``applicable_legislation``,
``hvd_category``
``spatial_uri``, ``spatial_coverage``  ``spatial`` (the GeoJSON ``spatial`` → extras)
``temporal_start``/``_end``,         ``temporal``
``temporal_coverage``
``extras``                           ``extras`` (every key, as given)
resource ``url``                     ``access_url`` (``access_url`` wins); also
                                     ``download_url`` for uploads (``download_url`` wins)
resource ``format``/``mimetype``     ``format`` (EU file type; from the URL's extension when
                                     empty), ``media_type``
resource ``name``/``description``,   ``title``/``description``, ``byte_size``,
``size``, ``hash``, ``created``/     ``checksum``, ``issued``/``modified``, ``license``,
``last_modified``, ``license``,      ``language``, ``conforms_to``, ``availability``,
``language``, ``conforms_to``,       ``status``
``availability``, ``status``
===================================  ==================================================

Values that are odd (an unknown licence, a date that is no date) are kept and reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

import requests

from insyn import settings
from insyn.connectors.base import Cursor, Deleted, Done, Failure, Item, Yielded
from insyn.connectors.http import HttpSettings, fetch, session
from insyn.errors import ConfigError, ConnectorError
from insyn.vocab import vocabularies
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    Agent,
    ContactPoint,
    Dataset,
    Distribution,
    Governance,
    LangText,
    PeriodOfTime,
)
from insyn.vocab.profiles.dcat_read import parse_date

KIND = "ckan"

ROWS_DEFAULT = 100
ROWS_MAX = 1000  # CKAN's default ckan.search.rows_max
MAX_PAGES_DEFAULT = 10_000
MAX_RESYNCS_DEFAULT = 10
SORT = "metadata_modified asc, id asc"
ACCEPT = "application/json"
_API_SUFFIXES = ("/api/3/action", "/api/action", "/api/3", "/api")

# CKAN's own licence ids (ckan/model/license.py and the opendefinition list) → EU codes.
CKAN_LICENCES = {
    "cc-by": "CC_BY",
    "cc-by-sa": "CC_BYSA",
    "cc-zero": "CC0",
    "cc-nc": "CC_BYNC",
    "odc-by": "ODC_BY",
    "odc-odbl": "ODC_BL",
    "odc-pddl": "ODC_PDDL",
    "gfdl": "GNU_FDL",
    "cc-by-4.0": "CC_BY_4_0",
    "cc-by-sa-4.0": "CC_BYSA_4_0",
    "cc0-1.0": "CC0",
    "odc-by-1.0": "ODC_BY",
    "odbl-1.0": "ODC_BL",
    "ogl-uk-3.0": "OGL_3_0",
}
_ACCESS_CODES = {"PUBLIC": PUBLIC, "RESTRICTED": RESTRICTED, "NON_PUBLIC": NON_PUBLIC}
_PAGE_EXTENSIONS = frozenset({"", "htm", "html", "php", "asp", "aspx", "jsp"})
# ckanext-dcat fields that no property of ours holds, kept in extras when given.
_KEPT_FIELDS = (
    "dcat_type",
    "alternate_identifier",
    "is_referenced_by",
    "temporal_resolution",
    "spatial_resolution_in_meters",
    "spatial",
    "qualified_relation",
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


def organisation_agent(org: dict[str, Any], portal: str, language: str = "") -> Agent:
    """An organisation dict (organization_list or a package's) as an Agent."""
    name = org.get("name") or org.get("id")
    title = _lang_text(org.get("title_translated"), org.get("title") or org.get("display_name"))
    return Agent(
        uri=f"{portal}/organization/{name}" if name else None,
        name=_tag(title, language) or ({language: str(name)} if name else {}),
        identifier=org.get("id"),
    )


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


# --- package → model ----------------------------------------------------------------------------


def _tag(text: LangText, language: str) -> LangText:
    """Move untagged text to ``language`` (when one is configured)."""
    if language and "" in text and language not in text:
        text = dict(text)
        text[language] = text.pop("")
    return text


def _lang_text(translated: Any, plain: Any) -> LangText:
    """A ``*_translated`` dict (ckanext-fluent) or a plain value as LangText."""
    if isinstance(translated, dict):
        result = {str(k): str(v).strip() for k, v in translated.items() if str(v or "").strip()}
        if result:
            return result
    if isinstance(plain, dict):
        return _lang_text(plain, None)
    text = str(plain or "").replace("\r\n", "\n").strip()
    return {"": text} if text else {}


def _is_url(value: Any) -> bool:
    parsed = urlparse(str(value or "").strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _values(value: Any) -> list[Any]:
    """A field that may be a list, a JSON list in a string (extras), or one value."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return _values(parsed) if isinstance(parsed, list) else [value]
    return [value]


class _Package:
    """One package dict, its extras, and the warnings and extras its mapping collects."""

    def __init__(self, package: dict[str, Any], language: str) -> None:
        self.package = package
        self.language = language
        self.extras: dict[str, str] = {}
        for extra in package.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key"):
                self.extras[str(extra["key"])] = extra.get("value")
        self.warnings: list[str] = []
        self.kept: dict[str, list[str]] = {
            key: [value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)]
            for key, value in self.extras.items()
            if value not in (None, "")
        }

    def field(self, name: str) -> Any:
        """A ckanext-dcat value: a top-level (scheming) field, an extra, or a ``dcat_`` extra."""
        for value in (
            self.package.get(name),
            self.extras.get(name),
            self.extras.get("dcat_" + name),
        ):
            if value not in (None, "", []):
                return value
        return None

    def text(self, value: Any) -> LangText:
        return _tag(_lang_text(None, value), self.language)

    def keep(self, name: str, values: list[Any]) -> None:
        for value in values:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            self.kept.setdefault(name, []).append(text)

    def date(self, name: str, value: Any) -> date | datetime | None:
        if value in (None, ""):
            return None
        parsed = parse_date(str(value))
        if parsed is None:
            self.warnings.append(f"{name}: '{value}' är inget giltigt datum")
        return parsed

    def controlled(self, vocabulary: str, name: str, values: list[Any]) -> list[str]:
        result = []
        for value in values:
            uri, recognised = vocabularies.normalise(vocabulary, str(value))
            if not recognised:
                self.warnings.append(f"{name}: '{value}' finns inte i vokabulären {vocabulary}")
            if uri not in result:
                result.append(uri)
        return result


def _licence(pkg: _Package) -> str | None:
    package = pkg.package
    licence_id = str(package.get("license_id") or "").strip()
    candidates = [
        package.get("license_url"),
        CKAN_LICENCES.get(licence_id.lower()),
        licence_id,
        package.get("license_title"),
        pkg.field("license"),
    ]
    for candidate in candidates:
        if candidate and isinstance(candidate, str):
            uri, recognised = vocabularies.normalise("licences", candidate)
            if recognised:
                return uri
    raw = package.get("license_url") or licence_id or package.get("license_title")
    if raw:
        pkg.warnings.append(f"license: '{licence_id or raw}' finns inte i vokabulären licences")
        return str(raw)
    return None


def _themes(pkg: _Package) -> list[str]:
    themes: list[str] = []
    unmapped: list[str] = []
    for group in pkg.package.get("groups") or []:
        if not isinstance(group, dict):
            continue
        names = [group.get(k) for k in ("name", "title", "display_name") if group.get(k)]
        found = next((c for n in names if (c := vocabularies.data_themes().lookup(str(n)))), None)
        if found is None:
            unmapped.append(str(names[0]) if names else "?")
        elif found.uri not in themes:
            themes.append(found.uri)
    pkg.keep("ckan:groups", unmapped)
    for uri in pkg.controlled("data_themes", "theme", _values(pkg.field("theme"))):
        if uri not in themes:
            themes.append(uri)
    return themes


def _agent_fields(pkg: _Package, role: str) -> list[Agent]:
    """Agents of ckanext-dcat: a scheming list (``publisher``) or ``publisher_*`` extras."""
    agents = []
    for entry in _values(pkg.package.get(role)):
        if isinstance(entry, dict) and (entry.get("name") or entry.get("uri")):
            agents.append(
                Agent(
                    uri=entry.get("uri")
                    or (entry.get("identifier") if _is_url(entry.get("identifier")) else None),
                    name=pkg.text(entry.get("name")),
                    identifier=entry.get("identifier"),
                    type=entry.get("type") or None,
                    homepage=entry.get("url") or None,
                    email=entry.get("email") or None,
                )
            )
    name, uri = pkg.field(f"{role}_name"), pkg.field(f"{role}_uri")
    if not agents and (name or uri):
        agents.append(
            Agent(
                uri=uri,
                name=pkg.text(name),
                email=pkg.field(f"{role}_email"),
                homepage=pkg.field(f"{role}_url"),
                type=pkg.field(f"{role}_type"),
                identifier=pkg.field(f"{role}_identifier"),
            )
        )
    return agents


def _publisher(pkg: _Package, publishers: dict[str, Agent], portal: str) -> Agent | None:
    own = _agent_fields(pkg, "publisher")
    if own:
        return own[0]
    package = pkg.package
    org = package.get("organization")
    for key in (package.get("owner_org"), org.get("id") if isinstance(org, dict) else None):
        if key and str(key) in publishers:
            return publishers[str(key)]
    if isinstance(org, dict):
        return organisation_agent(org, portal, pkg.language)
    return None


def _email(value: Any) -> str | None:
    text = str(value or "").strip().removeprefix("mailto:")
    return text or None


def _contacts(pkg: _Package) -> list[ContactPoint]:
    contacts: list[ContactPoint] = []
    for entry in _values(pkg.package.get("contact")):
        if isinstance(entry, dict):
            contacts.append(
                ContactPoint(
                    uri=entry.get("uri") or None,
                    name=pkg.text(entry.get("name")),
                    email=_email(entry.get("email")),
                    url=entry.get("url") or None,
                )
            )
    if pkg.field("contact_name") or pkg.field("contact_email"):
        contacts.append(
            ContactPoint(
                uri=pkg.field("contact_uri"),
                name=pkg.text(pkg.field("contact_name")),
                email=_email(pkg.field("contact_email")),
            )
        )
    for role in ("maintainer", "author"):
        name, email = pkg.package.get(role), _email(pkg.package.get(f"{role}_email"))
        if name or email:
            contacts.append(ContactPoint(name=pkg.text(name), email=email))
    unique: list[ContactPoint] = []
    for contact in contacts:
        if all((c.name, c.email) != (contact.name, contact.email) for c in unique):
            unique.append(contact)
    return unique


def _temporal(pkg: _Package) -> list[PeriodOfTime]:
    periods = []
    for entry in _values(pkg.package.get("temporal_coverage")):
        if isinstance(entry, dict):
            periods.append(
                PeriodOfTime(
                    start=pkg.date("temporal_coverage", entry.get("start")),
                    end=pkg.date("temporal_coverage", entry.get("end")),
                )
            )
    start, end = pkg.field("temporal_start"), pkg.field("temporal_end")
    if not periods and (start or end):
        periods.append(
            PeriodOfTime(start=pkg.date("temporal_start", start), end=pkg.date("temporal_end", end))
        )
    return [p for p in periods if p.start or p.end]


def _spatial(pkg: _Package) -> list[str]:
    spatial: list[str] = []
    for entry in _values(pkg.package.get("spatial_coverage")):
        if isinstance(entry, dict) and (entry.get("uri") or entry.get("text")):
            spatial.append(str(entry.get("uri") or entry.get("text")))
    for name in ("spatial_uri", "spatial_text"):
        value = pkg.field(name)
        if value and str(value) not in spatial:
            spatial.append(str(value))
    return spatial


def _access_rights(pkg: _Package) -> Governance:
    package = pkg.package
    access = PUBLIC
    value = pkg.field("access_rights")
    if value:
        code = str(value).rstrip("/").rsplit("/", 1)[-1].upper().replace("-", "_")
        uri, recognised = vocabularies.normalise("access_rights", str(value))
        if code in _ACCESS_CODES:
            access = _ACCESS_CODES[code]
        elif recognised:
            access = uri
        else:
            # An access right nobody can read is never treated as public.
            access = NON_PUBLIC
            pkg.warnings.append(
                f"access_rights: '{value}' känns inte igen; "
                "datamängden behandlas som icke-offentlig"
            )
            pkg.keep("access_rights", [value])
    if package.get("private") is True:
        access = NON_PUBLIC
        pkg.warnings.append("Datamängden är privat i CKAN; den visas inte publikt")
    if package.get("state") not in (None, "", "active"):
        access = NON_PUBLIC
        pkg.warnings.append(
            f"Datamängden har status '{package.get('state')}' i CKAN; den visas inte publikt"
        )
    return Governance(access_rights=access)


def _file_type(pkg: _Package, resource: dict[str, Any]) -> str | None:
    given = str(resource.get("format") or "").strip()
    for candidate in (given, resource.get("mimetype"), _extension(resource.get("url"))):
        if candidate:
            uri, recognised = vocabularies.normalise("file_types", str(candidate))
            if recognised:
                return uri
    if given:
        pkg.warnings.append(f"resources.format: '{given}' finns inte i vokabulären file_types")
        return given
    return None


def _extension(url: Any) -> str | None:
    name = urlparse(str(url or "")).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return None if extension in _PAGE_EXTENSIONS else "." + extension


def _size(pkg: _Package, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        pkg.warnings.append(f"resources.size: '{value}' är inget heltal")
        return None


def _distribution(
    pkg: _Package, resource: dict[str, Any], package_id: str, portal: str, licence: str | None
) -> Distribution:
    url = str(resource.get("url") or "").strip() or None
    resource_id = resource.get("id")
    resource_licence = resource.get("license")
    if resource_licence:
        resource_licence = pkg.controlled("licences", "resources.license", [resource_licence])[0]
    distribution = Distribution(
        uri=resource.get("uri")
        or (f"{portal}/dataset/{package_id}/resource/{resource_id}" if resource_id else None),
        title=pkg.text(resource.get("name")),
        description=pkg.text(resource.get("description")),
        access_url=resource.get("access_url") or url,
        download_url=resource.get("download_url")
        or (url if resource.get("url_type") == "upload" else None),
        format=_file_type(pkg, resource),
        media_type=resource.get("mimetype") or None,
        license=resource_licence or licence,
        byte_size=_size(pkg, resource.get("size")),
        issued=pkg.date("resources.created", resource.get("issued") or resource.get("created")),
        modified=pkg.date(
            "resources.last_modified", resource.get("modified") or resource.get("last_modified")
        ),
        language=pkg.controlled(
            "languages", "resources.language", _values(resource.get("language"))
        ),
        conforms_to=[str(v) for v in _values(resource.get("conforms_to"))],
        availability=resource.get("availability") or None,
        status=resource.get("status") or None,
        checksum=resource.get("hash") or None,
    )
    if not distribution.access_url:
        pkg.warnings.append(f"Resursen {resource_id or resource.get('name')} saknar url")
    return distribution


def map_package(
    package: dict[str, Any],
    *,
    portal: str,
    publishers: dict[str, Agent] | None = None,
    language: str = "",
) -> tuple[Dataset, list[str]]:
    """Map one CKAN package dict to a ``Dataset``; return it with its warnings.

    ``portal`` is the portal's address (for URIs of datasets, resources and organisations);
    ``language`` tags untranslated text ("" leaves it untagged).
    """
    pkg = _Package(package, language)
    package_id = str(package.get("id") or package.get("name") or "")
    title = _tag(_lang_text(package.get("title_translated"), package.get("title")), language)
    if not title:
        pkg.warnings.append("title saknas")
        title = pkg.text(package.get("name"))
    description = _tag(_lang_text(package.get("notes_translated"), package.get("notes")), language)
    if not description:
        pkg.warnings.append("notes (beskrivning) saknas")
    keywords: list[str] = []
    for tag in package.get("tags") or []:
        word = (tag.get("display_name") or tag.get("name")) if isinstance(tag, dict) else tag
        if word and str(word).strip() and str(word).strip() not in keywords:
            keywords.append(str(word).strip())
    landing_page = []
    if _is_url(package.get("url")):
        landing_page.append(str(package["url"]).strip())
    elif package.get("url"):
        pkg.warnings.append(f"url: '{package['url']}' är ingen webbadress; sparad under extras")
        pkg.keep("ckan:url", [package["url"]])
    licence = _licence(pkg)
    if licence and not _is_url(licence) and "://" not in licence:
        pkg.keep("ckan:license", [licence])
    identifiers = [str(v) for v in _values(pkg.field("identifier")) + _values(pkg.field("guid"))]
    frequency = pkg.controlled("frequencies", "frequency", _values(pkg.field("frequency")))
    for name in _KEPT_FIELDS:
        if name in package and package[name] not in (None, "", []):
            pkg.keep(name, _values(package[name]) if name != "spatial" else [package[name]])
    pkg.keep("ckan:name", [package["name"]] if package.get("name") else [])
    dataset = Dataset(
        uri=str(pkg.field("uri") or f"{portal}/dataset/{package_id}"),
        title=title,
        description=description,
        publisher=_publisher(pkg, publishers or {}, portal),
        contact_point=_contacts(pkg),
        keyword={language: keywords} if keywords else {},
        theme=_themes(pkg),
        issued=pkg.date("issued", pkg.field("issued") or package.get("metadata_created")),
        modified=pkg.date("modified", pkg.field("modified") or package.get("metadata_modified")),
        landing_page=landing_page,
        governance=_access_rights(pkg),
        identifier=list(dict.fromkeys(identifiers)),
        language=pkg.controlled("languages", "language", _languages(pkg.field("language"))),
        spatial=_spatial(pkg),
        temporal=_temporal(pkg),
        accrual_periodicity=frequency[0] if frequency else None,
        conforms_to=[str(v) for v in _values(pkg.field("conforms_to"))],
        creator=_agent_fields(pkg, "creator"),
        version=str(package.get("version") or "").strip() or None,
        version_notes=pkg.text(pkg.field("version_notes")),
        provenance=pkg.text(pkg.field("provenance")),
        relation=[
            str(r.get("relation"))
            for r in _values(package.get("qualified_relation"))
            if isinstance(r, dict) and r.get("relation")
        ],
        page=[str(v) for v in _values(pkg.field("documentation"))],
        hvd_category=[str(v) for v in _values(pkg.field("hvd_category"))],
        applicable_legislation=[str(v) for v in _values(pkg.field("applicable_legislation"))],
        distributions=[
            _distribution(pkg, resource, package_id, portal, licence)
            for resource in package.get("resources") or []
            if isinstance(resource, dict) and resource.get("state", "active") == "active"
        ],
    )
    dataset.extras = pkg.kept
    return dataset, pkg.warnings


def _languages(value: Any) -> list[str]:
    """Languages as a list, a JSON list or a comma-separated string ("en,es,ca")."""
    result = []
    for item in _values(value):
        result.extend(part.strip() for part in str(item).split(",") if part.strip())
    return result
