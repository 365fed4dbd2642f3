"""The flat index document: what a search engine knows about one record.

``index_document`` turns a model record into a plain JSON-ready dict that both backends
index as it is. Its fields (all present on every document, empty when unknown):

==========================  ============================================================
id, kind, uri, source       identity; kind is dataset | dataservice | case | document
title, title_sv, title_en   display title (Swedish first) and the title per language
description_sv, _en         description per language
keywords                    all keywords, every language
parts                       parts and heads of the Swedish compounds in title, keywords
                            and description ("badvattenkvalitet" → "bad", "kvalitet" …)
text                        other searchable text: publisher and owner names, theme
                            labels, public party names, unit, document type,
                            distribution and attachment names
publisher, publisher_id     publisher display name and identifier (URI)
owner, owner_id             information owner (informationsägare) name and identifier
themes, theme_uris,         data-theme codes ("ENVI"), their URIs and Swedish labels
theme_labels
formats                     file-type codes from the distributions ("CSV")
access_rights, is_public    EU access-right code (PUBLIC | RESTRICTED | NON_PUBLIC …)
                            and whether the public partition holds the record (false
                            only for an internal description; masked where need be:
                            ``insyn.vocab.masking``)
secrecy_provision           the OSL provision the record names ("" if none); stored only
contains_personal_data      true, false or None (not stated)
licences                    licence codes (EU authority code, else the URI)
year, issued, modified      the record's year; dates as ISO 8601 UTC strings
diarienummer,               the number as written and its canonical form
diarienummer_normalised
diarienummer_keys           every canonical key that finds the record exactly
document_type, status,      records-management fields of cases and documents
responsible_unit
parties                     names of parties that are not private individuals
parties_restricted          names of private individuals and the personnummer in the
                            record as ten digits: never in the public index
public                      None, or when the public sees the record otherwise than as it
                            is: the index document of its masked form (``public_view``)
title_sort                  sort key for titles in Swedish alphabetical order
suggest                     titles and keywords offered as completions
<facet>_keys                lower-cased values a filter on that facet matches
==========================  ============================================================

``is_public`` follows the visibility rule (``insyn.vocab.visibility``): only a record
whose description is internal is kept out of public search. The access right concerns the
data: non-public and restricted data is in public search with its access right. A record
of any kind that names a secrecy provision (OSL) or is K3 is in public search in its
masked form only (that it exists is public, its secret details are not). Masking happens
here, once, on the way into the public partition: ``public_view`` is what backends write
there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from insyn.search.compounds import compound_parts
from insyn.vocab import masking, visibility
from insyn.vocab.diarienummer import parse_diarienummer
from insyn.vocab.model import (
    ACCESS_RIGHTS_BASE,
    Agent,
    Case,
    DataService,
    Dataset,
    Document,
    LangText,
    Record,
    text_in,
)
from insyn.vocab.personal_data import personnummer_keys
from insyn.vocab.visibility import Visibility

__all__ = [
    "DOCUMENT_VERSION",
    "FACET_FIELDS",
    "FILTER_FIELDS",
    "RESTRICTED_FIELDS",
    "diarienummer_keys",
    "index_document",
    "is_own_public_view",
    "normalise_key",
    "public_view",
    "title_sort_key",
]

# Bump when the document's fields change, so that indexes built from older documents
# are rebuilt from the catalogue (``SearchBackend.ensure_index`` reports it).
# 2: the public copy masks private parties' names and addresses, shows public titles.
# 3: "parts", the parts and heads of Swedish compounds in titles, keywords, descriptions.
# 4: personnummer as ten-digit keys in parties_restricted.
# 5: the public copy masks listed "Förnamn Efternamn" pairs too (insyn.vocab.names).
DOCUMENT_VERSION = 5

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Facet name → the document field its values come from.
FACET_FIELDS: dict[str, str] = {
    "publisher": "publisher",
    "owner": "owner",
    "theme": "themes",
    "format": "formats",
    "access_rights": "access_rights",
    "licence": "licences",
    "kind": "kind",
    "year": "year",
}
# Filter name → the keys field it matches (lower-cased values, see ``normalise_key``).
FILTER_FIELDS: dict[str, str] = {
    **{name: f"{name}_keys" for name in FACET_FIELDS},
    "source": "source_keys",
    "diarienummer": "diarienummer_keys",
    "contains_personal_data": "contains_personal_data_keys",
}
# Fields that hold personal data of private individuals: the public index never has them.
RESTRICTED_FIELDS: tuple[str, ...] = ("parties_restricted", "secrecy_provision")
PUBLIC_FIELD = "public"

_WORDS = re.compile(r"\w+", re.UNICODE)
_EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
_EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
_EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"


def normalise_key(value: object) -> str:
    """Return the form in which filter values are compared: trimmed, case-folded, NFC."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _normalised(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65_536)
