"""The one visibility rule: per kind, deleted records, unknown kinds, conflicts, defaults."""

from __future__ import annotations

import pytest

from insyn.vocab import visibility
from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
    DESCRIPTION_PUBLIC,
    NON_PUBLIC,
    RECORD_KINDS,
    RESTRICTED,
    Dataset,
    Governance,
)
from insyn.vocab.visibility import (
    RULES,
    Rule,
    Visibility,
    decide,
    describe,
    of_record,
    source_default,
)

PROVISION = "26 kap. 1 § OSL"


@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_decide_per_kind(kind: str) -> None:
    assert decide(kind, DESCRIPTION_PUBLIC, None) is Visibility.SHOWN
    assert decide(kind, DESCRIPTION_PUBLIC, PROVISION) is Visibility.MASKED
    assert decide(kind, DESCRIPTION_PUBLIC, " ") is Visibility.MASKED  # blanks still mark
    assert decide(kind, DESCRIPTION_INTERNAL, None) is Visibility.HIDDEN
    # Internal and secret-marked: the most restrictive rule wins.
    assert decide(kind, DESCRIPTION_INTERNAL, PROVISION) is Visibility.HIDDEN
    assert decide(kind, DESCRIPTION_INTERNAL, None, confidentiality=3) is Visibility.HIDDEN


@pytest.mark.parametrize("access", [RESTRICTED, NON_PUBLIC, "https://example.org/okänd"])
@pytest.mark.parametrize("kind", RECORD_KINDS)
def test_a_non_public_access_right_never_hides_a_description(kind: str, access: str) -> None:
    """Access rights concern the data: DCAT-AP describes non-open data, OSL 4 kap. 2 §
    obliges the authority to describe its registers."""
    record = Dataset(governance=Governance(access_rights=access))
    assert of_record(record) is Visibility.SHOWN
    secret = Dataset(governance=Governance(access_rights=access, secrecy_provision=PROVISION))
    assert of_record(secret) is Visibility.MASKED
    internal = Dataset(
        governance=Governance(access_rights=access, description_visibility=DESCRIPTION_INTERNAL)
    )
    assert of_record(internal) is Visibility.HIDDEN


def test_unstated_description_is_public_unknown_is_internal_and_deleted_is_hidden() -> None:
    assert decide("dataset", None, None) is Visibility.SHOWN
    assert decide("dataset", "hemlig", None) is Visibility.HIDDEN
    assert decide("dataset", DESCRIPTION_PUBLIC, None, deleted=True) is Visibility.HIDDEN
    assert decide("document", DESCRIPTION_PUBLIC, PROVISION, deleted=True) is Visibility.HIDDEN
    assert of_record(Dataset()) is Visibility.SHOWN


def test_a_kind_no_rule_names_is_hidden() -> None:
    assert decide("concept", DESCRIPTION_PUBLIC, None) is Visibility.HIDDEN


def test_conflicting_rules_resolve_to_the_most_restrictive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stricter = Rule(("case",), internal=False, secret_marked=None, visibility=Visibility.HIDDEN)
    monkeypatch.setattr(visibility, "RULES", (*RULES, stricter))
    assert decide("case", DESCRIPTION_PUBLIC, None) is Visibility.HIDDEN
    assert decide("case", DESCRIPTION_PUBLIC, PROVISION) is Visibility.HIDDEN
    assert decide("document", DESCRIPTION_PUBLIC, PROVISION) is Visibility.MASKED


def test_every_rule_names_only_model_kinds_and_internal_is_always_hidden() -> None:
    for rule in RULES:
        assert set(rule.kinds) <= set(RECORD_KINDS), rule
    for kind in RECORD_KINDS:
        for marked in (False, True):
            assert visibility.visibility_of(kind, internal=True, secret_marked=marked) is (
                Visibility.HIDDEN
            )


@pytest.mark.parametrize("internal", [False, True])
def test_k3_is_never_shown_unmasked(internal: bool) -> None:
    """K3, the top of KLASSA's 0–3 scale, counts as a secrecy mark: any kind is masked
    (hidden when internal), whatever its access right or provision says."""
    description = DESCRIPTION_INTERNAL if internal else DESCRIPTION_PUBLIC
    expected = Visibility.HIDDEN if internal else Visibility.MASKED
    for kind in RECORD_KINDS:
        for provision in (None, PROVISION):
            assert decide(kind, description, provision, confidentiality=3) is expected
    assert decide("case", DESCRIPTION_PUBLIC, None, confidentiality=2) is Visibility.SHOWN
    assert decide("dataset", DESCRIPTION_PUBLIC, None, confidentiality=2) is Visibility.SHOWN
    assert of_record(Dataset(governance=Governance(confidentiality=3))) is Visibility.MASKED


def test_source_defaults_and_the_most_restrictive_description() -> None:
    assert source_default("dcat", None) == DESCRIPTION_PUBLIC
    assert source_default("sql", None) == DESCRIPTION_INTERNAL
    assert source_default("files", None) == DESCRIPTION_INTERNAL
    assert source_default("sql", DESCRIPTION_PUBLIC) == DESCRIPTION_PUBLIC
    assert source_default("ckan", DESCRIPTION_INTERNAL) == DESCRIPTION_INTERNAL
    assert describe(None, DESCRIPTION_PUBLIC) == DESCRIPTION_PUBLIC
    assert describe(None, DESCRIPTION_INTERNAL) == DESCRIPTION_INTERNAL
    assert describe(DESCRIPTION_INTERNAL, DESCRIPTION_PUBLIC) == DESCRIPTION_INTERNAL
    # A record that says public under a source that says internal stays internal.
    assert describe(DESCRIPTION_PUBLIC, DESCRIPTION_INTERNAL) == DESCRIPTION_INTERNAL
