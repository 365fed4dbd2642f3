"""Elasticsearch bulk path: stored records indexed through Insyn's indexer into the
Elasticsearch backend, on osmem-server and, when ``ELASTICSEARCH_URL`` is set, on that
cluster.

``make bench`` runs ``.venv/bin/python bench/es_bulk.py``. It

1. stores ``--records`` generated records (default 5,000; ``bench/search_data.py``'s
   cases, documents, datasets and services, fixed seed) in a SQLite catalogue as a harvest
   stores them, with ``bench/search.py``'s ``store_records`` (setup, not timed);
2. for each server, with the backend as ``insyn`` opens it (``ElasticsearchBackend`` with
   its defaults: 500 documents a bulk request, ``refresh=wait_for`` on catch-up writes;
   on osmem-server a 300 s request timeout instead of 30 s), under an index prefix of its
   own that is removed afterwards, times:

   * **rebuild**: ``Indexer.rebuild``, what ``insyn index --rebuild`` and the first
     catch-up into an empty index run: every stored record made into its document and
     public view and bulk-loaded into a new pair of indexes, then the aliases swapped;
   * **catch-up**: every record logged as changed again, then ``Indexer.catch_up``, what
     a harvest's catch-up and ``insyn index`` run (batches of bulk upserts);

3. prints records/s, the CPU seconds of this process (documents and the client) and of
   the server process when it runs here (osmem-server), the document counts both aliases
   report afterwards, the machine and its load, and which server it ran against.

osmem-server (PyPI ``osmem-server``, already used by the tests) is an in-memory server
that answers the Elasticsearch API; it is not Elasticsearch, and its figures say what the
client side and Insyn's document building cost, not what a cluster does. It needs the
test suite's ``PlainJsonNode`` (plain JSON media types); a real cluster does not. No
figure here is a real cluster's unless the output says ``ELASTICSEARCH_URL``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
for folder in (BENCH_DIR, ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from machine import machine  # noqa: E402
from scaleout import process_cpu_seconds  # noqa: E402
from search import store_records  # noqa: E402  (bench/search.py: setup shared with it)


def _log(message: str) -> None:
    print(f"[es_bulk {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(call: Any, server_pid: int | None) -> dict[str, Any]:
    """Run ``call``; its wall seconds, this process's CPU seconds and the server's."""
    server_before = process_cpu_seconds(server_pid) if server_pid else None
    cpu, started = own_cpu(), time.perf_counter()
    run = call()
    seconds = time.perf_counter() - started
    server_after = process_cpu_seconds(server_pid) if server_pid else None
    return {
        "records": run.upserted,
        "seconds": round(seconds, 2),
        "records_per_s": round(run.upserted / seconds) if seconds else 0,
        "client_cpu_s": round(own_cpu() - cpu, 2),
        "server_cpu_s": round(server_after - server_before, 2)
        if server_before is not None and server_after is not None
        else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def log_every_record_again(catalogue: Any) -> int:
    """Log an upsert for every live record, as a harvest that changed them all would."""
    from sqlalchemy import insert, select

    from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry

    now = datetime.now(UTC)
    with catalogue.session() as session:
        ids = list(
            session.scalars(select(CatalogueRecord.id).where(CatalogueRecord.deleted_at.is_(None)))
        )
        session.execute(
            insert(ChangeLogEntry),
            [{"record_id": rid, "operation": "upsert", "changed_at": now} for rid in ids],
        )
        session.commit()
    return len(ids)


def run_server(name: str, catalogue: Any, expected: int) -> dict[str, Any]:
    """Rebuild and catch-up into one server, under an index prefix removed afterwards."""
    from insyn.search.backends.elasticsearch import ElasticsearchBackend
    from insyn.search.indexer import Indexer

    prefix = f"insyn-bench-bulk-{uuid.uuid4().hex[:8]}"
    server = None
    if name == "osmem":
        from importlib.metadata import version

        from osmem_server import OsmemServer

        from tests.search.plain_json_node import PlainJsonNode

        server = OsmemServer.start(japanese=False)
        # 300 s, not the client's 30 s: on a loaded 2-core machine one 500-document bulk
        # request with refresh=wait_for took osmem-server longer than 30 s.
        backend = ElasticsearchBackend(
            server.url, index_prefix=prefix, node_class=PlainJsonNode, request_timeout=300
        )
        described = (
            f"osmem-server {version('osmem-server')} on {server.url} (not Elasticsearch; "
            "request timeout 300 s)"
        )
    else:
        url = os.environ["ELASTICSEARCH_URL"]
        backend = ElasticsearchBackend(url, index_prefix=prefix)
        info = backend.client.info()
        described = (
            f"ELASTICSEARCH_URL: {info.get('version', {}).get('distribution', 'elasticsearch')} "
            f"{info.get('version', {}).get('number', '?')}, cluster {info.get('cluster_name')}"
        )
    pid = server.pid if server is not None else None
    indexer = Indexer(catalogue, backend)
    try:
        _log(f"{name}: {described}")
        _log(f"{name}: Indexer.rebuild() ...")
        rebuild = timed(indexer.rebuild, pid)
        _log(f"{name}: rebuild {rebuild['records_per_s']:,} records/s")
        logged = log_every_record_again(catalogue)
        _log(f"{name}: Indexer.catch_up() of {logged:,} changes ...")
        catch_up = timed(indexer.catch_up, pid)
        _log(f"{name}: catch-up {catch_up['records_per_s']:,} records/s")
        counts = {"all": backend.count(public_only=False), "public": backend.count()}
        return {
            "server": name,
            "described": described,
            "rebuild": rebuild,
            "catch_up": catch_up,
            "counts": counts,
            "problems": [
                f"{phase} indexed {figures['records']:,} of {expected:,}"
                for phase, figures in (("rebuild", rebuild), ("catch-up", catch_up))
                if figures["records"] != expected
            ]
            + ([f"the full alias holds {counts['all']:,}"] if counts["all"] != expected else []),
        }
    finally:
        try:
            names = list(backend.client.indices.get(index=f"{prefix}*").keys())
            if names:
                backend.client.indices.delete(index=",".join(names), ignore_unavailable=True)
        except Exception as exc:  # cleanup must not hide the figures
            _log(f"{name}: could not remove the bench indexes {prefix}*: {exc}")
        backend.close()
        if server is not None:
            server.close()


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    lines = [
        f"Elasticsearch bulk path: {figures['records']:,} stored records "
        f"({figures['public']:,} public), Insyn's indexer into ElasticsearchBackend",
        f"machine: {m['nproc']} × {m['cpu']}, {m['ram_gb']} GB, Python {m['python']}; "
        f"load average at start {m['load_average']}",
        "",
        "| server | phase | records/s | s | client CPU s | server CPU s | load at end |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in figures["servers"]:
        for phase in ("rebuild", "catch_up"):
            f = run[phase]
            server_cpu = "–" if f["server_cpu_s"] is None else f["server_cpu_s"]
            lines.append(
                f"| {run['server']} | {phase.replace('_', '-')} | {f['records_per_s']:,} "
                f"| {f['seconds']} | {f['client_cpu_s']} | {server_cpu} "
                f"| {f['load_average'][0]} |"
            )
    lines.append("")
    for run in figures["servers"]:
        lines.append(f"{run['server']}: {run['described']}")
        for problem in run["problems"]:
            lines.append(f"PROBLEM: {run['server']}: {problem}")
    if not any(run["server"] == "elasticsearch" for run in figures["servers"]):
        lines.append(
            "No Elasticsearch cluster: ELASTICSEARCH_URL is not set, so no figure above is a "
            "real cluster's."
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=("osmem", "elasticsearch"),
        help="default: osmem, and elasticsearch when ELASTICSEARCH_URL is set",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers = args.servers or ["osmem"] + (
        ["elasticsearch"] if os.environ.get("ELASTICSEARCH_URL") else []
    )
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="es-bulk-", dir=BENCH_DIR / "out"))
    try:
        _log(f"storing {args.records:,} records (setup) ...")
        catalogue, _sample, stored = store_records(args.records, work)
        figures: dict[str, Any] = {
            "machine": machine(),
            "records": args.records,
            "public": stored["public"],
            "servers": [],
        }
        for name in servers:
            figures["servers"].append(run_server(name, catalogue, args.records))
        catalogue.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2) if args.json else render(figures))
    return 1 if any(run["problems"] for run in figures["servers"]) else 0


if __name__ == "__main__":
    sys.exit(main())
