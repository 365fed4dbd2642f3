"""Observability: one structured log line per harvest run (plain and JSON), Prometheus
metrics read from the catalogue at scrape time, and the operations health check."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
from insyn.harvester.workers import Claims
from insyn.settings import load_settings
from insyn.web.observability import JsonFormatter, PlainFormatter, configure_logging, health_checks
from tests.support.catalogues import write_catalogue


@pytest.fixture
def filled(sqlite_catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    source_file = write_catalogue(tmp_path / "k.ttl", range(1, 11))
    sqlite_catalogue.add_source("bn", "dcat", str(source_file))
    harvest_source(sqlite_catalogue, "bn")
    write_catalogue(source_file, range(1, 10))  # one record gone: tombstoned
    harvest_source(sqlite_catalogue, "bn")
    sqlite_catalogue.add_source("borta", "dcat", str(tmp_path / "finns-inte.ttl"))
    assert harvest_source(sqlite_catalogue, "borta").status == "failed"  # an incident
    return sqlite_catalogue


def test_one_json_line_per_run(sqlite_catalogue: Catalogue, tmp_path: Path, capsys) -> None:
    assert configure_logging("json") == "json"
    try:
        sqlite_catalogue.add_source("bn", "dcat", str(write_catalogue(tmp_path / "k.ttl", [1])))
        harvest_source(sqlite_catalogue, "bn", worker="w1")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        configure_logging("plain", level=logging.WARNING)
    (run,) = [line for line in lines if line.get("event") == "harvest_run"]
    assert run["source"] == "bn" and run["status"] == "completed" and run["worker"] == "w1"
    assert run["added"] == 1 and isinstance(run["seconds"], float) and run["level"] == "info"


def test_plain_and_json_formats_carry_the_extras() -> None:
    record = logging.LogRecord("insyn", logging.INFO, "", 0, "harvest run %s", ("bn",), None)
    record.source, record.added = "bn", 3
    assert PlainFormatter().format(record).endswith("harvest run bn source=bn added=3")
    assert json.loads(JsonFormatter().format(record))["added"] == 3


@pytest.fixture
def admin_auth(filled: Catalogue) -> dict[str, str]:
    from insyn.catalogue import accounts

    accounts.add_user(filled, "drift", "admin")
    _token_id, token = accounts.create_token(filled, "drift", "prometheus")
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(filled: Catalogue, tmp_path: Path) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from insyn.search.indexer import open_backend
    from insyn.web.access import AccessPolicy
    from insyn.web.app import create_app

    backend = open_backend(load_settings(home=tmp_path / "home"))
    app = create_app(
        load_settings(home=tmp_path / "home"),
        catalogue=filled,
        backend=backend,
        access_policy=AccessPolicy(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield TestClient(app)
    backend.close()


def _set_durations(catalogue: Catalogue, status: str, seconds: list[int]) -> None:
    """Give the finished runs of ``status`` these durations (run order), not the clock's."""
    from sqlalchemy import select

    from insyn.catalogue.models import HarvestRun

    with catalogue.session() as session:
        runs = session.scalars(
            select(HarvestRun).where(HarvestRun.status == status).order_by(HarvestRun.id)
        ).all()
        for run, duration in zip(runs, seconds, strict=True):
            run.started_at = run.finished_at - timedelta(seconds=duration)
        session.commit()


def test_metrics_in_prometheus_format(client, filled: Catalogue, admin_auth) -> None:
    _set_durations(filled, "completed", [30, 120])
    assert client.get("/metrics").status_code == 401  # counts non-public records too
    response = client.get("/metrics", headers=admin_auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    assert samples[("insyn_records", (("state", "live"),))] == 9
    assert samples[("insyn_records", (("state", "tombstoned"),))] == 1
    assert samples[("insyn_records", (("state", "public"),))] == 9
    assert samples[("insyn_harvest_runs_total", (("status", "completed"),))] == 2
    assert samples[("insyn_harvest_runs_total", (("status", "failed"),))] == 1
    assert samples[("insyn_harvest_run_duration_seconds_count", (("status", "completed"),))] == 2
    inf = ("insyn_harvest_run_duration_seconds_bucket", (("le", "+Inf"), ("status", "completed")))
    assert samples[inf] == 2

    def bucket(le: str) -> float:
        return samples[
            ("insyn_harvest_run_duration_seconds_bucket", (("le", le), ("status", "completed")))
        ]

    # 30 s and 120 s: one within a minute, both within five.
    assert (bucket("15.0"), bucket("60.0"), bucket("300.0")) == (0, 1, 2)
    total = ("insyn_harvest_run_duration_seconds_sum", (("status", "completed"),))
    assert samples[total] == pytest.approx(150)
    assert samples[("insyn_index_lag_changes", ())] == filled.last_change_seq() == 11
    assert samples[("insyn_incidents_open", (("kind", "run_failed"),))] == 1
    assert samples[("insyn_scheduler_workers", ())] == 0
    assert ("insyn_source_last_success_timestamp_seconds", (("source", "bn"),)) in samples


def test_operations_health(client, filled: Catalogue, admin_auth) -> None:
    auth = admin_auth
    stopped = client.get("/health/operations", headers=auth)
    assert stopped.status_code == 503
    assert stopped.json()["checks"] == {"database": "ok", "index": "ok", "scheduler": "stopped"}
    assert stopped.json()["details"]["index_lag"] == 11
    worker = Claims(filled, "vm:42:abc")
    handle = worker.claim("worker:vm:42:abc")
    running = client.get("/health/operations", headers=auth)
    assert running.status_code == 200
    assert running.json()["details"]["scheduler_workers"] == ["vm:42:abc"]
    handle.release()
    assert health_checks(filled, max_index_lag=5)["checks"]["index"] == "behind"
    assert client.get("/health").status_code == 200  # the public check is unchanged
