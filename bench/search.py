"""Search speed benchmark: a million synthetic Swedish records, indexed through the real
path, and query latency.

``.venv/bin/python bench/search.py`` (``--records N``, default 1,000,000):

1. generates N records of a fictional municipality with ``bench/search_data.py`` (fixed
   seed: every run makes the same records) and stores them in a SQLite catalogue as a
   harvest stores them, rows and change log (setup, not timed);
2. times ``insyn.search.indexer.Indexer.catch_up`` on an empty embedded index: what
   ``insyn harvest`` and ``insyn index`` run, stored records read in batches, each made
   into its index document and public view (masked where need be; in the indexer's
   worker processes when there are enough records) and written to both partitions
   (tantivy), and reports records/s, CPU time (this process and its workers), peak
   memory while indexing, the workers and writer settings used, segments and size on
   disk; then the engine alone: tantivy writing both partitions of 20,000 pre-built
   documents, whose CPU per record bounds what any document building could reach;
3. runs public searches and reports p50/p95/p99 latency (wall clock around
   ``backend.search``, highlighting on, 20 hits a page, as the web UI asks):
   * ``two-word+facets``: >= 200 varied two-word queries with five facets (publisher,
     theme, format, year, kind) — the target query;
   * the same two-word queries without facets (what the facets cost);
   * single words, quoted phrases, misspelt words (typo matching) and diarienummer
     lookups in the written forms registrars type, each with the five facets;
   queries are drawn from the documents of at most 100,000 records spread over all;
4. does the same against Elasticsearch when ``ELASTICSEARCH_URL`` is set (indexes with a
   unique prefix, removed afterwards; ``Indexer.rebuild`` from the same catalogue);
   ``--backends`` can add ``osmem`` for small runs;
5. prints the machine and PASS/MISS against the targets: indexing >= 10,000 records/s
   through the real path and p95 <= 25 ms for a two-word query with five facets at
   1,000,000 records.

``--profile`` also runs cProfile over the two-word+facets queries and over
``Indexer.rebuild`` of the catalogue into a scratch index, and prints the top functions.
``--out DIR`` keeps the catalogue, the index, the queries and the figures; ``--reuse``
(with ``--out``) times the queries again on them without generating or indexing anything,
and ``--repeat R`` keeps each query's best of R passes: on a shared machine other
processes only ever add time, and the 1-minute load average is printed beside the figures.
``--reindex`` (with ``--out``) indexes the catalogue an earlier run stored there again,
without generating and storing it. ``--json`` prints every figure as JSON. Progress goes
to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import search_data  # noqa: E402  (sibling modules of this script)
import tantivy  # noqa: E402
from machine import machine  # noqa: E402

TARGET_RECORDS = 1_000_000
TARGET_INDEX_RATE = 10_000.0  # records/s, Indexer.catch_up into the embedded engine
ENGINE_SAMPLE = 20_000  # records written by the engine alone (``engine_alone``)
TARGET_P95_MS = 25.0  # two-word query with five facets, at TARGET_RECORDS (issue #16)
FIVE_FACETS = ("publisher", "theme", "format", "year", "kind")
PAGE_SIZE = 20
QUERY_SEED = 7
WARMUP = 25
QUERY_SAMPLE = 100_000  # queries are drawn from the documents of at most this many records
BACKENDS = ("embedded", "elasticsearch", "osmem")
META = "bench-meta.json"  # in --out: what a later --reuse needs (queries, figures)
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


# --- the machine -----------------------------------------------------------------------


def peak_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def cpu_seconds() -> float:
    """CPU time of this process, all threads (tantivy's indexing threads included), and of
    its ended child processes (the indexer's document-building workers)."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def children_peak_mb() -> float | None:
    """The largest peak resident memory of an ended child process (a forked worker shares
    most of its pages with this process, so the two peaks do not add up)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 1024 if peak else None


def load() -> float:
    """The 1-minute load average: other processes on the machine skew every figure."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- documents and queries -------------------------------------------------------------


def reset_peak() -> None:
    """Start this process's peak memory (VmHWM) afresh, so indexing's own peak is seen."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def store_records(count: int, work: Path) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """Store the generated records in a SQLite catalogue, as a harvest stores them (rows and
    change log; not timed: setup); return the catalogue, the index documents of at most
    ``QUERY_SAMPLE`` records spread over all (queries are drawn from them), the figures."""
    from sqlalchemy import insert

    from insyn.catalogue.db import sqlite_url
    from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry
    from insyn.catalogue.store import Catalogue
    from insyn.harvester.engine import serialised_record  # the harvest's own stored form
    from insyn.search.documents import index_document
    from insyn.vocab.model import text_in, to_dict

    folder = work / "catalogue"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalogue = Catalogue(sqlite_url(folder))
    source = catalogue.add_source("bench", "dcat", None, {})
    organisations: dict[str, int | None] = {}
    sample: list[dict[str, Any]] = []
    kinds: dict[str, int] = {}
    public = 0
    started = time.perf_counter()
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    step = max(1, count // QUERY_SAMPLE)

    def flush() -> None:
        with catalogue.session() as session:
            session.execute(insert(CatalogueRecord), batch)
            session.execute(
                insert(ChangeLogEntry),
                [{"record_id": r["id"], "operation": "upsert", "changed_at": now} for r in batch],
            )
            session.commit()
        batch.clear()

    for number, (record_id, record, publisher, owner) in enumerate(
        search_data.Generator().records(count), start=1
    ):
        key = record.publisher.uri if record.publisher else None
        if key not in organisations:
            with catalogue.session() as session:
                organisations[key] = catalogue.upsert_organisation(session, record.publisher)
                session.commit()
        governance = record.governance
        data, digest = serialised_record(to_dict(record))
        batch.append(
            {
                "id": record_id,
                "kind": record.kind,
                "uri": record.uri,
                "source_id": source.id,
                "source_key": record.uri or record_id,
                "title": text_in(record.title)[:1000],
                "content_hash": digest,
                "data": data,
                "access_rights": governance.access_rights,
                "is_public": governance.is_public,
                "description_visibility": governance.description_visibility or "public",
                "contains_personal_data": governance.contains_personal_data,
                "publisher_id": organisations[key],
                "owner_id": organisations[key],
                "diarienummer": getattr(record, "diarienummer_normalised", None)
                or getattr(record, "case_diarienummer", None),
                "first_seen": now,
                "last_changed": now,
            }
        )
        kinds[record.kind] = kinds.get(record.kind, 0) + 1
        if number % step == 0:
            document = index_document(
                record_id, record, publisher_name=publisher, owner_name=owner, source="bench"
            )
            sample.append(_query_fields(document))
        if len(batch) >= 5_000:
            flush()
        if number % 100_000 == 0:
            _log(f"  {number:,} records stored")
    if batch:
        flush()
    public = catalogue.count_records(public_only=True)
    figures = {"store_seconds": time.perf_counter() - started, "kinds": kinds, "public": public}
    return catalogue, sample, figures


def _query_fields(document: dict[str, Any]) -> dict[str, Any]:
    """What ``build_queries`` reads of a document (the sample stays small in memory)."""
    return {k: document[k] for k in ("is_public", "diarienummer_normalised", "title", "keywords")}


def stored_catalogue(count: int, work: Path) -> tuple[Any, list[dict[str, Any]], dict[str, Any]]:
    """The catalogue an earlier run stored in ``work`` (``--reindex``): the catalogue, the
    index documents of at most ``QUERY_SAMPLE`` records spread over all, the figures."""
    from sqlalchemy import func, select

    from insyn.catalogue.db import sqlite_url
    from insyn.catalogue.models import CatalogueRecord
    from insyn.catalogue.store import Catalogue
    from insyn.search.indexer import _documents, _plain_rows

    folder = work / "catalogue"
    if not folder.exists():
        raise SystemExit(f"search bench: {work} holds no catalogue from an earlier run")
    catalogue = Catalogue(sqlite_url(folder))
    stored = catalogue.count_records(public_only=False)
    if stored != count:
        raise SystemExit(f"search bench: {work} holds {stored:,} records, not {count:,}")
    with catalogue.session() as session:
        ids = list(session.scalars(select(CatalogueRecord.id).order_by(CatalogueRecord.id)))
        kinds = dict(
            session.execute(select(CatalogueRecord.kind, func.count()).group_by("kind")).all()
        )
        picked = ids[:: max(1, count // QUERY_SAMPLE)]
        sample = []
        for start in range(0, len(picked), 500):
            chunk = picked[start : start + 500]
            rows = session.execute(_plain_rows().where(CatalogueRecord.id.in_(chunk)))
            sample += map(_query_fields, _documents(rows))
    public = catalogue.count_records(public_only=True)
    return catalogue, sample, {"store_seconds": 0.0, "kinds": kinds, "public": public}


def _words(text: str) -> list[str]:
    from insyn.search.query import SWEDISH_STOPWORDS

    return [w for w in _WORD.findall(text) if w.casefold() not in SWEDISH_STOPWORDS]


def _typo(word: str, rng: random.Random) -> str:
    """One edit: drop, double or swap a letter inside the word (never the first)."""
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("drop", "swap", "double"))
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def _dnr_form(canonical: str, rng: random.Random) -> str:
    series, rest = canonical.split(" ", 1)
    year, number = rest.split("/", 1)
    forms = [
        canonical,
        f"{series}-{year}-{number}",
        f"{series}.{year}.{number.zfill(4)}",
        f"dnr:{series} {year}/{number}",
        f"{series.lower()} {year}/{number.zfill(5)}",
    ]
    return rng.choice(forms)


def build_queries(documents: list[dict[str, Any]], two_word: int) -> dict[str, list[str]]:
    """Queries people would type, drawn from public records (so that most find something)."""
    rng = random.Random(QUERY_SEED)
    public = [d for d in documents if d["is_public"]]
    with_dnr = [d for d in public if d["diarienummer_normalised"]]
    queries: dict[str, list[str]] = {"two_word": [], "single": [], "phrase": [], "fuzzy": []}
    seen: set[str] = set()

    def add(kind: str, query: str, wanted: int) -> None:
        if len(queries[kind]) < wanted and query.casefold() not in seen:
            seen.add(query.casefold())
            queries[kind].append(query)

    for _ in range(200_000):
        if all(
            len(v) >= n for v, n in zip(queries.values(), (two_word, 100, 100, 100), strict=True)
        ):
            break
        doc = rng.choice(public)
        title_words = _words(doc["title"])
        pool = list(dict.fromkeys(title_words + [w for k in doc["keywords"] for w in _words(k)]))
        if len(pool) >= 2:
            # Two words of one record, often a topic word and a place, qualifier or kind.
            first, second = rng.sample(pool, 2)
            add("two_word", f"{first.lower()} {second.lower()}", two_word)
        if pool:
            add("single", rng.choice(pool).lower(), 100)
        # Consecutive words of a title, stop words and all, as people quote them.
        plain = re.findall(r"[^\W\d_]+", doc["title"])
        if len(plain) >= 3:
            start = rng.randrange(0, len(plain) - 1)
            phrase = " ".join(plain[start : start + rng.choice((2, 3))]).lower()
            if " " in phrase:
                add("phrase", f'"{phrase}"', 100)
        long_words = [w for w in pool if len(w) >= 6]
        if long_words:
            add("fuzzy", _typo(rng.choice(long_words).lower(), rng), 100)
    queries["diarienummer"] = [
        _dnr_form(d["diarienummer_normalised"], rng)
        for d in rng.sample(with_dnr, min(100, len(with_dnr)))
    ]
    return queries


# --- timing searches -------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(p: float) -> float:
        # nearest-rank percentile
        rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
        return ordered[rank - 1]

    return {
        "n": len(ordered),
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
        "mean_ms": statistics.fmean(ordered),
        "max_ms": ordered[-1],
    }


def time_queries(
    backend: Any, queries: list[str], facets: tuple[str, ...], repeat: int = 1
) -> tuple[dict[str, Any], list[tuple[float, str, int]]]:
    """Time each query; with ``repeat`` > 1 each query's time is its best of that many
    passes (other processes on a shared machine only ever add time)."""
    from insyn.search.backends.base import SearchRequest

    passes: list[list[float]] = []
    totals_by_query: list[int] = []
    for number in range(repeat):
        times = []
        for text in queries:
            request = SearchRequest(text, facets=facets, page_size=PAGE_SIZE, public_only=True)
            started = time.perf_counter()
            result = backend.search(request)
            times.append((time.perf_counter() - started) * 1000)
            if number == 0:
                totals_by_query.append(result.total)
        passes.append(times)
    best = [min(values) for values in zip(*passes, strict=True)]
    timings = list(zip(best, queries, totals_by_query, strict=True))
    figures = percentiles(best)
    if repeat > 1:
        figures["first_pass"] = percentiles(passes[0])
        figures["repeat"] = repeat
    totals = [t[2] for t in timings]
    figures["median_hits"] = statistics.median(totals)
    figures["zero_hit_queries"] = sum(1 for t in totals if t == 0)
    return figures, timings


def bench_queries(backend: Any, queries: dict[str, list[str]], repeat: int = 1) -> dict[str, Any]:
    from insyn.search.backends.base import SearchRequest

    out: dict[str, Any] = {"load_before": load()}
    warm = [q for kind in queries.values() for q in kind[:5]][:WARMUP]
    for text in warm:
        backend.search(SearchRequest(text, facets=FIVE_FACETS, page_size=PAGE_SIZE))
    runs = [
        ("two_word+facets", queries["two_word"], FIVE_FACETS),
        ("two_word", queries["two_word"], ()),
        ("single+facets", queries["single"], FIVE_FACETS),
        ("phrase+facets", queries["phrase"], FIVE_FACETS),
        ("fuzzy+facets", queries["fuzzy"], FIVE_FACETS),
        ("diarienummer+facets", queries["diarienummer"], FIVE_FACETS),
    ]
    for name, texts, facets in runs:
        figures, timings = time_queries(backend, texts, facets, repeat)
        figures["slowest"] = [
            {"ms": round(ms, 1), "q": q, "hits": hits} for ms, q, hits in sorted(timings)[-5:]
        ]
        out[name] = figures
        _log(
            f"  {name}: p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
            f"p99 {figures['p99_ms']:.1f} ms"
        )
    out["load_after"] = load()
    return out


# --- backends --------------------------------------------------------------------------


def run_embedded(
    catalogue: Any,
    queries: dict[str, list[str]],
    work: Path,
    reused: dict[str, Any] | None = None,
    repeat: int = 1,
    workers: int | None = None,
) -> dict[str, Any]:
    """Index the stored records through the real path (``Indexer.catch_up`` on an empty
    index: stored records, their documents and public views, both partitions) and time the
    queries; with ``reused`` (and no catalogue) only time the queries, on the index an
    earlier run left in ``work``."""
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.search.indexer import Indexer, _worker_count

    backend = EmbeddedBackend(work / "embedded")
    try:
        if catalogue is None:
            assert reused is not None
            figures = dict(reused)
            figures["queries"] = bench_queries(backend, queries, repeat)
            return figures
        chosen = workers
        if workers is None:
            workers = _worker_count(catalogue.count_records(public_only=False))
        _log(f"embedded: Indexer.catch_up() from the catalogue ({workers} workers) ...")
        reset_peak()
        load_before, cpu_before = load(), cpu_seconds()
        started = time.perf_counter()
        run = Indexer(catalogue, backend, workers=chosen).catch_up()
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu_before
        indexed = run.upserted
        _log(f"embedded: {indexed:,} in {seconds:.1f} s ({indexed / seconds:,.0f} records/s)")
        files = backend._files
        root = backend.root
        generation = next(p for p in root.glob("gen-*") if p.is_dir())
        size = {part: dir_bytes(generation / part) for part in ("all", "public")}
        figures: dict[str, Any] = {
            "backend": "embedded",
            "indexed": indexed,
            "index_seconds": seconds,
            "records_per_s": indexed / seconds,
            "index_bytes": sum(size.values()),
            "index_bytes_by_partition": size,
            "segments": {
                part: backend._files.current().searcher(part).num_segments
                for part in ("all", "public")
            },
            "count_all": backend.count(public_only=False),
            "count_public": backend.count(),
            "peak_mb_indexing": peak_mb(),
            "peak_mb_worker": children_peak_mb() if workers else None,
            "workers": workers,
            "writer": {"heap_mb": files.writer_heap_bytes / 1e6, "threads": files.writer_threads},
            "engine_alone": engine_alone(catalogue, work),
            "index_cpu_seconds": cpu,
            "load_during_indexing": [load_before, load()],
            "indexed_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        meta_file = work / META
        if meta_file.exists():
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            meta["embedded"] = figures
            meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        figures["queries"] = bench_queries(backend, queries, repeat)
        return figures
    finally:
        backend.close()


def engine_alone(catalogue: Any, work: Path, records: int = ENGINE_SAMPLE) -> dict[str, Any]:
    """tantivy's own cost of indexing both partitions, without building documents: the
    documents of ``records`` stored records are built first (not timed), then written as
    ``Indexer`` writes them (both writers, commit, merges). CPU per record over the cores
    gives the most records/s this machine could index if building cost nothing; it names
    the cause when the real path misses its target."""
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.search.indexer import _documents, _plain_rows

    with catalogue.session() as session:
        documents = list(_documents(session.execute(_plain_rows().limit(records))))
    scratch = EmbeddedBackend(work / "engine-alone")
    try:
        before, started = cpu_seconds(), time.perf_counter()
        scratch.rebuild(documents)
        cpu, seconds = cpu_seconds() - before, time.perf_counter() - started
    finally:
        scratch.close()
        shutil.rmtree(work / "engine-alone", ignore_errors=True)
    cores = os.cpu_count() or 1
    per_record = cpu / len(documents)
    return {
        "records": len(documents),
        "cpu_us_per_record": per_record * 1e6,
        "records_per_s": len(documents) / seconds,
        "ceiling_records_per_s": cores / per_record,
        "cores": cores,
    }


def run_elasticsearch(
    name: str, catalogue: Any, queries: dict[str, list[str]], repeat: int = 1
) -> dict[str, Any]:
    from insyn.search.backends.elasticsearch import ElasticsearchBackend
    from insyn.search.indexer import Indexer

    prefix = f"insyn-bench-{uuid.uuid4().hex[:8]}"
    server = None
    if name == "osmem":
        from osmem_server import OsmemServer

        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from tests.search.plain_json_node import PlainJsonNode

        server = OsmemServer.start(japanese=False)
        backend = ElasticsearchBackend(
            server.url, index_prefix=prefix, node_class=PlainJsonNode, request_timeout=300
        )
    else:
        backend = ElasticsearchBackend(
            os.environ["ELASTICSEARCH_URL"], index_prefix=prefix, request_timeout=300
        )
    try:
        _log(f"{name}: Indexer.rebuild() from the catalogue ...")
        started = time.perf_counter()
        indexed = Indexer(catalogue, backend).rebuild().upserted
        seconds = time.perf_counter() - started
        _log(f"{name}: {indexed:,} in {seconds:.1f} s ({indexed / seconds:,.0f} records/s)")
        figures: dict[str, Any] = {
            "backend": name,
            "indexed": indexed,
            "index_seconds": seconds,
            "records_per_s": indexed / seconds,
            "index_bytes": _es_size(backend),
            "count_all": backend.count(public_only=False),
            "count_public": backend.count(),
        }
        figures["queries"] = bench_queries(backend, queries, repeat)
        return figures
    finally:
        try:
            client = backend.client
            names = list(client.indices.get(index=f"{prefix}*", allow_no_indices=True).keys())
            if names:
                client.indices.delete(index=",".join(names), ignore_unavailable=True)
        except Exception as exc:  # cleanup must not hide the figures
            _log(f"{name}: could not remove the bench indexes {prefix}*: {exc}")
        backend.close()
        if server is not None:
            server.close()


def _es_size(backend: Any) -> int | None:
    try:
        stats = backend.client.indices.stats(index=f"{backend.alias}*", metric="store")
        return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])
    except Exception:
        return None


# --- profiling -------------------------------------------------------------------------


def profile(label: str, call: Callable[[], Any], top: int = 25) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = [f"--- profile: {label} (cProfile; times inflated, read the shares) ---"]
    for order in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats(order).print_stats(top)
        text = buffer.getvalue()
        body = text[text.find("   ncalls") :] if "   ncalls" in text else text
        out.append(f"by {order}:")
        out.append(body.replace(str(ROOT) + "/", "").rstrip())
    return "\n".join(out)


def run_profiles(catalogue: Any, queries: dict[str, list[str]], work: Path) -> list[str]:
    from insyn.search.backends.base import SearchRequest
    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.search.indexer import Indexer

    reports = []
    if catalogue is not None:
        scratch = EmbeddedBackend(work / "profile")
        try:
            indexer = Indexer(catalogue, scratch)
            reports.append(profile("Indexer.rebuild() of the catalogue", indexer.rebuild))
        finally:
            scratch.close()
            shutil.rmtree(work / "profile", ignore_errors=True)
    backend = EmbeddedBackend(work / "embedded")
    try:

        def two_word() -> None:
            for text in queries["two_word"]:
                backend.search(
                    SearchRequest(text, facets=FIVE_FACETS, page_size=PAGE_SIZE, public_only=True)
                )

        two_word()  # warm
        reports.append(profile("two-word queries with five facets", two_word))
    finally:
        backend.close()
    return reports


# --- the report ------------------------------------------------------------------------


def evaluate(figures: dict[str, Any]) -> list[dict[str, Any]]:
    embedded = next((b for b in figures["backends"] if b["backend"] == "embedded"), None)
    if embedded is None:
        return []
    scaled = figures["records"] != TARGET_RECORDS
    note = f" (target set for {TARGET_RECORDS:,} records)" if scaled else ""
    rate = embedded["records_per_s"]
    p95 = embedded["queries"]["two_word+facets"]["p95_ms"]
    return [
        {
            "check": "embedded indexing, records/s",
            "value": rate,
            "target": f">= {TARGET_INDEX_RATE:,.0f}",
            "result": "PASS" if rate >= TARGET_INDEX_RATE else "MISS",
            "note": note,
        },
        {
            "check": "embedded p95, two-word query + five facets, ms",
            "value": p95,
            "target": f"<= {TARGET_P95_MS:g}",
            "result": "PASS" if p95 <= TARGET_P95_MS else "MISS",
            "note": note,
        },
    ]


def _mb(value: float | None) -> str:
    return "?" if value is None else f"{value / 1e6:,.0f} MB"


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    out = [
        f"Search benchmark: {figures['records']:,} synthetic records "
        f"(seed {figures['seed']}; {figures['public']:,} public, "
        f"{figures['records'] - figures['public']:,} not public)",
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM; Python {m['python']}, "
        f"tantivy {m['tantivy']}; {m['platform']}",
        f"kinds: {figures['kinds']}",
    ]
    if figures.get("reused_index_from"):
        out.append(
            f"(--reuse: queries timed now on the index built {figures['reused_index_from']}; "
            "the document and indexing figures are that run's)"
        )
    store = figures["store"]
    stored = (
        f"stored in SQLite in {store['seconds']:.1f} s (setup, not timed)"
        if store["seconds"]
        else "stored by an earlier run (--reindex)"
    )
    out.append(
        f"catalogue: the records {stored}; queries drawn from {store['query_sample']:,} of them"
    )
    for name, reason in figures["skipped"].items():
        out.append(f"skipped {name}: {reason}")
    for result in figures["backends"]:
        out.append("")
        out.append(f"== {result['backend']} ==")
        out.append(
            f"  indexing: {result['indexed']:,} records in {result['index_seconds']:.1f} s = "
            f"{result['records_per_s']:,.0f} records/s"
            + (
                " (Indexer.catch_up: stored records -> documents -> public view -> both partitions)"
                if result["backend"] == "embedded"
                else " (Indexer.rebuild from the catalogue)"
            )
        )
        if "index_cpu_seconds" in result:
            before, after = result["load_during_indexing"]
            out.append(
                f"            CPU time {result['index_cpu_seconds']:.0f} s over "
                f"{result['index_seconds']:.0f} s wall (all threads); 1-minute load average "
                f"{before:.1f} before, {after:.1f} after, on {figures['machine']['nproc']} CPUs"
            )
        size = result.get("index_bytes")
        parts = result.get("index_bytes_by_partition")
        detail = f" (all {_mb(parts['all'])}, public {_mb(parts['public'])})" if parts else ""
        out.append(f"  index size on disk: {_mb(size)}{detail}")
        out.append(f"  count: {result['count_all']:,} records, {result['count_public']:,} public")
        if result.get("peak_mb_indexing"):
            worker = result.get("peak_mb_worker")
            out.append(
                f"  peak memory while indexing: {result['peak_mb_indexing']:,.0f} MB"
                + (f" (a worker's own peak {worker:,.0f} MB, pages shared)" if worker else "")
                + f"; segments after the rebuild: {result['segments']}"
            )
        if "workers" in result:
            writer = result["writer"]
            out.append(
                f"  document-building workers: {result['workers']}; tantivy writer per "
                f"partition: {writer['heap_mb']:.0f} MB heap, {writer['threads']} thread(s)"
            )
        alone = result.get("engine_alone")
        if alone:
            out.append(
                f"  engine alone (tantivy writing both partitions of {alone['records']:,} "
                f"pre-built documents): {alone['cpu_us_per_record']:.0f} us CPU per record, "
                f"{alone['records_per_s']:,.0f} records/s; ceiling with {alone['cores']} "
                f"cores and no document building: {alone['ceiling_records_per_s']:,.0f} "
                "records/s"
            )
        out.append(
            f"  {'queries (public, 20 hits, highlighting)':<42} {'n':>4} {'p50':>7} {'p95':>7} "
            f"{'p99':>7} {'mean':>7} {'max':>7} {'hits p50':>9}"
        )
        for name, q in result["queries"].items():
            if not isinstance(q, dict):
                continue
            out.append(
                f"  {name:<42} {q['n']:>4} {q['p50_ms']:>7.1f} {q['p95_ms']:>7.1f} "
                f"{q['p99_ms']:>7.1f} {q['mean_ms']:>7.1f} {q['max_ms']:>7.1f} "
                f"{q['median_hits']:>9,.0f}"
            )
        first = result["queries"]["two_word+facets"].get("first_pass")
        if first:
            out.append(
                f"  (each query's best of {result['queries']['two_word+facets']['repeat']} "
                f"passes; the first pass alone: two_word+facets p50 {first['p50_ms']:.1f}, "
                f"p95 {first['p95_ms']:.1f}, p99 {first['p99_ms']:.1f})"
            )
        out.append(
            "  (milliseconds; hits p50 = median total hits per query; 1-minute load average "
            f"{result['queries']['load_before']:.1f} before the queries, "
            f"{result['queries']['load_after']:.1f} after)"
        )
        slow = result["queries"]["two_word+facets"]["slowest"]
        out.append(
            "  slowest two-word+facets: "
            + "; ".join(f"{s['q']!r} {s['ms']} ms ({s['hits']:,} hits)" for s in slow[::-1])
        )
        zero = {
            k: q["zero_hit_queries"] for k, q in result["queries"].items() if isinstance(q, dict)
        }
        out.append(f"  queries with no hits: {zero}")
    out.append("")
    out.append("Targets")
    for check in figures["checks"]:
        out.append(
            f"  {check['check']:<48} {check['value']:>10,.1f}  {check['target']:<10} "
            f"{check['result']}{check['note']}"
        )
    for report in figures.get("profiles", []):
        out.append("")
        out.append(report)
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[search-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=TARGET_RECORDS, help="default 1000000")
    parser.add_argument(
        "--queries", type=int, default=250, help="two-word queries (at least 200; default 250)"
    )
    parser.add_argument(
        "--backends",
        default="embedded,elasticsearch",
        help="comma-separated: embedded, elasticsearch (when ELASTICSEARCH_URL is set), osmem",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time every query this many times and keep each query's best (default 1; "
        "for shared machines, where other processes only ever add time)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile indexing and queries")
    parser.add_argument(
        "--out", help="working directory (default: a temporary one under bench/out/, removed)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --out: time the queries again on the embedded index and queries an earlier "
        "run left there (no generating, no indexing; its indexing figures are reprinted)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="document-building worker processes for the embedded indexing (default: the "
        "indexer's own choice by size and cores)",
    )
    parser.add_argument(
        "--reindex",
        action="store_true",
        help="with --out: index the catalogue an earlier run stored there again (no "
        "generating or storing), then time the queries",
    )
    args = parser.parse_args(argv)
    if args.reindex and not args.out:
        parser.error("--reindex needs --out, the directory of the earlier run")
    if args.queries < 200:
        parser.error("--queries must be at least 200")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.records < 1000:
        parser.error("--records must be at least 1000")
    if args.reuse and not args.out:
        parser.error("--reuse needs --out, the directory of the earlier run")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in wanted if b not in BACKENDS]
    if unknown:
        raise SystemExit(f"search bench: unknown backend {', '.join(unknown)}")
    skipped: dict[str, str] = {}
    if "elasticsearch" in wanted and not os.environ.get("ELASTICSEARCH_URL"):
        wanted.remove("elasticsearch")
        skipped["elasticsearch"] = "ELASTICSEARCH_URL is not set"
    if args.out:
        work = Path(args.out)
        work.mkdir(parents=True, exist_ok=True)
        temporary = False
    else:
        (BENCH_DIR / "out").mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="search-", dir=BENCH_DIR / "out"))
        temporary = True
    catalogue: Any = None
    reused: dict[str, Any] | None = None
    if args.reuse:
        meta_file = work / META
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        if meta.get("records") != args.records or "embedded" not in meta:
            raise SystemExit(
                f"search bench: {work} holds no embedded index of {args.records:,} records "
                "from an earlier run"
            )
        reused = meta["embedded"]
        for name in [b for b in wanted if b != "embedded"]:
            wanted.remove(name)
            skipped[name] = "--reuse times the embedded index only"
    else:
        shutil.rmtree(work / "embedded", ignore_errors=True)
    try:
        if reused is not None:
            _log(f"reusing the index and queries in {work} (indexed {reused['indexed_at']})")
            queries = meta["queries"]
            figures: dict[str, Any] = {
                k: meta[k] for k in ("records", "seed", "public", "kinds", "store")
            }
            figures["reused_index_from"] = reused["indexed_at"]
        else:
            if args.reindex:
                _log(f"indexing the catalogue stored in {work} again ...")
                catalogue, sample, store = stored_catalogue(args.records, work)
            else:
                _log(f"storing {args.records:,} records in a catalogue (setup, not timed) ...")
                catalogue, sample, store = store_records(args.records, work)
                _log(f"stored in {store['store_seconds']:.1f} s; peak {peak_mb():,.0f} MB")
            queries = build_queries(sample, args.queries)
            sampled = len(sample)
            del sample  # only the queries need it; indexing's peak memory is its own
            figures = {
                "records": args.records,
                "seed": search_data.SEED,
                "public": store["public"],
                "kinds": store["kinds"],
                "store": {"seconds": store["store_seconds"], "query_sample": sampled},
            }
            (work / META).write_text(
                json.dumps(figures | {"queries": queries}, ensure_ascii=False), encoding="utf-8"
            )
        figures.update(
            {
                "machine": machine(tantivy=getattr(tantivy, "__version__", "?")),
                "query_counts": {k: len(v) for k, v in queries.items()},
                "query_examples": {k: v[:5] for k, v in queries.items()},
                "skipped": skipped,
                "backends": [],
            }
        )
        for name in wanted:
            if name == "embedded":
                figures["backends"].append(
                    run_embedded(catalogue, queries, work, reused, args.repeat, args.workers)
                )
            else:
                figures["backends"].append(run_elasticsearch(name, catalogue, queries, args.repeat))
        figures["checks"] = evaluate(figures)
        if args.profile and "embedded" in wanted:
            figures["profiles"] = run_profiles(catalogue, queries, work)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
