"""Scale-out benchmark: 200 DCAT sources harvested by 1, 2 and 4 ``insyn scheduler``
processes sharing the claims on the machine's PostgreSQL.

``make bench`` runs ``.venv/bin/python bench/scaleout.py``. It

1. writes ``--sources`` DCAT-AP catalogues (default 200) with ``bench/harvest.py``'s
   generator, a fixed seed each, their sizes drawn from a log-normal mix (a few large
   sources, many small ones) adding up to ``--records`` datasets (default 30,000; the
   1,000,000 of a real night would take hours on this machine, so the capacity table in
   ``docs/deployment.md`` is calculated from these figures), and serves them from a local
   HTTP server on 127.0.0.1 (each source has ``allow_private=ja``, as an internal source);
2. for each ``--workers`` count (default 1, 2, 4): creates a fresh PostgreSQL database
   (``--admin-url``, default ``postgresql://postgres@127.0.0.1:5432/postgres``), migrates
   it once, adds the sources, each scheduled for the same minute (``M H * * *``, as a
   nightly ``0 3 * * *``), and starts that many ``insyn --database-url URL scheduler
   --no-index --workers T`` processes (T = ``--threads``, default 4, the command's own
   default). From the scheduled minute until every source has a finished run it samples,
   every second, the CPU time of the workers, of the PostgreSQL backends serving the bench
   database and of the whole machine (``/proc/stat``). Then it stops the workers with
   SIGTERM and drops the database (``--keep`` keeps it);
3. checks the claims: exactly one run per source, all completed, no two runs of a source,
   every dataset stored once; counts the runs each worker took and the scheduled runs each
   refused because another worker had the claim (``claim_busy`` in the JSON logs);
4. after the first count, times ``insyn index`` (the search index catch-up a separate
   process does when the workers run with ``--no-index``; embedded engine) as a process;
5. prints sources/hour and datasets/s for each count, the growth from 1 to 2 to 4, CPU
   seconds per 1,000 datasets (workers and PostgreSQL), the machine and its load.

The machine has 2 cores, shared with other work: past 2 busy processes more workers only
share the same cores, so the growth from 2 to 4 says how much time a worker spends waiting
(on PostgreSQL, on HTTP), not how a bigger machine scales. ``--json`` prints the figures as
JSON; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for folder in (BENCH_DIR, ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import harvest as generator  # noqa: E402  (bench/harvest.py: the DCAT generator)
from machine import machine  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from insyn.catalogue.models import CatalogueRecord, HarvestRun, Source  # noqa: E402
from insyn.catalogue.store import Catalogue  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SEED = 20_261_205
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TICK = os.sysconf("SC_CLK_TCK")
LEAD_SECONDS = 45  # the scheduled minute is at least this far ahead: the workers start first
RUN_TIMEOUT = 3600.0
NIGHT_DATASETS = 1_000_000  # issue #16: 1M datasets from 200 sources within one night
NIGHT_HOURS = 8


def _log(message: str) -> None:
    print(f"[scaleout {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the sources -----------------------------------------------------------------------


def source_sizes(sources: int, records: int, seed: int = SEED) -> list[int]:
    """Datasets per source: log-normal (many small catalogues, a few large), summing to
    ``records``; at least 5 each."""
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0.0, 1.1) for _ in range(sources)]
    scale = records / sum(weights)
    sizes = [max(5, round(weight * scale)) for weight in weights]
    sizes[sizes.index(max(sizes))] += records - sum(sizes)  # exact total
    return sizes


def source_text(number: int, datasets: int) -> str:
    """Source ``number``'s catalogue: the Norrvik generator with a seed of its own, its
    datasets and distributions under a path of their own; the organisations (publishers)
    are shared by every source, as in one municipality."""
    buffer = io.StringIO()
    writer = generator.RdfWriter(buffer, "turtle")
    generator.CatalogueGenerator(datasets, seed=SEED + number).write(writer)
    text = buffer.getvalue()
    for part in ("dataset/", "distribution/", "katalog"):
        text = text.replace(generator.BASE + part, f"{generator.BASE}k{number:03d}/{part}")
    return text.replace('"norrvik-', f'"k{number:03d}-norrvik-')


def write_sources(folder: Path, sizes: list[int]) -> None:
    """Write the files (kept in ``folder`` and reused while the sizes are the same)."""
    meta = folder / "sizes.json"
    if meta.exists() and json.loads(meta.read_text()) == sizes:
        _log(f"reusing the {len(sizes)} source files in {folder}")
        return
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for number, size in enumerate(sizes):
        (folder / f"s{number:03d}.ttl").write_text(source_text(number, size), encoding="utf-8")
    meta.write_text(json.dumps(sizes))
    seconds = time.perf_counter() - started
    _log(f"wrote {len(sizes)} sources, {sum(sizes):,} datasets in {seconds:.0f} s")


def serve(folder: Path) -> ThreadingHTTPServer:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- CPU sampling ----------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def _backends(database: str) -> list[int]:
    """Pids of the PostgreSQL backends connected to ``database`` (their command line
    names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"postgres:") and f" {database} ".encode() in command:
            pids.append(int(entry.name))
    return pids


