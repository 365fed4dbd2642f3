"""Operations commands: ``insyn scheduler``, ``insyn sources schedule``, backup, restore.

insyn scheduler [--workers N] [--no-index] [--log-format plain|json]
insyn sources schedule [NAME [SCHEDULE]] [--clear] [--json]
insyn backup FILE
insyn restore FILE          checked first, swapped in only when whole, then reindex
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

import click
from rich.table import Table

from insyn.cli.context import Context, console, error_console, handle_errors, pass_context
from insyn.cli.harvest import after_harvest
from insyn.cli.sources import sources
from insyn.errors import NotFoundError
from insyn.settings import LOG_FORMATS

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@click.command()
@click.option("--workers", default=4, show_default=True, help="Samtidiga skördningar.")
@click.option(
    "--misfire-grace",
    default=24 * 3600,
    show_default=True,
    help="Sekunder en missad körning får vara försenad och ändå köras (en gång).",
)
@click.option("--lease", default=60.0, show_default=True, help="Anspråkens giltighet (s).")
@click.option(
    "--shutdown-timeout",
    default=300.0,
    show_default=True,
    help="Vid SIGTERM: sekunder pågående körningar får avslutas innan de avbryts.",
)
@click.option("--no-index", is_flag=True, help="Uppdatera inte sökindexet efter skördning.")
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    envvar="INSYN_LOG_FORMAT",
    help="Loggformat: plain eller json (eller INSYN_LOG_FORMAT).",
)
@pass_context
@handle_errors
def scheduler(
    context: Context,
    workers: int,
    misfire_grace: int,
    lease: float,
    shutdown_timeout: float,
    no_index: bool,
    log_format: str | None,
) -> None:
    """Kör schemalagda skördningar i förgrunden (avsluta med SIGTERM eller Ctrl+C).

    Flera processer mot samma PostgreSQL delar på källorna; en källa skördas aldrig
    av två samtidigt. Vid SIGTERM får pågående körningar avslutas; en andra signal
    (eller --shutdown-timeout) avbryter dem, och inget av en avbruten körning sparas.
    """
    from insyn.harvester.scheduler import HarvestScheduler, run_forever
    from insyn.web.observability import configure_logging

    configure_logging(log_format)
    catalogue = context.catalogue
    service = HarvestScheduler(
        catalogue,
        after_harvest=None if no_index else (lambda: after_harvest(context, quiet=True)),
        workers=workers,
        misfire_grace=misfire_grace,
        lease_seconds=lease,
    )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():  # the second signal: interrupt the runs in progress
            service.stop_event.set()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    error_console.print(
        f"Schemaläggaren {service.holder} körs (avsluta med Ctrl+C eller SIGTERM).",
        highlight=False,
    )
    run_forever(service, stop, shutdown_timeout)


def _next_runs(context: Context) -> dict[int, tuple[datetime | None, bool]]:
    """Next run per source id: from the job store, else computed from the schedule."""
    from sqlalchemy import select

    from insyn.catalogue.operations import SchedulerJob
    from insyn.harvester.scheduler import job_id, parse_schedule

    catalogue = context.catalogue
    with catalogue.session() as session:
        stored = {row.id: row.next_run_time for row in session.scalars(select(SchedulerJob))}
    out: dict[int, tuple[datetime | None, bool]] = {}
    now = datetime.now(UTC)
    for source in catalogue.sources():
        if not (source.enabled and source.schedule):
            continue
        timestamp = stored.get(job_id(source.id))
        if timestamp is not None:
            out[source.id] = (datetime.fromtimestamp(timestamp, UTC), True)
            continue
        try:
            trigger = parse_schedule(source.schedule)
        except Exception:
            out[source.id] = (None, False)
            continue
        out[source.id] = (trigger.get_next_fire_time(None, now), False)
    return out


@sources.command("schedule")
@click.argument("name", required=False)
@click.argument("schedule", required=False)
@click.option("--clear", is_flag=True, help="Ta bort källans schema.")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def sources_schedule(
    context: Context, name: str | None, schedule: str | None, clear: bool, as_json: bool
) -> None:
    """Visa nästa körning per källa, eller sätt källan NAMEs schema.

    SCHEDULE är ett cron-uttryck i svensk tid ("0 3 * * *") eller ett intervall
    ("every 15m", "every 6h", "every 1d").
    """
    from sqlalchemy import select

    from insyn.catalogue.models import Source
    from insyn.harvester.scheduler import parse_schedule

    catalogue = context.catalogue
    if schedule or clear:
        if not name:
            raise click.UsageError("Ange källans namn.")
        if schedule:
            parse_schedule(schedule)  # refuse a bad schedule now
        with catalogue.session() as session:
            source = session.scalar(select(Source).where(Source.name == name))
            if source is None:
                raise NotFoundError(f"Det finns ingen källa som heter '{name}'", source=name)
            source.schedule = None if clear else schedule.strip() if schedule else None
            session.commit()
        console.print(
            f"Källan '{name}' har nu schemat '{schedule}'."
            if schedule
            else f"Källan '{name}' har inget schema längre.",
            highlight=False,
        )
        return
    next_runs = _next_runs(context)
    rows = []
    for source in catalogue.sources():
        if name and source.name != name:
            continue
        when, stored = next_runs.get(source.id, (None, False))
        rows.append(
            {
                "name": source.name,
                "schedule": source.schedule,
                "enabled": source.enabled,
                "next_run": when.isoformat() if when else None,
                "next_run_from": "job_store" if stored else "schedule" if when else None,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("Källa", "Schema", "Nästa körning (svensk tid)")
    for row in rows:
        when = row["next_run"]
        shown = (
            datetime.fromisoformat(when).astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")
            if when
            else "–"
        )
        if when and row["next_run_from"] == "schedule":
            shown += " (ingen schemaläggare har tagit jobbet ännu)"
        table.add_row(row["name"], row["schedule"] or "–", shown)
    console.print(table)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
@handle_errors
def backup(context: Context, file: Path) -> None:
    """Skriv en konsekvent säkerhetskopia av katalogen till FILE (även under skördning)."""
    from insyn.harvester.backup import backup as make_backup

    context.catalogue  # noqa: B018 (the database must exist and be migrated)
    result = make_backup(context.settings.catalogue_url, file)
    console.print(
        f"Säkerhetskopian ({result.kind}, {result.bytes:,} byte) är skriven till {file}.",
        highlight=False,
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-index", is_flag=True, help="Bygg inte om sökindexet efteråt.")
@pass_context
@handle_errors
def restore(context: Context, file: Path, no_index: bool) -> None:
    """Återställ säkerhetskopian FILE och bygg om sökindexet.

    Filen kontrolleras först: den måste vara hel och en säkerhetskopia av en Insyn-katalog
    med en känd schemaversion, annars avbryts återställningen och inget ändras. SQLite
    återställs till en tom datakatalog. PostgreSQL återställs till en tom databas, eller
    över katalogen i drift: först på en ny plats, och den byts in i en enda transaktion
    först när den är hel; den tidigare katalogen finns kvar i ett eget schema.
    """
    from insyn.harvester.backup import restore as restore_backup

    settings = context.settings
    restored = restore_backup(file, settings.home, settings.database_url)
    console.print(f"Katalogen är återställd i {settings.database_url or settings.home}.")
    if restored.previous_schema:
        console.print(
            f"Den tidigare katalogen finns kvar i schemat {restored.previous_schema}; "
            f"ta bort det med DROP SCHEMA {restored.previous_schema} CASCADE när allt är väl.",
            highlight=False,
        )
    if not no_index:
        run = context.indexer().rebuild()
        console.print(f"Sökindexet är ombyggt: {run.upserted} poster.")


COMMANDS: tuple[click.Command, ...] = (scheduler, backup, restore)