def _normalised(text: str) -> str:
    # Cached: a catalogue repeats its publishers, themes, formats and kinds on every record.
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def title_sort_key(title: str) -> str:
    """Return a key that sorts titles in Swedish order: a-z, then å, ä, ö; case ignored."""
    text = unicodedata.normalize("NFC", title).casefold().strip()
    return "".join(map(_sort_char, text))[:200]


@lru_cache(maxsize=4096)
def _sort_char(char: str) -> str:
    if char in "åäö":
        return {"å": "{", "ä": "|", "ö": "}"}[char]
    # Other accents sort as their base letter (é as e, ü as y in Swedish).
    return "y" if char == "ü" else unicodedata.normalize("NFD", char)[0]


def diarienummer_keys(*written: str | None, document_number: str | None = None) -> list[str]:
    """Return the keys a diarienummer is found by: canonical, without series, as written.

    A document also gets its own number ("KS 2024/123-4") when ``document_number`` is a
    number. Unparseable diarienummer are kept as written. Keys are compared lower-cased
    (``normalise_key``), like every filter key.
    """
    keys: list[str] = []
    for text in written:
        if not text:
            continue
        parsed = _parsed_diarienummer(text)
        if parsed is None:
            keys.append(text)
            continue
        case = parsed.case
        keys += [str(case), case.without_series]
        document = parsed.document
        if document is None and document_number and document_number.strip().isdigit():
            document = int(document_number)
        if document is not None:
            full = type(parsed)(case.series, case.year, case.number, document)
            keys += [str(full), full.without_series]
    return _unique(normalise_key(k) for k in keys)


# A record's number is parsed for its normalised form and again for each of its keys: the
# few last ones are kept (a Diarienummer is frozen, so it is safely shared).
_parsed_diarienummer = lru_cache(maxsize=256)(parse_diarienummer)


def index_document(
    record_id: str,
    record: Record,
    *,
    publisher_name: str | None,
    owner_name: str | None,
    source: str | None,
    data: dict[str, Any] | None = None,
    data_json: str | None = None,
) -> dict[str, Any]:
    """Return the flat index document for ``record``.

    ``publisher_name`` and ``owner_name`` are the display names the catalogue knows for
    the publisher and the information owner (the record itself may only carry a URI);
    ``source`` is the name of the harvest source. The result is plain JSON-ready data.
    When the public sees the record masked, the masked form's document is kept under
    ``public`` (``public_view`` returns it).

    ``data``, the record's stored plain form (``to_dict``) when the caller has it, lets
    masking start from it: a record with nothing to mask (``masking.shown_as_is``) gets no
    second document, and one with something to mask is masked without a deep copy.
    ``data_json``, the JSON text ``data`` was read from, spares writing it again.
    """
    document = _document(
        record_id, record, publisher_name=publisher_name, owner_name=owner_name, source=source
    )
    how = visibility.of_record(record)
    document["is_public"] = how is not Visibility.HIDDEN
    document["secrecy_provision"] = record.governance.secrecy_provision or ""
    document[PUBLIC_FIELD] = None
    if how is Visibility.HIDDEN:
        return document
    if data is not None and masking.shown_as_is(record, data, data_json):
        return document  # the public document would equal this one
    shown = masking.public_of_data(data) if data is not None else masking.public_record(record)
    assert shown is not None
    if how is Visibility.SHOWN and _masked_only_private_parties(shown, record):
        return document  # the public document would equal this one (see there)
    public = _document(
        record_id, shown, publisher_name=publisher_name, owner_name=owner_name, source=source
    )
    public["is_public"] = True
    public["secrecy_provision"] = document["secrecy_provision"]
    if how is Visibility.MASKED:
        public["suggest"] = []  # the secrecy text is no completion
    public[PUBLIC_FIELD] = None
    public = {k: ([] if k == "parties_restricted" else v) for k, v in public.items()}
    plain = {k: ([] if k == "parties_restricted" else v) for k, v in document.items()}
    if public != plain:
        document[PUBLIC_FIELD] = public
    return document


