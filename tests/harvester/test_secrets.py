"""Secrets never reach incidents, logs, e-mails or ``insyn runs --json``: passwords and
API keys in a source's URL, personnummer, the titles of secret-marked records."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from insyn import connectors
from insyn.catalogue.models import HarvestRun, Incident, RecordError
from insyn.catalogue.store import Catalogue
from insyn.connectors.base import Cursor, Done, Failure, Item, Yielded
from insyn.harvester.engine import harvest_source
from insyn.vocab.model import Case, Dataset, Governance, Party
from tests.support.http import LocalServer, Reply

SECRETS = ("Hemligt123", "nyckel-abc", "1212-1212", "Tolvan Tolvansson")
KIND = "leaky"


@dataclass
class Config:
    @classmethod
    def from_source(cls, url: str | None, options: dict[str, Any]) -> Config:
        return cls()


def harvest(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    title = "Utredning om Tolvan Tolvansson"
    secret = Dataset(
        uri="https://data.exempel.se/d/1",
        title={"sv": title},
        governance=Governance(secrecy_provision="26 kap. 1 § OSL"),
    )
    yield Item("d1", secret, [f"dcterms:title: '{title}' är längre än väntat"])
    yield Failure("d2", "Personnumret 19121212-1212 i rubriken kunde inte läsas", "dcterms:title")
    yield Done(Cursor())


def stored_texts(catalogue: Catalogue) -> str:
    with catalogue.session() as session:
        texts = [e.reason for e in session.scalars(select(RecordError))]
        texts += [i.message for i in session.scalars(select(Incident))]
        texts += [r.error or "" for r in session.scalars(select(HarvestRun))]
    return "\n".join(texts)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_a_failed_runs_error_hides_the_sources_credentials(
    catalogue: Catalogue, http_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    http_server.route("/katalog", Reply(403, b"nej"))
    url = http_server.url("/katalog?apikey=nyckel-abc").replace(
        "http://", "http://skord:Hemligt123@"
    )
    catalogue.add_source("portal", "dcat", url)
    with caplog.at_level(logging.INFO):
        summary = harvest_source(catalogue, "portal")
    assert summary.status == "failed" and "HTTP 403" in (summary.error or "")
    assert_clean(json.dumps(summary.as_json()))
    assert_clean(stored_texts(catalogue))
    assert_clean(caplog.text)


def test_record_errors_hide_personnummer_and_secret_titles(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(connectors.BUILTIN, KIND, __name__)
    catalogue.add_source("arkiv", KIND, None)
    summary = harvest_source(catalogue, "arkiv")
    assert (summary.added, summary.failed, summary.warnings) == (1, 1, 1)
    texts = stored_texts(catalogue)
    assert "sekretessmarkerad titel" in texts and "kunde inte läsas" in texts
    assert_clean(texts)


def test_runs_json_shows_the_scrubbed_error(
    tmp_path: Any, http_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from insyn.cli.main import main

    monkeypatch.setenv("INSYN_HOME", str(tmp_path))
    http_server.route("/katalog", Reply(404, b"nej"))
    url = http_server.url("/katalog").replace("http://", "http://skord:Hemligt123@")
    runner = CliRunner()
    added = runner.invoke(main, ["sources", "add", "portal", "--kind", "dcat", "--url", url])
    assert added.exit_code == 0, added.output
    runner.invoke(main, ["harvest", "portal"])
    result = runner.invoke(main, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    assert "HTTP 404" in result.output
    assert_clean(result.output)


STORED_KIND = "failing_later"
PHASE = {"run": 0}
SECRET_CASE_TITLE = "Orosanmälan gällande Kim Kyrklund"
PRIVATE_CASE_TITLE = "Ansökan om bostadsanpassningsbidrag – Lisa Bankman, Storgatan 8 B"


def _case(key: str, title: str, governance: Governance) -> Case:
    return Case(
        uri=f"https://diarium.exempel.se/{key}",
        title={"sv": title},
        diarienummer=key,
        governance=governance,
        parties=[
            Party(
                name=title.split("– ")[-1].split(",")[0].split("gällande ")[-1],
                role="sökande",
                is_private_individual=True,
            )
        ],
    )


def _failing_later(config: Config, cursor: Cursor) -> Iterator[Yielded]:
    """First run: a secret-marked case and a public one naming a private party. Second
    run: the source fails both, its messages quoting what it holds of them."""
    if PHASE["run"] == 0:
        yield Item(
            "SN 2026/1",
            _case("SN 2026/1", SECRET_CASE_TITLE, Governance(secrecy_provision="26 kap. 1 § OSL")),
        )
        yield Item("BN 2026/2", _case("BN 2026/2", PRIVATE_CASE_TITLE, Governance()))
    else:
        yield Failure("SN 2026/1", f"Ärendet '{SECRET_CASE_TITLE}' saknar datum", "datum")
        yield Failure("BN 2026/2", f"Ärendet '{PRIVATE_CASE_TITLE}' saknar datum", "datum")
    yield Done(Cursor())


def test_a_failure_of_a_stored_secret_record_hides_its_title_and_private_names(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    module = sys.modules[__name__]
    monkeypatch.setattr(module, "harvest", _failing_later)
    monkeypatch.setitem(connectors.BUILTIN, KIND, __name__)
    monkeypatch.setitem(PHASE, "run", 0)
    catalogue.add_source("diarium", KIND, None)
    assert harvest_source(catalogue, "diarium").added == 2
    PHASE["run"] = 1
    with caplog.at_level(logging.INFO):
        summary = harvest_source(catalogue, "diarium")
    assert summary.failed == 2
    texts = stored_texts(catalogue)
    assert "saknar datum" in texts and "sekretessmarkerad titel" in texts
    assert "Orosanmälan" not in texts  # the secret title, whole
    for leaked in ("Kyrklund", "Bankman", "Storgatan 8"):
        assert leaked not in texts
        assert leaked not in json.dumps(summary.as_json()) and leaked not in caplog.text
    assert "bostadsanpassningsbidrag – [namn]" in texts  # the public title stays readable
