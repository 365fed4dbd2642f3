"""How values are shown to people: Swedish labels, Stockholm dates, safe links, snippets.

Shared by the HTML pages, the JSON API and the CKAN API, so a theme or a date reads the
same everywhere.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from insyn.followup.report import MONTH_NAMES  # pages and the report name months alike
from insyn.vocab import vocabularies
from insyn.vocab.model import text_in

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KIND_LABELS = {
    "dataset": "Datamängd",
    "dataservice": "Datatjänst",
    "case": "Ärende",
    "document": "Handling",
}
KIND_DEFINITE = {
    "dataset": "datamängden",
    "dataservice": "datatjänsten",
    "case": "ärendet",
    "document": "handlingen",
}
KIND_PLURALS = {
    "dataset": "Datamängder",
    "dataservice": "Datatjänster",
    "case": "Ärenden",
    "document": "Handlingar",
}
FACET_TITLES = {
    "theme": "Kategori",
    "publisher": "Utgivare",
    "owner": "Informationsägare",
    "format": "Format",
    "access_rights": "Åtkomst",
    "licence": "Licens",
    "kind": "Typ",
    "year": "År",
}
# Consequence levels of the K/R/T classification (KLASSA's scale).
LEVELS = {0: "försumbar", 1: "måttlig", 2: "betydande", 3: "allvarlig"}
SAFE_SCHEMES = ("http", "https", "mailto", "ftp", "ftps")
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


# --- dates ------------------------------------------------------------------------------


def in_stockholm(value: datetime) -> datetime:
    """Return a moment in Stockholm time; naive values (SQLite) are taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(STOCKHOLM)


def parse_moment(value: Any) -> date | datetime | None:
    if value is None or isinstance(value, (date, datetime)):
        return value
    text = str(value)
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        return date.fromisoformat(text)
    except ValueError:
        return None


def swedish_date(value: Any) -> str:
    """Return '23 november 2026' (a moment is first moved to Stockholm time)."""
    moment = parse_moment(value)
    if moment is None:
        return str(value or "")
    if isinstance(moment, datetime):
        moment = in_stockholm(moment)
    return f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}"


def swedish_datetime(value: Any) -> str:
    """Return '23 november 2026 kl. 14.05' in Stockholm time (dates without a time)."""
    moment = parse_moment(value)
    if not isinstance(moment, datetime):
        return swedish_date(value)
    local = in_stockholm(moment)
    return f"{swedish_date(local)} kl. {local:%H.%M}"


def iso_moment(value: datetime | None) -> str | None:
    """Return an aware ISO 8601 timestamp in Stockholm time (for JSON and Atom)."""
    return in_stockholm(value).isoformat() if value else None


# --- vocabulary labels ------------------------------------------------------------------


def _concept(vocabulary: str, value: str | None) -> vocabularies.Concept | None:
    if not value:
        return None
    try:
        vocab = vocabularies.by_name(vocabulary)
    except Exception:  # a broken vocabulary file must not break a page
        return None
    return vocab.get(value) if "://" in value else vocab.lookup(value)


def label(vocabulary: str, value: str | None, lang: str = "sv") -> str:
    """Return the display label of a controlled value, else the value as given."""
    concept = _concept(vocabulary, value)
    if concept is not None:
        return concept.label(lang)
    return value or ""


def code(vocabulary: str, value: str | None) -> str:
    concept = _concept(vocabulary, value)
    return concept.code if concept else (value or "")


def format_label(value: str | None) -> str:
    """Return a file format as people know it: 'CSV', 'GeoJSON', else the value given."""
    concept = _concept("file_types", value)
    if concept is not None:
        return concept.code.replace("_", " ")
    return media_type_label(value)


def media_type_label(value: str | None) -> str:
    return (value or "").removeprefix(IANA_MEDIA_TYPES)


def facet_label(name: str, value: Any) -> str:
    """Return how a facet value reads: theme codes and access rights get Swedish labels."""
    text = str(value)
    if name == "theme":
        return label("data_themes", text)
    if name == "access_rights":
        return label("access_rights", text)
    if name == "licence":
        return label("licences", text)
    if name == "kind":
        return KIND_LABELS.get(text, text)
    if name == "format":
        return text.replace("_", " ")
    return text


# What a non-public access right means for someone who wants the data, in plain Swedish.
ACCESS_NOTES = {
    "NON_PUBLIC": "Data är inte offentliga",
    "RESTRICTED": "Begränsad åtkomst",
}
ACCESS_REQUEST = (
    "Beskrivningen är offentlig, men data lämnas inte ut fritt. Du kan begära ut uppgifterna "
    "som allmän handling; myndigheten prövar då om de kan lämnas ut, helt eller delvis."
)


def access_note(value: str | None) -> str:
    """Return the plain-Swedish note for an access right that is not public ("" when it
    is public or not stated). ``value`` is a URI or a code; an unknown value reads as
    restricted, as the access-rights table reads it."""
    if not value:
        return ""
    found = code("access_rights", value)
    if found == "PUBLIC":
        return ""
    return ACCESS_NOTES.get(found, ACCESS_NOTES["RESTRICTED"])


def level_text(value: int | None) -> str:
    if value is None:
        return "Ej angiven"
    return f"{value} – {LEVELS.get(value, 'okänd nivå')}"


def yes_no(value: bool | None) -> str:
    return "Ej angivet" if value is None else ("Ja" if value else "Nej")


def byte_size(value: int | None) -> str:
    if value is None:
        return ""
    size = float(value)
    for unit in ("byte", "kB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            text = f"{size:.0f}" if unit == "byte" else f"{size:.1f}".replace(".", ",")
            return f"{text} {unit}"
        size /= 1000
    return str(value)


def text(value: dict[str, str] | None, lang: str = "sv") -> str:
    return text_in(value, lang)


# --- links and snippets -----------------------------------------------------------------


def safe_url(value: str | None) -> str | None:
    """Return ``value`` if it is a link people may follow (http(s), mailto, ftp), else None.

    Harvested data is untrusted: ``javascript:`` and other schemes never become links.
    """
    if not value:
        return None
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return None
    return value.strip() if scheme in SAFE_SCHEMES else None


_MARK = re.compile(r"(</?mark>)")


def safe_snippet(snippet: str | None) -> Markup:
    """Return a backend snippet as markup in which only ``<mark>`` tags survive.

    The backend escapes everything but its marks; this re-escapes whatever is not a mark
    anyway, so a misbehaving engine cannot inject markup into a page.
    """
    if not snippet:
        return Markup("")
    # The common case, found without splitting: no character that escaping would change
    # outside the marks, so every part is already what escaping would make of it.
    marks = snippet.count("<mark>") + snippet.count("</mark>")
    if (
        "&" not in snippet
        and '"' not in snippet
        and "'" not in snippet
        and snippet.count("<") == marks
        and snippet.count(">") == marks
    ):
        return Markup(snippet)
    out = []
    for part in _MARK.split(snippet):
        if part in ("<mark>", "</mark>"):
            out.append(part)
        else:
            out.append(str(escape(html.unescape(part))))
    return Markup("".join(out))


def plain_snippet(snippet: str | None) -> str:
    """Return a snippet without its marks, as text."""
    return html.unescape(_MARK.sub("", snippet or ""))
