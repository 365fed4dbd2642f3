"""Follow-up commands: the plan, classification, quality, incidents and the report.

insyn plan import FILE [--name NAME]     read a CSV/XLSX plan and apply it
insyn plan apply                         apply the stored plan to every live record
insyn classify RECORD [--k N] [--r N] [--t N] --by NAME [--comment TEXT]
insyn quality [--json]                   MQA score per owner and per source
insyn incidents list [--status S] [--json]
insyn incidents ack ID --by NAME [--comment TEXT]
insyn incidents resolve ID --by NAME [--comment TEXT]
insyn report --owner NAME --period YEAR --format html|pdf --output FILE
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from insyn.catalogue import choices
from insyn.cli.context import Context, console, handle_errors, pass_context

if TYPE_CHECKING:
    from insyn import followup
    from insyn.vocab import quality


def _who(by: str | None) -> str:
    return by or getpass.getuser()


@click.group()
def plan() -> None:
    """Informationshanteringsplanen: importera och tillämpa."""


@plan.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=choices.DEFAULT_PLAN, show_default=True, help="Planens namn.")
@pass_context
@handle_errors
def plan_import(context: Context, file: Path, name: str) -> None:
    """Läs en plan (CSV eller XLSX) och tillämpa den på katalogens poster."""
    from insyn import followup
    from insyn.vocab.plan import read_plan

    rules = read_plan(file)
    count = followup.import_plan(context.catalogue, rules, name)
    result = _apply(context)
    console.print(
        f"Importerade {count} regler ur {file.name}. {result.changed} av {result.records} "
        f"poster fick {result.fields} värden ur planen."
    )


def _apply(context: Context) -> followup.ApplyResult:
    from insyn import followup

    with context.catalogue.session() as session:
        result = followup.apply_plan(session)
        session.commit()
    return result


@plan.command("apply")
@pass_context
@handle_errors
def plan_apply(context: Context) -> None:
    """Tillämpa den lagrade planen på alla poster (där källan inte säger något)."""
    result = _apply(context)
    console.print(
        f"{result.changed} av {result.records} poster fick {result.fields} värden ur planen."
    )


@click.command()
@click.argument("record_id")
@click.option("--k", "k", type=click.IntRange(0, 3), help="Konfidentialitet 0–3.")
@click.option("--r", "r", type=click.IntRange(0, 3), help="Riktighet 0–3.")
@click.option("--t", "t", type=click.IntRange(0, 3), help="Tillgänglighet 0–3.")
@click.option("--by", help="Vem som klassar (standard: inloggad användare).")
@click.option("--comment", help="Motivering.")
@pass_context
@handle_errors
def classify(
    context: Context,
    record_id: str,
    k: int | None,
    r: int | None,
    t: int | None,
    by: str | None,
    comment: str | None,
) -> None:
    """Informationsklassa en post (K/R/T); sparas med vem och när."""
    from insyn import followup

    change = followup.classify(
        context.catalogue,
        record_id,
        by=_who(by),
        confidentiality=k,
        integrity=r,
        availability=t,
        comment=comment,
    )
    console.print(
        f"Posten är klassad K{change.confidentiality} R{change.integrity} "
        f"T{change.availability} av {change.set_by}.",
        highlight=False,
    )


@click.command("quality")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@click.option("--top", default=3, show_default=True, help="Antal saknade punkter per rad.")
@pass_context
@handle_errors
def quality_command(context: Context, as_json: bool, top: int) -> None:
    """Metadatakvalitet (data.europa.eu MQA) per ägare och per källa."""
    from insyn.followup.report.figures import quality_table
    from insyn.vocab import quality

    total, by_owner, by_source = quality_table(context.catalogue)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "max_points": quality.MAX_POINTS,
                    "catalogue": total.as_json(top),
                    "owners": [s.as_json(top) for s in sorted(by_owner.values(), key=_name)],
                    "sources": [s.as_json(top) for s in sorted(by_source.values(), key=_name)],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for title, groups in (("Ägare", by_owner), ("Källa", by_source)):
        table = Table(title, "Datamängder", "Poäng", "Betyg", "Saknas mest")
        for summary in sorted(groups.values(), key=_name):
            table.add_row(
                summary.name,
                str(summary.datasets),
                f"{summary.points:.0f} / {quality.MAX_POINTS}",
                summary.rating_label,
                "; ".join(item.label for item, _ in summary.missing[:top]),
            )
        console.print(table)
    console.print(
        f"Hela katalogen: {total.points:.0f} av {quality.MAX_POINTS} poäng "
        f"({total.rating_label}), {total.datasets} datamängder.",
        highlight=False,
    )


def _name(summary: quality.QualitySummary) -> str:
    return summary.name.casefold()


@click.group()
def incidents() -> None:
    """Avvikelser: lista, kvittera, åtgärda."""


STATUS_LABELS = {"open": "öppen", "acknowledged": "kvitterad", "resolved": "åtgärdad"}


@incidents.command("list")
@click.option("--status", type=click.Choice(choices.INCIDENT_STATES), help="Bara denna status.")
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON.")
@pass_context
@handle_errors
def incidents_list(context: Context, status: str | None, as_json: bool) -> None:
    """Lista avvikelser, nyast först."""
    rows = context.catalogue.incidents(status=status)
    if as_json:
        for incident in rows:
            click.echo(
                json.dumps(
                    {
                        "id": incident.id,
                        "source": incident.source.name if incident.source else None,
                        "kind": incident.kind,
                        "status": incident.status,
                        "message": incident.message,
                        "created_at": incident.created_at.isoformat(),
                        "acknowledged_by": incident.acknowledged_by,
                        "resolved_by": incident.resolved_by,
                        "resolved_at": incident.resolved_at.isoformat()
                        if incident.resolved_at
                        else None,
                        "comment": incident.comment,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table("Nr", "Källa", "Typ", "Status", "Upptäckt", "Meddelande")
    for incident in rows:
        table.add_row(
            str(incident.id),
            incident.source.name if incident.source else "–",
            incident.kind,
            STATUS_LABELS.get(incident.status, incident.status),
            f"{incident.created_at:%Y-%m-%d %H:%M}",
            incident.message,
        )
    console.print(table)


def _transition(context: Context, incident_id: int, action: str, by: str | None, comment):
    from insyn import followup
    from insyn.followup import notices as notify

    function = followup.acknowledge if action == "acknowledged" else followup.resolve
    incident = function(context.catalogue, incident_id, _who(by), comment)
    notify.notify_incident(context.catalogue, incident_id, action)
    console.print(
        f"Avvikelse #{incident.id} är {STATUS_LABELS[incident.status]} ({_who(by)}).",
        highlight=False,
    )


@incidents.command("ack")
@click.argument("incident_id", type=int)
@click.option("--by", help="Vem som kvitterar (standard: inloggad användare).")
@click.option("--comment", help="Kommentar.")
@pass_context
@handle_errors
def incidents_ack(context: Context, incident_id: int, by: str | None, comment: str | None):
    """Kvittera en avvikelse: någon tittar på den."""
    _transition(context, incident_id, "acknowledged", by, comment)


@incidents.command("resolve")
@click.argument("incident_id", type=int)
@click.option("--by", help="Vem som åtgärdat (standard: inloggad användare).")
@click.option("--comment", help="Vad som gjordes.")
@pass_context
@handle_errors
def incidents_resolve(context: Context, incident_id: int, by: str | None, comment: str | None):
    """Markera en avvikelse som åtgärdad."""
    _transition(context, incident_id, "resolved", by, comment)


@click.command()
@click.option("--owner", required=True, help="Informationsägare (namn eller URI).")
@click.option("--period", type=int, required=True, help="År, t.ex. 2026.")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_context
@handle_errors
def report(context: Context, owner: str, period: int, fmt: str, output: Path) -> None:
    """Uppföljningsrapport till en informationsägare, med diagram (HTML eller PDF)."""
    from insyn.followup import report as rendering
    from insyn.followup.report.figures import build_report

    data = build_report(context.catalogue, owner, period)
    if fmt == "pdf":
        output.write_bytes(rendering.render_pdf(data))
    else:
        output.write_text(rendering.render_html(data), encoding="utf-8")
    console.print(f"Skrev rapporten för {data.owner} {period} till {output}.", highlight=False)


COMMANDS: tuple[click.Command, ...] = (plan, classify, quality_command, incidents, report)
