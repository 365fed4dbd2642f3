"""The JSON API: search with facets, paging and sorting; records; suggestions;
organisations; health; and errors that are JSON with a stable code, a Swedish message
and the field named."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from insyn.search.documents import title_sort_key
from tests.web.support import Site


def test_search_finds_highlights_and_counts_facets(client: TestClient) -> None:
    result = client.get("/api/search", params={"q": "bygglov"}).json()
    assert result["total"] >= 3
    titles = [hit["title"] for hit in result["hits"]]
    assert "Bygglovsärenden – inkomna ansökningar och beslut" in titles
    assert any("<mark>" in (hit["title_html"] or "") for hit in result["hits"])
    assert set(result["facets"]) == {
        "publisher",
        "owner",
        "theme",
        "format",
        "access_rights",
        "licence",
        "kind",
        "year",
    }
    publishers = {v["value"]: v["count"] for v in result["facets"]["publisher"]}
    assert publishers["Byggnadsnämnden"] >= 3
    hit = result["hits"][0]
    assert hit["url"].endswith(f"/datasets/{hit['id']}")
    assert hit["access_rights"] == {"code": "PUBLIC", "label": "Publik"}
    assert result["links"]["html"].endswith("/sok?q=bygglov")


def test_filters_narrow_the_result_and_mark_the_facet_selected(client: TestClient) -> None:
    everything = client.get("/api/search").json()
    themed = client.get("/api/search", params={"theme": "ENVI"}).json()
    assert 0 < themed["total"] < everything["total"]
    assert all("ENVI" in [t["code"] for t in hit["themes"]] for hit in themed["hits"])
    envi = next(v for v in themed["facets"]["theme"] if v["value"] == "ENVI")
    assert envi == {"value": "ENVI", "label": "Miljö", "count": themed["total"], "selected": True}
    both = client.get("/api/search", params=[("theme", "ENVI"), ("format", "CSV")]).json()
    assert both["total"] <= themed["total"]
    either = client.get("/api/search", params=[("theme", "ENVI"), ("theme", "TRAN")]).json()
    assert either["total"] > themed["total"]


def test_paging_covers_every_hit_once(client: TestClient) -> None:
    first = client.get("/api/search", params={"page_size": 25, "sort": "title"}).json()
    assert first["pages"] == -(-first["total"] // 25)
    assert first["links"]["prev"] is None and "page=2" in first["links"]["next"]
    ids = []
    for page in range(1, first["pages"] + 1):
        result = client.get(
            "/api/search", params={"page_size": 25, "sort": "title", "page": page}
        ).json()
        ids += [hit["id"] for hit in result["hits"]]
    assert len(ids) == len(set(ids)) == first["total"]
    assert result["links"]["next"] is None


def test_sorting_by_title_and_by_modification(client: TestClient) -> None:
    by_title = client.get("/api/search", params={"sort": "title", "page_size": 100}).json()
    keys = [title_sort_key(hit["title"]) for hit in by_title["hits"]]
    assert keys == sorted(keys)
    by_date = client.get("/api/search", params={"sort": "modified", "page_size": 100}).json()
    dates = [hit["modified"] for hit in by_date["hits"] if hit["modified"]]
    assert dates == sorted(dates, reverse=True)


def test_record_by_id_and_by_uri(site: Site, client: TestClient) -> None:
    row = next(r for r in site.visible_rows() if r.uri and r.uri.endswith("/bygglovsarenden"))
    record = client.get(f"/api/records/{row.id}").json()
    assert record["id"] == row.id and record["uri"] == row.uri
    assert record["title"] == "Bygglovsärenden – inkomna ansökningar och beslut"
    assert record["publisher"]["name"] == "Byggnadsnämnden"
    assert record["publisher"]["url"].endswith("/organisationer/byggnadsnamnden")
    assert record["governance"]["process_code"] == "3.1.1"
    assert record["governance"]["confidentiality"] == 1
    assert len(record["record"]["distributions"]) == 3
    assert record["formats"]["text/turtle"].endswith(f"/datasets/{row.id}.ttl")
    provenance = record["provenance"]
    assert provenance["source"] == "exempelby" and provenance["source_kind"] == "dcat"
    # Moments are given in Stockholm time, with the offset.
    seen = datetime.fromisoformat(provenance["first_seen"])
    assert seen.utcoffset() is not None and seen.utcoffset().total_seconds() in (3600, 7200)
    assert client.get(f"/api/records/{row.uri}").json()["id"] == row.id


def test_suggestions_complete_a_prefix(client: TestClient) -> None:
    result = client.get("/api/suggest", params={"q": "bygg", "limit": 5}).json()
    assert result["query"] == "bygg"
    assert 0 < len(result["suggestions"]) <= 5
    assert all(re.search(r"\bbygg", s, re.IGNORECASE) for s in result["suggestions"])
    assert client.get("/api/suggest", params={"q": "qzxv"}).json()["suggestions"] == []


def test_organisations_form_the_municipal_tree(client: TestClient) -> None:
    organisations = client.get("/api/organisations").json()["organisations"]
    by_slug = {o["slug"]: o for o in organisations}
    municipality = by_slug["exempelby-kommun"]
    assert municipality["parent_id"] is None
    assert municipality["type_label"] == "Lokal myndighet/kommun"
    assert by_slug["byggnadsnamnden"]["parent_id"] == municipality["id"]
    assert by_slug["exempelby-energi"]["type_label"] == "Företag"
    detail = client.get("/api/organisations/exempelby-kommun").json()
    assert {"kommunstyrelsen", "byggnadsnamnden", "exempelbyhem"} <= {
        u["slug"] for u in detail["units"]
    }
    nämnd = client.get("/api/organisations/byggnadsnamnden").json()
    assert nämnd["records"] == len(nämnd["published"]) > 0
    assert client.get("/api/organisations/finns-inte").status_code == 404


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"catalogue": "ok", "search": "ok"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 1000}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "två"}, "page"),
        ({"page": 200, "page_size": 100}, "page"),
        ({"q": "x" * 501}, "q"),
        ({"sort": "slumpvis"}, "sort"),
        ({"facet": "färg"}, "facet"),
        ({"modified_from": "igår"}, "modified_from"),
        ({"modified_from": "2024-02-01", "modified_to": "2024-01-01"}, "modified_from"),
        ({"theme": "x" * 400}, "theme"),
    ],
)
def test_invalid_parameters_are_422_naming_the_field(
    client: TestClient, params: dict, field: str
) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] in ("invalid_parameter", "invalid_search")
    assert error["field"] == field
    assert error["status"] == 422
    assert error["message"].endswith(".") and "should" not in error["message"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/suggest", {}, "q"),
        ("/api/suggest", {"q": "a", "limit": 500}, "limit"),
        ("/api/suggest", {"q": "a" * 101}, "q"),
        ("/catalog.ttl", {"page": 0}, "page"),
        ("/catalog.ttl", {"page_size": 100_000}, "page_size"),
    ],
)
def test_other_routes_name_the_invalid_field(
    client: TestClient, path: str, params: dict, field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_errors_are_json_with_a_stable_code(client: TestClient) -> None:
    missing = client.get("/api/finns-inte")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "not_found", "message": "Sidan finns inte.", "status": 404}
    }
    wrong_method = client.post("/api/search")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_openapi_documents_the_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/search",
        "/api/records/{record_id}",
        "/api/suggest",
        "/api/organisations",
        "/api/sources",
        "/api/runs",
        "/health",
        "/catalog.ttl",
        "/api/3/action/package_search",
    ):
        assert path in paths, path
    search = paths["/api/search"]["get"]
    assert search["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ErrorResponse"
    )
    assert "/sok" not in paths
