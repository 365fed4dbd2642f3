"""Commands the contract tests in test_cli.py do not reach: source kinds and options,
users and tokens, the plan, classification and incidents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.namespace import DCTERMS, FOAF

from insyn.cli.main import main
from insyn.connectors.http import HTTP_OPTIONS
from tests.support.catalogues import write_catalogue


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    home = ["--home", str(tmp_path / "data")]

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, [*home, *args], input=input)

    return invoke


# --- sources: kinds and typed options ---------------------------------------------------------


def test_sources_kinds_lists_every_kind_with_its_options(run) -> None:  # type: ignore[no-untyped-def]
    listed = run("sources", "kinds", "--json")
    assert listed.exit_code == 0, listed.output
    kinds = {entry["kind"]: entry["options"] for entry in json.loads(listed.output)}
    assert {"dcat", "ckan", "csw", "oaipmh", "sql", "files", "fgs", "diarium-csv"} <= set(kinds)
    rows = next(option for option in kinds["ckan"] if option["name"] == "rows")
    assert rows == {"name": "rows", "type": "int", "default": 100, "help": rows["help"]}
    assert rows["help"]
    assert {option.name for option in HTTP_OPTIONS} <= {o["name"] for o in kinds["csw"]}
    schema = next(option for option in kinds["fgs"] if option["name"] == "schema")
    assert schema["type"] == "choice" and schema["choices"] == ["v3", "v2", "auto"]

    table = run("sources", "kinds")
    assert table.exit_code == 0
    assert "ckan" in table.output and "api_key_env" in table.output


def test_a_checked_option_is_stored_as_given(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write_catalogue(tmp_path / "k.ttl", range(1, 2))
    added = run("sources", "add", "bn", "--kind", "dcat", "--url", str(source),
                "--option", "max_pages=5", "--option", "retries=0")  # fmt: skip
    assert added.exit_code == 0, added.output
    [listed] = json.loads(run("sources", "list", "--json").output)
    assert listed["options"] == {"max_pages": "5", "retries": "0"}


def insyn(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "insyn", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unknown_or_mistyped_option_is_one_clear_line(tmp_path: Path) -> None:
    home = tmp_path / "data"
    url = "https://ckan.exempel.se"
    unknown = insyn(home, "sources", "add", "p", "--kind", "ckan", "--url", url,
                    "--option", "rader=10")  # fmt: skip
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "Okänt alternativ 'rader' för källtypen ckan" in unknown.stderr
    assert "Kända alternativ:" in unknown.stderr and "rows" in unknown.stderr

    mistyped = insyn(home, "sources", "add", "p", "--kind", "csw", "--url", url + "/csw",
                     "--option", "incremental=kanske")  # fmt: skip
    assert mistyped.returncode == 1 and len(mistyped.stderr.strip().splitlines()) == 1
    assert "incremental för källtypen csw ska vara ja eller nej" in mistyped.stderr
    assert "page_size" in mistyped.stderr

    # Nothing was stored.
    listed = insyn(home, "sources", "list", "--json")
    assert json.loads(listed.stdout) == []


# --- users and tokens -------------------------------------------------------------------------


def test_users_and_tokens_lifecycle(run) -> None:  # type: ignore[no-untyped-def]
    password = "ett-långt-lösenord\n"
    assert run("users", "add", "anna", "--role", "registrar", "--password-stdin",
               input=password).exit_code == 0  # fmt: skip

    def listing() -> str:
        result = run("users", "list")
        assert result.exit_code == 0, result.output
        return result.output

    assert "anna" in listing() and "registrar" in listing()
    role = run("users", "role", "anna", "admin")
    assert role.exit_code == 0 and "anna har nu rollen admin" in role.output
    assert "admin" in listing()
    assert run("users", "disable", "anna").exit_code == 0
    assert "nej" in listing()
    assert run("users", "enable", "anna").exit_code == 0
    assert "nej" not in listing() and "ja" in listing()
    changed = run("users", "password", "anna", "--password-stdin", input="ett-nytt-lösenord\n")
    assert changed.exit_code == 0 and "Lösenordet är bytt" in changed.output
    unknown = run("users", "role", "okänd", "admin")
    assert unknown.exit_code == 1

    created = run("tokens", "create", "anna", "--name", "skript")
    assert created.exit_code == 0, created.output
    token_id = created.output.split("Nyckel ")[1].split()[0]
    tokens = run("tokens", "list", "anna")
    assert tokens.exit_code == 0 and "skript" in tokens.output
    revoked = run("tokens", "revoke", token_id)
    assert revoked.exit_code == 0 and f"Nyckel {token_id} är återkallad" in revoked.output
    assert run("tokens", "list").output.count(token_id) >= 1


# --- plan, classification, incidents -----------------------------------------------------------


def test_plan_apply_classify_and_incidents(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write_catalogue(tmp_path / "k.ttl", range(1, 3))
    assert run("sources", "add", "bn", "--kind", "dcat", "--url", str(source)).exit_code == 0
    assert run("harvest", "bn").exit_code == 0

    applied = run("plan", "apply")
    assert applied.exit_code == 0, applied.output
    assert "av 2 poster" in applied.output

    record = json.loads(run("show", "https://data.exempel.se/dataset/1", "--json").output)
    classified = run("classify", record["id"], "--k", "1", "--r", "2", "--t", "3", "--by", "eva")
    assert classified.exit_code == 0, classified.output
    assert "K1 R2 T3 av eva" in classified.output
    refused = run("classify", record["id"], "--k", "4")
    assert refused.exit_code != 0

    # A source whose file is gone fails its run and opens an incident.
    source.unlink()
    assert run("harvest", "bn").exit_code != 0
    listed = run("incidents", "list", "--json")
    assert listed.exit_code == 0, listed.output
    [incident] = [json.loads(line) for line in listed.output.splitlines()]
    assert (incident["source"], incident["status"]) == ("bn", "open")
    acked = run("incidents", "ack", str(incident["id"]), "--by", "eva")
    assert acked.exit_code == 0 and "kvitterad" in acked.output
    resolved = run("incidents", "resolve", str(incident["id"]), "--by", "eva", "--comment", "ok")
    assert resolved.exit_code == 0 and "åtgärdad" in resolved.output
    [after] = [json.loads(line) for line in run("incidents", "list", "--json").output.splitlines()]
    assert (after["status"], after["resolved_by"]) == ("resolved", "eva")
    assert after["comment"].endswith("eva: ok")


# --- organisations: the ADMS type an administrator states ----------------------------------

SEMIC_ISO = (
    Path(__file__).resolve().parents[1] / "data/corpus/iso19139/semic-iso2dcat_basic_dataset.xml"
)
ADMS = "http://purl.org/adms/publishertype/"


def test_organisations_type_is_stated_once_and_used_by_the_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    added = run("sources", "add", "semic", "--kind", "iso19139", "--url", str(SEMIC_ISO))
    assert added.exit_code == 0, added.output
    assert run("harvest", "semic").exit_code == 0
    listed = json.loads(run("organisations", "list", "--json").output)
    mine = next(row for row in listed if row["name"] == "MyOrganisation")
    assert mine["source_type"] is None and mine["stated_type"] is None

    def exported_types() -> set[str]:
        output = tmp_path / "export.ttl"
        assert run("export", "--format", "turtle", "--output", str(output)).exit_code == 0
        graph = Graph().parse(output)
        return {
            str(o)
            for s, name in graph.subject_objects(FOAF.name)
            if str(name) == "MyOrganisation"
            for o in graph.objects(s, DCTERMS.type)
        }

    assert exported_types() == set()
    stated = run("organisations", "type", "MyOrganisation", "NonProfitOrganisation", "--json")
    assert stated.exit_code == 0, stated.output
    assert json.loads(stated.output)["stated_type"] == ADMS + "NonProfitOrganisation"
    assert exported_types() == {ADMS + "NonProfitOrganisation"}
    # A harvest again leaves the statement as it is.
    assert run("harvest", "semic").exit_code == 0
    assert exported_types() == {ADMS + "NonProfitOrganisation"}

    # Not an ADMS type, an unknown organisation, or neither a type nor --clear: exit 1.
    assert run("organisations", "type", "MyOrganisation", "Ministry").exit_code == 1
    unknown = run("organisations", "type", "Ingen sådan", "LocalAuthority")
    assert unknown.exit_code == 1 and "Ingen organisation" in unknown.output
    neither = run("organisations", "type", "MyOrganisation")
    assert neither.exit_code == 1 and "--clear" in neither.output
    cleared = run("organisations", "type", "MyOrganisation", "--clear")
    assert cleared.exit_code == 0, cleared.output
    assert exported_types() == set()
    assert "MyOrganisation" in run("organisations", "list").output
