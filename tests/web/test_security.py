"""Security headers on every response, size limits, the per-client rate limit, and sign-in
throttling per client address and account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient

from insyn.catalogue import accounts, audit
from insyn.catalogue.store import Catalogue
from insyn.settings import load_settings
from insyn.web import auth
from insyn.web.access import AccessPolicy
from insyn.web.app import create_app
from insyn.web.config import WebConfig, load_web_config
from insyn.web.middleware import TokenBuckets
from insyn.web.server import bind, running
from tests.web.support import Site, csrf_of

PATHS = [
    ("/", {"Accept": "text/html"}),
    ("/sok?q=skola", {"Accept": "text/html"}),
    ("/api/search", {}),
    ("/catalog.ttl", {}),
    ("/static/insyn.css", {}),
    ("/finns-inte", {"Accept": "text/html"}),
    ("/api/finns-inte", {}),
]


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path, headers in PATHS:
        response = client.get(path, headers=headers)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "server" not in response.headers


def test_pages_have_no_inline_script_or_style(client: TestClient, site: Site) -> None:
    record = site.visible_rows()[0]
    for path in ("/", "/sok?q=vatten", f"/datasets/{record.id}", "/organisationer", "/om"):
        html = client.get(path, headers={"Accept": "text/html"}).text
        # The CSP allows script files from 'self' only: every script element loads one
        # from this site and holds nothing itself.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
        assert len(scripts) == html.count("<script")
        for attributes, body in scripts:
            source = re.search(r'\ssrc="(/[^/"][^"]*)"', attributes)
            assert source and body.strip() == "", (path, attributes)
            served = client.get(source.group(1))
            assert served.status_code == 200 and "javascript" in served.headers["content-type"]
        assert "<style" not in html
        assert " style=" not in html and "javascript:" not in html
        assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers


def test_open_data_routes_allow_any_origin_but_admin_routes_do_not(client: TestClient) -> None:
    assert client.get("/api/search").headers["access-control-allow-origin"] == "*"
    assert client.get("/catalog.ttl").headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in client.get("/api/sources").headers
    assert (
        "access-control-allow-origin"
        not in client.get("/", headers={"Accept": "text/html"}).headers
    )


def test_token_bucket_refills_at_its_rate() -> None:
    buckets = TokenBuckets(per_minute=60, burst=2)
    assert buckets.take("a", now=0.0) == 0
    assert buckets.take("a", now=0.0) == 0
    assert buckets.take("a", now=0.0) == 1.0  # one token a second
    assert buckets.take("b", now=0.0) == 0  # each client has its own bucket
    assert buckets.take("a", now=0.5) == 0.5
    assert buckets.take("a", now=1.0) == 0


def test_token_buckets_stay_bounded() -> None:
    buckets = TokenBuckets(per_minute=60, burst=1, max_clients=100)
    for number in range(1000):
        buckets.take(f"10.0.{number // 256}.{number % 256}", now=0.0)
    assert len(buckets._buckets) == 100


def test_rate_limit_answers_429_with_retry_after_over_real_http(site: Site) -> None:
    config = WebConfig(rate_limit_per_minute=6, rate_limit_burst=3)
    app = create_app(site.settings, catalogue=site.catalogue, backend=site.backend, config=config)
    sock = bind("127.0.0.1")
    with running(app, sock) as base, requests.Session() as session:
        statuses = [session.get(f"{base}/api/search").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = session.get(f"{base}/api/suggest", params={"q": "skola"})
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        assert limited.json()["error"]["code"] == "rate_limited"
        assert limited.headers["x-content-type-options"] == "nosniff"
        # Every route that does work draws on the same bucket: feeds, pages, sign-in …
        assert session.get(f"{base}/catalog.ttl").status_code == 429
        assert session.get(f"{base}/sok", headers={"Accept": "text/html"}).status_code == 429
        assert session.post(f"{base}/logga-in", data={}).status_code == 429
        # … but static files and the health check cost nothing and stay open.
        assert session.get(f"{base}/static/insyn.css").status_code == 200
        assert session.get(f"{base}/health").status_code in (200, 503)


def test_web_settings_come_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("INSYN_RATE_LIMIT", "30")
    monkeypatch.setenv("INSYN_FEED_PAGE_SIZE", "25")
    config = load_web_config()
    assert config.rate_limit_per_minute == 30 and config.feed_page_size == 25
    assert load_web_config(feed_page_size=10).feed_page_size == 10


class _BrokenBackend:
    """A backend whose every search fails unexpectedly (a bug, not an engine outage)."""

    def __init__(self, backend: object) -> None:
        self._backend = backend

    def search(self, request: object) -> object:
        raise RuntimeError("hemlig intern detalj")

    def __getattr__(self, name: str) -> object:
        return getattr(self._backend, name)


def test_an_unexpected_error_is_a_json_500_that_tells_nothing(site: Site) -> None:
    app = create_app(
        site.settings,
        catalogue=site.catalogue,
        backend=_BrokenBackend(site.backend),  # type: ignore[arg-type]
        config=WebConfig(rate_limit_per_minute=0),
    )
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/api/search?q=skola")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "hemlig" not in response.text and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    page = client.get("/sok?q=skola", headers={"Accept": "text/html"})
    assert page.status_code == 500 and "<html" in page.text and "hemlig" not in page.text


def test_an_engine_outage_is_a_503_with_retry_after(site: Site) -> None:
    from insyn.search.errors import SearchUnavailableError

    class Down(_BrokenBackend):
        def search(self, request: object) -> object:
            raise SearchUnavailableError("Elasticsearch svarar inte på 10.0.0.5")

    app = create_app(
        site.settings,
        catalogue=site.catalogue,
        backend=Down(site.backend),  # type: ignore[arg-type]
        config=WebConfig(rate_limit_per_minute=0),
    )
    response = TestClient(app).get("/api/search")
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert response.json()["error"]["code"] == "search_unavailable"
    assert "10.0.0.5" not in response.text


# --- sign-in throttling: per address and account, never a lock-out of the account ----------

PASSWORD = "korrekt-häst-batteri-häftklammer"


@pytest.fixture
def sign_in_app(sqlite_catalogue: Catalogue, tmp_path: Path) -> Iterator[FastAPI]:
    """A fresh app over an empty catalogue (the shared site's audit log stays untouched)."""
    from insyn.search.backends.embedded import EmbeddedBackend

    accounts.add_user(sqlite_catalogue, "reg", "registrar", password=PASSWORD)
    accounts.add_user(sqlite_catalogue, "annan", "registrar", password=PASSWORD)
    backend = EmbeddedBackend(tmp_path / "search")
    backend.ensure_index()
    yield create_app(
        load_settings(home=tmp_path, base_url="http://testserver"),
        catalogue=sqlite_catalogue,
        backend=backend,
        config=WebConfig(rate_limit_per_minute=0),
        access_policy=AccessPolicy(),
    )
    backend.close()


class Browser:
    """A browser at one client address, with the sign-in form's CSRF cookie."""

    def __init__(self, app: FastAPI, address: str) -> None:
        self.client = TestClient(app, base_url="http://testserver", client=(address, 40000))
        self.csrf = csrf_of(self.client.get("/logga-in", headers={"Accept": "text/html"}).text)

    def sign_in(self, username: str, password: str) -> httpx.Response:
        return self.client.post(
            "/logga-in",
            data={"csrf": self.csrf, "anvandarnamn": username, "losenord": password},
            headers={"Accept": "text/html"},
            follow_redirects=False,
        )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """Move the throttle's clock forward: ``clock[0] += timedelta(...)``."""
    shift = [timedelta(0)]
    monkeypatch.setattr(auth, "_now", lambda: datetime.now(UTC) + shift[0])
    return shift


def test_failures_back_off_one_address_and_never_lock_out_the_account(
    sign_in_app: FastAPI, clock: list[timedelta], monkeypatch: pytest.MonkeyPatch
) -> None:
    attacker = Browser(sign_in_app, "203.0.113.9")
    # Each failure of the pair doubles its wait: 1, 2, 4, 8 seconds …
    waits = []
    for attempt in range(5):
        assert attacker.sign_in("reg", f"gissning{attempt}").status_code == 401
        refused = attacker.sign_in("reg", PASSWORD)  # even the right password waits
        assert refused.status_code == 429
        assert "För många misslyckade inloggningar" in refused.text
        assert "insyn_session=" not in refused.headers.get("set-cookie", "")
        waits.append(int(refused.headers["retry-after"]))
        clock[0] += timedelta(seconds=waits[-1])
    assert waits == [1, 2, 4, 8, 16]
    # … up to the cap.
    monkeypatch.setattr(auth, "BACKOFF_CAP", timedelta(seconds=20))
    assert attacker.sign_in("reg", "gissning").status_code == 401
    assert attacker.sign_in("reg", "gissning").headers["retry-after"] == "20"
    # The refusal is an answer with Retry-After, not a wait on the server.
    refused = attacker.sign_in("reg", "gissning")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "20"

    # The account's owner, at their own address, is never refused.
    owner = Browser(sign_in_app, "198.51.100.7")
    assert owner.sign_in("reg", PASSWORD).status_code == 303
    # Many addresses guessing one account slow only themselves.
    others = [Browser(sign_in_app, f"192.0.2.{n}") for n in range(1, 6)]
    for other in others:
        assert other.sign_in("reg", "fel").status_code == 401
        assert other.sign_in("reg", "fel").status_code == 429
    assert Browser(sign_in_app, "198.51.100.8").sign_in("reg", PASSWORD).status_code == 303
    # The attacker's other account names are not slowed by the pair's back-off …
    assert attacker.sign_in("annan", PASSWORD).status_code == 303
    # … and once the wait is over, the right password from that address works again.
    clock[0] += timedelta(seconds=21)
    assert Browser(sign_in_app, "203.0.113.9").sign_in("reg", PASSWORD).status_code == 303


def test_password_spraying_is_capped_per_address(
    sign_in_app: FastAPI, clock: list[timedelta], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "ADDRESS_MAX_FAILURES", 5)
    sprayer = Browser(sign_in_app, "203.0.113.50")
    for number in range(5):
        assert sprayer.sign_in(f"namn{number}", "Sommar2024!").status_code == 401
    # A name it has not tried yet is refused too, until the oldest failure leaves the window.
    refused = sprayer.sign_in("reg", PASSWORD)
    assert refused.status_code == 429
    assert 800 <= int(refused.headers["retry-after"]) <= 900
    # Everyone else signs in as usual.
    assert Browser(sign_in_app, "198.51.100.7").sign_in("reg", PASSWORD).status_code == 303
    clock[0] += auth.FAILED_SIGN_IN_WINDOW + timedelta(seconds=1)
    assert sprayer.sign_in("reg", PASSWORD).status_code == 303
    failed = [
        e for e in audit.entries(sign_in_app.state.web.catalogue) if e.action == "sign_in_failed"
    ]
    assert {e.client_address for e in failed} == {"203.0.113.50"}
    assert all(e.details == {"reason": "wrong_password"} for e in failed)
