"""Public masking: what the public may see of a record that it is shown.

Whether the public sees a record at all, and whether masked, is decided by the one
visibility rule, ``insyn.vocab.visibility.decide`` (SHOWN, MASKED or HIDDEN).

What masking does to a record that is shown (``public_record``):

- always: a private individual's name becomes "Enskild"; no party's identifier
  (personnummer, organisationsnummer) is kept; every valid personnummer or
  samordningsnummer (Luhn-checked) in any text of the record becomes ``ÅÅMMDD-XXXX``
  (see ``PERSONNUMMER_MASK``), URIs and extras included;
- cases and documents: the source's own public title (``public_title``), when it gave
  one, replaces the title; in every text (title, description, keywords, attachment
  names, extras) the names of the record's private parties become "[namn]"
  (``mask_names``: any case, hyphen or space between parts, the full name, each given
  name with the last name, "Efternamn, Förnamn", the last name alone when it is not also
  a common word, genitive -s) and Swedish street addresses, with a postal code and town
  beside them, become "[adress]" (``mask_addresses``); in titles, descriptions and
  attachment names a "Förnamn Efternamn" pair from SCB's name lists becomes "[namn]"
  too, party or not (``insyn.vocab.names``). Who is a private party is decided
  at harvest (``insyn.vocab.parties``); a document also carries its case's private
  parties (``insyn.vocab.parties.with_case_parties``), so that its title is masked on its own;
- MASKED records (secret-marked: a provision or K3, any kind): title and description
  become "Uppgift omfattas av sekretess enligt <provision>"; keywords, landing pages and
  extras (which may hold the source's explanation of the secrecy) are dropped; parties'
  names and attachments' names become the secrecy text; kept are what the register
  must show: diarienummer, document number, date, direction, document type, status,
  opened/closed, responsible unit, publisher, information owner and the provision. Of a
  dataset or data service are kept its identity, publisher, contact points, themes,
  dates, access right, licence and endpoint, so that one may ask for it; dropped are
  its distributions, endpoint descriptions, served datasets, pages, relations, spatial
  and temporal coverage, provenance and version notes (any may tell the secret).

The store keeps what was harvested (registrars see all of it); masking is applied on
the way out to the public: the public search partition, the feeds and export, and every
public read of the store in the web (``insyn.web.queries``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from insyn.vocab.model import (
    Case,
    DataService,
    Dataset,
    Document,
    Record,
    from_dict,
    text_in,
    to_dict,
)
from insyn.vocab.names import NAME_MASK, listed_name_spans, mask_listed_names
from insyn.vocab.personal_data import (
    find_personnummer,
    has_birth_date_digits,
    json_has_personnummer,
)
from insyn.vocab.visibility import Visibility, of_record

__all__ = [
    "ADDRESS_MASK",
    "NAME_MASK",
    "PERSONNUMMER_MASK",
    "PRIVATE_INDIVIDUAL",
    "mask_addresses",
    "mask_names",
    "mask_personnummer",
    "public_data",
    "public_of_data",
    "public_record",
    "secrecy_text",
    "shown_as_is",
]

PRIVATE_INDIVIDUAL = "Enskild"
PERSONNUMMER_MASK = "ÅÅMMDD-XXXX"
ADDRESS_MASK = "[adress]"
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


# Name parts that are also common Swedish words (or words of organisations' names): a
# party's last name is masked alone only when it is none of them, so that "Berg" the
# person does not take "berg" the word, nor a misread "Exempelby kommun" every "kommun".
_COMMON_WORD_LIST = """
    alm ask berg björk blom bo bok by dahl dal ek falk fors gran hall hav holm kvist lind
    lund lilja mark nord ros sjö skog sten strand ström syd sund vik väst öst ås
    kommun region län landsting förvaltning nämnd styrelse kassan verket bolag förening
    stiftelse kyrka församling skola bank centrum och i på av för med till om från hos
