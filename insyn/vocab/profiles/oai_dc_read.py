"""OAI-PMH Dublin Core (``oai_dc:dc``) → model: a ``Dataset`` per record.

``insyn.connectors.oaipmh`` lists the records and reads their headers; the key and
``uri`` are the OAI identifier, passed in with the record's sets.

=============  ===========================================================================
dc:title       ``title`` (per xml:lang; further titles → extras ``dc:title``)
dc:creator     ``creator`` (Agent per distinct name)
dc:publisher   ``publisher`` (Agent; further publishers → extras)
dc:subject     ``keyword`` (per language, duplicates dropped)
dc:description ``description`` (several in one language are joined as paragraphs)
dc:date        earliest → ``issued``, latest (if another) → ``modified``; others → extras
dc:type        extras ``dc:type``
dc:format      a known file type (media type, name) → ``Distribution.format``/``media_type``;
               anything else (extent, "2 hyllmeter") → extras ``dc:format``, reported
dc:identifier  all → ``identifier``; an http(s) URL to a file → a ``Distribution``
               (access and download URL, format from the extension), other URLs →
               ``landing_page``
dc:language    ``language`` (EU language URIs; "swe", "sv", "sv-SE" …)
dc:rights      licence (``licences`` vocabulary) → each distribution's ``license``;
               access right (a value of ``vocab.access_rights``' table: EU code, INSPIRE
               code, info:eu-repo/semantics/…Access, words; or a sentence of secrecy such
               as "26 kap. 1 § OSL") → ``governance``; the most restrictive one wins;
               other statements → extras ``dc:rights``
dc:relation    an IRI (http(s), urn:, oai:, info: …; doi: as https://doi.org/…) → ``relation``
               (dct:relation); a text that names no IRI → extras ``dc:relation``
dc:source      likewise → ``source`` (dct:source takes an IRI only) or extras ``dc:source``
dc:coverage    a year, date or period ("2015/2019") → ``temporal``; else → ``spatial``
               (an IRI, or a place name, exported as a dct:Location with its label)
dc:contributor extras ``dc:contributor``
setSpec        extras ``oai:setSpec``
=============  ===========================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from lxml import etree

from insyn.vocab import access_rights, vocabularies
from insyn.vocab.model import (
    NON_PUBLIC,
    Agent,
    Dataset,
    Distribution,
    Governance,
    LangText,
    PeriodOfTime,
)
from insyn.vocab.profiles.dcat_read import parse_date

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DC_ELEMENTS = (
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
)

_ISO_639_2 = {
    "swe": "sv",
    "eng": "en",
    "fin": "fi",
    "dan": "da",
    "nor": "no",
    "nob": "nb",
    "nno": "nn",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "sme": "se",
    "smi": "se",
}
_PAGE_EXTENSIONS = frozenset({"", "htm", "html", "xhtml", "php", "asp", "aspx", "jsp", "cgi"})
_SECRECY_WORDS = re.compile(
    r"sekretess|hemlig|ej offentlig|icke offentlig|skyddad identitet|\bOSL\b", re.IGNORECASE
)
_PROVISION = re.compile(
    r"\d+\s*kap\.?\s*\d+\s*[a-z]?\s*§(?:\s*\d+\s*st\.?)?"
    r"(?:\s*(?:OSL|offentlighets-\s*och\s*sekretesslagen(?:\s*\(2009:400\))?))?",
    re.IGNORECASE,
)
# An absolute IRI: a scheme, a colon and no white space ("oai:…", "urn:…", "https://…").
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
_DAY = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_PERIOD = re.compile(rf"^\s*({_DAY})\s*(?:/|–|—|--?|\s-\s)\s*({_DAY})?\s*$")


def language_tag(value: str | None) -> str:
    """A text's language as the model keys it: "sv", "en" …; "" when not given."""
    if not value:
        return ""
    primary = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return _ISO_639_2.get(primary, primary)


def _text(element: etree._Element) -> str:
    """The element's text, lines stripped; a blank line stays a paragraph break."""
    raw = "".join(element.itertext())
    paragraphs = re.split(r"\n\s*\n", raw)
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _is_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _file_type_of_url(url: str) -> str | None:
    """The EU file type a URL's extension names, None for pages and unknown extensions."""
    name = urlparse(url).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in _PAGE_EXTENSIONS:
        return None
    concept = vocabularies.file_types().lookup("." + extension)
    return concept.uri if concept else None


