"""Insyn's records as CKAN packages and organizations (the shapes ``ckan.py`` answers with).

Distributions become resources, the publisher the organization, and DCAT properties
extras under ckanext-dcat's key names (lists as JSON strings, as ckanext-dcat keeps them).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from insyn.catalogue.models import CatalogueRecord
from insyn.vocab.model import DataService, Dataset, Record, from_dict, text_in
from insyn.web import present, queries

if TYPE_CHECKING:
    from insyn.web.state import WebState


def _ckan_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def organization_dict(node: queries.OrganisationNode | None, slug: str | None = None) -> Any:
    if node is None:
        return None
    organisation = node.organisation
    return {
        "id": node.slug,
        "name": node.slug,
        "title": organisation.name_sv,
        "display_name": organisation.name_sv,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "package_count": node.records,
        "extras": [{"key": "uri", "value": organisation.uri or ""}],
    }


def _extras(record: Record) -> list[dict[str, str]]:
    extras: dict[str, Any] = {
        "uri": record.uri,
        "issued": _iso(record.issued),
        "modified": _iso(record.modified),
        "theme": json.dumps(record.theme) if record.theme else None,
        "access_rights": record.governance.access_rights,
        "publisher_uri": record.publisher.uri if record.publisher else None,
        "publisher_name": text_in(record.publisher.name) if record.publisher else None,
        "contact_name": text_in(record.contact_point[0].name) if record.contact_point else None,
        "contact_email": record.contact_point[0].email if record.contact_point else None,
    }
    if isinstance(record, Dataset):
        extras.update(
            identifier=record.identifier[0] if record.identifier else None,
            language=json.dumps(record.language) if record.language else None,
            frequency=record.accrual_periodicity,
            spatial_uri=record.spatial[0] if record.spatial else None,
            temporal_start=_iso(record.temporal[0].start) if record.temporal else None,
            temporal_end=_iso(record.temporal[0].end) if record.temporal else None,
            conforms_to=json.dumps(record.conforms_to) if record.conforms_to else None,
        )
    elif isinstance(record, DataService):
        extras.update(
            endpoint_url=json.dumps(record.endpoint_url) if record.endpoint_url else None,
            serves_dataset=json.dumps(record.serves_dataset) if record.serves_dataset else None,
        )
    return [{"key": k, "value": str(v)} for k, v in sorted(extras.items()) if v]


def package_dict(
    state: WebState, row: CatalogueRecord, organisations: dict[int, queries.OrganisationNode]
) -> dict[str, Any]:
    """Return a record as a CKAN package."""
    record = from_dict(row.data)
    distributions = getattr(record, "distributions", [])
    licences = [d.license for d in distributions if d.license]
    licence = licences[0] if licences else getattr(record, "license", None)
    keywords = list(dict.fromkeys(k for words in record.keyword.values() for k in words))
    organisation = organisations.get(row.publisher_id) if row.publisher_id else None
    contact = record.contact_point[0] if record.contact_point else None
    resources = []
    for position, dist in enumerate(distributions):
        fmt = present.format_label(dist.format or dist.media_type)
        resources.append(
            {
                "id": f"{row.id}-{position}",
                "package_id": row.id,
                "name": text_in(dist.title) or fmt or f"Distribution {position + 1}",
                "description": text_in(dist.description),
                "format": fmt,
                "url": dist.download_url or dist.access_url or "",
                "access_url": dist.access_url,
                "download_url": dist.download_url,
                "uri": dist.uri,
                "mimetype": present.media_type_label(dist.media_type) or None,
                "size": dist.byte_size,
                "license": dist.license,
                "created": _iso(dist.issued),
                "last_modified": _iso(dist.modified),
                "position": position,
                "state": "active",
                "url_type": None,
                "resource_type": None,
            }
        )
    return {
        "id": row.id,
        "name": row.id,
        "title": text_in(record.title) or row.title,
        "notes": text_in(record.description),
        "url": record.landing_page[0] if record.landing_page else "",
        "type": "dataset" if row.kind == "dataset" else row.kind,
        "state": "active",
        "private": False,
        "metadata_created": _ckan_time(row.first_seen),
        "metadata_modified": _ckan_time(row.last_changed),
        "author": None,
        "author_email": None,
        "maintainer": text_in(contact.name) if contact else None,
        "maintainer_email": contact.email if contact else None,
        "license_id": present.code("licences", licence) if licence else None,
        "license_title": present.label("licences", licence) if licence else None,
        "license_url": licence,
        "version": getattr(record, "version", None),
        "owner_org": organisation.slug if organisation else None,
        "organization": organization_dict(organisation),
        "tags": [
            {"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": None}
            for k in keywords
        ],
        "num_tags": len(keywords),
        "groups": [
            {
                "id": present.code("data_themes", t).lower(),
                "name": present.code("data_themes", t).lower(),
                "title": present.label("data_themes", t),
                "display_name": present.label("data_themes", t),
            }
            for t in record.theme
        ],
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(record),
        "ckan_url": f"{state.base_url}/datasets/{row.id}",
    }
