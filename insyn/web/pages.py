"""The Swedish web pages: start, search with facets, record, organisations, about.

Server-rendered with Jinja2 (autoescaped) and one static CSS file: every page works
without JavaScript. Filters are links that add or remove a value, sorting is a plain
form, and each page links its machine-readable twin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from insyn.catalogue.models import CatalogueRecord
from insyn.vocab.model import from_dict
from insyn.web import access, present, queries
from insyn.web.access import Principal
from insyn.web.errors import ApiError
from insyn.web.recordview import DIRECTIONS, record_view
from insyn.web.rendering import FILTER_PARAMS, UI_FILTERS, render
from insyn.web.searching import SearchParams, filters_that_find, page_count, run_search
from insyn.web.state import WebState, get_state

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[access.anonymous], include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]
Viewer = Annotated[Principal, Depends(access.allow_anonymous)]

UI_SORTS = {"relevans": "relevance", "senast": "modified", "titel": "title"}
SORT_LABELS = {"relevans": "Relevans", "senast": "Senast ändrad", "titel": "Titel (A–Ö)"}
SHOWN_FACETS = ("theme", "publisher", "format", "licence", "kind", "owner", "year")
PAGE_SIZE = 20
STATIC_FILES = {
    "insyn.css": "text/css; charset=utf-8",
    "suggest.js": "text/javascript; charset=utf-8",
}


# --- search state in the URL ----------------------------------------------------------


@dataclass
class SearchView:
    """The search as the URL says it, and links that change one thing."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevans"
    page: int = 1

    def _query(self, **changes: Any) -> str:
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for facet, values in filters.items():
            pairs += [(FILTER_PARAMS[facet], v) for v in values]
        if sort != "relevans":
            pairs.append(("sortering", sort))
        if page > 1:
            pairs.append(("sida", str(page)))
        return "/sok" + ("?" + urlencode(pairs) if pairs else "")

    def with_query(self, q: str) -> str:
        """Return the URL of the same search (filters kept) for the text ``q``."""
        return self._query(q=q)

    def url(self) -> str:
        return self._query(page=self.page, sort=self.sort)

    def page_url(self, page: int) -> str:
        return self._query(page=page)

    def is_selected(self, facet: str, value: Any) -> bool:
        key = str(value).casefold()
        return any(v.casefold() == key for v in self.filters.get(facet, []))

    def toggle_url(self, facet: str, value: Any) -> str:
        """Link that adds the value to the filters, or removes it if it is there."""
        values = list(self.filters.get(facet, []))
        if self.is_selected(facet, value):
            values = [v for v in values if v.casefold() != str(value).casefold()]
        else:
            values.append(str(value))
        filters = {**self.filters, facet: values}
        return self._query(filters={k: v for k, v in filters.items() if v})

    def clear_url(self) -> str:
        return self._query(filters={})

    def api_url(self) -> str:
        pairs: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for facet, values in self.filters.items():
            pairs += [(facet, v) for v in values]
        pairs += [("sort", UI_SORTS[self.sort]), ("page", str(self.page))]
        return "/api/search?" + urlencode(pairs)

    @property
    def active(self) -> list[tuple[str, str]]:
        return [(facet, value) for facet, values in self.filters.items() for value in values]


def search_view(request: Request) -> SearchView:
    params = request.query_params
    filters: dict[str, list[str]] = {}
    for param, facet in UI_FILTERS.items():
        values = [v.strip() for v in params.getlist(param) if v.strip()]
        if values:
            filters[facet] = list(dict.fromkeys(values))[:20]
    sort = params.get("sortering", "relevans")
    if sort not in UI_SORTS:
        raise ApiError(422, "invalid_parameter", "Okänd sortering.", field="sortering")
    raw_page = params.get("sida", "1")
    if not raw_page.isdigit() or int(raw_page) < 1:
        raise ApiError(
            422, "invalid_parameter", "Sidnumret måste vara ett positivt heltal.", field="sida"
        )
    return SearchView(params.get("q", "").strip(), filters, sort, min(int(raw_page), 10_000))


# --- routes ---------------------------------------------------------------------------

CATALOG_ALTERNATES = [
    ("text/turtle", "/catalog.ttl", "DCAT-AP-SE (Turtle)"),
    ("application/rdf+xml", "/catalog.rdf", "DCAT-AP-SE (RDF/XML)"),
    ("application/ld+json", "/catalog.jsonld", "DCAT-AP-SE (JSON-LD)"),
    ("application/atom+xml", "/catalog.atom", "Nya och ändrade (Atom)"),
]


@router.get("/", response_class=HTMLResponse)
def start(request: Request, state: State, principal: Viewer) -> HTMLResponse:
    result = run_search(
        state,
        principal,
        SearchParams(facets=("theme", "publisher", "kind"), page_size=6, sort="modified"),
    )
    return render(
        request,
        state,
        "start.html",
        # Counted apart: a diarium's cases and documents are no datasets; a case harvested
        # from two sources is one case.
        datasets=sum(n for kind, n in result.facets.get("kind", []) if kind in queries.DCAT_KINDS),
        diarium=queries.count_diarium(state.catalogue, principal),
        themes=result.facets.get("theme", []),
        publishers=result.facets.get("publisher", [])[:12],
        kinds=result.facets.get("kind", []),
        recent=result.hits,
        search=SearchView(),
        alternates=CATALOG_ALTERNATES,
    )


