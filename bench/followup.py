"""Benchmark: MQA scoring and the follow-up report for 100,000 records (target: under 30 s).

    .venv/bin/python bench/followup.py [COUNT] [--keep DIR]

1. scores COUNT synthetic datasets (plain data, as stored) in memory and groups them per
   owner and source as ``insyn quality`` does;
2. bulk-inserts COUNT records (90 % datasets, 10 % documents, spread over twelve units
   of one municipality, three sources, a year of harvest runs and incidents) straight
   into a fresh SQLite store through the store's models (no harvest: that is
   ``bench/harvest.py``'s job);
3. times, over that store, ``quality_table`` (what ``insyn quality`` computes),
   ``build_report`` for the municipality (every record), rendering the report as HTML
   with its charts and as PDF, and ``insyn report --format pdf`` end to end through the
   CLI. The target is quality scoring plus the report (build, charts, PDF) under 30 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from insyn.catalogue.models import CatalogueRecord, HarvestRun, Incident, Organisation, Source
from insyn.catalogue.store import Catalogue
from insyn.settings import load_settings
from insyn.vocab import quality
from insyn.vocab.model import Agent, ContactPoint, Dataset, Distribution, Document, to_dict

FT = "http://publications.europa.eu/resource/authority/file-type/"
AR = "http://publications.europa.eu/resource/authority/access-right/"
ROOT = "Benchby kommun"
UNITS = [f"Nämnd {n}" for n in range(1, 13)]
TARGET_SECONDS = 30.0


def dataset(number: int) -> dict:
    record = Dataset(
        title={"sv": f"Datamängd {number}"},
        description={"sv": "Beskrivning"} if number % 7 else {},
        keyword={"sv": ["a"]} if number % 3 else {},
        theme=["http://publications.europa.eu/resource/authority/data-theme/ENVI"],
        publisher=Agent(name={"sv": f"Nämnd {number % 12}"}),
        contact_point=[ContactPoint(email="x@exempel.se")] if number % 5 else [],
        distributions=[
            Distribution(
                access_url=f"https://data.exempel.se/{number}",
                download_url=f"https://data.exempel.se/{number}.csv" if number % 2 else None,
                format=FT + ("CSV" if number % 4 else "XLS"),
                license="http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
            )
        ],
    )
    data = to_dict(record)
    governance = data.setdefault("governance", {})
    governance["access_rights"] = AR + ("PUBLIC" if number % 13 else "NON_PUBLIC")
    if number % 3 == 0:
        governance.update(confidentiality=1, integrity=2, availability=1)
    if number % 4 == 0:
        governance["retention"] = {"action": "bevaras", "derived_from": "rule-1"}
    if number % 2 == 0:
        governance["contains_personal_data"] = number % 8 == 0
    return data


def document(number: int) -> dict:
    record = Document(
        title={"sv": f"Handling {number}"},
        case_diarienummer=f"KS 2026/{number}",
        document_number=str(number),
    )
    return to_dict(record)


def score_in_memory(count: int) -> float:
    data = [dataset(n) for n in range(count)]
    started = time.perf_counter()
    groups = quality.group_scores(
        (item, (f"owner:{n % 12}", f"source:{n % 30}")) for n, item in enumerate(data)
    )
    seconds = time.perf_counter() - started
    print(
        f"  i minnet: {count:,} datamängder poängsatta och grupperade ({len(groups)} grupper) "
        f"på {seconds:.1f} s ({count / seconds:,.0f} per sekund)"
    )
    return seconds


def fill_store(catalogue: Catalogue, count: int) -> None:
    """Bulk-insert ``count`` records, their organisations, sources, runs and incidents."""
    rng = random.Random(2026)
    now = datetime.now(UTC)
    year_start = datetime(now.year, 1, 1, tzinfo=UTC)
    with catalogue.session() as session:
        root = Organisation(name_sv=ROOT, uri="https://bench.example/org")
        session.add(root)
        session.flush()
        units = [
            Organisation(name_sv=name, uri=f"https://bench.example/org/{i}", parent_id=root.id)
            for i, name in enumerate(UNITS)
        ]
        session.add_all(units)
        session.flush()
        sources = [
            Source(name=f"bench-{i}", kind="dcat", url=None, options={}, created_at=year_start)
            for i in range(3)
        ]
        session.add_all(sources)
        session.flush()
        runs = []
        for source in sources:
            for day in range(0, (now - year_start).days, 1):
                started = year_start + timedelta(days=day, hours=2)
                runs.append(
                    {
                        "source_id": source.id,
                        "status": "failed" if rng.random() < 0.04 else "completed",
                        "started_at": started,
                        "finished_at": started + timedelta(minutes=3),
                    }
                )
        session.execute(insert(HarvestRun), runs)
        incidents = []
        for n in range(120):
            created = year_start + timedelta(days=rng.randrange(0, (now - year_start).days))
            resolved = created + timedelta(hours=rng.randrange(1, 96)) if n % 3 else None
            incidents.append(
                {
                    "source_id": sources[n % 3].id,
                    "kind": ("run_failed", "validation_failed", "quality_drop")[n % 3],
                    "message": f"Avvikelse {n}",
                    "status": "resolved" if resolved else "open",
                    "created_at": created,
                    "resolved_at": resolved,
                    "resolved_by": "bench" if resolved else None,
                    "details": {},
                }
            )
        session.execute(insert(Incident), incidents)
        unit_ids = [unit.id for unit in units]
        source_ids = [source.id for source in sources]
        session.commit()
    chunk = 5000
    for start in range(0, count, chunk):
        rows = []
        for n in range(start, min(count, start + chunk)):
            is_dataset = n % 10 != 0
            data = dataset(n) if is_dataset else document(n)
            first_seen = year_start - timedelta(days=rng.randrange(0, 500))
            rows.append(
                {
                    "id": f"{n:032x}",
                    "kind": "dataset" if is_dataset else "document",
                    "uri": f"https://bench.example/record/{n}",
                    "source_id": source_ids[n % 3],
                    "source_key": f"https://bench.example/record/{n}",
                    "title": data["title"]["sv"],
                    "content_hash": f"{n:064x}",
                    "data": data,
                    "field_provenance": {},
                    "access_rights": "PUBLIC" if n % 13 else "NON_PUBLIC",
                    "is_public": bool(n % 13),
                    "contains_personal_data": None,
                    "publisher_id": unit_ids[n % 12],
                    "owner_id": unit_ids[n % 12],
                    "first_seen": first_seen,
                    "last_changed": first_seen,
                }
            )
        with catalogue.session() as session:
            session.execute(insert(CatalogueRecord), rows)
            session.commit()


def timed(label: str, function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f} s")
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Keep the store in this directory.")
    options = parser.parse_args()
    count = options.count

    print("1. Poängsättning i minnet")
    score_in_memory(count)

    home = options.keep or Path(tempfile.mkdtemp(prefix="insyn-bench-followup-"))
    home.mkdir(parents=True, exist_ok=True)
    settings = load_settings(home=home)
    catalogue = Catalogue(settings.catalogue_url)
    print(f"2. Lagret ({settings.catalogue_url})")
    timed(f"{count:,} poster inlagda", fill_store, catalogue, count)

    from insyn.followup import report as rendering
    from insyn.followup.report.figures import build_report, quality_table

    year = datetime.now(UTC).year
    print(f"3. Uppföljning över {count:,} poster")
    (total, by_owner, _), quality_seconds = timed(
        "insyn quality (quality_table)", quality_table, catalogue
    )
    print(
        f"     {total.datasets:,} datamängder, {total.points:.0f} av {quality.MAX_POINTS} "
        f"poäng i snitt ({total.rating_label}), {len(by_owner)} ägare"
    )
    report, _ = timed(f"build_report({ROOT!r}, {year})", build_report, catalogue, ROOT, year)
    print(
        f"     {report.records.total:,} poster, {report.records.datasets_scored:,} "
        f"poängsatta, {report.harvest.runs:,} körningar, "
        f"{report.harvest.incidents_opened} nya avvikelser"
    )
    timed("render_html (med diagram)", rendering.render_html, report)
    pdf, _ = timed("render_pdf (WeasyPrint)", rendering.render_pdf, report)
    print(f"     PDF {len(pdf) / 1024:.0f} kB")

    from click.testing import CliRunner

    from insyn.cli import main as cli

    output = home / "rapport.pdf"
    arguments = ["--home", str(home), "report", "--owner", ROOT, "--period", str(year)]
    arguments += ["--format", "pdf", "--output", str(output)]
    started = time.perf_counter()
    result = CliRunner().invoke(cli, arguments)
    cli_seconds = time.perf_counter() - started
    print(f"  insyn report --format pdf (hela kommandot): {cli_seconds:.1f} s")
    if result.exit_code != 0:
        print(f"PROBLEM: insyn report avslutades med {result.exit_code}: {result.output}")

    catalogue.close()
    if options.keep is None:
        shutil.rmtree(home, ignore_errors=True)
    measured = quality_seconds + cli_seconds
    scale = count / 100_000
    target = TARGET_SECONDS * scale if scale < 1 else TARGET_SECONDS
    verdict = "PASS" if measured < target and result.exit_code == 0 else "MISS"
    print(
        f"{verdict}: insyn quality + insyn report över {count:,} poster på {measured:.1f} s "
        f"(mål < {target:.0f} s)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
