"""Typed source options: one boolean parser, unknown and mistyped options refused."""

from __future__ import annotations

import pytest

from insyn.connectors import available_kinds, load, options_of
from insyn.connectors.http import HTTP_OPTIONS, HttpSettings
from insyn.connectors.options import COMMON_OPTIONS, Option, parse, parse_bool
from insyn.errors import ConfigError

SPEC = (
    Option("incremental", "bool", True, "Hämta bara ändringar."),
    Option("rows", "int", 100, "Sidstorlek.", minimum=2, maximum=1000),
    Option("timeout", "float", 1.5, "Sekunder."),
    Option("fq", "str", None, "Filter."),
    Option("schema", "choice", "v3", "Schema.", choices=("v3", "v2")),
    Option("include", "list", [], "Mönster."),
    Option("column.*", "str", None, "Kolumn per fält."),
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[(word, True) for word in ("ja", "JA", "true", "True", "on", "yes", "1", " ja ")],
        *[(word, False) for word in ("nej", "Nej", "false", "FALSE", "off", "no", "0")],
        (True, True),
        (False, False),
    ],
)
def test_one_boolean_parser(text: object, value: bool) -> None:
    assert parse_bool(text) is value


@pytest.mark.parametrize("text", ["", "kanske", "2", "sant", "y", "n", "none"])
def test_anything_else_is_no_boolean(text: str) -> None:
    with pytest.raises(ValueError, match="ja eller nej"):
        parse_bool(text)


def test_values_are_typed_and_defaults_fill_the_rest() -> None:
    values = parse(
        "prov",
        SPEC,
        {
            "incremental": "off",
            "rows": "20",
            "timeout": "0.25",
            "schema": "V2",
            "include": "*.csv, *.xlsx,",
            "column.titel": "Rubrik",
            "column.datum": "Inkom",
        },
    )
    # The options of every kind come with their defaults, the kind's own typed as given.
    assert values == {
        **{option.name: option.default for option in COMMON_OPTIONS},
        "incremental": False,
        "rows": 20,
        "timeout": 0.25,
        "fq": None,
        "schema": "v2",
        "include": ["*.csv", "*.xlsx"],
        "column.*": {"titel": "Rubrik", "datum": "Inkom"},
    }
    assert (values["deletion_guard"], values["quality_drop"]) == (0.2, 20.0)
    assert values["contact_email"] is None and values["max_unchanged_days"] is None
    assert parse("prov", SPEC, {})["incremental"] is True
    # The options of every kind (engine, follow-up) are checked too.
    assert parse("prov", SPEC, {"deletion_guard": "0.5"})["deletion_guard"] == 0.5
    with pytest.raises(ConfigError, match="deletion_guard"):
        parse("prov", SPEC, {"deletion_guard": "1.5"})


def test_csw_incremental_off_is_off() -> None:
    # The old csw parser knew only false/0/no/nej: "off" meant incremental.
    csw = load("csw")
    assert (
        csw.Config.from_source("https://csw.exempel.se/csw", {"incremental": "off"}).incremental
        is False
    )
    assert (
        csw.Config.from_source("https://csw.exempel.se/csw", {"incremental": "nej"}).incremental
        is False
    )
    assert (
        csw.Config.from_source("https://csw.exempel.se/csw", {"incremental": "on"}).incremental
        is True
    )
    with pytest.raises(ConfigError, match="incremental"):
        csw.Config.from_source("https://csw.exempel.se/csw", {"incremental": "kanske"})


def test_an_unknown_option_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        parse("prov", SPEC, {"rader": "10"})
    message = str(caught.value)
    assert "Okänt alternativ 'rader' för källtypen prov" in message
    assert "Kända alternativ: incremental, rows, timeout, fq, schema, include, column.*" in message
    with pytest.raises(ConfigError, match=r"Okänt alternativ 'column\.'"):
        parse("prov", SPEC, {"column.": "x"})


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({"rows": "tio"}, "rows för källtypen prov ska vara ett heltal, inte 'tio'"),
        ({"rows": "1"}, "rows för källtypen prov ska vara ett heltal ≥ 2, inte '1'"),
        ({"rows": "1001"}, "ska vara ett heltal ≤ 1000"),
        ({"timeout": "snart"}, "timeout för källtypen prov ska vara ett tal"),
        ({"schema": "v4"}, "schema för källtypen prov ska vara en av v3 | v2, inte 'v4'"),
        ({"incremental": "kanske"}, "ska vara ja eller nej"),
    ],
)
def test_a_mistyped_option_is_refused_clearly(given: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse("prov", SPEC, given)
    assert says in str(caught.value)
    assert "Kända alternativ: incremental" in str(caught.value)


def test_an_option_spec_must_be_well_formed() -> None:
    with pytest.raises(ValueError):
        Option("x", "date")
    with pytest.raises(ValueError):
        Option("x", "str", choices=("a",))
    with pytest.raises(ValueError):
        Option("x", "choice")


def test_http_settings_come_from_the_shared_http_options() -> None:
    settings = HttpSettings.from_options({"retries": "5", "backoff": "0.5", "rows": "4"})
    assert (settings.retries, settings.backoff, settings.read_timeout) == (5, 0.5, 60.0)
    with pytest.raises(ConfigError, match="retries"):
        HttpSettings.from_options({"retries": "många"})
    assert {option.name for option in HTTP_OPTIONS} == set(HttpSettings.__dataclass_fields__)


@pytest.mark.parametrize("kind", sorted(available_kinds()))
def test_every_kind_declares_its_options(kind: str) -> None:
    spec = options_of(kind)
    assert spec, f"{kind} declares no OPTIONS"
    names = [option.name for option in spec]
    assert len(names) == len(set(names)), f"{kind} declares an option twice"
    assert all(option.help for option in spec), f"{kind} has an option without help"
    with pytest.raises(ConfigError, match="Okänt alternativ 'stavfel'"):
        load(kind).Config.from_source("https://exempel.se/x", {"stavfel": "1"})
