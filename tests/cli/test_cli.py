"""The command line as scripts use it: forms, JSON output and exit codes are a contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_file
from tests.support.catalogues import write_catalogue


def insyn(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed CLI in a real process, as an operator's script would."""
    return subprocess.run(
        [sys.executable, "-m", "insyn", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_init_sources_and_harvest_json(home: Path, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 6))
    assert insyn("init", home=home).returncode == 0
    assert (home / "insyn.sqlite3").exists()
    added = insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    assert added.returncode == 0, added.stderr
    listed = json.loads(insyn("sources", "list", "--json", home=home).stdout)
    assert [(s["name"], s["kind"]) for s in listed] == [("bn", "dcat")]

    result = insyn("harvest", "bn", "--json", home=home)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "source",
        "status",
        "added",
        "updated",
        "unchanged",
        "deleted",
        "failed",
        "seconds",
        "error",
    }
    assert (summary["source"], summary["status"], summary["added"]) == ("bn", "completed", 5)
    assert summary["error"] is None


def test_harvest_all_exit_status_is_non_zero_when_one_fails(home: Path, tmp_path: Path) -> None:
    good = write_catalogue(tmp_path / "good.ttl", range(1, 3))
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<a> a dcat:Dataset ;", "utf-8")
    insyn("sources", "add", "good", "--kind", "dcat", "--url", str(good), home=home)
    insyn("sources", "add", "bad", "--kind", "dcat", "--url", str(bad), home=home)
    result = insyn("harvest", "--all", "--json", home=home)
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["source"]: line["status"] for line in lines} == {
        "bad": "failed",
        "good": "completed",
    }
    failed = next(line for line in lines if line["source"] == "bad")
    assert failed["error"] and "Turtle" in failed["error"]


def test_insyn_home_environment_variable(tmp_path: Path) -> None:
    home = tmp_path / "via-env"
    result = subprocess.run(
        [sys.executable, "-m", "insyn", "init"],
        capture_output=True,
        text=True,
        env={**os.environ, "INSYN_HOME": str(home)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (home / "insyn.sqlite3").exists()


def test_show_by_uri_and_by_id(home: Path, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 3))
    insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    insyn("harvest", "bn", home=home)
    by_uri = json.loads(
        insyn("show", "https://data.exempel.se/dataset/1", "--json", home=home).stdout
    )
    assert by_uri["title"] == "Bygglov 1"
    assert by_uri["provenance"]["source"] == "bn"
    assert by_uri["governance"]["access_rights"].endswith("PUBLIC")
    assert "title" in by_uri["provenance"]["fields"]
    by_id = json.loads(insyn("show", by_uri["id"], "--json", home=home).stdout)
    assert by_id["uri"] == "https://data.exempel.se/dataset/1"
    plain = insyn("show", by_uri["id"], home=home)
    assert plain.returncode == 0 and "Bygglov 1" in plain.stdout


def test_errors_are_one_line_without_traceback(home: Path) -> None:
    missing = insyn("show", "finns-inte", home=home)
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "finns-inte" in missing.stderr

    unknown_kind = insyn("sources", "add", "x", "--kind", "nope", "--url", "x", home=home)
    assert unknown_kind.returncode != 0 and "Okänd källtyp" in unknown_kind.stderr
    assert "Traceback" not in unknown_kind.stderr

    no_source = insyn("harvest", "saknas", "--json", home=home)
    assert no_source.returncode == 1 and "saknas" in no_source.stderr

    debug = subprocess.run(
        [sys.executable, "-m", "insyn", "--home", str(home), "--debug", "show", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" in debug.stderr


def test_duplicate_source_name_is_refused(home: Path, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 2))
    insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    again = insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    assert again.returncode == 1 and "redan" in again.stderr


def test_remove_source_keeps_records_as_tombstones(home: Path, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 3))
    insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    insyn("harvest", "bn", home=home)
    assert insyn("sources", "remove", "bn", home=home).returncode == 0
    shown = json.loads(
        insyn("show", "https://data.exempel.se/dataset/1", "--json", home=home).stdout
    )
    assert shown["provenance"]["deleted_at"] is not None
    assert json.loads(insyn("sources", "list", "--json", home=home).stdout)[0]["enabled"] is False


def test_runs_lists_counts_and_record_errors(home: Path, tmp_path: Path) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 3))
    insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    insyn("harvest", "bn", home=home)
    runs = json.loads(insyn("runs", "--json", home=home).stdout)
    assert runs[0]["status"] == "completed" and runs[0]["added"] == 2
    table = insyn("runs", home=home)
    assert table.returncode == 0 and "bn" in table.stdout


