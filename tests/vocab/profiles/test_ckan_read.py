"""The CKAN profile's read half on package dicts of its own (the recorded portals' packages
are mapped through the connector in tests/connectors/test_ckan.py)."""

from __future__ import annotations

from insyn.vocab.model import NON_PUBLIC
from insyn.vocab.profiles.ckan_read import map_package

EU = "http://publications.europa.eu/resource/authority/"


def test_groups_that_name_a_data_theme_become_themes() -> None:
    package = {
        "id": "1",
        "title": "Badplatser",
        "notes": "Kommunens badplatser",
        "groups": [{"name": "miljo", "title": "Miljö"}, {"name": "turism", "title": "Turism"}],
        "private": True,
    }
    dataset, warnings = map_package(package, portal="https://ckan.exempel.se", language="sv")
    assert dataset.theme == [EU + "data-theme/ENVI"]
    assert dataset.extras["ckan:groups"] == ["turism"]
    assert dataset.title == {"sv": "Badplatser"}
    assert dataset.governance.access_rights == NON_PUBLIC
    assert any("privat" in warning for warning in warnings)
