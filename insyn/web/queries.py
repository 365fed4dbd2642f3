"""Reads of the catalogue store for the web, always through ``access.visible_clause``
(the visibility rule of ``insyn.vocab.visibility`` in SQL).

Lookups of one record put the visibility condition in the same SQL query as the id, so
a non-public record and a missing one cost the same and answer the same (404). Lists
are read a page at a time, so memory stays flat however big the catalogue is.

Every record read here for a principal who does not see non-public records comes back
masked (``public_rows``: ``insyn.vocab.masking``): its ``data`` and ``title`` are the
public form, so no page, feed or API built on these reads can show what is masked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select
from sqlalchemy.orm import selectinload

from insyn.catalogue.models import (
    CatalogueRecord,
    ChangeLogEntry,
    HarvestRun,
    Organisation,
    RecordAlias,
)
from insyn.catalogue.store import Catalogue
from insyn.vocab import masking
from insyn.vocab.diarienummer import normalise_diarienummer
from insyn.vocab.visibility import DCAT_KINDS, DIARIUM_KINDS
from insyn.web.access import Principal, visible_clause
from insyn.web.errors import RecordMoved, not_found

_LOADED = (
    selectinload(CatalogueRecord.source),
    selectinload(CatalogueRecord.publisher),
    selectinload(CatalogueRecord.owner),
    selectinload(CatalogueRecord.distributions),
)


def public_rows(principal: Principal, rows: Iterable[CatalogueRecord]) -> list[CatalogueRecord]:
    """Return the rows as ``principal`` may see them: masked for the public, hidden dropped.

    The rows must be detached (read in a closed session): their ``data`` and ``title``
    are replaced in memory, never written back.
    """
    out = list(rows)
    if principal.sees_non_public:
        return out
    shown = []
    for row in out:
        data = masking.public_data(row.data) if row.deleted_at is None else None
        if data is None:
            continue
        row.data = data
        row.title = masking.mask_personnummer(masking.text_in(data.get("title") or {}) or row.title)
        row.source_key = masking.mask_personnummer(row.source_key)
        shown.append(row)
    return shown


def visible(catalogue: Catalogue, principal: Principal) -> ColumnElement[bool]:
    """The SQL condition for what ``principal`` may see (``access.visible_clause``)."""
    return visible_clause(principal)


def find_record(
    catalogue: Catalogue,
    principal: Principal,
    key: str,
    *,
    kinds: Sequence[str] | None = None,
) -> CatalogueRecord:
    """Return the record with Insyn id or URI ``key`` if ``principal`` may see it.

    Raises:
        RecordMoved: ``key`` is an id the record once had (a visible record only).
        ApiError: 404, the same whether the record is missing, non-public or deleted.
    """
    if not key or len(key) > 1000:
        raise not_found()
    query = select(CatalogueRecord).options(*_LOADED).where(visible(catalogue, principal))
    if kinds:
        query = query.where(CatalogueRecord.kind.in_(kinds))
    with catalogue.session() as session:
        row = session.scalar(
            query.where(or_(CatalogueRecord.id == key, CatalogueRecord.uri == key))
            # The Insyn id first, then the most recently changed record with that URI.
            .order_by((CatalogueRecord.id == key).desc(), CatalogueRecord.last_changed.desc())
            .limit(1)
        )
        if row is None:
            target = session.scalar(select(RecordAlias.record_id).where(RecordAlias.id == key))
            moved = target and session.scalar(query.where(CatalogueRecord.id == target))
            if moved and public_rows(principal, [moved]):
                raise RecordMoved(key, moved.id)
    shown = public_rows(principal, [row] if row is not None else [])
    if not shown:
        raise not_found()
    return shown[0]


def visible_ids(catalogue: Catalogue, principal: Principal, ids: Iterable[str]) -> set[str]:
    """Return the ids among ``ids`` that ``principal`` may see (guards a lagging index)."""
    wanted = list(ids)
    if not wanted:
        return set()
    # By primary key, with the rule as a column: as a condition beside the ids, SQLite
    # chose the (kind, description_visibility) index and tested every public record
    # (0.44 s a search at 100,000 records); whole rows cost a JSON decoding each.
    statement = _VISIBLE_IDS.get(principal.sees_non_public)
    if statement is None:  # built once per kind of viewer: the rule is fixed
        statement = select(CatalogueRecord.id, visible_clause(principal)).where(
            CatalogueRecord.id.in_(bindparam("ids", expanding=True))
        )
        _VISIBLE_IDS[principal.sees_non_public] = statement
    with catalogue.session() as session:
        rows = session.execute(statement, {"ids": wanted})
        return {record_id for record_id, shown in rows if shown}


# visible_ids' statement, by whether the viewer sees non-public records.
_VISIBLE_IDS: dict[bool, Select[tuple[str, bool]]] = {}


def ids_for_uris(catalogue: Catalogue, principal: Principal, uris: Iterable[str]) -> dict[str, str]:
    """Return URI → Insyn id for the visible records among ``uris``."""
    wanted = [u for u in dict.fromkeys(uris) if u]
    if not wanted:
        return {}
    with catalogue.session() as session:
        rows = session.execute(
            select(CatalogueRecord.uri, CatalogueRecord.id)
            .where(CatalogueRecord.uri.in_(wanted), visible(catalogue, principal))
            .order_by(CatalogueRecord.last_changed)
        )
        return {uri: record_id for uri, record_id in rows}


def count_visible(
    catalogue: Catalogue, principal: Principal, kinds: Sequence[str] = DCAT_KINDS
) -> int:
    with catalogue.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(CatalogueRecord)
                .where(visible(catalogue, principal), CatalogueRecord.kind.in_(kinds))
            )
            or 0
        )


def count_diarium(catalogue: Catalogue, principal: Principal) -> int:
    """Return how many cases and documents ``principal`` sees, each counted once however
    many sources hold a copy: copies share kind, diarienummer and document number (the
    desk's grouping, ``registrar.grouped``); one without a diarienummer counts alone."""
    number = CatalogueRecord.data["document_number"].as_string()
    keys = (
        select(
            CatalogueRecord.kind,
            func.coalesce(CatalogueRecord.diarienummer, CatalogueRecord.id),
            func.coalesce(number, ""),
        )
        .where(visible(catalogue, principal), CatalogueRecord.kind.in_(DIARIUM_KINDS))
        .distinct()
        .subquery()
    )
    with catalogue.session() as session:
        return session.scalar(select(func.count()).select_from(keys)) or 0


def page_of_records(
    catalogue: Catalogue,
    principal: Principal,
    *,
    offset: int,
    limit: int,
    kinds: Sequence[str] = DCAT_KINDS,
) -> list[CatalogueRecord]:
    """Return visible records ``offset`` … ``offset + limit`` in id order (one page)."""
    condition = (visible(catalogue, principal), CatalogueRecord.kind.in_(kinds))
    with catalogue.session() as session:
        # Find the page's first id on the id index alone, then read the page from there.
        first = session.scalar(
            select(CatalogueRecord.id)
            .where(*condition)
            .order_by(CatalogueRecord.id)
            .offset(offset)
            .limit(1)
        )
        if first is None:
            return []
        rows = list(
            session.scalars(
                select(CatalogueRecord)
                .options(selectinload(CatalogueRecord.publisher))
                .where(*condition, CatalogueRecord.id >= first)
                .order_by(CatalogueRecord.id)
                .limit(limit)
            )
        )
    return public_rows(principal, rows)


def page_of_ids(
    catalogue: Catalogue,
    principal: Principal,
    *,
    offset: int,
    limit: int,
    kinds: Sequence[str] = DCAT_KINDS,
) -> list[str]:
    with catalogue.session() as session:
        return list(
            session.scalars(
                select(CatalogueRecord.id)
                .where(visible(catalogue, principal), CatalogueRecord.kind.in_(kinds))
                .order_by(CatalogueRecord.id)
                .offset(offset)
                .limit(limit)
            )
        )


def recent_records(
    catalogue: Catalogue, principal: Principal, limit: int, kinds: Sequence[str] = DCAT_KINDS
) -> list[CatalogueRecord]:
    """Return the most recently added or changed visible records, newest first."""
    with catalogue.session() as session:
        rows = list(
            session.scalars(
                select(CatalogueRecord)
                .options(selectinload(CatalogueRecord.publisher))
                .where(visible(catalogue, principal), CatalogueRecord.kind.in_(kinds))
                .order_by(CatalogueRecord.last_changed.desc(), CatalogueRecord.id)
                .limit(limit)
            )
        )
    return public_rows(principal, rows)


def _diarienummer_forms(*written: str | None) -> list[str]:
    """Return the forms a diarienummer is stored in: as written and canonical."""
    forms = [w.strip() for w in written if w and w.strip()]
    forms += [n for n in map(normalise_diarienummer, forms) if n]
    return list(dict.fromkeys(forms))


def _document_order(row: CatalogueRecord) -> tuple[int, str, str]:
    number = str(row.data.get("document_number") or "")
    return (int(number) if number.isdigit() else 10**9, number, str(row.data.get("date") or ""))


def case_documents(
    catalogue: Catalogue, principal: Principal, *diarienummer: str | None, limit: int = 500
) -> list[CatalogueRecord]:
    """Return the visible documents of the case with ``diarienummer`` (any of its forms),
    as ``principal`` may see them (masked for the public), in document number order."""
    forms = _diarienummer_forms(*diarienummer)
    if not forms:
        return []
    with catalogue.session() as session:
        rows = list(
            session.scalars(
                select(CatalogueRecord)
                .options(selectinload(CatalogueRecord.source))
                .where(
                    visible(catalogue, principal),
                    CatalogueRecord.kind == "document",
                    CatalogueRecord.diarienummer.in_(forms),
                )
                .limit(limit)
            )
        )
    return sorted(public_rows(principal, rows), key=_document_order)


def case_of_document(
    catalogue: Catalogue, principal: Principal, document: CatalogueRecord
) -> CatalogueRecord | None:
    """Return the visible case a document belongs to (its own source's first), or None."""
    forms = _diarienummer_forms(document.diarienummer, document.data.get("case_diarienummer"))
    if not forms:
        return None
    with catalogue.session() as session:
        row = session.scalar(
            select(CatalogueRecord)
            .where(
                visible(catalogue, principal),
                CatalogueRecord.kind == "case",
                CatalogueRecord.diarienummer.in_(forms),
            )
            .order_by(
                (CatalogueRecord.source_id == document.source_id).desc(),
                CatalogueRecord.last_changed.desc(),
            )
            .limit(1)
        )
    shown = public_rows(principal, [row] if row is not None else [])
    return shown[0] if shown else None


@dataclass(frozen=True)
class CatalogueVersion:
    """What changes whenever the catalogue does: for ETags and Last-Modified."""

    seq: int
    changed_at: datetime | None


def catalogue_version(catalogue: Catalogue) -> CatalogueVersion:
    with catalogue.session() as session:
        seq, changed_at = session.execute(
            select(func.max(ChangeLogEntry.seq), func.max(ChangeLogEntry.changed_at))
        ).one()
    return CatalogueVersion(seq or 0, changed_at)


def last_harvest(catalogue: Catalogue, source_id: int) -> HarvestRun | None:
    return catalogue.last_completed_run(source_id)


# --- organisations -------------------------------------------------------------------


@dataclass
class OrganisationNode:
    """An organisation with its slug, visible record count and units (children)."""

    organisation: Organisation
    slug: str
    records: int
    children: list[OrganisationNode]

    @property
    def total_records(self) -> int:
        return self.records + sum(child.total_records for child in self.children)


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:80]


