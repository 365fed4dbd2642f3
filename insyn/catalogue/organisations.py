"""What the administrator states of an organisation: its ADMS publisher type.

A source may name a publisher without a type, or with one outside the ADMS list that
DCAT-AP-SE requires, and a source-wide ``publisher_type`` cannot type a source whose
publishers are of different kinds. The administrator states the organisation's type once
(``insyn organisations type``); the export and the web feeds (``export.published``) give
it to every publisher and creator that names the organisation (by its IRI, or its name
where it has none) without an ADMS type, and so override nothing a source stated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from insyn.catalogue.models import Organisation
from insyn.catalogue.store import Catalogue
from insyn.errors import CatalogueError, NotFoundError
from insyn.vocab import source_defaults
from insyn.vocab.model import Agent, Dataset, Record


def state_type(catalogue: Catalogue, name_or_iri: str, value: str | None) -> Organisation:
    """Set (or, with None, clear) the stated ADMS type of the organisation with that IRI
    or name.

    Raises:
        ConfigError: the value is no ADMS publisher type.
        NotFoundError: no organisation has that IRI or name.
        CatalogueError: several organisations have that name (the IRI tells them apart).
    """
    uri = source_defaults.publisher_type(value, "typ") if value else None
    with catalogue.session() as session:
        found = list(
            session.scalars(
                select(Organisation).where(
                    or_(
                        Organisation.uri == name_or_iri,
                        Organisation.name_sv == name_or_iri,
                        Organisation.name_en == name_or_iri,
                    )
                )
            )
        )
        by_iri = [organisation for organisation in found if organisation.uri == name_or_iri]
        if by_iri:
            found = by_iri
        if not found:
            raise NotFoundError(f"Ingen organisation har adressen eller namnet '{name_or_iri}'")
        if len(found) > 1:
            iris = ", ".join(organisation.uri or f"id {organisation.id}" for organisation in found)
            raise CatalogueError(
                f"{len(found)} organisationer heter '{name_or_iri}': ange adressen ({iris})"
            )
        [organisation] = found
        organisation.stated_type = uri
        session.commit()
        session.refresh(organisation)
        session.expunge(organisation)
        return organisation


@dataclass
class StatedTypes:
    """The stated types of the catalogue's organisations, by id, IRI and name."""

    by_id: dict[int, str] = field(default_factory=dict)
    by_uri: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """What tells one set of stated types from another (for a feed's ETag: stating a
        type changes what is published but writes nothing to the change log)."""
        return repr(sorted(self.by_id.items()))

    def complete(self, record: Record, publisher_id: int | None) -> None:
        """Give the record's publisher and creators without an ADMS type the one stated
        for their organisation (the publisher's is the record's ``publisher_id``)."""
        if record.publisher is not None:
            self._complete(record.publisher, self.by_id.get(publisher_id or 0))
        for creator in record.creator if isinstance(record, Dataset) else []:
            self._complete(creator, None)

    def _complete(self, agent: Agent, stated: str | None) -> None:
        if source_defaults.adms_type(agent.type) is not None:
            return
        names = [self.by_name[name] for name in agent.name.values() if name in self.by_name]
        stated = stated or self.by_uri.get(agent.uri or "") or next(iter(names), None)
        if stated:
            agent.type = stated


def stated_types(session: Session) -> StatedTypes:
    types = StatedTypes()
    rows = session.execute(
        select(
            Organisation.id, Organisation.uri, Organisation.name_sv, Organisation.stated_type
        ).where(Organisation.stated_type.is_not(None))
    )
    for id_, uri, name, stated in rows:
        types.by_id[id_] = stated
        if uri:
            types.by_uri[uri] = stated
        else:
            # A name identifies an organisation only where it has no IRI of its own.
            types.by_name[name] = stated
    return types
