"""Operations endpoints: ``/metrics`` (Prometheus text format) and ``/health/operations``.

Both are for operators and need the administrator key (``Authorization: Bearer …``):
the metrics count non-public records too. Prometheus sends the key with
``authorization: {credentials: …}`` in its scrape config. The public ``/health`` of
``api.py`` stays the load balancer's check; ``/health/operations`` adds the index lag
and which scheduler workers are alive (``insyn.web.observability.health_checks``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from insyn import __version__
from insyn.web import access, schemas
from insyn.web.observability import health_checks, metrics_text
from insyn.web.state import WebState, get_state

router = APIRouter(dependencies=[access.admin], tags=["Drift"])
State = Annotated[WebState, Depends(get_state)]


@router.get("/metrics", include_in_schema=False)
def metrics(state: State) -> Response:
    """Prometheus metrics read from the catalogue at scrape time."""
    body, content_type = metrics_text(state.catalogue)
    return Response(body, media_type=content_type)


@router.get(
    "/health/operations",
    summary="Driftstatus för databas, index och schemaläggare",
    responses=schemas.error_responses(401, 403, 503),
)
def operations_health(state: State) -> JSONResponse:
    """200 when database, index and scheduler are ``ok``, else 503 with what is wrong."""
    report = health_checks(state.catalogue)
    ok = all(value == "ok" for value in report["checks"].values())
    body = {"status": "ok" if ok else "unavailable", "version": __version__, **report}
    return JSONResponse(body, status_code=200 if ok else 503)
