"""Connectors: one module per source kind, registered by name.

Built-in kinds are listed in ``BUILTIN``; other packages add kinds through the
``insyn.connectors`` entry-point group (name = kind, value = module path).
"""

from __future__ import annotations

import importlib
from typing import cast

from insyn.connectors.base import ConnectorModule
from insyn.connectors.options import Option, full_spec
from insyn.errors import ConfigError

BUILTIN: dict[str, str] = {
    "dcat": "insyn.connectors.dcat",
    "ckan": "insyn.connectors.ckan",
    "oaipmh": "insyn.connectors.oaipmh",
    "csw": "insyn.connectors.csw",
    "iso19139": "insyn.connectors.iso19139",
    "sql": "insyn.connectors.sql",
    "files": "insyn.connectors.files",
    "fgs": "insyn.connectors.fgs",
    "diarium-csv": "insyn.connectors.diarium_csv",
}


def available_kinds() -> dict[str, str]:
    """Return every known kind and the module that implements it."""
    from importlib.metadata import entry_points  # not at import: listing commands needs none

    kinds = dict(BUILTIN)
    for entry in entry_points(group="insyn.connectors"):
        kinds.setdefault(entry.name, entry.value)
    return kinds


def load(kind: str) -> ConnectorModule:
    """Return the connector module for a kind.

    Raises:
        ConfigError: no connector of that kind is installed.
    """
    kinds = available_kinds()
    if kind not in kinds:
        known = ", ".join(sorted(kinds))
        raise ConfigError(f"Okänd källtyp '{kind}'. Kända typer: {known}")
    return cast(ConnectorModule, importlib.import_module(kinds[kind]))


def options_of(kind: str) -> tuple[Option, ...] | None:
    """The typed options of a kind (its ``OPTIONS`` and the common ones); None for a kind
    that declares none.

    Raises:
        ConfigError: no connector of that kind is installed.
    """
    spec = getattr(load(kind), "OPTIONS", None)
    return None if spec is None else full_spec(spec)
