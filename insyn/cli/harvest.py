"""``insyn harvest`` and ``insyn runs``: harvest sources and show their runs."""

from __future__ import annotations

import contextlib
import json
import sys
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from insyn.errors import InsynError

if TYPE_CHECKING:
    from insyn.harvester.engine import RunSummary
    from insyn.search.early import EarlyIndex

from insyn.cli.context import Context, console, error_console, handle_errors, pass_context

# --- harvest -----------------------------------------------------------------------------


def progress_bar(*, quiet: bool) -> Progress:
    """The progress shown on the terminal during long runs (none with ``quiet``)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=error_console,
        transient=True,
        disable=quiet,
    )


def run_harvests(
    context: Context, names: list[str], *, quiet: bool, allow_deletions: bool, full: bool
) -> list[RunSummary]:
    """Harvest the sources one by one, each under the same claim the scheduler takes,
    so a source never runs twice at once, whoever starts it."""
    from insyn.harvester.engine import RunSummary, harvest_source
    from insyn.harvester.workers import Claims
    from insyn.search.early import start_early

    catalogue = context.catalogue
    claims = Claims(catalogue)
    claims.start_heartbeat()
    summaries = []
    try:
        with progress_bar(quiet=quiet) as progress:
            for name in names:
                handle = claims.claim_source(catalogue.get_source(name).id)
                if handle is None:
                    summaries.append(
                        RunSummary(
                            source=name,
                            status="failed",
                            error="Källan skördas just nu av en annan process; försök senare",
                        )
                    )
                    continue
                task = progress.add_task(f"Skördar {name}", total=None, counts="")
                early = start_early(context.indexer)
                try:
                    try:
                        summary = harvest_source(
                            catalogue,
                            name,
                            allow_deletions=allow_deletions,
                            full=full,
                            on_progress=lambda read, written, task=task: progress.update(
                                task, completed=read, counts=f"{read} lästa, {written} skrivna"
                            ),
                            worker=claims.holder,
                            before_commit=handle.fence,
                            on_written=early.written if early is not None else None,
                        )
                    finally:
                        claims.release(handle)
                    progress.refresh()  # the source's last counts are drawn before its bar goes
                    progress.remove_task(task)
                    if early is not None and summary.status == "completed":
                        finish_early(early, progress)
                finally:
                    if early is not None:
                        early.abort()  # after a finish: nothing left to abort
                summaries.append(summary)
    finally:
        claims.stop_heartbeat()
    return summaries


def finish_early(early: EarlyIndex, progress: Progress) -> None:
    """Commit the documents the harvest's worker built and the rest of the change log
    (``insyn.search.early``); on failure the catch-up after the harvests does it all."""
    if not early.active:
        return
    task = progress.add_task("Uppdaterar sökindexet", total=None, counts="")

    def indexed(done: int) -> None:
        progress.update(task, completed=done, counts=f"{done} indexerade")

    # On failure the catch-up after the harvests tries again, and reports what fails.
    with contextlib.suppress(InsynError):
        early.finish(on_progress=indexed)
    progress.refresh()
    progress.remove_task(task)


def summary_table(summaries: list[RunSummary]) -> Table:
    table = Table(
        "Källa", "Status", "Nya", "Ändrade", "Oförändrade", "Borttagna", "Fel", "Sekunder"
    )
    for summary in summaries:
        status = "[green]klar[/]" if summary.status == "completed" else "[red]misslyckad[/]"
        table.add_row(
            summary.source,
            status,
            str(summary.added),
            str(summary.updated),
            str(summary.unchanged),
            str(summary.deleted),
            str(summary.failed),
            f"{summary.seconds:.1f}",
        )
    return table


@click.command()
@click.argument("name", required=False)
@click.option("--all", "all_sources", is_flag=True, help="Skörda alla aktiva källor.")
@click.option("--json", "as_json", is_flag=True, help="Ett JSON-objekt per källa på stdout.")
@click.option(
    "--allow-deletions",
    is_flag=True,
    help="Bekräfta att många poster får tas bort (förbi raderingsspärren).",
)
@click.option(
    "--full",
    is_flag=True,
    help=(
        "Läs hela källan igen, även om den säger sig oförändrad. Det som Insyns egna "
        "kontrollsummor visar oförändrat (samma fil, samma post) tolkas inte om."
    ),
)
@pass_context
@handle_errors
def harvest(
    context: Context,
    name: str | None,
    all_sources: bool,
    as_json: bool,
    allow_deletions: bool,
    full: bool,
) -> None:
    """Skörda källan NAME, eller alla med --all."""
    if bool(name) == all_sources:
        raise click.UsageError("Ange en källa eller --all, inte båda.")
    catalogue = context.catalogue
    names = (
        [source.name for source in catalogue.sources() if source.enabled]
        if all_sources
        else [catalogue.get_source(name or "").name]
    )
    summaries = run_harvests(
        context, names, quiet=as_json, allow_deletions=allow_deletions, full=full
    )
    after_harvest(context, quiet=as_json)
    if as_json:
        for summary in summaries:
            click.echo(json.dumps(summary.as_json(), ensure_ascii=False))
    else:
        console.print(summary_table(summaries))
        for summary in summaries:
            if summary.error:
                error_console.print(f"[red]{summary.source}:[/] {summary.error}", highlight=False)
            for incident in summary.incidents:
                error_console.print(f"[yellow]Avvikelse:[/] {incident}", highlight=False)
    if any(summary.status != "completed" for summary in summaries):
        sys.exit(1)


def after_harvest(context: Context, *, quiet: bool = False) -> None:
    """Bring the search index up to date after a harvest.

    A search engine that is down must not fail the harvest: the catalogue has the data,
    and the next ``insyn index`` (or harvest) catches up from the change log.
    """
    try:
        indexer = context.indexer()
        with progress_bar(quiet=quiet) as progress:
            task = progress.add_task("Uppdaterar sökindexet", total=None, counts="")

            def indexed(done: int) -> None:
                progress.update(task, completed=done, counts=f"{done} indexerade")

            run = indexer.catch_up(on_progress=indexed)
            # A first catch-up rebuilds, and a rebuild reports whole batches only.
            indexed(run.upserted + run.deleted)
    except InsynError as exc:
        error_console.print(
            f"[yellow]Varning:[/] sökindexet kunde inte uppdateras: {exc}. "
            "Kör 'insyn index' när sökmotorn svarar.",
            highlight=False,
        )


@click.command()
@click.option("--source", help="Bara körningar för denna källa.")
@click.option("--limit", default=20, show_default=True, help="Antal körningar.")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def runs(context: Context, source: str | None, limit: int, as_json: bool) -> None:
    """Visa de senaste skördningarna med antal och fel."""
    catalogue = context.catalogue
    run_rows = catalogue.runs(source=source, limit=limit)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": run.id,
                        "source": run.source.name,
                        "status": run.status,
                        "started_at": run.started_at.isoformat(),
                        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                        "added": run.added,
                        "updated": run.updated,
                        "unchanged": run.unchanged,
                        "deleted": run.deleted,
                        "failed": run.failed,
                        "error": run.error,
                        "record_errors": [
                            {"key": e.record_key, "reason": e.reason, "severity": e.severity}
                            for e in catalogue.record_errors(run.id)
                        ],
                    }
                    for run in run_rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(
        "Nr",
        "Källa",
        "Start",
        "Status",
        "Nya",
        "Ändr.",
        "Oförändr.",
        "Borttagna",
        "Fel",
        "Felmeddelande",
    )
    for run in run_rows:
        table.add_row(
            str(run.id),
            run.source.name,
            run.started_at.strftime("%Y-%m-%d %H:%M"),
            run.status,
            str(run.added),
            str(run.updated),
            str(run.unchanged),
            str(run.deleted),
            str(run.failed),
            (run.error or "")[:80],
        )
    console.print(table)


COMMANDS: tuple[click.Command, ...] = (harvest, runs)
