"""Soak test: many sources on a schedule, several workers, random failures.

    .venv/bin/python bench/soak.py [--minutes 15] [--sources 200] [--workers 2] [--sqlite]

A local HTTP server on 127.0.0.1 serves each source's DCAT catalogue; a share of the
requests (``--fail-rate``, default 10 %) fails at random: HTTP 500, a response slower
than the source's read timeout, or a body cut off before its Content-Length. Every
source is scheduled each minute (``* * * * *``) and ``--workers`` real ``insyn
scheduler`` processes share them on PostgreSQL (a fresh database on the test server,
``INSYN_TEST_POSTGRES_URL``) or, with ``--sqlite``, on one SQLite file.

Reports runs by outcome, duplicate runs (overlapping runs of one source, or two runs
of one source in one scheduled minute: must be 0), records lost (a source's record
missing or tombstoned although the source never dropped it: must be 0) and the
resident memory of each worker after the first minute and at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insyn.catalogue.models import CatalogueRecord, HarvestRun, Source  # noqa: E402
from insyn.catalogue.store import Catalogue  # noqa: E402

INSYN = str(Path(sys.executable).with_name("insyn"))
ADMIN_URL = os.environ.get(
    "INSYN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def catalogue_ttl(source: int, records: int) -> bytes:
    head = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
        f"<https://soak.exempel.se/org/{source}> a foaf:Agent ; "
        f'foaf:name "Förvaltning {source}"@sv .\n'
    )
    body = "".join(
        f"<https://soak.exempel.se/{source}/dataset/{n}> a dcat:Dataset ;\n"
        f'  dcterms:title "Datamängd {n} från källa {source}"@sv ;\n'
        f'  dcterms:description "Beskrivning av datamängd {n}."@sv ;\n'
        f"  dcterms:publisher <https://soak.exempel.se/org/{source}> .\n"
        for n in range(records)
    )
    return (head + body).encode()


class Counters:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.served: Counter[str] = Counter()

    def add(self, kind: str) -> None:
        with self.lock:
            self.served[kind] += 1


def serve(records: int, fail_rate: float, read_timeout: float, counters: Counters):
    bodies: dict[int, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            number = int(self.path.strip("/").split(".")[0].removeprefix("s"))
            body = bodies.setdefault(number, catalogue_ttl(number, records))
            if random.random() < fail_rate:
                kind = random.choice(["http_500", "timeout", "truncated"])
                counters.add(kind)
                if kind == "http_500":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if kind == "timeout":
                    time.sleep(read_timeout + 1.0)
                self.send_response(200)
                self.send_header("Content-Type", "text/turtle")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body if kind == "timeout" else body[: len(body) // 2])
                self.close_connection = True
                return
            counters.add("ok")
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    class QuietServer(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that gave up on a slow answer is part of the test

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="runs at once per worker")
    parser.add_argument("--fail-rate", type=float, default=0.10)
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="insyn-soak-"))
    database = None
    if args.sqlite:
        url = f"sqlite:///{work / 'insyn.sqlite3'}"
    else:
        import psycopg

        database = f"insyn_soak_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        url = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    read_timeout = 2.0
    counters = Counters()
    server = serve(args.records, args.fail_rate, read_timeout, counters)
    host, port = server.server_address[:2]
    catalogue = Catalogue(url)
    # The sources are on this machine: internal, so they must be allowed as such (the
    # HTTP transport refuses private addresses otherwise, and every run would fail).
    options = {
        "read_timeout": str(read_timeout),
        "retries": "0",
        "requests_per_second": "0",
        "allow_private": "ja",
    }
    for number in range(args.sources):
        catalogue.add_source(
            f"soak-{number:03d}",
            "dcat",
            f"http://{host}:{port}/s{number}.ttl",
            options,
            schedule="* * * * *",
        )
    print(f"{args.sources} sources on http://{host}:{port}/, database {url}", flush=True)

    workers = []
    for number in range(args.workers):
        log = (work / f"worker-{number}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [
                    INSYN,
                    "--database-url",
                    url,
                    "scheduler",
                    "--no-index",
                    "--workers",
                    str(args.threads),
                    "--log-format",
                    "json",
                ],
                env={**os.environ, "INSYN_HOME": str(work / f"home-{number}")},
                stdout=log,
                stderr=log,
            )
        )
    started = time.monotonic()
    end = started + args.minutes * 60
    memory_start: dict[int, int | None] = {}
    while time.monotonic() < end:
        time.sleep(5)
        if not memory_start and time.monotonic() - started > 60:
            memory_start = {w.pid: rss_kib(w.pid) for w in workers}
        if any(w.poll() is not None for w in workers):
            print("a worker exited early; see", work, flush=True)
            break
    memory_end = {w.pid: rss_kib(w.pid) for w in workers}
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()
    server.shutdown()

    with catalogue.session() as session:
        runs = list(session.scalars(select(HarvestRun).order_by(HarvestRun.id)))
        live = dict(
            session.execute(
                select(CatalogueRecord.source_id, func.count())
                .where(CatalogueRecord.deleted_at.is_(None))
                .group_by(CatalogueRecord.source_id)
            ).all()
        )
        tombstoned = session.scalar(
            select(func.count()).where(CatalogueRecord.deleted_at.is_not(None))
        )
        source_ids = list(session.scalars(select(Source.id)))
    by_source: dict[int, list[HarvestRun]] = defaultdict(list)
    for run in runs:
        by_source[run.source_id].append(run)
    overlaps = 0
    same_minute = 0
    for source_runs in by_source.values():
        source_runs.sort(key=lambda run: run.started_at)
        for earlier, later in itertools.pairwise(source_runs):
            if earlier.finished_at is None or earlier.finished_at > later.started_at:
                overlaps += 1
        minutes = Counter(run.started_at.replace(second=0, microsecond=0) for run in source_runs)
        same_minute += sum(count - 1 for count in minutes.values() if count > 1)
    completed_sources = {r.source_id for r in runs if r.status == "completed"}
    lost = sum(args.records - live.get(sid, 0) for sid in completed_sources) + (tombstoned or 0)
    report = {
        "minutes": args.minutes,
        "store": "sqlite" if args.sqlite else "postgresql",
        "sources": args.sources,
        "workers": args.workers,
        "runs": dict(Counter(run.status for run in runs)),
        "runs_per_worker": dict(Counter((run.worker or "?").split(":")[1] for run in runs)),
        "requests_served": dict(counters.served),
        "duplicate_runs": overlaps + same_minute,
        "overlapping_runs": overlaps,
        "second_runs_in_one_minute": same_minute,
        "sources_never_completed": len(set(source_ids) - completed_sources),
        "records_lost": lost,
        "memory_kib_after_first_minute": memory_start,
        "memory_kib_at_end": memory_end,
        "memory_growth_kib": {
            pid: (memory_end.get(pid) or 0) - (memory_start.get(pid) or 0)
            for pid in memory_end
            if memory_start.get(pid)
        },
        "work_dir": str(work),
    }
    print(json.dumps(report, indent=2, default=str))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"soak-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    catalogue.close()
    if database and not args.keep:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    held = report["duplicate_runs"] == 0 and lost == 0
    # Each injected fault fails its run and nothing else fails one: a soak whose runs all
    # fail for another reason (a source refused, say) says nothing of duplicates or losses.
    faults = sum(count for kind, count in counters.served.items() if kind != "ok")
    ran = report["runs"].get("failed", 0) == faults and report["runs"].get("completed", 0) > 0
    print(f"{'PASS' if held else 'MISS'}  no duplicate run and no record lost")
    print(f"{'PASS' if ran else 'MISS'}  the runs that failed are the injected faults ({faults})")
    return 0 if held and ran else 1


if __name__ == "__main__":
    sys.exit(main())
