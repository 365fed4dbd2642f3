"""Benchmark: how fast `/` answers while anonymous clients load the server (goal: under 1 s).

    .venv/bin/python bench/web_load.py [--seconds 20]

Harvests the demo catalogue with `insyn demo --no-serve` into a fresh data directory,
starts `insyn serve` as its own process (rate limit off, so the load reaches the work),
and for a bounded time runs, from other threads of this process:

- 8 clients asking the CKAN API for `package_search?rows=1000` over and over;
- 4 clients posting wrong passwords to `/logga-in` over and over (argon2 and an audit
  write each);
- one client timing `GET /` (the home page) one request after the other.

It prints the home page's p50, p95 and worst latency beside the load's request counts,
and the machine. The requests go to 127.0.0.1 only, and every loop stops by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import machine

INSYN = Path(sys.executable).with_name("insyn")
GOAL_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).status_code < 500:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("insyn serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="insyn-web-load-"))
    environment = {**os.environ, "INSYN_HOME": str(home), "INSYN_RATE_LIMIT": "0"}
    subprocess.run(
        [str(INSYN), "demo", "--no-serve"], env=environment, check=True, capture_output=True
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(INSYN), "serve", "--port", str(port)],
        env={**environment, "INSYN_BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, time.monotonic() + 60)
        stop = time.monotonic() + args.seconds
        counts = {"package_search": 0, "sign_in": 0}
        lock = threading.Lock()

        def ckan() -> None:
            with requests.Session() as session:
                while time.monotonic() < stop:
                    session.get(base + "/api/3/action/package_search?rows=1000", timeout=60)
                    with lock:
                        counts["package_search"] += 1

        def sign_in() -> None:
            with requests.Session() as session:
                page = session.get(base + "/logga-in", headers={"Accept": "text/html"})
                token = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert token, "no sign-in form"
                while time.monotonic() < stop:
                    session.post(
                        base + "/logga-in",
                        data={"csrf": token.group(1), "anvandarnamn": "x", "losenord": "fel"},
                        timeout=60,
                    )
                    with lock:
                        counts["sign_in"] += 1

        load = [threading.Thread(target=ckan) for _ in range(8)]
        load += [threading.Thread(target=sign_in) for _ in range(4)]
        for thread in load:
            thread.start()
        latencies = []
        with requests.Session() as session:
            while time.monotonic() < stop:
                started = time.perf_counter()
                session.get(base + "/", headers={"Accept": "text/html"}, timeout=60)
                latencies.append(time.perf_counter() - started)
        for thread in load:
            thread.join()
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    result = {
        "home_requests": len(latencies),
        "home_p50_s": round(statistics.median(latencies), 3),
        "home_p95_s": round(p95, 3),
        "home_max_s": round(latencies[-1], 3),
        "goal_p95_s": GOAL_SECONDS,
        "met": p95 < GOAL_SECONDS,
        **counts,
        "machine": machine(),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