def _masked_only_private_parties(shown: Record, record: Record) -> bool:
    """Tell whether masking changed nothing of ``record`` but private individuals' names
    and parties' identifiers (most masked cases and documents). Neither is in a public
    document: private names and personnummer go to ``parties_restricted`` only, which the
    public form empties, so its document would equal the full one and is not built."""
    if not isinstance(record, (Case, Document)) or not isinstance(shown, type(record)):
        return shown == record
    kept = record.parties
    if len(shown.parties) != len(kept) or any(
        (a.role, a.is_private_individual) != (b.role, b.is_private_individual)
        or (a.name != b.name and not b.is_private_individual)
        for a, b in zip(shown.parties, kept, strict=True)
    ):
        return False
    masked_parties, shown.parties = shown.parties, kept
    try:
        return shown == record
    finally:
        shown.parties = masked_parties


def _document(
    record_id: str,
    record: Record,
    *,
    publisher_name: str | None,
    owner_name: str | None,
    source: str | None,
) -> dict[str, Any]:
    governance = record.governance
    publisher_id = _agent_id(record.publisher)
    publisher = publisher_name or _agent_name(record.publisher) or publisher_id or ""
    owner_id = governance.information_owner or ""
    owner = owner_name or owner_id
    themes = [_theme(uri) for uri in record.theme]
    formats = _formats(record)
    licences = _licences(record)
    access_rights = _code(governance.access_rights, ACCESS_RIGHTS_BASE) or "PUBLIC"
    title = text_in(record.title)
    keywords = _unique(k for values in record.keyword.values() for k in values if k.strip())
    record_date = _record_date(record)
    modified = record.modified or record.issued or record_date
    year = _year(record_date or record.issued or record.modified)

    diarienummer = ""
    document_number: str | None = None
    document_type = status = responsible_unit = ""
    parties: list[str] = []
    parties_restricted: list[str] = []
    extra_text: list[str] = []
    if isinstance(record, Case):
        diarienummer = record.diarienummer_normalised or record.diarienummer
        status = record.status or ""
        responsible_unit = record.responsible_unit or ""
        party_list = record.parties
    elif isinstance(record, Document):
        diarienummer = record.case_diarienummer
        document_number = record.document_number
        document_type = record.document_type or ""
        party_list = record.parties
        extra_text += [a.name for a in record.attachments]
    else:
        party_list = []
    for party in party_list:
        (parties_restricted if party.is_private_individual else parties).append(party.name)
    # Personnummer as ten digits however written (query.py asks so); staff index only.
    parties_restricted += personnummer_keys(
        [title, _swedish(record.description), *(p.identifier or "" for p in party_list)]
    )
    if isinstance(record, Dataset):
        for dist in record.distributions:
            extra_text += [text_in(dist.title), text_in(dist.description)]
    written_dnr = record.diarienummer if isinstance(record, Case) else diarienummer
    parsed_dnr = _parsed_diarienummer(diarienummer) if diarienummer else None
    theme_labels = [label for _, _, label, _ in themes if label]

    document: dict[str, Any] = {
        "id": record_id,
        "kind": record.kind,
        "uri": record.uri or "",
        "source": source or "",
        "title": title,
        "title_sv": _swedish(record.title),
        "title_en": record.title.get("en", ""),
        "description_sv": _swedish(record.description),
        "description_en": record.description.get("en", ""),
        "keywords": keywords,
        "parts": compound_parts(
            _WORDS.findall(
                " ".join([_swedish(record.title), *keywords, _swedish(record.description)])
            )
        ),
        "text": _unique(
            t
            for t in [
                publisher,
                owner,
                *theme_labels,
                *(en for _, _, _, en in themes if en),
                *parties,
                responsible_unit,
                document_type,
                status,
                *extra_text,
            ]
            if t and t.strip()
        ),
        "publisher": publisher,
        "publisher_id": publisher_id or "",
        "owner": owner,
        "owner_id": owner_id,
        "themes": _unique(code for code, _, _, _ in themes),
        "theme_uris": _unique(uri for _, uri, _, _ in themes),
        "theme_labels": _unique(theme_labels),
        "formats": formats,
        "access_rights": access_rights,
        "contains_personal_data": governance.contains_personal_data,
        "licences": licences,
        "year": year,
        "issued": _iso(record.issued),
        "modified": _iso(modified),
        "diarienummer": written_dnr or "",
        "diarienummer_normalised": str(parsed_dnr.case) if parsed_dnr else "",
        "diarienummer_keys": diarienummer_keys(
            diarienummer, written_dnr, document_number=document_number
        ),
        "document_number": document_number or "",
        "document_type": document_type,
        "status": status,
        "responsible_unit": responsible_unit,
        "parties": _unique(parties),
        "parties_restricted": _unique(parties_restricted),
        "title_sort": title_sort_key(title),
        "suggest": _unique([title, *keywords] if title else keywords),
        "document_version": DOCUMENT_VERSION,
    }
    document.update(
        {
            "publisher_keys": _text_keys((publisher, publisher_id), publisher),
            "owner_keys": _text_keys((owner, owner_id), owner),
            "theme_keys": _text_keys(
                tuple(v for code, uri, label, en in themes for v in (code, uri, label, en))
            ),
            "format_keys": _text_keys(tuple(formats)),
            "access_rights_keys": _text_keys((access_rights, governance.access_rights)),
            "licence_keys": _text_keys((*licences, *_licence_uris(record))),
            "kind_keys": _text_keys((record.kind,)),
            "year_keys": _keys([year] if year else []),
            "source_keys": _text_keys((source,)),
            "contains_personal_data_keys": _keys(
                [governance.contains_personal_data]
                if governance.contains_personal_data is not None
                else []
            ),
        }
    )
    return document


