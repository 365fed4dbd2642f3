"""Files-connector benchmark: a generated folder tree harvested through the engine.

``.venv/bin/python bench/files.py`` (``--files``, default 100,000) writes a tree of small
files (``--folders`` top-level folders, each with subfolders of a hundred files; one
file in twenty has no extension, so its first bytes are sniffed), then times, each in a
fresh subprocess reporting its own peak memory, against an empty SQLite catalogue:

1. the first harvest (every file stat-ed, the extensionless ones sniffed, all stored);
2. an unchanged re-harvest (every file stat-ed again, nothing sniffed, nothing written);
3. a re-harvest after one file changed (one dataset updated);
4. the connector's walk alone, without the engine (what the re-harvest costs on disk).

It prints a table with the machine (nproc, CPU model); ``--json`` prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine import machine

SOURCE_NAME = "bench-files"
SEED = 20_240_501
FILES_PER_FOLDER = 100
EXTENSIONS = (".pdf", ".docx", ".xlsx", ".csv", ".txt", ".jpg", ".json", ".odt")
HEADS = {
    ".pdf": b"%PDF-1.7\n",
    ".jpg": b"\xff\xd8\xff\xe0",
    ".csv": "år;belopp\n2024;1\n".encode(),
    ".json": b'{"a": 1}',
}
TOPICS = ("Ekonomi", "Miljö", "Skola", "Bygglov", "Socialtjänst", "Kultur", "Gata och park")


def generate(root: Path, files: int, folders: int) -> dict[str, Any]:
    """Write ``files`` small files under ``root``; return what was made and how long it took."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    subfolders = max(1, files // (folders * FILES_PER_FOLDER))
    written = 0
    datasets = 0
    for top in range(folders):
        top_dir = root / f"{TOPICS[top % len(TOPICS)]} {top:03d}"
        for sub in range(subfolders):
            folder = top_dir / f"År {2000 + sub}"
            folder.mkdir(parents=True, exist_ok=True)
            datasets += 1
            for number in range(FILES_PER_FOLDER):
                if written >= files:
                    break
                extension = "" if rng.random() < 0.05 else rng.choice(EXTENSIONS)
                body = HEADS.get(extension or rng.choice(EXTENSIONS), b"") + os.urandom(
                    rng.randrange(16, 256)
                )
                (folder / f"handling_{number:04d}_åäö{extension}").write_bytes(body)
                written += 1
    # Whatever is left (files not a multiple of the layout) goes into the last folder.
    while written < files:
        (root / f"rest_{written}.txt").write_bytes(b"rest")
        written += 1
    return {
        "files": written,
        "folders": folders,
        "datasets": datasets,
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- the measured phases, each in a subprocess of its own --------------------------------


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(phase: str, root: Path, data_dir: Path, depth: int) -> dict[str, Any]:
    from insyn.catalogue.db import sqlite_url
    from insyn.catalogue.store import Catalogue
    from insyn.connectors import files
    from insyn.connectors.base import Cursor, Item
    from insyn.harvester.engine import harvest_source
    from insyn.vocab.vocabularies import file_types

    file_types()  # the vocabulary loads once per process: not part of what is measured
    if phase == "walk":
        config = files.Config.from_source(str(root), {"depth": depth})
        started = time.perf_counter()
        count = sum(
            len(y.record.distributions)
            for y in files.harvest(config, Cursor())
            if isinstance(y, Item)
        )
        return {"seconds": time.perf_counter() - started, "summary": {"files": count}}
    catalogue = Catalogue(sqlite_url(data_dir))
    if phase == "first":
        catalogue.add_source(SOURCE_NAME, "files", str(root), options={"depth": depth})
    if phase == "changed":
        changed = next(p for p in sorted(root.rglob("*.csv")))
        changed.write_bytes(changed.read_bytes() + b"2025;2\n")
    started = time.perf_counter()
    summary = harvest_source(catalogue, SOURCE_NAME)
    seconds = time.perf_counter() - started
    catalogue.close()
    return {"seconds": seconds, "summary": summary.as_json() | {"warnings": summary.warnings}}


def run_child(phase: str, args: list[str]) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", phase, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        sys.stderr.write(done.stderr)
        raise SystemExit(f"bench: phase {phase} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the machine, the report -------------------------------------------------------------


PHASES = (
    ("first", "first harvest"),
    ("unchanged", "unchanged re-harvest"),
    ("changed", "one file changed"),
    ("walk", "walk only (no engine)"),
)


def render(figures: dict[str, Any]) -> str:
    m = figures["machine"]
    tree = figures["tree"]
    lines = [
        f"Insyn files connector: {tree['files']:,} files in {tree['datasets']:,} leaf folders, "
        f"depth {figures['depth']} ({figures['first']['summary']['added']:,} datasets), "
        "into SQLite",
        f"machine: nproc {m['nproc']}, {m['cpu']}, {m['ram_gb']} GB RAM; "
        f"Python {m['python']}, SQLite {m['sqlite']}; load average at start "
        f"{' '.join(str(x) for x in m['load_average'])}",
        f"tree written in {tree['seconds']:.1f} s to {figures['filesystem']}",
        "",
        f"{'phase':<24} {'seconds':>8} {'files/s':>9} {'peak MB':>8}  result",
        "-" * 78,
    ]
    for phase, label in PHASES:
        found = figures[phase]
        rate = tree["files"] / found["seconds"] if found["seconds"] else float("inf")
        summary = found["summary"]
        if phase == "walk":
            result = f"{summary['files']:,} files listed"
        else:
            result = (
                f"{summary['status']}: +{summary['added']} ~{summary['updated']} "
                f"={summary['unchanged']} -{summary['deleted']}"
            )
        lines.append(
            f"{label:<24} {found['seconds']:>8.2f} {rate:>9,.0f} {found['peak_mb']:>8.0f}  {result}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--folders", type=int, default=50, help="top-level folders")
    parser.add_argument("--depth", type=int, default=2, help="the source's depth option")
    parser.add_argument("--dir", help="where to write the tree (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the tree and catalogue")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        figures = _child(args.child, Path(args.root), Path(args.data_dir), args.depth)
        figures["peak_mb"] = _peak_mb()
        print(json.dumps(figures))
        return 0
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="insyn-bench-files-"))
    root, data_dir = work / "utdelning", work / "data"
    root.mkdir(parents=True)
    data_dir.mkdir()
    try:
        print(f"bench: writing {args.files:,} files under {root} …", file=sys.stderr)
        figures: dict[str, Any] = {
            "machine": machine(),
            "depth": args.depth,
            "tree": generate(root, args.files, args.folders),
            "filesystem": subprocess.run(
                ["df", "--output=fstype", str(root)], capture_output=True, text=True
            ).stdout.split()[-1],
        }
        child_args = ["--root", str(root), "--data-dir", str(data_dir), "--depth", str(args.depth)]
        for phase, label in PHASES:
            print(f"bench: {label} …", file=sys.stderr)
            figures[phase] = run_child(phase, child_args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2) if args.json else render(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