"""
_COMMON_WORDS = frozenset(_COMMON_WORD_LIST.split())
# Space, any dash, "&", "+" or "/" between two parts of a name: "Anna-Karin" and "Anna
# Karin" alike, and "Svensson Bygg & Montage" whole (its first part is never masked alone).
_NAME_GAP = r"(?:\s*[-\u2010-\u2015&+/]\s*|\s+)"
# Swedish genitive: "Anderssons", "Lars'", "SVT:s".
_GENITIVE = r"(?:s|['\u2019]s?|:s)?"
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


def _parts_pattern(parts: list[str]) -> str:
    return _NAME_GAP.join(re.escape(p) for p in parts)


def _name_forms(name: str) -> list[str]:
    """The regular expressions (longest first) of the ways ``name`` is written in text."""
    words = [_NAME_WORD.findall(word) for word in name.split()]
    words = [parts for parts in words if parts]
    if not words:
        return []
    everything = [p for parts in words for p in parts]
    forms = {_parts_pattern(everything)}
    if len(words) > 1:
        last = words[-1]
        for word in words[:-1]:
            for given in [word] + ([[p] for p in word] if len(word) > 1 else []):
                forms.add(_parts_pattern([*given, *last]))
                forms.add(_parts_pattern(last) + r",?\s*" + _parts_pattern(given))
        forms.add(re.escape(words[0][0][0]) + r"\.\s*" + _parts_pattern(last))
        for parts in words[1:]:
            candidates = [parts] + ([[p] for p in parts] if len(parts) > 1 else [])
            for candidate in candidates:
                alone = "".join(candidate)
                if len(alone) >= 3 and alone.casefold() not in _COMMON_WORDS:
                    forms.add(_parts_pattern(candidate))
    return sorted(forms, key=len, reverse=True)


@lru_cache(maxsize=4096)
def _names_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = sorted({f for name in names for f in _name_forms(name)}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(
        r"(?<![\w])(?:" + "|".join(forms) + r")" + _GENITIVE + r"(?![\w])", re.IGNORECASE
    )


def mask_names(text: str, names: Iterable[str]) -> str:
    """Return ``text`` with every written form of the given people's names as "[namn]"."""
    if not text:
        return text
    regex = _names_regex(tuple(sorted({n for n in names if n and n.strip()})))
    return regex.sub(NAME_MASK, text) if regex is not None else text


_UPPER = "A-ZÅÄÖÉÜ"
_LETTER = r"[^\W\d_]"
# A street name: one word ending in a street word ("Storgatan", "Kyrkvägen", "Lingonstigen"),
# perhaps after "Gamla", "Norra", "S:t" …, or words before a separate one ("Drottning
# Kristinas väg", "Gustaf Adolfs torg").
_STREET_END = (
    r"(?:gatan|gata|vägen|väg|gränden|gränd|stigen|stig|backen|backe|torget|torg|allén|allé"
    r"|alle|plan|platsen|plats|leden|gången|kajen|esplanaden|promenaden|stråket|slingan)"
)
_STREET_ALONE = r"(?i:väg|gata|gränd|stig|backe|torg|allé|plan|plats|led|gång)"
_STREET = (
    rf"(?:(?:(?:Gamla|Nya|Norra|Södra|Östra|Västra|Stora|Lilla|Övre|Nedre|S:t|S:ta|Sankt)\s+)?"
    rf"[{_UPPER}]{_LETTER}*?(?:-{_LETTER}+)*{_STREET_END}"
    rf"|(?:[{_UPPER}]{_LETTER}+\s+){{1,2}}{_STREET_ALONE})"
)
# A house number (not a year, not a property designation "1:2"), an optional letter
# ("8 B", "8b"), range, flat and floor; then perhaps a postal code and town.
_NUMBER = (
    rf"\d{{1,3}}(?![\d:])(?:\s?[-\u2013]\s?\d{{1,3}}(?![\d:]))?"
    rf"(?:\s?[{_UPPER}](?!\w)|[a-zåäö](?!\w))?"
    r"(?:\s*,?\s*(?:lgh|lägenhet)\.?\s*\d{3,4})?"
    r"(?:\s*,?\s*\d\s*(?:tr\b\.?|trappor\b))?"
)
_POSTAL = rf"(?:\s*,?\s*\d{{3}}\s?\d{{2}}(?!\d)(?:\s+[{_UPPER}]{_LETTER}+(?:-{_LETTER}+)?)?)?"
_ADDRESS = re.compile(rf"(?<![\w-])(?P<street>{_STREET})\s+{_NUMBER}{_POSTAL}")
# An address has a house number (``\d``): text without a digit is passed over in one scan.
_A_DIGIT = re.compile(r"\d")
# Street-like words that are no address: plans and numbered roads.
_NOT_STREETS = (
    "detaljplan",
    "översiktsplan",
    "planplan",
    "handlingsplan",
    "verksamhetsplan",
    "åtgärdsplan",
    "tidsplan",
    "budgetplan",
    "riksväg",
    "länsväg",
    "europaväg",
)


