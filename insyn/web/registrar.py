"""The registrar's desk: search everything with secrecy marks, read records, log requests.

Registrars and administrators only (``access.registrar``). Unlike the public routes,
these read the full search partition and the unmasked store, and every view of a
non-public record (and every search that shows one) is written to the audit log with
who, when, what and the client address. Server-rendered forms with CSRF tokens, no
JavaScript. ``/api/registrar/…`` gives the same search and records as JSON for API tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from insyn.catalogue import audit, requests_log
from insyn.catalogue.models import CatalogueRecord, Source
from insyn.catalogue.visibility import of_row
from insyn.errors import NotFoundError
from insyn.search.backends.base import SearchHit
from insyn.search.documents import PUBLIC_FIELD
from insyn.vocab import masking
from insyn.vocab.diarienummer import normalise_diarienummer
from insyn.vocab.model import from_dict, to_dict
from insyn.vocab.visibility import Visibility
from insyn.web import access, queries, schemas
from insyn.web.access import Principal
from insyn.web.auth import PostedForm, checked_form, csrf_token
from insyn.web.errors import ApiError
from insyn.web.recordview import RecordView, Row, Value, record_view
from insyn.web.searching import SearchParams, page_count, run_search
from insyn.web.state import WebState, get_state

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PAGE_SIZE = 20
pages = APIRouter(dependencies=[access.registrar], include_in_schema=False)
api = APIRouter(
    dependencies=[access.registrar],
    responses=schemas.error_responses(401, 403, 404, 422, 429),
    tags=["Registratorn"],
)
State = Annotated[WebState, Depends(get_state)]
Registrar = Annotated[Principal, Depends(access.require_registrar)]


def _render(request: Request, state: WebState, template: str, principal: Principal, **context: Any):
    from insyn.web.rendering import render

    response = render(
        request,
        state,
        template,
        context.pop("status_code", 200),
        user=principal,
        csrf=csrf_token(request, principal),
        channels=requests_log.CHANNELS,
        outcomes=requests_log.OUTCOMES,
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _audit(
    state: WebState, principal: Principal, action: str, record_id: str | None, **details: Any
) -> None:
    audit.record(
        state.catalogue,
        actor=principal.username or "-",
        role=principal.role.value,
        action=action,
        record_id=record_id,
        details=details,
        client_address=principal.client,
    )


def unmasked(row: CatalogueRecord) -> bool:
    """Tell whether a registrar sees more of ``row`` than the public does.

    True for a record the public does not see (hidden), sees masked (secret-marked), or
    sees with private individuals' names, identifiers or personnummer masked: showing
    any of these is a view of non-public information, and audited.
    """
    if of_row(row) is not Visibility.SHOWN:
        return True
    data = {k: v for k, v in (row.data or {}).items() if k != PUBLIC_FIELD}
    return masking.public_data(data) != to_dict(from_dict(data))


def hit_dict(
    hit: SearchHit, row: CatalogueRecord | None = None, source: str = ""
) -> dict[str, Any]:
    """Return a hit as the desk shows it: the secrecy mark and parties come from the store.

    The index keeps the secrecy provision and private individuals' names out of the
    fields it returns with a hit, so they are read from the stored (unmasked) record.
    """
    fields = hit.fields
    data = (row.data or {}) if row is not None else {}
    governance = data.get("governance") or {}
    provision = governance.get("secrecy_provision") or fields.get("secrecy_provision") or ""
    parties = [p["name"] for p in data.get("parties") or [] if p.get("name")]
    # No stored row (the index is behind the store): nothing tells the public sees it.
    non_public = of_row(row) is not Visibility.SHOWN if row is not None else True
    return {
        "id": hit.id,
        "kind": hit.kind,
        "title": hit.title,
        "diarienummer": fields.get("diarienummer") or "",
        "document_number": data.get("document_number") or fields.get("document_number") or "",
        "document_type": fields.get("document_type") or "",
        "responsible_unit": fields.get("responsible_unit") or "",
        "publisher": fields.get("publisher") or "",
        "access_rights": fields.get("access_rights") or "",
        "secrecy_provision": provision,
        "parties": parties,
        "modified": fields.get("modified"),
        "non_public": non_public,
        "audited": unmasked(row) if row is not None else non_public,
        "source": source,
    }


def grouped(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same case or document harvested from several sources as one hit, the others
    beside it (``twins``): same kind, diarienummer and document number (as
    ``queries.count_diarium`` counts them)."""
    first: dict[tuple[str, ...], dict[str, Any]] = {}
    out = []
    for hit in hits:
        number = normalise_diarienummer(hit["diarienummer"]) if hit["diarienummer"] else None
        if number is None or hit["kind"] not in ("case", "document"):
            key: tuple[str, ...] = (hit["id"],)
        else:
            key = (hit["kind"], str(number), hit["document_number"])
        if key in first:
            first[key]["twins"].append(hit)
            continue
        first[key] = {**hit, "twins": []}
        out.append(first[key])
    return out


