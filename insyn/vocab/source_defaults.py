"""What an administrator states for a whole source, for records that do not say it.

DCAT-AP-SE requires every dataset and data service to name a publisher, and every
publisher (and creator) to have a type from the ADMS publisher-type list. Many sources
leave one or both out. CKAN's harvester, and ckanext-dcat after it, fall back to the
harvest source's owning organisation; Insyn does the same, but only with what the
administrator has stated for the source (``publisher``, ``publisher_name``,
``publisher_type``), never with a guess. What is still missing after that is reported on
the run for each record, with the option that would say it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from insyn.errors import ConfigError
from insyn.vocab import vocabularies
from insyn.vocab.model import Agent, Dataset, Record


@dataclass(frozen=True)
class SourceDefaults:
    """The source's publisher (for records that name none) and publisher type (for the
    organisations a record names without one)."""

    publisher: Agent | None = None
    publisher_type: str | None = None

    @property
    def key(self) -> str:
        """What the defaults say, for the digest of a record: a changed option maps the
        source's records again."""
        publisher = self.publisher
        if publisher is None:
            return f"type={self.publisher_type or ''}"
        return f"publisher={publisher.uri or ''}|{sorted(publisher.name.items())}|" + (
            f"type={self.publisher_type or ''}"
        )

    def apply(self, record: Record) -> list[str]:
        """Fill in what the source left out and the administrator stated; return a warning
        for each mandatory publisher value that is still missing."""
        warnings: list[str] = []
        if record.publisher is None and self.publisher is not None:
            record.publisher = replace(self.publisher, name=dict(self.publisher.name))
        agents = [record.publisher] if record.publisher is not None else []
        if isinstance(record, Dataset):
            agents += record.creator
        for agent in agents:
            if agent.type is None and self.publisher_type:
                agent.type = self.publisher_type
        if record.publisher is None:
            warnings.append(
                "dcterms:publisher saknas, som DCAT-AP-SE kräver: ange källans utgivare "
                "(--option publisher=ADRESS publisher_name=NAMN)"
            )
        for agent in agents:
            if agent.type is None:
                name = next(iter(agent.name.values()), None) or agent.uri or "utan namn"
                warnings.append(
                    f"Aktören '{name}' saknar dcterms:type (utgivartyp), som DCAT-AP-SE kräver: "
                    "ange --option publisher_type=… för källan om alla dess aktörer är av "
                    "samma slag"
                )
        return warnings


def publisher_type(value: str | None) -> str | None:
    """An ADMS publisher type given by its IRI or code (``LocalAuthority``).

    Raises:
        ConfigError: the value is not in the ADMS publisher-type list.
    """
    if not value:
        return None
    uri, known = vocabularies.normalise("publisher_types", value)
    if not known:
        raise ConfigError(
            f"publisher_type '{value}' är ingen ADMS-utgivartyp, t.ex. "
            "LocalAuthority eller NationalAuthority"
        )
    return uri


def from_options(values: dict[str, object]) -> SourceDefaults:
    """The defaults of a source's typed options ``publisher``, ``publisher_name`` and
    ``publisher_type`` (any of them may be absent).

    Raises:
        ConfigError: a publisher name without an address or the other way round, an
            address that is no http(s) IRI, or an unknown publisher type.
    """
    uri = str(values.get("publisher") or "").strip() or None
    name = str(values.get("publisher_name") or "").strip() or None
    kind = publisher_type(str(values.get("publisher_type") or "").strip() or None)
    if bool(uri) != bool(name):
        raise ConfigError(
            "publisher och publisher_name anges tillsammans: utgivarens adress (IRI) och namn"
        )
    if uri and not uri.startswith(("http://", "https://")):
        raise ConfigError(f"publisher ska vara en http(s)-adress (IRI), inte '{uri}'")
    # The name as the administrator wrote it, in no stated language.
    publisher = Agent(uri=uri, name={"": name}, type=kind) if uri and name else None
    return SourceDefaults(publisher=publisher, publisher_type=kind)
