"""Access rights: one table from what sources write to the EU access-right codes.

Every connector and profile that reads an access right reads it here. ``TABLE`` maps a
source value to the EU access-right IRI Insyn stores:

- the EU access-right IRIs themselves, http or https, any case, with or without a
  trailing slash (the DCAT-AP 2.x/3.x and DCAT-AP-SE form);
- INSPIRE's LimitationsOnPublicAccess codes (GeoDCAT-AP, ISO 19139): ``noLimitations`` is
  PUBLIC; the Article 13(1) grounds are NON_PUBLIC, except 1e (intellectual property:
  data under licence or for a fee), which is RESTRICTED. The ground is kept
  (``AccessRight.grounds``) so that it can be shown;
- the OpenAIRE ``info:eu-repo/semantics/*Access`` terms of OAI-PMH repositories;
- words, as DCAT-AP 1.x literals, labelled ``dct:RightsStatement`` s, CKAN fields and
  diarium columns write them, in Swedish and English (DIGG's labels among them).

``resolve`` reads all the values a record gives and returns the MOST RESTRICTIVE
(PUBLIC < RESTRICTED < NON_PUBLIC < SENSITIVE < CONFIDENTIAL): RESTRICTED with PUBLIC is
RESTRICTED. A value the table does not know (a rights statement without a label, an IRI
that merely ends in ``/public``, the EU code NORMAL, which says nothing of openness) is
kept, reported (``AccessRight.unknown``, ``AccessRight.warnings``) and read as
RESTRICTED: never public by accident. No value at all keeps the model's default,
``Governance.access_rights`` (openness: PUBLIC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from insyn.vocab.model import ACCESS_RIGHTS_BASE, NON_PUBLIC, PUBLIC, RESTRICTED, Governance

__all__ = [
    "CONFIDENTIAL",
    "GROUNDS",
    "INSPIRE_LIMITATIONS",
    "SENSITIVE",
    "TABLE",
    "UNLABELLED_STATEMENT",
    "AccessRight",
    "lookup",
    "resolve",
]

# The bundled EU list (data/vocabularies/access-right-sparql-result.ttl) also has these;
# DCAT-AP-SE offers only PUBLIC, RESTRICTED and NON_PUBLIC, so they are kept as given.
SENSITIVE = ACCESS_RIGHTS_BASE + "SENSITIVE"
CONFIDENTIAL = ACCESS_RIGHTS_BASE + "CONFIDENTIAL"
INSPIRE_LIMITATIONS = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"
# What a profile passes for a dct:RightsStatement that has no label: nothing to read.
UNLABELLED_STATEMENT = "dct:RightsStatement utan etikett"

_RANK = {PUBLIC: 0, RESTRICTED: 1, NON_PUBLIC: 2, SENSITIVE: 3, CONFIDENTIAL: 4}
_DEFAULT = Governance().access_rights

# INSPIRE Directive 2007/2/EC Article 13(1), as the INSPIRE registry's code list
# http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess names them (no
# copy of the registry file is bundled; the codes are listed here by hand).
GROUNDS: dict[str, tuple[str, str]] = {
    "INSPIRE_Directive_Article13_1a": (
        NON_PUBLIC,
        "myndigheters förfaranden är sekretessbelagda (INSPIRE art. 13.1 a)",
    ),
    "INSPIRE_Directive_Article13_1b": (
        NON_PUBLIC,
        "internationella förbindelser, allmän säkerhet eller försvar (INSPIRE art. 13.1 b)",
    ),
    "INSPIRE_Directive_Article13_1c": (
        NON_PUBLIC,
        "rättskipning och rättvis rättegång (INSPIRE art. 13.1 c)",
    ),
    "INSPIRE_Directive_Article13_1d": (
        NON_PUBLIC,
        "sekretess för affärs- eller industriuppgifter (INSPIRE art. 13.1 d)",
    ),
    "INSPIRE_Directive_Article13_1e": (
        RESTRICTED,
        "immateriella rättigheter (INSPIRE art. 13.1 e)",
    ),
    "INSPIRE_Directive_Article13_1f": (
        NON_PUBLIC,
        "sekretess för personuppgifter (INSPIRE art. 13.1 f)",
    ),
    "INSPIRE_Directive_Article13_1g": (
        NON_PUBLIC,
        "intressen hos den som frivilligt lämnat uppgifterna (INSPIRE art. 13.1 g)",
    ),
    "INSPIRE_Directive_Article13_1h": (
        NON_PUBLIC,
        "skydd av den miljö uppgifterna avser (INSPIRE art. 13.1 h)",
    ),
}

_WORDS: dict[str, tuple[str, ...]] = {
    PUBLIC: (
        # DCAT-AP-SE (DIGG's label "Publik") and the word of offentlighetsprincipen
        "publik",
        "offentlig",
        "öppen",
        "öppna",
        "öppna data",
        "öppen data",
        "fritt tillgänglig",
        "public",
        "open",
        "open access",
        "open data",
        "unrestricted",
        # INSPIRE noLimitations, as GeoNetwork and geodata.se label it
        "noLimitations",
        "inga begränsningar",
        "ingen begränsning",
        "inga begränsningar för allmänhetens tillgång",
        "no limitations",
        "no limitations to public access",
        "info:eu-repo/semantics/openAccess",
    ),
    RESTRICTED: (
        "begränsad",
        "begränsad åtkomst",
        "restricted",
        "restricted access",
        "embargoed",
        "info:eu-repo/semantics/restrictedAccess",
        "info:eu-repo/semantics/embargoedAccess",
    ),
    NON_PUBLIC: (
        # DCAT-AP-SE (DIGG's label "Ej offentlig") and how Swedish sources write it
        "ej offentlig",
        "icke-offentlig",
        "icke offentlig",
        "inte offentlig",
        "sekretess",
        "sekretessbelagd",
        "sekretessmarkerad",
        "hemlig",
        "intern",
        "non-public",
        "non public",
        "nonpublic",
        "not public",
        "closed",
        "confidential",
        "secret",
        "internal",
        "info:eu-repo/semantics/closedAccess",
    ),
    SENSITIVE: ("sensitive", "känslig"),
}


def _key(value: str) -> str:
    """The form a value is looked up by: one case, one scheme, no trailing slash or dot."""
    key = " ".join(value.split()).casefold().rstrip("/.")
    return "http://" + key.removeprefix("https://") if key.startswith("https://") else key


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in (PUBLIC, RESTRICTED, NON_PUBLIC, SENSITIVE, CONFIDENTIAL):
        name = code.removeprefix(ACCESS_RIGHTS_BASE)
        table[_key(code)] = code
        table[_key(name)] = code  # the bare code, as CKAN fields give it
    table[_key(ACCESS_RIGHTS_BASE + "NON-PUBLIC")] = NON_PUBLIC
    table[_key(INSPIRE_LIMITATIONS + "noLimitations")] = PUBLIC
    for ground, (code, _text) in GROUNDS.items():
        table[_key(INSPIRE_LIMITATIONS + ground)] = code
        table[_key(ground)] = code
    for code, words in _WORDS.items():
        table.update((_key(word), code) for word in words)
    return table


TABLE: dict[str, str] = _table()
_GROUND_KEYS = {
    _key(form): ground for ground in GROUNDS for form in (ground, INSPIRE_LIMITATIONS + ground)
}


def lookup(value: str) -> str | None:
    """Return the EU access-right IRI ``value`` names, or None when the table lacks it."""
    return TABLE.get(_key(value))


@dataclass
class AccessRight:
    """What a record's access-right values amount to.

    ``code`` is the EU access-right IRI to store; ``values`` every value given, as given;
    ``unknown`` those the table does not know (each read as RESTRICTED); ``grounds`` the
    INSPIRE Article 13 codes given (why access is limited, see ``GROUNDS``).
    """

    code: str
    values: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    grounds: list[str] = field(default_factory=list)

    @property
    def stated(self) -> bool:
        """Whether the source gave any value (else ``code`` is the model's default)."""
        return bool(self.values)

    def warnings(self, where: str) -> list[str]:
        """One Swedish run warning per unknown value; ``where`` names the field read."""
        return [
            f"{where}: '{value}' känns inte igen som åtkomsträttighet; "
            "posten behandlas som begränsad (RESTRICTED)"
            for value in self.unknown
        ]

    def ground_texts(self) -> list[str]:
        """The grounds in Swedish, for display."""
        return [GROUNDS[ground][1] for ground in self.grounds]


def resolve(values: Iterable[str | None]) -> AccessRight:
    """Return the most restrictive reading of all ``values`` (empty ones are skipped).

    No value at all gives the model's default (PUBLIC); an unknown value counts as
    RESTRICTED and is listed in ``unknown``.
    """
    given = [value.strip() for value in values if value and value.strip()]
    result = AccessRight(code=_DEFAULT, values=given)
    codes = []
    for value in given:
        code = lookup(value)
        if code is None:
            result.unknown.append(value)
            code = RESTRICTED
        ground = _GROUND_KEYS.get(_key(value))
        if ground and ground not in result.grounds:
            result.grounds.append(ground)
        codes.append(code)
    if codes:
        result.code = max(codes, key=_RANK.__getitem__)
    return result