def public_view(document: dict[str, Any]) -> dict[str, Any]:
    """Return the document as the public index holds it: masked, restricted fields emptied.

    A document from ``index_document`` carries its masked form when it differs (``None``
    when it is the same); any other document (built by hand) has personnummer masked in
    every string here but its id.
    """
    shown = document.get(PUBLIC_FIELD)
    if PUBLIC_FIELD in document and shown is None:
        shown = document  # index_document found the public form identical
    elif not isinstance(shown, dict):
        # The id is the key the public copy is updated and deleted by: never masked.
        shown = {k: v if k == "id" else _masked(v) for k, v in document.items()}
    return {
        k: ("" if k == "secrecy_provision" else [] if k in RESTRICTED_FIELDS else v)
        for k, v in shown.items()
        if k != PUBLIC_FIELD
    }


def is_own_public_view(document: dict[str, Any]) -> bool:
    """Return whether ``public_view(document)`` is the document itself without its
    ``public`` field: ``index_document`` found nothing to mask and no restricted field
    holds anything (most records). Backends then write one copy for both partitions."""
    return (
        document.get(PUBLIC_FIELD, False) is None
        and document.get("secrecy_provision", "") == ""
        and all(document.get(k, []) == [] for k in RESTRICTED_FIELDS if k != "secrecy_provision")
    )


# --- helpers -------------------------------------------------------------------------


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return masking.mask_personnummer(value)
    if isinstance(value, list):
        return [masking.mask_personnummer(x) if isinstance(x, str) else x for x in value]
    return value


def _unique(values: Iterable[str]) -> list[str]:
    """The values trimmed, each once, in order, without empty ones."""
    ordered = dict.fromkeys([v.strip() if type(v) is str else v for v in values])
    ordered.pop("", None)
    return list(ordered) if all(ordered) else [value for value in ordered if value]


def _keys(values: Iterable[object], *, words_of: str | None = None) -> list[str]:
    # normalise_key trims, and is empty exactly when the value is blank: no second trim.
    keys = dict.fromkeys(normalise_key(v) for v in values if v is not None)
    if words_of:
        keys.update(dict.fromkeys(_key_words(words_of)))
    keys.pop("", None)
    return list(keys)


def _text_keys(values: tuple[str | None, ...], words_of: str | None = None) -> list[str]:
    """``_keys`` of text values, from a cache: a catalogue repeats its publishers, themes,
    formats, access rights, licences, kinds and sources on every record."""
    return list(_cached_text_keys(values, words_of))


@lru_cache(maxsize=16_384)
def _cached_text_keys(values: tuple[str | None, ...], words_of: str | None) -> tuple[str, ...]:
    # Text only: as cache keys 1 and True are one, and their keys differ ("1", "true").
    return tuple(_keys(values, words_of=words_of))


@lru_cache(maxsize=16_384)
def _key_words(name: str) -> tuple[str, ...]:
    """Single words of a name too, so that "utgivare:miljö" finds "Miljö- och hälsoskydd"."""
    return tuple(w for w in _WORDS.findall(normalise_key(name)) if len(w) >= 2)


