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

Errors are one clear line and a non-zero exit, never a traceback, unless ``--debug``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from insyn import connectors
from insyn.catalogue.store import Catalogue
from insyn.errors import InsynError, VocabError
from insyn.harvester.engine import RunSummary, harvest_source
from insyn.settings import Settings, load_settings

if TYPE_CHECKING:
    from insyn.search.indexer import Indexer

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
error_console = Console(stderr=True)

EXPORT_FORMATS = {"turtle": "turtle", "xml": "pretty-xml", "jsonld": "json-ld"}


class Context:
    def __init__(self, settings: Settings, debug: bool) -> None:
        self.settings = settings
        self.debug = debug
        self._catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            if not self.settings.database_url:
                self.settings.home.mkdir(parents=True, exist_ok=True)
            self._catalogue = Catalogue(self.settings.catalogue_url)
        return self._catalogue

    def indexer(self) -> Indexer:
        from insyn.search.indexer import Indexer, open_backend

        return Indexer(self.catalogue, open_backend(self.settings))


pass_context = click.make_pass_decorator(Context)


def fail(message: str, code: int = 1) -> None:
    error_console.print(f"[bold red]Fel:[/] {message}", highlight=False)
    sys.exit(code)


def handle_errors(function: F) -> F:
    """Turn Insyn's errors into one line and exit 1 (a traceback only with --debug)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        context = click.get_current_context().find_object(Context)
        try:
            return function(*args, **kwargs)
        except InsynError as exc:
            if context and context.debug:
                raise
            fail(str(exc))
        except OSError as exc:
            if context and context.debug:
                raise
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "))
        except Exception as exc:
            if context and context.debug:
                raise
            fail(f"Oväntat fel ({type(exc).__name__}): {exc}. Kör med --debug för detaljer.")

    return wrapper  # type: ignore[return-value]


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


# --- sources -----------------------------------------------------------------------------


@main.group()
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
    # Build the config now so a bad option is refused here, not at 3 a.m.
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


# --- harvest -----------------------------------------------------------------------------


def run_harvests(
    context: Context, names: list[str], *, quiet: bool, allow_deletions: bool, full: bool
) -> list[RunSummary]:
    """Harvest the sources one by one, each under the same claim the scheduler takes,
    so a source never runs twice at once, whoever starts it."""
    from insyn.harvester.workers import Claims

    catalogue = context.catalogue
    claims = Claims(catalogue)
    claims.start_heartbeat()
    summaries = []
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=None),
            TextColumn("{task.completed} poster"),
            TimeElapsedColumn(),
            console=error_console,
            transient=True,
            disable=quiet,
        ) as progress:
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
                task = progress.add_task(f"Skördar {name}", total=None)
                try:
                    summary = harvest_source(
                        catalogue,
                        name,
                        allow_deletions=allow_deletions,
                        full=full,
                        on_progress=lambda done, task=task: progress.update(task, completed=done),
                        worker=claims.holder,
                        before_commit=handle.fence,
                    )
                finally:
                    claims.release(handle)
                progress.remove_task(task)
                summaries.append(summary)
    finally:
        claims.stop_heartbeat()
    return summaries


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


@main.command()
@click.argument("name", required=False)
@click.option("--all", "all_sources", is_flag=True, help="Skörda alla aktiva källor.")
@click.option("--json", "as_json", is_flag=True, help="Ett JSON-objekt per källa på stdout.")
@click.option(
    "--allow-deletions",
    is_flag=True,
    help="Bekräfta att många poster får tas bort (förbi raderingsspärren).",
)
@click.option(
    "--full", is_flag=True, help="Läs hela källan igen, även om den säger sig oförändrad."
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
    after_harvest(context)
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


def after_harvest(context: Context) -> None:
    """Bring the search index up to date after a harvest.

    A search engine that is down must not fail the harvest: the catalogue has the data,
    and the next ``insyn index`` (or harvest) catches up from the change log.
    """
    try:
        indexer = context.indexer()
        indexer.catch_up()
    except InsynError as exc:
        error_console.print(
            f"[yellow]Varning:[/] sökindexet kunde inte uppdateras: {exc}. "
            "Kör 'insyn index' när sökmotorn svarar.",
            highlight=False,
        )


@main.command()
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


# --- search ------------------------------------------------------------------------------


@main.command()
@click.option(
    "--rebuild", is_flag=True, help="Bygg om hela indexet (byts atomiskt när det är klart)."
)
@pass_context
@handle_errors
def index(context: Context, rebuild: bool) -> None:
    """Uppdatera sökindexet från katalogens ändringslogg."""
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


@main.command()
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


@main.command()
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


@main.command()
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


@main.command()
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


# --- serving and the demo ------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=8080, show_default=True, help="Port att lyssna på.")
@pass_context
@handle_errors
def serve(context: Context, host: str, port: int) -> None:
    """Starta webbgränssnittet, API:t och DCAT-AP-SE-flödena."""
    from insyn.search.web.server import serve as serve_web

    context.catalogue  # noqa: B018 (creates and migrates the database before serving)
    console.print(f"Insyn svarar på http://{host}:{port}/  (avsluta med Ctrl+C)")
    serve_web(context.settings, host=host, port=port)


DEMO_SOURCE = "exempelby"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=8080, show_default=True, help="Port att lyssna på.")
@click.option("--no-serve", is_flag=True, help="Skörda exempeldata men starta ingen webbserver.")
@pass_context
@handle_errors
def demo(context: Context, host: str, port: int, no_serve: bool) -> None:
    """Skörda den medföljande exempelkatalogen och starta webbgränssnittet."""
    from importlib import resources

    catalogue = context.catalogue
    sample = resources.files("insyn.demo").joinpath("data", "exempelby-katalog.ttl")
    if DEMO_SOURCE not in {source.name for source in catalogue.sources()}:
        catalogue.add_source(DEMO_SOURCE, "dcat", str(sample), {})
    summaries = run_harvests(context, [DEMO_SOURCE], quiet=False, allow_deletions=False, full=False)
    after_harvest(context)
    console.print(summary_table(summaries))
    if any(summary.status != "completed" for summary in summaries):
        fail(summaries[0].error or "Skördningen av exempeldata misslyckades")
    if not no_serve:
        click.get_current_context().invoke(serve, host=host, port=port)


# Commands of other rooms register themselves on ``main`` when imported here.
from insyn.harvester import commands  # noqa: E402,F401
