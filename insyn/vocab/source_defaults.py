"""What an administrator states for a whole source, for records that do not say it.

DCAT-AP-SE requires every dataset and data service to name a publisher, and every
publisher (and creator) to have a type from the ADMS publisher-type list. Many sources
leave one or both out. CKAN's harvester, and ckanext-dcat after it, fall back to the
harvest source's owning organisation; Insyn does the same, but only with what the
administrator has stated for the source (``publisher``, ``publisher_name``,
``publisher_type``, ``creator_type``), never with a guess. What is still missing after
that is reported on the run for each record, with the option that would say it.

Two things a source says are not exported as it says them, and the run warns of both:

- a publisher or creator typed with the EU corporate-body classification (ckanext-dcat
  does so) rather than the ADMS list DCAT-AP-SE requires: the catalogue keeps the value,
  and the export writes its ADMS type where the classification's concept names exactly
  one (``CORPORATE_BODY_AS_ADMS``: an EU institution, agency, body or one of their
  services is a supra-national authority). "International organisation" (``CB_INT``) may
  be an intergovernmental one or an international NGO, and "other organisation" anything:
  those stay untranslated until the administrator states the organisation's type
  (``insyn organisations type``);
- the HVD regulation as applicable legislation without an HVD category, which DCAT-AP and
  DCAT-AP-SE then require: the catalogue keeps the regulation and shows it to staff, the
  export leaves it out until a category is given (``exported_legislation``), and the
  quality score counts the record as not DCAT-AP compliant.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from insyn.errors import ConfigError
from insyn.vocab import vocabularies
from insyn.vocab.model import Agent, DataService, Dataset, Record

# Commission Implementing Regulation (EU) 2023/138, the list of high-value datasets.
HVD_LEGISLATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"

CORPORATE_BODY_CLASSIFICATION = (
    "http://publications.europa.eu/resource/authority/corporate-body-classification/"
)
_SUPRANATIONAL = vocabularies.ADMS_PUBLISHER_TYPE + "SupraNationalAuthority"
# The concepts of the EU corporate-body classification (version 20221214-0) that name one
# ADMS publisher type: the EU's institutions, agencies and bodies and their administrative
# units. Left out, since they name none: CB and CB_EU (too wide: EU political groups and
# joint undertakings are corporate bodies too), CB_INT (an intergovernmental organisation
# or an international NGO), CB_OTHER, NP (a national party), EU_JU (a public-private
# partnership), the European Parliament's political groups, intergroups and political
# bodies, and OP_DATPRO (provisional data).
CORPORATE_BODY_AS_ADMS: dict[str, str] = {
    code: _SUPRANATIONAL
    for code in (
        "EU_INST",
        "CONSIL_CFG",
        "EU_BODY",
        "EU_AGENCY",
        "AGENCY_DEC",
        "AGENCY_CFSP",
        "AGENCY_EURATOM",
        "AGENCY_EXEC",
        "AGENCY_OTHER",
        "EU_INTERINSTSERV",
        "DIR_GEN",
        "DIR",
        "SERV_DEP",
        "REPRES",
        "DEL",
        "EP_DIR_GEN",
        "COR_DIR",
    )
}


def adms_type(value: str | None) -> str | None:
    """The ADMS publisher type a stated agent type is, or translates to; None if none."""
    if not value:
        return None
    uri, known = vocabularies.normalise("publisher_types", value)
    if known:
        return uri
    iri = value.replace("https://", "http://", 1)
    if not iri.startswith(CORPORATE_BODY_CLASSIFICATION):
        return None
    return CORPORATE_BODY_AS_ADMS.get(iri.removeprefix(CORPORATE_BODY_CLASSIFICATION))


def exported_legislation(record: Dataset | DataService) -> list[str]:
    """The applicable legislation the export may state: the HVD regulation only with an
    HVD category, which DCAT-AP requires of a record that names it."""
    if record.hvd_category:
        return list(record.applicable_legislation)
    return [value for value in record.applicable_legislation if value != HVD_LEGISLATION]


def _agent_name(agent: Agent) -> str:
    return next(iter(agent.name.values()), None) or agent.uri or "utan namn"


@dataclass(frozen=True)
class SourceDefaults:
    """The source's publisher (for records that name none), the type of the publishers
    and that of the creators a record names without one."""

    publisher: Agent | None = None
    publisher_type: str | None = None
    creator_type: str | None = None

    @property
    def key(self) -> str:
        """What the defaults say, for the digest of a record: a changed option maps the
        source's records again."""
        publisher = self.publisher
        stated = f"type={self.publisher_type or ''}|creator_type={self.creator_type or ''}"
        if publisher is None:
            return stated
        return f"publisher={publisher.uri or ''}|{sorted(publisher.name.items())}|{stated}"

    def apply(self, record: Record) -> list[str]:
        """Fill in what the source left out and the administrator stated; return a warning
        for each mandatory publisher value that is still missing."""
        warnings: list[str] = []
        if record.publisher is None and self.publisher is not None:
            record.publisher = replace(self.publisher, name=dict(self.publisher.name))
        if record.publisher is not None and record.publisher.type is None:
            record.publisher.type = self.publisher_type
        creators = record.creator if isinstance(record, Dataset) else []
        for creator in creators:
            creator.type = creator.type or self.creator_type
        agents = [*([record.publisher] if record.publisher else []), *creators]
        if record.publisher is None:
            warnings.append(
                "dcterms:publisher saknas, som DCAT-AP-SE kräver: ange källans utgivare "
                "(--option publisher=ADRESS publisher_name=NAMN)"
            )
        untyped = [_agent_name(agent) for agent in agents if agent.type is None]
        if untyped:
            names = ", ".join(f"'{name}'" for name in untyped)
            warnings.append(
                f"Aktören {names} saknar dcterms:type (utgivartyp), som DCAT-AP-SE kräver: "
                "ange --option publisher_type=… (utgivare) eller creator_type=… "
                "(upphovsmän) för källan om alla dess aktörer av det slaget är lika, "
                "annars organisationens typ med 'insyn organisations type'"
            )
        warnings.extend(_foreign_types(agents))
        if isinstance(record, Dataset | DataService) and exported_legislation(record) != list(
            record.applicable_legislation
        ):
            warnings.append(
                "dcatap:applicableLegislation anger förordningen om värdefulla datamängder "
                f"({HVD_LEGISLATION}) men dcatap:hvdCategory saknas, som DCAT-AP då kräver: "
                "förordningen finns kvar i katalogen men exporteras inte förrän källan "
                "anger en kategori"
            )
        return warnings