@router.get("/sok", response_class=HTMLResponse)
def search(request: Request, state: State, principal: Viewer) -> HTMLResponse:
    view = search_view(request)
    params = SearchParams(
        q=view.q,
        filters=view.filters,
        sort=UI_SORTS[view.sort],
        page=view.page,
        page_size=PAGE_SIZE,
        facets=SHOWN_FACETS,
    )
    params.check(state.config.max_page_size, state.config.max_query_length, page_field="sida")
    result = run_search(state, principal, params)
    relief = filters_that_find(state, principal, params) if not result.total else []
    pages = page_count(result.total, PAGE_SIZE)
    if view.page > pages and result.total:
        raise ApiError(404, "not_found", "Sidan finns inte i sökresultatet.")
    window = range(max(1, view.page - 2), min(pages, view.page + 2) + 1)
    return render(
        request,
        state,
        "search.html",
        search=view,
        result=result,
        relief=relief,
        facets=[(name, result.facets.get(name, [])) for name in SHOWN_FACETS],
        facet_titles=present.FACET_TITLES,
        pages=pages,
        window=window,
        sorts=SORT_LABELS,
        first=(view.page - 1) * PAGE_SIZE + 1,
        alternates=[
            ("application/json", view.api_url(), "Sökresultatet som JSON"),
            *CATALOG_ALTERNATES,
        ],
    )


def record_page(
    request: Request, state: WebState, principal: Principal, row: CatalogueRecord
) -> HTMLResponse:
    """The page of one record (served at the record's URI ``/datasets/{id}``)."""
    view = record_view(state.catalogue, principal, row, from_dict(row.data))
    base = f"/datasets/{row.id}"
    alternates = []
    if row.kind in queries.DCAT_KINDS:
        alternates = [
            ("text/turtle", f"{base}.ttl", "DCAT-AP-SE (Turtle)"),
            ("application/rdf+xml", f"{base}.rdf", "DCAT-AP-SE (RDF/XML)"),
            ("application/ld+json", f"{base}.jsonld", "DCAT-AP-SE (JSON-LD)"),
        ]
    alternates.append(("application/json", f"/api/records/{row.id}", "Posten som JSON"))
    slugs = queries.organisation_slugs(state.catalogue.organisations())
    documents: list[CatalogueRecord] = []
    case = None
    if row.kind == "case":
        documents = queries.case_documents(
            state.catalogue, principal, row.diarienummer, row.data.get("diarienummer")
        )
    elif row.kind == "document":
        case = queries.case_of_document(state.catalogue, principal, row)
    return render(
        request,
        state,
        "record.html",
        record=view,
        row=row,
        documents=documents,
        case=case,
        directions=DIRECTIONS,
        publisher_slug=slugs.get(row.publisher_id) if row.publisher_id else None,
        alternates=alternates,
    )


@router.get("/organisationer", response_class=HTMLResponse)
def organisations(request: Request, state: State, principal: Viewer) -> HTMLResponse:
    return render(
        request,
        state,
        "organisations.html",
        roots=queries.organisation_tree(state.catalogue, principal),
        alternates=[("application/json", "/api/organisations", "Organisationerna som JSON")],
    )


@router.get("/organisationer/{key}", response_class=HTMLResponse)
def organisation(
    request: Request, state: State, principal: Viewer, key: Annotated[str, Path(max_length=200)]
) -> HTMLResponse:
    node = queries.find_organisation(state.catalogue, principal, key)
    rows = queries.records_of_organisation(state.catalogue, principal, node.organisation.id)
    parent = None
    if node.organisation.parent_id:
        for candidate in queries.flatten(queries.organisation_tree(state.catalogue, principal)):
            if candidate.organisation.id == node.organisation.parent_id:
                parent = candidate
    type_label = present.label("publisher_types", node.organisation.org_type)
    return render(
        request,
        state,
        "organisation.html",
        node=node,
        parent=parent,
        rows=rows,
        type_label=type_label if node.organisation.org_type else "",
        search_url=SearchView(filters={"publisher": [node.organisation.name_sv]}).url(),
        alternates=[
            ("application/json", f"/api/organisations/{node.slug}", "Organisationen som JSON")
        ],
    )


@router.get("/om", response_class=HTMLResponse)
def about(request: Request, state: State) -> HTMLResponse:
    return render(
        request,
        state,
        "about.html",
        feed_page_size=state.config.feed_page_size,
        alternates=CATALOG_ALTERNATES,
    )


@router.get("/static/{name}")
def static(name: Annotated[str, Path(max_length=100)]) -> Response:
    """The stylesheet and the suggestion script (cached for a day; URLs carry the version)."""
    if name not in STATIC_FILES:
        raise ApiError(404, "not_found", "Filen finns inte.")
    body = resources.files("insyn.web").joinpath("static", name).read_bytes()
    return Response(
        body, media_type=STATIC_FILES[name], headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(state: State) -> str:
    return (
        f"User-agent: *\nDisallow: /api/\nAllow: /\n\n# DCAT-AP-SE: {state.base_url}/catalog.ttl\n"
    )
