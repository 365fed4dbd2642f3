"""Public masking: what the public may see of a record, decided in one place.

Which records the public sees (``treatment``):

==============================  ================================================================
record                          public treatment
==============================  ================================================================
dataset, data service           SHOWN when its access right is PUBLIC and it names no secrecy
                                provision; otherwise HIDDEN (not in search, counts, facets,
                                suggestions, feeds, record pages: it does not exist publicly)
case, document (diarium entry)  SHOWN when PUBLIC and naming no provision; MASKED when it names
                                an OSL provision (whatever its access right): the registration
                                itself is public (OSL 5 kap. 1–2 §§, TF 2 kap.), the secret
                                details are not; HIDDEN when it is non-public or restricted but
                                names no provision (nothing tells which parts could be shown)
tombstoned (any kind)           HIDDEN (decided by the store, not here)
==============================  ================================================================

What masking does to a record that is shown (``public_record``):

- always: a private individual's name becomes "Enskild"; no party's identifier
  (personnummer, organisationsnummer) is kept; every valid personnummer or
  samordningsnummer (Luhn-checked) in any text of the record becomes ``ÅÅMMDD-XXXX``
  (see ``PERSONNUMMER_MASK``), URIs and extras included;
- MASKED records (secret-marked case or document): title and description become
  "Uppgift omfattas av sekretess enligt <provision>"; keywords, landing pages and
  extras (which may hold the source's explanation of the secrecy) are dropped; parties'
  names and attachments' names become the secrecy text; kept are what the register
  must show: diarienummer, document number, date, direction, document type, status,
  opened/closed, responsible unit, publisher, information owner and the provision.

The store keeps what was harvested (registrars see all of it); masking is applied on
the way out to the public: the public search partition, the feeds and export, and every
public read of the store in the web (``search.web.queries``).
"""

from __future__ import annotations

import copy
import re
from enum import StrEnum
from typing import Any

from insyn.vocab.model import (
    PUBLIC,
    Case,
    Document,
    Record,
    from_dict,
    text_in,
    to_dict,
)
from insyn.vocab.personal_data import find_personnummer

__all__ = [
    "DIARIUM_KINDS",
    "PERSONNUMMER_MASK",
    "PRIVATE_INDIVIDUAL",
    "Treatment",
    "mask_personnummer",
    "public_data",
    "public_record",
    "secrecy_text",
    "treatment",
    "treatment_of",
]

PRIVATE_INDIVIDUAL = "Enskild"
PERSONNUMMER_MASK = "ÅÅMMDD-XXXX"
UNKNOWN_PROVISIONS = {"", "bestämmelse ej angiven"}
DIARIUM_KINDS: tuple[str, ...] = ("case", "document")


class Treatment(StrEnum):
    SHOWN = "shown"  # shown as it is (private individuals and personnummer still masked)
    MASKED = "masked"  # shown with the secret-marked fields replaced
    HIDDEN = "hidden"  # not shown to the public at all


def treatment(kind: str, access_rights: str | None, secrecy_provision: str | None) -> Treatment:
    """Return how the public is shown a live record of ``kind`` (see the module's table)."""
    provision = (secrecy_provision or "").strip()
    public = (access_rights or PUBLIC) == PUBLIC
    if kind in DIARIUM_KINDS:
        if provision:
            return Treatment.MASKED
        return Treatment.SHOWN if public else Treatment.HIDDEN
    return Treatment.SHOWN if public and not provision else Treatment.HIDDEN


def treatment_of(record: Record) -> Treatment:
    governance = record.governance
    return treatment(record.kind, governance.access_rights, governance.secrecy_provision)


def secrecy_text(provision: str | None) -> str:
    """Return "Uppgift omfattas av sekretess enligt <provision>" (the law when unknown)."""
    provision = (provision or "").strip()
    if provision.casefold() in UNKNOWN_PROVISIONS:
        provision = "offentlighets- och sekretesslagen (OSL)"
    return f"Uppgift omfattas av sekretess enligt {provision}"


def mask_personnummer(text: str) -> str:
    """Return ``text`` with every valid personnummer/samordningsnummer masked."""
    if not text or not re.search(r"\d{6}", text):
        return text
    spans = find_personnummer(text)
    for start, end in reversed(spans):
        text = text[:start] + PERSONNUMMER_MASK + text[end:]
    return text


def _scrub(value: Any) -> Any:
    """Mask personnummer in every string of plain data (dict keys included)."""
    if isinstance(value, str):
        return mask_personnummer(value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def public_record(record: Record) -> Record | None:
    """Return the record as the public may see it, or None when it is hidden.

    The record given is not changed; a masked copy is returned.
    """
    how = treatment_of(record)
    if how is Treatment.HIDDEN:
        return None
    masked = copy.deepcopy(record)
    if isinstance(masked, (Case, Document)):
        for party in masked.parties:
            if party.is_private_individual:
                party.name = PRIVATE_INDIVIDUAL
            party.identifier = None
    if how is Treatment.MASKED:
        text = secrecy_text(masked.governance.secrecy_provision)
        masked.title = {"sv": text}
        masked.description = {"sv": text} if text_in(masked.description) else {}
        masked.keyword = {}
        masked.landing_page = []
        masked.extras = {}
        if isinstance(masked, (Case, Document)):
            for party in masked.parties:
                party.name = text
        if isinstance(masked, Document):
            for attachment in masked.attachments:
                attachment.name = text
    return from_dict(_scrub(to_dict(masked)))


def public_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return stored record data (``to_dict`` form) as the public may see it, or None."""
    record = public_record(from_dict(data))
    return to_dict(record) if record is not None else None