def _foreign_types(agents: list[Agent]) -> list[str]:
    """A warning for each agent typed outside the ADMS list: translated or not."""
    warnings = []
    for agent in agents:
        if agent.type is None or vocabularies.normalise("publisher_types", agent.type)[1]:
            continue
        translated = adms_type(agent.type)
        if translated:
            warnings.append(
                f"Aktören '{_agent_name(agent)}': dcterms:type <{agent.type}> är ingen "
                f"ADMS-utgivartyp; exporteras som <{translated}> (katalogen behåller källans värde)"
            )
        else:
            warnings.append(
                f"Aktören '{_agent_name(agent)}': dcterms:type <{agent.type}> är ingen "
                "ADMS-utgivartyp och motsvarar ingen entydigt, som DCAT-AP-SE kräver: "
                "ange organisationens typ med 'insyn organisations type'"
            )
    return warnings


def publisher_type(value: str | None, option: str = "publisher_type") -> str | None:
    """An ADMS publisher type given by its IRI or code (``LocalAuthority``).

    Raises:
        ConfigError: the value is not in the ADMS publisher-type list.
    """
    if not value:
        return None
    uri, known = vocabularies.normalise("publisher_types", value)
    if not known:
        raise ConfigError(
            f"{option} '{value}' är ingen ADMS-utgivartyp, t.ex. "
            "LocalAuthority eller NationalAuthority"
        )
    return uri


def from_options(values: dict[str, object]) -> SourceDefaults:
    """The defaults of a source's typed options ``publisher``, ``publisher_name``,
    ``publisher_type`` and ``creator_type`` (any of them may be absent).

    Raises:
        ConfigError: a publisher name without an address or the other way round, an
            address that is no http(s) IRI, or an unknown publisher type.
    """
    uri = str(values.get("publisher") or "").strip() or None
    name = str(values.get("publisher_name") or "").strip() or None
    kind = publisher_type(str(values.get("publisher_type") or "").strip() or None)
    creator_kind = publisher_type(
        str(values.get("creator_type") or "").strip() or None, "creator_type"
    )
    if bool(uri) != bool(name):
        raise ConfigError(
            "publisher och publisher_name anges tillsammans: utgivarens adress (IRI) och namn"
        )
    if uri and not uri.startswith(("http://", "https://")):
        raise ConfigError(f"publisher ska vara en http(s)-adress (IRI), inte '{uri}'")
    # The name as the administrator wrote it, in no stated language.
    publisher = Agent(uri=uri, name={"": name}, type=kind) if uri and name else None
    return SourceDefaults(publisher=publisher, publisher_type=kind, creator_type=creator_kind)
