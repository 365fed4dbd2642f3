"""The JSON API: search, records, suggestions, organisations, health, and admin views.

Every route declares its role through ``access`` (on its router). Parameters are
validated by FastAPI and by ``SearchParams.check``: a bad value is a 422 that names the
field, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from insyn import __version__
from insyn.catalogue.models import Organisation as OrganisationRow
from insyn.catalogue.models import RecordError
from insyn.search.backends.base import FACETS
from insyn.vocab.model import ACCESS_RIGHTS_BASE
from insyn.web import access, present, queries, schemas
from insyn.web.access import Principal
from insyn.web.config import WebConfig
from insyn.web.errors import invalid
from insyn.web.recordview import public_data
from insyn.web.searching import SearchParams, lagging_hides, page_count, run_search
from insyn.web.state import WebState, get_state

DEFAULTS = WebConfig()
FacetName = Literal[
    "publisher", "owner", "theme", "format", "access_rights", "licence", "kind", "year"
]
SortName = Literal["relevance", "modified", "title"]
FILTER_HELP = "Filtrera på {}; upprepa för flera värden (något av dem räcker)."
MAX_FILTER_VALUES = 20
MAX_FILTER_LENGTH = 300

public = APIRouter(
    dependencies=[access.anonymous],
    responses=schemas.error_responses(422, 429, 503),
    tags=["Katalogen"],
)
admin = APIRouter(
    dependencies=[access.admin],
    responses=schemas.error_responses(401, 422, 429),
    tags=["Administration"],
)
State = Annotated[WebState, Depends(get_state)]
Viewer = Annotated[Principal, Depends(access.allow_anonymous)]


def _filter(name: str) -> Any:
    return Query(description=FILTER_HELP.format(name))


# --- search ---------------------------------------------------------------------------


def _coded(vocabulary: str, codes: list[str] | str | None) -> list[schemas.Coded]:
    if not codes:
        return []
    values = [codes] if isinstance(codes, str) else codes
    return [schemas.Coded(code=c, label=present.label(vocabulary, c)) for c in values]


def hit_model(state: WebState, hit: Any) -> schemas.Hit:
    fields = hit.fields
    access_code = fields.get("access_rights")
    description = fields.get("description_sv") or fields.get("description_en") or ""
    return schemas.Hit(
        id=hit.id,
        kind=hit.kind,
        kind_label=present.KIND_LABELS.get(hit.kind, hit.kind),
        title=hit.title,
        title_html=str(present.safe_snippet(hit.snippets["title"]))
        if hit.snippets.get("title")
        else None,
        description=description,
        description_html=str(present.safe_snippet(hit.snippets["description"]))
        if hit.snippets.get("description")
        else None,
        uri=fields.get("uri") or None,
        url=f"{state.base_url}/datasets/{hit.id}",
        publisher=fields.get("publisher") or None,
        themes=_coded("data_themes", fields.get("themes")),
        formats=list(fields.get("formats") or []),
        access_rights=schemas.Coded(
            code=access_code, label=present.label("access_rights", ACCESS_RIGHTS_BASE + access_code)
        )
        if access_code
        else None,
        licences=_coded("licences", fields.get("licences")),
        modified=fields.get("modified"),
        year=fields.get("year"),
        score=hit.score,
    )


def _page_links(request: Request, base: str) -> Callable[[int], str]:
    """Return page number → the URL of that page of this search: the request's other
    parameters are encoded once for all the links."""
    rest = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    prefix = f"{base}{request.url.path}?{rest}&page=" if rest else f"{base}{request.url.path}?page="
    return lambda page: f"{prefix}{page}"


@public.get("/api/search", response_model=schemas.SearchResponse, summary="Sök i katalogen")
async def search(
    request: Request,
    state: State,
    principal: Viewer,
    q: Annotated[
        str,
        Query(max_length=DEFAULTS.max_query_length, description="Sökfråga (fritext, fält:värde)."),
    ] = "",
    theme: Annotated[list[str] | None, _filter("kategori (EU-tema, t.ex. ENVI)")] = None,
    publisher: Annotated[list[str] | None, _filter("utgivare (namn eller URI)")] = None,
    owner: Annotated[list[str] | None, _filter("informationsägare")] = None,
    format: Annotated[list[str] | None, _filter("filformat (t.ex. CSV)")] = None,
    access_rights: Annotated[list[str] | None, _filter("åtkomsträttighet (PUBLIC)")] = None,
    licence: Annotated[list[str] | None, _filter("licens (t.ex. CC0)")] = None,
    kind: Annotated[list[str] | None, _filter("typ (dataset, dataservice)")] = None,
    year: Annotated[list[str] | None, _filter("år")] = None,
    modified_from: Annotated[
        date | None, Query(description="Ändrad från och med (ÅÅÅÅ-MM-DD).")
    ] = None,
    modified_to: Annotated[
        date | None, Query(description="Ändrad till och med (ÅÅÅÅ-MM-DD).")
    ] = None,
    sort: SortName = "relevance",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=DEFAULTS.max_page_size)] = 20,
    facet: Annotated[
        list[FacetName] | None, Query(description="Facetter att räkna (standard: alla).")
    ] = None,
) -> schemas.SearchResponse:
    """Sök bland katalogens offentliga poster, med facetter, sidor och sortering."""

    # Async, with the search and the answer built in one trip to the threadpool: a plain
    # function would cost FastAPI a second trip to check the answer it returns.
    def answer() -> schemas.SearchResponse:
        filters = {
            "theme": theme or [],
            "publisher": publisher or [],
            "owner": owner or [],
            "format": format or [],
            "access_rights": access_rights or [],
            "licence": licence or [],
            "kind": kind or [],
            "year": year or [],
        }
        for name, values in filters.items():
            if len(values) > MAX_FILTER_VALUES:
                raise invalid(name, f"Högst {MAX_FILTER_VALUES} värden per filter.")
            if any(len(v) > MAX_FILTER_LENGTH for v in values):
                raise invalid(name, f"Ett filtervärde får vara högst {MAX_FILTER_LENGTH} tecken.")
        params = SearchParams(
            q=q,
            filters={k: v for k, v in filters.items() if v},
            sort=sort,
            page=page,
            page_size=page_size,
            facets=tuple(facet) if facet is not None else FACETS,
            modified_from=modified_from,
            modified_to=modified_to,
        )
        result = run_search(state, principal, params)
        pages = page_count(result.total, page_size)
        selected = {name: {present_key(v) for v in values} for name, values in filters.items()}
        facets = {
            name: [
                schemas.FacetValue(
                    value=str(value),
                    label=present.facet_label(name, value),
                    count=count,
                    selected=present_key(value) in selected.get(name, set()),
                )
                for value, count in values
            ]
            for name, values in result.facets.items()
        }
        base = state.base_url
        link = _page_links(request, base)
        return schemas.SearchResponse(
            query=q,
            total=result.total,
            page=page,
            page_size=page_size,
            pages=pages,
            sort=sort,
            took_ms=round(result.took_ms, 2),
            hits=[hit_model(state, hit) for hit in result.hits],
            facets=facets,
            links=schemas.SearchLinks(
                self=link(page),
                first=link(1),
                last=link(pages),
                next=link(page + 1) if page < pages else None,
                prev=link(page - 1) if page > 1 else None,
                html=f"{base}/sok?{urlencode({'q': q})}",
            ),
        )

    return await run_in_threadpool(answer)


def present_key(value: object) -> str:
    return str(value).strip().casefold()


# --- records --------------------------------------------------------------------------


def organisation_ref(
    state: WebState, organisation: OrganisationRow | None, slugs: dict[int, str]
) -> schemas.OrganisationRef | None:
    if organisation is None:
        return None
    slug = slugs.get(organisation.id, str(organisation.id))
    return schemas.OrganisationRef(
        id=organisation.id,
        slug=slug,
        name=organisation.name_sv,
        uri=organisation.uri,
        url=f"{state.base_url}/organisationer/{slug}",
    )


@public.get(
    "/api/records/{record_id:path}",
    response_model=schemas.RecordResponse,
    responses=schemas.error_responses(404),
    summary="Hämta en post",
)
def record(
    state: State,
    principal: Viewer,
    record_id: Annotated[str, Path(description="Insyns id eller postens URI.")],
) -> schemas.RecordResponse:
    """Hämta en offentlig post med Insyns id eller dess URI.

    En post som inte finns, inte är offentlig eller har tagits bort ger samma 404.
    """
    row = queries.find_record(state.catalogue, principal, record_id)
    slugs = queries.organisation_slugs(state.catalogue.organisations())
    run = state.catalogue.last_completed_run(row.source_id)
    data = public_data(row.data)
    base = f"{state.base_url}/datasets/{row.id}"
    return schemas.RecordResponse(
        id=row.id,
        uri=row.uri,
        kind=row.kind,
        title=row.title,
        url=base,
        formats={
            "text/turtle": f"{base}.ttl",
            "application/rdf+xml": f"{base}.rdf",
            "application/ld+json": f"{base}.jsonld",
        },
        publisher=organisation_ref(state, row.publisher, slugs),
        information_owner=organisation_ref(state, row.owner, slugs),
        governance={**data.get("governance", {}), "is_public": True},
        provenance=schemas.Provenance(
            source=row.source.name if row.source else None,
            source_kind=row.source.kind if row.source else None,
            source_key=row.source_key,
            first_seen=present.iso_moment(row.first_seen) or "",
            last_changed=present.iso_moment(row.last_changed) or "",
            last_harvested=present.iso_moment(run.finished_at) if run else None,
        ),
        record=data,
    )


@public.get(
    "/api/suggest", response_model=schemas.SuggestResponse, summary="Förslag medan man skriver"
)
def suggest(
    state: State,
    principal: Viewer,
    q: Annotated[str, Query(min_length=1, max_length=100, description="Början av ett ord.")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> schemas.SuggestResponse:
    """Titlar och nyckelord (bara från offentliga poster) som börjar med ``q``."""
    public_only = not principal.sees_non_public
    suggestions = state.backend.suggest(
        q,
        public_only=public_only,
        limit=limit,
        exclude_ids=lagging_hides(state.catalogue) if public_only else (),
    )
    return schemas.SuggestResponse(query=q, suggestions=suggestions)


# --- organisations --------------------------------------------------------------------


def organisation_model(state: WebState, node: queries.OrganisationNode) -> schemas.Organisation:
    organisation = node.organisation
    return schemas.Organisation(
        id=organisation.id,
        slug=node.slug,
        name=organisation.name_sv,
        name_en=organisation.name_en,
        uri=organisation.uri,
        identifier=organisation.identifier,
        type=organisation.org_type,
        type_label=present.label("publisher_types", organisation.org_type)
        if organisation.org_type
        else None,
        parent_id=organisation.parent_id,
        homepage=organisation.homepage,
        email=organisation.email,
        records=node.records,
        url=f"{state.base_url}/organisationer/{node.slug}",
    )


@public.get(
    "/api/organisations",
    response_model=schemas.OrganisationsResponse,
    summary="Kommunens organisationer",
)
def organisations(state: State, principal: Viewer) -> schemas.OrganisationsResponse:
    """Kommunen, nämnderna och bolagen (trädet via parent_id) med antal offentliga poster."""
    nodes = queries.flatten(queries.organisation_tree(state.catalogue, principal))
    return schemas.OrganisationsResponse(
        total=len(nodes), organisations=[organisation_model(state, n) for n in nodes]
    )


@public.get(
    "/api/organisations/{key}",
    response_model=schemas.OrganisationDetail,
    responses=schemas.error_responses(404),
    summary="En organisation med enheter och poster",
)
def organisation(
    state: State,
    principal: Viewer,
    key: Annotated[str, Path(max_length=200, description="Organisationens kortnamn eller id.")],
) -> schemas.OrganisationDetail:
    """En organisation, dess enheter och de offentliga poster den ger ut."""
    node = queries.find_organisation(state.catalogue, principal, key)
    rows = queries.records_of_organisation(state.catalogue, principal, node.organisation.id)
    return schemas.OrganisationDetail(
        **organisation_model(state, node).model_dump(),
        units=[organisation_model(state, child) for child in node.children],
        published=[
            schemas.RecordSummary(
                id=r.id, kind=r.kind, title=r.title, url=f"{state.base_url}/datasets/{r.id}"
            )
            for r in rows
        ],
    )


# --- health and the OpenAPI document --------------------------------------------------


@public.get("/health", response_model=schemas.Health, summary="Driftstatus")
def health(state: State) -> JSONResponse:
    """Svarar 200 när katalogen och sökindexet går att läsa, annars 503."""
    checks = {}
    try:
        with state.catalogue.session() as session:
            session.execute(select(1))
        checks["catalogue"] = "ok"
    except Exception:
        checks["catalogue"] = "unavailable"
    try:
        state.backend.count(public_only=True)
        checks["search"] = "ok"
    except Exception:
        checks["search"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    body = schemas.Health(status="ok" if ok else "unavailable", version=__version__, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@public.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


# --- administration -------------------------------------------------------------------


@admin.get("/api/sources", response_model=list[schemas.SourceInfo], summary="Källor (admin)")
def sources(state: State) -> list[schemas.SourceInfo]:
    """Alla konfigurerade skördekällor och när de senast skördades."""
    out = []
    for source in state.catalogue.sources():
        last = state.catalogue.last_completed_run(source.id)
        out.append(
            schemas.SourceInfo(
                name=source.name,
                kind=source.kind,
                url=source.url,
                schedule=source.schedule,
                enabled=source.enabled,
                options=source.options or {},
                created_at=present.iso_moment(source.created_at) or "",
                last_harvest=present.iso_moment(last.finished_at) if last else None,
            )
        )
    return out


@admin.get("/api/runs", response_model=list[schemas.RunInfo], summary="Skördningar (admin)")
def runs(
    state: State,
    source: Annotated[str | None, Query(max_length=200, description="Bara denna källa.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[schemas.RunInfo]:
    """De senaste skördningarna med antal, status och fel."""
    run_rows = state.catalogue.runs(source=source, limit=limit)
    ids = [run.id for run in run_rows]
    with state.catalogue.session() as session:
        errors = (
            dict(
                session.execute(
                    select(RecordError.run_id, func.count())
                    .where(RecordError.run_id.in_(ids))
                    .group_by(RecordError.run_id)
                ).all()
            )
            if ids
            else {}
        )
    return [
        schemas.RunInfo(
            id=run.id,
            source=run.source.name,
            status=run.status,
            started_at=present.iso_moment(run.started_at) or "",
            finished_at=present.iso_moment(run.finished_at),
            added=run.added,
            updated=run.updated,
            unchanged=run.unchanged,
            deleted=run.deleted,
            failed=run.failed,
            error=run.error,
            record_errors=errors.get(run.id, 0),
        )
        for run in run_rows
    ]


router = APIRouter()
router.include_router(public)
router.include_router(admin)