def _swedish(text: LangText) -> str:
    """Return the Swedish text, else the untagged one, else any but English."""
    if text.get("sv") or text.get(""):
        return text.get("sv") or text.get("") or ""
    return next((v for lang, v in text.items() if lang != "en" and v), "")


def _agent_id(agent: Agent | None) -> str | None:
    if agent is None:
        return None
    return agent.uri or agent.identifier


def _agent_name(agent: Agent | None) -> str:
    return text_in(agent.name) if agent else ""


def _code(uri: str | None, base: str) -> str:
    if not uri:
        return ""
    if uri.startswith(base):
        return uri.removeprefix(base).strip("/")
    return uri.rstrip("/").rsplit("/", 1)[-1] if "://" in uri else uri


# Themes, formats and licences are cached: a catalogue repeats a few of them on every record.
@lru_cache(maxsize=4096)
def _theme(uri: str) -> tuple[str, str, str, str]:
    """Return (code, uri, Swedish label, English label) of a data theme."""
    concept = _lookup("data_themes", uri)
    if concept is not None:
        return concept.code, concept.uri, concept.label("sv"), concept.labels.get("en", "")
    # Hook for themes the vocabularies do not know (or no vocabularies): an EU theme is
    # known by its code; any other keeps its URI as code and its last part as label.
    if uri.startswith(_EU_THEME):
        return _code(uri, _EU_THEME).upper(), uri, "", ""
    last = unquote(uri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    return uri, uri, last.replace("_", " ") if "://" in uri else "", ""


def _formats(record: Record) -> list[str]:
    values: list[str] = []
    if isinstance(record, Dataset):
        for dist in record.distributions:
            values.append(dist.format or dist.media_type or "")
    elif isinstance(record, DataService):
        values += record.format
    elif isinstance(record, Document):
        values += [a.format or "" for a in record.attachments]
    return _unique(_format_code(v) for v in values if v)


@lru_cache(maxsize=4096)
def _format_code(value: str) -> str:
    concept = _lookup("file_types", value)
    if concept is not None:
        return concept.code
    if value.startswith(_EU_FILE_TYPE):
        return value.removeprefix(_EU_FILE_TYPE).strip("/").upper()
    if "/" in value and "://" not in value:  # a media type such as text/csv
        return value.split("/", 1)[1].split(";", 1)[0].removeprefix("x-").upper()
    return _code(value, _EU_FILE_TYPE).upper()


def _licence_uris(record: Record) -> list[str]:
    uris: list[str | None] = []
    if isinstance(record, Dataset):
        uris += [d.license for d in record.distributions]
    elif isinstance(record, DataService):
        uris.append(record.license)
    return [u for u in uris if u]


def _licences(record: Record) -> list[str]:
    return _unique(map(_licence_code, _licence_uris(record)))


@lru_cache(maxsize=4096)
def _licence_code(uri: str) -> str:
    concept = _lookup("licences", uri)
    if concept is not None:
        return concept.code
    if uri.startswith(_EU_LICENCE):
        return uri.removeprefix(_EU_LICENCE).strip("/")
    return uri


def _lookup(vocabulary: str, value: str) -> Any:
    """Return the concept ``value`` names in a bundled vocabulary, or None.

    The vocabularies are optional here: if they cannot be loaded, codes fall back to
    the last part of the URI and labels are left empty.
    """
    try:
        from insyn.vocab import vocabularies
    except ImportError:  # pragma: no cover - the vocabularies are part of the package
        return None
    try:
        vocab = getattr(vocabularies, vocabulary)()
        return vocab.get(value) if "://" in value else vocab.lookup(value)
    except Exception:  # a broken vocabulary file must not stop indexing
        return None


def _record_date(record: Record) -> date | datetime | None:
    if isinstance(record, Document):
        return record.date
    if isinstance(record, Case):
        return record.opened
    return None


def _local(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=STOCKHOLM) if value.tzinfo is None else value
    return datetime(value.year, value.month, value.day, tzinfo=STOCKHOLM)


@lru_cache(maxsize=65_536)  # a catalogue repeats its dates (a harvest's, a day's)
def _iso(value: date | datetime | None) -> str | None:
    """Return the moment as ISO 8601 in UTC; a date is midnight in Stockholm."""
    if value is None:
        return None
    return _local(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _year(value: date | datetime | None) -> int | None:
    if value is None:
        return None
    return _local(value).astimezone(STOCKHOLM).year if isinstance(value, datetime) else value.year
