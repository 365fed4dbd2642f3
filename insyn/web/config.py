"""The web's own settings: limits, feed paging and the API rate limit.

They follow ``insyn.settings``: one ``Setting(name, default, env, help)`` per value, read
from explicit values, then environment variables, then defaults. They live here until the
lead moves them into ``insyn.settings.SETTINGS`` (and the README's settings table).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from insyn.errors import ConfigError
from insyn.settings import Setting

WEB_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "feed_page_size",
        "100",
        "INSYN_FEED_PAGE_SIZE",
        "Antal datamängder per sida i DCAT-AP-SE-flödena (Hydra-sidindelning).",
    ),
    Setting(
        "feed_max_page_size",
        "500",
        "INSYN_FEED_MAX_PAGE_SIZE",
        "Största sidstorlek en klient får begära i DCAT-AP-SE-flödena (?page_size=).",
    ),
    Setting(
        "rate_limit_per_minute",
        "600",
        "INSYN_RATE_LIMIT",
        "Anrop per minut och klientadress mot /api/* (0 stänger av begränsningen).",
    ),
    Setting(
        "rate_limit_burst",
        "120",
        "INSYN_RATE_BURST",
        "Hur många anrop en klient får göra i en följd innan begränsningen slår till.",
    ),
    Setting(
        "max_query_length",
        "500",
        "INSYN_MAX_QUERY_LENGTH",
        "Längsta tillåtna sökfråga i tecken.",
    ),
    Setting(
        "max_page_size",
        "100",
        "INSYN_MAX_PAGE_SIZE",
        "Största antal träffar per sida i sök-API:t.",
    ),
    Setting(
        "atom_entries",
        "50",
        "INSYN_ATOM_ENTRIES",
        "Antal poster i Atom-flödet med nya och ändrade datamängder.",
    ),
)


@dataclass(frozen=True)
class WebConfig:
    """Limits and sizes of the web app (see ``WEB_SETTINGS`` for what each means)."""

    feed_page_size: int = 100
    feed_max_page_size: int = 500
    rate_limit_per_minute: float = 600.0
    rate_limit_burst: int = 120
    max_query_length: int = 500
    max_page_size: int = 100
    atom_entries: int = 50


def load_web_config(**given: str | int | float | None) -> WebConfig:
    """Build the web config: explicit values, then environment variables, then defaults.

    Raises:
        ConfigError: a value is not a number or is out of range.
    """
    types = {f.name: f.type for f in fields(WebConfig)}
    values: dict[str, int | float] = {}
    for setting in WEB_SETTINGS:
        raw = given.get(setting.name)
        if raw is None:
            raw = os.environ.get(setting.env) or setting.default
        try:
            number = float(raw) if types[setting.name] == "float" else int(str(raw))
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"Inställningen {setting.env} måste vara ett tal, inte {raw!r}"
            ) from exc
        if number < 0 or (number == 0 and setting.name != "rate_limit_per_minute"):
            raise ConfigError(f"Inställningen {setting.env} måste vara större än noll")
        values[setting.name] = number
    if values["feed_page_size"] > values["feed_max_page_size"]:
        raise ConfigError("INSYN_FEED_PAGE_SIZE får inte vara större än INSYN_FEED_MAX_PAGE_SIZE")
    return WebConfig(**values)  # type: ignore[arg-type]
