"""OIDC sign-in: the authorization-code flow with PKCE against a stub provider.

No real identity provider runs here: ``oidc_stub`` serves discovery, JWKS, an
authorization endpoint and a token endpoint on 127.0.0.1 (it checks the PKCE verifier,
the client secret and the redirect URI, as a provider does). Insyn fetches discovery,
the token and the keys over real HTTP; the browser's part (following redirects) is
played by the test. Every way an ID token or a callback can be wrong must be refused.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.testclient import TestClient

from insyn.catalogue import accounts, audit
from insyn.catalogue.store import Catalogue
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.settings import load_settings
from insyn.web.access import AccessPolicy
from insyn.web.app import create_app
from insyn.web.auth import OIDC_COOKIE, OidcConfig, parse_role_mapping
from insyn.web.config import WebConfig
from tests.web.oidc_stub import CLIENT_ID, CLIENT_SECRET, SPOILS, StubProvider, stub_provider

BASE = "http://testserver"
CALLBACK = f"{BASE}/logga-in/oidc/callback"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def provider() -> Iterator[StubProvider]:
    with stub_provider() as stub:
        yield stub


@pytest.fixture(scope="module")
def app(provider: StubProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    work: Path = tmp_path_factory.mktemp("oidc")
    settings = load_settings(home=work, base_url=BASE)
    catalogue = Catalogue(settings.catalogue_url)
    backend = EmbeddedBackend(work / "search")
    backend.ensure_index()
    config = OidcConfig(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        secret_env="INSYN_TEST_OIDC_SECRET",
        role_claim="groups",
        roles=parse_role_mapping("registrar=insyn-reg|diarie,owner=insyn-agare,admin=insyn-admin"),
    )
    application = create_app(
        settings,
        catalogue=catalogue,
        backend=backend,
        config=WebConfig(rate_limit_per_minute=0),
        access_policy=AccessPolicy(config),
    )
    yield application
    backend.close()
    catalogue.close()


@pytest.fixture(autouse=True)
def client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSYN_TEST_OIDC_SECRET", CLIENT_SECRET)


@pytest.fixture(autouse=True)
def fresh(provider: StubProvider) -> None:
    provider.spoil = None
    provider.claims = {"groups": ["insyn-reg"]}


def begin(app: object, provider: StubProvider) -> tuple[TestClient, str]:
    """Start signing in; return the client and the provider's redirect back to Insyn."""
    client = TestClient(app, base_url=BASE)  # type: ignore[arg-type]
    start = client.get("/logga-in/oidc?nasta=/registrator/begaran", follow_redirects=False)
    assert start.status_code == 303
    assert start.headers["location"].startswith(f"{provider.base_url}/authorize?")
    assert OIDC_COOKIE in start.headers["set-cookie"]
    back = requests.get(start.headers["location"], allow_redirects=False, timeout=10)
    assert back.status_code == 303
    return client, back.headers["location"]


def finish(client: TestClient, callback: str):  # type: ignore[no-untyped-def]
    assert callback.startswith(CALLBACK)
    return client.get(callback.removeprefix(BASE), follow_redirects=False)