def _period_end(text: str) -> date | None:
    """The last day a year ("2019"), month ("2019-05") or date stands for."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    if len(parts) == 2:
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(*parts)


def _period(value: str) -> PeriodOfTime | None:
    """A year, month, date or period ("2015/2019", "1998–2005") as a period, else None."""
    match = _PERIOD.match(value)
    if match is None:
        match = re.fullmatch(rf"\s*({_DAY})\s*", value)
        if match is None:
            return None
        first, last = match.group(1), match.group(1)
    else:
        first, last = match.group(1), match.group(2)
    try:
        start = parse_date(first)
        end = _period_end(last) if last else None
    except ValueError:
        return None
    return PeriodOfTime(start=start, end=end) if start is not None else None


@dataclass
class _Fields:
    """The oai_dc elements of one record: (text, language) in document order."""

    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def texts(self, name: str) -> list[str]:
        seen: list[str] = []
        for text, _lang in self.values.get(name, []):
            if text not in seen:
                seen.append(text)
        return seen

    def by_language(self, name: str) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for text, lang in self.values.get(name, []):
            texts = result.setdefault(lang, [])
            if text not in texts:
                texts.append(text)
        return result


def _read_fields(dc: etree._Element, language: str, warnings: list[str]) -> _Fields:
    fields = _Fields()
    stray = " ".join((dc.text or "").split())
    for child in dc:
        stray = " ".join([stray, *(child.tail or "").split()]).strip()
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        name = etree.QName(child).localname
        if not child.tag.startswith(f"{{{DC}}}") or name not in DC_ELEMENTS:
            warnings.append(f"oai_dc: okänt element <{child.tag}> hoppades över")
            continue
        text = _text(child)
        if text:
            lang = language_tag(child.get(XML_LANG)) or language
            fields.values.setdefault(name, []).append((text, lang))
    if stray:
        warnings.append(f"oai_dc: lös text utanför elementen hoppades över: '{stray[:80]}'")
    return fields


def _lang_text(by_language: dict[str, list[str]], join: str | None) -> tuple[LangText, list[str]]:
    """One text per language (the first, or all joined); the rest returned apart."""
    result: LangText = {}
    rest: list[str] = []
    for lang, texts in by_language.items():
        if join is not None:
            result[lang] = join.join(texts)
        else:
            result[lang] = texts[0]
            rest.extend(texts[1:])
    return result, rest


def _agents(fields: _Fields, name: str) -> list[Agent]:
    agents: list[Agent] = []
    seen: set[str] = set()
    for text, lang in fields.values.get(name, []):
        if text.casefold() not in seen:
            seen.add(text.casefold())
            agents.append(Agent(name={lang: text}))
    return agents


def _dates(fields: _Fields, warnings: list[str], extras: dict[str, list[str]]) -> dict[str, Any]:
    parsed: list[tuple[str, date | datetime]] = []
    for text in fields.texts("date"):
        value = parse_date(text)
        if value is None:
            warnings.append(f"dc:date: '{text}' är inget giltigt datum; sparat under extras")
            extras.setdefault("dc:date", []).append(text)
        else:
            parsed.append((text, value))

    def order(item: tuple[str, date | datetime]) -> tuple[str, str]:
        return (item[1].isoformat()[:10], item[1].isoformat())

    parsed.sort(key=order)
    if not parsed:
        return {}
    result: dict[str, Any] = {"issued": parsed[0][1]}
    if len(parsed) > 1:
        result["modified"] = parsed[-1][1]
        if len(parsed) > 2:
            extras.setdefault("dc:date", []).extend(text for text, _ in parsed[1:-1])
    return result


def _governance(
    fields: _Fields, warnings: list[str], extras: dict[str, list[str]]
) -> tuple[Governance, str | None]:
    """Access rights and secrecy from dc:rights; the licence, if one is named, returned apart."""
    stated: list[str] = []
    provision: str | None = None
    licence: str | None = None
    for text in fields.texts("rights"):
        uri, recognised = vocabularies.normalise("licences", text)
        if recognised and licence is None:
            licence = uri
            continue
        # dc:rights mixes access with copyright: only what the access-rights table knows,
        # or a sentence of secrecy, is an access statement; the rest goes to extras.
        if access_rights.lookup(text):
            stated.append(text)
        elif _SECRECY_WORDS.search(text) or _PROVISION.search(text):
            stated.append(NON_PUBLIC)
            if provision is None and (match := _PROVISION.search(text)):
                provision = " ".join(match.group(0).split())
        else:
            extras.setdefault("dc:rights", []).append(text)
    # The most restrictive statement wins: never show what one statement closes.
    access = access_rights.resolve(stated).code
    governance = Governance(access_rights=access, secrecy_provision=provision)
    if not governance.is_public and not provision:
        warnings.append(
            "Data är inte offentliga, men posten anger ingen sekretessbestämmelse (dc:rights): "
            "beskrivningen visas omaskerad för alla"
        )
    return governance, licence


def _identifiers_and_formats(
    fields: _Fields, licence: str | None, warnings: list[str], extras: dict[str, list[str]]
) -> dict[str, Any]:
    identifiers = fields.texts("identifier")
    landing_pages: list[str] = []
    distributions: list[Distribution] = []
    for value in identifiers:
        if not _is_url(value):
            continue
        file_type = _file_type_of_url(value)
        if file_type is None:
            landing_pages.append(value)
        else:
            distributions.append(
                Distribution(access_url=value, download_url=value, format=file_type)
            )
    formats: list[tuple[str, str | None]] = []  # (file-type URI, media type if given as one)
    for text in fields.texts("format"):
        uri, recognised = vocabularies.normalise("file_types", text)
        if recognised:
            formats.append((uri, text.strip().lower() if "/" in text else None))
        else:
            warnings.append(f"dc:format: '{text}' är ingen känd filtyp; sparat under extras")
            extras.setdefault("dc:format", []).append(text)
    for file_type, media_type in formats:
        matching = [d for d in distributions if d.format == file_type]
        for distribution in matching:
            distribution.media_type = distribution.media_type or media_type
        if not matching:
            # The format of the resource the landing page gives access to.
            distributions.append(
                Distribution(
                    access_url=landing_pages[0] if landing_pages else None,
                    format=file_type,
                    media_type=media_type,
                )
            )
    for distribution in distributions:
        distribution.license = licence
        if not distribution.access_url:
            warnings.append("Distributionen saknar åtkomstadress (ingen URL i dc:identifier)")
    if licence and not distributions:
        extras.setdefault("licence", []).append(licence)
    return {
        "identifier": identifiers,
        "landing_page": landing_pages,
        "distributions": distributions,
    }


def _links(fields: _Fields, name: str, extras: dict[str, list[str]]) -> list[str]:
    """The IRIs among dc:relation or dc:source; texts naming none are kept in extras."""
    found: list[str] = []
    for text in fields.texts(name):
        value = text.strip()
        if value.lower().startswith("doi:"):
            value = "https://doi.org/" + value[4:].strip()
        if _IRI.match(value):
            if value not in found:
                found.append(value)
        else:
            extras.setdefault(f"dc:{name}", []).append(text)
    return found


def _coverage(fields: _Fields) -> dict[str, Any]:
    temporal: list[PeriodOfTime] = []
    spatial: list[str] = []
    for text in fields.texts("coverage"):
        period = _period(text)
        if period is not None:
            temporal.append(period)
        else:
            spatial.append(text)
    return {"temporal": temporal, "spatial": spatial}


def _languages(fields: _Fields, warnings: list[str]) -> list[str]:
    result: list[str] = []
    for text in fields.texts("language"):
        uri, recognised = vocabularies.normalise("languages", text)
        if not recognised:
            warnings.append(f"dc:language: '{text}' finns inte i vokabulären languages")
        if uri not in result:
            result.append(uri)
    return result


def map_oai_dc(
    dc: etree._Element, *, identifier: str, sets: list[str], language: str = ""
) -> tuple[Dataset, list[str]]:
    """Map one ``oai_dc:dc`` element to a ``Dataset``; return it with its warnings.

    ``identifier`` and ``sets`` are the record header's identifier and setSpecs.
    ``language`` tags text that has no xml:lang ("" leaves it untagged). Odd values are
    kept (in ``extras`` when no property holds them) and reported.
    """
    warnings: list[str] = []
    extras: dict[str, list[str]] = {}
    fields = _read_fields(dc, language, warnings)
    title, more_titles = _lang_text(fields.by_language("title"), join=None)
    description, _ = _lang_text(fields.by_language("description"), join="\n\n")
    publishers = _agents(fields, "publisher")
    governance, licence = _governance(fields, warnings, extras)
    keyword = {
        lang: words for lang, words in sorted(fields.by_language("subject").items()) if words
    }
    for name, values in (
        ("dc:title", more_titles),
        ("dc:publisher", [next(iter(a.name.values())) for a in publishers[1:]]),
        ("dc:type", fields.texts("type")),
        ("dc:contributor", fields.texts("contributor")),
        ("oai:setSpec", sets),
    ):
        if values:
            extras.setdefault(name, []).extend(values)
    dataset = Dataset(
        uri=identifier,
        title=title,
        description=description,
        publisher=publishers[0] if publishers else None,
        keyword=keyword,
        governance=governance,
        creator=_agents(fields, "creator"),
        language=_languages(fields, warnings),
        relation=_links(fields, "relation", extras),
        source=_links(fields, "source", extras),
        **_dates(fields, warnings, extras),
        **_identifiers_and_formats(fields, licence, warnings, extras),
        **_coverage(fields),
    )
    if not dataset.title:
        warnings.append("dc:title saknas")
    if not dataset.description:
        warnings.append("dc:description saknas")
    dataset.extras = extras
    return dataset, warnings
