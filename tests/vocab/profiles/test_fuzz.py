"""Every mapping meets hostile values: it maps the record or raises Insyn's own error.

Hypothesis puts hostile values (huge and non-finite numbers, empty and whitespace text,
control characters, very long strings, lone surrogates written as escapes, malformed
dates and IRIs, and in JSON the wrong types) into each field a profile reads, one
document at a time: DCAT (Turtle), schema.org (JSON-LD), CKAN package dicts, OAI-PMH
Dublin Core, ISO 19139, and the CSV diarium's rows. A mapping may refuse a record, but
only with an ``InsynError`` (or the CSV row's ``RowError``, which names its column):
never with an exception that would sink a run or hide which field was bad.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from insyn.errors import InsynError
from insyn.vocab.profiles import ckan_read, dcat_read, iso19139_read, oai_dc_read
from insyn.vocab.profiles.diarium_csv_read import Row, RowError, case, read_row, register
from insyn.vocab.triples import parse_triples

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\t\n",
            "1e999",
            "-1e999",
            "NaN",
            "inf",
            "99999999999999999999999999999",
            "-0",
            "0000-00-00",
            "2024-13-45",
            "31/02/2023",
            "9999-12-31T25:61:61Z",
            "not a date",
            "http://",
            "://x",
            "mailto:",
            "tel:+46 8 123 45 67",
            "https://exempel.se/a b c",
            "javascript:alert(1)",
            "\x00\x01\x02",
            "\u202e\u200b\ufeff",
            "x" * 20_000,
            "<script>alert(1)</script>",
            "811228-9874",
        ]
    ),
    st.text(max_size=200),
)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def turtle_literal(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Turtle string literal


# --- DCAT ----------------------------------------------------------------------------------

DCAT_FIELDS = [
    "dcterms:title",
    "dcterms:description",
    "dcterms:issued",
    "dcterms:modified",
    "dcat:keyword",
    "dcterms:identifier",
    "dcterms:accessRights",
    "dcterms:license",
    "dcat:byteSize",
    "dcat:bbox",
    "dcterms:temporal",
    "dcat:theme",
    "dcat:contactPoint",
]


@FUZZ
@given(st.sampled_from(DCAT_FIELDS), HOSTILE_TEXT, st.booleans())
def test_dcat_maps_or_refuses_with_its_own_error(field: str, value: str, as_iri: bool) -> None:
    on_distribution = field in {"dcat:byteSize", "dcterms:license"}
    obj = (
        f"<{value}>" if as_iri and ">" not in value and " " not in value else turtle_literal(value)
    )
    statement = f"    {field} {obj} ;\n"
    document = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://exempel.se/d/1> a dcat:Dataset ;\n"
        '    dcterms:title "Badplatser"@sv ;\n'
        + ("" if on_distribution else statement)
        + "    dcat:distribution [ a dcat:Distribution ;\n"
        + ("    " + statement if on_distribution else "")
        + "        dcat:accessURL <https://exempel.se/d/1.csv> ] .\n"
    )
    try:
        index = parse_triples(document.encode("utf-8"), "turtle", base_iri="https://exempel.se/")
        for subject, read in dcat_read.record_subjects(index):
            read(index, subject)
    except InsynError:
        pass


# --- schema.org ----------------------------------------------------------------------------

SCHEMA_FIELDS = [
    "name",
    "description",
    "license",
    "keywords",
    "temporalCoverage",
    "spatialCoverage",
    "dateModified",
    "creator",
    "distribution",
]


@FUZZ
@given(st.sampled_from(SCHEMA_FIELDS), JSON_VALUE)
def test_schemaorg_maps_or_refuses_with_its_own_error(field: str, value: Any) -> None:
    document = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": "https://exempel.se/d/1",
        "name": "Badplatser",
        field: value,
    }
    try:
        index = parse_triples(json.dumps(document).encode(), "jsonld")
        for subject, read in dcat_read.record_subjects(index):
            read(index, subject)
    except InsynError:
        pass


# --- CKAN ----------------------------------------------------------------------------------

CKAN_FIELDS = [
    "title",
    "notes",
    "tags",
    "extras",
    "resources",
    "organization",
    "metadata_modified",
    "metadata_created",
    "license_id",
    "license_url",
    "author",
    "author_email",
    "maintainer",
    "contact_points",
    "temporals",
    "relations",
    "access_rights",
    "url",
]


@FUZZ
@given(st.sampled_from(CKAN_FIELDS), JSON_VALUE, st.booleans())
def test_ckan_maps_or_refuses_with_its_own_error(field: str, value: Any, on_resource: bool) -> None:
    package: dict[str, Any] = {
        "id": "p1",
        "name": "badplatser",
        "title": "Badplatser",
        "resources": [{"id": "r1", "url": "https://exempel.se/r.csv", "format": "CSV"}],
    }
    if on_resource and field not in {"resources", "organization"}:
        package["resources"][0][field] = value
    else:
        package[field] = value
    with contextlib.suppress(InsynError):
        ckan_read.map_package(package, portal="https://ckan.exempel.se")


# --- OAI-PMH Dublin Core ------------------------------------------------------------------

DC = "http://purl.org/dc/elements/1.1/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_FIELDS = [
    "title",
    "description",
    "date",
    "rights",
    "relation",
    "source",
    "coverage",
    "identifier",
    "type",
    "format",
    "language",
    "publisher",
    "creator",
    "subject",
]


def xml_text(value: str) -> str:
    # What an XML document can carry at all: characters XML 1.0 forbids are not data.
    return "".join(
        c for c in value if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
    )


@FUZZ
@given(st.sampled_from(DC_FIELDS), HOSTILE_TEXT, st.sampled_from(["", "sv", "xx-Latn-ZZZZ", "!!"]))
def test_oai_dc_maps_or_refuses_with_its_own_error(field: str, value: str, lang: str) -> None:
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC})
    etree.SubElement(dc, f"{{{DC}}}title").text = "Badplatser"
    element = etree.SubElement(dc, f"{{{DC}}}{field}")
    element.text = xml_text(value)
    if lang:
        element.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    with contextlib.suppress(InsynError):
        oai_dc_read.map_oai_dc(dc, identifier="oai:x:1", sets=[])


# --- ISO 19139 ----------------------------------------------------------------------------

ISO_TEMPLATE = """<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
  xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gmx="http://www.isotc211.org/2005/gmx"
  xmlns:xlink="http://www.w3.org/1999/xlink">
  <gmd:fileIdentifier><gco:CharacterString>{identifier}</gco:CharacterString></gmd:fileIdentifier>
  <gmd:dateStamp><gco:Date>{date}</gco:Date></gmd:dateStamp>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>{title}</gco:CharacterString></gmd:title>
    </gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>{text}</gco:CharacterString></gmd:abstract>
    <gmd:resourceConstraints><gmd:MD_LegalConstraints>
      <gmd:accessConstraints/>
      <gmd:otherConstraints>
        <gmx:Anchor xlink:href="{href}">{text}</gmx:Anchor>
      </gmd:otherConstraints>
    </gmd:MD_LegalConstraints></gmd:resourceConstraints>
    <gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
      <gmd:westBoundLongitude><gco:Decimal>{number}</gco:Decimal></gmd:westBoundLongitude>
      <gmd:eastBoundLongitude><gco:Decimal>18.1</gco:Decimal></gmd:eastBoundLongitude>
      <gmd:southBoundLatitude><gco:Decimal>59.2</gco:Decimal></gmd:southBoundLatitude>
      <gmd:northBoundLatitude><gco:Decimal>{number}</gco:Decimal></gmd:northBoundLatitude>
    </gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></gmd:extent>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>"""


def xml_escaped(value: str) -> str:
    return (
        xml_text(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


@FUZZ
@given(HOSTILE_TEXT, HOSTILE_TEXT, HOSTILE_TEXT, st.sampled_from(["identifier", "title", "date"]))
def test_iso19139_maps_or_refuses_with_its_own_error(
    value: str, href: str, number: str, where: str
) -> None:
    values = {"identifier": "id-1", "title": "Badplatser", "date": "2024-05-01"}
    values[where] = value
    document = ISO_TEMPLATE.format(
        **{k: xml_escaped(v) for k, v in values.items()},
        text=xml_escaped(value),
        href=xml_escaped(href),
        number=xml_escaped(number),
    )
    try:
        element = etree.fromstring(document.encode("utf-8"))
        iso19139_read.map_record(element)
    except InsynError:
        pass


# --- the CSV diarium ------------------------------------------------------------------------

CSV_FIELDS = [
    "diarienummer",
    "case_title",
    "opened",
    "closed",
    "document_title",
    "document_date",
    "direction",
    "party",
    "secrecy",
    "case_public_title",
    "responsible_unit",
    "status",
]


@FUZZ
@given(st.sampled_from(CSV_FIELDS), JSON_VALUE)
def test_diarium_row_maps_or_names_its_column(field: str, value: Any) -> None:
    _, context = register("export", name=None, owner="Exempelby kommun", uri=None, directions={})
    values: dict[str, Any] = {
        "diarienummer": "KS 2024/17",
        "case_title": "Bygglov för förråd",
        "opened": "2024-02-01",
        field: value,
    }
    row = Row(values, {name: name for name in [*CSV_FIELDS, *values]})
    try:
        facts = read_row(row, context)
        case(row, context, facts)
    except (RowError, InsynError):
        pass


def test_a_ckan_field_of_the_wrong_json_type_is_named_and_left_out() -> None:
    dataset, warnings = ckan_read.map_package(
        {"id": "p1", "title": "Badplatser", "tags": True, "resources": ["x", {"url": "u"}]},
        portal="https://ckan.exempel.se",
    )
    assert "Badplatser" in dataset.title.values()
    assert any(w.startswith("tags:") for w in warnings)
    assert any(w.startswith("resources:") for w in warnings)
    assert len(dataset.distributions) == 1
