"""Every route × every role: exactly the roles a route declares get through.

Each route of the app is requested (every method it serves) as the public, a registrar,
an information owner and an administrator, each with an API token. A role the route does
not name must get 401 (the public) or 403 ``forbidden``; a role it names must not. The
registrar's desk is then used through a signed-in session, with and without CSRF tokens.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from insyn import followup
from insyn.catalogue import accounts
from insyn.catalogue.models import Organisation, Source
from insyn.catalogue.store import Catalogue
from insyn.settings import load_settings
from insyn.web.access import Role, app_routes, declared_roles
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.web.support import Site

ROLES = (Role.ANONYMOUS, Role.REGISTRAR, Role.OWNER, Role.ADMIN)


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[Role, dict[str, str]]:
    headers: dict[Role, dict[str, str]] = {Role.ANONYMOUS: {}}
    for role in ROLES[1:]:
        name = f"roll-{role.value}"
        with contextlib.suppress(accounts.AccountError):
            accounts.add_user(site.catalogue, name, role.value)
        headers[role] = {
            "Authorization": f"Bearer {accounts.create_token(site.catalogue, name)[1]}"
        }
    return headers


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "1" if "id" in m.group() else "x", path)


def denied(response) -> bool:  # type: ignore[no-untyped-def]
    if response.status_code == 401:
        return True
    if response.status_code == 403:
        return response.json()["error"]["code"] == "forbidden"
    return False


def test_every_route_admits_exactly_its_declared_roles(
    site: Site, client: TestClient, tokens: dict[Role, dict[str, str]]
) -> None:
    checked = 0
    for route in app_routes(site.app):
        assert isinstance(route, APIRoute)
        allowed = declared_roles(route)
        assert allowed, f"{route.path} declares no role"
        for method in sorted(route.methods - {"HEAD"}):
            for role in ROLES:
                response = client.request(method, concrete(route.path), headers=tokens[role])
                where = f"{method} {route.path} as {role.value}: {response.status_code}"
                assert denied(response) is (role not in allowed), where
                checked += 1
    assert checked > 4 * 40


def test_declared_roles_of_the_desk(site: Site) -> None:
    by_path = {r.path: declared_roles(r) for r in app_routes(site.app)}
    assert by_path["/registrator"] == {Role.REGISTRAR, Role.ADMIN}
    assert by_path["/api/registrar/search"] == {Role.REGISTRAR, Role.ADMIN}
    assert by_path["/api/sources"] == {Role.ADMIN}
    assert by_path["/sok"] == set(Role)


def test_a_wrong_or_revoked_token_is_refused_everywhere(site: Site, client: TestClient) -> None:
    accounts.add_user(site.catalogue, "aterkallad", "registrar")
    token_id, token = accounts.create_token(site.catalogue, "aterkallad")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/registrar/search?q=bygglov", headers=headers).status_code == 200
    accounts.revoke_token(site.catalogue, token_id)
    for path in ("/api/registrar/search", "/api/search", "/api/sources"):
        assert client.get(path, headers=headers).status_code == 401


def sign_in(client: TestClient, username: str, password: str) -> str:
    page = client.get("/logga-in", headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/logga-in",
        data={
            "csrf": csrf,
            "anvandarnamn": username,
            "losenord": password,
            "nasta": "/registrator",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    return cookie


def test_sign_in_session_cookie_and_csrf(site: Site) -> None:
    accounts.add_user(site.catalogue, "reg-session", "registrar", password="ett-långt-lösenord")
    client = TestClient(site.app, base_url="https://testserver")
    # Without the CSRF cookie's twin the sign-in form is refused.
    refused = client.post("/logga-in", data={"anvandarnamn": "reg-session", "losenord": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    # (From another address: a failure slows its own address and account pair down.)
    wrong = TestClient(site.app, base_url="https://testserver", client=("192.0.2.1", 40000))
    page = wrong.get("/logga-in", headers={"Accept": "text/html"})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = wrong.post(
        "/logga-in",
        data={"csrf": csrf, "anvandarnamn": "reg-session", "losenord": "fel-lösenord-123"},
    )
    assert bad.status_code == 401
    assert "Secure" in sign_in(client, "reg-session", "ett-långt-lösenord")  # over https
    desk = client.get("/registrator", headers={"Accept": "text/html"})
    assert desk.status_code == 200 and "reg-session" in desk.text
    # A form POST without the session's CSRF token, or from another site, is refused.
    no_token = client.post("/registrator/begaran", data={"kanal": "e-post", "arende": "x"})
    assert no_token.status_code == 403
    csrf = re.search(r'name="csrf" value="([^"]+)"', desk.text).group(1)  # type: ignore[union-attr]
    other_site = client.post(
        "/registrator/begaran",
        data={"csrf": csrf, "kanal": "e-post", "arende": "x", "mottagen": "2024-05-02T10:00"},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    ok = client.post(
        "/registrator/begaran",
        data={
            "csrf": csrf,
            "kanal": "e-post",
            "arende": "Alla bygglov 2024",
            "mottagen": "2024-05-02T10:00",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/registrator/begaran/")
    out = client.post("/logga-ut", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/registrator").status_code == 401


# --- an owner follows up only its own organisations ------------------------------------------


def test_two_owners_of_different_committees_see_only_their_own(
    sqlite_catalogue: Catalogue, tmp_path: Path
) -> None:
    from insyn.search.backends.embedded import EmbeddedBackend

    catalogue = sqlite_catalogue
    with catalogue.session() as session:
        kommun = Organisation(name_sv="Exempelby kommun")
        session.add(kommun)
        session.flush()
        bygg = Organisation(name_sv="Byggnadsnämnden", parent_id=kommun.id)
        social = Organisation(name_sv="Socialnämnden", parent_id=kommun.id)
        session.add_all([bygg, social])
        session.flush()
        bygglov = Organisation(name_sv="Bygglovsenheten", parent_id=bygg.id)
        session.add(bygglov)
        session.commit()
        owners = {"bygglov": bygglov.id, "social": social.id}
    incidents = {}
    for name, owner_id in owners.items():
        catalogue.add_source(name, "dcat", f"https://{name}.example/catalog.ttl")
        with catalogue.session() as session:
            source = session.scalar(select(Source).where(Source.name == name))
            assert source is not None
            source.owner_id = owner_id
            incident = followup.open_incident(session, source, "run_failed", f"{name} föll")
            assert incident is not None
            session.commit()
            incidents[name] = incident.id
    accounts.add_user(catalogue, "agare-bygg", "owner", organisations=["Byggnadsnämnden"])
    accounts.add_user(catalogue, "agare-social", "owner", organisations=["Socialnämnden"])
    accounts.add_user(catalogue, "admin", "admin")
    headers = {
        name: {"Authorization": f"Bearer {accounts.create_token(catalogue, name)[1]}"}
        for name in ("agare-bygg", "agare-social", "admin")
    }
    backend = EmbeddedBackend(tmp_path / "search")
    backend.ensure_index()
    app = create_app(
        load_settings(home=tmp_path, base_url="http://testserver"),
        catalogue=catalogue,
        backend=backend,
        config=WebConfig(rate_limit_per_minute=0),
    )
    client = TestClient(app, base_url="http://testserver")
    html = {"Accept": "text/html"}

    def listed(who: str) -> set[str]:
        response = client.get("/api/followup/incidents", headers=headers[who])
        assert response.status_code == 200
        return {row["source"] for row in response.json()["incidents"]}

    try:
        # The committee's own incidents, its unit's included; never the other's.
        assert listed("agare-bygg") == {"bygglov"}
        assert listed("agare-social") == {"social"}
        assert listed("admin") == {"bygglov", "social"}
        page = client.get("/uppfoljning/avvikelser", headers={**html, **headers["agare-bygg"]})
        assert "bygglov föll" in page.text and "social föll" not in page.text
        for who, mine, theirs in (
            ("agare-bygg", "bygglov", "social"),
            ("agare-social", "social", "bygglov"),
        ):
            own = client.get(f"/uppfoljning/avvikelser/{incidents[mine]}", headers=headers[who])
            assert own.status_code == 200
            other = client.get(f"/uppfoljning/avvikelser/{incidents[theirs]}", headers=headers[who])
            assert other.status_code == 404
            acted = client.post(
                f"/uppfoljning/avvikelser/{incidents[theirs]}/kvittera", headers=headers[who]
            )
            assert acted.status_code in (403, 404)  # no CSRF with a token, and not theirs

        # Reports: its own organisations and their units, nobody else's.
        def report(who: str, owner: str) -> int:
            query = {"owner": owner, "period": 2024}
            return client.get(
                "/uppfoljning/rapport", params=query, headers=headers[who]
            ).status_code

        assert report("agare-bygg", "Byggnadsnämnden") == 200
        assert report("agare-bygg", "Bygglovsenheten") == 200
        assert report("agare-bygg", "Socialnämnden") == 404
        assert report("agare-bygg", "Exempelby kommun") == 404
        assert report("agare-social", "Byggnadsnämnden") == 404
        assert report("admin", "Exempelby kommun") == 200
        form = client.get("/uppfoljning/rapport", headers={**html, **headers["agare-bygg"]}).text
        assert "Byggnadsnämnden" in form and "Socialnämnden" not in form
    finally:
        backend.close()