def test_code_flow_with_pkce_state_and_nonce_signs_a_registrar_in(
    app: object, provider: StubProvider
) -> None:
    client, callback = begin(app, provider)
    asked = provider.authorizations[-1]
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["redirect_uri"] == CALLBACK
    assert "openid" in asked["scope"].split()
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert len(asked["state"]) >= 20 and len(asked["nonce"]) >= 20
    assert asked["state"] != asked["nonce"]
    # The verifier is not sent to the provider at the start, only the challenge.
    assert asked["code_challenge"] not in client.cookies.get(OIDC_COOKIE, "")

    tokens_before = len(provider.token_requests)
    done = finish(client, callback)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/registrator/begaran"
    exchange = provider.token_requests[tokens_before]
    assert exchange["grant_type"] == "authorization_code" and len(exchange["code_verifier"]) >= 43
    assert provider.refusals == []  # the stub checked the verifier against the challenge
    set_cookie = done.headers.get_list("set-cookie")
    assert any(c.startswith("insyn_session=") and "HttpOnly" in c for c in set_cookie)
    assert any(c.startswith(f"{OIDC_COOKIE}=") and "Max-Age=0" in c for c in set_cookie)

    desk = client.get("/registrator/begaran", headers=HTML)
    assert desk.status_code == 200 and "anna.andersson" in desk.text
    catalogue: Catalogue = app.state.web.catalogue  # type: ignore[attr-defined]
    account = accounts.get_user(catalogue, "anna.andersson")
    assert (account.role, account.display_name) == ("registrar", "Anna Andersson")
    signed = [e for e in audit.entries(catalogue) if e.action == audit.SIGN_IN]
    assert (signed[-1].actor, signed[-1].role, signed[-1].details) == (
        "anna.andersson",
        "registrar",
        {"how": "oidc"},
    )
    # The code is used once: replaying the callback fails (the provider refuses it).
    replay = client.get(callback.removeprefix(BASE), follow_redirects=False)
    assert replay.status_code == 401


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["diarie"], "registrar"),
        (["insyn-agare"], "owner"),
        (["insyn-agare", "insyn-reg", "insyn-admin"], "admin"),  # the strongest wins
        ("insyn-reg", "registrar"),  # a single string claim
    ],
)
def test_the_role_claim_is_mapped(
    app: object, provider: StubProvider, groups: object, role: str
) -> None:
    provider.claims = {"groups": groups, "sub": f"sub-{role}-{len(str(groups))}"}
    provider.claims["preferred_username"] = f"user-{provider.claims['sub']}"
    client, callback = begin(app, provider)
    assert finish(client, callback).status_code == 303
    catalogue: Catalogue = app.state.web.catalogue  # type: ignore[attr-defined]
    assert accounts.get_user(catalogue, f"user-{provider.claims['sub']}").role == role
    desk = client.get("/registrator", headers=HTML)
    assert desk.status_code == (403 if role == "owner" else 200)


def test_a_user_without_a_mapped_group_is_refused(app: object, provider: StubProvider) -> None:
    provider.claims = {"groups": ["alla-anstallda"], "sub": "utan-roll"}
    client, callback = begin(app, provider)
    refused = finish(client, callback)
    assert refused.status_code == 403
    assert "insyn_session=" not in refused.headers.get("set-cookie", "")
    catalogue: Catalogue = app.state.web.catalogue  # type: ignore[attr-defined]
    assert all(a.username != "utan-roll" for a, _ in accounts.users(catalogue))


@pytest.mark.parametrize("spoil", SPOILS)
def test_a_bad_id_token_is_refused(app: object, provider: StubProvider, spoil: str) -> None:
    provider.spoil = spoil
    provider.claims = {"groups": ["insyn-reg"], "sub": f"spoilt-{spoil}"}
    client, callback = begin(app, provider)
    refused = finish(client, callback)
    assert refused.status_code == 401, (spoil, refused.text)
    assert refused.json()["error"]["code"] == "sign_in_failed"
    assert "insyn_session=" not in refused.headers.get("set-cookie", "")
    assert client.get("/registrator").status_code == 401
    catalogue: Catalogue = app.state.web.catalogue  # type: ignore[attr-defined]
    names = {a.username for a, _ in accounts.users(catalogue)}
    assert not any("spoilt" in n or "someone-else" in n for n in names)


def test_state_is_checked(app: object, provider: StubProvider) -> None:
    client, callback = begin(app, provider)
    query = parse_qs(urlsplit(callback).query)
    before = len(provider.token_requests)
    for state in ("", "x" + query["state"][0], query["state"][0][:-1]):
        forged = client.get(
            "/logga-in/oidc/callback",
            params={"code": query["code"][0], "state": state},
            follow_redirects=False,
        )
        assert forged.status_code == 401
    no_code = client.get(
        "/logga-in/oidc/callback", params={"state": query["state"][0]}, follow_redirects=False
    )
    assert no_code.status_code == 401
    assert len(provider.token_requests) == before  # the code was never even exchanged


