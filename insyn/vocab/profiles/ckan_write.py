"""Model → CKAN package and organization dicts: the write half of the CKAN profile.

The shapes CKAN's Action API answers with (``package_show``, ``organization_show``):
distributions become resources, the publisher the organization, and DCAT properties
extras under ckanext-dcat's key names (lists as JSON strings, as ckanext-dcat keeps them).
``ckan_read`` is the other half.

What the catalogue knows beside the record (its id, kind, when it was first seen and last
changed, its organisation) comes in as plain values; display labels of controlled values
come from the caller's ``Labels``, so the API shows what the web pages show.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from insyn.vocab.model import DataService, Dataset, Record, text_in


class Labels(Protocol):
    """How controlled values read: a concept's label and code, a format as people know it."""

    def label(self, vocabulary: str, value: str | None, lang: str = "sv") -> str: ...

    def code(self, vocabulary: str, value: str | None) -> str: ...

    def format_label(self, value: str | None) -> str: ...

    def media_type_label(self, value: str | None) -> str: ...


def _ckan_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def organization_dict(slug: str, title: str, uri: str | None, package_count: int) -> dict[str, Any]:
    """An organisation as a CKAN organization; ``slug`` is its id and name."""
    return {
        "id": slug,
        "name": slug,
        "title": title,
        "display_name": title,
        "description": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "package_count": package_count,
        "extras": [{"key": "uri", "value": uri or ""}],
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
    record: Record,
    *,
    package_id: str,
    kind: str,
    title: str,
    created: datetime | None,
    modified: datetime | None,
    organization: dict[str, Any] | None,
    ckan_url: str,
    labels: Labels,
) -> dict[str, Any]:
    """A record as a CKAN package.

    ``package_id`` is its id and name, ``kind`` its record kind, ``title`` the title to use
    when the record has none, ``created``/``modified`` when the catalogue first saw it and
    last saw it change, ``organization`` its publisher's ``organization_dict`` (or None) and
    ``ckan_url`` its page.
    """
    distributions = getattr(record, "distributions", [])
    licences = [d.license for d in distributions if d.license]
    licence = licences[0] if licences else getattr(record, "license", None)
    keywords = list(dict.fromkeys(k for words in record.keyword.values() for k in words))
    contact = record.contact_point[0] if record.contact_point else None
    resources = []
    for position, dist in enumerate(distributions):
        fmt = labels.format_label(dist.format or dist.media_type)
        resources.append(
            {
                "id": f"{package_id}-{position}",
                "package_id": package_id,
                "name": text_in(dist.title) or fmt or f"Distribution {position + 1}",
                "description": text_in(dist.description),
                "format": fmt,
                "url": dist.download_url or dist.access_url or "",
                "access_url": dist.access_url,
                "download_url": dist.download_url,
                "uri": dist.uri,
                "mimetype": labels.media_type_label(dist.media_type) or None,
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
        "id": package_id,
        "name": package_id,
        "title": text_in(record.title) or title,
        "notes": text_in(record.description),
        "url": record.landing_page[0] if record.landing_page else "",
        "type": "dataset" if kind == "dataset" else kind,
        "state": "active",
        "private": False,
        "metadata_created": _ckan_time(created),
        "metadata_modified": _ckan_time(modified),
        "author": None,
        "author_email": None,
        "maintainer": text_in(contact.name) if contact else None,
        "maintainer_email": contact.email if contact else None,
        "license_id": labels.code("licences", licence) if licence else None,
        "license_title": labels.label("licences", licence) if licence else None,
        "license_url": licence,
        "version": getattr(record, "version", None),
        "owner_org": organization["name"] if organization else None,
        "organization": organization,
        "tags": [
            {"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": None}
            for k in keywords
        ],
        "num_tags": len(keywords),
        "groups": [
            {
                "id": labels.code("data_themes", t).lower(),
                "name": labels.code("data_themes", t).lower(),
                "title": labels.label("data_themes", t),
                "display_name": labels.label("data_themes", t),
            }
            for t in record.theme
        ],
        "resources": resources,
        "num_resources": len(resources),
        "extras": _extras(record),
        "ckan_url": ckan_url,
    }
