"""Diarium benchmark: the command a person runs, ``insyn harvest``, on a generated FGS export.

``.venv/bin/python bench/diarium.py --documents 100000`` (default 100,000 documents in
documents/10 cases):

1. writes an ERMS 3 export streamed to disk (never built in memory): cases with a
   diarienummer in one of the written forms, a title, a unit, parties (some private
   individuals), documents with direction, dates, attachments, and a share secret-marked
   with an OSL provision; it validates against the bundled XSD and Schematron;
2. times ``insyn --home H harvest bench-fgs --json`` as a process of its own (XSD and
   Schematron on unless ``--no-validate``; the search index catch-up that the command
   does after the harvest included) into an empty SQLite catalogue, then
   ``insyn harvest bench-fgs --full`` of the unchanged export (every case read, compared
   by its source digest), each with wall time, CPU time and peak memory of the process;
3. prints documents/s of both against the targets (issue #16: ≥ 6,000 first, ≥ 30,000
   unchanged) with PASS/MISS, the harvest's own seconds from the run summary beside
   the whole command's, and the machine and its load (``bench/machine.py``);
4. times diarienummer lookups (each case number written in another form: "KS 2024/123",
   "KS 2024/00123", "KS.2024.123", "KS-2024-123", "2024/123") and text searches in the
   index the command built, p50/p95 with PASS/MISS (``--json`` for JSON).

``--profile`` runs the commands under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

SEED = 20_241_125
SOURCE = "bench-fgs"
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


def _insyn(work: Path, documents: int, validate: bool, profile: bool) -> dict[str, Any]:
    """Set up a home with the FGS source; time the first and the unchanged harvest."""
    from harvest import _installed_bytecode, insyn_command, run_child

    _installed_bytecode()  # timed as installed, not compiling Insyn in every process
    home = work / "home"
    shutil.rmtree(home, ignore_errors=True)
    insyn = [*insyn_command(), "--home", str(home)]
    subprocess.run([*insyn, "init"], check=True, capture_output=True)
    add = [*insyn, "sources", "add", SOURCE, "--kind", "fgs", "--url", str(work / "export.xml")]
    options = ["--option", f"validate={'true' if validate else 'false'}"]
    subprocess.run([*add, *options], check=True, capture_output=True)
    phases: dict[str, Any] = {}
    for name, extra in (("first", []), ("unchanged", ["--full"])):
        dump = ["--profile-file", str(work / f"profile-{name}.prof")] if profile else []
        phase = run_child("command", [*dump, "--", *insyn, "harvest", SOURCE, "--json", *extra])
        summary = phase["summary"] or {}
        if phase["exit"] != 0 or summary.get("status") != "completed":
            raise SystemExit(f"insyn harvest ({name}) failed: {summary} {phase['stderr']}")
        phase["documents_per_s"] = documents / phase["seconds"]
        phases[name] = phase
    # What every insyn command costs before it does anything (imports, settings): part of
    # each figure above, shown so that the harvest's own share can be read.
    phases["startup"] = run_child("command", ["--", *insyn, "--help"])
    if phases["unchanged"]["summary"]["unchanged"] != phases["first"]["summary"]["added"]:
        raise SystemExit(f"the unchanged re-harvest changed something: {phases['unchanged']}")
    return {"home": home, **phases}


def main() -> None:
    from machine import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
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
    host = machine()
    runs = _insyn(work, args.documents, not args.no_validate, args.profile)
    first, again = runs["first"], runs["unchanged"]
    searches = _searches(runs["home"], cases, args.samples)
    figures = {
        "machine": host,
        "documents": args.documents,
        "cases": cases,
        "records_added": first["summary"]["added"],
        "export_mb": round(export.stat().st_size / 2**20, 1),
        "generate_s": round(generated, 1),
        "validate": not args.no_validate,
        "first": {k: first[k] for k in ("seconds", "cpu_seconds", "peak_mb", "summary")},
        "first_documents_per_s": round(first["documents_per_s"]),
        "unchanged": {k: again[k] for k in ("seconds", "cpu_seconds", "peak_mb", "summary")},
        "unchanged_documents_per_s": round(again["documents_per_s"]),
        "startup": {k: runs["startup"][k] for k in ("seconds", "cpu_seconds", "peak_mb")},
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        **searches,
        "profiled": args.profile,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(render(figures))
    if args.profile:
        from harvest import render_profile

        for name in ("first", "unchanged"):
            print(render_profile(work / f"profile-{name}.prof"))
    print(f"work folder: {work}")


def render(figures: dict[str, Any]) -> str:
    def mark(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    m = figures["machine"]
    n = figures["documents"]
    lines = [
        f"Diarium benchmark: 'insyn --home H harvest {SOURCE}' as a process (index catch-up "
        f"included), validate={figures['validate']}",
        f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM; Python {m['python']}, "
        f"SQLite {m['sqlite']}; load average {m['load_average']} before, "
        f"{figures['load_average_after']} after",
        f"FGS export: {n:,} documents in {figures['cases']:,} cases, {figures['export_mb']} MB "
        f"(generated in {figures['generate_s']:.0f} s)",
    ]
    if figures["profiled"]:
        lines.append("NOTE: the commands ran under cProfile; their times are inflated")
    lines += [
        "",
        f"{'measure':<34}{'wall s':>8}{'cpu s':>8}{'docs/s':>9}{'docs/cpu s':>11}"
        f"{'peak MB':>9}{'harvest s':>10}  target      result",
        "-" * 112,
    ]
    for label, key, target in (
        ("insyn harvest, empty catalogue", "first", TARGET_DOCS_PER_S),
        ("insyn harvest --full, unchanged", "unchanged", TARGET_UNCHANGED_DOCS_PER_S),
    ):
        phase = figures[key]
        rate = n / phase["seconds"]
        lines.append(
            f"{label:<34}{phase['seconds']:>8.1f}{phase['cpu_seconds']:>8.1f}{rate:>9,.0f}"
            f"{n / phase['cpu_seconds']:>11,.0f}{phase['peak_mb']:>9,.0f}"
            f"{phase['summary']['seconds']:>10.1f}  ≥ {target:<9,} {mark(rate >= target)}"
        )
    lines.append("-" * 112)
    peak = max(figures["first"]["peak_mb"], figures["unchanged"]["peak_mb"])
    lines.append(
        f"peak memory of the harvest processes: {peak:,.0f} MB "
        f"[{mark(peak < TARGET_PEAK_MB)} < {TARGET_PEAK_MB:,} MB]"
    )
    busy = [
        key
        for key in ("first", "unchanged")
        if figures[key]["cpu_seconds"] < 0.85 * figures[key]["seconds"]
    ]
    if busy:
        lines.append(
            f"NOTE: wall time well above CPU time in {', '.join(busy)}: the machine was busy; "
            "docs/cpu s is what the command would do on a core of its own"
        )
    start, again = figures["startup"], figures["unchanged"]
    lines.append(
        f"process start alone ('insyn --help'): {start['seconds']:.1f} s wall, "
        f"{start['cpu_seconds']:.1f} s CPU; the unchanged re-harvest without it: "
        f"{n / (again['cpu_seconds'] - start['cpu_seconds']):,.0f} documents per CPU second"
    )
    summary = figures["first"]["summary"]
    lines.append(
        f"first: added {summary['added']:,}, failed {summary['failed']}; unchanged: "
        f"{figures['unchanged']['summary']['unchanged']:,} unchanged"
    )
    lookup, text = figures["lookup"], figures["text"]
    lines.append(
        f"lookup: p50 {lookup['p50_ms']} ms, p95 {lookup['p95_ms']} ms "
        f"[{mark(lookup['p95_ms'] <= TARGET_P95_LOOKUP_MS)} ≤ {TARGET_P95_LOOKUP_MS} ms], "
        f"not found {lookup['not_found']}/{lookup['samples']}"
    )
    lines.append(f"text:   p50 {text['p50_ms']} ms, p95 {text['p95_ms']} ms")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
