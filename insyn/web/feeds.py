"""DCAT-AP-SE feeds for the national data portal, and an Atom feed of what is new.

``/catalog`` (content negotiation), ``/catalog.ttl``, ``.rdf``, ``.jsonld``, ``.nt``: the
public catalogue a page at a time, each page a ``hydra:PartialCollectionView`` with
``hydra:first``/``previous``/``next``/``last`` links, written by ``vocab.profiles.dcat_write``.
Pages are read from the store with a keyset query, so memory stays flat however large
the catalogue. ``/datasets/{id}`` dereferences a record (RDF, or its page for browsers);
``/catalog.atom`` lists new and changed datasets. Only public, live records, ever.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from insyn import __version__
from insyn.catalogue.export import catalog_description, dataset_uri, published
from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.organisations import StatedTypes, stated_types
from insyn.vocab.model import Catalog, from_dict, text_in
from insyn.vocab.profiles import dcat_write
from insyn.web import access, pages, present, queries, schemas
from insyn.web.access import Principal
from insyn.web.errors import ApiError, invalid, not_found
from insyn.web.state import WebState, get_state

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
# DCAT-AP-SE wants the catalogue's own metadata under CC0.
CATALOG_LICENCE = "http://creativecommons.org/publicdomain/zero/1.0/"
ATOM = "http://www.w3.org/2005/Atom"

# extension → (media type, rdflib format)
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "turtle"),
    "rdf": ("application/rdf+xml", "pretty-xml"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
}
MEDIA_TYPES = {media: ext for ext, (media, _) in RDF_FORMATS.items()}
HTML = "text/html"
JSONLD_CONTEXT = {
    **{prefix: str(namespace) for prefix, namespace in dcat_write.PREFIXES.items()},
    "hydra": str(HYDRA),
    "org": "http://www.w3.org/ns/org#",
}

router = APIRouter(dependencies=[access.anonymous], tags=["DCAT-AP-SE-flöden"])
State = Annotated[WebState, Depends(get_state)]
Viewer = Annotated[Principal, Depends(access.allow_anonymous)]
RDF_RESPONSES = {
    200: {
        "description": "RDF i det begärda formatet",
        "content": {
            media: {"schema": {} if media == "application/ld+json" else {"type": "string"}}
            for media in MEDIA_TYPES
        },
    },
    304: {"description": "Oförändrad sedan förra hämtningen (ETag)"},
    **schemas.error_responses(404, 406, 422),
}


# --- content negotiation --------------------------------------------------------------


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    return ranges


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """Return the offer the Accept header prefers (ties go to the first offer), or None.

    A missing or empty header accepts the first offer.
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best, best_quality = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        specific = [(m, q) for m, q in ranges if m == offer]
        partial = [(m, q) for m, q in ranges if m == f"{kind}/*"]
        anything = [(m, q) for m, q in ranges if m == "*/*"]
        matched = specific or partial or anything
        quality = max((q for _, q in matched), default=0.0)
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def _not_acceptable() -> ApiError:
    formats = ", ".join([HTML, *MEDIA_TYPES])
    return ApiError(
        406, "not_acceptable", f"Formatet kan inte levereras. Välj något av: {formats}."
    )


# --- conditional requests -------------------------------------------------------------


def _conditional(
    request: Request, state: WebState, key: str, build: Callable[[], Response]
) -> Response:
    """Answer 304 when the client's copy is current, else ``build()`` with validators."""
    version = queries.catalogue_version(state.catalogue)
    types = stated(state).fingerprint()
    tag_source = f"{__version__}|{state.base_url}|{version.seq}|{types}|{key}"
    etag = f'W/"{hashlib.sha256(tag_source.encode()).hexdigest()[:32]}"'
    last_modified = (
        format_datetime(present.in_stockholm(version.changed_at).astimezone(UTC), usegmt=True)
        if version.changed_at
        else None
    )
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Accept"}
    if last_modified:
        headers["Last-Modified"] = last_modified
    if _not_modified(request, etag, version.changed_at):
        return Response(status_code=304, headers=headers)
    response = build()
    response.headers.update(headers)
    return response


def _not_modified(request: Request, etag: str, changed_at: object) -> bool:
    given = request.headers.get("if-none-match")
    if given is not None:
        return etag in {t.strip() for t in given.split(",")} or given.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and changed_at is not None:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            return False
        changed = present.in_stockholm(changed_at).replace(microsecond=0)  # type: ignore[arg-type]
        return changed <= moment
    return False


# --- the catalogue, a page at a time --------------------------------------------------


def catalog_metadata(state: WebState) -> Catalog:
    """Insyn's catalogue description (from the store), with what DCAT-AP-SE requires."""
    catalog = catalog_description(
        state.catalogue, state.settings.exported_catalog_uri, state.base_url + "/"
    )
    catalog.license = catalog.license or CATALOG_LICENCE
    return catalog


def stated(state: WebState) -> StatedTypes:
    """The organisation types the administrator stated (read once a page or record)."""
    with state.catalogue.session() as session:
        return stated_types(session)