def organisation_slugs(organisations: Sequence[Organisation]) -> dict[int, str]:
    """Return a stable, unique, URL-safe name per organisation (CKAN's ``name``).

    The last part of the organisation's URI when it is a readable slug, else its Swedish
    name slugified; clashes get the id appended.
    """
    wanted: dict[int, str] = {}
    for organisation in sorted(organisations, key=lambda o: o.id):
        tail = (organisation.uri or "").rstrip("/").rsplit("/", 1)[-1]
        slug = slugify(tail) if tail and re.fullmatch(r"[\w.-]{2,80}", tail) else ""
        wanted[organisation.id] = slug or slugify(organisation.name_sv) or "org"
    counts: dict[str, int] = {}
    for slug in wanted.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {
        org_id: slug if counts[slug] == 1 else f"{slug}-{org_id}" for org_id, slug in wanted.items()
    }


def record_counts(catalogue: Catalogue, principal: Principal) -> dict[int, int]:
    """Return publisher id → number of visible records it publishes."""
    with catalogue.session() as session:
        rows = session.execute(
            select(CatalogueRecord.publisher_id, func.count())
            .where(visible(catalogue, principal), CatalogueRecord.publisher_id.is_not(None))
            .group_by(CatalogueRecord.publisher_id)
        )
        return {publisher_id: count for publisher_id, count in rows}


