"""The ISO 19139 profile on real geodata.se records: mapping details the CSW harvest of
tests/connectors/test_csw.py does not show."""

from __future__ import annotations

import pytest

from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED
from insyn.vocab.profiles.iso19139_read import Unreadable, map_record
from insyn.vocab.safexml import parse_xml
from tests.conftest import shared_file
from tests.support.iso19139 import KALMAR_STRANDSKYDD, LIDINGO_WMS, SGU_JORDARTER, geodata_record

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


def _map(document: bytes):
    mapped = map_record(parse_xml(document))
    assert not isinstance(mapped, Unreadable), mapped
    return mapped


def test_record_pycsw_refuses_is_mapped_with_warnings() -> None:
    path = shared_file(f"iso19139/geodata-se/{KALMAR_STRANDSKYDD}")
    key, dataset, warnings, stamp = _map(path.read_bytes())
    assert (key, stamp) == ("8537df85-6ea0-40a8-9a8c-04e97fa9a9ee", "2018-04-27T13:14:39")
    assert dataset.title == {"sv": "LstH Strandskydd, utökat"}
    atom = dataset.distributions[0]
    assert atom.format == FILE_TYPE + "ATOM" and atom.download_url == atom.access_url
    assert dataset.accrual_periodicity.endswith("/frequency/CONT")
    # "Öppen data (CC-BY)": a licence without its version is named, not guessed.
    assert atom.license is None
    assert any("'CC-BY' anges utan version" in warning for warning in warnings)


def test_multilingual_text_from_pt_freetext() -> None:
    document = geodata_record(f"in2_record_{SGU_JORDARTER}.xml")
    document = document.replace(
        b"<gmd:dateStamp>",
        b'<gmd:locale><gmd:PT_Locale id="EN"><gmd:languageCode><gmd:LanguageCode '
        b'codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="eng"/>'
        b"</gmd:languageCode><gmd:characterEncoding><gmd:MD_CharacterSetCode "
        b'codeListValue="utf8" codeList="x"/></gmd:characterEncoding></gmd:PT_Locale>'
        b"</gmd:locale><gmd:dateStamp>",
        1,
    ).replace(
        b"<gco:CharacterString>Jordarter 1:25 000-1:100 000</gco:CharacterString>",
        b"<gco:CharacterString>Jordarter 1:25 000-1:100 000</gco:CharacterString>"
        b'<gmd:PT_FreeText><gmd:textGroup><gmd:LocalisedCharacterString locale="#EN">'
        b"Superficial deposits 1:25 000-1:100 000</gmd:LocalisedCharacterString>"
        b"</gmd:textGroup></gmd:PT_FreeText>",
        1,
    )
    _, dataset, _, _ = _map(document)
    assert dataset.title == {
        "sv": "Jordarter 1:25 000-1:100 000",
        "en": "Superficial deposits 1:25 000-1:100 000",
    }


@pytest.mark.parametrize(
    "old,new,access,licence",
    [
        # Without the INSPIRE anchor, the text "Inga begränsningar" still says public.
        (b"LimitationsOnPublicAccess/noLimitations", b"x", PUBLIC, None),
        (
            b"LimitationsOnPublicAccess/noLimitations",
            b"LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1b",
            NON_PUBLIC,
            None,
        ),
        # Article 13(1)(e), intellectual property: the data are licensed, not secret.
        (
            b"LimitationsOnPublicAccess/noLimitations",
            b"LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1e",
            RESTRICTED,
            None,
        ),
        (
            "Öppen data</gco".encode(),
            b"CC BY 4.0</gco",
            PUBLIC,
            "http://creativecommons.org/licenses/by/4.0/",
        ),
    ],
)
def test_access_rights_and_licence(old: bytes, new: bytes, access: str, licence: str) -> None:
    document = geodata_record(f"in2_record_{LIDINGO_WMS}.xml").replace(old, new)
    _, service, warnings, _ = _map(document)
    assert service.governance.access_rights == access
    assert service.license == licence
    if access != PUBLIC:
        ground = new.decode().rsplit("/", 1)[-1]
        assert any(ground in warning for warning in warnings)


def _record_with_theme(keyword: str, language: str) -> bytes:
    """A minimal ISO 19139 record whose one INSPIRE theme is named by its label, as records
    in the language of their country do."""
    return f"""<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"
    xmlns:gco="http://www.isotc211.org/2005/gco">
  <gmd:fileIdentifier><gco:CharacterString>tema-{language}</gco:CharacterString></gmd:fileIdentifier>
  <gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/"
      codeListValue="{language}"/></gmd:language>
  <gmd:dateStamp><gco:Date>2024-05-02</gco:Date></gmd:dateStamp>
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation>
      <gmd:title><gco:CharacterString>Mätstationer</gco:CharacterString></gmd:title>
    </gmd:CI_Citation></gmd:citation>
    <gmd:abstract><gco:CharacterString>Stationer.</gco:CharacterString></gmd:abstract>
    <gmd:descriptiveKeywords><gmd:MD_Keywords>
      <gmd:keyword><gco:CharacterString>{keyword}</gco:CharacterString></gmd:keyword>
      <gmd:thesaurusName><gmd:CI_Citation>
        <gmd:title><gco:CharacterString>GEMET - INSPIRE themes, version 1.0</gco:CharacterString>
        </gmd:title>
      </gmd:CI_Citation></gmd:thesaurusName>
    </gmd:MD_Keywords></gmd:descriptiveKeywords>
  </gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>""".encode()


@pytest.mark.parametrize(
    ("keyword", "language", "theme"),
    [
        # Labels as GEMET's INSPIRE themes give them (insyn/vocab/data/vocabularies/NOTICE).
        ("Umweltüberwachung", "ger", "ef"),
        ("Installations de suivi environnemental", "fre", "ef"),
        ("Anläggningar för miljöövervakning", "swe", "ef"),
        ("Landtäcke", "swe", "lc"),
        ("Gewässernetz", "ger", "hy"),
        ("Hydrographie", "fre", "hy"),
        ("Référentiels de coordonnées", "fre", "rs"),
        ("Verteilung der Bevölkerung — Demografie", "ger", "pd"),
    ],
)
def test_inspire_theme_labels_in_any_eu_language(keyword: str, language: str, theme: str) -> None:
    _, dataset, _, _ = _map(_record_with_theme(keyword, language))
    assert dataset.extras["inspire:theme"] == [f"http://inspire.ec.europa.eu/theme/{theme}"]
    assert dataset.theme  # and so an EU data theme, through GeoCat's alignment
