"""``insyn index`` and ``insyn search``: the search index from the command line."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    pass

from insyn.cli.context import Context, console, error_console, handle_errors, pass_context
from insyn.errors import ConfigError
from insyn.settings import value

# --- search ------------------------------------------------------------------------------


def yield_to_searches() -> None:
    """Lower this process's CPU priority by ``INSYN_INDEX_NICE``: indexing runs in the
    background, searches on the same cores are what a person waits for. Called first,
    so that tantivy's threads and the document workers inherit it.

    Raises:
        ConfigError: the setting is not a whole number from 0 to 19.
    """
    text = value("index_nice") or "0"
    try:
        step = int(text)
    except ValueError:
        step = -1
    if not 0 <= step <= 19:
        raise ConfigError(f"INSYN_INDEX_NICE måste vara ett heltal 0–19, inte {text!r}")
    if step and hasattr(os, "nice"):
        os.nice(step)


@click.command()
@click.option(
    "--rebuild", is_flag=True, help="Bygg om hela indexet (byts atomiskt när det är klart)."
)
@pass_context
@handle_errors
def index(context: Context, rebuild: bool) -> None:
    """Uppdatera sökindexet från katalogens ändringslogg."""
    yield_to_searches()
    indexer = context.indexer()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]Indexerar"),
        TextColumn("{task.completed} poster"),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
    ) as progress:
        task = progress.add_task("index", total=None)

        def update(done: int) -> None:
            progress.update(task, completed=done)

        run = indexer.rebuild(update) if rebuild else indexer.catch_up(update)
    if run.rebuilt:
        console.print(f"Indexet är ombyggt: {run.upserted} poster.")
    else:
        console.print(
            f"Indexet är i fas: {run.upserted} uppdaterade, {run.deleted} borttagna "
            f"(ändringslogg till nr {run.position})."
        )


@click.command()
@click.argument("query", default="")
@click.option("--facets", "show_facets", is_flag=True, help="Visa facetter.")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@click.option(
    "--all", "all_records", is_flag=True, help="Operatörsvy: även icke-offentliga poster."
)
@click.option("--page", default=1, show_default=True, help="Sida.")
@click.option("--size", "page_size", default=20, show_default=True, help="Träffar per sida.")
@pass_context
@handle_errors
def search(
    context: Context,
    query: str,
    show_facets: bool,
    as_json: bool,
    all_records: bool,
    page: int,
    page_size: int,
) -> None:
    """Sök i katalogen som allmänheten ser den (med --all: allt)."""
    from insyn.search.backends.base import FACETS, SearchRequest

    indexer = context.indexer()
    indexer.catch_up()
    request = SearchRequest(
        query=query,
        facets=FACETS if (show_facets or as_json) else (),
        page=page,
        page_size=page_size,
        public_only=not all_records,
    )
    result = indexer.backend.search(request)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "total": result.total,
                    "hits": [
                        {
                            "id": hit.id,
                            "title": hit.title,
                            "score": hit.score,
                            "kind": hit.kind,
                            "snippets": hit.snippets,
                        }
                        for hit in result.hits
                    ],
                    "facets": {
                        name: [{"value": value, "count": count} for value, count in values]
                        for name, values in result.facets.items()
                    },
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console.print(f"{result.total} träffar ({result.took_ms:.0f} ms)")
    for number, hit in enumerate(result.hits, start=result.page_size * (result.page - 1) + 1):
        console.print(
            f"{number:>3}. [bold]{hit.title}[/]  [dim]{hit.kind} {hit.id}[/]", highlight=False
        )
    if show_facets:
        for name, values in result.facets.items():
            if values:
                shown = ", ".join(f"{value} ({count})" for value, count in values[:8])
                console.print(f"[bold]{name}:[/] {shown}", highlight=False)


COMMANDS: tuple[click.Command, ...] = (index, search)
