"""Security headers on every response, size limits, and the per-client rate limit."""

from __future__ import annotations

import re

import requests
from fastapi.testclient import TestClient

from insyn.web.app import create_app
from insyn.web.config import WebConfig, load_web_config
from insyn.web.middleware import TokenBuckets
from insyn.web.server import bind, running
from tests.web.support import Site

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
        assert "<script" not in html and "<style" not in html
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
