"""Search speed under load at a million records: searches while another process indexes,
and ``/api/search`` under eight concurrent clients of ``insyn serve``.

``.venv/bin/python bench/search_load.py`` (``--records N``, default 1,000,000):

1. builds, or reuses, a catalogue of N generated records and its embedded index in
   ``bench/out/search-load-<N>/`` (gitignored): the first run calls ``bench/search.py
   --out`` for it (the generator of ``bench/search_data.py``, records stored as a harvest
   stores them, indexed through ``Indexer.catch_up``); later runs reuse the catalogue.
   ``insyn index`` then brings the index up to date with it (a no-op when nothing
   changed; a rebuild when there is no index yet or its documents' version is older than
   the code's), timed;
2. (a) times the two-word queries with five facets (publisher, theme, format, year, kind;
   20 hits, highlighting) through the product's query path, ``run_search`` of the web app
   as an anonymous visitor (the public partition, the lagging-index guard and the
   visibility check included), and the engine's part of it alone (the backend's search,
   as ``run_search`` asks it), first on a quiet index and then each while another
   process, ``insyn index``, catches the index up with ``--touch`` changed records
   (change-log entries written for them, as a harvest writes them): only the searches
   that ended while that process was indexing count (at most ``--limit`` seconds);
3. (b) starts ``insyn serve --workers W`` as its own process (``--web-workers``, default
   the machine's cores; rate limit off, so the load reaches the work) and runs
   ``--clients`` (8) concurrent clients, each a thread with its own HTTP
   connection asking ``/api/search`` with the same queries and five facets one after the
   other for ``--seconds``; every request's wall time is kept;
4. prints p50/p95/p99 of each against the targets of issue #16 (search p95 <= 25 ms while
   another process indexes; ``/api/search`` p95 <= 40 ms under 8 clients), PASS or MISS,
   the machine and its load average before and after each part, and the CPU time: per
   search of the searching process in (a), of the server's processes per request in (b)
   (read from /proc), and in (b) each server process's CPU time (the clients' connections
   may crowd onto one of them): on a shared machine wall times grow with the load.

``--api-only`` runs part (b) alone. ``--json`` prints every figure as JSON. Progress goes to
stderr. The requests go to 127.0.0.1 only, and every loop stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import requests  # noqa: E402
from machine import machine  # noqa: E402
from search import FIVE_FACETS, META, PAGE_SIZE, TARGET_RECORDS, load, percentiles  # noqa: E402
from web_load import free_port, wait_until_up  # noqa: E402

INSYN = Path(sys.executable).with_name("insyn")
TARGET_SEARCH_P95_MS = 25.0  # two words + five facets while another process indexes
TARGET_API_P95_MS = 40.0  # /api/search under 8 concurrent clients
TOUCH_SEED = 11
WARMUP = 20


def _log(message: str) -> None:
    print(f"[search-load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the catalogue and its index --------------------------------------------------------


def prepare(work: Path, records: int) -> dict[str, Any]:
    """Build the catalogue and index in ``work`` unless an earlier run left them; return
    the earlier run's figures (queries included)."""
    meta_file = work / META
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    # The catalogue is complete once bench/search.py wrote its queries; the index is
    # whatever insyn index makes of it (see catch_up).
    if meta.get("records") != records or "queries" not in meta:
        _log(f"building {records:,} records and their index in {work} (bench/search.py) ...")
        started = time.perf_counter()
        with open(work.parent / f"{work.name}-build.txt", "w", encoding="utf-8") as out:
            subprocess.run(
                [
                    sys.executable,
                    str(BENCH_DIR / "search.py"),
                    "--records",
                    str(records),
                    "--backends",
                    "embedded",
                    "--out",
                    str(work),
                ],
                check=True,
                stdout=out,
            )
        _log(f"built in {time.perf_counter() - started:,.0f} s")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    return meta


def environment(work: Path, **extra: str) -> dict[str, str]:
    """What an ``insyn`` process needs to use the bench's catalogue and index: the data
    directory is the index's parent, the catalogue its own SQLite file."""
    return {
        **os.environ,
        "INSYN_HOME": str(work / "embedded"),
        "INSYN_DATABASE_URL": f"sqlite:///{work / 'catalogue' / 'insyn.sqlite3'}",
        **extra,
    }


