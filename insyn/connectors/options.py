"""Typed source options: each kind declares ``OPTIONS``, a tuple of ``Option``.

``parse(kind, spec, given)`` checks the strings an operator gave (``--option key=value``)
against the kind's spec plus ``COMMON_OPTIONS`` (read by the engine and follow-up), types
them, fills in the defaults and refuses, in Swedish, an option the kind does not know or a
value of the wrong type; the message lists the kind's options. It runs in
``Config.from_source``, which ``insyn sources add`` calls, so a bad option is refused
when the source is added, not at three in the morning.

Types: ``bool`` (ja/nej, true/false, on/off, yes/no, 1/0; nothing else), ``int``,
``float``, ``str``, ``choice`` (one of ``choices``) and ``list`` (comma-separated). An
option named ``prefix.*`` takes every key that starts with ``prefix.``; its value is a
dict of the rest of the key to the value (``column.titel=Rubrik`` → ``{"titel": "Rubrik"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from insyn.errors import ConfigError

TYPES = ("bool", "int", "float", "str", "choice", "list")
TRUE = frozenset({"ja", "true", "on", "yes", "1"})
FALSE = frozenset({"nej", "false", "off", "no", "0"})
_TYPE_WORDS = {
    "bool": "ja eller nej (true/false, on/off, yes/no, 1/0)",
    "int": "ett heltal",
    "float": "ett tal",
    "str": "en text",
    "list": "en kommaseparerad lista",
}


@dataclass(frozen=True)
class Option:
    """One option of a kind: its name, type, default and a one-line help in Swedish."""

    name: str
    type: str
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown option type {self.type!r} for {self.name}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"{self.name}: choices go with type 'choice' only")

    @property
    def prefix(self) -> str | None:
        """``column.`` for an option named ``column.*``; None for a plain option."""
        return self.name[:-1] if self.name.endswith(".*") else None

    def describe(self) -> dict[str, Any]:
        """The option as plain data, for ``insyn sources kinds --json``."""
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "default": self.default,
            "help": self.help,
        }
        if self.choices:
            described["choices"] = list(self.choices)
        return described

    def convert(self, value: Any) -> Any:
        """The typed value of one given value.

        Raises:
            ValueError: with a Swedish text saying what the value should be.
        """
        if self.type == "bool":
            return parse_bool(value)
        if self.type == "list":
            items = value if isinstance(value, (list, tuple)) else str(value).split(",")
            return [str(item).strip() for item in items if str(item).strip()]
        if self.type == "choice":
            text = str(value).strip().lower()
            if text not in self.choices:
                raise ValueError(f"en av {' | '.join(self.choices)}")
            return text
        if self.type == "str":
            return str(value).strip()
        try:
            number = int(str(value).strip()) if self.type == "int" else float(str(value).strip())
        except ValueError:
            raise ValueError(_TYPE_WORDS[self.type]) from None
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{_TYPE_WORDS[self.type]} ≥ {_number(self.minimum)}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{_TYPE_WORDS[self.type]} ≤ {_number(self.maximum)}")
        return number


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_bool(value: Any) -> bool:
    """The one boolean parser of source options.

    Raises:
        ValueError: anything but ja/nej, true/false, on/off, yes/no, 1/0 (any case).
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_TYPE_WORDS["bool"])


# Options of every kind, read after the run by the engine and follow-up, not the connector.
COMMON_OPTIONS: tuple[Option, ...] = (
    Option(
        "deletion_guard",
        "float",
        0.2,
        "Största andel poster en körning får ta bort; fler stoppas som avvikelse.",
        minimum=0,
        maximum=1,
    ),
    Option("contact_email", "str", None, "Vem som får e-post om källans avvikelser."),
    Option(
        "quality_drop",
        "float",
        20.0,
        "Tapp i kvalitetspoäng (MQA) som blir en avvikelse.",
        minimum=0,
    ),
    Option(
        "max_unchanged_days",
        "int",
        None,
        "Dagar utan ändring innan källan anmäls som avvikelse.",
        minimum=1,
    ),
    Option(
        "visibility",
        "choice",
        None,
        "Om källans beskrivningar är offentliga (public) eller interna (internal); "
        "standard: internal för sql och files, annars public.",
        choices=("public", "internal"),
    ),
)


# What the administrator states for a whole source, for records that do not say it
# (``insyn.vocab.source_defaults``); DCAT-AP-SE requires a publisher and its type.
PUBLISHER_OPTIONS: tuple[Option, ...] = (
    Option(
        "publisher",
        "str",
        None,
        "Utgivarens adress (IRI) för poster som inte anger någon utgivare; med publisher_name.",
    ),
    Option("publisher_name", "str", None, "Namnet på utgivaren i publisher."),
    Option(
        "publisher_type",
        "str",
        None,
        "ADMS-utgivartyp för källans utgivare som inte anger någon, t.ex. LocalAuthority.",
    ),
    Option(
        "creator_type",
        "str",
        None,
        "ADMS-utgivartyp för källans upphovsmän som inte anger någon, t.ex. PrivateIndividual(s).",
    ),
)


def full_spec(spec: tuple[Option, ...]) -> tuple[Option, ...]:
    """A kind's own options and the common ones (``COMMON_OPTIONS``)."""
    names = {option.name for option in spec}
    return (*spec, *(option for option in COMMON_OPTIONS if option.name not in names))


def known(spec: tuple[Option, ...]) -> str:
    """The names of a kind's options, for messages."""
    return ", ".join(option.name for option in spec) or "(inga)"


def parse(kind: str, spec: tuple[Option, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """Check and type a source's options against its kind's spec; defaults fill the rest.

    Raises:
        ConfigError: an option the kind does not know, or a value of the wrong type.
    """
    spec = full_spec(spec)
    values: dict[str, Any] = {}
    for option in spec:
        default = list(option.default) if isinstance(option.default, list) else option.default
        values[option.name] = {} if option.prefix else default
    by_name = {option.name: option for option in spec}
    prefixed = [option for option in spec if option.prefix]
    for key, value in given.items():
        option = by_name.get(key)
        rest = None
        if option is None:
            option = next((o for o in prefixed if key.startswith(o.prefix or "")), None)
            rest = key.removeprefix(option.prefix or "") if option else None
        if option is None or (option.prefix and not rest):
            raise ConfigError(
                f"Okänt alternativ '{key}' för källtypen {kind}. Kända alternativ: {known(spec)}"
            )
        try:
            typed = option.convert(value)
        except ValueError as exc:
            raise ConfigError(
                f"Alternativet {key} för källtypen {kind} ska vara {exc}, inte '{value}'. "
                f"Kända alternativ: {known(spec)}"
            ) from None
        if rest is not None:
            values[option.name][rest] = typed
        else:
            values[key] = typed
    return values
