"""Insyn's records as CKAN packages and organizations (the shapes ``ckan.py`` answers with).

The dicts are written by ``insyn.vocab.profiles.ckan_write``; this module looks up what the
catalogue knows beside a record (its organisation, its page) and passes it in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insyn.catalogue.models import CatalogueRecord
from insyn.vocab.model import from_dict
from insyn.vocab.profiles import ckan_write
from insyn.web import present, queries

if TYPE_CHECKING:
    from insyn.web.state import WebState


def organization_dict(node: queries.OrganisationNode | None) -> Any:
    if node is None:
        return None
    organisation = node.organisation
    return ckan_write.organization_dict(
        node.slug, organisation.name_sv, organisation.uri, node.records
    )


def package_dict(
    state: WebState, row: CatalogueRecord, organisations: dict[int, queries.OrganisationNode]
) -> dict[str, Any]:
    """Return a record as a CKAN package."""
    organisation = organisations.get(row.publisher_id) if row.publisher_id else None
    return ckan_write.package_dict(
        from_dict(row.data),
        package_id=row.id,
        kind=row.kind,
        title=row.title,
        created=row.first_seen,
        modified=row.last_changed,
        organization=organization_dict(organisation),
        ckan_url=f"{state.base_url}/datasets/{row.id}",
        labels=present,
    )
