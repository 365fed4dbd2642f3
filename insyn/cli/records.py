"""``insyn show``, ``insyn export`` and ``insyn validate``: records and files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from insyn.errors import VocabError

if TYPE_CHECKING:
    from insyn.catalogue.store import Catalogue

from insyn.cli.context import Context, console, error_console, fail, handle_errors, pass_context

EXPORT_FORMATS = {"turtle": "turtle", "xml": "pretty-xml", "jsonld": "json-ld"}
# --- records -----------------------------------------------------------------------------


def record_json(catalogue: Catalogue, record_id: str) -> dict[str, Any]:
    row = catalogue.get_record_row(record_id)
    return {
        "id": row.id,
        "uri": row.uri,
        "kind": row.kind,
        "title": row.title,
        "record": row.data,
        "governance": {
            **row.data.get("governance", {}),
            "is_public": row.is_public,
            "information_owner_name": row.owner.name_sv if row.owner else None,
        },
        "publisher": row.publisher.name_sv if row.publisher else None,
        "provenance": {
            "source": row.source.name,
            "source_kind": row.source.kind,
            "source_key": row.source_key,
            "first_seen": row.first_seen.isoformat(),
            "last_changed": row.last_changed.isoformat(),
            "first_run": row.first_run_id,
            "changed_by_run": row.changed_by_run_id,
            "deleted_at": row.deleted_at.isoformat() if row.deleted_at else None,
            "fields": row.field_provenance,
        },
    }


@click.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def show(context: Context, record_id: str, as_json: bool) -> None:
    """Visa en post (Insyns id eller datamängdens URI) med styrning och härkomst."""
    data = record_json(context.catalogue, record_id)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{data['title']}[/]  ({data['kind']}, id {data['id']})", highlight=False)
    table = Table("Fält", "Värde", show_header=False)
    for key, value in data["record"].items():
        if value in (None, "", [], {}):
            continue
        table.add_row(
            key, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        )
    console.print(table)
    console.print("[bold]Styrning[/]")
    for key, value in data["governance"].items():
        console.print(f"  {key}: {value}", highlight=False)
    console.print("[bold]Härkomst[/]")
    for key, value in data["provenance"].items():
        if key != "fields":
            console.print(f"  {key}: {value}", highlight=False)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(EXPORT_FORMATS)),
    default="turtle",
    show_default=True,
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fil (annars stdout)."
)
@pass_context
@handle_errors
def export(context: Context, fmt: str, output: Path | None) -> None:
    """Exportera katalogens offentliga del som DCAT-AP-SE (exporten loggas i granskningsloggen)."""
    import getpass

    from insyn.catalogue import audit
    from insyn.catalogue.export import public_catalogue_graph

    settings = context.settings
    graph = public_catalogue_graph(
        context.catalogue, settings.exported_catalog_uri, settings.base_url
    )
    data = graph.serialize(format=EXPORT_FORMATS[fmt], encoding="utf-8")
    if output:
        output.write_bytes(data)
        error_console.print(f"Skrev {len(graph)} tripplar till {output}.")
    else:
        sys.stdout.buffer.write(data)
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        who = "okänd"
    audit.record(
        context.catalogue,
        actor=who,
        role="admin",
        action=audit.EXPORT,
        details={
            "what": "catalogue",
            "format": fmt,
            "file": str(output) if output else "-",
            "triples": len(graph),
        },
        client_address="cli",
    )


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    "shapes_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="SHACL-fil (standard: DCAT-AP 3.0.1 och DCAT-AP-SE 3.0.1).",
)
@pass_context
def validate(context: Context, file: Path, shapes_files: tuple[Path, ...]) -> None:
    """Validera en DCAT-fil mot SHACL-formerna. Slutstatus 0 = giltig, 1 = fel, 2 = oläsbar."""
    from insyn.vocab import shacl

    try:
        graph = shacl.load_rdf_file(file)
    except (VocabError, OSError) as exc:
        if context.debug:
            raise
        fail(f"Kunde inte läsa {file}: {exc}", code=2)
    report = shacl.validate(graph, list(shapes_files) or None)
    click.echo(report.format_text())
    sys.exit(0 if report.conforms else 1)


COMMANDS: tuple[click.Command, ...] = (show, export, validate)
