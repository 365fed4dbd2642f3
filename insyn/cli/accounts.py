"""Accounts, API tokens and the audit log from the command line.

    insyn users add NAME --role registrar|owner|admin [--organisation ORG …] [--password-stdin]
    insyn users list | disable NAME | enable NAME | role NAME ROLE | password NAME
    insyn users organisations NAME [--add ORG …] [--remove ORG …]
    insyn tokens create USER [--name NAME] [--expires-in DAYS]   shown once, never stored
    insyn tokens list [USER] [--json] | revoke ID
    insyn audit export --output FILE.csv [--since YYYY-MM-DD]

Bootstrap: ``insyn users add admin --role admin`` (asks for a password), then
``insyn tokens create admin`` for API access.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.table import Table

from insyn.catalogue import choices
from insyn.cli.context import Context, console, handle_errors, pass_context

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Lösenord: ")
    if first != getpass.getpass("Upprepa lösenordet: "):
        raise click.ClickException("Lösenorden stämmer inte överens")
    return first


@click.group()
def users() -> None:
    """Användare och roller (registrator, informationsägare, administratör)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(choices.ROLES), required=True)
@click.option("--display-name", help="Namnet som visas.")
@click.option("--password-stdin", is_flag=True, help="Läs lösenordet från standard in.")
@click.option("--no-password", is_flag=True, help="Inget lösenord (bara API-nyckel eller OIDC).")
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    help="Organisation (namn eller URI) som en informationsägare följer upp; kan upprepas.",
)
@pass_context
@handle_errors
def users_add(
    context: Context,
    name: str,
    role: str,
    display_name: str | None,
    password_stdin: bool,
    no_password: bool,
    organisations: tuple[str, ...],
) -> None:
    """Skapa en användare.

    En informationsägare ser bara sina organisationers (och deras underenheters)
    avvikelser och rapporter: ange dem med --organisation.
    """
    from insyn.catalogue import accounts

    password = None if no_password else _password(password_stdin)
    account = accounts.add_user(
        context.catalogue,
        name,
        role,
        password=password,
        display_name=display_name,
        organisations=organisations,
    )
    console.print(f"Användaren {account.username} ({choices.ROLE_LABELS[role]}) är skapad.")
    if role == "owner" and not organisations:
        console.print(
            "Användaren hör inte till någon organisation och ser därför inga avvikelser; "
            f"lägg till med 'insyn users organisations {name} --add ORG'.",
            style="yellow",
        )


@users.command("organisations")
@click.argument("name")
@click.option("--add", "add", multiple=True, help="Organisation att lägga till; kan upprepas.")
@click.option("--remove", "remove", multiple=True, help="Organisation att ta bort; kan upprepas.")
@pass_context
@handle_errors
def users_organisations(
    context: Context, name: str, add: tuple[str, ...], remove: tuple[str, ...]
) -> None:
    """Visa eller ändra vilka organisationer användaren NAME följer upp."""
    from insyn.catalogue import accounts

    if add or remove:
        names = accounts.set_organisations(context.catalogue, name, add, remove)
    else:
        accounts.get_user(context.catalogue, name)  # an unknown user is an error
        names = accounts.organisation_names(context.catalogue, name)
    console.print(
        f"{name} följer upp: {', '.join(names)}." if names else f"{name} följer inte upp någon.",
        highlight=False,
    )


@users.command("list")
@pass_context
@handle_errors
def users_list(context: Context) -> None:
    """Lista användarna."""
    from insyn.catalogue import accounts

    table = Table("Användare", "Roll", "Aktiv")
    for account, active in accounts.users(context.catalogue):
        table.add_row(account.username, account.role, "ja" if active else "nej")
    console.print(table)


@users.command("disable")
@click.argument("name")
@pass_context
@handle_errors
def users_disable(context: Context, name: str) -> None:
    """Stäng av en användare (sessioner avslutas, nycklar slutar gälla)."""
    from insyn.catalogue import accounts

    accounts.set_active(context.catalogue, name, False)
    console.print(f"{name} är avstängd.")


@users.command("enable")
@click.argument("name")
@pass_context
@handle_errors
def users_enable(context: Context, name: str) -> None:
    """Aktivera en avstängd användare igen."""
    from insyn.catalogue import accounts

    accounts.set_active(context.catalogue, name, True)
    console.print(f"{name} är aktiv.")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(choices.ROLES))
