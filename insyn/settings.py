"""Insyn's settings in one place: name, default, environment variable and help.

The click CLI, the scheduler and the web app all read a ``Settings`` built here, so
a setting means the same everywhere. ``tests/test_settings.py`` checks that every
setting is documented in the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
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
)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None
    search_backend: str = "embedded"
    elasticsearch_url: str | None = None
    base_url: str = "http://127.0.0.1:8080"
    catalog_uri: str | None = None

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


def secret(env: str) -> str | None:
    """Return the secret in environment variable ``env`` (stripped), or None when unset.

    Sources and the identity provider name the variable that holds a secret (a
    database URL, an API token, a client secret) and never the secret itself.
    """
    return os.environ.get(env, "").strip() or None


def load_settings(**given: str | Path | None) -> Settings:
    """Build settings: explicit values first, then environment variables, then defaults."""
    values: dict[str, object] = {}
    for setting in SETTINGS:
        value = given.get(setting.name)
        if value is None:
            value = os.environ.get(setting.env) or setting.default
        values[setting.name] = value
    values["home"] = Path(str(values["home"])).expanduser()
    return Settings(**values)  # type: ignore[arg-type]
