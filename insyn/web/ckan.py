"""A CKAN-compatible read API (``/api/3/action/…`` and ``/api/action/…``), for CKAN tools.

Answers in CKAN's envelope ``{"help": …, "success": true, "result": …}``; errors have
``success: false`` and CKAN's error object (``__type`` "Not Found Error", "Validation
Error" with the field, "Bad Request"), so clients such as ``ckanapi`` raise the right
exception. Datasets are CKAN packages: distributions become resources, the publisher the
organization, DCAT properties extras (with ckanext-dcat's key names). GET with query
parameters and POST with a JSON body both work, as in CKAN. Only public records.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from insyn import __version__
from insyn.catalogue.models import CatalogueRecord
from insyn.search.backends.base import MAX_RESULT_WINDOW
from insyn.web import access, present, queries
from insyn.web.access import Principal
from insyn.web.ckan_packages import organization_dict, package_dict
from insyn.web.errors import ApiError
from insyn.web.searching import SearchParams, run_search
from insyn.web.state import WebState, get_state

CKAN_VERSION = "2.10.4"
MAX_ROWS = 1000
# CKAN facet/filter names → Insyn facets.
CKAN_FACETS = {
    "organization": "publisher",
    "res_format": "format",
    "license_id": "licence",
    "groups": "theme",
    "theme": "theme",
    "dataset_type": "kind",
    "type": "kind",
}
CKAN_SORTS = {
    "score": "relevance",
    "metadata_modified": "modified",
    "metadata_created": "modified",
    "title_string": "title",
    "title": "title",
    "name": "title",
}

router = APIRouter(dependencies=[access.anonymous], tags=["CKAN-kompatibelt API"])
State = Annotated[WebState, Depends(get_state)]
Viewer = Annotated[Principal, Depends(access.allow_anonymous)]


class CkanError(Exception):
    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


def validation(field: str, message: str) -> CkanError:
    return CkanError(409, {"__type": "Validation Error", field: [message]})


def not_found(message: str = "Hittades inte") -> CkanError:
    return CkanError(404, {"__type": "Not Found Error", "message": message})


# --- parameters -----------------------------------------------------------------------


def _integer(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except ValueError:
        raise validation(name, "Måste vara ett heltal") from None
    if not low <= number <= high:
        raise validation(name, f"Måste vara mellan {low} och {high}")
    return number


def _text(data: dict[str, Any], name: str, limit: int = 1000) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise validation(name, "Måste vara en textsträng")
    text = str(value)
    if len(text) > limit:
        raise validation(name, f"Får vara högst {limit} tecken")
    return text


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


_FQ = re.compile(r'(?P<neg>[-+]?)(?P<key>[\w.]+):(?P<value>"[^"]*"|\[[^\]]*\]|\S+)')


def parse_fq(fq: str) -> tuple[dict[str, list[str]], list[str], dict[str, str | None]]:
    """Return (facet filters, extra query words, modified range) of a CKAN ``fq``.

    Supports ``organization:``, ``res_format:``, ``license_id:``, ``groups:``/``theme:``,
    ``tags:``, ``dataset_type:``/``type:`` and ``modified:[FROM TO TO]`` (the dataset's own
    modification date, dct:modified; ``*`` for an open end). ``metadata_modified`` is
    refused rather than answered with that date, which means something else.
    """
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    modified: dict[str, str | None] = {}
    rest = _FQ.sub(" ", fq).replace("AND", " ").strip()
    if rest:
        raise validation("fq", f"Kan inte tolka: {rest[:80]}")
    for match in _FQ.finditer(fq):
        key, value = match.group("key"), match.group("value").strip('"')
        if match.group("neg") == "-":
            raise validation("fq", "Uteslutande filter stöds inte")
        if key == "metadata_modified":
            raise validation(
                "fq", "metadata_modified stöds inte; använd modified:[FRÅN TO TILL] (dct:modified)"
            )
        if key == "modified":
            low, _, high = value.strip("[]").partition(" TO ")
            modified = {
                "from": None if low in ("*", "") else low,
                "to": None if high in ("*", "") else high,
            }
        elif key == "tags":
            words.append(f'"{value}"')
        elif key in CKAN_FACETS:
            filters.setdefault(CKAN_FACETS[key], []).append(value)
        else:
            raise validation("fq", f"Okänt fält: {key}")
    return filters, words, modified


def _date(value: str | None, field: str) -> Any:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise validation(field, "Datum ska skrivas som ISO 8601") from None


def _organisations(state: WebState, principal: Principal) -> dict[int, queries.OrganisationNode]:
    nodes = queries.flatten(queries.organisation_tree(state.catalogue, principal))
    return {node.organisation.id: node for node in nodes}


def _rows_by_id(state: WebState, principal: Principal, ids: list[str]) -> dict[str, Any]:
    if not ids:
        return {}
    with state.catalogue.session() as session:
        rows = list(
            session.scalars(
                select(CatalogueRecord)
                .options(selectinload(CatalogueRecord.publisher))
                .where(CatalogueRecord.id.in_(ids), queries.visible(state.catalogue, principal))
            )
        )
    return {row.id: row for row in queries.public_rows(principal, rows)}


# --- actions --------------------------------------------------------------------------


def package_search(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    q = _text(data, "q", state.config.max_query_length)
    if q.strip() in ("*:*", "*"):
        q = ""
    filters, words, modified = parse_fq(_text(data, "fq"))
    organisations = _organisations(state, principal)
    _by_slug(filters, organisations)
    rows = _integer(data, "rows", 10, 0, MAX_ROWS)
    start = _integer(data, "start", 0, 0, MAX_RESULT_WINDOW)
    if start + rows > MAX_RESULT_WINDOW:
        raise validation("start", f"start + rows får vara högst {MAX_RESULT_WINDOW}")
    sort_text = _text(data, "sort") or "score desc, metadata_modified desc"
    sort_key = sort_text.split(",")[0].split()[0] if sort_text.strip() else "score"
    if sort_key not in CKAN_SORTS:
        raise validation("sort", f"Okänd sortering: {sort_key}")
    facet_fields = data.get("facet.field") or []
    if isinstance(facet_fields, str):
        try:
            facet_fields = json.loads(facet_fields)
        except ValueError:
            raise validation("facet.field", "Ska vara en JSON-lista") from None
    if not isinstance(facet_fields, list) or not all(isinstance(f, str) for f in facet_fields):
        raise validation("facet.field", "Ska vara en lista med fältnamn")
    facet_limit = _integer(data, "facet.limit", 50, -1, 1000)
    facets = tuple(dict.fromkeys(CKAN_FACETS[f] for f in facet_fields if f in CKAN_FACETS))

    base = SearchParams(
        q=" ".join([q, *words]).strip(),
        filters=filters,
        sort=CKAN_SORTS[sort_key],
        facets=facets,
        modified_from=_date(modified.get("from"), "fq"),
        modified_to=_date(modified.get("to"), "fq"),
        facet_size=facet_limit if facet_limit > 0 else 1000,
    )
    # CKAN pages by start/rows; the backend by page/page_size: read the pages that cover it.
    size = max(1, min(rows or 1, state.config.max_page_size))
    hits, total, counts = [], 0, {}
    page = start // size + 1
    while True:
        base.page, base.page_size = page, size
        result = run_search(state, principal, base)
        total, counts = result.total, counts or result.facets
        offset = (page - 1) * size
        hits += [h for i, h in enumerate(result.hits) if start <= offset + i < start + rows]
        if rows == 0 or offset + size >= min(start + rows, total) or not result.hits:
            break
        page += 1
    found = _rows_by_id(state, principal, [h.id for h in hits])
    results = [package_dict(state, found[h.id], organisations) for h in hits if h.id in found]
    by_name = {node.organisation.name_sv: node.slug for node in organisations.values()}
    facet_out: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in facet_fields:
        name = CKAN_FACETS.get(field)
        values = counts.get(name, []) if name else []
        items = []
        for value, count in values:
            key = str(value)
            if field == "organization":
                key = by_name.get(key, key)
            elif field == "groups":
                key = key.lower()
            items.append(
                {"name": key, "display_name": present.facet_label(name, value), "count": count}
            )
        facet_out[field] = {item["name"]: item["count"] for item in items}
        search_facets[field] = {"title": field, "items": items}
    return {
        "count": total,
        "sort": sort_text,
        "results": results,
        "facets": facet_out,
        "search_facets": search_facets,
    }


def _by_slug(filters: dict[str, list[str]], organisations: dict[int, Any]) -> None:
    """Turn ``organization:<slug>`` filters into the organisation's name."""
    names = {node.slug: node.organisation.name_sv for node in organisations.values()}
    if "publisher" in filters:
        filters["publisher"] = [names.get(v, v) for v in filters["publisher"]]


