"""Relevance benchmark: judged Swedish queries over the demo catalogue, per search backend.

``.venv/bin/python bench/relevance.py`` harvests the demo catalogue
(``insyn/demo/data/exempelby-katalog.ttl``) into a temporary SQLite catalogue, indexes it
with the ``Indexer`` into each search backend, runs every query of
``bench/relevance_judgements.toml`` as a public search and prints, per backend:

* per query: nDCG@10 and the reciprocal rank of the first answer, worst queries flagged;
* per category (inflection, compound, typo, …): mean nDCG@10;
* per group (question, multiword, compound, english, typo, mixed, other; ``GROUPS``):
  mean nDCG@10, MRR and the zero-result rate;
* the same for the held-out fifth (every fifth query in file order, fixed before the
  first run and never tuned on) and for the four-fifths tuned on, and for the queries
  taken from a real query log (``log = "<URL>"`` in the judgments);
* PASS/MISS per backend against the targets: mean nDCG@10 >= 0.90 over all queries,
  >= 0.85 on the held-out fifth, and at most 3 % of queries (all have a relevant record)
  returning nothing;
* leaks: any non-public record in any public result (there must be none).

Backends: ``embedded`` always; ``osmem`` (the Elasticsearch backend against an in-memory
osmem-server, through the plain-JSON node of ``tests/search/plain_json_node.py``) when
osmem-server is installed; ``elasticsearch`` when ``ELASTICSEARCH_URL`` is set (its
indexes get a unique prefix and are removed afterwards). ``--backends`` picks some.

Scoring: gain of a result is 2^grade - 1 (grades 3/2/1/0 from the judgments), discounted
by log2(rank + 1); nDCG@10 divides by the ideal ordering of all judged records. The
reciprocal rank is 1/rank of the first result with the query's highest grade ("the
answer"), 0 if it is not in the top 10.

``--json`` prints every figure as JSON. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEMO_FILE = ROOT / "insyn" / "demo" / "data" / "exempelby-katalog.ttl"
JUDGEMENTS = BENCH_DIR / "relevance_judgements.toml"
SOURCE_NAME = "exempelby"
TARGET_NDCG = 0.90  # mean nDCG@10 over all queries, every backend
TARGET_HELD_OUT = 0.85  # mean nDCG@10 on the held-out fifth
TARGET_ZERO = 0.03  # share of queries (each has a relevant record) that find nothing
HELD_OUT_EVERY = 5  # the 5th, 10th, … query of the file is held out
# Category of a query → the group it is reported in.
GROUPS = {
    "question": "question",
    "multiword": "multiword",
    "compound": "compound",
    "english": "english",
    "typo": "typo",
    "mixed": "mixed",
    "publisher": "mixed",
    "filter": "mixed",
}
K = 10
WORST = 12  # how many of the worst queries are shown with what came back
FLAG_BELOW = 0.5  # a query under this nDCG@10 is flagged
BACKENDS = ("embedded", "osmem", "elasticsearch")


# --- judgments -------------------------------------------------------------------------


@dataclass
class Judged:
    """One query and the grade of every record it should find (by URI)."""

    q: str
    category: str
    grades: dict[str, int]
    note: str = ""
    held_out: bool = False
    log: str = ""  # the real query log the query was taken from (URL), if any

    @property
    def group(self) -> str:
        return GROUPS.get(self.category, "other")


def load_judgements(path: Path) -> tuple[list[Judged], list[str]]:
    """Return the judged queries and the probe queries of a judgments file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    prefixes: dict[str, str] = data.get("prefixes", {})

    def expand(key: str) -> str:
        for short, long in prefixes.items():
            if key.startswith(short):
                return long + key[len(short) :]
        return key

    queries = []
    for position, item in enumerate(data.get("query", []), start=1):
        grades = {expand(k): int(v) for k, v in item.get("judged", {}).items()}
        if not grades or any(g not in (1, 2, 3) for g in grades.values()):
            raise SystemExit(f"relevance: query {item.get('q')!r} needs grades 1-3")
        queries.append(
            Judged(
                item["q"],
                item.get("category", ""),
                grades,
                item.get("note", ""),
                held_out=position % HELD_OUT_EVERY == 0,
                log=item.get("log", ""),
            )
        )
    probes = [item["q"] for item in data.get("probe", [])]
    return queries, probes


