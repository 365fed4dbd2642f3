"""Public masking: what the public may see of a record that it is shown.

Whether the public sees a record at all, and whether masked, is decided by the one
visibility rule, ``insyn.vocab.visibility.decide`` (SHOWN, MASKED or HIDDEN).

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
public read of the store in the web (``insyn.web.queries``).
"""

from __future__ import annotations

import copy
from typing import Any

from insyn.vocab.model import (
    Case,
    Document,
    Record,
    from_dict,
    text_in,
    to_dict,
)
from insyn.vocab.personal_data import find_personnummer, has_birth_date_digits
from insyn.vocab.visibility import Visibility, of_record

__all__ = [
    "PERSONNUMMER_MASK",
    "PRIVATE_INDIVIDUAL",
    "mask_personnummer",
    "public_data",
    "public_record",
    "secrecy_text",
]

PRIVATE_INDIVIDUAL = "Enskild"
PERSONNUMMER_MASK = "ÅÅMMDD-XXXX"
UNKNOWN_PROVISIONS = {"", "bestämmelse ej angiven"}


def secrecy_text(provision: str | None) -> str:
    """Return "Uppgift omfattas av sekretess enligt <provision>" (the law when unknown)."""
    provision = (provision or "").strip()
    if provision.casefold() in UNKNOWN_PROVISIONS:
        provision = "offentlighets- och sekretesslagen (OSL)"
    return f"Uppgift omfattas av sekretess enligt {provision}"


def mask_personnummer(text: str) -> str:
    """Return ``text`` with every valid personnummer/samordningsnummer masked."""
    if not text or not has_birth_date_digits(text):
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
    how = of_record(record)
    if how is Visibility.HIDDEN:
        return None
    masked = copy.deepcopy(record)
    if isinstance(masked, (Case, Document)):
        for party in masked.parties:
            if party.is_private_individual:
                party.name = PRIVATE_INDIVIDUAL
            party.identifier = None
    if how is Visibility.MASKED:
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
