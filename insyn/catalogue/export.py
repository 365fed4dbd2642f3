"""The public part of the catalogue as DCAT-AP-SE: what ``insyn export`` and the feeds write.

Only live datasets and data services that the visibility rule does not hide are ever
read here (an internal description never; a non-public or restricted access right does
not hide: such data is described with its ``dct:accessRights``). ``published`` is the one
way from a stored row to what is published, for the export and the web feeds alike: the
record masked (``insyn.vocab.masking``), so one the visibility rule
(``insyn.vocab.visibility``) hides is skipped even if the store's query let it through;
its publisher completed from the organisation tree; and the ADMS types the administrator
stated (``organisations.StatedTypes``) given where the source gave none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from rdflib import Graph
from sqlalchemy import func, select

from insyn.catalogue.models import CatalogueRecord, ChangeLogEntry, Organisation
from insyn.catalogue.organisations import StatedTypes, stated_types
from insyn.catalogue.store import Catalogue
from insyn.vocab import source_defaults
from insyn.vocab.masking import public_of_data
from insyn.vocab.model import Agent, Catalog, Record
from insyn.vocab.profiles import dcat_write
from insyn.vocab.visibility import DCAT_KINDS

SWEDISH = "http://publications.europa.eu/resource/authority/language/SWE"
DATA_THEMES = "http://publications.europa.eu/resource/authority/data-theme"
# DCAT-AP-SE requires the catalogue's own metadata to be published under CC0.
METADATA_LICENCE = "http://creativecommons.org/publicdomain/zero/1.0/"


def organisation_agent(organisation: Organisation) -> Agent:
    name = {"sv": organisation.name_sv}
    if organisation.name_en:
        name["en"] = organisation.name_en
    return Agent(
        uri=organisation.uri,
        name=name,
        identifier=organisation.identifier,
        # What the sources say, unless that is no ADMS type and the administrator stated one.
        type=(
            organisation.org_type
            if source_defaults.adms_type(organisation.org_type)
            else organisation.stated_type or organisation.org_type
        ),
        homepage=organisation.homepage,
        email=organisation.email,
    )


def root_organisation(catalogue: Catalogue) -> Organisation | None:
    """The top of the organisation tree: the parentless organisation with most units."""
    with catalogue.session() as session:
        children = (
            select(Organisation.parent_id, func.count().label("units"))
            .where(Organisation.parent_id.is_not(None))
            .group_by(Organisation.parent_id)
            .subquery()
        )
        return session.scalar(
            select(Organisation)
            .outerjoin(children, children.c.parent_id == Organisation.id)
            .where(Organisation.parent_id.is_(None))
            .order_by(func.coalesce(children.c.units, 0).desc(), Organisation.id)
            .limit(1)
        )


def catalog_description(catalogue: Catalogue, catalog_uri: str, homepage: str) -> Catalog:
    """Insyn's own catalogue record: published by the top of the organisation tree."""
    root = root_organisation(catalogue)
    owner = root.name_sv if root else "kommunen"
    with catalogue.session() as session:
        modified = session.scalar(select(func.max(ChangeLogEntry.changed_at)))
    return Catalog(
        uri=catalog_uri,
        title={"sv": f"Datakatalog för {owner}", "en": f"Data catalogue of {owner}"},
        description={
            "sv": f"Beskrivningar av {owner}s offentliga datamängder och datatjänster, "
            "samlade av Insyn.",
            "en": f"Descriptions of the public datasets and data services of {owner}, "
            "collected by Insyn.",
        },
        publisher=organisation_agent(root) if root else None,
        homepage=homepage,
        language=[SWEDISH],
        license=METADATA_LICENCE,
        modified=modified.date() if modified else None,
        theme_taxonomy=[DATA_THEMES],
    )


def dataset_uri(base_url: str, record_id: str) -> str:
    return f"{base_url.rstrip('/')}/datasets/{record_id}"


def published(row: CatalogueRecord, stated: StatedTypes) -> Record | None:
    """Return the stored row as it is published, or None when the visibility rule hides it.

    Masked as the public sees it. A source may name its publisher by IRI only, and
    DCAT-AP-SE wants a name and a type, which the row's organisation (built from every
    source) usually knows. A publisher or creator still without an ADMS type gets the one
    the administrator stated for its organisation. ``row.publisher`` must be loaded.
    """
    record = public_of_data(row.data)
    if record is None:
        return None
    publisher, organisation = record.publisher, row.publisher
    if organisation is not None and (publisher is None or not publisher.name or not publisher.type):
        known = organisation_agent(organisation)
        if publisher is None or publisher.uri in (None, known.uri):
            record.publisher = replace(
                known,
                name=(publisher.name if publisher and publisher.name else known.name),
                type=(publisher.type if publisher and publisher.type else known.type),
                parent=publisher.parent if publisher else None,
            )
    stated.complete(record, row.publisher_id)
    return record


def public_records(catalogue: Catalogue, base_url: str) -> Iterator[tuple[Record, str]]:
    """Every public, live dataset and data service as published, with its fallback IRI."""
    with catalogue.session() as session:
        stated = stated_types(session)
    rows: Iterator[CatalogueRecord] = catalogue.iter_records(public_only=True, kinds=DCAT_KINDS)
    for row in rows:
        record = published(row, stated)
        if record is not None:
            yield record, dataset_uri(base_url, row.id)


def public_catalogue_graph(catalogue: Catalogue, catalog_uri: str, base_url: str) -> Graph:
    """The whole public catalogue as one rdflib graph (for export and validation)."""
    graph = dcat_write.new_graph()
    catalog = catalog_description(catalogue, catalog_uri, base_url)
    return dcat_write.write_catalogue(graph, catalog, public_records(catalogue, base_url))
