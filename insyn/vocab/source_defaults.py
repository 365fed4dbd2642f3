"""What an administrator states for a whole source, for records that do not say it.

DCAT-AP-SE requires every dataset and data service to name a publisher, and every
publisher (and creator) to have a type from the ADMS publisher-type list. Many sources
leave one or both out. CKAN's harvester, and ckanext-dcat after it, fall back to the
harvest source's owning organisation; Insyn does the same, but only with what the
administrator has stated for the source (``publisher``, ``publisher_name``,
``publisher_type``, ``creator_type``), never with a guess. What is still missing after
that is reported on the run for each record, with the option that would say it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from insyn.errors import ConfigError
from insyn.vocab import vocabularies
from insyn.vocab.model import Agent, Dataset, Record


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
        untyped = [
            next(iter(agent.name.values()), None) or agent.uri or "utan namn"
            for agent in agents
            if agent.type is None
        ]
        if untyped:
            names = ", ".join(f"'{name}'" for name in untyped)
            warnings.append(
                f"Aktören {names} saknar dcterms:type (utgivartyp), som DCAT-AP-SE kräver: "
                "ange --option publisher_type=… (utgivare) eller creator_type=… "
                "(upphovsmän) för källan om alla dess aktörer av det slaget är lika"
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