@pytest.mark.parametrize(
    "fmt,marker", [("turtle", "@prefix"), ("xml", "<rdf:RDF"), ("jsonld", "@id")]
)
def test_export_formats_hold_only_public_records(
    home: Path, tmp_path: Path, fmt: str, marker: str
) -> None:
    source = tmp_path / "k.ttl"
    write_catalogue(source, range(1, 3))
    from tests.support.catalogues import PREFIXES, PUBLISHER, dataset_ttl

    source.write_text(
        PREFIXES
        + PUBLISHER
        + dataset_ttl(1)
        + dataset_ttl(2, title="Hemligt register", public=False, internal=True)
        + dataset_ttl(3, title="Märkt register", public=False),
        encoding="utf-8",
    )
    insyn("sources", "add", "bn", "--kind", "dcat", "--url", str(source), home=home)
    insyn("harvest", "bn", home=home)
    output = tmp_path / f"export.{fmt}"
    result = insyn("export", "--format", fmt, "--output", str(output), home=home)
    assert result.returncode == 0, result.stderr
    text = output.read_text("utf-8")
    assert marker in text
    assert "Bygglov 1" in text
    assert "Hemligt register" not in text and "dataset/2" not in text
    # Secret-marked, its description public: exported masked, with its access right.
    assert "dataset/3" in text and "Märkt register" not in text
    assert "Uppgift omfattas av sekretess enligt 26 kap. 1 § OSL" in text
    assert "files/3.csv" not in text and "NON_PUBLIC" in text
    to_stdout = insyn("export", "--format", fmt, home=home)
    assert "Bygglov 1" in to_stdout.stdout


def test_validate_exit_codes(home: Path, tmp_path: Path) -> None:
    from insyn.vocab.shacl import DCAT_AP_SHAPES_FILE

    assert insyn("demo", "--no-serve", home=home).returncode == 0
    export = tmp_path / "export.ttl"
    assert insyn("export", "--output", str(export), home=home).returncode == 0
    valid = insyn("validate", str(export), home=home)
    assert valid.returncode == 0, valid.stdout
    assert "0 fel" in valid.stdout

    # DIGG's mandatory example conforms to DCAT-AP 3.0.1; DCAT-AP-SE 3.0.1 (unlike the
    # 2.x it was written for) also requires the publisher's dcterms:type.
    mandatory = str(shared_file("dcat-ap-se/exempel/obligatoriskt.ttl"))
    only_dcat_ap = insyn("validate", mandatory, "--shapes", str(DCAT_AP_SHAPES_FILE), home=home)
    assert only_dcat_ap.returncode == 0, only_dcat_ap.stdout
    both = insyn("validate", mandatory, home=home)
    assert both.returncode == 1 and "dcterms:type" in both.stdout

    violating = shared_file("dcat-ap-se/exempel/rekommenderat.ttl")
    report = insyn("validate", str(violating), home=home)
    assert report.returncode == 1
    assert "dcterms:format" in report.stdout
    unreadable = tmp_path / "trasig.ttl"
    unreadable.write_text("@prefix : <x> . :a :b ", "utf-8")
    assert insyn("validate", str(unreadable), home=home).returncode == 2
    assert insyn("validate", str(tmp_path / "saknas.ttl"), home=home).returncode == 2