# --- metrics ---------------------------------------------------------------------------


def dcg(gains: list[float]) -> float:
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(returned: list[str], grades: dict[str, int], k: int = K) -> float:
    gains = [2 ** grades.get(uri, 0) - 1 for uri in returned[:k]]
    ideal = [2**g - 1 for g in sorted(grades.values(), reverse=True)[:k]]
    best = dcg(ideal)
    return dcg(gains) / best if best else 0.0


def reciprocal_rank(returned: list[str], grades: dict[str, int], k: int = K) -> float:
    top = max(grades.values())
    for rank, uri in enumerate(returned[:k], start=1):
        if grades.get(uri, 0) == top:
            return 1.0 / rank
    return 0.0


# --- the catalogue and the backends ----------------------------------------------------


def harvest_demo(work: Path) -> Any:
    """Harvest the demo file into a new SQLite catalogue in ``work``; return it."""
    from insyn.catalogue.db import sqlite_url
    from insyn.catalogue.store import Catalogue
    from insyn.harvester.engine import harvest_source

    catalogue = Catalogue(sqlite_url(work))
    catalogue.add_source(SOURCE_NAME, "dcat", str(DEMO_FILE))
    summary = harvest_source(catalogue, SOURCE_NAME)
    _log(f"harvested {DEMO_FILE.name}: {summary.as_json()}")
    return catalogue


def catalogue_records(catalogue: Any) -> dict[str, dict[str, Any]]:
    """URI → {"public", "title", "id"} of every record in the catalogue."""
    from insyn.search.indexer import document_for

    records = {}
    for row in catalogue.iter_records(public_only=False, batch_size=500):
        document = document_for(row)
        records[document["uri"]] = {
            "public": document["is_public"],
            "title": document["title"],
            "id": document["id"],
        }
    return records


def available_backends(wanted: list[str]) -> tuple[list[str], dict[str, str]]:
    """Return the backends to run and, for those skipped, why."""
    run, skipped = [], {}
    for name in wanted:
        if name == "osmem":
            try:
                import osmem_server  # noqa: F401
            except ImportError:
                skipped[name] = "osmem-server is not installed (pip install osmem-server)"
                continue
        if name == "elasticsearch" and not os.environ.get("ELASTICSEARCH_URL"):
            skipped[name] = "ELASTICSEARCH_URL is not set"
            continue
        run.append(name)
    return run, skipped


@contextmanager
def open_backend(name: str, work: Path) -> Iterator[Any]:
    """Yield an empty backend of kind ``name``; clean up its indexes and servers afterwards."""
    if name == "embedded":
        from insyn.search.backends.embedded import EmbeddedBackend

        backend = EmbeddedBackend(work / "embedded")
        try:
            yield backend
        finally:
            backend.close()
        return

    from insyn.search.backends.elasticsearch import ElasticsearchBackend

    prefix = f"insyn-relevance-{uuid.uuid4().hex[:8]}"
    if name == "osmem":
        from osmem_server import OsmemServer

        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from tests.search.plain_json_node import PlainJsonNode

        server = OsmemServer.start(japanese=False)
        backend = ElasticsearchBackend(server.url, index_prefix=prefix, node_class=PlainJsonNode)
        try:
            yield backend
        finally:
            backend.close()
            server.close()
        return

    backend = ElasticsearchBackend(os.environ["ELASTICSEARCH_URL"], index_prefix=prefix)
    try:
        yield backend
    finally:
        try:
            client = backend.client
            names = list(client.indices.get(index=f"{prefix}*", allow_no_indices=True).keys())
            if names:
                client.indices.delete(index=",".join(names), ignore_unavailable=True)
        finally:
            backend.close()


# --- running the queries ---------------------------------------------------------------