def _address(match: re.Match[str]) -> str:
    street = match.group("street").casefold()
    if street.endswith(_NOT_STREETS) or street in {"väg", "vägen", "gata", "gatan", "plan"}:
        return match.group()
    return ADDRESS_MASK


def mask_addresses(text: str) -> str:
    """Return ``text`` with Swedish street addresses (and a postal code beside) masked."""
    if not text or _A_DIGIT.search(text) is None:
        return text
    return _ADDRESS.sub(_address, text)


def _mask_text(text: str, names: list[str]) -> str:
    return mask_addresses(mask_names(text, names))


def _mask_prose(text: str, names: list[str]) -> str:
    """Titles, descriptions and attachment names: also listed names of non-parties."""
    return mask_listed_names(_mask_text(text, names))


def _mask_texts(record: Case | Document, names: list[str]) -> None:
    """Mask names and addresses in every text of a shown case or document."""

    def lang(value: dict[str, str]) -> dict[str, str]:
        return {k: _mask_prose(v, names) for k, v in value.items()}

    if text_in(record.public_title):
        record.title = dict(record.public_title)
    record.title = lang(record.title)
    record.public_title = lang(record.public_title)
    record.description = lang(record.description)
    record.keyword = {k: [_mask_text(v, names) for v in vs] for k, vs in record.keyword.items()}
    record.extras = {k: [_mask_text(v, names) for v in vs] for k, vs in record.extras.items()}
    if isinstance(record, Document):
        for attachment in record.attachments:
            attachment.name = _mask_prose(attachment.name, names)


