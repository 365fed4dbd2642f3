"""Who may see a record's description: the one rule, decided here and nowhere else.

Two governance fields answer two questions. ``access_rights`` says who may use the
*data* (PUBLIC, RESTRICTED, NON_PUBLIC): it is shown to everyone and never by itself
hides a description, since DCAT-AP and dataportal.se describe non-open data and OSL 4
kap. 2 § obliges the authority to describe its documents and registers, secret ones
included. ``description_visibility`` says whether the *description* may be published:
``public`` (the default) or ``internal`` (staff only).

The public (anonymous users, public feeds, the export, the public search partition) is
shown a live record in one of three ways (``Visibility``), looked up in ``RULES``:

==================================  ===========  ===============  =====================
record kind                         description  secrecy mark     the public is shown
==================================  ===========  ===============  =====================
dataset, dataservice, case, document  public     none             SHOWN
dataset, dataservice, case, document  any        an OSL provision MASKED (that the
                                                                  record exists is
                                                                  public; its secret
                                                                  details are not)
dataset, dataservice, case, document  internal   any              HIDDEN
anything else                                                     HIDDEN
==================================  ===========  ===============  =====================

When several rules match, the most restrictive wins (HIDDEN over MASKED over SHOWN): an
internal record that also names a provision is HIDDEN. A confidentiality level of K3
(``Governance.confidentiality`` 3, the top of KLASSA's 0–3 scale) counts as a secrecy
mark whatever the source says of access or provision (``secret_marked``): information
whose disclosure would do serious harm is never shown unmasked. A provision field that
holds only blanks still marks the record: someone marked it, and the secrecy text then
names the law (``masking.secrecy_text``). Tombstoned records and kinds the table does not
name are HIDDEN. Registrars and administrators see everything, at the registrar's desk.

Where the description visibility comes from (``describe``): the most restrictive of what
the record itself says and its source's setting (``source_default``: the source's
``visibility`` option, else ``internal`` for the kinds that describe internal systems,
``INTERNAL_SOURCE_KINDS``, else ``public``). The information-management plan may set it
per process after the harvest (``insyn.vocab.plan``).

Two readings of the rule, one table:

- ``decide`` (Python): for a model record (``of_record``) or a stored row's fields.
- ``insyn.catalogue.visibility.public_clause`` (SQL): built from ``RULES``, for the web's
  reads of the store, on the stored ``description_visibility`` column.
  ``tests/catalogue/test_visibility.py`` checks over a table of cases that both agree.

What a MASKED or SHOWN record looks like to the public is ``insyn.vocab.masking``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from insyn.vocab.model import (
    DESCRIPTION_INTERNAL,
    DESCRIPTION_PUBLIC,
    RECORD_KINDS,
    Record,
)

__all__ = [
    "DCAT_KINDS",
    "DIARIUM_KINDS",
    "HIGHEST_CONFIDENTIALITY",
    "INTERNAL_SOURCE_KINDS",
    "RULES",
    "Rule",
    "Visibility",
    "decide",
    "describe",
    "is_internal",
    "names_provision",
    "of_record",
    "secret_marked",
    "source_default",
    "visibility_of",
]

DCAT_KINDS: tuple[str, ...] = ("dataset", "dataservice")
DIARIUM_KINDS: tuple[str, ...] = ("case", "document")
# K3: the highest confidentiality level (KLASSA, 0–3); it always counts as secret-marked.
HIGHEST_CONFIDENTIALITY = 3
# Source kinds that describe internal systems: their descriptions are internal by default.
INTERNAL_SOURCE_KINDS: tuple[str, ...] = ("sql", "files")


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

    ``internal`` asks whether the description is internal and ``secret_marked`` whether
    the record counts as secret-marked; None matches either. The access right is no fact
    of the rule: it concerns the data, never whether the description is seen.
    """

    kinds: tuple[str, ...]
    internal: bool | None
    secret_marked: bool | None
    visibility: Visibility

    def matches(self, kind: str, internal: bool, secret_marked: bool) -> bool:
        return (
            kind in self.kinds
            and self.internal in (None, internal)
            and self.secret_marked in (None, secret_marked)
        )


RULES: tuple[Rule, ...] = (
    Rule(RECORD_KINDS, internal=False, secret_marked=False, visibility=Visibility.SHOWN),
    Rule(RECORD_KINDS, internal=None, secret_marked=True, visibility=Visibility.MASKED),
    Rule(RECORD_KINDS, internal=True, secret_marked=None, visibility=Visibility.HIDDEN),
)


def names_provision(secrecy_provision: str | None) -> bool:
    """Return whether a record is secret-marked: its provision field is not empty."""
    return bool(secrecy_provision)


def secret_marked(secrecy_provision: str | None, confidentiality: int | None) -> bool:
    """Return whether a record counts as secret-marked: it names a provision or is K3."""
    return names_provision(secrecy_provision) or (confidentiality or 0) >= HIGHEST_CONFIDENTIALITY


def is_internal(description_visibility: str | None) -> bool:
    """Return whether a description is internal (unstated is public; an unknown word is
    read as internal, the most restrictive reading)."""
    return (description_visibility or DESCRIPTION_PUBLIC) != DESCRIPTION_PUBLIC


def source_default(source_kind: str, option: str | None) -> str:
    """Return a source's description visibility: its ``visibility`` option, else internal
    for the kinds that describe internal systems, else public."""
    if option:
        return option
    return DESCRIPTION_INTERNAL if source_kind in INTERNAL_SOURCE_KINDS else DESCRIPTION_PUBLIC


def describe(stated: str | None, default: str) -> str:
    """Return a harvested record's description visibility: the most restrictive of what
    the record says (None: nothing) and its source's ``default``."""
    if is_internal(stated) or is_internal(default):
        return DESCRIPTION_INTERNAL
    return DESCRIPTION_PUBLIC


def decide(
    kind: str,
    description_visibility: str | None,
    secrecy_provision: str | None,
    *,
    confidentiality: int | None = None,
    deleted: bool = False,
) -> Visibility:
    """Return how the public is shown a record (see the module's table).

    ``description_visibility`` is ``public`` or ``internal`` (None: not stated, which is
    public); ``confidentiality`` the K level (K3 counts as a secrecy mark); ``deleted``
    says the record is tombstoned.
    """
    if deleted:
        return Visibility.HIDDEN
    return visibility_of(
        kind,
        internal=is_internal(description_visibility),
        secret_marked=secret_marked(secrecy_provision, confidentiality),
    )


def visibility_of(kind: str, *, internal: bool, secret_marked: bool) -> Visibility:
    """Return what ``RULES`` say of a live record with these facts (the most restrictive
    of the rules that match; HIDDEN when none does)."""
    matched = [rule.visibility for rule in RULES if rule.matches(kind, internal, secret_marked)]
    if not matched:
        return Visibility.HIDDEN
    return max(matched, key=lambda visibility: visibility.restriction)


def of_record(record: Record) -> Visibility:
    """Return how the public is shown a live model record."""
    governance = record.governance
    return decide(
        record.kind,
        governance.description_visibility,
        governance.secrecy_provision,
        confidentiality=governance.confidentiality,
    )
