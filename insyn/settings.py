"""Insyn's settings in one place: name, default, environment variable, group and help.

Every environment variable Insyn reads is read here and nowhere else
(``tests/test_settings.py`` scans the package for other reads of ``os.environ``):

- ``SETTINGS`` lists each setting (grouped: katalog, webb, inloggning, e-post, drift);
- ``load_settings`` builds the ``Settings`` the click CLI, the scheduler and the web app
  share; ``value`` (text) and ``flag`` (yes/no) read any one setting for the modules
  that need only a few (web limits, sign-in, SMTP, logging);
- ``secret`` reads a secret from the environment variable a source or the identity
  provider names (secrets are referenced by name, never stored);
- ``child_environment`` is the environment handed to programs Insyn starts (pg_dump).

Each value is taken from an explicit argument first, then the environment variable
(an empty one counts as unset), then the default. ``tests/test_settings.py`` also checks
that every setting has a row in the README's settings table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    env: str
    help: str
    group: str = "katalog"


GROUPS: tuple[str, ...] = ("katalog", "webb", "inloggning", "e-post", "drift")
TRUE_WORDS = frozenset({"1", "true", "yes", "ja"})
LOG_FORMATS = ("plain", "json")  # the values of ``log_format``

SETTINGS: tuple[Setting, ...] = (
    # --- katalog: the store, the search index and the published catalogue ---
    Setting(
        "home",
        "./insyn-data",
        "INSYN_HOME",
        "Datakatalogen med SQLite-filen och sökindexet.",
    ),
    Setting(
        "database_url",
        None,
        "INSYN_DATABASE_URL",
        "Databas-URL (t.ex. postgresql://…) i stället för SQLite-filen i datakatalogen.",
    ),
    Setting(
        "search_backend",
        "embedded",
        "INSYN_SEARCH_BACKEND",
        "Sökmotor: 'embedded' (inbyggd, tantivy) eller 'elasticsearch'.",
    ),
    Setting(
        "elasticsearch_url",
        None,
        "ELASTICSEARCH_URL",
        "Adress till Elasticsearch-klustret när search_backend är 'elasticsearch'.",
    ),
    Setting(
        "base_url",
        "http://127.0.0.1:8080",
        "INSYN_BASE_URL",
        "Den publika adressen som flöden och poster länkar till.",
    ),
    Setting(
        "catalog_uri",
        None,
        "INSYN_CATALOG_URI",
        "URI för den exporterade katalogen (standard: <base_url>/catalog).",
    ),
    # --- webb: limits, feed paging and the API rate limit ---
    Setting(
        "feed_page_size",
        "100",
        "INSYN_FEED_PAGE_SIZE",
        "Antal datamängder per sida i DCAT-AP-SE-flödena (Hydra-sidindelning).",
        "webb",
    ),
    Setting(
        "feed_max_page_size",
        "500",
        "INSYN_FEED_MAX_PAGE_SIZE",
        "Största sidstorlek en klient får begära i DCAT-AP-SE-flödena (?page_size=).",
        "webb",
    ),
    Setting(
        "rate_limit_per_minute",
        "600",
        "INSYN_RATE_LIMIT",
        "Anrop per minut och klientadress mot allt utom statiska filer och hälsokontrollen "
        "(0 stänger av begränsningen).",
        "webb",
    ),
    Setting(
        "rate_limit_burst",
        "120",
        "INSYN_RATE_BURST",
        "Hur många anrop en klient får göra i en följd innan begränsningen slår till.",
        "webb",
    ),
    Setting(
        "trusted_proxies",
        "",
        "INSYN_TRUSTED_PROXIES",
        "Adresser till omvända proxyservrar (kommaseparerade) vars X-Forwarded-For betros; "
        "tomt: ingen, klientens adress är den som ansluter.",
        "webb",
    ),
    Setting(
        "max_query_length",
        "500",
        "INSYN_MAX_QUERY_LENGTH",
        "Längsta tillåtna sökfråga i tecken.",
        "webb",
    ),
    Setting(
        "max_page_size",
        "100",
        "INSYN_MAX_PAGE_SIZE",
        "Största antal träffar per sida i sök-API:t.",
        "webb",
    ),
    Setting(
        "atom_entries",
        "50",
        "INSYN_ATOM_ENTRIES",
        "Antal poster i Atom-flödet med nya och ändrade datamängder.",
        "webb",
    ),
    Setting(
        "web_workers",
        "1",
        "INSYN_WEB_WORKERS",
        "Antal processer som 'insyn serve' svarar med (högst en per processorkärna gör "
        "nytta); anropsbegränsningen räknas i varje process för sig.",
        "webb",
    ),
    # --- inloggning: the municipality's identity provider (OIDC) and cookies ---
    Setting(
        "oidc_issuer",
        None,
        "INSYN_OIDC_ISSUER",
        "OIDC-utfärdarens adress; med oidc_client_id slås inloggning via OIDC på.",
        "inloggning",
    ),
    Setting(
        "oidc_client_id",
        None,
        "INSYN_OIDC_CLIENT_ID",
        "Insyns klient-id hos OIDC-utfärdaren.",
        "inloggning",
    ),
    Setting(
        "oidc_client_secret_env",
        "INSYN_OIDC_CLIENT_SECRET",
        "INSYN_OIDC_CLIENT_SECRET_ENV",
        "Namnet på miljövariabeln som håller klienthemligheten (hemligheten lagras aldrig).",
        "inloggning",
    ),
    Setting(
        "oidc_role_claim",
        "roles",
        "INSYN_OIDC_ROLE_CLAIM",
        "Det påstående (claim) i ID-token som bär användarens grupper eller roller.",
        "inloggning",
    ),
    Setting(
        "oidc_roles",
        None,
        "INSYN_OIDC_ROLES",
        "Roll till gruppvärden, t.ex. registrar=grp1|grp2,owner=grp3,admin=grp4.",
        "inloggning",
    ),
    Setting(
        "secure_cookies",
        None,
        "INSYN_SECURE_COOKIES",
        "'true' sätter Secure på kakorna alltid (bakom en https-proxy); annars bara över https.",
        "inloggning",
    ),
    # --- e-post: notices of incidents over SMTP ---
    Setting(
        "smtp_host",
        None,
        "INSYN_SMTP_HOST",
        "SMTP-servern för e-post om avvikelser (ingen server: ingen e-post skickas).",
        "e-post",
    ),
    Setting("smtp_port", "25", "INSYN_SMTP_PORT", "SMTP-serverns port.", "e-post"),
    Setting("smtp_from", "insyn@localhost", "INSYN_SMTP_FROM", "Avsändaradress.", "e-post"),
    Setting(
        "smtp_user",
        None,
        "INSYN_SMTP_USER",
        "Användarnamn när servern kräver inloggning.",
        "e-post",
    ),
    Setting(
        "smtp_password",
        None,
        "INSYN_SMTP_PASSWORD",
        "Lösenordet till SMTP-servern (läses ur miljön, lagras aldrig).",
        "e-post",
    ),
    Setting(
        "smtp_starttls",
        None,
        "INSYN_SMTP_STARTTLS",
        "'1' eller 'true' uppgraderar förbindelsen med STARTTLS.",
        "e-post",
    ),
    # --- drift: sources, logs ---
    Setting(
        "allow_private_sources",
        None,
        "INSYN_ALLOW_PRIVATE_SOURCES",
        "'1' eller 'ja' låter alla källor nå loopback, link-local och privata nät "
        "(annars bara källor med allow_private=ja).",
        "drift",
    ),
    Setting(
        "index_nice",
        "19",
        "INSYN_INDEX_NICE",
        "Hur mycket lägre processorprioritet (nice, 0–19) 'insyn index' arbetar med, så att "
        "sökningar på samma maskin svarar snabbt medan indexet byggs ikapp (0: samma "
        "prioritet som allt annat).",
        "drift",
    ),
    Setting(
        "log_format",
        "plain",
        "INSYN_LOG_FORMAT",
        "Loggformat: 'plain' (text) eller 'json'.",
        "drift",
    ),
)
BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    search_backend: str = "embedded"
    elasticsearch_url: str | None = None
    base_url: str = "http://127.0.0.1:8080"
    catalog_uri: str | None = None
    # The settings given explicitly or by their environment variable, not left at their
    # default: a base URL set to the default's very value must still win over --port.
    given: frozenset[str] = frozenset()

    @property
    def catalogue_url(self) -> str:
        """The catalogue database: the given URL, else SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'insyn.sqlite3'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def exported_catalog_uri(self) -> str:
        return self.catalog_uri or self.base_url.rstrip("/") + "/catalog"


