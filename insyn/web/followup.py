"""Follow-up (uppföljning) on the web: incidents (avvikelser) and the report per owner.

Information owners and administrators only (``access.owner``): incident messages name
sources and may mention non-public records. An owner sees only its organisations' part
(``Scope``): the incidents of the sources that concern them and their units' reports;
an administrator sees everything. Another organisation's incident is "not found".
Server-rendered pages, POST forms with the session's CSRF token (``auth.checked_form``),
no JavaScript.

==========================================  ===============================================
``GET /uppfoljning/avvikelser``             the incident list, filtered by ``status``,
                                            ``kalla`` (source) and ``typ`` (kind)
``GET /uppfoljning/avvikelser/{id}``        one incident: who/when/comment per step, forms
``POST …/{id}/kvittera``, ``…/{id}/atgarda``  acknowledge / resolve, with a comment
``GET /uppfoljning/rapport``                the follow-up report of ``owner`` for
                                            ``period`` (``format=pdf|html`` downloads it)
``GET /uppfoljning/begaranden``             handling times of requests for official
                                            documents per unit and month of ``period``
``GET /api/followup/incidents``             the incident list as JSON (API tokens)
==========================================  ===============================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from insyn import followup
from insyn.catalogue import accounts
from insyn.catalogue.models import Incident, Source
from insyn.errors import CatalogueError, NotFoundError
from insyn.web import access, schemas
from insyn.web.access import Principal
from insyn.web.auth import PostedForm, checked_form, csrf_token
from insyn.web.errors import ApiError, invalid
from insyn.web.state import WebState, get_state

PAGE_SIZE = 50
MAX_COMMENT = 2000
STATUS_LABELS = {"open": "Öppen", "acknowledged": "Kvitterad", "resolved": "Åtgärdad"}
ACTIONS = {"kvittera": "acknowledged", "atgarda": "resolved"}

pages = APIRouter(dependencies=[access.owner], include_in_schema=False)
api = APIRouter(
    dependencies=[access.owner],
    responses=schemas.error_responses(401, 403, 422, 429),
    tags=["Uppföljning"],
)
State = Annotated[WebState, Depends(get_state)]
Owner = Annotated[Principal, Depends(access.require_owner)]
StatusFilter = Annotated[str | None, Query(max_length=20)]
TextFilter = Annotated[str | None, Query(max_length=200)]


def _incident_labels() -> dict[str, str]:
    from insyn.followup.report import INCIDENT_LABELS

    return INCIDENT_LABELS


def _render(
    request: Request, state: WebState, template: str, principal: Principal, **context: Any
) -> HTMLResponse:
    from insyn.web.rendering import render

    response = render(
        request,
        state,
        template,
        context.pop("status_code", 200),
        user=principal,
        csrf=csrf_token(request, principal),
        status_labels=STATUS_LABELS,
        incident_labels=_incident_labels(),
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# --- what an owner may see ----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """An owner's part of the follow-up: its organisations' units and their sources."""

    units: frozenset[int]
    sources: frozenset[int]


def scope_of(state: WebState, principal: Principal) -> Scope | None:
    """Return what ``principal`` may follow up; None for an administrator (everything)."""
    from insyn.followup.report.figures import sources_of, units_of

    if principal.is_admin:
        return None
    catalogue = state.catalogue
    mine = accounts.organisation_ids(catalogue, principal.user_id) if principal.user_id else set()
    units = units_of(catalogue, mine)
    return Scope(frozenset(units), frozenset(sources_of(catalogue, units)))


def _in_scope(scope: Scope | None) -> list[Any]:
    return [] if scope is None else [Incident.source_id.in_(sorted(scope.sources))]


# --- incidents ---------------------------------------------------------------------------


def _filters(
    scope: Scope | None, status: str | None, source: str | None, kind: str | None
) -> list[Any]:
    clauses: list[Any] = _in_scope(scope)
    if status:
        if status not in followup.INCIDENT_STATES:
            raise invalid("status", "Status ska vara open, acknowledged eller resolved.")
        clauses.append(Incident.status == status)
    if source:
        clauses.append(Incident.source.has(Source.name == source))
    if kind:
        clauses.append(Incident.kind == kind)
    return clauses


def list_incidents(
    state: WebState,
    scope: Scope | None,
    *,
    status: str | None = None,
    source: str | None = None,
    kind: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> tuple[int, list[Incident]]:
    """Return (how many of those in ``scope`` match, one page of them, newest first)."""
    clauses = _filters(scope, status, source, kind)
    with state.catalogue.session() as session:
        total = session.scalar(select(func.count()).select_from(Incident).where(*clauses)) or 0
        rows = list(
            session.scalars(
                select(Incident)
                .options(selectinload(Incident.source))
                .where(*clauses)
                .order_by(Incident.id.desc())
                .offset((page - 1) * page_size)
                .limit(page_size)
            )
        )
    return total, rows


def _choices(state: WebState, scope: Scope | None) -> tuple[list[str], list[str]]:
    """Sources and kinds that have incidents in ``scope`` (for the filter form)."""
    within = _in_scope(scope)
    with state.catalogue.session() as session:
        sources = sorted(
            session.scalars(
                select(Source.name)
                .where(Source.id.in_(select(Incident.source_id).where(*within)))
                .distinct()
            )
        )
        kinds = sorted(session.scalars(select(Incident.kind).where(*within).distinct()))
    return sources, kinds


def _empty(value: str | None) -> str | None:
    return value.strip() or None if value else None


@pages.get("/uppfoljning/avvikelser", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    state: State,
    principal: Owner,
    status: StatusFilter = None,
    kalla: TextFilter = None,
    typ: TextFilter = None,
    sida: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    status, kalla, typ = _empty(status), _empty(kalla), _empty(typ)
    scope = scope_of(state, principal)
    total, rows = list_incidents(state, scope, status=status, source=kalla, kind=typ, page=sida)
    sources, kinds = _choices(state, scope)
    pages_total = max(1, -(-total // PAGE_SIZE))

    def page_url(number: int) -> str:
        pairs = [("status", status), ("kalla", kalla), ("typ", typ)]
        query = [(k, v) for k, v in pairs if v] + ([("sida", str(number))] if number > 1 else [])
        return "/uppfoljning/avvikelser" + ("?" + urlencode(query) if query else "")

    json_query = urlencode([(k, v) for k, v in (("status", status), ("source", kalla)) if v])
    return _render(
        request,
        state,
        "incidents.html",
        principal,
        incidents=rows,
        total=total,
        selected={"status": status or "", "kalla": kalla or "", "typ": typ or ""},
        sources=sources,
        kinds=kinds,
        page=sida,
        pages=pages_total,
        page_url=page_url,
        alternates=[
            (
                "application/json",
                "/api/followup/incidents" + ("?" + json_query if json_query else ""),
                "Avvikelserna som JSON",
            )
        ],
    )


def _get_incident(
    state: WebState, scope: Scope | None, incident_id: int
) -> tuple[Incident, list[Any]]:
    from insyn.catalogue.followup_models import IncidentNotification

    with state.catalogue.session() as session:
        incident = session.scalar(
            select(Incident)
            .options(selectinload(Incident.source))
            .where(Incident.id == incident_id, *_in_scope(scope))
        )
        if incident is None:
            raise ApiError(404, "not_found", "Avvikelsen finns inte.")
        notifications = list(
            session.scalars(
                select(IncidentNotification)
                .where(IncidentNotification.incident_id == incident_id)
                .order_by(IncidentNotification.sent_at)
            )
        )
    return incident, notifications


def comment_lines(comment: str | None) -> list[str]:
    return [line for line in (comment or "").splitlines() if line.strip()]


@pages.get("/uppfoljning/avvikelser/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request,
    state: State,
    principal: Owner,
    incident_id: Annotated[int, Path(ge=1, le=2**62)],
) -> HTMLResponse:
    incident, notifications = _get_incident(state, scope_of(state, principal), incident_id)
    return _render(
        request,
        state,
        "incident.html",
        principal,
        incident=incident,
        comments=comment_lines(incident.comment),
        notifications=notifications,
        details=sorted((incident.details or {}).items()),
    )


def _transition(state: WebState, incident_id: int, status: str, by: str, comment: str | None):
    from insyn.followup import notices as notify

    function = followup.acknowledge if status == "acknowledged" else followup.resolve
    function(state.catalogue, incident_id, by, comment)
    notify.notify_incident(state.catalogue, incident_id, status)  # never raises for mail


@pages.post("/uppfoljning/avvikelser/{incident_id}/{action}")
def incident_action(
    request: Request,
    state: State,
    principal: Owner,
    incident_id: Annotated[int, Path(ge=1, le=2**62)],
    action: Annotated[str, Path(max_length=20)],
    posted: PostedForm,
) -> Response:
    form = checked_form(request, principal, posted)
    if action not in ACTIONS:
        raise ApiError(404, "not_found", "Sidan finns inte.")
    comment = form.get("kommentar", "").strip()
    if len(comment) > MAX_COMMENT:
        raise invalid("kommentar", f"Kommentaren får vara högst {MAX_COMMENT} tecken lång.")
    by = principal.username or "-"
    _get_incident(state, scope_of(state, principal), incident_id)  # 404 outside the scope
    try:
        _transition(state, incident_id, ACTIONS[action], by, comment or None)
    except NotFoundError as exc:
        raise ApiError(404, "not_found", "Avvikelsen finns inte.") from exc
    except CatalogueError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc
    return RedirectResponse(f"/uppfoljning/avvikelser/{incident_id}", status_code=303)


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    from insyn.web.present import in_stockholm

    return in_stockholm(value).isoformat()


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "source": incident.source.name if incident.source else None,
        "kind": incident.kind,
        "kind_label": _incident_labels().get(incident.kind, incident.kind),
        "status": incident.status,
        "message": incident.message,
        "created_at": _moment(incident.created_at),
        "acknowledged_at": _moment(incident.acknowledged_at),
        "acknowledged_by": incident.acknowledged_by,
        "resolved_at": _moment(incident.resolved_at),
        "resolved_by": incident.resolved_by,
        "comment": incident.comment,
        "url": f"/uppfoljning/avvikelser/{incident.id}",
    }


@api.get("/api/followup/incidents", summary="Avvikelser (informationsägare)")
def api_incidents(
    state: State,
    principal: Owner,
    status: StatusFilter = None,
    source: TextFilter = None,
    kind: TextFilter = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> dict[str, Any]:
    """Avvikelser från skördningen, nyast först; filtrera på status, källa och typ."""
    total, rows = list_incidents(
        state,
        scope_of(state, principal),
        status=_empty(status),
        source=_empty(source),
        kind=_empty(kind),
        page=page,
    )
    return {"total": total, "page": page, "incidents": [incident_json(row) for row in rows]}


# --- the report -----------------------------------------------------------------------------


def _download(body: bytes, media_type: str, filename: str) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
            ),
            "Cache-Control": "no-store",
        },
    )


@pages.get("/uppfoljning/rapport", response_model=None)
def report_page(
    request: Request,
    state: State,
    principal: Owner,
    owner: Annotated[str | None, Query(max_length=500)] = None,
    period: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    fmt: Annotated[str | None, Query(alias="format", max_length=10)] = None,
) -> Response:
    from insyn.followup import report as rendering
    from insyn.followup.report.figures import build_report, owner_units
    from insyn.web.present import STOCKHOLM

    if fmt not in (None, "", "html", "pdf"):
        raise invalid("format", "Formatet ska vara html eller pdf.")
    year = period or datetime.now(STOCKHOLM).year
    scope = scope_of(state, principal)
    organisations = sorted(
        (o for o in state.catalogue.organisations() if scope is None or o.id in scope.units),
        key=lambda o: o.name_sv.casefold(),
    )
    owner = (owner or "").strip()
    if not owner:
        return _render(
            request,
            state,
            "report_page.html",
            principal,
            organisations=organisations,
            owner="",
            period=year,
            body=None,
            report=None,
        )
    try:
        root, _ = owner_units(state.catalogue, owner)
        if scope is not None and root.id not in scope.units:
            raise NotFoundError(owner)  # another organisation's report: as if it were not there
        report = build_report(state.catalogue, owner, year)
    except NotFoundError as exc:
        raise ApiError(404, "not_found", "Organisationen finns inte.") from exc
    filename = f"uppfoljning-{report.owner}-{year}"
    if fmt == "pdf":
        pdf = rendering.render_pdf(report)
        return _download(pdf, "application/pdf", filename + ".pdf")
    if fmt == "html":
        html = rendering.render_html(report)
        return _download(html.encode("utf-8"), "text/html; charset=utf-8", filename + ".html")
    context = rendering.context(report)
    body = rendering.environment().get_template("_report_body.html").render(**context)
    base = "/uppfoljning/rapport?" + urlencode({"owner": report.owner, "period": year})
    return _render(
        request,
        state,
        "report_page.html",
        principal,
        organisations=organisations,
        owner=report.owner,
        period=year,
        body=Markup(body),  # rendered by the report's own autoescaping environment
        report=report,
        downloads={"pdf": base + "&format=pdf", "html": base + "&format=html"},
    )


@pages.get("/uppfoljning/begaranden", response_class=HTMLResponse)
def request_statistics(
    request: Request,
    state: State,
    principal: Owner,
    period: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> HTMLResponse:
    """Requests per unit and month: answered, on time, late, median working days."""
    from datetime import date

    from insyn.catalogue import requests_log
    from insyn.web.present import STOCKHOLM

    year = period or datetime.now(STOCKHOLM).year
    scope = scope_of(state, principal)
    rows = requests_log.requests_statistics(
        state.catalogue, None, (date(year, 1, 1), date(year, 12, 31))
    )
    if scope is not None:
        rows = [r for r in rows if r.unit_id in scope.units]
    return _render(
        request,
        state,
        "request_statistics.html",
        principal,
        rows=rows,
        period=year,
        outcomes=requests_log.OUTCOMES,
    )


router = APIRouter()
router.include_router(pages)
router.include_router(api)