def catalog_page_graph(
    state: WebState, principal: Principal, page: int, page_size: int, page_url: Callable[[int], str]
) -> Graph:
    """Return page ``page`` of the public catalogue as a graph with its Hydra view.

    Raises:
        ApiError: 404 for a page past the last.
    """
    total = queries.count_visible(state.catalogue, principal)
    last = max(1, math.ceil(total / page_size))
    if page > last:
        raise not_found("Sidan")
    rows = queries.page_of_records(
        state.catalogue, principal, offset=(page - 1) * page_size, limit=page_size
    )
    graph = dcat_write.new_graph()
    graph.bind("hydra", HYDRA)
    # The rows come masked for the public already; ``published`` masks again on its own
    # account (a no-op) and completes publishers and creators as the export does.
    types = stated(state)
    shown = ((published(row, types), row.id) for row in rows)
    records = ((record, dataset_uri(state.base_url, id_)) for record, id_ in shown if record)
    dcat_write.write_catalogue(graph, catalog_metadata(state), records)
    view = URIRef(page_url(page))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.nonNegativeInteger)))
    graph.add((view, HYDRA.first, URIRef(page_url(1))))
    graph.add((view, HYDRA.last, URIRef(page_url(last))))
    if page > 1:
        graph.add((view, HYDRA.previous, URIRef(page_url(page - 1))))
    if page < last:
        graph.add((view, HYDRA.next, URIRef(page_url(page + 1))))
    return graph


def rdf_response(graph: Graph, ext: str) -> Response:
    media, rdflib_format = RDF_FORMATS[ext]
    options: dict[str, object] = {}
    if ext == "jsonld":  # compact, with DCAT-AP's prefixes as its context
        options = {"context": JSONLD_CONTEXT, "auto_compact": True}
    body = graph.serialize(format=rdflib_format, encoding="utf-8", **options)
    return Response(body, media_type=f"{media}; charset=utf-8")


def _check_page_size(state: WebState, page_size: int | None) -> int:
    size = page_size or state.config.feed_page_size
    if size > state.config.feed_max_page_size:
        raise invalid(
            "page_size", f"Sidstorleken får vara högst {state.config.feed_max_page_size}."
        )
    return size


def _catalog(
    request: Request, state: WebState, principal: Principal, ext: str, page: int, size: int | None
) -> Response:
    page_size = _check_page_size(state, size)
    path = "/catalog" if request.url.path == "/catalog" else f"/catalog.{ext}"

    def page_url(number: int) -> str:
        extra = f"&page_size={size}" if size else ""
        return f"{state.base_url}{path}?page={number}{extra}"

    def build() -> Response:
        graph = catalog_page_graph(state, principal, page, page_size, page_url)
        response = rdf_response(graph, ext)
        response.headers["Link"] = f'<{page_url(page)}>; rel="self"'
        return response

    return _conditional(request, state, f"catalog|{ext}|{page}|{page_size}", build)


Page = Annotated[int, Query(ge=1, le=1_000_000, description="Sidnummer (Hydra).")]
PageSize = Annotated[
    int | None, Query(ge=1, le=10_000, description="Datamängder per sida (standard 100).")
]


@router.get("/catalog", responses=RDF_RESPONSES, summary="Katalogen (innehållsförhandling)")
def catalog(
    request: Request, state: State, principal: Viewer, page: Page = 1, page_size: PageSize = None
) -> Response:
    """Katalogen som DCAT-AP-SE i det format Accept-huvudet ber om; webbläsare till start."""
    chosen = negotiate(request.headers.get("accept"), [*MEDIA_TYPES, HTML])
    if chosen is None:
        raise _not_acceptable()
    if chosen == HTML:
        return RedirectResponse("/", status_code=303, headers={"Vary": "Accept"})
    return _catalog(request, state, principal, MEDIA_TYPES[chosen], page, page_size)


def _catalog_route(ext: str) -> None:
    media = RDF_FORMATS[ext][0]

    def endpoint(
        request: Request,
        state: State,
        principal: Viewer,
        page: Page = 1,
        page_size: PageSize = None,
    ) -> Response:
        return _catalog(request, state, principal, ext, page, page_size)

    endpoint.__doc__ = f"Katalogen som DCAT-AP-SE i {media}, sidindelad med Hydra."
    router.add_api_route(
        f"/catalog.{ext}",
        endpoint,
        methods=["GET"],
        responses=RDF_RESPONSES,
        summary=f"Katalogen ({media})",
        name=f"catalog_{ext}",
    )


for _ext in RDF_FORMATS:
    _catalog_route(_ext)


# --- one record -----------------------------------------------------------------------


