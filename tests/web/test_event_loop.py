"""One anonymous client cannot freeze the web app; forwarded addresses are believed only
from trusted proxies.

Sign-ins that wait for the database (SQLite's write lock, held here as a long harvest
holds it) run in the threadpool: the home page answers while they wait. The test checks
an order, never a time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from insyn.web.config import WebConfig
from insyn.web.server import address, bind, running
from tests.web.support import Site, csrf_of, make_site

HTML = {"Accept": "text/html"}
SIGN_INS = 6


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[tuple[Site, str]]:
    sock = bind("127.0.0.1")
    site = make_site(tmp_path, address(sock))
    with running(site.app, sock) as base_url:
        yield site, base_url
    site.backend.close()
    site.catalogue.close()


def test_the_home_page_answers_while_sign_ins_wait_for_the_database(
    live_site: tuple[Site, str],
) -> None:
    site, base_url = live_site
    finished: list[str] = []
    lock = threading.Lock()

    def sign_in() -> None:
        browser = requests.Session()
        form = browser.get(base_url + "/logga-in", headers=HTML, timeout=120)
        ready.wait()
        browser.post(
            base_url + "/logga-in",
            data={"csrf": csrf_of(form.text), "anvandarnamn": "nagon", "losenord": "fel"},
            headers=HTML,
            timeout=120,
        )
        with lock:
            finished.append("sign-in")

    ready = threading.Event()
    threads = [threading.Thread(target=sign_in) for _ in range(SIGN_INS)]
    for thread in threads:
        thread.start()
    database = Path(site.settings.catalogue_url.removeprefix("sqlite:///"))
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock a long harvest holds
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            holder.execute("ROLLBACK")

    # Only if the home page never answers: let the sign-ins go so the test ends (and fails).
    fallback = threading.Timer(60, release)
    fallback.start()
    try:
        ready.set()
        # The sign-ins are now in flight; each waits for the write lock to log its failure.
        threading.Event().wait(1.0)
        home = requests.get(base_url + "/", headers=HTML, timeout=120)
        with lock:
            finished.append("home")
        release()
        for thread in threads:
            thread.join(120)
    finally:
        fallback.cancel()
        release()
        holder.close()
    assert home.status_code == 200
    assert finished[0] == "home", finished
    assert finished.count("sign-in") == SIGN_INS


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_forwarded_addresses_are_believed_only_from_trusted_proxies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trusted: str
) -> None:
    monkeypatch.setenv("INSYN_TRUSTED_PROXIES", trusted)
    sock = bind("127.0.0.1")
    site = make_site(
        tmp_path,
        address(sock),
        config=WebConfig(rate_limit_per_minute=1, rate_limit_burst=2),
        extras=False,
    )
    try:
        with running(site.app, sock) as base_url:
            statuses = [
                requests.get(
                    base_url + "/api/search",
                    headers={"X-Forwarded-For": f"192.0.2.{number}"},
                    timeout=30,
                ).status_code
                for number in range(1, 5)
            ]
    finally:
        site.backend.close()
        site.catalogue.close()
    if trusted:
        # each forwarded address has its own bucket
        assert statuses == [200, 200, 200, 200]
    else:
        # a client cannot pick its address: all four come from 127.0.0.1
        assert statuses == [200, 200, 429, 429]
