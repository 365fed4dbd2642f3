"""What operators see: structured logs, Prometheus metrics and health checks.

Logs are plain text or one JSON object per line (``--log-format json`` or
``INSYN_LOG_FORMAT=json``); the extra fields a log call passes (``source``,
``status``, counts, ``seconds`` …) become JSON keys. The engine writes one line per
harvest run (``event=harvest_run``).

Metrics are read from the catalogue at scrape time by ``CatalogueCollector``, so every
web process and worker reports the same numbers and nothing is lost on restart:

    insyn_harvest_run_duration_seconds   histogram of finished runs, by status
    insyn_harvest_runs_total             runs by status (completed, failed, …)
    insyn_source_last_success_timestamp_seconds  per source
    insyn_records                        records by state (live, tombstoned, public)
    insyn_index_lag_changes              change-log entries the index has not applied
    insyn_incidents_open                 open incidents, by kind
    insyn_scheduler_workers              scheduler processes with a live lease
    insyn_source_claims                  sources being harvested right now
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.sql import ColumnElement

from insyn import settings
from insyn.catalogue.models import CatalogueRecord, HarvestRun, Incident, Source
from insyn.catalogue.store import Catalogue

DURATION_BUCKETS = (1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)

# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message and the extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``time level logger: message key=value …`` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_") and value is not None
        ]
        return f"{line} {' '.join(extras)}" if extras else line


def configure_logging(log_format: str | None = None, level: int | str = logging.INFO) -> str:
    """Send Insyn's logs to stderr as plain text or JSON; return the format chosen.

    The format is the argument, else ``INSYN_LOG_FORMAT``, else plain.
    """
    chosen = (settings.value("log_format", log_format or None) or "plain").lower()
    if chosen not in settings.LOG_FORMATS:
        chosen = "plain"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else PlainFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_insyn", False):
            root.removeHandler(old)
    handler._insyn = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return chosen


# --- metrics -----------------------------------------------------------------------------


def _duration(dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":
        return func.extract("epoch", HarvestRun.finished_at - HarvestRun.started_at)
    return cast(
        (func.julianday(HarvestRun.finished_at) - func.julianday(HarvestRun.started_at)) * 86400.0,
        Float,
    )


def index_lag(catalogue: Catalogue) -> int:
    """Changes the search index has not applied (``Indexer.lag`` without a backend)."""
    from insyn.search.indexer import READER_NAME

    return catalogue.last_change_seq() - catalogue.reader_position(READER_NAME)


class CatalogueCollector:
    """A prometheus_client collector that reads the catalogue on each scrape."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def describe(self) -> list[Any]:
        return []  # collected at scrape time only; no registration-time query

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import (
            CounterMetricFamily,
            GaugeMetricFamily,
            HistogramMetricFamily,
        )

        from insyn.catalogue.operations import list_claims

        catalogue = self.catalogue
        duration = _duration(catalogue.dialect)
        with catalogue.session() as session:
            columns = [
                func.sum(case((duration <= bound, 1), else_=0)) for bound in DURATION_BUCKETS
            ]
            rows = session.execute(
                select(HarvestRun.status, func.count(), func.sum(duration), *columns)
                .where(HarvestRun.finished_at.is_not(None))
                .group_by(HarvestRun.status)
            ).all()
            histogram = HistogramMetricFamily(
                "insyn_harvest_run_duration_seconds",
                "Hur lång tid avslutade skördningar tog (sekunder), per status.",
                labels=["status"],
            )
            for status, count, total, *cumulative in rows:
                buckets = [
                    (str(bound), float(value or 0))
                    for bound, value in zip(DURATION_BUCKETS, cumulative, strict=True)
                ]
                buckets.append(("+Inf", float(count)))
                histogram.add_metric([status], buckets, float(total or 0.0))
            yield histogram

            runs = CounterMetricFamily(
                "insyn_harvest_runs", "Skördningar per utfall.", labels=["status"]
            )
            for status, count in session.execute(
                select(HarvestRun.status, func.count()).group_by(HarvestRun.status)
            ):
                runs.add_metric([status], float(count))
            yield runs

            last = GaugeMetricFamily(
                "insyn_source_last_success_timestamp_seconds",
                "När källan senast skördades utan fel (Unix-tid).",
                labels=["source"],
            )
            for name, finished in session.execute(
                select(Source.name, func.max(HarvestRun.finished_at))
                .join(HarvestRun, HarvestRun.source_id == Source.id)
                .where(HarvestRun.status == "completed")
                .group_by(Source.name)
            ):
                if finished is not None:
                    if finished.tzinfo is None:
                        finished = finished.replace(tzinfo=UTC)
                    last.add_metric([name], finished.timestamp())
            yield last

            live, tombstoned, public = session.execute(
                select(
                    func.sum(case((CatalogueRecord.deleted_at.is_(None), 1), else_=0)),
                    func.sum(case((CatalogueRecord.deleted_at.is_not(None), 1), else_=0)),
                    func.sum(
                        case(
                            (
                                CatalogueRecord.deleted_at.is_(None)
                                & CatalogueRecord.is_public.is_(True),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                )
            ).one()
            records = GaugeMetricFamily(
                "insyn_records", "Poster i katalogen per tillstånd.", labels=["state"]
            )
            records.add_metric(["live"], float(live or 0))
            records.add_metric(["tombstoned"], float(tombstoned or 0))
            records.add_metric(["public"], float(public or 0))
            yield records

            incidents = GaugeMetricFamily(
                "insyn_incidents_open", "Öppna avvikelser per slag.", labels=["kind"]
            )
            for kind, count in session.execute(
                select(Incident.kind, func.count())
                .where(Incident.status == "open")
                .group_by(Incident.kind)
            ):
                incidents.add_metric([kind], float(count))
            yield incidents

        yield GaugeMetricFamily(
            "insyn_index_lag_changes",
            "Ändringar i ändringsloggen som sökindexet ännu inte har tagit in.",
            value=float(index_lag(catalogue)),
        )
        yield GaugeMetricFamily(
            "insyn_scheduler_workers",
            "Schemaläggare (arbetare) som lever, enligt sina anspråk.",
            value=float(len(list_claims(catalogue, "worker:"))),
        )
        yield GaugeMetricFamily(
            "insyn_source_claims",
            "Källor som skördas just nu (hållna anspråk).",
            value=float(len(list_claims(catalogue, "source:"))),
        )


def metrics_text(catalogue: Catalogue) -> tuple[bytes, str]:
    """The Prometheus exposition of the catalogue's metrics and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(CatalogueCollector(catalogue))  # type: ignore[arg-type]
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- health ------------------------------------------------------------------------------


def health_checks(catalogue: Catalogue, *, max_index_lag: int = 10_000) -> dict[str, Any]:
    """Database, index and scheduler state, each ``ok`` or a word saying what is wrong.

    ``scheduler`` is ``ok`` when at least one scheduler process holds a live lease,
    ``stopped`` when none does (harvests are not running on schedule).
    """
    from insyn.catalogue.operations import list_claims

    checks: dict[str, Any] = {}
    details: dict[str, Any] = {}
    try:
        with catalogue.session() as session:
            session.execute(select(1))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
        return {"checks": checks, "details": details}
    lag = index_lag(catalogue)
    details["index_lag"] = lag
    checks["index"] = "ok" if lag <= max_index_lag else "behind"
    workers = list_claims(catalogue, "worker:")
    running = list_claims(catalogue, "source:")
    details["scheduler_workers"] = sorted(claim.holder or "" for claim in workers)
    details["sources_running"] = len(running)
    checks["scheduler"] = "ok" if workers else "stopped"
    return {"checks": checks, "details": details}
