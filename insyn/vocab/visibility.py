"""Who may see a record's description: the one rule, decided here and nowhere else.

The public (anonymous users, public feeds, the export, the public search partition) is
shown a live record in one of three ways (``Visibility``), looked up in ``RULES``:

============================  ===============  ================  ==========================
record kind                   access right     secrecy mark      the public is shown
============================  ===============  ================  ==========================
dataset, dataservice          PUBLIC           none              SHOWN
case, document (diarium)      any              an OSL provision  MASKED (the registration
                                                                 is public, OSL 5 kap.
                                                                 1–2 §§; its secret details
                                                                 are not)
case, document (diarium)      PUBLIC           none              SHOWN
anything else                                                    HIDDEN
============================  ===============  ================  ==========================

A confidentiality level of K3 (``Governance.confidentiality`` 3, the highest level of
KLASSA's 0–3 scale) counts as a secrecy mark whatever the source says of access or
provision (``secret_marked``): information whose disclosure would do serious harm is
never shown unmasked to the public. A K3 case or document is MASKED, a K3 dataset or data
service HIDDEN. The level may come from the source, the plan or a person after the
harvest; the SQL twin reads it from the record's JSON, like the provision.

"Anything else" covers a dataset or data service that names a provision (a record that
says both PUBLIC and an OSL provision is contradictory and kept out), a non-public or
restricted record that names no provision (nothing tells which parts could be shown), a
kind the table does not name, and every tombstoned record. When several rules match, the
most restrictive wins (HIDDEN over MASKED over SHOWN). A provision field that holds only
blanks still marks the record (as the store's ``is_public`` column and the SQL read it):
someone marked it, and the secrecy text then names the law (``masking.secrecy_text``).
Registrars and administrators see everything, at the registrar's desk only.

Two readings of the rule, one table:

- ``decide`` (Python): for a model record (``of_record``) or a stored row's fields.
- ``insyn.catalogue.visibility.public_clause`` (SQL): built from ``RULES``, for the web's
  reads of the store. ``tests/vocab/test_visibility.py`` checks over a table of cases
  that both give the same answer.

The store's ``is_public`` column (PUBLIC access right and no provision when harvested)
stands in for "access right is PUBLIC" in SQL. That is exact because no rule asks for a
PUBLIC access right of a record that names a provision (checked by a test).

What a MASKED or SHOWN record looks like to the public is ``insyn.vocab.masking``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from insyn.vocab.model import PUBLIC, Record

__all__ = [
    "DCAT_KINDS",
    "DIARIUM_KINDS",
    "HIGHEST_CONFIDENTIALITY",
    "RULES",
    "Rule",
    "Visibility",
    "decide",
    "names_provision",
    "of_record",
    "secret_marked",
    "visibility_of",
]

DCAT_KINDS: tuple[str, ...] = ("dataset", "dataservice")
DIARIUM_KINDS: tuple[str, ...] = ("case", "document")
# K3: the highest confidentiality level (KLASSA, 0–3); it always counts as secret-marked.
HIGHEST_CONFIDENTIALITY = 3


class Visibility(StrEnum):
    """How the public is shown a record (the values are kept in the audit log)."""

    SHOWN = "shown"  # as it is (private individuals and personnummer still masked)
    MASKED = "masked"  # with the secret-marked fields replaced
    HIDDEN = "hidden"  # not at all: not in search, counts, facets, feeds or pages

    @property
    def restriction(self) -> int:
        """Higher is more restrictive: conflicts resolve to the highest."""
        return _RESTRICTION[self]


_RESTRICTION = {Visibility.SHOWN: 0, Visibility.MASKED: 1, Visibility.HIDDEN: 2}


@dataclass(frozen=True)
class Rule:
    """Records of ``kinds`` whose facts match are shown as ``visibility``.

    ``public`` asks whether the access right is PUBLIC and ``secret_marked`` whether the
    record names a secrecy provision; None matches either.
    """

    kinds: tuple[str, ...]
    public: bool | None
    secret_marked: bool | None
    visibility: Visibility

    def matches(self, kind: str, public: bool, secret_marked: bool) -> bool:
        return (
            kind in self.kinds
            and self.public in (None, public)
            and self.secret_marked in (None, secret_marked)
        )


RULES: tuple[Rule, ...] = (
    Rule(DCAT_KINDS, public=True, secret_marked=False, visibility=Visibility.SHOWN),
    Rule(DIARIUM_KINDS, public=None, secret_marked=True, visibility=Visibility.MASKED),
    Rule(DIARIUM_KINDS, public=True, secret_marked=False, visibility=Visibility.SHOWN),
)


def names_provision(secrecy_provision: str | None) -> bool:
    """Return whether a record is secret-marked: its provision field is not empty."""
    return bool(secrecy_provision)


def secret_marked(secrecy_provision: str | None, confidentiality: int | None) -> bool:
    """Return whether a record counts as secret-marked: it names a provision or is K3."""
    return names_provision(secrecy_provision) or (confidentiality or 0) >= HIGHEST_CONFIDENTIALITY


def decide(
    kind: str,
    access_rights: str | None,
    secrecy_provision: str | None,
    *,
    confidentiality: int | None = None,
    deleted: bool = False,
) -> Visibility:
    """Return how the public is shown a record (see the module's table).

    ``access_rights`` is the access-right URI (None: not stated, which is PUBLIC);
    ``confidentiality`` the K level (K3 counts as a secrecy mark); ``deleted`` says the
    record is tombstoned.
    """
    if deleted:
        return Visibility.HIDDEN
    return visibility_of(
        kind,
        public=(access_rights or PUBLIC) == PUBLIC,
        secret_marked=secret_marked(secrecy_provision, confidentiality),
    )


def visibility_of(kind: str, *, public: bool, secret_marked: bool) -> Visibility:
    """Return what ``RULES`` say of a live record with these facts (the most restrictive
    of the rules that match; HIDDEN when none does)."""
    matched = [rule.visibility for rule in RULES if rule.matches(kind, public, secret_marked)]
    if not matched:
        return Visibility.HIDDEN
    return max(matched, key=lambda visibility: visibility.restriction)


def of_record(record: Record) -> Visibility:
    """Return how the public is shown a live model record."""
    governance = record.governance
    return decide(
        record.kind,
        governance.access_rights,
        governance.secrecy_provision,
        confidentiality=governance.confidentiality,
    )
