"""``insyn serve`` and ``insyn demo``: the web catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from insyn.cli.context import Context, console, fail, handle_errors, pass_context
from insyn.cli.harvest import after_harvest, run_harvests, summary_table

# --- serving and the demo ------------------------------------------------------------


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=8080, show_default=True, help="Port att lyssna på.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Antal serverprocesser (standard: INSYN_WEB_WORKERS, annars 1).",
)
@pass_context
@handle_errors
def serve(context: Context, host: str, port: int, workers: int | None) -> None:
    """Starta webbgränssnittet, API:t och DCAT-AP-SE-flödena."""
    from insyn.web.config import load_web_config
    from insyn.web.server import serve as serve_web

    chosen = workers or load_web_config().web_workers
    context.catalogue  # noqa: B018 (creates and migrates the database before serving)
    console.print(
        f"Insyn svarar på http://{host}:{port}/ med {chosen} "
        f"{'process' if chosen == 1 else 'processer'}  (avsluta med Ctrl+C)"
    )
    serve_web(context.settings, host=host, port=port, workers=chosen)


DEMO_SOURCE = "exempelby"
# The demo's diarium (FGS Ärendehantering XML): cases and documents for the registrar's desk.
DEMO_DIARIUM = "exempelby-diarium"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på.")
@click.option("--port", default=8080, show_default=True, help="Port att lyssna på.")
@click.option("--no-serve", is_flag=True, help="Skörda exempeldata men starta ingen webbserver.")
@pass_context
@handle_errors
def demo(context: Context, host: str, port: int, no_serve: bool) -> None:
    """Skörda den medföljande exempelkatalogen och starta webbgränssnittet."""
    from importlib import resources

    catalogue = context.catalogue
    data = resources.files("insyn.demo").joinpath("data")
    demo_sources = {
        DEMO_SOURCE: ("dcat", data.joinpath("exempelby-katalog.ttl")),
        DEMO_DIARIUM: ("fgs", data.joinpath("exempelby-diarium.xml")),
    }
    present = {source.name for source in catalogue.sources()}
    for name, (kind, path) in demo_sources.items():
        if name not in present:
            catalogue.add_source(name, kind, str(path), {})
    summaries = run_harvests(
        context, list(demo_sources), quiet=False, allow_deletions=False, full=False
    )
    after_harvest(context)
    console.print(summary_table(summaries))
    failed = [summary for summary in summaries if summary.status != "completed"]
    if failed:
        fail(failed[0].error or "Skördningen av exempeldata misslyckades")
    console.print(
        "\nRegistratorns arbetsyta (/registrator) kräver ett personalkonto. Skapa ett så här"
        " (du får välja lösenord):\n"
        f"  insyn --home {context.settings.home} users add registrator --role registrar\n"
        "Logga sedan in på /logga-in. En informationsägare får --role owner, en"
        " administratör --role admin.",
        highlight=False,
        soft_wrap=True,  # the command stays on one line, to copy
    )
    if not no_serve:
        click.get_current_context().invoke(serve, host=host, port=port)


COMMANDS: tuple[click.Command, ...] = (serve, demo)
