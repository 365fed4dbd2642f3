"""Rendering the follow-up report: HTML (Jinja2), charts (matplotlib, Agg) and PDF (WeasyPrint).

It sits beside the web pages because it is presentation of the read side: the web's
report page and ``insyn report`` share the template ``_report_body.html`` and the charts,
and the web's pages take its Swedish month names (``MONTH_NAMES``, ``month_label``). The
data come from
``insyn.followup.report.figures``; nothing here touches the database.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from insyn.catalogue import requests_log
from insyn.followup.report.figures import FollowUpReport
from insyn.vocab import quality

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS = [name[:3] for name in MONTH_NAMES]  # the charts' axis
KIND_LABELS = {
    "dataset": "Datamängder",
    "dataservice": "Datatjänster",
    "case": "Ärenden",
    "document": "Handlingar",
}
INCIDENT_LABELS = {
    "run_failed": "Misslyckad skördning",
    "run_interrupted": "Avbruten skördning",
    "deletion_guard": "Raderingsspärr",
    "validation_failed": "Valideringsfel",
    "quality_drop": "Sjunkande kvalitet",
    "source_unchanged": "Oförändrad källa",
}
RATING_COLOURS = {
    "Excellent": "#1b7f3b",
    "Good": "#6aa84f",
    "Sufficient": "#e6a700",
    "Bad": "#c0392b",
}
BLUE, GREY, RED = "#1f5f99", "#c8d3de", "#c0392b"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}\u00a0%".replace(".", ",")


def _number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return text


def _days(value: float | None) -> str:
    """A median in working days: '2' or '1,5', never '2,0'."""
    return _number(value, 0 if value is None or float(value).is_integer() else 1)


def _when(moment: datetime) -> str:
    """A moment (already in Stockholm time) as '5 december 2026 kl. 12.17'."""
    return f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year} kl. {moment:%H.%M}"


def month_label(value: str) -> str:
    """'2026-03' as 'mars 2026'."""
    year, month = value.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def _trend(now: float | None, before: float | None, unit: str = "", better: str = "up") -> str:
    if now is None or before is None:
        return "ingen jämförelse"
    delta = now - before
    if abs(delta) < 1e-9:
        return "oförändrat"
    arrow = "▲" if delta > 0 else "▼"
    # Counts change by whole numbers ("▲ 1", not "▲ 1,0"); a small change of a measure
    # keeps one decimal.
    whole = isinstance(now, int) and isinstance(before, int)
    return f"{arrow} {_number(abs(delta), 0 if whole or abs(delta) >= 10 else 1)}{unit}"


# --- charts -------------------------------------------------------------------------


def _figure_png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlesize": 10,
        }
    )
    return plt


def coverage_chart(report: FollowUpReport) -> str:
    """Horizontal bars: share of records with classification, retention, personal-data flag."""
    plt = _pyplot()
    records = report.records
    labels = ["Klassade (K/R/T)", "Bevarande/gallring", "Personuppgifter angivet"]
    values = [
        100 * records.share(records.classified),
        100 * records.share(records.retention),
        100 * records.share(records.personal_data_flag),
    ]
    figure, axis = plt.subplots(figsize=(6.2, 1.9))
    axis.barh(labels, [100] * 3, color=GREY, height=0.55)
    axis.barh(labels, values, color=BLUE, height=0.55)
    for y, value in enumerate(values):
        axis.text(
            min(value, 88) + 1.5,
            y,
            f"{value:.0f} %",
            va="center",
            fontsize=9,
            color="white" if value > 88 else "#222",
        )
    axis.set_xlim(0, 100)
    axis.invert_yaxis()
    axis.set_xlabel("Andel av posterna (%)")
    axis.set_title(f"Hur posterna är beskrivna {report.period.label}")
    return _figure_png(figure)


def rating_chart(report: FollowUpReport) -> str | None:
    """Bars: datasets per MQA rating."""
    summary = report.records.quality
    if summary is None:
        return None
    plt = _pyplot()
    names = [name for _, name, _ in quality.RATINGS][::-1]
    counts = [summary.ratings.get(name, 0) for name in names]
    figure, axis = plt.subplots(figsize=(6.2, 2.2))
    bars = axis.bar(
        [quality.RATING_LABELS[n] for n in names],
        counts,
        color=[RATING_COLOURS[n] for n in names],
        width=0.6,
    )
    for bar, count in zip(bars, counts, strict=True):
        axis.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height(),
            str(count),
            ha="center",
            va="bottom",
            fontsize=9,
        )
    axis.set_ylabel("Datamängder")
    axis.set_title("Metadatakvalitet enligt data.europa.eu (MQA)")
    axis.margins(y=0.2)
    return _figure_png(figure)


def harvest_chart(report: FollowUpReport) -> str:
    """Stacked monthly bars: completed and failed runs, with incidents opened as a line."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    harvest = report.harvest
    ok = [harvest.runs_by_month[m][0] for m in range(1, 13)]
    bad = [harvest.runs_by_month[m][1] for m in range(1, 13)]
    opened = [harvest.incidents_by_month[m] for m in range(1, 13)]
    figure, axis = plt.subplots(figsize=(6.2, 2.4))
    axis.bar(MONTHS, ok, color=BLUE, label="Lyckade körningar", width=0.65)
    axis.bar(MONTHS, bad, bottom=ok, color=RED, label="Misslyckade körningar", width=0.65)
    axis.plot(
        MONTHS,
        opened,
        color="#222",
        marker="o",
        markersize=3,
        linewidth=1.2,
        label="Nya avvikelser",
    )
    axis.set_ylabel("Antal")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.2 steps
    axis.set_title(f"Skördningar och avvikelser per månad {report.period.label}")
    axis.legend(frameon=False, fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    return _figure_png(figure)


# --- HTML and PDF -------------------------------------------------------------------------


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("insyn.followup.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    _install(env)
    return env


def _install(env: jinja2.Environment) -> None:
    env.filters.update(percent=_percent, num=_number, month=month_label, when=_when, days=_days)
    env.globals.update(
        kind_labels=KIND_LABELS,
        incident_labels=INCIDENT_LABELS,
        outcome_labels=requests_log.OUTCOMES,
        rating_labels=quality.RATING_LABELS,
        dimension_labels=quality.DIMENSION_LABELS,
        dimensions=quality.DIMENSIONS,
        max_points=quality.MAX_POINTS,
        trend=_trend,
        stockholm=STOCKHOLM,
    )


def context(report: FollowUpReport, *, charts: bool = True) -> dict[str, Any]:
    """What the templates need: the report, its charts (data: URIs) and key figures."""
    harvest, before = report.harvest, report.harvest_previous
    return {
        "report": report,
        "generated": report.generated_at.astimezone(STOCKHOLM),
        "charts": {
            "coverage": coverage_chart(report) if charts else None,
            "ratings": rating_chart(report) if charts else None,
            "harvest": harvest_chart(report) if charts else None,
        },
        "trends": [
            (
                "Beskrivna poster",
                _number(report.records.total),
                _number(report.records_previous_total),
                _trend(report.records.total, report.records_previous_total),
            ),
            (
                "Lyckade skördningar",
                _percent(harvest.success_rate),
                _percent(before.success_rate),
                _trend(
                    None if harvest.success_rate is None else 100 * harvest.success_rate,
                    None if before.success_rate is None else 100 * before.success_rate,
                    " procentenheter",
                ),
            ),
            (
                "Nya avvikelser",
                _number(harvest.incidents_opened),
                _number(before.incidents_opened),
                _trend(harvest.incidents_opened, before.incidents_opened),
            ),
            (
                "Mediantid till åtgärd (timmar)",
                _number(harvest.median_resolve_hours, 1),
                _number(before.median_resolve_hours, 1),
                _trend(harvest.median_resolve_hours, before.median_resolve_hours, " h"),
            ),
            (
                "Metadatakvalitet (MQA-poäng)",
                _number(report.quality_snapshot),
                _number(report.quality_snapshot_previous),
                _trend(report.quality_snapshot, report.quality_snapshot_previous),
            ),
        ],
    }


def render_html(report: FollowUpReport) -> str:
    """The report as one self-contained HTML page (charts inline)."""
    return environment().get_template("report.html").render(**context(report))


def render_pdf(report: FollowUpReport) -> bytes:
    """The report as PDF (A4), rendered by WeasyPrint from the same HTML."""
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()
