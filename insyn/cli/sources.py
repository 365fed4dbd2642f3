"""``insyn sources``: add, list and remove the sources to harvest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from insyn import connectors
from insyn.connectors import options as typed_options

if TYPE_CHECKING:
    pass

from insyn.cli.context import Context, console, handle_errors, pass_context

# --- sources -----------------------------------------------------------------------------


@click.group()
def sources() -> None:
    """Hantera källor att skörda."""


def parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"'{pair}' ska skrivas nyckel=värde", param_hint="--option")
        key, value = pair.split("=", 1)
        options[key.strip()] = value.strip()
    return options


@sources.command("add")
@click.argument("name")
@click.option("--kind", required=True, help="Källtyp, t.ex. dcat.")
@click.option("--url", help="Webbadress eller sökväg till källan.")
@click.option("--option", "option_pairs", multiple=True, metavar="KEY=VALUE", help="Inställning.")
@click.option("--schedule", help="Schema (cron-uttryck), t.ex. '0 3 * * *'.")
@pass_context
@handle_errors
def sources_add(
    context: Context,
    name: str,
    kind: str,
    url: str | None,
    option_pairs: tuple[str, ...],
    schedule: str | None,
) -> None:
    """Lägg till källan NAME."""
    options = parse_options(option_pairs)
    connector = connectors.load(kind)
    # Check the options and build the config now, so a bad one is refused here, not at 3 a.m.
    spec = connectors.options_of(kind)
    if spec is not None:
        typed_options.parse(kind, spec, options)
    connector.Config.from_source(url, options)
    if url and "://" not in url:
        url = str(Path(url).resolve())
    context.catalogue.add_source(name, kind, url, options, schedule)
    console.print(f"Källan '{name}' ({kind}) är tillagd.")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def sources_list(context: Context, as_json: bool) -> None:
    """Visa alla källor."""
    catalogue = context.catalogue
    rows = []
    for source in catalogue.sources():
        last = catalogue.last_completed_run(source.id)
        rows.append(
            {
                "name": source.name,
                "kind": source.kind,
                "url": source.url,
                "options": source.options,
                "schedule": source.schedule,
                "enabled": source.enabled,
                "last_harvest": last.finished_at.isoformat() if last and last.finished_at else None,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("Namn", "Typ", "Adress", "Schema", "Senast skördad")
    for row in rows:
        table.add_row(
            row["name"],
            row["kind"],
            row["url"] or "",
            row["schedule"] or "",
            row["last_harvest"] or "–",
        )
    console.print(table)


@sources.command("remove")
@click.argument("name")
@pass_context
@handle_errors
def sources_remove(context: Context, name: str) -> None:
    """Ta bort källan NAME (dess poster markeras som borttagna, med härkomst kvar)."""
    context.catalogue.remove_source(name)
    console.print(f"Källan '{name}' är borttagen.")


@sources.command("kinds")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@handle_errors
def sources_kinds(as_json: bool) -> None:
    """Visa källtyperna och deras inställningar (namn, typ, standardvärde, förklaring)."""
    kinds = [
        {
            "kind": kind,
            "options": [option.describe() for option in connectors.options_of(kind) or ()],
        }
        for kind in sorted(connectors.available_kinds())
    ]
    if as_json:
        click.echo(json.dumps(kinds, ensure_ascii=False, indent=2))
        return
    for entry in kinds:
        table = Table("Inställning", "Typ", "Standard", "Förklaring", title=entry["kind"])
        for option in entry["options"]:
            kind = option["type"]
            if option.get("choices"):
                kind = " | ".join(option["choices"])
            default = option["default"]
            table.add_row(
                option["name"], kind, "–" if default is None else str(default), option["help"]
            )
        console.print(table)


COMMANDS: tuple[click.Command, ...] = (sources,)