@dataclass
class Outcome:
    q: str
    category: str
    group: str
    held_out: bool
    ndcg: float
    rr: float
    returned: list[str]
    total: int
    ms: float
    missing: list[str] = field(default_factory=list)  # judged records not in the top 10
    error: str = ""
    tied: bool = False  # differently graded records with equal scores around the top 10
    from_log: bool = False  # taken from a real query log


def tie_sensitive(returned: list[str], scores: list[float | None], grades: dict[str, int]) -> bool:
    """Tell whether records of different grades share a score within the top K+1.

    Their order then follows the index's internal order, which can differ from one build
    to the next (the harvest order of the records), so the query's score can change
    between runs without any change to the engine.
    """
    seen: dict[float, set[int]] = {}
    for uri, score in zip(returned[: K + 1], scores[: K + 1], strict=False):
        if score is not None:
            seen.setdefault(score, set()).add(grades.get(uri, 0))
    return any(len(g) > 1 for g in seen.values())


def run_queries(
    search: Callable[[str], tuple[list[str], int, list[float | None]]], queries: list[Judged]
) -> list[Outcome]:
    outcomes = []
    for judged in queries:
        started = time.perf_counter()
        error = ""
        scores: list[float | None] = []
        try:
            returned, total, scores = search(judged.q)
        except Exception as exc:  # a failing query scores 0 and is reported
            returned, total, error = [], 0, f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - started) * 1000
        top = set(returned[:K])
        outcomes.append(
            Outcome(
                q=judged.q,
                category=judged.category,
                group=judged.group,
                held_out=judged.held_out,
                from_log=bool(judged.log),
                ndcg=ndcg_at(returned, judged.grades),
                rr=reciprocal_rank(returned, judged.grades),
                returned=returned[:K],
                total=total,
                ms=ms,
                missing=[
                    uri
                    for uri, _ in sorted(judged.grades.items(), key=lambda i: -i[1])
                    if uri not in top
                ],
                error=error,
                tied=tie_sensitive(returned, scores, judged.grades),
            )
        )
    return outcomes


def bench_backend(
    name: str,
    catalogue: Any,
    work: Path,
    queries: list[Judged],
    probes: list[str],
    non_public: set[str],
) -> dict[str, Any]:
    from insyn.search.backends.base import SearchRequest
    from insyn.search.indexer import Indexer

    with open_backend(name, work) as backend:
        started = time.perf_counter()
        run = Indexer(catalogue, backend).catch_up()
        index_seconds = time.perf_counter() - started
        _log(f"{name}: indexed {run.upserted} records in {index_seconds:.2f} s")

        def search(text: str) -> tuple[list[str], int, list[float | None]]:
            # One more than K, to see ties at the cut.
            result = backend.search(
                SearchRequest(text, page_size=K + 1, public_only=True, highlight=False)
            )
            uris = [str(hit.fields.get("uri") or hit.id) for hit in result.hits]
            return uris, result.total, [hit.score for hit in result.hits]

        outcomes = run_queries(search, queries)
        leaks: list[dict[str, Any]] = [
            {"q": o.q, "uri": uri} for o in outcomes for uri in o.returned if uri in non_public
        ]
        for probe in probes:
            try:
                returned, _, _ = search(probe)
            except Exception as exc:
                leaks.append({"q": probe, "error": f"{type(exc).__name__}: {exc}"})
                continue
            leaks += [{"q": probe, "uri": uri} for uri in returned if uri in non_public]
    by_category: dict[str, list[float]] = {}
    by_group: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_category.setdefault(outcome.category, []).append(outcome.ndcg)
        by_group.setdefault(outcome.group, []).append(outcome)
    return {
        "backend": name,
        "indexed": run.upserted,
        "index_seconds": index_seconds,
        "queries": len(outcomes),
        "mean_ndcg_at_10": statistics.fmean(o.ndcg for o in outcomes),
        "mrr": statistics.fmean(o.rr for o in outcomes),
        "median_query_ms": statistics.median(o.ms for o in outcomes),
        "tie_sensitive_queries": [o.q for o in outcomes if o.tied],
        "by_category": {c: statistics.fmean(v) for c, v in sorted(by_category.items())},
        "by_group": {g: summarise(v) for g, v in sorted(by_group.items())},
        "all": summarise(outcomes),
        "tuned": summarise([o for o in outcomes if not o.held_out]),
        "held_out": summarise([o for o in outcomes if o.held_out]),
        "from_log": summarise([o for o in outcomes if o.from_log]),
        "leaks": leaks,
        "errors": [{"q": o.q, "error": o.error} for o in outcomes if o.error],
        "outcomes": [o.__dict__ for o in outcomes],
    }


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """Mean nDCG@K, MRR and the share of queries that found nothing."""
    if not outcomes:
        return {"queries": 0, "ndcg": 0.0, "mrr": 0.0, "zero_rate": 0.0}
    return {
        "queries": len(outcomes),
        "ndcg": statistics.fmean(o.ndcg for o in outcomes),
        "mrr": statistics.fmean(o.rr for o in outcomes),
        "zero_rate": sum(1 for o in outcomes if o.total == 0) / len(outcomes),
    }


