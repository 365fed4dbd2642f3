"""The CKAN profile's read half on package dicts of its own (the recorded portals' packages
are mapped through the connector in tests/connectors/test_ckan.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

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


CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus" / "ckan"


def test_ckanext_dcat_multilingual_package_keeps_every_language() -> None:
    """ckanext-dcat's own fixture (ckan_dataset_multilingual.json), ckanext-fluent fields."""
    package = json.loads((CORPUS / "ckanext-dcat_ckan_dataset_multilingual.json").read_text())
    dataset, warnings = map_package(package, portal="https://ckan.example.org")
    assert set(dataset.title) == set(dataset.description) == {"en", "ca", "es"}
    assert dataset.keyword == {
        "en": ["Oaks", "Pines"],
        "ca": ["Roures", "Pins"],
        "es": ["Robles", "Pinos"],
    }
    assert [c.name for c in dataset.contact_point] == [
        {"en": "Contact 1", "ca": "Contacte 1", "es": "Contacto 1"},
        {"en": "Contact 2", "ca": "Contacte 2", "es": "Contacto 2"},
    ]
    assert dataset.distributions[0].title["ca"] == "Recurs 1"
    assert not any("beskrivning" in warning for warning in warnings)


def test_opendata_swiss_language_dicts_contact_points_and_publisher_json() -> None:
    """The shape of opendata.swiss (ckanext-switzerland's scheming schema)."""
    package = {
        "id": "7",
        "name": "bevoelkerung",
        "title": {"de": "Bevölkerung", "fr": "Population", "it": "", "en": "Population"},
        "description": {"de": "Ständige Wohnbevölkerung", "fr": "Population résidante"},
        "notes": {"de": "", "fr": "", "it": "", "en": ""},
        "keywords": {"de": ["bevoelkerung"], "fr": ["population"], "it": [], "en": []},
        "contact_points": [{"name": "Statistik", "email": "info@stat.example.ch"}],
        "publisher": '{"name": "Statistisches Amt", "url": "https://stat.example.ch"}',
        "temporals": [{"start_date": "2010-01-01", "end_date": "2020-12-31"}],
        "relations": [{"url": "https://stat.example.ch/methode", "label": "Methode"}],
    }
    dataset, warnings = map_package(package, portal="https://ckan.opendata.swiss")
    assert dataset.title == {"de": "Bevölkerung", "fr": "Population", "en": "Population"}
    assert dataset.description == {"de": "Ständige Wohnbevölkerung", "fr": "Population résidante"}
    assert not any("beskrivning" in warning for warning in warnings)
    assert dataset.keyword == {"de": ["bevoelkerung"], "fr": ["population"]}
    assert [(c.name, c.email) for c in dataset.contact_point] == [
        ({"": "Statistik"}, "info@stat.example.ch")
    ]
    assert dataset.publisher.name == {"": "Statistisches Amt"}
    assert dataset.publisher.homepage == "https://stat.example.ch"
    assert [(p.start, p.end) for p in dataset.temporal] == [(date(2010, 1, 1), date(2020, 12, 31))]
    assert dataset.relation == ["https://stat.example.ch/methode"]


def test_authors_given_as_a_json_string_are_names_and_addresses() -> None:
    package = {
        "id": "8",
        "title": "Luftkvalitet",
        "notes": "Mätningar",
        "author": '[{"name": "Anna Andersson", "email": "anna@exempelby.se"}, '
        '{"name": "Miljöförvaltningen", "email": "mailto:miljo@exempelby.se"}]',
        "extras": [{"key": "contact_email", "value": "kontakt@exempelby.se"}],
    }
    dataset, _ = map_package(package, portal="https://ckan.exempel.se", language="sv")
    assert [(c.name, c.email) for c in dataset.contact_point] == [
        ({}, "kontakt@exempelby.se"),
        ({"sv": "Anna Andersson"}, "anna@exempelby.se"),
        ({"sv": "Miljöförvaltningen"}, "miljo@exempelby.se"),
    ]
