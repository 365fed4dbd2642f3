"""The web's own settings, typed and checked: limits, feed paging and the API rate limit.

Each is a setting of the group "webb" in ``insyn.settings.SETTINGS`` (name, default,
environment variable and help are there); this module turns them into numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from insyn import settings
from insyn.errors import ConfigError


@dataclass(frozen=True)
class WebConfig:
    """Limits and sizes of the web app (``insyn.settings.SETTINGS`` says what each means)."""

    feed_page_size: int = 100
    feed_max_page_size: int = 500
    rate_limit_per_minute: float = 600.0
    rate_limit_burst: int = 120
    max_query_length: int = 500
    max_page_size: int = 100
    atom_entries: int = 50
    web_workers: int = 1


def load_web_config(**given: str | int | float | None) -> WebConfig:
    """Build the web config: explicit values, then environment variables, then defaults.

    Raises:
        ConfigError: a value is not a number or is out of range.
    """
    values: dict[str, int | float] = {}
    for field in fields(WebConfig):
        setting = settings.setting(field.name)
        raw = settings.value(field.name, given.get(field.name))
        try:
            number = float(str(raw)) if field.type == "float" else int(str(raw))
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