class Sampler:
    """Every second, the CPU seconds of each worker and of each PostgreSQL backend of the
    bench database (the last sample of a process that ended still counts)."""

    def __init__(self, workers: list[int], database: str) -> None:
        self.workers = workers
        self.database = database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.machine_start = _machine_ticks()
        self.machine_end = self.machine_start
        self._stop = threading.Event()
        self._sample()
        self.first = dict(self.last)  # time spent before the window is not the run's
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        for pid in (*self.workers, *_backends(self.database)):
            cpu = process_cpu_seconds(pid)
            if cpu is not None:
                self.last[pid] = cpu
        self.machine_end = _machine_ticks()

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._sample()

        def used(pids: set[int]) -> float:
            return sum(self.last[pid] - self.first.get(pid, 0.0) for pid in pids)

        workers = set(self.workers)
        busy = self.machine_end[0] - self.machine_start[0]
        total = self.machine_end[1] - self.machine_start[1]
        return {
            "workers_cpu_s": round(used(workers), 1),
            "postgres_cpu_s": round(used(set(self.last) - workers), 1),
            # all cores, every process on the machine (other people's work included)
            "machine_busy_cores": round((os.cpu_count() or 1) * busy / total, 2) if total else 0,
        }


# --- one worker count ------------------------------------------------------------------


def scheduled_minute(lead: float = LEAD_SECONDS) -> datetime:
    """The first whole minute at least ``lead`` seconds from now, in Swedish time."""
    at = datetime.now(STOCKHOLM) + timedelta(seconds=lead)
    return (at + timedelta(minutes=1)).replace(second=0, microsecond=0)


def create_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"insyn_scaleout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_bytes(catalogue: Catalogue, database: str) -> int:
    with catalogue.engine.connect() as connection:
        return connection.execute(select(func.pg_database_size(database))).scalar_one()


def log_events(path: Path) -> Counter[str]:
    events: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                events[json.loads(line).get("event") or "?"] += 1
            except json.JSONDecodeError:
                continue
    return events


