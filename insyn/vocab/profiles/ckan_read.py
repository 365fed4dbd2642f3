"""CKAN package (and organization) dicts → model: the read half of the CKAN profile.

``insyn.connectors.ckan`` reads them from a portal's Action API; ``ckan_write`` is the
other half.

===================================  ==================================================
package ``id``                       the key; ``uri`` is the ``uri`` extra (ckanext-dcat)
                                     or ``<portal>/dataset/<id>``
``title`` / ``title_translated``     ``title`` (a ``{"de": …, "fr": …}`` dict too:
                                     opendata.swiss, ckanext-fluent)
``notes`` / ``notes_translated`` /   ``description`` (the first that has text in any
``description``                      language)
``keywords``/``tags_translated``     ``keyword`` by language; else ``tags`` (untagged)
(``{"de": […], …}``), ``tags``
``groups``                           ``theme`` where a group names an EU data theme;
                                     the others → extras ``ckan:groups``
``theme`` (ckanext-dcat)             ``theme`` (unknown values kept, reported)
``license_url``/``license_id``       licence (``licences`` vocabulary, CKAN's own ids
                                     too) → each distribution's ``license``
``issued``/``modified`` (dcat),      ``issued``/``modified``
else ``metadata_created``/``_modified``
``url``                              ``landing_page`` (a value that is no URL → extras)
``contact`` (dcat), ``contact_points``  ``contact_point`` (name, e-mail, URI); a
(opendata.swiss), ``contact_point``,  ``name_translated`` gives the name per language
``contact_name``/``_email``/``_uri``,
``maintainer``/``author`` (+email;
a JSON list ``[{"name", "email"}]``
too)
``organization``; ``publisher``      ``publisher`` (Agent: title, id, the organisation's
(dcat, wins)                         page on the portal as URI)
``creator`` (dcat)                   ``creator``
``private: true``, ``state: draft``  not public (``NON_PUBLIC``), with a warning
``state: deleted``                   ``Deleted``
``access_rights`` (dcat)             ``governance.access_rights`` (unknown → RESTRICTED)
``identifier``, ``guid``             ``identifier``
``language``, ``frequency``,         ``language``, ``accrual_periodicity``, ``version``,
``version``, ``version_notes``,      ``version_notes``, ``provenance``, ``conforms_to``,
``provenance``, ``conforms_to``,     ``page``, ``applicable_legislation``,
``documentation``,                   ``hvd_category``
``applicable_legislation``,
``hvd_category``
``spatial_uri``, ``spatial_coverage``  ``spatial`` (the GeoJSON ``spatial`` → extras)
``temporal_start``/``_end``,         ``temporal``
``temporal_coverage``, ``temporals``
(``start_date``/``end_date``)
``relations`` (``url``), ``qualified   ``relation``
_relation`` (``relation``)
``extras``                           ``extras`` (every key, as given); a scheming field
                                     is read at the top level or in ``extras`` alike, and
                                     a JSON string (list or object) as its value
resource ``url``                     ``access_url`` (``access_url`` wins); also
                                     ``download_url`` for uploads (``download_url`` wins)
resource ``format``/``mimetype``     ``format`` (EU file type; from the URL's extension when
                                     empty), ``media_type``
resource ``name``/``title``,         ``title``/``description`` (``*_translated`` and
``description``, ``size``, ``hash``,  language dicts too), ``byte_size``,
``created``/``last_modified``,       ``checksum``, ``issued``/``modified``, ``license``,
``license``,                         ``language``, ``conforms_to``, ``availability``,
``language``, ``conforms_to``,       ``status``
``availability``, ``status``
===================================  ==================================================

Values that are odd (an unknown licence, a date that is no date) are kept and reported.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from insyn.vocab import access_rights, vocabularies
from insyn.vocab.model import (
    NON_PUBLIC,
    Agent,
    ContactPoint,
    Dataset,
    Distribution,
    Governance,
    LangText,
    PeriodOfTime,
)
from insyn.vocab.profiles.dcat_read import parse_date

# CKAN's own licence ids (ckan/model/license.py and the opendefinition list) → EU codes.
CKAN_LICENCES = {
    "cc-by": "CC_BY",
    "cc-by-sa": "CC_BYSA",
    "cc-zero": "CC0",
    "cc-nc": "CC_BYNC",
    "odc-by": "ODC_BY",
    "odc-odbl": "ODC_BL",
    "odc-pddl": "ODC_PDDL",
    "gfdl": "GNU_FDL",
    "cc-by-4.0": "CC_BY_4_0",
    "cc-by-sa-4.0": "CC_BYSA_4_0",
    "cc0-1.0": "CC0",
    "odc-by-1.0": "ODC_BY",
    "odbl-1.0": "ODC_BL",
    "ogl-uk-3.0": "OGL_3_0",
}
_PAGE_EXTENSIONS = frozenset({"", "htm", "html", "php", "asp", "aspx", "jsp"})
# ckanext-dcat fields that no property of ours holds, kept in extras when given.
_KEPT_FIELDS = (
    "dcat_type",
    "alternate_identifier",
    "is_referenced_by",
    "temporal_resolution",
    "spatial_resolution_in_meters",
    "spatial",
    "qualified_relation",
)


def organisation_agent(org: dict[str, Any], portal: str, language: str = "") -> Agent:
    """An organisation dict (organization_list or a package's) as an Agent."""
    name = org.get("name") or org.get("id")
    title = _lang_text(org.get("title_translated"), org.get("title") or org.get("display_name"))
    return Agent(
        uri=f"{portal}/organization/{name}" if name else None,
        name=_tag(title, language) or ({language: str(name)} if name else {}),
        identifier=org.get("id"),
    )


def _tag(text: LangText, language: str) -> LangText:
    """Move untagged text to ``language`` (when one is configured)."""
    if language and "" in text and language not in text:
        text = dict(text)
        text[language] = text.pop("")
    return text


def _lang_text(translated: Any, plain: Any) -> LangText:
    """A ``*_translated`` dict (ckanext-fluent) or a plain value as LangText."""
    if isinstance(translated, dict):
        result = {str(k): str(v).strip() for k, v in translated.items() if str(v or "").strip()}
        if result:
            return result
    if isinstance(plain, dict):
        return _lang_text(plain, None)
    text = str(plain or "").replace("\r\n", "\n").strip()
    return {"": text} if text else {}


def _is_url(value: Any) -> bool:
    parsed = urlparse(str(value or "").strip())
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _values(value: Any) -> list[Any]:
    """A field that may be a list, a JSON list in a string (extras), or one value."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [v for v in value if v not in (None, "")]
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        # Scheming extras and some portals' author fields hold JSON in a string.
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        if isinstance(parsed, dict):
            return [parsed]
        return _values(parsed) if isinstance(parsed, list) else [value]
    return [value]


# Fields whose JSON type the mapping relies on: lists of objects (tags may be strings).
_LISTS_OF_OBJECTS = ("resources", "extras", "groups")
_LISTS = ("tags", *_LISTS_OF_OBJECTS)
_OBJECTS = ("organization",)


def _shaped(package: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    """The package with every list a list of what it should hold and every object an
    object: a value of the wrong JSON type is dropped with a warning naming its field."""
    shaped = dict(package)
    for name in _LISTS:
        value = shaped.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            warnings.append(f"{name}: en lista väntades, inte {type(value).__name__}; utelämnas")
            del shaped[name]
            continue
        if name in _LISTS_OF_OBJECTS:
            kept = [item for item in value if isinstance(item, dict)]
            if len(kept) < len(value):
                warnings.append(
                    f"{name}: {len(value) - len(kept)} värden är inga objekt; utelämnas"
                )
            shaped[name] = kept
    for name in _OBJECTS:
        if shaped.get(name) is not None and not isinstance(shaped[name], dict):
            warnings.append(f"{name}: ett objekt väntades; utelämnas")
            del shaped[name]
    return shaped


class _Package:
    """One package dict, its extras, and the warnings and extras its mapping collects."""

    def __init__(self, package: dict[str, Any], language: str) -> None:
        self.package = package
        self.language = language
        self.extras: dict[str, str] = {}
        for extra in package.get("extras") or []:
            if isinstance(extra, dict) and extra.get("key"):
                self.extras[str(extra["key"])] = extra.get("value")
        self.warnings: list[str] = []
        self.kept: dict[str, list[str]] = {
            key: [value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)]
            for key, value in self.extras.items()
            if value not in (None, "")
        }

    def field(self, name: str) -> Any:
        """A ckanext-dcat value: a top-level (scheming) field, an extra, or a ``dcat_`` extra."""
        for value in (
            self.package.get(name),
            self.extras.get(name),
            self.extras.get("dcat_" + name),
        ):
            if value not in (None, "", []):
                return value
        return None

    def text(self, value: Any) -> LangText:
        return _tag(_lang_text(None, value), self.language)

    def keep(self, name: str, values: list[Any]) -> None:
        for value in values:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            self.kept.setdefault(name, []).append(text)

    def date(self, name: str, value: Any) -> date | datetime | None:
        if value in (None, ""):
            return None
        parsed = parse_date(str(value))
        if parsed is None:
            self.warnings.append(f"{name}: '{value}' är inget giltigt datum")
        return parsed

    def controlled(self, vocabulary: str, name: str, values: list[Any]) -> list[str]:
        result = []
        for value in values:
            uri, recognised = vocabularies.normalise(vocabulary, str(value))
            if not recognised:
                self.warnings.append(f"{name}: '{value}' finns inte i vokabulären {vocabulary}")
            if uri not in result:
                result.append(uri)
        return result


def _licence(pkg: _Package) -> str | None:
    package = pkg.package
    licence_id = str(package.get("license_id") or "").strip()
    candidates = [
        package.get("license_url"),
        CKAN_LICENCES.get(licence_id.lower()),
        licence_id,
        package.get("license_title"),
        pkg.field("license"),
    ]
    for candidate in candidates:
        if candidate and isinstance(candidate, str):
            uri, recognised = vocabularies.normalise("licences", candidate)
            if recognised:
                return uri
    raw = package.get("license_url") or licence_id or package.get("license_title")
    if raw:
        pkg.warnings.append(f"license: '{licence_id or raw}' finns inte i vokabulären licences")
        return str(raw)
    return None


def _themes(pkg: _Package) -> list[str]:
    themes: list[str] = []
    unmapped: list[str] = []
    for group in pkg.package.get("groups") or []:
        if not isinstance(group, dict):
            continue
        names = [group.get(k) for k in ("name", "title", "display_name") if group.get(k)]
        found = next((c for n in names if (c := vocabularies.data_themes().lookup(str(n)))), None)
        if found is None:
            unmapped.append(str(names[0]) if names else "?")
        elif found.uri not in themes:
            themes.append(found.uri)
    pkg.keep("ckan:groups", unmapped)
    for uri in pkg.controlled("data_themes", "theme", _values(pkg.field("theme"))):
        if uri not in themes:
            themes.append(uri)
    return themes


def _agent_fields(pkg: _Package, role: str) -> list[Agent]:
    """Agents of ckanext-dcat: a scheming list (``publisher``) or ``publisher_*`` extras."""
    agents = []
    for entry in _values(pkg.package.get(role)):
        if isinstance(entry, dict) and (entry.get("name") or entry.get("uri")):
            agents.append(
                Agent(
                    uri=entry.get("uri")
                    or (entry.get("identifier") if _is_url(entry.get("identifier")) else None),
                    name=pkg.text(entry.get("name")),
                    identifier=entry.get("identifier"),
                    type=entry.get("type") or None,
                    homepage=entry.get("url") or None,
                    email=entry.get("email") or None,
                )
            )
    name, uri = pkg.field(f"{role}_name"), pkg.field(f"{role}_uri")
    if not agents and (name or uri):
        agents.append(
            Agent(
                uri=uri,
                name=pkg.text(name),
                email=pkg.field(f"{role}_email"),
                homepage=pkg.field(f"{role}_url"),
                type=pkg.field(f"{role}_type"),
                identifier=pkg.field(f"{role}_identifier"),
            )
        )
    return agents


def _publisher(pkg: _Package, publishers: dict[str, Agent], portal: str) -> Agent | None:
    own = _agent_fields(pkg, "publisher")
    if own:
        return own[0]
    package = pkg.package
    org = package.get("organization")
    for key in (package.get("owner_org"), org.get("id") if isinstance(org, dict) else None):
        if key and str(key) in publishers:
            return publishers[str(key)]
    if isinstance(org, dict):
        return organisation_agent(org, portal, pkg.language)
    return None


def _email(value: Any) -> str | None:
    text = str(value or "").strip().removeprefix("mailto:")
    return text or None


def _contact(pkg: _Package, entry: dict[str, Any]) -> ContactPoint | None:
    """A contact dict (ckanext-dcat ``contact``, opendata.swiss ``contact_points``)."""
    name = _tag(_lang_text(entry.get("name_translated"), entry.get("name")), pkg.language)
    email = _email(entry.get("email") or entry.get("hasEmail"))
    uri = entry.get("uri") or None
    if not (name or email or uri):
        return None
    return ContactPoint(uri=uri, name=name, email=email, url=entry.get("url") or None)


def _people(pkg: _Package, role: str) -> list[ContactPoint]:
    """``maintainer``/``author`` with its e-mail: a name, or a JSON list of names and
    e-mail addresses in one string (``'[{"name": "…", "email": "…"}]'``)."""
    value, email = pkg.package.get(role), _email(pkg.package.get(f"{role}_email"))
    entries = [e for e in _values(value) if isinstance(e, dict)]
    if entries:
        found = [c for entry in entries if (c := _contact(pkg, entry))]
        if email and not any(c.email for c in found):
            found.append(ContactPoint(email=email))
        return found
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        pkg.warnings.append(f"{role}: '{value[:100]}' är ingen läsbar JSON-lista; sparad som namn")
    return [ContactPoint(name=pkg.text(value), email=email)] if (value or email) else []


def _contacts(pkg: _Package) -> list[ContactPoint]:
    contacts: list[ContactPoint] = []
    for name in ("contact", "contact_points", "contact_point"):
        for entry in _values(pkg.field(name)):
            if isinstance(entry, dict) and (contact := _contact(pkg, entry)):
                contacts.append(contact)
    if pkg.field("contact_name") or pkg.field("contact_email"):
        contacts.append(
            ContactPoint(
                uri=pkg.field("contact_uri"),
                name=pkg.text(pkg.field("contact_name")),
                email=_email(pkg.field("contact_email")),
            )
        )
    for role in ("maintainer", "author"):
        contacts.extend(_people(pkg, role))
    unique: list[ContactPoint] = []
    for contact in contacts:
        if all((c.name, c.email) != (contact.name, contact.email) for c in unique):
            unique.append(contact)
    return unique


def _temporal(pkg: _Package) -> list[PeriodOfTime]:
    periods = []
    for entry in _values(pkg.package.get("temporal_coverage")):
        if isinstance(entry, dict):
            periods.append(
                PeriodOfTime(
                    start=pkg.date("temporal_coverage", entry.get("start")),
                    end=pkg.date("temporal_coverage", entry.get("end")),
                )
            )
    for entry in _values(pkg.field("temporals")):
        if isinstance(entry, dict):
            periods.append(
                PeriodOfTime(
                    start=pkg.date("temporals", entry.get("start_date")),
                    end=pkg.date("temporals", entry.get("end_date")),
                )
            )
    start, end = pkg.field("temporal_start"), pkg.field("temporal_end")
    if not periods and (start or end):
        periods.append(
            PeriodOfTime(start=pkg.date("temporal_start", start), end=pkg.date("temporal_end", end))
        )
    return [p for p in periods if p.start or p.end]


def _spatial(pkg: _Package) -> list[str]:
    spatial: list[str] = []
    for entry in _values(pkg.package.get("spatial_coverage")):
        if isinstance(entry, dict) and (entry.get("uri") or entry.get("text")):
            spatial.append(str(entry.get("uri") or entry.get("text")))
    for name in ("spatial_uri", "spatial_text"):
        value = pkg.field(name)
        if value and str(value) not in spatial:
            spatial.append(str(value))
    return spatial


def _access_rights(pkg: _Package) -> Governance:
    package = pkg.package
    value = pkg.field("access_rights")
    values = value if isinstance(value, list) else [value]
    right = access_rights.resolve(str(v) for v in values if v not in (None, ""))
    access = right.code
    # An access right nobody can read is never treated as public (RESTRICTED), and kept.
    pkg.warnings.extend(right.warnings("access_rights"))
    if right.unknown or right.grounds:
        pkg.keep("access_rights", [v for v in right.values if v != right.code])
    if package.get("private") is True:
        access = NON_PUBLIC
        pkg.warnings.append("Datamängden är privat i CKAN; den visas inte publikt")
    if package.get("state") not in (None, "", "active"):
        access = NON_PUBLIC
        pkg.warnings.append(
            f"Datamängden har status '{package.get('state')}' i CKAN; den visas inte publikt"
        )
    return Governance(access_rights=access)


def _file_type(pkg: _Package, resource: dict[str, Any]) -> str | None:
    given = str(resource.get("format") or "").strip()
    for candidate in (given, resource.get("mimetype"), _extension(resource.get("url"))):
        if candidate:
            uri, recognised = vocabularies.normalise("file_types", str(candidate))
            if recognised:
                return uri
    if given:
        pkg.warnings.append(f"resources.format: '{given}' finns inte i vokabulären file_types")
        return given
    return None


def _extension(url: Any) -> str | None:
    name = urlparse(str(url or "")).path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return None if extension in _PAGE_EXTENSIONS else "." + extension


def _size(pkg: _Package, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e999 is infinite
        pkg.warnings.append(f"resources.size: '{str(value)[:100]}' är inget heltal")
        return None


def _distribution(
    pkg: _Package, resource: dict[str, Any], package_id: str, portal: str, licence: str | None
) -> Distribution:
    url = str(resource.get("url") or "").strip() or None
    resource_id = resource.get("id")
    resource_licence = resource.get("license")
    if resource_licence:
        resource_licence = pkg.controlled("licences", "resources.license", [resource_licence])[0]
    distribution = Distribution(
        uri=resource.get("uri")
        or (f"{portal}/dataset/{package_id}/resource/{resource_id}" if resource_id else None),
        title=_tag(
            _lang_text(
                resource.get("name_translated"), resource.get("name") or resource.get("title")
            ),
            pkg.language,
        ),
        description=_tag(
            _lang_text(resource.get("description_translated"), resource.get("description")),
            pkg.language,
        ),
        access_url=resource.get("access_url") or url,
        download_url=resource.get("download_url")
        or (url if resource.get("url_type") == "upload" else None),
        format=_file_type(pkg, resource),
        media_type=resource.get("mimetype") or resource.get("media_type") or None,
        license=resource_licence or licence,
        byte_size=_size(pkg, resource.get("size")),
        issued=pkg.date("resources.created", resource.get("issued") or resource.get("created")),
        modified=pkg.date(
            "resources.last_modified", resource.get("modified") or resource.get("last_modified")
        ),
        language=pkg.controlled(
            "languages", "resources.language", _values(resource.get("language"))
        ),
        conforms_to=[str(v) for v in _values(resource.get("conforms_to"))],
        availability=resource.get("availability") or None,
        status=resource.get("status") or None,
        checksum=resource.get("hash") or None,
    )
    if not distribution.access_url:
        pkg.warnings.append(f"Resursen {resource_id or resource.get('name')} saknar url")
    return distribution


def map_package(
    package: dict[str, Any],
    *,
    portal: str,
    publishers: dict[str, Agent] | None = None,
    language: str = "",
) -> tuple[Dataset, list[str]]:
    """Map one CKAN package dict to a ``Dataset``; return it with its warnings.

    ``portal`` is the portal's address (for URIs of datasets, resources and organisations);
    ``language`` tags untranslated text ("" leaves it untagged).
    """
    shape_warnings: list[str] = []
    package = _shaped(package, shape_warnings)
    pkg = _Package(package, language)
    pkg.warnings.extend(shape_warnings)
    package_id = str(package.get("id") or package.get("name") or "")
    title = _tag(_lang_text(package.get("title_translated"), package.get("title")), language)
    if not title:
        pkg.warnings.append("title saknas")
        title = pkg.text(package.get("name"))
    description: LangText = {}
    for translated, plain in (
        (package.get("notes_translated"), package.get("notes")),
        (package.get("description_translated"), pkg.field("description")),
    ):
        description = description or _tag(_lang_text(translated, plain), language)
    if not description:
        pkg.warnings.append("notes (beskrivning) saknas")
    landing_page = []
    if _is_url(package.get("url")):
        landing_page.append(str(package["url"]).strip())
    elif package.get("url"):
        pkg.warnings.append(f"url: '{package['url']}' är ingen webbadress; sparad under extras")
        pkg.keep("ckan:url", [package["url"]])
    licence = _licence(pkg)
    if licence and not _is_url(licence) and "://" not in licence:
        pkg.keep("ckan:license", [licence])
    identifiers = [str(v) for v in _values(pkg.field("identifier")) + _values(pkg.field("guid"))]
    frequency = pkg.controlled("frequencies", "frequency", _values(pkg.field("frequency")))
    for name in _KEPT_FIELDS:
        if name in package and package[name] not in (None, "", []):
            pkg.keep(name, _values(package[name]) if name != "spatial" else [package[name]])
    pkg.keep("ckan:name", [package["name"]] if package.get("name") else [])
    dataset = Dataset(
        uri=str(pkg.field("uri") or f"{portal}/dataset/{package_id}"),
        title=title,
        description=description,
        publisher=_publisher(pkg, publishers or {}, portal),
        contact_point=_contacts(pkg),
        keyword=_keywords(pkg),
        theme=_themes(pkg),
        issued=pkg.date("issued", pkg.field("issued") or package.get("metadata_created")),
        modified=pkg.date("modified", pkg.field("modified") or package.get("metadata_modified")),
        landing_page=landing_page,
        governance=_access_rights(pkg),
        identifier=list(dict.fromkeys(identifiers)),
        language=pkg.controlled("languages", "language", _languages(pkg.field("language"))),
        spatial=_spatial(pkg),
        temporal=_temporal(pkg),
        accrual_periodicity=frequency[0] if frequency else None,
        conforms_to=[str(v) for v in _values(pkg.field("conforms_to"))],
        creator=_agent_fields(pkg, "creator"),
        version=str(package.get("version") or "").strip() or None,
        version_notes=pkg.text(pkg.field("version_notes")),
        provenance=pkg.text(pkg.field("provenance")),
        relation=_relations(pkg),
        page=[str(v) for v in _values(pkg.field("documentation"))],
        hvd_category=[str(v) for v in _values(pkg.field("hvd_category"))],
        applicable_legislation=[str(v) for v in _values(pkg.field("applicable_legislation"))],
        distributions=[
            _distribution(pkg, resource, package_id, portal, licence)
            for resource in package.get("resources") or []
            if isinstance(resource, dict) and resource.get("state", "active") == "active"
        ],
    )
    dataset.extras = pkg.kept
    return dataset, pkg.warnings


def _keywords(pkg: _Package) -> dict[str, list[str]]:
    """Keywords per language (ckanext-fluent, opendata.swiss), else the untagged ``tags``."""
    result: dict[str, list[str]] = {}
    for name in ("keywords", "tags_translated", "keywords_translated"):
        value = pkg.field(name)
        parsed = _values(value) if isinstance(value, str) else [value]
        for entry in parsed:
            if not isinstance(entry, dict):
                continue
            for lang, words in entry.items():
                for word in _values(words):
                    _add_keyword(result, str(lang), word)
    if result:
        return result
    for tag in pkg.package.get("tags") or []:
        word = (tag.get("display_name") or tag.get("name")) if isinstance(tag, dict) else tag
        _add_keyword(result, pkg.language, word)
    return result


def _add_keyword(result: dict[str, list[str]], language: str, word: Any) -> None:
    text = str(word or "").strip()
    words = result.setdefault(language, [])
    if text and text not in words:
        words.append(text)
    if not words:
        del result[language]


def _relations(pkg: _Package) -> list[str]:
    """IRIs of related resources: ``relations`` (opendata.swiss), ``qualified_relation``."""
    found: list[str] = []
    for name, key in (("relations", "url"), ("qualified_relation", "relation")):
        for entry in _values(pkg.package.get(name)):
            value = entry.get(key) if isinstance(entry, dict) else entry
            if _is_url(value) and str(value).strip() not in found:
                found.append(str(value).strip())
            elif value and name == "relations":  # qualified_relation is kept whole already
                pkg.keep("ckan:relations", [entry])
    return found


def _languages(value: Any) -> list[str]:
    """Languages as a list, a JSON list or a comma-separated string ("en,es,ca")."""
    result = []
    for item in _values(value):
        result.extend(part.strip() for part in str(item).split(",") if part.strip())
    return result
