"""``insyn organisations``: the organisations in the catalogue, and the ADMS type an
administrator states for one (``insyn.catalogue.organisations``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click
from rich.table import Table

from insyn.cli.context import Context, console, handle_errors, pass_context
from insyn.errors import ConfigError

if TYPE_CHECKING:
    from insyn.catalogue.models import Organisation


def organisation_json(organisation: Organisation) -> dict[str, str | None]:
    return {
        "name": organisation.name_sv,
        "uri": organisation.uri,
        "source_type": organisation.org_type,
        "stated_type": organisation.stated_type,
    }


@click.group()
def organisations() -> None:
    """Visa organisationer och ange deras utgivartyp."""


@organisations.command("list")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def organisations_list(context: Context, as_json: bool) -> None:
    """Visa katalogens organisationer med källornas och administratörens utgivartyp."""
    rows = [organisation_json(o) for o in context.catalogue.organisations()]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("Namn", "Adress", "Typ enligt källan", "Angiven typ")
    for row in rows:
        table.add_row(*(row[key] or "–" for key in row))
    console.print(table)


@organisations.command("type")
@click.argument("name")
@click.argument("publisher_type", required=False)
@click.option("--clear", is_flag=True, help="Ta bort den angivna typen.")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def organisations_type(
    context: Context, name: str, publisher_type: str | None, clear: bool, as_json: bool
) -> None:
    """Ange utgivartypen (ADMS, t.ex. NationalAuthority) för organisationen NAME (namn
    eller adress).

    Exporten använder den för utgivare och upphovsmän som källan inte gett någon
    ADMS-typ; en typ som källan anger ändras inte.
    """
    from insyn.catalogue import organisations as stated

    if bool(publisher_type) == clear:
        raise ConfigError("Ange antingen en utgivartyp eller --clear.")
    organisation = stated.state_type(context.catalogue, name, None if clear else publisher_type)
    if as_json:
        click.echo(json.dumps(organisation_json(organisation), ensure_ascii=False, indent=2))
    elif clear:
        console.print(f"Organisationen '{organisation.name_sv}' har ingen angiven typ längre.")
    else:
        console.print(
            f"Organisationen '{organisation.name_sv}' har typen {organisation.stated_type}."
        )


COMMANDS: tuple[click.Command, ...] = (organisations,)