def _scrub(value: Any) -> Any:
    """Mask personnummer in every string of plain data (dict keys included)."""
    if isinstance(value, str):
        return mask_personnummer(value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _mask_description_of_data(record: Dataset | DataService, text: str) -> None:
    """Keep of a secret-marked dataset or data service what tells that it exists and
    whom to ask; drop what may tell the secret."""
    record.description = {"sv": text}  # DCAT-AP requires a description
    if isinstance(record, Dataset):
        record.distributions = []
        record.spatial = []
        # Coordinates can tell where the secret is (a protected address, an installation).
        record.bbox = []
        record.centroid = []
        record.geometry = []
        record.temporal = []
        record.provenance = {}
        record.version_notes = {}
        record.source = []
        record.relation = []
        record.has_version = []
        record.is_version_of = []
        record.page = []
    else:
        # The endpoint stays: DCAT-AP requires it, and access to it is what is restricted.
        record.endpoint_description = []
        record.serves_dataset = []


def public_record(record: Record) -> Record | None:
    """Return the record as the public may see it, or None when it is hidden.

    The record given is not changed; a masked copy is returned.
    """
    how = of_record(record)
    if how is Visibility.HIDDEN:
        return None
    return _mask(copy.deepcopy(record), how)


def public_of_data(data: dict[str, Any]) -> Record | None:
    """Return stored record data (``to_dict`` form) as the public may see it, or None.

    The model is built from the plain data once and masked in place: no deep copy. When no
    string of ``data`` has six digits in a row, no personnummer can be in the masked
    record either (masking only removes text or puts in texts without digits), and the
    record is returned without the round trip through plain data that scrubs them.
    """
    record = from_dict(data)
    how = of_record(record)
    if how is Visibility.HIDDEN:
        return None
    # The JSON text has every string's digits as written (only control characters are
    # escaped, and they are no part of a personnummer); its numbers only add false alarms.
    scrub = has_birth_date_digits(json.dumps(data, ensure_ascii=False))
    return _mask(record, how, scrub=scrub)


def public_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """Return stored record data (``to_dict`` form) as the public may see it, or None."""
    record = public_of_data(data)
    return to_dict(record) if record is not None else None


def shown_as_is(record: Record, data: dict[str, Any], data_json: str | None = None) -> bool:
    """Return whether the public sees ``record`` exactly as stored: shown, and nothing in
    it that masking would change (``public_record`` would return an equal record).

    ``data`` is the record's plain form (``to_dict``); it is read, never copied. ``data_json``,
    the JSON text ``data`` was decoded from when the caller has it, spares writing it
    again. Any doubt answers False, and the caller masks.
    """
    if of_record(record) is not Visibility.SHOWN:
        return False
    if isinstance(record, (Case, Document)):
        if any(p.is_private_individual or p.identifier is not None for p in record.parties):
            return False
        if text_in(record.public_title) and record.public_title != record.title:
            return False
        texts = [
            *record.title.values(),
            *record.public_title.values(),
            *record.description.values(),
            *(v for vs in record.keyword.values() for v in vs),
            *(v for vs in record.extras.values() for v in vs),
        ]
        if isinstance(record, Document):
            texts += [attachment.name for attachment in record.attachments]
        if any(mask_addresses(text) != text or listed_name_spans(text) for text in texts):
            return False
    text = data_json
    if text is None or "\\u" in text:  # stored with escapes (ensure_ascii): write it again
        text = json.dumps(data, ensure_ascii=False)
    if "\\u" in text:  # an escape's digits could join a string's own: walk the strings
        return not _has_personnummer(data)
    return not json_has_personnummer(text)


def _has_personnummer(value: Any) -> bool:
    """Whether any string of plain data (dict keys included) holds a valid personnummer."""
    if isinstance(value, str):
        return has_birth_date_digits(value) and bool(find_personnummer(value))
    if isinstance(value, dict):
        return any(_has_personnummer(k) or _has_personnummer(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_personnummer(v) for v in value)
    return False


def _mask(masked: Record, how: Visibility, *, scrub: bool = True) -> Record:
    """Mask a shown record in place and return its public form; personnummer are scrubbed
    unless ``scrub`` is False (the caller knows that none can be in it)."""
    if isinstance(masked, (Case, Document)):
        if how is Visibility.SHOWN:
            _mask_texts(masked, [p.name for p in masked.parties if p.is_private_individual])
        for party in masked.parties:
            if party.is_private_individual:
                party.name = PRIVATE_INDIVIDUAL
            party.identifier = None
    if how is Visibility.MASKED:
        text = secrecy_text(masked.governance.secrecy_provision)
        masked.title = {"sv": text}
        masked.description = {"sv": text} if text_in(masked.description) else {}
        if isinstance(masked, (Case, Document)):
            masked.public_title = {}
        masked.keyword = {}
        masked.landing_page = []
        masked.extras = {}
        if isinstance(masked, (Case, Document)):
            for party in masked.parties:
                party.name = text
        if isinstance(masked, Document):
            for attachment in masked.attachments:
                attachment.name = text
        if isinstance(masked, (Dataset, DataService)):
            _mask_description_of_data(masked, text)
    return from_dict(_scrub(to_dict(masked))) if scrub else masked