def catch_up(work: Path) -> dict[str, Any]:
    """Run ``insyn index`` to completion; return its wall time and what it said."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(INSYN), "index"], env=environment(work), check=True, capture_output=True, text=True
    )
    return {"seconds": time.perf_counter() - started, "said": done.stdout.strip()}


def touch(catalogue: Any, count: int, seed: int) -> int:
    """Write ``count`` change-log entries for stored records, as a harvest that changed
    them would, so that the next catch-up re-indexes them. Return how many."""
    from sqlalchemy import func, insert, select

    from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry

    with catalogue.session() as session:
        total = session.scalar(select(func.count()).select_from(CatalogueRecord)) or 0
        step = max(1, total // max(count, 1))
        offset = random.Random(seed).randrange(step)
        ids = list(session.scalars(select(CatalogueRecord.id).order_by(CatalogueRecord.id)))[
            offset::step
        ][:count]
        now = datetime.now(UTC)
        for start in range(0, len(ids), 5_000):
            session.execute(
                insert(ChangeLogEntry),
                [
                    {"record_id": record_id, "operation": "upsert", "changed_at": now}
                    for record_id in ids[start : start + 5_000]
                ],
            )
        session.commit()
    return len(ids)


# --- (a) searches while another process indexes ------------------------------------------


def web_state(work: Path) -> Any:
    from insyn.catalogue.store import Catalogue
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.settings import load_settings
    from insyn.web.config import load_web_config
    from insyn.web.state import WebState

    env = environment(work)
    settings = load_settings(home=env["INSYN_HOME"], database_url=env["INSYN_DATABASE_URL"])
    catalogue = Catalogue(settings.catalogue_url)
    return WebState(settings, load_web_config(), catalogue, EmbeddedBackend(settings.home))


def product_search(state: Any, text: str) -> tuple[float, float]:
    """One public search through ``run_search`` (the web's query path: the engine, the
    guard against a lagging index and the visibility check); return its wall time and
    its CPU time in ms (this process's: it only searches, and tantivy and the facet
    counts run in its threads)."""
    from insyn.web.access import ANONYMOUS
    from insyn.web.searching import SearchParams, run_search

    params = SearchParams(q=text, facets=FIVE_FACETS, page_size=PAGE_SIZE)
    started, cpu = time.perf_counter(), time.process_time()
    run_search(state, ANONYMOUS, params)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def engine_search(state: Any, text: str) -> tuple[float, float]:
    """The same search as the engine gets it from ``run_search`` (public partition, five
    facets, 20 hits, highlighting), without the catalogue's guards; wall and CPU ms."""
    from insyn.search.backends.base import SearchRequest

    request = SearchRequest(text, facets=FIVE_FACETS, page_size=PAGE_SIZE, public_only=True)
    started, cpu = time.perf_counter(), time.process_time()
    state.backend.search(request)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def timed(times: list[tuple[float, float]]) -> dict[str, Any]:
    """Percentiles of the wall times, and the mean CPU time per search: on a shared
    machine the wall time grows with the load, the CPU time much less."""
    return percentiles([wall for wall, _ in times]) | {
        "cpu_ms_mean": statistics.fmean(cpu for _, cpu in times)
    }