def setting(name: str) -> Setting:
    """Return the setting called ``name``.

    Raises:
        KeyError: there is no such setting.
    """
    return BY_NAME[name]


def value(name: str, given: object = None) -> str | None:
    """Return setting ``name`` as text: ``given`` if not None, else its variable, else default."""
    if given is not None:
        return str(given)
    found = BY_NAME[name]
    return os.environ.get(found.env) or found.default


def is_set(name: str, given: object = None) -> bool:
    """Return whether setting ``name`` is given or set by its (non-empty) variable."""
    return given is not None or bool(os.environ.get(BY_NAME[name].env))


def flag(name: str, given: bool | None = None) -> bool:
    """Return setting ``name`` as a yes/no: "1", "true", "yes" or "ja" is yes."""
    if given is not None:
        return given
    return (value(name) or "").strip().lower() in TRUE_WORDS


def child_environment() -> dict[str, str]:
    """Return a copy of the environment, for a program Insyn starts (pg_dump, psql)."""
    return dict(os.environ)


def secret(env: str) -> str | None:
    """Return the secret in environment variable ``env`` (stripped), or None when unset.

    Sources and the identity provider name the variable that holds a secret (a
    database URL, an API token, a client secret) and never the secret itself.
    """
    return os.environ.get(env, "").strip() or None


def load_settings(**given: str | Path | None) -> Settings:
    """Build settings: explicit values first, then environment variables, then defaults."""
    values: dict[str, object] = {name: value(name, given.get(name)) for name in _SETTINGS_FIELDS}
    values["home"] = Path(str(values["home"])).expanduser()
    values["given"] = frozenset(n for n in _SETTINGS_FIELDS if is_set(n, given.get(n)))
    return Settings(**values)  # type: ignore[arg-type]


_SETTINGS_FIELDS = tuple(field.name for field in fields(Settings) if field.name in BY_NAME)