def record_graph(state: WebState, row: CatalogueRecord) -> Graph:
    """A record as DCAT-AP-SE, with a catalogue record linking Insyn's page to it."""
    graph = dcat_write.new_graph()
    record = published(row, stated(state))
    if record is None:  # the rows come masked; a hidden one never gets here
        raise not_found()
    own = dataset_uri(state.base_url, row.id)
    dcat_write.write_catalogue(graph, None, [(record, own)])
    node = dcat_write.record_node(record, own)
    if str(node) != own:
        page = URIRef(own)
        graph.add((page, RDF.type, DCAT.CatalogRecord))
        graph.add((page, FOAF.primaryTopic, node))
        graph.add((page, DCTERMS.issued, Literal(row.first_seen.date(), datatype=XSD.date)))
        graph.add((page, DCTERMS.modified, Literal(row.last_changed.date(), datatype=XSD.date)))
    return graph


RecordId = Annotated[str, Path(max_length=200, description="Insyns id för posten.")]


@router.get(
    "/datasets/{record_id}.{ext}",
    responses=RDF_RESPONSES,
    summary="En post som DCAT-AP-SE (ttl, rdf, jsonld, nt)",
)
def dataset_rdf(
    request: Request,
    state: State,
    principal: Viewer,
    record_id: RecordId,
    ext: Annotated[str, Path(max_length=10, description="ttl, rdf, jsonld eller nt.")],
) -> Response:
    """Postens DCAT-AP-SE-beskrivning i formatet som filändelsen anger."""
    if ext not in RDF_FORMATS:
        raise not_found("Formatet")
    row = queries.find_record(state.catalogue, principal, record_id, kinds=queries.DCAT_KINDS)
    return _conditional(
        request,
        state,
        f"record|{row.id}|{ext}",
        lambda: rdf_response(record_graph(state, row), ext),
    )


@router.get(
    "/datasets/{record_id}",
    responses={
        **RDF_RESPONSES,
        200: {
            "description": "Postens sida (HTML) eller RDF",
            "content": {HTML: {"schema": {"type": "string"}}, **RDF_RESPONSES[200]["content"]},
        },
    },
    summary="En post (innehållsförhandling: HTML eller RDF)",
)
def dataset(request: Request, state: State, principal: Viewer, record_id: RecordId) -> Response:
    """Postens URI: en webbsida för webbläsare, annars RDF (Turtle som standard)."""
    chosen = negotiate(request.headers.get("accept"), [*MEDIA_TYPES, HTML])
    if chosen is None:
        raise _not_acceptable()
    row = queries.find_record(state.catalogue, principal, record_id)
    if chosen == HTML:
        response = pages.record_page(request, state, principal, row)
        response.headers["Vary"] = "Accept"
        return response
    if row.kind not in queries.DCAT_KINDS:
        raise not_found()
    ext = MEDIA_TYPES[chosen]
    return _conditional(
        request,
        state,
        f"record|{row.id}|{ext}",
        lambda: rdf_response(record_graph(state, row), ext),
    )


# --- Atom: new and changed datasets ---------------------------------------------------


def _element(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str):
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


@router.get(
    "/catalog.atom",
    responses={200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}}},
    summary="Nya och ändrade datamängder (Atom)",
)
def atom(request: Request, state: State, principal: Viewer) -> Response:
    """De senast tillagda och ändrade offentliga datamängderna och datatjänsterna."""

    def build() -> Response:
        ElementTree.register_namespace("", ATOM)
        catalog = catalog_metadata(state)
        rows = queries.recent_records(state.catalogue, principal, state.config.atom_entries)
        feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "sv"})
        _element(feed, "id", f"{state.base_url}/catalog.atom")
        _element(feed, "title", f"Nya och ändrade datamängder – {text_in(catalog.title)}")
        _element(feed, "subtitle", text_in(catalog.description))
        newest = rows[0].last_changed if rows else None
        _element(feed, "updated", present.iso_moment(newest) or "1970-01-01T00:00:00+00:00")
        _element(feed, "link", rel="self", href=f"{state.base_url}/catalog.atom")
        _element(feed, "link", rel="alternate", type=HTML, href=f"{state.base_url}/")
        author = _element(feed, "author")
        _element(author, "name", text_in(catalog.publisher.name) if catalog.publisher else "Insyn")
        _element(feed, "generator", "Insyn", version=__version__)
        for row in rows:
            record = from_dict(row.data)
            page = f"{state.base_url}/datasets/{row.id}"
            entry = _element(feed, "entry")
            _element(entry, "id", page)
            new = row.first_seen == row.last_changed
            title = text_in(record.title) or row.title
            _element(entry, "title", f"{'Ny' if new else 'Ändrad'}: {title}")
            _element(entry, "updated", present.iso_moment(row.last_changed))
            _element(entry, "published", present.iso_moment(row.first_seen))
            _element(entry, "link", rel="alternate", type=HTML, href=page)
            _element(entry, "link", rel="alternate", type="text/turtle", href=f"{page}.ttl")
            _element(entry, "summary", text_in(record.description) or title)
            if row.publisher is not None:
                _element(_element(entry, "author"), "name", row.publisher.name_sv)
            for theme in record.theme:
                _element(entry, "category", term=theme, label=present.label("data_themes", theme))
        body = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return _conditional(request, state, "atom", build)