def organisation_tree(catalogue: Catalogue, principal: Principal) -> list[OrganisationNode]:
    """Return the organisation tree (roots first, by name) with visible record counts."""
    organisations = catalogue.organisations()
    slugs = organisation_slugs(organisations)
    counts = record_counts(catalogue, principal)
    nodes = {o.id: OrganisationNode(o, slugs[o.id], counts.get(o.id, 0), []) for o in organisations}
    roots = []
    for organisation in organisations:
        parent = nodes.get(organisation.parent_id) if organisation.parent_id else None
        if parent is not None and parent.organisation.id != organisation.id:
            parent.children.append(nodes[organisation.id])
        else:
            roots.append(nodes[organisation.id])
    # Municipality first: the root with most units, then by name.
    roots.sort(key=lambda n: (-len(n.children), n.organisation.name_sv))
    return roots


def flatten(nodes: Iterable[OrganisationNode]) -> list[OrganisationNode]:
    out: list[OrganisationNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def find_organisation(catalogue: Catalogue, principal: Principal, key: str) -> OrganisationNode:
    """Return the organisation with slug or numeric id ``key``, with its tree below it.

    Raises:
        ApiError: 404 when there is none.
    """
    for node in flatten(organisation_tree(catalogue, principal)):
        if key in (node.slug, str(node.organisation.id)):
            return node
    raise not_found("Organisationen")


def records_of_organisation(
    catalogue: Catalogue, principal: Principal, organisation_id: int, limit: int = 500
) -> list[CatalogueRecord]:
    """Return the visible records an organisation publishes, by title."""
    with catalogue.session() as session:
        rows = list(
            session.scalars(
                select(CatalogueRecord)
                .where(
                    visible(catalogue, principal), CatalogueRecord.publisher_id == organisation_id
                )
                .order_by(CatalogueRecord.title)
                .limit(limit)
            )
        )
    shown = public_rows(principal, rows)
    # Sorted again by the shown title: the order must not tell a masked title either.
    return sorted(shown, key=lambda row: (row.title, row.id))
