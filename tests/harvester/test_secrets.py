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
from insyn.vocab.model import Dataset, Governance
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
