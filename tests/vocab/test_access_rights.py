"""The one access-rights table: every value form, and conflicts to the most restrictive."""

from __future__ import annotations

import pytest

from insyn.vocab.access_rights import (
    CONFIDENTIAL,
    GROUNDS,
    SENSITIVE,
    UNLABELLED_STATEMENT,
    lookup,
    resolve,
)
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED, Governance

EU = "http://publications.europa.eu/resource/authority/access-right/"
EU_HTTPS = "https://publications.europa.eu/resource/authority/access-right/"
INSPIRE = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"
INSPIRE_HTTPS = "https://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"


@pytest.mark.parametrize(
    ("values", "code", "unknown"),
    [
        # conflicts resolve to the most restrictive
        ([EU + "RESTRICTED", EU + "PUBLIC"], RESTRICTED, []),
        ([EU + "PUBLIC", EU + "NON_PUBLIC", EU + "RESTRICTED"], NON_PUBLIC, []),
        # a literal with PUBLIC: the literal's reading; unknown → RESTRICTED
        ([EU + "PUBLIC", "begränsad"], RESTRICTED, []),
        ([EU + "PUBLIC", "Offentlig"], PUBLIC, []),
        ([EU + "PUBLIC", "Kontakta oss"], RESTRICTED, ["Kontakta oss"]),
        # a rights statement without a label
        ([UNLABELLED_STATEMENT], RESTRICTED, [UNLABELLED_STATEMENT]),
        ([EU + "PUBLIC", UNLABELLED_STATEMENT], RESTRICTED, [UNLABELLED_STATEMENT]),
        # an IRI merely ending in /public is not the EU code
        (["https://example.org/rights/public"], RESTRICTED, ["https://example.org/rights/public"]),
        (["http://example.org/PUBLIC/"], RESTRICTED, ["http://example.org/PUBLIC/"]),
        # EU IRIs, http and https, any case, trailing slash; the bare code
        ([EU_HTTPS + "PUBLIC"], PUBLIC, []),
        ([EU + "public/"], PUBLIC, []),
        ([EU_HTTPS + "NON_PUBLIC"], NON_PUBLIC, []),
        ([EU + "NON-PUBLIC"], NON_PUBLIC, []),
        (["RESTRICTED"], RESTRICTED, []),
        ([EU + "SENSITIVE", EU + "NON_PUBLIC"], SENSITIVE, []),
        ([EU + "CONFIDENTIAL", EU + "SENSITIVE"], CONFIDENTIAL, []),
        # NORMAL is in the EU list but says nothing of openness
        ([EU + "NORMAL"], RESTRICTED, [EU + "NORMAL"]),
        # INSPIRE noLimitations (GeoDCAT-AP, ISO 19139), http and https
        ([INSPIRE + "noLimitations"], PUBLIC, []),
        ([INSPIRE_HTTPS + "noLimitations"], PUBLIC, []),
        (["Inga begränsningar för allmänhetens tillgång"], PUBLIC, []),
        ([INSPIRE + "noLimitations", INSPIRE + "INSPIRE_Directive_Article13_1b"], NON_PUBLIC, []),
        # DCAT-AP-SE's Swedish labels and the words sources write
        (["Publik"], PUBLIC, []),
        (["Ej offentlig"], NON_PUBLIC, []),
        (["icke-offentlig"], NON_PUBLIC, []),
        (["Begränsad"], RESTRICTED, []),
        (["öppen"], PUBLIC, []),
        (["open"], PUBLIC, []),
        (["non-public"], NON_PUBLIC, []),
        (["Confidential"], NON_PUBLIC, []),
        (["Sekretess"], NON_PUBLIC, []),
        # OpenAIRE terms (OAI-PMH)
        (["info:eu-repo/semantics/openAccess"], PUBLIC, []),
        (["info:eu-repo/semantics/embargoedAccess"], RESTRICTED, []),
        (["info:eu-repo/semantics/closedAccess"], NON_PUBLIC, []),
    ],
)
def test_resolve(values: list[str], code: str, unknown: list[str]) -> None:
    right = resolve(values)
    assert right.code == code
    assert right.values == values
    assert right.unknown == unknown
    assert len(right.warnings("dcterms:accessRights")) == len(unknown)


@pytest.mark.parametrize("ground", sorted(GROUNDS))
@pytest.mark.parametrize("base", [INSPIRE, INSPIRE_HTTPS, ""])
def test_article_13_grounds_are_kept(ground: str, base: str) -> None:
    right = resolve([base + ground])
    expected = RESTRICTED if ground.endswith("1e") else NON_PUBLIC
    assert right.code == expected
    assert right.grounds == [ground]
    assert right.unknown == []
    assert "INSPIRE art. 13.1" in right.ground_texts()[0]


def test_no_value_keeps_the_model_default() -> None:
    for values in ([], [None, "", "  "]):
        right = resolve(values)
        assert right.code == Governance().access_rights == PUBLIC
        assert not right.stated and right.unknown == []


def test_warning_names_the_value() -> None:
    [warning] = resolve(["Fråga registrator"]).warnings("access_rights")
    assert warning.startswith("access_rights: 'Fråga registrator'")
    assert "RESTRICTED" in warning


def test_lookup_never_guesses() -> None:
    assert lookup(EU + "PUBLIC") == PUBLIC
    assert lookup("https://example.org/public") is None
    assert lookup("publicity") is None
