"""Diarium benchmark: a generated FGS Ärendehantering export, harvested, indexed, searched.

``.venv/bin/python bench/diarium.py --documents 1000000`` (default 1,000,000 documents in
documents/10 cases):

1. writes an ERMS 3 export streamed to disk (never built in memory): cases with a
   diarienummer in one of the written forms, a title, a unit, parties (some private
   individuals), documents with direction, dates, attachments, and a share secret-marked
   with an OSL provision;
2. harvests it with the ``fgs`` connector through the engine into an empty SQLite
   catalogue in a fresh subprocess that reports its own peak memory (``validate=true``
   unless ``--no-validate``);
3. indexes the catalogue into the embedded search backend (Indexer.catch_up), then
   harvests the unchanged export again in full (``full=True``) and times that too;
4. times diarienummer lookups (each case number written in another form: "KS 2024/123",
   "KS 2024/00123", "KS.2024.123", "KS-2024-123", "2024/123") and text searches, and
   prints p50/p95 with PASS/MISS against the targets (``--json`` for JSON).

``--profile`` runs the harvest under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

SEED = 20_241_125
TARGET_DOCS_PER_S = 6_000  # first harvest, XSD and Schematron on (issue #16)
TARGET_UNCHANGED_DOCS_PER_S = 30_000  # re-harvest of an unchanged export
TARGET_PEAK_MB = 1_024
TARGET_P95_LOOKUP_MS = 20.0
SERIES = ["KS", "BN", "SN", "MN", "KFN", "UN", "TN"]
UNITS = [
    "Kommunledningsförvaltningen",
    "Bygglovsenheten",
    "Socialförvaltningen",
    "Miljöförvaltningen",
    "Kultur- och fritidsförvaltningen",
    "Utbildningsförvaltningen",
]
SUBJECTS = [
    "belysning",
    "bygglov",
    "förskola",
    "detaljplan",
    "skolskjuts",
    "avfall",
    "bistånd",
    "tillsyn",
    "upphandling",
    "medborgarförslag",
    "parkering",
    "cykelväg",
    "strandskydd",
    "livsmedel",
    "bredband",
    "vatten",
    "gatubelysning",
    "lekplats",
]
FIRST = ["Anna", "Erik", "Karin", "Lars", "Maria", "Johan", "Eva", "Per", "Sara", "Nils"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson"]
DIRECTIONS = ["incoming", "outgoing", "internal_memo_for_follow-up"]


def case_number(index: int) -> tuple[str, int, int]:
    return SERIES[index % len(SERIES)], 2015 + (index // 20_000) % 10, index // len(SERIES) + 1


def written_forms(series: str, year: int, number: int) -> list[str]:
    return [
        f"{series} {year}/{number}",
        f"{series} {year}/{number:05d}",
        f"{series}.{year}.{number}",
        f"{series}-{year}-{number}",
    ]


def write_export(path: Path, documents: int, per_case: int = 10) -> int:
    """Write the export; return the number of cases."""
    rnd = random.Random(SEED)
    cases = max(1, documents // per_case)
    with path.open("w", encoding="utf-8") as out:
        _head(out)
        written = 0
        for index in range(cases):
            count = per_case if index < cases - 1 else documents - written
            _case(out, rnd, index, count)
            written += count
        out.write("  </aggregations>\n</erms>\n")
    return cases


def _head(out: TextIO) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<erms xmlns="https://DILCIS.eu/XML/ERMS">\n'
        "  <control>\n"
        '    <identification identificationType="arkivbildare">Benchby kommun</identification>\n'
        '    <maintenanceInformation><maintenanceStatus value="new"/><maintenanceAgency>'
        "<agencyName>Benchby kommun</agencyName></maintenanceAgency><maintenanceHistory>"
        '<maintenanceEvent><eventType value="created"/><eventDateTime>2024-06-01T08:00:00'
        '</eventDateTime><agent agentType="deliverer"><name>Genererad</name></agent>'
        "</maintenanceEvent></maintenanceHistory></maintenanceInformation>\n"
        "  </control>\n  <aggregations>\n"
    )


def _case(out: TextIO, rnd: random.Random, index: int, count: int) -> None:
    series, year, number = case_number(index)
    dnr = written_forms(series, year, number)[index % 4]
    subject = rnd.choice(SUBJECTS)
    secret = index % 10 == 0
    person = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    restriction = (
        '<restriction restrictionType="confidential"><regulation>OSL 26:1</regulation>'
        "</restriction>"
        if secret
        else ""
    )
    out.write(
        f'    <aggregation systemIdentifier="a{index}" aggregationType="caseFile">'
        f"<objectId>{dnr}</objectId>"
        f'<classification classificationCode="{index % 9 + 1}.{index % 5 + 1}"/>'
        f'<title>Ärende om {subject} nr {index}</title><status value="open"/>{restriction}'
        f'<agents><agent agentType="responsible_person"><name>Handläggare {index % 50}</name>'
        f"<unitName>{rnd.choice(UNITS)}</unitName></agent>"
        f'<agent agentType="counterpart"><name>{escape(person)}</name></agent></agents>'
        f'<dates><date dateType="opened">{year}-03-0{index % 9 + 1}T00:00:00</date></dates>\n'
    )
    for doc in range(1, count + 1):
        direction = DIRECTIONS[doc % 3]
        out.write(
            f'      <record systemIdentifier="r{index}-{doc}" recordType="skrivelse">'
            f"<objectId>{dnr}-{doc}</objectId>"
            f"<title>Handling {doc} om {subject} i ärende {index}</title>"
            f"<runningNumber>{doc}</runningNumber>"
            f'<direction directionDefinition="{direction}"/>'
            f'<agents><agent agentType="sender"><name>{escape(person)}</name></agent></agents>'
            f'<dates><date dateType="received">{year}-04-1{doc % 9}T00:00:00</date></dates>'
            f'<additionalInformation><appendix name="handling{doc}.pdf" '
            f'path="bilagor/{index}/handling{doc}.pdf" fileFormat="pdf"/>'
            "</additionalInformation></record>\n"
        )
    out.write("    </aggregation>\n")


HARVEST = """
import json, resource, sys, time
from insyn.catalogue.store import Catalogue
from insyn.harvester.engine import harvest_source
catalogue = Catalogue(sys.argv[1])
again = sys.argv[5] == "again"  # the same file read in full once more: nothing changed
if not again:
    catalogue.add_source("bench-fgs", "fgs", sys.argv[2], options={"validate": sys.argv[3]})
