"""``insyn index`` indexes at a lower CPU priority (INSYN_INDEX_NICE), so that searches
on the same cores keep their speed while the index catches up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

# Runs ``insyn index`` in a process of its own (a lowered priority cannot be raised
# again) and prints the priority the catch-up ran at, then the process's at the start.
_PROGRAM = """
import os, sys
from insyn.search.indexer import Indexer
start = os.getpriority(os.PRIO_PROCESS, 0)
real = Indexer.catch_up
def catch_up(self, *args, **kwargs):
    print("catch-up", os.getpriority(os.PRIO_PROCESS, 0), start)
    return real(self, *args, **kwargs)
Indexer.catch_up = catch_up
from insyn.cli.main import main
main(["--home", sys.argv[1], "index"])
"""


def _index(tmp_path: Path, nice: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "INSYN_INDEX_NICE"}
    if nice is not None:
        env["INSYN_INDEX_NICE"] = nice
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _priorities(done: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("catch-up"))
    during, start = (int(word) for word in line.split()[1:])
    return during, start


def test_insyn_index_catches_up_at_the_lower_priority_it_is_given(tmp_path: Path) -> None:
    require(hasattr(os, "nice"), "no process priorities on this system")
    during, start = _priorities(_index(tmp_path, "7"))
    assert during == min(start + 7, 19)


def test_insyn_index_yields_fully_unless_told_and_not_at_all_with_zero(tmp_path: Path) -> None:
    require(hasattr(os, "nice"), "no process priorities on this system")
    during, start = _priorities(_index(tmp_path, None))
    assert during == 19
    during, start = _priorities(_index(tmp_path, "0"))
    assert during == start


def test_insyn_index_refuses_a_priority_out_of_range(tmp_path: Path) -> None:
    done = _index(tmp_path, "25")
    assert done.returncode == 1
    assert "INSYN_INDEX_NICE" in done.stderr
    assert "catch-up" not in done.stdout