@pass_context
@handle_errors
def users_role(context: Context, name: str, role: str) -> None:
    """Ge användaren NAME rollen ROLE."""
    from insyn.catalogue import accounts

    accounts.set_role(context.catalogue, name, role)
    console.print(f"{name} har nu rollen {role}.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True)
@pass_context
@handle_errors
def users_password(context: Context, name: str, password_stdin: bool) -> None:
    """Byt lösenord för användaren NAME."""
    from insyn.catalogue import accounts

    ended = accounts.set_password(context.catalogue, name, _password(password_stdin))
    console.print(f"Lösenordet är bytt; {ended} inloggningar (sessioner) är avslutade.")


@click.group()
def tokens() -> None:
    """API-nycklar (visas en gång; bara deras hash sparas)."""


@tokens.command("create")
@click.argument("user")
@click.option("--name", default="api", show_default=True, help="Vad nyckeln används till.")
@click.option(
    "--expires-in",
    type=click.IntRange(1, 3650),
    default=choices.TOKEN_LIFETIME.days,
    show_default=True,
    help="Dagar tills nyckeln slutar gälla.",
)
@pass_context
@handle_errors
def tokens_create(context: Context, user: str, name: str, expires_in: int) -> None:
    """Skapa en API-nyckel och visa den en enda gång."""
    from insyn.catalogue import accounts

    token_id, token = accounts.create_token(
        context.catalogue, user, name, lifetime=timedelta(days=expires_in)
    )
    expires = _local(datetime.now(UTC) + timedelta(days=expires_in))
    click.echo(token)
    console.print(
        f"Nyckel {token_id} för {user}, giltig till {expires}. Spara den nu: den visas inte igen.",
        style="dim",
    )


def _local(moment: object) -> str:
    """A UTC time in Swedish time, to the minute; empty for none."""
    if not isinstance(moment, datetime):
        return ""
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


@tokens.command("list")
@click.argument("user", required=False)
@click.option("--json", "as_json", is_flag=True, help="Skriv ut som JSON (tider i svensk tid).")
@pass_context
@handle_errors
def tokens_list(context: Context, user: str | None, as_json: bool) -> None:
    """Lista API-nycklarna (alla, eller USERs), tider i svensk tid; nycklarna visas aldrig.

    Senast använd uppdateras högst en gång i minuten per nyckel.
    """
    from insyn.catalogue import accounts

    table = Table("Id", "Användare", "Namn", "Skapad", "Gäller till", "Senast använd", "Status")
    now = datetime.now(UTC)
    rows = []
    for row in accounts.tokens(context.catalogue, user):
        expires = row["expires_at"]
        status = (
            "återkallad"
            if row["revoked_at"]
            else "utgången"
            if isinstance(expires, datetime) and expires <= now
            else "giltig"
        )
        rows.append(
            {
                **{k: row[k] for k in ("id", "user", "name")},
                **{
                    k: row[k].astimezone(STOCKHOLM).isoformat(timespec="seconds")
                    if isinstance(row[k], datetime)
                    else None
                    for k in ("created_at", "expires_at", "last_used_at", "revoked_at")
                },
                "status": status,
            }
        )
        table.add_row(
            str(row["id"]),
            str(row["user"]),
            str(row["name"]),
            _local(row["created_at"]),
            _local(expires),
            _local(row["last_used_at"]) or "aldrig",
            status,
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.print(table)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_context
@handle_errors
def tokens_revoke(context: Context, token_id: int) -> None:
    """Återkalla API-nyckeln TOKEN_ID."""
    from insyn.catalogue import accounts

    accounts.revoke_token(context.catalogue, token_id)
    console.print(f"Nyckel {token_id} är återkallad.")


@click.group("audit")
def audit_group() -> None:
    """Granskningsloggen (för dataskyddsombudet)."""


@audit_group.command("export")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Från och med dag.")
@click.option("--actor", default=None, help="Vem som exporterar (standard: inloggad OS-användare).")
@pass_context
@handle_errors
def audit_export(context: Context, output: Path, since: datetime | None, actor: str | None) -> None:
    """Exportera granskningsloggen som CSV (exporten loggas också)."""
    from insyn.catalogue import audit

    count = audit.export_csv(
        context.catalogue,
        output,
        actor=actor or f"cli:{getpass.getuser()}",
        since=since.replace(tzinfo=UTC) if since else None,
    )
    console.print(f"{count} händelser skrivna till {output}.")


COMMANDS: tuple[click.Command, ...] = (users, tokens, audit_group)