def run_count(
    workers: int, args: argparse.Namespace, base_url: str, sizes: list[int], work: Path
) -> dict[str, Any]:
    """Harvest every source once with ``workers`` scheduler processes; figures and checks."""
    database, url = create_database(args.admin_url)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        catalogue = Catalogue(url)  # migrates once, before the workers start
        at = scheduled_minute()
        schedule = f"{at.minute} {at.hour} * * *"
        options = {"allow_private": "ja"}
        for number in range(len(sizes)):
            catalogue.add_source(
                f"kalla-{number:03d}",
                "dcat",
                f"{base_url}/s{number:03d}.ttl",
                options,
                schedule=schedule,
            )
        empty_bytes = database_bytes(catalogue, database)
        _log(f"{workers} worker(s): {len(sizes)} sources scheduled '{schedule}' (at {at:%H:%M:%S})")
        logs = []
        for number in range(workers):
            log_path = work / f"worker-{workers}-{number}.log"
            logs.append(log_path)
            with log_path.open("wb") as log:
                processes.append(
                    subprocess.Popen(
                        [
                            *generator.insyn_command(),
                            "--database-url",
                            url,
                            "scheduler",
                            "--no-index",
                            "--workers",
                            str(args.threads),
                            "--log-format",
                            "json",
                        ],
                        env={**os.environ, "INSYN_HOME": str(work / f"home-{workers}-{number}")},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        time.sleep(max(0.0, at.timestamp() - time.time()))
        sampler = Sampler([p.pid for p in processes], database)
        started = time.perf_counter()
        finished = 0
        while time.perf_counter() - started < RUN_TIMEOUT:
            with catalogue.session() as session:
                finished = session.scalar(
                    select(func.count(func.distinct(HarvestRun.source_id))).where(
                        HarvestRun.status != "running"
                    )
                )
            if finished >= len(sizes) or any(p.poll() is not None for p in processes):
                break
            time.sleep(1.0)
        wall_polled = time.perf_counter() - started
        cpu = sampler.stop()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
        figures = measure(catalogue, sizes, at, workers, args.threads)
        grown = database_bytes(catalogue, database) - empty_bytes
        figures["database_bytes_per_dataset"] = round(grown / (figures["datasets_stored"] or 1))
        figures.update(cpu)
        figures["wall_polled_s"] = round(wall_polled, 1)
        figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        figures["worker_exits"] = [p.returncode for p in processes]
        events = [log_events(path) for path in logs]
        figures["claim_busy_per_worker"] = [e.get("claim_busy", 0) for e in events]
        figures["errors_logged"] = sum(e.get("?", 0) for e in events)
        done = figures["datasets_stored"] or 1
        figures["cpu_ms_per_dataset_workers"] = round(1000 * cpu["workers_cpu_s"] / done, 2)
        figures["cpu_ms_per_dataset_postgres"] = round(1000 * cpu["postgres_cpu_s"] / done, 2)
        if workers == args.workers[0] and not args.skip_index:
            figures["index"] = time_index(url, work / "home-index")
        catalogue.close()
        return figures
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        if not args.keep:
            drop_database(args.admin_url, database)
        else:
            _log(f"kept database {url}")


def measure(
    catalogue: Catalogue, sizes: list[int], at: datetime, workers: int, threads: int
) -> dict[str, Any]:
    """What the workers did, read from the catalogue: timings and the claims' checks."""
    with catalogue.session() as session:
        runs = list(session.scalars(select(HarvestRun)))
        sources = {s.id: s.name for s in session.scalars(select(Source))}
        stored = session.execute(
            select(CatalogueRecord.source_id, func.count())
            .where(CatalogueRecord.deleted_at.is_(None), CatalogueRecord.kind == "dataset")
            .group_by(CatalogueRecord.source_id)
        ).all()
    per_source = Counter(run.source_id for run in runs)
    expected = {sources[sid]: sizes[int(name.rsplit("-", 1)[1])] for sid, name in sources.items()}
    stored_by_name = {sources[sid]: count for sid, count in stored}
    finished = [run.finished_at for run in runs if run.finished_at]
    first_start = min(run.started_at for run in runs) if runs else None
    last_end = max(finished) if finished else None
    slot = at.astimezone(UTC)
    wall = (last_end - slot).total_seconds() if last_end else float("nan")
    datasets = sum(run.added for run in runs if run.status == "completed")
    return {
        "workers": workers,
        "threads_per_worker": threads,
        "sources": len(sizes),
        "datasets": sum(sizes),
        "scheduled_at": slot.isoformat(),
        "first_run_started_after_s": round((first_start - slot).total_seconds(), 1)
        if first_start
        else None,
        "wall_s": round(wall, 1),
        "sources_per_hour": round(len(finished) * 3600 / wall) if wall > 0 else 0,
        "datasets_per_s": round(datasets / wall, 1) if wall > 0 else 0,
        "runs": dict(Counter(run.status for run in runs)),
        "runs_per_worker": sorted(
            Counter((run.worker or "?").split(":")[1] for run in runs).values(), reverse=True
        ),
        "datasets_stored": sum(stored_by_name.values()),
        "checks": {
            "sources_run_twice": sum(1 for count in per_source.values() if count > 1),
            "sources_never_run": len(set(sources) - set(per_source)),
            "runs_not_completed": sum(1 for run in runs if run.status != "completed"),
            "sources_with_wrong_count": sum(
                1 for name, size in expected.items() if stored_by_name.get(name, 0) != size
            ),
        },
    }


def time_index(url: str, home: Path) -> dict[str, Any]:
    """``insyn index`` as a process: the catch-up of every harvested record (embedded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [*generator.insyn_command(), "--home", str(home), "--database-url", url, "index"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "command": "insyn index (embedded engine)",
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "exit": done.returncode,
        "output": done.stdout.strip()[-300:],
    }


# --- report ----------------------------------------------------------------------------


def problems(figures: dict[str, Any]) -> list[str]:
    found = []
    for run in figures["runs"]:
        for check, count in run["checks"].items():
            if count:
                found.append(f"{run['workers']} worker(s): {check} = {count}")
        if any(code not in (0, None) for code in run["worker_exits"]):
            found.append(f"{run['workers']} worker(s): exit codes {run['worker_exits']}")
    return found


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    lines = [
        f"Scale-out: {figures['sources']} DCAT sources, {figures['datasets']:,} datasets "
        f"(sizes {figures['size_min']}–{figures['size_max']}, median {figures['size_median']}), "
        f"PostgreSQL {figures['postgres']}, `insyn scheduler --no-index --workers "
        f"{figures['threads']}` processes",
        f"machine: {m['nproc']} × {m['cpu']}, {m['ram_gb']} GB, Python {m['python']}; "
        f"load average at start {m['load_average']}",
        "",
        "| worker processes | wall s | sources/hour | datasets/s | growth | runs per worker "
        "| refused claims | worker CPU ms/dataset | PostgreSQL CPU ms/dataset "
        "| cores the workers got | machine busy cores | load at end |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    base = figures["runs"][0]["datasets_per_s"] or 1
    for run in figures["runs"]:
        lines.append(
            f"| {run['workers']} | {run['wall_s']} | {run['sources_per_hour']:,} "
            f"| {run['datasets_per_s']:,} | {run['datasets_per_s'] / base:.2f} × "
            f"| {run['runs_per_worker']} | {sum(run['claim_busy_per_worker'])} "
            f"| {run['cpu_ms_per_dataset_workers']} | {run['cpu_ms_per_dataset_postgres']} "
            f"| {run['workers_cpu_s'] / run['wall_s']:.2f} "
            f"| {run['machine_busy_cores']} of {m['nproc']} | {run['load_average_end'][0]} |"
        )
    lines.append("")
    hours = [NIGHT_DATASETS / run["datasets_per_s"] / 3600 for run in figures["runs"]]
    lines.append(
        f"{NIGHT_DATASETS:,} datasets (200 sources, one night) at these rates, harvest "
        "only, sources on this machine: "
        + ", ".join(f"{h:.1f} h" for h in hours)
        + f" (target: within {NIGHT_HOURS} h): "
        + ("PASS" if max(hours) <= NIGHT_HOURS else "MISS")
    )
    for run in figures["runs"]:
        checks = ", ".join(f"{k} {v}" for k, v in run["checks"].items())
        verdict = "PASS" if not any(run["checks"].values()) else "MISS"
        lines.append(f"claims, {run['workers']} worker(s): {checks} (all must be 0): {verdict}")
        if "database_bytes_per_dataset" in run:
            lines.append(
                f"PostgreSQL database growth: {run['database_bytes_per_dataset']:,} bytes/dataset"
            )
        index = run.get("index")
        if index:
            rate = figures["datasets"] / index["seconds"] if index["seconds"] else 0
            lines.append(
                f"index catch-up afterwards, {index['command']}: {index['seconds']} s, "
                f"{index['cpu_s']} CPU s, {rate:,.0f} records/s (exit {index['exit']})"
            )
    lines.append(
        f"The machine has {m['nproc']} cores, shared with other work: the workers and "
        "PostgreSQL share them, so past 2 busy processes more workers only overlap waiting, "
        "and when other work keeps the cores busy the wall-time growth mostly says how much "
        "of the cores the workers won ('cores the workers got' = their CPU seconds / wall "
        "seconds). CPU ms per dataset is the figure to plan with; the growth is this "
        "machine's, not a larger one's."
    )
    for problem in problems(figures):
        lines.append(f"PROBLEM: {problem}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--records", type=int, default=30_000, help="datasets in all")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--threads", type=int, default=4, help="runs at once per worker (scheduler --workers)"
    )
    parser.add_argument("--admin-url", default=ADMIN_URL, help="a database to create others from")
    parser.add_argument("--out", help="working directory (default: a temp dir in bench/out/)")
    parser.add_argument("--keep", action="store_true", help="keep databases and files")
    parser.add_argument("--skip-index", action="store_true", help="do not time insyn index")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    work = Path(args.out or tempfile.mkdtemp(prefix="scaleout-", dir=BENCH_DIR / "out"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = source_sizes(args.sources, args.records)
    write_sources(work / "sources", sizes)
    server = serve(work / "sources")
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    import psycopg

    with psycopg.connect(args.admin_url, autocommit=True) as connection:
        postgres = connection.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    ordered = sorted(sizes)
    figures: dict[str, Any] = {
        "machine": machine(),
        "postgres": postgres,
        "sources": args.sources,
        "datasets": sum(sizes),
        "size_min": ordered[0],
        "size_max": ordered[-1],
        "size_median": ordered[len(ordered) // 2],
        "threads": args.threads,
        "runs": [],
    }
    try:
        for workers in args.workers:
            run = run_count(workers, args, base_url, sizes, work)
            figures["runs"].append(run)
            _log(
                f"{workers} worker(s): {run['wall_s']} s, {run['sources_per_hour']:,} sources/h, "
                f"{run['datasets_per_s']} datasets/s, checks {run['checks']}"
            )
    finally:
        server.shutdown()
        if not (args.keep or args.out):
            shutil.rmtree(work, ignore_errors=True)
    growth = [run["datasets_per_s"] for run in figures["runs"]]
    figures["growth"] = [round(rate / growth[0], 2) if growth[0] else None for rate in growth]
    saved = BENCH_DIR / "out" / f"scaleout-{time.strftime('%Y%m%d-%H%M%S')}.json"
    saved.write_text(json.dumps(figures, indent=2, default=str))
    _log(f"figures saved in {saved}")
    print(json.dumps(figures, indent=2, default=str) if args.json else render(figures))
    return 1 if problems(figures) else 0


if __name__ == "__main__":
    sys.exit(main())
