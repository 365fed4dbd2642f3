"""The CKAN-compatible API, driven by the real ``ckanapi`` client over HTTP."""

from __future__ import annotations

import ckanapi
import pytest

from tests.web.support import Site


@pytest.fixture(scope="module")
def ckan(site: Site) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(site.base_url, user_agent="insyn-tester/1.0")


def dcat_ids(site: Site) -> list[str]:
    return sorted(r.id for r in site.visible_rows() if r.kind in ("dataset", "dataservice"))


def test_status_show(ckan: ckanapi.RemoteCKAN, site: Site) -> None:
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.")
    assert status["site_url"] == site.base_url
    assert "dcat" in status["extensions"]


def test_package_list_lists_exactly_the_public_datasets(
    ckan: ckanapi.RemoteCKAN, site: Site
) -> None:
    assert ckan.action.package_list() == dcat_ids(site)
    assert ckan.action.package_list(limit=5, offset=5) == dcat_ids(site)[5:10]


def test_package_search_answers_in_ckans_shape(ckan: ckanapi.RemoteCKAN) -> None:
    result = ckan.action.package_search(q="bygglov", rows=2)
    assert result["count"] >= 3 and len(result["results"]) == 2
    package = next(
        p
        for p in ckan.action.package_search(q="bygglovsärenden", rows=10)["results"]
        if p["title"] == "Bygglovsärenden – inkomna ansökningar och beslut"
    )
    assert package["organization"]["name"] == "byggnadsnamnden"
    assert package["organization"]["title"] == "Byggnadsnämnden"
    assert package["owner_org"] == "byggnadsnamnden"
    assert package["private"] is False and package["state"] == "active"
    assert package["num_resources"] == len(package["resources"]) == 3
    csv = next(r for r in package["resources"] if r["format"] == "CSV")
    assert csv["url"] == "https://data.exempelby.se/filer/bygglovsarenden.csv"
    assert csv["package_id"] == package["id"]
    assert {"bygglov", "förhandsbesked"} <= {t["name"] for t in package["tags"]}
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["uri"] == "https://data.exempelby.se/dataset/bygglovsarenden"
    assert extras["frequency"].endswith("/WEEKLY")
    assert package["license_id"] == "CC0"
    assert {g["name"] for g in package["groups"]} == {"gove", "regi"}


def test_package_search_filters_facets_and_sorts(ckan: ckanapi.RemoteCKAN) -> None:
    result = ckan.action.package_search(
        fq="organization:byggnadsnamnden res_format:CSV",
        rows=100,
        sort="title_string asc",
        **{"facet.field": '["organization", "res_format", "groups", "license_id"]'},
    )
    assert result["count"] == len(result["results"]) > 0
    for package in result["results"]:
        assert package["organization"]["name"] == "byggnadsnamnden"
        assert "CSV" in {r["format"] for r in package["resources"]}
    assert result["facets"]["organization"] == {"byggnadsnamnden": result["count"]}
    items = result["search_facets"]["res_format"]["items"]
    assert {"name": "CSV", "display_name": "CSV", "count": result["count"]} in items
    assert all(item["count"] > 0 for item in result["search_facets"]["groups"]["items"])


def test_start_and_rows_page_like_ckan(ckan: ckanapi.RemoteCKAN, site: Site) -> None:
    everything = ckan.action.package_search(rows=1000, sort="title_string asc")
    assert everything["count"] == len(everything["results"]) == len(dcat_ids(site))
    names = [p["name"] for p in everything["results"]]
    window = ckan.action.package_search(start=5, rows=7, sort="title_string asc")
    assert [p["name"] for p in window["results"]] == names[5:12]
    paged = []
    for start in range(0, everything["count"], 30):
        page = ckan.action.package_search(start=start, rows=30, sort="title_string asc")
        paged += [p["name"] for p in page["results"]]
    assert paged == names
    counted = ckan.action.package_search(rows=0)
    assert counted["count"] == everything["count"] and counted["results"] == []


def test_package_show_by_id_and_uri(ckan: ckanapi.RemoteCKAN, site: Site) -> None:
    row = next(r for r in site.visible_rows() if r.uri and r.uri.endswith("/badplatser"))
    assert ckan.action.package_show(id=row.id)["name"] == row.id
    assert ckan.action.package_show(id=row.uri)["id"] == row.id


def test_errors_are_ckans(ckan: ckanapi.RemoteCKAN, site: Site) -> None:
    hidden = site.hidden_rows()[0]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=hidden.id)
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="finns-inte")
    with pytest.raises(ckanapi.ValidationError) as invalid:
        ckan.action.package_search(rows=5000)
    assert "rows" in invalid.value.error_dict
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(fq="metadata_modified:[2024-01-01T00:00:00Z TO *]")
    with pytest.raises(ckanapi.CKANAPIError):
        ckan.call_action("package_create", {"name": "nytt"})


def test_organizations(ckan: ckanapi.RemoteCKAN) -> None:
    names = ckan.action.organization_list()
    assert names == sorted(names) and "byggnadsnamnden" in names
    detailed = ckan.action.organization_list(all_fields=True, sort="package_count desc")
    counts = [o["package_count"] for o in detailed]
    assert counts == sorted(counts, reverse=True)
    shown = ckan.action.organization_show(id="byggnadsnamnden", include_datasets=True)
    assert shown["title"] == "Byggnadsnämnden"
    assert len(shown["packages"]) == shown["package_count"]


def test_get_requests_work_too(site: Site) -> None:
    client = ckanapi.RemoteCKAN(site.base_url, get_only=True)
    result = client.action.package_search(q="skola", rows=3)
    assert 0 < len(result["results"]) <= 3


def test_bodies_are_bounded_and_must_be_json_objects(site: Site) -> None:
    import requests

    url = f"{site.base_url}/api/action/package_search"
    too_big = requests.post(url, data=b"{" + b" " * 2_000_000 + b"}", timeout=10)
    assert too_big.status_code == 413 and too_big.json()["success"] is False
    not_object = requests.post(url, data=b"[1, 2]", timeout=10)
    assert not_object.status_code == 400
    assert not_object.json()["error"]["__type"] == "Bad Request"
