"""Controlled vocabularies read from the bundled official files."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from insyn.errors import VocabError
from insyn.vocab import vocabularies as v
from tests.conftest import SHARED_DATA, shared_file

EU = "http://publications.europa.eu/resource/authority/"
CSV = EU + "file-type/CSV"
BUNDLED = Path(str(resources.files("insyn.vocab").joinpath("data", "vocabularies")))


def notice_entries() -> dict[str, dict[str, str]]:
    """Return file name → its NOTICE fields (Origin, Commit, Licence, Shared copy …)."""
    entries: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in (BUNDLED / "NOTICE").read_text(encoding="utf-8").splitlines():
        if line.startswith("== "):
            current = entries.setdefault(line[3:].strip(), {})
        elif line.startswith("Known flaws"):
            current = None
        elif current is not None and (match := re.match(r"^([A-Z][\w ]+): (.*)$", line)):
            current[match.group(1)] = match.group(2)
    return entries


# --- lookups ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        CSV,
        "https://publications.europa.eu/resource/authority/file-type/CSV/",
        "CSV",
        "csv",
        "Comma-Separated Values",
        "CSV (.csv)",
        "text/csv",
        "text/csv; charset=utf-8",
        "http://www.iana.org/assignments/media-types/text/csv",
        "https://www.iana.org/assignments/media-types/text/csv",
        "http://inspire.ec.europa.eu/media-types/text/csv",
        ".csv",
    ],
)
def test_file_type_found_by_uri_code_label_media_type_and_extension(value: str) -> None:
    concept = v.file_types().lookup(value)
    assert concept is not None and concept.uri == CSV


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("application/json", "JSON"),
        ("http://www.iana.org/assignments/media-types/application/json", "JSON"),
        ("application/xml", "XML"),  # shared by 13 file types; the one it names wins
        ("text/xml", "XML"),  # not in the table; its subtype names the type
        ("text/plain", "TXT"),
        ("application/rdf+xml", "RDF_XML"),
        ("application/pdf", "PDF"),
        ("application/vnd.ms-excel", "XLS"),
        ("Microsoft Excel (.xls)", "XLS"),  # DIGG's name
        ("application/geo+json", "GEOJSON"),  # only in the newer fdk table
        ("application/x-shapefile", "SHP"),  # only in GeoCat's alignment
        (".xlsx", "XLSX"),
        ("jpg", "JPEG"),
        (".tif", "TIFF"),
    ],
)
def test_file_type_media_types_and_extensions(value: str, code: str) -> None:
    concept = v.file_types().lookup(value)
    assert concept is not None and concept.code == code


@pytest.mark.parametrize("value", ["application/octet-stream", ".htm", "text/csv+zip"])
def test_media_type_or_extension_shared_without_a_winner_names_no_file_type(value: str) -> None:
    assert v.file_types().lookup(value) is None


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("access_rights", "PUBLIC", "PUBLIC"),
        ("access_rights", "Publik", "PUBLIC"),
        ("access_rights", "offentlig", "PUBLIC"),
        ("access_rights", "Ej offentlig", "NON_PUBLIC"),
        ("access_rights", "non-public", "NON_PUBLIC"),
        (
            "access_rights",
            "https://publications.europa.eu/resource/authority/access-right/RESTRICTED",
            "RESTRICTED",
        ),
        ("data_themes", "EDUC", "EDUC"),
        ("data_themes", "Utbildning, kultur och sport", "EDUC"),
        ("data_themes", "  utbildning,  KULTUR och sport ", "EDUC"),
        ("data_themes", "Education, culture and sport", "EDUC"),
        ("data_themes", "Bildung, Kultur und Sport", "EDUC"),
        ("frequencies", "ANNUAL", "ANNUAL"),
        ("frequencies", "årligen", "ANNUAL"),
        ("frequencies", "årlig", "ANNUAL"),
        ("frequencies", "annual", "ANNUAL"),
        ("frequencies", "http://purl.org/cld/freq/annual", "ANNUAL"),
        ("frequencies", "HOURLY", "HOURLY"),
        ("languages", "sv", "SWE"),
        ("languages", "sv-SE", "SWE"),
        ("languages", "swe", "SWE"),
        ("languages", "svenska", "SWE"),
        ("languages", "Swedish", "SWE"),
        ("languages", "uk", "UKR"),
        ("licences", "CC BY 4.0", "CC BY 4.0"),
        ("licences", "https://creativecommons.org/licenses/by/4.0", "CC BY 4.0"),
        ("licences", "CC_BY_4_0", "CC_BY_4_0"),
        ("licences", "Creative Commons Attribution 4.0 International", "CC_BY_4_0"),
        ("publisher_types", "LocalAuthority", "LocalAuthority"),
        ("publisher_types", "Lokal myndighet/kommun", "LocalAuthority"),
    ],
)
def test_lookup_by_uri_code_and_label(name: str, value: str, code: str) -> None:
    concept = v.by_name(name).lookup(value)
    assert concept is not None and concept.code == code


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        # DCAT-AP 1.x named the EU tables under mdr/authority/.
        ("data_themes", "http://publications.europa.eu/mdr/authority/data-theme/ENVI", "ENVI"),
        ("file_types", "http://publications.europa.eu/mdr/authority/file-type/CSV", "CSV"),
        ("languages", "http://publications.europa.eu/mdr/authority/language/SWE", "SWE"),
        # ISO 639 IRIs of the Library of Congress and Lexvo.
        ("languages", "http://id.loc.gov/vocabulary/iso639-1/sv", "SWE"),
        ("languages", "http://id.loc.gov/vocabulary/iso639-2/swe", "SWE"),
        ("languages", "http://lexvo.org/id/iso639-3/eng", "ENG"),
        # ISO 8601 repeating intervals (Project Open Data accrualPeriodicity).
        ("frequencies", "R/P1Y", "ANNUAL"),
        ("frequencies", "R/P1M", "MONTHLY"),
        ("frequencies", "R/P3.5D", "WEEKLY_2"),
        ("frequencies", "R/PT1S", "CONT"),
    ],
)
def test_older_forms_name_the_current_concept(name: str, value: str, code: str) -> None:
    concept = v.by_name(name).lookup(value)
    assert concept is not None and concept.code == code


def test_inspire_theme_labels_come_from_gemet_in_22_languages() -> None:
    labels = v.inspire_theme_labels()
    assert set(labels) == set(v.INSPIRE_THEME_NAMES)
    assert all(len(by_language) == 22 for by_language in labels.values())
    # The Swedish labels once typed from memory were wrong for these.
    assert labels["ef"]["sv"] == "Anläggningar för miljöövervakning"
    assert labels["lc"]["sv"] == "Landtäcke"
    assert v.inspire_theme_code("UMWELTÜBERWACHUNG") == "ef"
    assert v.inspire_theme_code("Miljöövervakningsanläggningar") is None


def test_get_and_contains_take_uris_only() -> None:
    themes = v.data_themes()
    assert themes.get(EU + "data-theme/EDUC") is themes.concepts[EU + "data-theme/EDUC"]
    assert EU + "data-theme/EDUC" in themes
    assert "EDUC" not in themes
    assert themes.get("http://example.org/EDUC") is None


def test_ambiguous_code_names_nothing() -> None:
    # DIGG's languages.json gives "la" to Latin and to Luxembourgish.
    assert v.languages().lookup("la") is None
    assert v.languages().lookup("latin") is not None


def test_placeholder_concept_is_left_out() -> None:
    assert v.data_themes().get(EU + "data-theme/OP_DATPRO") is None


# --- labels -----------------------------------------------------------------------------


def test_all_13_data_themes_have_swedish_labels_from_dcat_ap_se() -> None:
    themes = v.data_themes()
    assert len(themes) == 13
    assert all(concept.labels.get("sv") for concept in themes)
    assert themes.concepts[EU + "data-theme/EDUC"].label() == "Utbildning, kultur och sport"
    assert themes.concepts[EU + "data-theme/GOVE"].label("en") == "Government and public sector"


def test_access_rights_of_dcat_ap_se_have_swedish_labels() -> None:
    labels = {c.code: c.label("sv") for c in v.access_rights()}
    assert labels["PUBLIC"] == "Publik"
    assert labels["NON_PUBLIC"] == "Ej offentlig"
    assert labels["RESTRICTED"] == "Begränsad"


def test_frequencies_of_dcat_ap_se_have_swedish_labels() -> None:
    frequencies = v.frequencies()
    listed = v._dcat_ap_se_choices("dcat:dcterms:accrualPeriodicity_da")
    assert len(listed) == 22
    for choice in listed:
        assert frequencies.concepts[choice["value"]].labels["sv"] == choice["label"]["sv"]
    # DIGG's label, not the SEMIC file's "andra".
    assert frequencies.concepts[EU + "frequency/OTHER"].label() == "annan"


def test_publisher_types_and_languages_have_swedish_labels() -> None:
    assert all(concept.labels.get("sv") for concept in v.publisher_types())
    assert all(concept.labels.get("sv") for concept in v.languages())
    assert v.languages().concepts[EU + "language/UKR"].label() == "ukrainska"


def test_label_falls_back_to_english_then_any_then_code() -> None:
    assert v.Concept("u", "X", {"sv": "Publik", "en": "Public"}).label("fi") == "Publik"
    assert v.Concept("u", "X", {"en": "hourly"}).label() == "hourly"
    assert v.Concept("u", "X", {"nb": "årlig"}).label() == "årlig"
    assert v.Concept("u", "X", {}).label() == "X"


# --- normalise ---------------------------------------------------------------------------


def test_normalise_returns_the_uri_to_store() -> None:
    assert v.normalise("file_types", "text/csv") == (CSV, True)
    assert v.normalise("frequencies", "http://purl.org/cld/freq/annual") == (
        EU + "frequency/ANNUAL",
        True,
    )


@pytest.mark.parametrize("value", ["  Eget format ", "http://example.org/format/x", ""])
def test_normalise_keeps_an_unknown_value_as_given(value: str) -> None:
    assert v.normalise("file_types", value) == (value, False)


def test_unknown_vocabulary_name_raises() -> None:
    with pytest.raises(VocabError, match="Okänd vokabulär"):
        v.by_name("colours")


def test_vocabularies_are_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each bundled file is read once per process, however often a vocabulary is asked for.
    # How long that first load takes is a figure of bench/footprint.py, not asserted here.
    for loader in v.VOCABULARIES.values():
        loader.cache_clear()
    for function in (v._json, v._dcat_ap_se_choices, v._alignment, v._media_type_alignment):
        function.cache_clear()
    reads: Counter[str] = Counter()
    read = v._read

    def counting_read(filename: str) -> bytes:
        reads[filename] += 1
        return read(filename)

    monkeypatch.setattr(v, "_read", counting_read)
    loaded = [v.by_name(name) for name in v.VOCABULARIES]
    assert reads and set(reads.values()) == {1}, reads  # every file read, each exactly once
    first_round = dict(reads)
    again = [v.by_name(name) for name in v.VOCABULARIES]
    assert reads == first_round  # nothing read again
    assert all(a is b for a, b in zip(loaded, again, strict=True))  # the same objects


# --- alignments --------------------------------------------------------------------------


def test_inspire_theme_to_data_themes() -> None:
    hydrography = (EU + "data-theme/ENVI", EU + "data-theme/TECH")
    assert v.inspire_theme_to_data_theme("http://inspire.ec.europa.eu/theme/hy") == hydrography
    assert v.inspire_theme_to_data_theme("hy") == hydrography
    assert v.inspire_theme_to_data_theme("http://example.org/theme/hy") == ()


def test_iso_topic_category_to_inspire_themes() -> None:
    theme = "http://inspire.ec.europa.eu/theme/"
    assert v.iso_topic_category_to_inspire_themes("inlandWaters") == (theme + "hy",)
    assert v.iso_topic_category_to_inspire_themes("boundaries") == (theme + "au", theme + "su")
    uri = "http://inspire.ec.europa.eu/metadata-codelist/TopicCategory/elevation"
    assert v.iso_topic_category_to_inspire_themes(uri) == (theme + "el",)
    assert v.iso_topic_category_to_inspire_themes("nonsense") == ()


def test_inspire_media_type_to_file_type() -> None:
    inspire = "http://inspire.ec.europa.eu/media-types/"
    assert v.inspire_media_type_to_file_type(inspire + "application/x-shapefile") == (
        EU + "file-type/SHP"
    )
    assert v.inspire_media_type_to_file_type(inspire + "application/x-filegdb") == (
        EU + "file-type/GDB"
    )
    # Not in the alignment: looked up as a media type.
    assert v.inspire_media_type_to_file_type(inspire + "application/zip") == EU + "file-type/ZIP"
    assert v.inspire_media_type_to_file_type(inspire + "application/x-unheard-of") is None


# --- the bundled files -------------------------------------------------------------------


def test_notice_names_every_bundled_file_and_only_those() -> None:
    entries = notice_entries()
    on_disk = {path.name for path in BUNDLED.iterdir() if path.name != "NOTICE"}
    assert set(entries) == on_disk
    for name, fields in entries.items():
        assert {"Origin", "Commit", "Licence", "Shared copy", "Insyn uses it for"} <= set(fields), (
            name
        )
        assert re.fullmatch(r"[0-9a-f]{40}", fields["Commit"]), name


def test_bundled_files_stay_well_under_5_mb() -> None:
    assert sum(path.stat().st_size for path in BUNDLED.iterdir()) < 3_000_000


def test_bundled_files_are_byte_for_byte_the_shared_copies() -> None:
    sources = shared_file("SOURCES.md").read_text(encoding="utf-8")
    for name, fields in notice_entries().items():
        if fields["Shared copy"].startswith("none"):
            # Collected for Insyn alone: the NOTICE gives the origin's bytes by their sha1.
            digest = hashlib.sha1((BUNDLED / name).read_bytes()).hexdigest()
            assert digest == fields["Sha1"], name
            continue
        shared = SHARED_DATA / fields["Shared copy"]
        assert shared.name == name
        assert (BUNDLED / name).read_bytes() == shared.read_bytes(), name
        # The NOTICE's facts are SOURCES.md's: that line names this copy and this commit.
        line = next(row for row in sources.splitlines() if f"`{fields['Shared copy']}`" in row)
        assert fields["Commit"] in line, name
