"""Footprint: the time and memory figures the tests do not assert, measured with targets.

``.venv/bin/python bench/footprint.py`` measures, in this one process:

1. **vocabularies**: loading every controlled vocabulary from the bundled files, cold
   (the tests prove each file is read once; this is how long that once takes). Target 1 s.
2. **SHACL**: validating a catalogue of 500 conforming datasets against DCAT-AP and
   DCAT-AP-SE, shapes already loaded (the tests prove it conforms). Target 15 s.
3. **feed page**: a DCAT-AP-SE feed page of 100 built and serialised to Turtle from the
   demo catalogue (about 80 records), then from the same catalogue grown by ``--records``
   copies (default 20,000), first page and page 200. Python's peak allocation
   (tracemalloc) and seconds per page (the tests prove a page loads at most 100 records).
   Targets: a page at 20,000 allocates at most 1.5 times the small one plus 2 MB, and
   takes under 5 s.

It prints the machine, a table and PASS/MISS per target; ``--json`` prints the figures.
Peak memory of whole harvests is bench/harvest.py's, bench/diarium.py's and bench/files.py's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test helpers that build the same inputs as the tests

from machine import machine  # noqa: E402

TARGET_VOCABULARIES_S = 1.0
TARGET_SHACL_S = 15.0
TARGET_FEED_PAGE_S = 5.0


def vocabularies() -> dict[str, Any]:
    from insyn.vocab import vocabularies as v

    started = time.perf_counter()
    loaded = [v.by_name(name) for name in v.VOCABULARIES]
    return {"vocabularies": len(loaded), "vocabularies_s": time.perf_counter() - started}


def shacl(datasets: int) -> dict[str, Any]:
    from insyn.vocab.shacl import validate
    from tests.vocab.test_shacl import _minimal, catalogue_of

    validate(_minimal())  # load and prepare the shapes once: not part of the figure
    graph = catalogue_of(datasets)
    started = time.perf_counter()
    report = validate(graph)
    return {
        "shacl_datasets": datasets,
        "shacl_s": time.perf_counter() - started,
        "shacl_conforms": report.conforms,
    }


def _page(site: Any, page: int) -> tuple[int, float]:
    from insyn.web.access import ANONYMOUS
    from insyn.web.feeds import catalog_page_graph

    state = site.app.state.web
    tracemalloc.start()
    started = time.perf_counter()
    graph = catalog_page_graph(state, ANONYMOUS, page, 100, lambda n: f"{site.base_url}/p{n}")
    graph.serialize(format="turtle")
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, seconds


def feed(records: int) -> dict[str, Any]:
    from tests.web.support import make_site
    from tests.web.test_feeds import fill

    with tempfile.TemporaryDirectory(prefix="insyn-footprint-") as work:
        site = make_site(Path(work), "http://127.0.0.1:8080", extras=False)
        try:
            template = next(r for r in site.visible_rows() if r.uri.endswith("/bygglovsarenden"))
            small_records = len(site.visible_rows())
            small_peak, small_s = _page(site, 1)
            fill(site.catalogue, template, records)
            first_peak, first_s = _page(site, 1)
            last_page = max(1, min(200, (records + small_records) // 100))
            last_peak, last_s = _page(site, last_page)
        finally:
            site.backend.close()
            site.catalogue.close()
    return {
        "feed_small_records": small_records,
        "feed_records": records + small_records,
        "feed_small_peak_mb": small_peak / 1e6,
        "feed_small_s": small_s,
        "feed_first_peak_mb": first_peak / 1e6,
        "feed_first_s": first_s,
        "feed_last_page": last_page,
        "feed_last_peak_mb": last_peak / 1e6,
        "feed_last_s": last_s,
    }


def evaluate(figures: dict[str, Any]) -> list[tuple[str, bool]]:
    flat_mb = 1.5 * figures["feed_small_peak_mb"] + 2.0
    return [
        (
            f"vocabularies load under {TARGET_VOCABULARIES_S:g} s",
            figures["vocabularies_s"] < TARGET_VOCABULARIES_S,
        ),
        (
            f"SHACL of {figures['shacl_datasets']} datasets under {TARGET_SHACL_S:g} s",
            figures["shacl_conforms"] and figures["shacl_s"] < TARGET_SHACL_S,
        ),
        (
            f"feed page at {figures['feed_records']:,} records within {flat_mb:.1f} MB",
            max(figures["feed_first_peak_mb"], figures["feed_last_peak_mb"]) < flat_mb,
        ),
        (
            f"feed page at {figures['feed_records']:,} records under {TARGET_FEED_PAGE_S:g} s",
            max(figures["feed_first_s"], figures["feed_last_s"]) < TARGET_FEED_PAGE_S,
        ),
    ]


def render(figures: dict[str, Any]) -> str:
    rows = [
        f"machine: {json.dumps(figures['machine'], ensure_ascii=False)}",
        "",
        f"vocabularies ({figures['vocabularies']}), cold load   {figures['vocabularies_s']:8.3f} s",
        f"SHACL, {figures['shacl_datasets']} datasets               "
        f"{figures['shacl_s']:8.2f} s  conforms={figures['shacl_conforms']}",
        f"feed page 1 at {figures['feed_small_records']:>6,} records    "
        f"{figures['feed_small_s']:8.3f} s  peak {figures['feed_small_peak_mb']:6.1f} MB",
        f"feed page 1 at {figures['feed_records']:>6,} records    "
        f"{figures['feed_first_s']:8.3f} s  peak {figures['feed_first_peak_mb']:6.1f} MB",
        f"feed page {figures['feed_last_page']} at {figures['feed_records']:>6,} records  "
        f"{figures['feed_last_s']:8.3f} s  peak {figures['feed_last_peak_mb']:6.1f} MB",
        "",
    ]
    rows += [f"{'PASS' if ok else 'MISS'}  {target}" for target, ok in evaluate(figures)]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=20_000, help="copies added (20000)")
    parser.add_argument("--datasets", type=int, default=500, help="SHACL datasets (500)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"machine": machine()}
    print("vocabularies …", file=sys.stderr)
    figures |= vocabularies()  # first: in a fresh process the vocabularies are cold
    print("SHACL …", file=sys.stderr)
    figures |= shacl(args.datasets)
    print(f"feed pages, then {args.records:,} more records …", file=sys.stderr)
    figures |= feed(args.records)
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
