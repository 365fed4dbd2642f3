"""The audit log is append-only, in the code and in the database, and exports as CSV."""

from __future__ import annotations

import csv

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from insyn.catalogue import accounts, audit
from insyn.catalogue.store import Catalogue
from insyn.cli import main


def test_updates_and_deletes_are_refused_by_the_database(catalogue: Catalogue) -> None:
    entry = audit.record(
        catalogue,
        actor="reg",
        role="registrar",
        action=audit.VIEW_RECORD,
        record_id="r1",
        client_address="10.0.0.1",
    )
    for statement in (
        f"UPDATE audit_log SET actor = 'someone' WHERE id = {entry}",
        f"DELETE FROM audit_log WHERE id = {entry}",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            catalogue.engine.begin() as connection,
        ):
            connection.execute(text(statement))
    [kept] = list(audit.entries(catalogue))
    assert (kept.actor, kept.record_id, kept.client_address) == ("reg", "r1", "10.0.0.1")


def test_cli_bootstrap_tokens_and_audit_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    added = runner.invoke(
        main,
        [*home, "users", "add", "admin", "--role", "admin", "--password-stdin"],
        input="ett-långt-lösenord\n",
    )
    assert added.exit_code == 0, added.output
    created = runner.invoke(main, [*home, "tokens", "create", "admin"])
    assert created.exit_code == 0, created.output
    token = created.output.split()[0]
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'insyn.sqlite3'}")
    try:
        assert accounts.authenticate_token(catalogue, token).username == "admin"  # type: ignore[union-attr]
        assert token not in str(accounts.tokens(catalogue))
        audit.record(
            catalogue,
            actor="admin",
            role="admin",
            action=audit.VIEW_RECORD,
            record_id="hemlig",
            client_address="127.0.0.1",
        )
        out = tmp_path / "audit.csv"
        exported = runner.invoke(main, [*home, "audit", "export", "--output", str(out)])
        assert exported.exit_code == 0, exported.output
        rows = list(csv.reader(out.open(encoding="utf-8-sig")))
        assert rows[0] == list(audit.CSV_COLUMNS)
        assert rows[1][2:6] == ["admin", "admin", "view_record", "hemlig"]
        # The export itself is in the log.
        assert [e.action for e in audit.entries(catalogue)][-1] == audit.EXPORT
    finally:
        catalogue.close()


def test_the_catalogue_export_is_audited(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import getpass

    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    out = tmp_path / "katalog.ttl"
    exported = runner.invoke(main, [*home, "export", "--format", "turtle", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_text(encoding="utf-8").strip()
    to_stdout = runner.invoke(main, [*home, "export", "--format", "jsonld"])
    assert to_stdout.exit_code == 0, to_stdout.output

    def nameless() -> str:
        raise KeyError("getpwuid(): uid not found")

    monkeypatch.setattr(getpass, "getuser", nameless)
    assert runner.invoke(main, [*home, "export", "--output", str(out)]).exit_code == 0
    catalogue = Catalogue(f"sqlite:///{tmp_path / 'insyn.sqlite3'}")
    try:
        entries = list(audit.entries(catalogue))
    finally:
        catalogue.close()
    monkeypatch.undo()
    assert [(e.action, e.role, e.client_address) for e in entries] == [
        (audit.EXPORT, "admin", "cli")
    ] * 3
    first, second, third = entries
    assert first.actor == second.actor == getpass.getuser()
    assert third.actor == "okänd"
    assert first.details["what"] == "catalogue" and first.details["format"] == "turtle"
    assert first.details["file"] == str(out) and first.details["triples"] > 0
    assert (second.details["format"], second.details["file"]) == ("jsonld", "-")
    assert first.at is not None and first.id < second.id < third.id
