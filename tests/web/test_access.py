"""Roles: every route declares one; internal records are invisible to anonymous users.

The demo catalogue holds eight secret-marked datasets whose data is not public: they are
listed, masked (their titles, distributions and links never shown), with their access
right. The extras add records whose description is internal (with non-public, restricted
and public data, K3, a data service, and a PUBLIC record that names a secrecy provision)
and a tombstoned one. None of those may show up anywhere: not in search, facet counts,
suggestions, record lookups (404 exactly like a missing id), feeds, the CKAN API or the
pages.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections import Counter
from html import escape as html_escape
from urllib.parse import quote, quote_plus

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from insyn.catalogue import accounts
from insyn.catalogue.models import CatalogueRecord
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.vocab import masking
from insyn.vocab.model import ACCESS_RIGHTS_BASE
from insyn.web.access import Role, app_routes, declarations, declared_roles
from insyn.web.app import create_app
from tests.web.support import CONTRADICTORY, TOMBSTONED, Site, documents

ADMIN_ROUTES = {"/api/sources", "/api/runs"}


def test_every_route_declares_exactly_one_role(site: Site) -> None:
    routes = app_routes(site.app)
    assert len(routes) > 30
    for route in routes:
        assert isinstance(route, APIRoute), f"{route!r} cannot declare a role"
        found = declarations(route)
        assert len(found) == 1, f"{route.path} declares {found or 'no role'}"
    admin = {r.path for r in routes if declared_roles(r) == {Role.ADMIN}}
    assert admin >= ADMIN_ROUTES


def test_a_route_without_a_role_is_noticed() -> None:
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    route = next(r for r in app_routes(app) if getattr(r, "path", "") == "/forgotten")
    assert declared_roles(route) == set()


# --- admin (accounts and API tokens; see also test_roles.py) ---------------------------


def admin_token(site: Site, name: str) -> str:
    with contextlib.suppress(accounts.AccountError):
        accounts.add_user(site.catalogue, name, "admin")
    return accounts.create_token(site.catalogue, name)[1]


@pytest.mark.parametrize("path", sorted(ADMIN_ROUTES))
def test_admin_routes_answer_401_without_a_valid_token(client: TestClient, path: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer anything"},
        {"Authorization": "Basic insyn_x"},
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_admin_routes_need_an_admin_token(site: Site, client: TestClient) -> None:
    token = admin_token(site, "admin-access")
    good = {"Authorization": f"Bearer {token}"}
    sources = client.get("/api/sources", headers=good)
    assert sources.status_code == 200
    assert {s["name"] for s in sources.json()} == {"exempelby", "extra"}
    runs = client.get("/api/runs?source=extra", headers=good)
    assert runs.status_code == 200
    assert [r["status"] for r in runs.json()] == ["completed", "completed"]
    assert runs.json()[0]["deleted"] == 1


def test_public_routes_show_the_public_view_to_an_admin_too(site: Site, client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {admin_token(site, 'admin-public')}"}
    hidden = site.hidden_rows()[0]
    assert client.get(f"/api/records/{hidden.id}", headers=headers).status_code == 404
    total = client.get("/api/search", headers=headers).json()["total"]
    assert total == len(site.visible_rows())


# --- internal records never show, secret-marked ones only masked -----------------------


def secret_details(row: CatalogueRecord) -> list[str]:
    """What masking keeps from the public of a secret-marked dataset: its title, its
    description and the addresses of its distributions."""
    links = [
        url
        for distribution in row.data.get("distributions") or []
        for key in ("access_url", "download_url")
        for url in [distribution.get(key)]
        if url
    ]
    return [row.title, *(row.data.get("description") or {}).values(), *links]


def markers(site: Site) -> dict[str, list[str]]:
    """Strings that identify hidden records, or secret details of masked ones, and appear
    in no record as the public sees it."""
    shown = [masking.public_data(row.data) for row in site.visible_rows()]
    visible = json.dumps(shown, ensure_ascii=False)
    visible += " ".join(row.id for row in site.visible_rows())
    found: dict[str, list[str]] = {}
    for row in site.hidden_rows():
        candidates = [row.id, row.uri or "", row.title]
        found[row.id] = [c for c in candidates if c and c not in visible]
    for row in site.masked_rows():
        found[row.id] = [c for c in secret_details(row) if c and c not in visible]
    return found


def assert_no_leak(
    text: str, hidden: dict[str, list[str]], where: str, echoed: str | None = None
) -> None:
    """Fail if ``text`` names a hidden record (the query the request echoes excepted)."""
    if echoed:
        for form in (echoed, quote(echoed), quote_plus(echoed), html_escape(echoed)):
            text = text.replace(form, "")
    for record_id, strings in hidden.items():
        for string in strings:
            assert string not in text, f"{where} leaks {string!r} of hidden record {record_id}"


def test_the_demo_holds_the_records_that_must_stay_hidden(site: Site) -> None:
    hidden = {row.uri for row in site.hidden_rows()}
    assert CONTRADICTORY in hidden and TOMBSTONED in hidden
    assert len(hidden) == 7
    live = [row for row in site.hidden_rows() if row.deleted_at is None]
    assert {row.description_visibility for row in live} == {"internal"}
    masked = site.masked_rows()
    assert len(masked) == 8
    assert {row.access_rights.rsplit("/", 1)[-1] for row in masked} == {
        "NON_PUBLIC",
        "RESTRICTED",
    }
    found = markers(site)
    assert all(len(found[row.id]) >= 2 for row in site.hidden_rows())
    assert all(len(found[row.id]) >= 2 for row in masked)


def test_secret_marked_records_are_listed_masked(site: Site, client: TestClient) -> None:
    html = {"Accept": "text/html"}
    for row in site.masked_rows():
        provision = row.data["governance"]["secrecy_provision"]
        masked = f"Uppgift omfattas av sekretess enligt {provision}"
        record = client.get(f"/api/records/{row.id}")
        assert record.status_code == 200 and record.json()["title"] == masked
        assert client.get(f"/api/records/{row.uri}").json()["id"] == row.id
        page = client.get(f"/datasets/{row.id}", headers=html).text
        assert masked in page and "allmän handling" in page
        assert_no_leak(page, {row.id: secret_details(row)}, f"/datasets/{row.id}")
    listed = client.get("/api/search", params={"page_size": 100}).json()["hits"]
    assert {row.id for row in site.masked_rows()} <= {hit["id"] for hit in listed}


def test_hidden_records_are_404_exactly_like_missing_ones(site: Site, client: TestClient) -> None:
    paths = ["/api/records/{}", "/datasets/{}", "/datasets/{}.ttl"]
    for headers in ({}, {"Accept": "text/html"}):
        for path in paths:
            for row in site.hidden_rows():
                for key in (row.id, row.uri or ""):
                    missing = uuid.uuid4().hex
                    if "://" in key:
                        missing = f"https://data.exempelby.se/dataset/{missing}"
                    expected = client.get(path.format(missing), headers=headers)
                    response = client.get(path.format(key), headers=headers)
                    assert response.status_code == expected.status_code == 404, (path, key)
                    assert response.text.replace(key, missing) == expected.text, (path, key)


def test_hidden_records_are_not_found_by_uri_either(site: Site, client: TestClient) -> None:
    for row in site.hidden_rows():
        assert client.get(f"/api/records/{row.uri}").status_code == 404
    visible = next(r for r in site.visible_rows() if r.uri)
    found = client.get(f"/api/records/{visible.uri}")
    assert found.status_code == 200 and found.json()["id"] == visible.id


def test_no_route_shows_a_hidden_record(site: Site, client: TestClient) -> None:
    hidden = markers(site)
    rows = site.hidden_rows()
    html = {"Accept": "text/html"}
    urls: list[tuple[str, dict[str, str], str | None]] = [
        ("/", html, None),
        ("/sok", html, None),
        ("/sok?sortering=senast&sida=2", html, None),
        ("/organisationer", html, None),
        ("/api/search?page_size=100", {}, None),
        ("/api/search?page_size=100&sort=title&facet=publisher&facet=theme", {}, None),
        ("/api/organisations", {}, None),
        ("/catalog.atom", {}, None),
        ("/catalog.jsonld", {}, None),
        ("/api/3/action/package_search?rows=1000", {}, None),
        ("/api/3/action/package_list", {}, None),
        ("/api/3/action/organization_list?all_fields=true", {}, None),
    ]
    for row in [*rows, *site.masked_rows()]:
        words = re.findall(r"\w{4,}", row.title)
        urls += [
            (f"/api/search?q={row.title}", {}, row.title),
            (f"/sok?q={row.title}", html, row.title),
            (f"/api/3/action/package_search?q={row.title}", {}, row.title),
            (f"/api/3/action/package_show?id={row.id}", {}, row.id),
        ]
        urls += [(f"/api/suggest?q={word[:5]}", {}, word[:5]) for word in words[:2]]
    for organisation in client.get("/api/organisations").json()["organisations"]:
        urls.append((f"/organisationer/{organisation['slug']}", html, None))
        urls.append((f"/api/organisations/{organisation['slug']}", {}, None))
    urls += [(f"/catalog.ttl?page={n}&page_size=20", {}, None) for n in range(1, 5)]
    for url, headers, echoed in urls:
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 404), url
        assert_no_leak(response.text, hidden, url, echoed)
    assert client.get("/catalog.ttl?page=5&page_size=20").status_code == 404


def test_counts_and_facets_count_only_visible_records(site: Site, client: TestClient) -> None:
    visible = [r for r in site.visible_rows() if r.kind in ("dataset", "dataservice")]
    result = client.get("/api/search?facet=publisher&facet=access_rights").json()
    assert result["total"] == len(visible)
    # Non-public and restricted data is counted (listed); no internal record is.
    access = {v["value"]: v["count"] for v in result["facets"]["access_rights"]}
    assert access == Counter(r.access_rights.removeprefix(ACCESS_RIGHTS_BASE) for r in visible)
    assert access["NON_PUBLIC"] >= 5 and access["RESTRICTED"] >= 3
    assert sum(v["count"] for v in result["facets"]["publisher"]) == len(visible)
    organisations = client.get("/api/organisations").json()["organisations"]
    assert sum(o["records"] for o in organisations) == len(visible)


def test_an_index_that_lags_behind_the_catalogue_cannot_leak(site: Site, tmp_path) -> None:
    """Hits the catalogue says are hidden are dropped, whatever the index believes."""
    stale = EmbeddedBackend(tmp_path)
    stale.ensure_index()
    believed_public = []
    for document in documents(site.catalogue, include_deleted=True):
        document.update(is_public=True, access_rights="PUBLIC")
        believed_public.append(document)
    stale.rebuild(believed_public)
    app = create_app(
        site.settings,
        catalogue=site.catalogue,
        backend=stale,
        config=site.app.state.web.config,
    )
    client = TestClient(app)
    hidden = markers(site)
    hidden_ids = {row.id for row in site.hidden_rows()}
    for row in site.hidden_rows():
        found = client.get("/api/search", params={"q": row.title}).json()
        assert hidden_ids.isdisjoint(hit["id"] for hit in found["hits"])
        assert_no_leak(json.dumps(found["hits"], ensure_ascii=False), hidden, row.title)
        page = client.get("/sok", params={"q": row.title}, headers={"Accept": "text/html"})
        assert row.id not in page.text


@pytest.mark.postgres
def test_visibility_holds_on_postgresql(postgres_url: str, tmp_path) -> None:
    """The same rules in PostgreSQL's SQL (JSON paths, NOT IN) as in SQLite's."""
    from tests.web.support import make_site

    pg = make_site(tmp_path, "http://127.0.0.1:8080", database_url=postgres_url)
    try:
        client = TestClient(pg.app)
        visible = {r.id for r in pg.visible_rows() if r.kind in ("dataset", "dataservice")}
        assert len(pg.hidden_rows()) == 7 and len(pg.masked_rows()) == 8
        assert set(client.get("/api/3/action/package_list").json()["result"]) == visible
        assert client.get("/api/search").json()["total"] == len(visible)
        for row in pg.hidden_rows():
            assert client.get(f"/api/records/{row.id}").status_code == 404
            assert client.get(f"/api/records/{row.uri}").status_code == 404
        feed = client.get("/catalog.ttl?page_size=500").text
        assert_no_leak(feed, markers(pg), "/catalog.ttl on PostgreSQL")
        organisations = client.get("/api/organisations").json()["organisations"]
        assert sum(o["records"] for o in organisations) == len(visible)
    finally:
        pg.backend.close()
        pg.catalogue.close()
