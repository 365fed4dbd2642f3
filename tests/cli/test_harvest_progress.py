"""``insyn harvest`` on a terminal: a progress bar with records read, written and indexed,
and no traceback in normal operation (issue #16 item 4)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.support.catalogues import write_catalogue

INSYN = str(Path(sys.executable).with_name("insyn"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its stdout and stderr; exit code, text."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = process.wait(timeout=120)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))


def test_harvest_on_a_terminal_shows_read_written_and_indexed_without_traceback(
    tmp_path: Path,
) -> None:
    source = write_catalogue(tmp_path / "k.ttl", range(1, 1201))
    env = {**os.environ, "INSYN_HOME": str(tmp_path / "data"), "COLUMNS": "120", "TERM": "xterm"}
    added = subprocess.run(
        [INSYN, "sources", "add", "k", "--kind", "dcat", "--url", str(source)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    code, shown = on_a_terminal([INSYN, "harvest", "k"], env)
    assert code == 0, shown
    assert "Skördar k" in shown
    assert re.search(r"1200 lästa, 1200 skrivna", shown), shown
    assert re.search(r"Uppdaterar sökindexet.*1200 indexerade", shown), shown
    assert "Traceback" not in shown