def while_indexing(
    work: Path, state: Any, queries: list[str], touched: int, search: Any, limit: float
) -> dict[str, Any]:
    """Change ``touched`` records, start ``insyn index`` and time ``search`` over the
    queries, round after round, while it runs (at most ``limit`` seconds of searching);
    only searches that ended while it was still indexing count."""
    count = touch(state.catalogue, touched, TOUCH_SEED)
    load_before = load()
    started = time.perf_counter()
    indexer = subprocess.Popen(
        [str(INSYN), "index"],
        env=environment(work),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    during: list[tuple[float, float]] = []
    try:
        while indexer.poll() is None and time.perf_counter() - started < limit:
            for text in queries:
                ms = search(state, text)
                if indexer.poll() is not None or time.perf_counter() - started >= limit:
                    break
                during.append(ms)
    finally:
        _, errors = indexer.communicate()
    seconds = time.perf_counter() - started
    if indexer.returncode != 0:
        raise SystemExit(f"search load: insyn index failed: {errors.strip()[-500:]}")
    if not during:
        raise SystemExit("search load: the indexer finished before any search ended")
    return timed(during) | {
        "touched": count,
        "indexer_seconds": seconds,
        "indexer_records_per_s": count / seconds,
        "load_before": load_before,
        "load_after": load(),
    }


def searches_while_indexing(
    work: Path, queries: list[str], touched: int, limit: float
) -> dict[str, Any]:
    """Time the queries on a quiet index, then while ``insyn index`` catches up with
    ``touched`` changed records in another process: once the engine's search alone, once
    the whole ``run_search``."""
    state = web_state(work)
    try:
        for text in queries[:WARMUP]:
            product_search(state, text)
        _log(f"(a) {len(queries)} queries on a quiet index ...")
        figures: dict[str, Any] = {}
        for name, search in (("quiet_engine", engine_search), ("quiet", product_search)):
            quiet_load = load()
            figures[name] = timed([search(state, text) for text in queries]) | {
                "load_before": quiet_load
            }
        for name, search in (
            ("engine_while_indexing", engine_search),
            ("while_indexing", product_search),
        ):
            _log(f"(a) {name}: {touched:,} records changed, insyn index runs ...")
            figures[name] = while_indexing(work, state, queries, touched, search, limit)
        for name, f in figures.items():
            _log(f"(a) {name}: n {f['n']}, p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms")
        return figures
    finally:
        state.backend.close()
        state.catalogue.close()


# --- (b) /api/search under concurrent clients --------------------------------------------


def api_under_clients(
    work: Path, queries: list[str], clients: int, seconds: float, workers: int
) -> dict[str, Any]:
    """Start ``insyn serve`` with ``workers`` processes and time ``/api/search`` from
    ``clients`` concurrent clients."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(INSYN), "serve", "--port", str(port), "--workers", str(workers)],
        env=environment(work, INSYN_RATE_LIMIT="0", INSYN_BASE_URL=base),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    facets = [("facet", name) for name in FIVE_FACETS]

    def url(text: str) -> str:
        return f"{base}/api/search?" + urlencode([("q", text), ("page_size", PAGE_SIZE), *facets])

    try:
        wait_until_up(base, time.monotonic() + 600)

        def warm(number: int) -> None:
            # From as many connections as clients, so that every server process warms up.
            with requests.Session() as session:
                for text in queries[number:WARMUP:clients]:
                    session.get(url(text), timeout=60).raise_for_status()

        warming = [threading.Thread(target=warm, args=(n,)) for n in range(clients)]
        for thread in warming:
            thread.start()
        for thread in warming:
            thread.join()
        _log(f"(b) {clients} clients on /api/search for {seconds:.0f} s ...")
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        load_before = load()
        stop = time.monotonic() + seconds

        def client(number: int) -> None:
            # Each client starts at its own place in the queries, so they do not march
            # in step through the same ones.
            order = queries[number * len(queries) // clients :] + queries
            mine: list[float] = []
            bad: list[int] = []
            with requests.Session() as session:
                while time.monotonic() < stop:
                    for text in order:
                        if time.monotonic() >= stop:
                            break
                        started = time.perf_counter()
                        response = session.get(url(text), timeout=60)
                        mine.append((time.perf_counter() - started) * 1000)
                        if response.status_code != 200:
                            bad.append(response.status_code)
            with lock:
                latencies.extend(mine)
                failures.extend(bad)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        cpu_before = process_cpu_seconds(server.pid)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # By process: the clients' connections may crowd onto one of the processes.
        per_process = {
            number: seconds - cpu_before.get(number, 0.0)
            for number, seconds in process_cpu_seconds(server.pid).items()
        }
        server_cpu = sum(per_process.values())
    finally:
        server.terminate()
        server.wait(60)
    figures = percentiles(latencies) | {
        "clients": clients,
        "workers": workers,
        "seconds": seconds,
        "requests_per_s": len(latencies) / seconds,
        "server_cpu_ms_per_request": server_cpu * 1000 / max(len(latencies), 1),
        "server_process_cpu_s": sorted(per_process.values(), reverse=True),
        "failed": len(failures),
        "failed_statuses": sorted(set(failures)),
        "load_before": load_before,
        "load_after": load(),
    }
    _log(
        f"(b) n {figures['n']}, p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"{figures['requests_per_s']:.1f} requests/s"
    )
    return figures


def process_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds (user and system) of process ``pid`` and of each of its children, by
    process id, from /proc."""
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            ticks[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime
    return {number: t / os.sysconf("SC_CLK_TCK") for number, t in ticks.items()}


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) of process ``pid`` and its children, from /proc."""
    return sum(process_cpu_seconds(pid).values())


# --- the report --------------------------------------------------------------------------


def verdicts(figures: dict[str, Any]) -> list[dict[str, Any]]:
    note = "" if figures["records"] == TARGET_RECORDS else f" (target for {TARGET_RECORDS:,})"
    searches = figures.get("searches")
    checks = (
        [
            (
                "search p95, two words + five facets, while another process indexes, ms",
                searches["while_indexing"]["p95_ms"],
                TARGET_SEARCH_P95_MS,
            ),
            (
                "  the same, the engine's search alone (not the target), ms",
                searches["engine_while_indexing"]["p95_ms"],
                TARGET_SEARCH_P95_MS,
            ),
        ]
        if searches
        else []
    )
    checks.append(
        (
            f"/api/search p95, {figures['api']['clients']} concurrent clients, ms",
            figures["api"]["p95_ms"],
            TARGET_API_P95_MS,
        )
    )
    return [
        {
            "check": name,
            "value": value,
            "target": f"<= {target:g}",
            "result": "PASS" if value <= target else "MISS",
            "note": note,
        }
        for name, value, target in checks
    ]


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    index = figures["catch_up"]
    out = [
        f"Search under load: {figures['records']:,} generated records in {figures['work']}",
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM; Python {m['python']}; "
        f"load average at start {m['load_average']}",
        f"insyn index, to bring the index up to date first: {index['seconds']:,.1f} s "
        f"({index['said']!r})",
        f"queries: {figures['queries']} two-word queries drawn from the records, five facets "
        f"({', '.join(FIVE_FACETS)}), {PAGE_SIZE} hits, highlighting",
        "",
        f"  {'':<48} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'CPU':>6}  load (1 min)",
    ]
    searches = figures.get("searches", {})
    rows = [
        ("(a) engine search, quiet index", searches.get("quiet_engine")),
        ("(a) engine search while insyn index runs", searches.get("engine_while_indexing")),
        ("(a) run_search, quiet index", searches.get("quiet")),
        ("(a) run_search while insyn index runs", searches.get("while_indexing")),
        (
            f"(b) /api/search, {figures['api']['clients']} clients, "
            f"{figures['api']['workers']} server processes",
            figures["api"],
        ),
    ]
    rows = [(name, f) for name, f in rows if f]  # part (a) is left out with --api-only
    for name, f in rows:
        cpu = f.get("cpu_ms_mean", f.get("server_cpu_ms_per_request", 0.0))
        loads = f"{f['load_before']:.1f}" + (
            f" → {f['load_after']:.1f}" if "load_after" in f else ""
        )
        out.append(
            f"  {name:<48} {f['n']:>6} {f['p50_ms']:>7.1f} {f['p95_ms']:>7.1f} "
            f"{f['p99_ms']:>7.1f} {f['max_ms']:>7.1f} {cpu:>6.1f}  {loads}"
        )
    api = figures["api"]
    out.append(
        "  (milliseconds; engine search: the search backend as run_search asks it; run_search:"
        " that plus the catalogue's guards against a lagging index and hidden records; CPU:"
        " mean CPU time per search of the searching process, for /api/search of the server"
        " processes per request)"
    )
    for name in ("engine_while_indexing", "while_indexing") if searches else ():
        w = searches[name]
        out.append(
            f"  {name}: the other process, insyn index, re-indexed {w['touched']:,} changed "
            f"records in {w['indexer_seconds']:.1f} s ({w['indexer_records_per_s']:,.0f} "
            "records/s) while the searches ran"
        )
    out += [
        f"  /api/search: {api['requests_per_s']:.1f} requests/s over {api['seconds']:.0f} s, "
        f"{api['failed']} not 200 {api['failed_statuses'] or ''}; CPU seconds of the server's"
        f" processes: {', '.join(f'{c:.1f}' for c in api['server_process_cpu_s'])}",
        "",
        "Targets (issue #16)",
    ]
    for check in figures["checks"]:
        out.append(
            f"  {check['check']:<72} {check['value']:>7.1f}  {check['target']:<7} "
            f"{check['result']}{check['note']}"
        )
    return "\n".join(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=TARGET_RECORDS, help="default 1000000")
    parser.add_argument(
        "--out", help="catalogue and index folder (default bench/out/search-load-<records>)"
    )
    parser.add_argument(
        "--touch",
        type=int,
        default=50_000,
        help="records the concurrent insyn index re-indexes in part (a) (default 50000)",
    )
    parser.add_argument(
        "--limit",
        type=float,
        default=300.0,
        help="longest time to keep searching while insyn index runs (default 300 s)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=os.cpu_count() or 1,
        help="insyn serve --workers in part (b) (default: the machine's cores)",
    )
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="length of part (b) (default 60)"
    )
    parser.add_argument(
        "--api-only",
        action="store_true",
        help="run only part (b), /api/search under concurrent clients (after insyn index)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.records < 1000:
        parser.error("--records must be at least 1000")
    if args.touch < 1 or args.clients < 1 or args.seconds <= 0 or args.web_workers < 1:
        parser.error("--touch, --clients, --web-workers and --seconds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(args.out) if args.out else BENCH_DIR / "out" / f"search-load-{args.records}"
    work.mkdir(parents=True, exist_ok=True)
    meta = prepare(work, args.records)
    queries: list[str] = meta["queries"]["two_word"]
    _log("insyn index: bringing the index up to date with the catalogue ...")
    figures: dict[str, Any] = {
        "records": args.records,
        "work": str(work),
        "queries": len(queries),
        "machine": machine(),
        "catch_up": catch_up(work),
    }
    if not args.api_only:
        figures["searches"] = searches_while_indexing(work, queries, args.touch, args.limit)
    figures["api"] = api_under_clients(work, queries, args.clients, args.seconds, args.web_workers)
    figures["checks"] = verdicts(figures)
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