started = time.monotonic()
if sys.argv[4] == "1":
    import cProfile, pstats
    profile = cProfile.Profile()
    summary = profile.runcall(harvest_source, catalogue, "bench-fgs", full=again)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
else:
    summary = harvest_source(catalogue, "bench-fgs", full=again)
seconds = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"summary": summary.as_json(), "seconds": seconds, "peak_mb": peak}))
"""

INDEX = """
import json, resource, sys, time
from insyn.catalogue.store import Catalogue
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import Indexer
catalogue = Catalogue(sys.argv[1])
started = time.monotonic()
run = Indexer(catalogue, EmbeddedBackend(sys.argv[2]), batch_size=2000).catch_up()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"upserted": run.upserted, "seconds": time.monotonic() - started,
                  "peak_mb": peak}))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-4000:])
    if done.stderr.strip():
        print(done.stderr[-6000:], file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _searches(home: Path, cases: int, samples: int) -> dict[str, Any]:
    from insyn.search.backends.base import SearchRequest
    from insyn.search.backends.embedded import EmbeddedBackend

    backend = EmbeddedBackend(home)
    rnd = random.Random(SEED + 1)
    lookups: list[float] = []
    misses = 0
    for sample in range(samples):
        index = rnd.randrange(cases)
        series, year, number = case_number(index)
        forms = [*written_forms(series, year, number), f"{year}/{number}"]
        text = forms[sample % len(forms)]
        started = time.perf_counter()
        result = backend.search(SearchRequest(query=text, public_only=False, page_size=20))
        lookups.append(time.perf_counter() - started)
        if result.total == 0:
            misses += 1
    texts: list[float] = []
    for sample in range(samples):
        words = " ".join(rnd.sample(SUBJECTS, 1 + sample % 2))
        started = time.perf_counter()
        backend.search(SearchRequest(query=words, public_only=sample % 2 == 0, page_size=20))
        texts.append(time.perf_counter() - started)
    return {
        "lookup": {**_percentiles(lookups), "samples": samples, "not_found": misses},
        "text": {**_percentiles(texts), "samples": samples},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="insyn-bench-diarium-"))
    work.mkdir(parents=True, exist_ok=True)
    export = work / "export.xml"
    started = time.monotonic()
    cases = write_export(export, args.documents)
    generated = time.monotonic() - started
    url = f"sqlite:///{work / 'insyn.sqlite3'}"
    harvest = _child(
        HARVEST,
        url,
        str(export),
        "false" if args.no_validate else "true",
        "1" if args.profile else "0",
        "first",
    )
    summary = harvest["summary"]
    if summary["status"] != "completed":
        raise SystemExit(f"harvest failed: {summary}")
    index = _child(INDEX, url, str(work / "index"))
    again = _child(HARVEST, url, str(export), "false" if args.no_validate else "true", "0", "again")
    if again["summary"]["unchanged"] != summary["added"]:
        raise SystemExit(f"the unchanged re-harvest changed something: {again['summary']}")
    again_per_s = args.documents / again["seconds"]
    searches = _searches(work / "index", cases, args.samples)
    records = summary["added"]
    docs_per_s = args.documents / harvest["seconds"]
    figures = {
        "documents": args.documents,
        "cases": cases,
        "records_added": records,
        "export_mb": round(export.stat().st_size / 2**20, 1),
        "generate_s": round(generated, 1),
        "validate": not args.no_validate,
        "harvest_s": round(harvest["seconds"], 1),
        "harvest_documents_per_s": round(docs_per_s),
        "harvest_records_per_s": round(records / harvest["seconds"]),
        "harvest_peak_mb": round(harvest["peak_mb"]),
        "unchanged_s": round(again["seconds"], 1),
        "unchanged_documents_per_s": round(again_per_s),
        "load_average": " ".join(f"{load:.1f}" for load in os.getloadavg()),
        "index_s": round(index["seconds"], 1),
        "index_peak_mb": round(index["peak_mb"]),
        **searches,
        "ru_maxrss_parent_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return

    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print(
        f"FGS export: {args.documents:,} documents in {cases:,} cases, "
        f"{figures['export_mb']} MB (generated in {generated:.0f} s)"
    )
    print(
        f"harvest:   {harvest['seconds']:.0f} s, {docs_per_s:,.0f} documents/s "
        f"[{mark(docs_per_s >= TARGET_DOCS_PER_S)} ≥ {TARGET_DOCS_PER_S:,}], "
        f"peak {harvest['peak_mb']:.0f} MB [{mark(harvest['peak_mb'] < TARGET_PEAK_MB)} "
        f"< {TARGET_PEAK_MB} MB], validate={not args.no_validate}"
    )
    print(
        f"unchanged: {again['seconds']:.0f} s, {again_per_s:,.0f} documents/s "
        f"[{mark(again_per_s >= TARGET_UNCHANGED_DOCS_PER_S)} ≥ "
        f"{TARGET_UNCHANGED_DOCS_PER_S:,}] (the same file read again in full)"
    )
    print(f"index:     {index['seconds']:.0f} s, peak {index['peak_mb']:.0f} MB")
    lookup = searches["lookup"]
    print(
        f"lookup:    p50 {lookup['p50_ms']} ms, p95 {lookup['p95_ms']} ms "
        f"[{mark(lookup['p95_ms'] <= TARGET_P95_LOOKUP_MS)} ≤ {TARGET_P95_LOOKUP_MS} ms], "
        f"not found {lookup['not_found']}/{lookup['samples']}"
    )
    text = searches["text"]
    print(f"text:      p50 {text['p50_ms']} ms, p95 {text['p95_ms']} ms")
    print(f"work folder: {work}; load average {figures['load_average']} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
