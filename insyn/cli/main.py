"""The ``insyn`` command line.

The forms below are a contract that scripts rely on; keep them exactly:

    insyn --home DIR …            (or INSYN_HOME; default ./insyn-data)
    insyn --database-url URL …    (or INSYN_DATABASE_URL; PostgreSQL instead of SQLite)
    insyn sources add NAME --kind KIND --url URL_OR_PATH [--option key=value …]
    insyn sources list [--json]
    insyn harvest NAME|--all [--json]      exit 0 only when every run completed
    insyn show RECORD_ID [--json]
    insyn export --format turtle|xml|jsonld [--output FILE]
    insyn validate FILE [--shapes FILE]    exit 0 conforms, 1 violations, 2 unreadable
    insyn organisations list [--json]
    insyn organisations type NAME|IRI ADMS_TYPE|--clear [--json]

Errors are one clear line and a non-zero exit, never a traceback, unless ``--debug``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from insyn.settings import load_settings

if TYPE_CHECKING:
    pass

from insyn.cli import (
    accounts,
    followup,
    harvest,
    operations,
    organisations,
    records,
    search,
    sources,
    web,
)
from insyn.cli.context import Context, console, handle_errors, pass_context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="INSYN_HOME",
    help="Datakatalog (SQLite-fil och sökindex). Standard: ./insyn-data",
)
@click.option(
    "--database-url", envvar="INSYN_DATABASE_URL", help="PostgreSQL-URL i stället för SQLite."
)
@click.option("--debug", is_flag=True, help="Visa hela felspårningen vid fel.")
@click.version_option(package_name="insyn")
@click.pass_context
def main(ctx: click.Context, home: Path | None, database_url: str | None, debug: bool) -> None:
    """Insyn – metadatakatalog och skördare för kommunens information."""
    ctx.obj = Context(load_settings(home=home, database_url=database_url), debug)


@main.command()
@pass_context
@handle_errors
def init(context: Context) -> None:
    """Skapa datakatalogen och databasen (går att köra flera gånger)."""
    catalogue = context.catalogue
    where = context.settings.database_url or context.settings.home
    console.print(f"Katalogen är klar i {where} ({catalogue.dialect}).")


# Each command group's module lists its commands; none imports ``main`` back.
for _module in (
    sources,
    harvest,
    search,
    records,
    web,
    accounts,
    followup,
    operations,
    organisations,
):
    for _command in _module.COMMANDS:
        main.add_command(_command)