def _search(
    state: WebState, principal: Principal, q: str, page: int, kind: str | None
) -> tuple[Any, list[dict[str, Any]]]:
    params = SearchParams(
        q=q,
        filters={"kind": [kind]} if kind else {},
        page=page,
        page_size=PAGE_SIZE,
        facets=("kind", "access_rights"),
    )
    params.check(state.config.max_page_size, state.config.max_query_length)
    result = run_search(state, principal, params)
    ids = [hit.id for hit in result.hits]
    with state.catalogue.session() as session:
        rows = {
            row.id: row
            for row in session.scalars(select(CatalogueRecord).where(CatalogueRecord.id.in_(ids)))
        }
        sources = {id_: name for id_, name in session.execute(select(Source.id, Source.name))}
    hits = [
        hit_dict(hit, row := rows.get(hit.id), sources.get(row.source_id, "") if row else "")
        for hit in result.hits
    ]
    shown = [h["id"] for h in hits if h["audited"]]
    if shown:
        _audit(state, principal, audit.SEARCH, None, query=q, non_public_shown=shown)
    return result, hits


@pages.get("/registrator", response_class=HTMLResponse)
def desk(
    request: Request,
    state: State,
    principal: Registrar,
    q: Annotated[str, Query(max_length=500)] = "",
    sida: Annotated[int, Query(ge=1, le=500)] = 1,
    typ: Annotated[str | None, Query(max_length=20)] = None,
    begaran: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    result, hits = (None, [])
    if q or typ:
        result, hits = _search(state, principal, q, sida, typ)
    shown = grouped(hits)
    request_summary = None
    if begaran is not None:
        try:
            request_summary = requests_log.get_request(state.catalogue, begaran)
        except NotFoundError as exc:
            raise ApiError(404, "not_found", "Begäran finns inte.") from exc
    return _render(
        request,
        state,
        "registrar.html",
        principal,
        q=q,
        typ=typ or "",
        result=result,
        hits=shown,
        # A case from two sources is one hit (the copies on this page are folded in).
        total=result.total - (len(hits) - len(shown)) if result else 0,
        page=sida,
        pages=page_count(result.total, PAGE_SIZE) if result else 1,
        request_summary=request_summary,
        kinds={"": "Alla", "case": "Ärenden", "document": "Handlingar", "dataset": "Datamängder"},
    )


def _full_record(state: WebState, principal: Principal, key: str) -> CatalogueRecord:
    row = queries.find_record(state.catalogue, principal, key)
    treatment = of_row(row)
    if unmasked(row) or row.contains_personal_data:
        _audit(state, principal, audit.VIEW_RECORD, row.id, public_treatment=treatment.value)
    return row


def _unmasked_view(view: RecordView, record: Any) -> RecordView:
    """Return the record page's view with the parties' real names (the registrar's view).

    ``record_view`` serves the public pages too and names private individuals "Enskild";
    the registrar must see who they are (the view is audited).
    """
    parties = getattr(record, "parties", None)
    if not parties:
        return view
    names = [
        Value(f"{p.name} ({p.role})" if p.role else p.name)
        if not p.is_private_individual
        else Value(f"{p.name} (enskild{', ' + p.role if p.role else ''})")
        for p in parties
        if p.name
    ]
    view.facts = [Row(r.label, names) if r.label == "Parter" else r for r in view.facts]
    return view


@pages.get("/registrator/poster/{record_id}", response_class=HTMLResponse)
def record_page(
    request: Request,
    state: State,
    principal: Registrar,
    record_id: Annotated[str, Path(max_length=1000)],
) -> HTMLResponse:
    row = _full_record(state, principal, record_id)
    record = from_dict(row.data)
    return _render(
        request,
        state,
        "registrar_record.html",
        principal,
        record=_unmasked_view(record_view(state.catalogue, principal, row, record), record),
        row=row,
        treatment=of_row(row).value,
        secrecy=record.governance.secrecy_provision,
        public_text=masking.secrecy_text(record.governance.secrecy_provision),
    )


# --- the request log ------------------------------------------------------------------------


def _units(state: WebState) -> list[Any]:
    return sorted(state.catalogue.organisations(), key=lambda o: o.name_sv)


@pages.get("/registrator/begaran", response_class=HTMLResponse)
def request_log(request: Request, state: State, principal: Registrar) -> HTMLResponse:
    return _log_page(request, state, principal)


def _log_page(
    request: Request,
    state: WebState,
    principal: Principal,
    form: dict[str, str] | None = None,
    error: str | None = None,
) -> HTMLResponse:
    return _render(
        request,
        state,
        "requests.html",
        principal,
        status_code=422 if error else 200,
        requests=requests_log.list_requests(state.catalogue),
        units=_units(state),
        now=datetime.now(STOCKHOLM).strftime("%Y-%m-%dT%H:%M"),
        form=form or {},
        error=error,
    )


def _moment(text: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise requests_log.RequestLogError(
            f"Ange tiden ({field}) som ÅÅÅÅ-MM-DD TT:MM, till exempel 2024-06-20 15:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)


def _unit(form: dict[str, str]) -> int | None:
    unit = form.get("enhet", "").strip()
    return int(unit) if unit.isdigit() else None


@pages.post("/registrator/begaran")
def new_request(
    request: Request, state: State, principal: Registrar, posted: PostedForm
) -> Response:
    form = checked_form(request, principal, posted)
    try:
        request_id = requests_log.log_request(
            state.catalogue,
            received_at=_moment(form.get("mottagen", ""), "mottagen"),
            channel=form.get("kanal", ""),
            subject=form.get("arende", ""),
            requester=form.get("sokande") or None,
            unit_id=_unit(form),
            registered_by=principal.username or "-",
        )
    except requests_log.RequestLogError as exc:
        return _log_page(request, state, principal, form=form, error=str(exc))
    _audit(state, principal, audit.REQUEST_LOGGED, None, request=request_id)
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


def _summary(state: WebState, request_id: int) -> requests_log.RequestSummary:
    try:
        return requests_log.get_request(state.catalogue, request_id)
    except NotFoundError as exc:
        raise ApiError(404, "not_found", "Begäran finns inte.") from exc


def _request_page(
    request: Request,
    state: WebState,
    principal: Principal,
    request_id: int,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    failed: int | None = None,
) -> HTMLResponse:
    summary = _summary(state, request_id)
    # The page shows the attached documents' titles as harvested: a view of each
    # non-public one, audited per record so that "who saw record X" stays complete.
    ids = [d["record_id"] for d in summary.documents]
    if ids and error is None:
        with state.catalogue.session() as session:
            rows = session.scalars(select(CatalogueRecord).where(CatalogueRecord.id.in_(ids)))
            shown = sorted(row.id for row in rows if unmasked(row))
        for record_id in shown:
            _audit(state, principal, audit.VIEW_RECORD, record_id, request=request_id)
    if summary.new:
        requests_log.mark_seen(state.catalogue, request_id)
    return _render(
        request,
        state,
        "request.html",
        principal,
        status_code=422 if error else 200,
        item=summary,
        units=_units(state),
        deliveries=requests_log.DELIVERIES,
        closing=requests_log.CLOSING_OUTCOMES,
        appeal_text=requests_log.APPEAL_TEXT,
        error=error,
        form=form or {},
        failed=failed,
    )


@pages.get("/registrator/begaran/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, state: State, principal: Registrar, request_id: Annotated[int, Path(ge=1)]
) -> HTMLResponse:
    return _request_page(request, state, principal, request_id)


@pages.post("/registrator/begaran/{request_id}/andra")
def edit(
    request: Request,
    state: State,
    principal: Registrar,
    request_id: Annotated[int, Path(ge=1)],
    posted: PostedForm,
) -> Response:
    form = checked_form(request, principal, posted)
    _summary(state, request_id)
    try:
        requests_log.edit_request(
            state.catalogue,
            request_id,
            received_at=_moment(form.get("mottagen", ""), "mottagen"),
            channel=form.get("kanal", ""),
            subject=form.get("arende", ""),
            requester=form.get("sokande") or None,
            unit_id=_unit(form),
        )
    except requests_log.RequestLogError as exc:
        return _request_page(request, state, principal, request_id, error=str(exc), form=form)
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


@pages.post("/registrator/begaran/{request_id}/avsluta")
def close(
    request: Request,
    state: State,
    principal: Registrar,
    request_id: Annotated[int, Path(ge=1)],
    posted: PostedForm,
) -> Response:
    form = checked_form(request, principal, posted)
    _summary(state, request_id)
    decided = form.get("beslutad", "").strip()
    try:
        requests_log.close_request(
            state.catalogue,
            request_id,
            form.get("beslut", ""),
            decided_by=principal.username or "-",
            decided_at=_moment(decided, "beslutad") if decided else None,
        )
    except requests_log.RequestLogError as exc:
        return _request_page(request, state, principal, request_id, error=str(exc), form=form)
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


@pages.post("/registrator/begaran/{request_id}/handlingar")
def attach(
    request: Request,
    state: State,
    principal: Registrar,
    request_id: Annotated[int, Path(ge=1)],
    posted: PostedForm,
) -> Response:
    form = checked_form(request, principal, posted)
    record_id = form.get("post", "")
    row = queries.find_record(state.catalogue, principal, record_id)
    try:
        requests_log.attach_document(state.catalogue, request_id, row.id)
    except NotFoundError as exc:
        raise ApiError(404, "not_found", "Begäran finns inte.") from exc
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


@pages.post("/registrator/begaran/{request_id}/handlingar/{attachment_id}/ta-bort")
def detach(
    request: Request,
    state: State,
    principal: Registrar,
    request_id: Annotated[int, Path(ge=1)],
    attachment_id: Annotated[int, Path(ge=1)],
    posted: PostedForm,
) -> Response:
    checked_form(request, principal, posted)
    try:
        requests_log.detach_document(state.catalogue, request_id, attachment_id)
    except NotFoundError as exc:
        raise ApiError(404, "not_found", "Handlingen finns inte i begäran.") from exc
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


@pages.post("/registrator/begaran/{request_id}/handlingar/{attachment_id}")
def decide(
    request: Request,
    state: State,
    principal: Registrar,
    request_id: Annotated[int, Path(ge=1)],
    attachment_id: Annotated[int, Path(ge=1)],
    posted: PostedForm,
) -> Response:
    form = checked_form(request, principal, posted)
    summary = _summary(state, request_id)
    if attachment_id not in {d["id"] for d in summary.documents}:
        raise ApiError(404, "not_found", "Handlingen finns inte i begäran.")
    decided = form.get("beslutad", "").strip()
    try:
        requests_log.record_outcome(
            state.catalogue,
            attachment_id,
            form.get("beslut", ""),
            provision=form.get("bestammelse"),
            appeal=form.get("besvarshanvisning"),
            decided_by=principal.username or "-",
            decided_at=_moment(decided, "beslutad") if decided else None,
        )
    except requests_log.RequestLogError as exc:
        return _request_page(
            request, state, principal, request_id, error=str(exc), form=form, failed=attachment_id
        )
    return RedirectResponse(f"/registrator/begaran/{request_id}", status_code=303)


# --- JSON for API tokens ----------------------------------------------------------------------


@api.get("/api/registrar/search", summary="Sök i allt (registrator)")
def api_search(
    state: State,
    principal: Registrar,
    q: Annotated[str, Query(max_length=500)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    kind: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, Any]:
    """Sök bland alla poster, även sekretessmarkerade (loggas)."""
    result, hits = _search(state, principal, q, page, kind)
    return {"query": q, "total": result.total, "page": page, "hits": hits}


@api.get("/api/registrar/records/{record_id:path}", summary="Hämta en post (registrator)")
def api_record(state: State, principal: Registrar, record_id: str) -> dict[str, Any]:
    """Hela posten som den skördades (loggas om den inte är offentlig)."""
    row = _full_record(state, principal, record_id)
    data = dict(row.data)
    data.pop(PUBLIC_FIELD, None)
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "public_treatment": of_row(row).value,
        "record": data,
    }


router = APIRouter()
router.include_router(pages)
router.include_router(api)
