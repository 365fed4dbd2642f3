"""Errors as the web shows them: JSON with a stable code and a Swedish message, or a page.

Every error a client can get has this JSON shape (CKAN routes use CKAN's own)::

    {"error": {"code": "invalid_parameter", "message": "…", "field": "page_size",
               "status": 422}}

``code`` is stable (clients branch on it); ``message`` is for people, in Swedish, and never
quotes record content. Browsers asking for HTML on a page route get an error page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from insyn.search.errors import InvalidSearchRequest, SearchError
from insyn.web.headers import SECURITY_HEADERS

log = logging.getLogger(__name__)

# Paths that always answer JSON, whatever the Accept header says.
JSON_PREFIXES = ("/api/", "/health", "/openapi.json")


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a Swedish message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}


class RecordMoved(Exception):
    """A record asked for by an id it once had: the answer redirects to its id now."""

    def __init__(self, old_id: str, record_id: str) -> None:
        super().__init__(old_id)
        self.old_id = old_id
        self.record_id = record_id


def not_found(what: str = "Posten") -> ApiError:
    """The one 404 for records: the same for missing, non-public and deleted ones."""
    return ApiError(404, "not_found", f"{what} finns inte.")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_parameter", message, field=field)


def error_body(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if field:
        error["field"] = field
    error.update(extra)
    return {"error": error}


# --- Swedish messages for FastAPI's validation errors -----------------------------------


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    skip = ("query", "path", "body", "header")
    parts = [str(p) for p in location if p not in skip and not isinstance(p, int)]
    return ".".join(parts) or "parameter"


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return "saknas men krävs"
    if kind in ("less_than_equal", "less_than"):
        return f"får vara högst {context.get('le', context.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"måste vara minst {context.get('ge', context.get('gt'))}"
    if kind == "string_too_long":
        return f"får vara högst {context.get('max_length')} tecken lång"
    if kind == "string_too_short":
        return f"måste vara minst {context.get('min_length')} tecken lång"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "måste vara ett heltal"
    if kind.startswith("date_"):
        return "måste vara ett datum på formen ÅÅÅÅ-MM-DD"
    if kind in ("bool_parsing", "bool_type"):
        return "måste vara true eller false"
    if kind in ("literal_error", "enum"):
        return f"måste vara ett av: {context.get('expected', '')}".rstrip(": ")
    if kind == "string_pattern_mismatch":
        return "har fel form"
    return "har ett ogiltigt värde"


def validation_error(exc: RequestValidationError) -> tuple[str, str, list[dict[str, str]]]:
    """Return (first field, Swedish message, every problem) of a validation error."""
    problems = []
    for error in exc.errors():
        name = _field_name(error.get("loc", ()))
        problems.append({"field": name, "message": f"Parametern '{name}' {_describe(error)}."})
    if not problems:
        problems.append({"field": "parameter", "message": "Ogiltig begäran."})
    return problems[0]["field"], problems[0]["message"], problems


# --- handlers ---------------------------------------------------------------------------

HtmlRenderer = Callable[[Request, int, str, str], Response]


def wants_html(request: Request) -> bool:
    """True for a browser on a page route: HTML error pages instead of JSON."""
    path = request.url.path
    if path.startswith(JSON_PREFIXES) or path.endswith((".ttl", ".rdf", ".jsonld", ".nt")):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI, render_html: HtmlRenderer) -> None:
    """Make every error JSON (or an HTML page for browsers) with a stable code."""

    def respond(
        request: Request,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Response:
        if wants_html(request):
            response = render_html(request, status, code, message)
        else:
            response = JSONResponse(error_body(status, code, message, field, **extra), status)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return await run_in_threadpool(
            respond, request, exc.status, exc.code, exc.message, exc.field, exc.headers
        )

    @app.exception_handler(RecordMoved)
    async def moved(request: Request, exc: RecordMoved) -> Response:
        # 301 keeps links and bookmarks working; 308 keeps a form's POST a POST.
        status = 301 if request.method in ("GET", "HEAD") else 308
        return RedirectResponse(str(request.url).replace(exc.old_id, exc.record_id), status)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Response:
        field, message, problems = validation_error(exc)
        return await run_in_threadpool(
            respond, request, 422, "invalid_parameter", message, field, errors=problems
        )

    @app.exception_handler(InvalidSearchRequest)
    async def bad_search(request: Request, exc: InvalidSearchRequest) -> Response:
        return await run_in_threadpool(respond, request, 422, "invalid_search", exc.message)

    @app.exception_handler(SearchError)
    async def search_down(request: Request, exc: SearchError) -> Response:
        log.warning("search failed: %s", exc)
        return await run_in_threadpool(
            respond,
            request,
            503,
            "search_unavailable",
            "Sökningen är tillfälligt otillgänglig. Försök igen om en stund.",
            headers={"Retry-After": "30"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return await run_in_threadpool(respond, request, 404, "not_found", "Sidan finns inte.")
        if exc.status_code == 405:
            return await run_in_threadpool(
                respond, request, 405, "method_not_allowed", "Metoden stöds inte här."
            )
        return await run_in_threadpool(
            respond,
            request,
            exc.status_code,
            f"http_{exc.status_code}",
            "Begäran kunde inte utföras.",
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        # This answer is made outside the middleware stack: add the headers here.
        headers = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}
        return await run_in_threadpool(
            respond,
            request,
            500,
            "internal_error",
            "Ett oväntat fel inträffade. Försök igen senare.",
            headers=headers,
        )