def package_show(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    key = _text(data, "id", 1000) or _text(data, "name", 1000)
    if not key:
        raise validation("id", "Saknas")
    try:
        row = queries.find_record(state.catalogue, principal, key, kinds=queries.DCAT_KINDS)
    except ApiError:
        raise not_found("Datamängden finns inte") from None
    return package_dict(state, row, _organisations(state, principal))


def package_list(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    limit = _integer(data, "limit", 1_000_000, 0, 1_000_000)
    offset = _integer(data, "offset", 0, 0, 100_000_000)
    return queries.page_of_ids(state.catalogue, principal, offset=offset, limit=limit)


def organization_list(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    nodes = sorted(_organisations(state, principal).values(), key=lambda n: n.slug)
    sort = _text(data, "sort") or "name asc"
    field, _, direction = sort.partition(" ")
    if field not in ("name", "title", "package_count"):
        raise validation("sort", "Sortera på name, title eller package_count")
    key: Callable[[Any], Any] = {
        "name": lambda n: n.slug,
        "title": lambda n: n.organisation.name_sv.casefold(),
        "package_count": lambda n: n.records,
    }[field]
    nodes.sort(key=key, reverse=direction.strip().lower() == "desc")
    offset = _integer(data, "offset", 0, 0, 1_000_000)
    limit = _integer(data, "limit", 1000, 0, 1000)
    nodes = nodes[offset : offset + limit]
    if _truthy(data.get("all_fields", False)):
        return [organization_dict(node) for node in nodes]
    return [node.slug for node in nodes]


def organization_show(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    key = _text(data, "id", 200)
    for node in _organisations(state, principal).values():
        if key in (node.slug, str(node.organisation.id)):
            result = organization_dict(node)
            if _truthy(data.get("include_datasets", False)):
                rows = queries.records_of_organisation(
                    state.catalogue, principal, node.organisation.id, limit=1000
                )
                result["packages"] = [{"id": r.id, "name": r.id, "title": r.title} for r in rows]
            return result
    raise not_found("Organisationen finns inte")


def status_show(state: WebState, principal: Principal, data: dict[str, Any]) -> Any:
    return {
        "site_title": "Insyn – kommunens datakatalog",
        "site_description": "Kommunens datamängder och datatjänster (DCAT-AP-SE).",
        "site_url": state.base_url,
        "ckan_version": CKAN_VERSION,
        "insyn_version": __version__,
        "error_emails_to": None,
        "locale_default": "sv",
        "extensions": ["dcat", "insyn"],
    }


ACTIONS: dict[str, Callable[[WebState, Principal, dict[str, Any]], Any]] = {
    "package_search": package_search,
    "package_show": package_show,
    "package_list": package_list,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "status_show": status_show,
}


# --- routing --------------------------------------------------------------------------


MAX_BODY_BYTES = 1_000_000


async def _data(request: Request) -> dict[str, Any]:
    """Return the action's parameters: the query string, and a POSTed JSON object on top."""
    data: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return data
    too_large = CkanError(413, {"__type": "Bad Request", "message": "Begäran är för stor"})
    if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    if bytes(body).strip():
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise CkanError(400, {"__type": "Bad Request", "message": "JSON-objekt väntades"})
        data.update(payload)
    return data


async def _dispatch(
    request: Request, state: WebState, principal: Principal, action: str
) -> JSONResponse:
    help_url = f"{state.base_url}/api/3/action/help_show?name={action}"
    try:
        handler = ACTIONS.get(action)
        if handler is None:
            raise CkanError(
                400, {"__type": "Bad Request", "message": f"Okänd åtgärd: {action[:100]}"}
            )
        data = await _data(request)
        # The actions read the catalogue and the index: off the event loop.
        result = await run_in_threadpool(handler, state, principal, data)
    except CkanError as exc:
        return JSONResponse(
            {"help": help_url, "success": False, "error": exc.error}, status_code=exc.status
        )
    except ApiError as exc:  # limits enforced by the shared search path
        error = {"__type": "Validation Error", exc.field or "q": [exc.message]}
        return JSONResponse({"help": help_url, "success": False, "error": error}, status_code=409)
    return JSONResponse({"help": help_url, "success": True, "result": result})


def _param(name: str, schema: dict[str, Any], description: str, required: bool = False) -> Any:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


TEXT: dict[str, Any] = {"type": "string", "maxLength": 1000}
PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "package_search": [
        _param("q", TEXT, "Sökfråga."),
        _param("fq", TEXT, "Filter: organization:, res_format:, license_id:, groups:, tags:"),
        _param("rows", {"type": "integer", "minimum": 0, "maximum": MAX_ROWS}, "Antal."),
        _param("start", {"type": "integer", "minimum": 0}, "Förskjutning."),
        _param("sort", TEXT, "t.ex. 'metadata_modified desc' eller 'title_string asc'."),
        _param("facet.field", TEXT, 'JSON-lista, t.ex. ["organization","res_format"].'),
        _param("facet.limit", {"type": "integer", "minimum": -1, "maximum": 1000}, "Värden."),
    ],
    "package_show": [_param("id", TEXT, "Datamängdens id, namn eller URI.", required=True)],
    "package_list": [
        _param("limit", {"type": "integer", "minimum": 0}, "Högst så många."),
        _param("offset", {"type": "integer", "minimum": 0}, "Hoppa över så många."),
    ],
    "organization_list": [
        _param("all_fields", {"type": "boolean"}, "Hela organisationer i stället för namn."),
        _param("sort", TEXT, "name, title eller package_count, med asc/desc."),
        _param("limit", {"type": "integer", "minimum": 0, "maximum": 1000}, "Antal."),
        _param("offset", {"type": "integer", "minimum": 0}, "Förskjutning."),
    ],
    "organization_show": [
        _param("id", TEXT, "Organisationens namn.", required=True),
        _param("include_datasets", {"type": "boolean"}, "Ta med organisationens poster."),
    ],
    "status_show": [],
}
ENVELOPE: dict[str, Any] = {
    "type": "object",
    "required": ["help", "success"],
    "properties": {
        "help": {"type": "string"},
        "success": {"type": "boolean"},
        "result": {},
        "error": {"type": "object", "properties": {"__type": {"type": "string"}}},
    },
}


def _documented(action: str) -> None:
    async def endpoint(request: Request, state: State, principal: Viewer) -> JSONResponse:
        return await _dispatch(request, state, principal, action)

    endpoint.__doc__ = f"CKAN:s `{action}` (läsning; svar i CKAN:s format)."
    content = {"application/json": {"schema": ENVELOPE}}
    router.add_api_route(
        f"/api/3/action/{action}",
        endpoint,
        methods=["GET"],
        summary=f"CKAN {action}",
        name=f"ckan_{action}",
        openapi_extra={"parameters": PARAMETERS[action]},
        responses={
            200: {"description": "CKAN-svar", "content": content},
            400: {"description": "Bad Request", "content": content},
            404: {"description": "Not Found Error", "content": content},
            409: {"description": "Validation Error (fältet anges)", "content": content},
            429: {"description": "För många anrop", "content": content},
        },
    )


for _action in ACTIONS:
    _documented(_action)


@router.api_route(
    "/api/3/action/{action}", methods=["GET", "POST"], include_in_schema=False, name="ckan_any"
)
@router.api_route(
    "/api/action/{action}", methods=["GET", "POST"], include_in_schema=False, name="ckan_any_v"
)
async def any_action(
    request: Request, state: State, principal: Viewer, action: str
) -> JSONResponse:
    """Every action by GET or POST, under both of CKAN's API paths."""
    return await _dispatch(request, state, principal, action)
