"""The public's request for official documents: "Begär ut handlingen" on every case and
document page.

Anyone may ask, anonymously (offentlighetsprincipen: the authority may not ask who you
are or why): contact details are asked for only when the answer is to go out by e-mail
or post. The form files a request in the registrar's log (``requests_log``) with the
record (and, for a case, the documents chosen) attached, and answers with a receipt
carrying a reference; the receipt is e-mailed too when an address is given and SMTP is
configured. Spam is kept out without any outside service: a hidden honeypot field that
people leave empty (a bot that fills it gets a receipt it cannot tell from a real one,
and nothing is stored or sent), and a rate limit per client address far stricter than
the app's.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from insyn.catalogue import requests_log
from insyn.catalogue.models import CatalogueRecord
from insyn.followup.notices import SmtpSettings, send
from insyn.web import access, present, queries
from insyn.web.access import Principal
from insyn.web.auth import PostedForm, checked_form, csrf_token, remember_csrf
from insyn.web.errors import ApiError
from insyn.web.middleware import TokenBuckets
from insyn.web.state import WebState, get_state

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[access.anonymous], include_in_schema=False)
State = Annotated[WebState, Depends(get_state)]
Viewer = Annotated[Principal, Depends(access.allow_anonymous)]
RecordId = Annotated[str, Path(max_length=200)]

KINDS = ("case", "document")
HONEYPOT = "webbplats"  # a field people never see; a bot that fills it files nothing
# Three requests at once, then one every ten minutes, per client address.
PER_MINUTE = 0.1
BURST = 3


def buckets(request: Request) -> TokenBuckets:
    """The form's own token buckets, one set per app (tests may replace them)."""
    app_state = request.app.state
    if getattr(app_state, "request_form_buckets", None) is None:
        app_state.request_form_buckets = TokenBuckets(PER_MINUTE, BURST, max_clients=10_000)
    return app_state.request_form_buckets


def _records(state: WebState, principal: Principal, record_id: str) -> tuple[Any, list[Any]]:
    row = queries.find_record(state.catalogue, principal, record_id, kinds=KINDS)
    documents: list[CatalogueRecord] = []
    if row.kind == "case":
        documents = queries.case_documents(
            state.catalogue, principal, row.diarienummer, row.data.get("diarienummer")
        )
    return row, documents


def _page(
    request: Request,
    state: WebState,
    principal: Principal,
    record_id: str,
    *,
    form: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    from insyn.web.rendering import render

    row, documents = _records(state, principal, record_id)
    form = form or {}
    # Every document of a case is asked for until the requester unticks some.
    chosen = chosen if chosen is not None else [d.id for d in documents]
    response = render(
        request,
        state,
        "request_form.html",
        status,
        row=row,
        documents=documents,
        chosen=chosen,
        form=form,
        error=error,
        deliveries=requests_log.DELIVERIES,
        csrf=csrf_token(request, Principal()),
        honeypot=HONEYPOT,
    )
    remember_csrf(request, response)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/begar-ut/{record_id}", response_class=HTMLResponse)
def request_form(
    request: Request, state: State, principal: Viewer, record_id: RecordId
) -> HTMLResponse:
    return _page(request, state, principal, record_id)


def receipt_message(
    summary: requests_log.RequestSummary, sender: str, titles: list[str]
) -> EmailMessage:
    """The receipt as e-mail: the reference, what was asked for and how it will be answered."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = summary.contact_email or ""
    message["Subject"] = f"Vi har tagit emot din begäran ({summary.reference})"
    received = present.swedish_datetime(summary.received_at)
    lines = [
        "Hej!",
        "",
        f"Vi har tagit emot din begäran om allmän handling {received}.",
        f"Referens: {summary.reference}",
        "",
        f"Du har begärt: {summary.subject}",
        *[f"  – {title}" for title in titles],
        "",
        f"Svaret: {requests_log.DELIVERIES.get(summary.delivery or '', '')}.",
        "En begäran ska handläggas skyndsamt, normalt inom en arbetsdag eller några få.",
        "Ange referensen om du hör av dig om begäran.",
    ]
    message.set_content("\n".join(lines))
    return message


def _mail_receipt(summary: requests_log.RequestSummary, titles: list[str]) -> bool:
    """E-mail the receipt when an address was given and SMTP is configured; True if sent."""
    smtp = SmtpSettings.from_environment()
    if not summary.contact_email or smtp is None:
        return False
    try:
        send(smtp, receipt_message(summary, smtp.sender, titles))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("the receipt of request %d could not be e-mailed: %s", summary.id, exc)
        return False
    return True


@router.post("/begar-ut/{record_id}", response_class=HTMLResponse)
def file_request(
    request: Request, state: State, principal: Viewer, record_id: RecordId, posted: PostedForm
) -> HTMLResponse:
    form = checked_form(request, Principal(), posted)
    wait = buckets(request).take(access.client_address(request) or "-")
    if wait > 0:
        raise ApiError(
            429,
            "rate_limited",
            "Du har skickat många begäranden på kort tid. Vänta en stund och försök igen, "
            "eller ring eller skriv till registratorn.",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    row, documents = _records(state, principal, record_id)
    shown = {d.id: d for d in documents}
    wanted = list(dict.fromkeys(v for k, v in form.items() if k.startswith("handling-")))
    wanted = [d for d in wanted if d in shown]
    asked = [row, *(shown[d] for d in wanted)]
    # What is asked for, by title and number, then what the requester added in words.
    note = form.get("beskrivning", "").strip()
    subject = f"{row.title} ({row.diarienummer or row.id})" + (f": {note}" if note else "")
    caught = bool(form.get(HONEYPOT, "").strip())
    if caught:
        # People never see the field. The bot gets a receipt like anyone's, a reference of
        # the same form included, but nothing is stored and no e-mail goes out.
        log.info("request form: honeypot filled from %s", access.client_address(request))
    try:
        summary = requests_log.file_web_request(
            state.catalogue,
            subject=subject[:5000],
            record_ids=[r.id for r in asked],
            delivery=form.get("leverans", ""),
            requester=form.get("namn", "")[:500] or None,
            email=form.get("epost", "")[:320] or None,
            address=form.get("adress", "")[:2000] or None,
            unit_id=row.owner_id or row.publisher_id,
            store=not caught,
        )
    except requests_log.RequestLogError as exc:
        return _page(
            request,
            state,
            principal,
            record_id,
            form=form,
            chosen=wanted,
            error=str(exc),
            status=422,
        )
    if caught:
        # A new number each time, as a person's next request would get, never one repeated.
        last = getattr(request.app.state, "honeypot_number", 0)
        summary.id = max(summary.id, last + 1)
        request.app.state.honeypot_number = summary.id
    return _receipt(request, state, summary, row, [r.title for r in asked], caught=caught)


def _receipt(
    request: Request,
    state: WebState,
    summary: requests_log.RequestSummary,
    row: Any,
    titles: list[str],
    *,
    caught: bool,
) -> HTMLResponse:
    from insyn.web.rendering import render

    if caught:  # says "mailed" where a person's receipt would, and sends nothing
        mailed = bool(summary.contact_email) and SmtpSettings.from_environment() is not None
    else:
        mailed = _mail_receipt(summary, titles)
    response = render(
        request,
        state,
        "request_receipt.html",
        row=row,
        summary=summary,
        titles=titles,
        mailed=mailed,
        deliveries=requests_log.DELIVERIES,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