def test_a_callback_without_the_flow_cookie_is_refused(app: object, provider: StubProvider) -> None:
    # Another browser (an attacker's link) holds a valid code and state, but not the cookie.
    _, callback = begin(app, provider)
    stranger = TestClient(app, base_url=BASE)  # type: ignore[arg-type]
    assert finish(stranger, callback).status_code == 401
    # A cookie it made up, naming the right state, has not the verifier: PKCE fails.
    state = parse_qs(urlsplit(callback).query)["state"][0]
    forged = base64.urlsafe_b64encode(
        json.dumps({"state": state, "nonce": "n", "verifier": "v" * 43, "next": "/"}).encode()
    ).decode()
    stranger.cookies.set(OIDC_COOKIE, forged)
    before = len(provider.refusals)
    assert finish(stranger, callback).status_code == 401
    assert provider.refusals[before:] == ["invalid_grant: PKCE"]
    for junk in (
        "inte-base64-json!",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"nonce": "n"}').decode(),
        base64.urlsafe_b64encode(b'"text"').decode(),
    ):
        stranger.cookies.set(OIDC_COOKIE, junk)
        assert finish(stranger, callback).status_code == 401, junk


def test_the_provider_unreachable_or_lying_about_its_issuer(
    app: object, provider: StubProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = app.state.access_policy.oidc  # type: ignore[attr-defined]
    client = TestClient(app, base_url=BASE)  # type: ignore[arg-type]
    monkeypatch.setattr(config, "issuer", provider.issuer + "/annan")
    assert client.get("/logga-in/oidc", follow_redirects=False).status_code == 503
    monkeypatch.setattr(config, "issuer", "http://127.0.0.1:9")  # nothing listens there
    assert client.get("/logga-in/oidc", follow_redirects=False).status_code == 503


def test_the_sign_in_page_offers_oidc_only_when_configured(app: object, tmp_path: Path) -> None:
    client = TestClient(app, base_url=BASE)  # type: ignore[arg-type]
    page = client.get("/logga-in?nasta=/registrator", headers=HTML).text
    assert 'href="/logga-in/oidc?nasta=/registrator"' in page
    # An open redirect is not possible through "nasta".
    start = client.get("/logga-in/oidc?nasta=//evil.example/", follow_redirects=False)
    cookie = start.cookies.get(OIDC_COOKIE) or re.search(
        rf"{OIDC_COOKIE}=([^;]+)", start.headers["set-cookie"]
    ).group(1)  # type: ignore[union-attr]
    pending = json.loads(base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)))
    assert pending["next"] == ""  # refused: the role's own page is chosen after sign-in

    settings = load_settings(home=tmp_path, base_url=BASE)
    catalogue = Catalogue(settings.catalogue_url)
    backend = EmbeddedBackend(tmp_path / "search")
    backend.ensure_index()
    try:
        plain = create_app(
            settings,
            catalogue=catalogue,
            backend=backend,
            config=WebConfig(rate_limit_per_minute=0),
            access_policy=AccessPolicy(),
        )
        other = TestClient(plain, base_url=BASE)
        assert "/logga-in/oidc" not in other.get("/logga-in", headers=HTML).text
        assert other.get("/logga-in/oidc", follow_redirects=False).status_code == 404
        assert other.get("/logga-in/oidc/callback", follow_redirects=False).status_code == 404
    finally:
        backend.close()
        catalogue.close()


def test_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSYN_OIDC_ISSUER", raising=False)
    assert OidcConfig.from_environment() is None
    monkeypatch.setenv("INSYN_OIDC_ISSUER", "https://login.exempelby.se/")
    monkeypatch.setenv("INSYN_OIDC_CLIENT_ID", "insyn")
    monkeypatch.setenv("INSYN_OIDC_CLIENT_SECRET_ENV", "MIN_HEMLIGHET")
    monkeypatch.setenv("MIN_HEMLIGHET", "s3cret")
    monkeypatch.setenv("INSYN_OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("INSYN_OIDC_ROLES", "registrar=a|b, admin=c")
    config = OidcConfig.from_environment()
    assert config is not None
    assert (config.issuer, config.client_id, config.client_secret) == (
        "https://login.exempelby.se",
        "insyn",
        "s3cret",
    )
    assert config.roles == {"registrar": ["a", "b"], "admin": ["c"]}
    assert config.role_for({"groups": ["b"]}) == "registrar"
    assert config.role_for({"groups": []}) is None and config.role_for({}) is None
    with pytest.raises(ValueError, match="okänd roll"):
        parse_role_mapping("superuser=x")
