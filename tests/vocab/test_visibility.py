"""The one visibility rule: per kind, deleted records, unknown kinds, conflicts."""

from __future__ import annotations

import pytest

from insyn.vocab import visibility
from insyn.vocab.model import NON_PUBLIC, PUBLIC, RESTRICTED, Dataset, Governance
from insyn.vocab.visibility import DIARIUM_KINDS, RULES, Rule, Visibility, decide, of_record


def test_decide_per_kind() -> None:
    assert decide("dataset", PUBLIC, None) is Visibility.SHOWN
    assert decide("dataset", NON_PUBLIC, None) is Visibility.HIDDEN
    assert decide("dataset", PUBLIC, "39 kap. 3 § OSL") is Visibility.HIDDEN
    assert decide("dataservice", RESTRICTED, None) is Visibility.HIDDEN
    assert decide("case", PUBLIC, None) is Visibility.SHOWN
    assert decide("case", NON_PUBLIC, "26 kap. 1 § OSL") is Visibility.MASKED
    assert decide("document", PUBLIC, "26 kap. 1 § OSL") is Visibility.MASKED
    assert decide("case", RESTRICTED, None) is Visibility.HIDDEN
    assert decide("document", NON_PUBLIC, "") is Visibility.HIDDEN


def test_unstated_access_right_is_public_and_deleted_is_hidden() -> None:
    assert decide("dataset", None, None) is Visibility.SHOWN
    assert decide("dataset", PUBLIC, None, deleted=True) is Visibility.HIDDEN
    assert decide("document", NON_PUBLIC, "26 kap. 1 § OSL", deleted=True) is Visibility.HIDDEN
    assert of_record(Dataset(governance=Governance(access_rights=NON_PUBLIC))) is (
        Visibility.HIDDEN
    )


def test_a_kind_no_rule_names_is_hidden() -> None:
    assert decide("concept", PUBLIC, None) is Visibility.HIDDEN


def test_conflicting_rules_resolve_to_the_most_restrictive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stricter = Rule(DIARIUM_KINDS, public=True, secret_marked=None, visibility=Visibility.HIDDEN)
    monkeypatch.setattr(visibility, "RULES", (*RULES, stricter))
    assert decide("case", PUBLIC, None) is Visibility.HIDDEN
    assert decide("case", PUBLIC, "26 kap. 1 § OSL") is Visibility.HIDDEN
    assert decide("case", NON_PUBLIC, "26 kap. 1 § OSL") is Visibility.MASKED


def test_no_rule_asks_the_access_right_of_a_secret_marked_record() -> None:
    """The store's is_public column (PUBLIC and unmarked) stands in for the access right
    in SQL; that is exact only while a marked record's access right never matters."""
    for rule in RULES:
        assert not (rule.public is not None and rule.secret_marked is not False), rule


@pytest.mark.parametrize("access", [PUBLIC, RESTRICTED, NON_PUBLIC, None])
def test_k3_is_never_shown_unmasked(access: str | None) -> None:
    """K3, the top of KLASSA's 0–3 scale, counts as a secrecy mark: a diarium record is
    masked, a dataset hidden, whatever its access right or provision says."""
    for provision in (None, "26 kap. 1 § OSL"):
        assert decide("case", access, provision, confidentiality=3) is Visibility.MASKED
        assert decide("document", access, provision, confidentiality=3) is Visibility.MASKED
        assert decide("dataset", access, provision, confidentiality=3) is Visibility.HIDDEN
        assert decide("dataservice", access, provision, confidentiality=3) is Visibility.HIDDEN
    assert decide("case", PUBLIC, None, confidentiality=2) is Visibility.SHOWN
    assert decide("dataset", PUBLIC, None, confidentiality=2) is Visibility.SHOWN
    assert of_record(Dataset(governance=Governance(confidentiality=3))) is Visibility.HIDDEN
