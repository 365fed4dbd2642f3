"""Is a party a private individual? One decision for every source, failing closed.

A party to a case or document is a private individual (its name masked in public views)
unless the source says, in a way we trust, that it is not:

- an official of the authority (the reader says so from the source's own structure, e.g.
  an ERMS creator or responsible person): their names are public in a Swedish diarium;
- an explicit "not a private person" from the source (a yes/no column of its own);
- a valid organisationsnummer among its identifiers or in its name (Luhn check digit,
  month digits 20 or more: a personnummer, an enskild firma's number, is never one);
- a known organisation type stated by the source (``ORGANISATION_TYPES``: an ERMS
  ``otherAgentType``, a CSV column of party types), the whole value, any case;
- a legal-form designation in the name ("AB", "HB", "Aktiebolag", "ek. för." …): a
  Swedish company's registered name must carry its form, a person's never does;
- the exact name of a known public authority (``PUBLIC_AUTHORITIES``).

Nothing else makes a party an organisation: not its role ("sökande", "owner"), not an
``<organisation>`` element (it may say "Privatperson"), not words inside the name
("Kyrklund", "Bankman", "Centrumsson"). A personnummer, a samordningsnummer, a protected
identity, a "yes, private" or a person's type (``PERSON_TYPES``: "Privatperson",
"fysisk person" …) from the source make it private whatever else is said. A party the
source calls an organisation but identifies by no trusted means (no number, no known
type, no legal form) stays private: its name is masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from insyn.vocab.model import Party
from insyn.vocab.personal_data import (
    canonical_personnummer,
    find_personnummer,
    is_personnummer,
    is_samordningsnummer,
    luhn_valid,
)

__all__ = [
    "CASE_PARTY_ROLE",
    "ORGANISATION_TYPES",
    "PERSON_TYPES",
    "PUBLIC_AUTHORITIES",
    "find_organisationsnummer",
    "flag",
    "is_organisationsnummer",
    "is_private_individual",
    "with_case_parties",
]

# The role of a case's private party copied onto each of its documents at harvest.
CASE_PARTY_ROLE = "part i ärendet"

# Types a source may give a party (ERMS otherAgentType, a column) that mean "not a person".
ORGANISATION_TYPES = frozenset(
    {
        "organisation",
        "organization",
        "juridisk person",
        "juridisk_person",
        "legal_person",
        "legal person",
        "juridisk",
        "företag",
        "företag/organisation",
        "organisation/företag",
        "myndighet",
        "kommun",
        "region",
        "förening",
        "bolag",
        "authority",
        "company",
    }
)
# Types that say "a person": private whatever the name or a number says.
PERSON_TYPES = frozenset(
    {
        "privatperson",
        "privatperson/enskild",
        "person",
        "fysisk person",
        "fysisk_person",
        "enskild",
        "enskild person",
        "individ",
        "individual",
        "natural person",
        "natural_person",
        "private",
        "private person",
    }
)
# Exact names (case aside) of public authorities that appear as parties in municipal
# diaria. A closed list: a name merely containing "kassan" or "verket" is not on it.
PUBLIC_AUTHORITIES = frozenset(
    name.casefold()
    for name in (
        "Arbetsförmedlingen",
        "Arbetsmiljöverket",
        "Boverket",
        "Domstolsverket",
        "Folkhälsomyndigheten",
        "Försäkringskassan",
        "Havs- och vattenmyndigheten",
        "Inspektionen för vård och omsorg",
        "Integritetsskyddsmyndigheten",
        "Justitieombudsmannen",
        "Kammarkollegiet",
        "Kronofogdemyndigheten",
        "Lantmäteriet",
        "Livsmedelsverket",
        "Migrationsverket",
        "Myndigheten för samhällsskydd och beredskap",
        "Naturvårdsverket",
        "Pensionsmyndigheten",
        "Polismyndigheten",
        "Riksantikvarieämbetet",
        "Riksarkivet",
        "Skatteverket",
        "Skolinspektionen",
        "Skolverket",
        "Socialstyrelsen",
        "Specialpedagogiska skolmyndigheten",
        "Statens institutionsstyrelse",
        "Tillväxtverket",
        "Trafikverket",
        "Transportstyrelsen",
    )
)
# Legal-form designations (aktiebolagslagen 28 kap. 2 §, lagen om handelsbolag …) and
# their foreign kin, as whole words. The short Swedish ones only in capitals ("AB", not
# "Ab"); the words in any case.
_LEGAL_FORM = re.compile(
    r"(?<![\w-])(?:AB|HB|KB|Ltd|Inc|GmbH|Oyj?|ASA|A/S|ApS|LLC|Plc|BV)(?![\w-])"
    r"|\(publ\)"
    r"|(?i:(?<![\w-])(?:aktiebolag(?:et)?|handelsbolag(?:et)?|kommanditbolag(?:et)?"
    r"|ekonomisk\s+förening|ek\.\s*för\.?|ideell\s+förening|bostadsrättsförening(?:en)?"
    r"|brf|stiftelse(?:n)?)(?![\w-]))"
)
# Ten digits with a dash or plus before the last four, or twelve starting with 16.
_ORGNR_IN_TEXT = re.compile(r"(?<![\d-])(?:16)?\d{6}[-+]?\d{4}(?![\d-])")
_YES = {"ja", "j", "x", "1", "true", "sant", "yes"}
_NO = {"nej", "n", "0", "false", "falskt", "no"}


def is_organisationsnummer(text: str) -> bool:
    """Return whether ``text`` is a valid organisationsnummer (optionally 16-prefixed).

    Valid: ten digits (a dash before the last four allowed), the month digits (third and
    fourth) 20 or more, the last a Luhn check digit.
    """
    digits = canonical_personnummer(text).replace("-", "").replace("+", "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    return int(digits[2:4]) >= 20 and luhn_valid(digits)


def find_organisationsnummer(text: str) -> list[str]:
    """Return the valid organisationsnummer written in ``text``."""
    return [m.group() for m in _ORGNR_IN_TEXT.finditer(text) if is_organisationsnummer(m.group())]


def flag(value: str | None) -> bool | None:
    """Read a source's yes/no "private person" value: True, False, or None (unsaid).

    An empty cell says nothing: only an explicit "nej" is taken for "not private".
    """
    text = (value or "").strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def is_private_individual(
    name: str,
    *,
    identifiers: Iterable[str] = (),
    organisation_type: str | None = None,
    official: bool = False,
    flagged_private: bool | None = None,
    protected_identity: bool = False,
) -> bool:
    """Decide whether a party is a private individual (see the module's rules).

    ``identifiers``: every number the source gives for the party (personnummer,
    organisationsnummer …). ``organisation_type``: a type the source gives the party.
    ``official``: the source shows the party acting for the authority. ``flagged_private``:
    the source's own yes/no, None when it says nothing.
    """
    numbers = [i for i in identifiers if i]
    stated_type = " ".join((organisation_type or "").split()).casefold()
    if (
        protected_identity
        or flagged_private is True
        or stated_type in PERSON_TYPES
        or find_personnummer(name)
        or any(is_personnummer(n) or is_samordningsnummer(n) for n in numbers)
    ):
        return True
    if official or flagged_private is False:
        return False
    if any(is_organisationsnummer(n) for n in numbers) or find_organisationsnummer(name):
        return False
    if stated_type in ORGANISATION_TYPES:
        return False
    if _LEGAL_FORM.search(name):
        return False
    return " ".join(name.split()).casefold() not in PUBLIC_AUTHORITIES


def with_case_parties(own: list[Party], case_parties: Iterable[Party]) -> list[Party]:
    """Return a document's parties with its case's private parties added (role
    ``CASE_PARTY_ROLE``, no identifier), so that masking its texts needs only itself."""
    names = {p.name.casefold() for p in own}
    added = []
    for party in case_parties:
        if party.is_private_individual and party.name.casefold() not in names:
            names.add(party.name.casefold())
            added.append(Party(name=party.name, role=CASE_PARTY_ROLE, is_private_individual=True))
    return own + added