def verdicts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The three targets for one backend, each with its value and PASS/MISS."""
    checks = [
        (f"mean nDCG@{K}, all queries", result["all"]["ndcg"], TARGET_NDCG, True),
        (f"mean nDCG@{K}, held-out fifth", result["held_out"]["ndcg"], TARGET_HELD_OUT, True),
        ("zero-result rate", result["all"]["zero_rate"], TARGET_ZERO, False),
    ]
    return [
        {
            "metric": metric,
            "target": target,
            "value": value,
            "result": "PASS" if (value >= target if higher else value <= target) else "MISS",
        }
        for metric, value, target, higher in checks
    ]


# --- the report ------------------------------------------------------------------------


def short(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1] if "://" in uri else uri


def render(figures: dict[str, Any]) -> str:
    out: list[str] = []
    catalogue = figures["catalogue"]
    out.append(
        f"Relevance benchmark: {catalogue['queries']} judged queries over {catalogue['file']} "
        f"({catalogue['records']} records, {catalogue['public']} public)"
    )
    out.append(
        f"nDCG@{K} (gain 2^grade-1), RR = 1/rank of the first top-graded record; "
        f"◀ marks nDCG@{K} < {FLAG_BELOW}; ≈ marks a score that depends on the order of tied "
        "hits (it can change from one index build to the next)"
    )
    for name, reason in figures["skipped"].items():
        out.append(f"skipped {name}: {reason}")
    judged = {j["q"]: j for j in figures["judgements"]}
    for result in figures["backends"]:
        name = result["backend"]
        out.append("")
        out.append(f"== {name} ({result['indexed']} records indexed) ==")
        out.append(f"  {'query':<38} {'category':<12} {'nDCG@10':>7} {'RR':>5} {'hits':>5}")
        for o in result["outcomes"]:
            flag = (" ◀" if o["ndcg"] < FLAG_BELOW else "") + (" ≈" if o["tied"] else "")
            flag += " [held out]" if o["held_out"] else ""
            error = f"  ERROR {o['error']}" if o["error"] else ""
            out.append(
                f"  {o['q'][:38]:<38} {o['category']:<12} {o['ndcg']:>7.3f} {o['rr']:>5.2f} "
                f"{o['total']:>5}{flag}{error}"
            )
        out.append("")
        out.append(f"  worst {WORST} queries on {name}: what came back (judged grade) / missing")
        worst = sorted(result["outcomes"], key=lambda o: (o["ndcg"], o["rr"]))[:WORST]
        for o in worst:
            grades = judged[o["q"]]["grades"]
            got = ", ".join(f"{short(u)}({grades.get(u, 0)})" for u in o["returned"][:5])
            missing = ", ".join(f"{short(u)}({grades[u]})" for u in o["missing"])
            out.append(f"  - {o['q']!r} nDCG {o['ndcg']:.3f}: [{got or 'nothing'}]")
            if missing:
                out.append(f"      missing: {missing}")
        out.append("")
        out.append(f"  mean nDCG@{K} per category:")
        for category, value in result["by_category"].items():
            count = sum(1 for o in result["outcomes"] if o["category"] == category)
            out.append(f"    {category:<13} {value:.3f}  ({count} queries)")
        out.append("")
        out.append(f"  per group: {'queries':>7} {'nDCG@10':>8} {'MRR':>6} {'zero':>6}")
        rows = [*result["by_group"].items()]
        rows += [("tuned 4/5", result["tuned"]), ("HELD-OUT 1/5", result["held_out"])]
        if result["from_log"]["queries"]:
            rows += [("from a log", result["from_log"])]
        rows += [("all", result["all"])]
        for group, s in rows:
            out.append(
                f"    {group:<13} {s['queries']:>6} {s['ndcg']:>8.3f} {s['mrr']:>6.3f} "
                f"{s['zero_rate']:>6.1%}"
            )
        out.append("")
        out.append(
            f"  {name}: mean nDCG@{K} {result['mean_ndcg_at_10']:.3f}   MRR {result['mrr']:.3f}"
            f"   median query {result['median_query_ms']:.1f} ms"
        )
        tied = result["tie_sensitive_queries"]
        if tied:
            out.append(
                f"  {len(tied)} queries rank differently graded records with equal scores "
                f"(≈): {', '.join(repr(q) for q in tied)}"
            )
        if result["leaks"]:
            for leak in result["leaks"]:
                out.append(f"  PROBLEM: non-public record in a public search: {leak}")
        else:
            out.append(
                f"  no non-public record in any public result "
                f"({result['queries']} queries + {figures['catalogue']['probes']} probes)"
            )
        if result["errors"]:
            out.append(f"  PROBLEM: {len(result['errors'])} queries failed")
    out.append("")
    out.append("Summary")
    out.append(f"  {'backend':<15} {'nDCG@10':>8} {'MRR':>6} {'leaks':>6}")
    for result in figures["backends"]:
        out.append(
            f"  {result['backend']:<15} {result['mean_ndcg_at_10']:>8.3f} {result['mrr']:>6.3f} "
            f"{len(result['leaks']):>6}"
        )
    for result in figures["backends"]:
        for verdict in result["targets"]:
            sign = ">=" if verdict["metric"].startswith("mean") else "<="
            out.append(
                f"  {result['backend']:<15} {verdict['metric']} {sign} {verdict['target']}: "
                f"{verdict['value']:.3f} {verdict['result']}"
            )
    return "\n".join(out)


# --- main ------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"[relevance] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated: embedded, osmem, elasticsearch (default: all available)",
    )
    parser.add_argument("--judgements", default=str(JUDGEMENTS), help="the judgments file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in wanted if b not in BACKENDS]
    if unknown:
        raise SystemExit(f"relevance: unknown backend {', '.join(unknown)}")
    queries, probes = load_judgements(Path(args.judgements))
    run, skipped = available_backends(wanted)
    (BENCH_DIR / "out").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="relevance-", dir=BENCH_DIR / "out"))
    try:
        catalogue = harvest_demo(work)
        try:
            records = catalogue_records(catalogue)
            non_public = {uri for uri, r in records.items() if not r["public"]}
            problems = [
                f"judged record {uri} (query {j.q!r}) is "
                + ("not public" if uri in non_public else "not in the catalogue")
                for j in queries
                for uri in j.grades
                if uri not in records or uri in non_public
            ]
            if problems:
                raise SystemExit("relevance: " + "\n".join(problems))
            figures: dict[str, Any] = {
                "catalogue": {
                    "file": str(DEMO_FILE.relative_to(ROOT)),
                    "records": len(records),
                    "public": len(records) - len(non_public),
                    "queries": len(queries),
                    "probes": len(probes),
                },
                "judgements": [j.__dict__ for j in queries],
                "skipped": skipped,
                "backends": [],
            }
            for name in run:
                figures["backends"].append(
                    bench_backend(name, catalogue, work, queries, probes, non_public)
                )
        finally:
            catalogue.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for result in figures["backends"]:
        result["targets"] = verdicts(result)
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
