"""Accounts, API tokens and the audit log from the command line.

    insyn users add NAME --role registrar|owner|admin [--password-stdin]
    insyn users list | disable NAME | enable NAME | role NAME ROLE | password NAME
    insyn tokens create USER [--name NAME]     the token is shown once, never stored
    insyn tokens list [USER] | revoke ID
    insyn audit export --output FILE.csv [--since YYYY-MM-DD]

Bootstrap: ``insyn users add admin --role admin`` (asks for a password), then
``insyn tokens create admin`` for API access.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table

from insyn.catalogue import accounts, audit
from insyn.cli.context import Context, console, handle_errors, pass_context


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
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--display-name", help="Namnet som visas.")
@click.option("--password-stdin", is_flag=True, help="Läs lösenordet från standard in.")
@click.option("--no-password", is_flag=True, help="Inget lösenord (bara API-nyckel eller OIDC).")
@pass_context
@handle_errors
def users_add(
    context: Context,
    name: str,
    role: str,
    display_name: str | None,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Skapa en användare."""
    password = None if no_password else _password(password_stdin)
    account = accounts.add_user(
        context.catalogue, name, role, password=password, display_name=display_name
    )
    console.print(f"Användaren {account.username} ({accounts.ROLE_LABELS[role]}) är skapad.")


@users.command("list")
@pass_context
@handle_errors
def users_list(context: Context) -> None:
    """Lista användarna."""
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
    accounts.set_active(context.catalogue, name, False)
    console.print(f"{name} är avstängd.")


@users.command("enable")
@click.argument("name")
@pass_context
@handle_errors
def users_enable(context: Context, name: str) -> None:
    """Aktivera en avstängd användare igen."""
    accounts.set_active(context.catalogue, name, True)
    console.print(f"{name} är aktiv.")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(accounts.ROLES))
@pass_context
@handle_errors
def users_role(context: Context, name: str, role: str) -> None:
    """Ge användaren NAME rollen ROLE."""
    accounts.set_role(context.catalogue, name, role)
    console.print(f"{name} har nu rollen {role}.")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True)
@pass_context
@handle_errors
def users_password(context: Context, name: str, password_stdin: bool) -> None:
    """Byt lösenord för användaren NAME."""
    accounts.set_password(context.catalogue, name, _password(password_stdin))
    console.print("Lösenordet är bytt.")


@click.group()
def tokens() -> None:
    """API-nycklar (visas en gång; bara deras hash sparas)."""


@tokens.command("create")
@click.argument("user")
@click.option("--name", default="api", show_default=True, help="Vad nyckeln används till.")
@pass_context
@handle_errors
def tokens_create(context: Context, user: str, name: str) -> None:
    """Skapa en API-nyckel och visa den en enda gång."""
    token_id, token = accounts.create_token(context.catalogue, user, name)
    click.echo(token)
    console.print(f"Nyckel {token_id} för {user}. Spara den nu: den visas inte igen.", style="dim")


@tokens.command("list")
@click.argument("user", required=False)
@pass_context
@handle_errors
def tokens_list(context: Context, user: str | None) -> None:
    """Lista API-nycklarna (alla, eller USERs); nycklarna själva visas aldrig."""
    table = Table("Id", "Användare", "Namn", "Skapad", "Senast använd", "Återkallad")
    for row in accounts.tokens(context.catalogue, user):
        table.add_row(
            *(
                str(row[k] or "")
                for k in ("id", "user", "name", "created_at", "last_used_at", "revoked_at")
            )
        )
    console.print(table)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_context
@handle_errors
def tokens_revoke(context: Context, token_id: int) -> None:
    """Återkalla API-nyckeln TOKEN_ID."""
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
    count = audit.export_csv(
        context.catalogue,
        output,
        actor=actor or f"cli:{getpass.getuser()}",
        since=since.replace(tzinfo=UTC) if since else None,
    )
    console.print(f"{count} händelser skrivna till {output}.")


COMMANDS: tuple[click.Command, ...] = (users, tokens, audit_group)
