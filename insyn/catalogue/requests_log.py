"""The public-access request log (begäran om allmän handling) and Swedish working days.

A registrar logs a request: when and how it came in, who asked (may stay anonymous),
what is asked for, and the unit that handles it; or the public files one from the web
(``file_web_request``: anonymous unless an answer by e-mail or post is wanted), which the
desk shows as new until a registrar has opened it. Matching documents are attached (and
detached); each gets an outcome (released, partly released or refused with the OSL
provisions and, for a refusal, a besvärshänvisning; no such document; not an official
document) and a decision time. A request is answered when every attached document has an
outcome, or, with none attached, when it is closed as "no such document" or "not an
official document".

The law asks for prompt handling (skyndsamt): a request still open after more than one
working day is flagged. Working days exclude weekends, Swedish public holidays
(computed, Easter-based ones included) and the days the law on computing statutory
time (lag 1930:173) treats like them: midsommarafton, julafton and nyårsafton.

``requests_statistics(catalogue, owner, period)`` gives counts and handling times per
unit and month for the follow-up report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from insyn.catalogue.models import Base, CatalogueRecord, Organisation
from insyn.catalogue.store import Catalogue
from insyn.errors import CatalogueError, NotFoundError

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CHANNELS = {
    "e-post": "E-post",
    "telefon": "Telefon",
    "brev": "Brev",
    "besok": "Besök",
    "webb": "Webbformulär",
}
OUTCOMES = {
    "released": "Lämnas ut",
    "redacted": "Lämnas ut delvis (med maskeringar)",
    "refused": "Avslag",
    "no_such_document": "Handlingen finns inte",
    "not_official": "Inte en allmän handling",
}
# Outcomes that close a request with no documents attached.
CLOSING_OUTCOMES = ("no_such_document", "not_official")
WITH_PROVISION = ("refused", "redacted")
DELIVERIES = {
    "e-post": "Med e-post",
    "post": "Med vanlig post",
    "pa-plats": "Hämta eller läsa på plats",
}
WEB_REGISTRAR = "webbformulär"
APPEAL_TEXT = (
    "Om du vill överklaga beslutet ska du skriva till kammarrätten. Skicka skrivelsen till "
    "oss inom tre veckor från den dag du fick del av beslutet. Skriv vilket beslut du "
    "överklagar och hur du vill att det ska ändras."
)


class RequestLogError(CatalogueError):
    """A request or outcome that cannot be logged as given."""


# --- Swedish working days -----------------------------------------------------------------


def easter_sunday(year: int) -> date:
    """Return Easter Sunday of ``year`` (Gregorian; the anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_weekday_from(day: date, weekday: int) -> date:
    """Return the first day on or after ``day`` that falls on ``weekday`` (Monday 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@cache
def swedish_holidays(year: int) -> dict[date, str]:
    """Return the days of ``year`` that are no working days besides weekends, by name."""
    easter = easter_sunday(year)
    midsummer_eve = _first_weekday_from(date(year, 6, 19), 4)  # the Friday 19–25 June
    all_saints = _first_weekday_from(date(year, 10, 31), 5)  # the Saturday 31 Oct–6 Nov
    return {
        date(year, 1, 1): "Nyårsdagen",
        date(year, 1, 6): "Trettondedag jul",
        easter - timedelta(days=2): "Långfredagen",
        easter: "Påskdagen",
        easter + timedelta(days=1): "Annandag påsk",
        date(year, 5, 1): "Första maj",
        easter + timedelta(days=39): "Kristi himmelsfärdsdag",
        easter + timedelta(days=49): "Pingstdagen",
        date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "Midsommarafton",
        midsummer_eve + timedelta(days=1): "Midsommardagen",
        all_saints: "Alla helgons dag",
        date(year, 12, 24): "Julafton",
        date(year, 12, 25): "Juldagen",
        date(year, 12, 26): "Annandag jul",
        date(year, 12, 31): "Nyårsafton",
    }


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in swedish_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Return the number of working days after ``start`` up to and including ``end``."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def _utc(moment: datetime, naive: Any = UTC) -> datetime:
    """Return ``moment`` in UTC, taking a naive one to be in ``naive``'s zone.

    Times are stored in UTC: SQLite keeps no offset, so a local time stored as it is
    would be read back hours off.
    """
    return (moment if moment.tzinfo else moment.replace(tzinfo=naive)).astimezone(UTC)


def _local_day(moment: datetime) -> date:
    return _utc(moment).astimezone(STOCKHOLM).date()


# --- tables -------------------------------------------------------------------------------


class AccessRequest(Base):
    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(20))
    requester: Mapped[str | None] = mapped_column(String(500))  # None: anonymous
    subject: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    registered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Filed from the public web form: how the answer goes out, and the contact details
    # given for it (none when the requester stays anonymous).
    delivery: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    contact_address: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Closed without documents: "no such document" or "not an official document".
    closed_outcome: Mapped[str | None] = mapped_column(String(20))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))

    unit: Mapped[Organisation | None] = relationship()
    documents: Mapped[list[RequestDocument]] = relationship(
        back_populates="request", order_by="RequestDocument.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_access_requests_received", "received_at"),)


class RequestDocument(Base):
    __tablename__ = "access_request_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("access_requests.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text)  # as the registrar saw it when attaching
    outcome: Mapped[str | None] = mapped_column(String(20))
    provision: Mapped[str | None] = mapped_column(String(500))
    appeal: Mapped[str | None] = mapped_column(Text)  # besvärshänvisning of a refusal
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))

    request: Mapped[AccessRequest] = relationship(back_populates="documents")

    __table_args__ = (Index("ix_access_request_documents_request", "request_id"),)


# --- the log ------------------------------------------------------------------------------


@dataclass
class RequestSummary:
    """A request as the log shows it, with its handling time and flag."""

    id: int
    received_at: datetime
    channel: str
    requester: str | None
    subject: str
    unit: str | None
    unit_id: int | None
    registered_by: str
    documents: list[dict[str, Any]]
    answered_at: datetime | None
    handling_days: int  # working days from receipt to answer (or to now, if open)
    overdue: bool  # open after more than one working day, or answered that late
    delivery: str | None = None
    contact_email: str | None = None
    contact_address: str | None = None
    new: bool = False  # filed from the web and not yet opened by a registrar
    closed_outcome: str | None = None
    closed_by: str | None = None

    @property
    def open(self) -> bool:
        return self.answered_at is None

    @property
    def late(self) -> bool:
        """Answered, but after more than one working day."""
        return self.overdue and not self.open

    @property
    def waiting_too_long(self) -> bool:
        """Still open after more than one working day."""
        return self.overdue and self.open

    @property
    def from_web(self) -> bool:
        return self.registered_by == WEB_REGISTRAR

    @property
    def reference(self) -> str:
        return reference(self.id, self.received_at)


def reference(request_id: int, received_at: datetime) -> str:
    """Return the reference a requester quotes: ``BEG-<year>-<number>``."""
    return f"BEG-{_local_day(received_at).year}-{request_id:05d}"


def _summary(request: AccessRequest, now: datetime) -> RequestSummary:
    documents = [
        {
            "id": d.id,
            "record_id": d.record_id,
            "title": d.title,
            "outcome": d.outcome,
            "provision": d.provision,
            "appeal": d.appeal,
            "decided_at": _utc(d.decided_at) if d.decided_at else None,
            "decided_by": d.decided_by,
        }
        for d in request.documents
    ]
    decided = [_utc(d.decided_at) for d in request.documents if d.decided_at is not None]
    answered = (
        max(decided) if request.documents and len(decided) == len(request.documents) else None
    )
    if not request.documents and request.closed_at is not None:
        answered = _utc(request.closed_at)
    end = answered or now
    days = working_days_between(_local_day(request.received_at), _local_day(end))
    return RequestSummary(
        id=request.id,
        received_at=_utc(request.received_at),
        channel=request.channel,
        requester=request.requester,
        subject=request.subject,
        unit=request.unit.name_sv if request.unit else None,
        unit_id=request.unit_id,
        registered_by=request.registered_by,
        documents=documents,
        answered_at=answered,
        handling_days=days,
        overdue=days > 1,
        delivery=request.delivery,
        contact_email=request.contact_email,
        contact_address=request.contact_address,
        new=request.registered_by == WEB_REGISTRAR and request.seen_at is None,
        closed_outcome=request.closed_outcome if not request.documents else None,
        closed_by=request.closed_by if not request.documents else None,
    )


def _checked(channel: str, subject: str, received_at: datetime) -> datetime:
    if channel not in CHANNELS:
        raise RequestLogError(f"Okänt sätt att ta emot begäran: '{channel}'")
    if not subject.strip():
        raise RequestLogError("Ange vad begäran gäller")
    received = _utc(received_at, STOCKHOLM)
    if received > datetime.now(UTC) + timedelta(minutes=5):
        raise RequestLogError("Begäran kan inte ha kommit in i framtiden")
    return received


def log_request(
    catalogue: Catalogue,
    *,
    received_at: datetime,
    channel: str,
    subject: str,
    registered_by: str,
    requester: str | None = None,
    unit_id: int | None = None,
) -> int:
    """Log a request; return its number.

    Raises:
        RequestLogError: unknown channel, no subject, or a receipt in the future.
    """
    received = _checked(channel, subject, received_at)
    with catalogue.session() as session:
        request = AccessRequest(
            received_at=received,
            channel=channel,
            requester=(requester or "").strip() or None,
            subject=subject.strip(),
            unit_id=unit_id,
            registered_by=registered_by,
            created_at=datetime.now(UTC),
        )
        session.add(request)
        session.commit()
        return request.id


def file_web_request(
    catalogue: Catalogue,
    *,
    subject: str,
    record_ids: list[str],
    delivery: str,
    requester: str | None = None,
    email: str | None = None,
    address: str | None = None,
    unit_id: int | None = None,
    store: bool = True,
) -> RequestSummary:
    """File a request from the public web form with ``record_ids`` attached; return it.

    The requester may stay anonymous: contact details are needed only for the chosen way
    of answering (an e-mail address for "e-post", a postal address for "post").
    ``store=False`` checks and answers the same way but writes nothing, with the next
    free number: the receipt for a bot that filled the form's honeypot, which it cannot
    tell from a real one.

    Raises:
        RequestLogError: unknown delivery, no subject, or the contact details the chosen
            delivery needs are missing.
    """
    if delivery not in DELIVERIES:
        raise RequestLogError("Välj hur du vill få handlingen")
    email = (email or "").strip() or None
    address = (address or "").strip() or None
    if delivery == "e-post" and not email:
        raise RequestLogError("Ange en e-postadress om du vill få svaret med e-post")
    if email and ("@" not in email or " " in email or len(email) > 320):
        raise RequestLogError("E-postadressen ser inte ut som en e-postadress")
    if delivery == "post" and not address:
        raise RequestLogError("Ange en postadress om du vill få svaret med post")
    now = datetime.now(UTC)
    _checked("webb", subject, now)
    with catalogue.session() as session:
        request = AccessRequest(
            received_at=now,
            channel="webb",
            requester=(requester or "").strip() or None,
            subject=subject.strip(),
            unit_id=unit_id,
            registered_by=WEB_REGISTRAR,
            created_at=now,
            delivery=delivery,
            contact_email=email,
            contact_address=address,
        )
        for record_id in dict.fromkeys(record_ids):
            row = session.get(CatalogueRecord, record_id)
            if row is not None:
                request.documents.append(RequestDocument(record_id=row.id, title=row.title))
        if not store:
            # Never added to the session: it stays transient and nothing is written.
            request.id = (session.scalar(select(func.max(AccessRequest.id))) or 0) + 1
            return _summary(request, now)
        session.add(request)
        session.commit()
        request_id = request.id
    return get_request(catalogue, request_id)


def mark_seen(catalogue: Catalogue, request_id: int) -> None:
    """Note that a registrar has opened a web request (it is no longer new)."""
    with catalogue.session() as session:
        request = session.get(AccessRequest, request_id)
        if request is not None and request.seen_at is None:
            request.seen_at = datetime.now(UTC)
            session.commit()


def edit_request(
    catalogue: Catalogue,
    request_id: int,
    *,
    received_at: datetime,
    channel: str,
    subject: str,
    requester: str | None = None,
    unit_id: int | None = None,
) -> None:
    """Change what was logged about a request.

    Raises:
        RequestLogError: as ``log_request``, or a receipt after a decision already taken.
        NotFoundError: no such request.
    """
    received = _checked(channel, subject, received_at)
    with catalogue.session() as session:
        request = session.get(AccessRequest, request_id)
        if request is None:
            raise NotFoundError(f"Begäran {request_id} finns inte")
        decided = [_utc(d.decided_at) for d in request.documents if d.decided_at]
        if request.closed_at is not None:
            decided.append(_utc(request.closed_at))
        if decided and received > min(decided):
            raise RequestLogError("Begäran kan inte ha kommit in efter ett beslut om den")
        request.received_at = received
        request.channel = channel
        request.subject = subject.strip()
        request.requester = (requester or "").strip() or None
        request.unit_id = unit_id
        session.commit()


def attach_document(catalogue: Catalogue, request_id: int, record_id: str) -> int:
    """Attach a catalogued record to a request (once); return the attachment's id.

    Attaching a document reopens a request closed without documents.

    Raises:
        NotFoundError: no such request or record.
    """
    with catalogue.session() as session:
        request = session.get(AccessRequest, request_id)
        if request is None:
            raise NotFoundError(f"Begäran {request_id} finns inte")
        row = session.get(CatalogueRecord, record_id)
        if row is None:
            raise NotFoundError(f"Posten '{record_id}' finns inte", record_id=record_id)
        existing = session.scalar(
            select(RequestDocument).where(
                RequestDocument.request_id == request_id, RequestDocument.record_id == record_id
            )
        )
        if existing is not None:
            return existing.id
        attached = RequestDocument(request_id=request_id, record_id=record_id, title=row.title)
        session.add(attached)
        request.closed_outcome = request.closed_at = request.closed_by = None
        session.commit()
        return attached.id


def detach_document(catalogue: Catalogue, request_id: int, attachment_id: int) -> None:
    """Remove an attached document from a request.

    Raises:
        NotFoundError: the request has no such attachment.
    """
    with catalogue.session() as session:
        attached = session.get(RequestDocument, attachment_id)
        if attached is None or attached.request_id != request_id:
            raise NotFoundError(f"Handlingen {attachment_id} finns inte i begäran {request_id}")
        session.delete(attached)
        session.commit()


def _decision_time(decided_at: datetime | None, received_at: datetime) -> datetime:
    now = datetime.now(UTC)
    moment = _utc(decided_at, STOCKHOLM) if decided_at else now
    if moment > now + timedelta(minutes=5):
        raise RequestLogError("Beslutet kan inte ha fattats i framtiden")
    if moment < _utc(received_at):
        raise RequestLogError("Beslutet kan inte ha fattats innan begäran kom in")
    return moment


def record_outcome(
    catalogue: Catalogue,
    attachment_id: int,
    outcome: str,
    *,
    decided_by: str,
    provision: str | None = None,
    decided_at: datetime | None = None,
    appeal: str | None = None,
) -> None:
    """Record the decision on one attached document.

    Raises:
        RequestLogError: unknown outcome, a refusal (or partial release) without a
            provision, or a decision time in the future or before the request came in.
        NotFoundError: no such attachment.

    A refusal keeps ``appeal`` as its besvärshänvisning, ``APPEAL_TEXT`` when none is given.
    """
    if outcome not in OUTCOMES:
        raise RequestLogError(f"Okänt beslut '{outcome}'")
    provision = (provision or "").strip() or None
    appeal = (appeal or "").strip() or None
    if outcome in WITH_PROVISION and not provision:
        raise RequestLogError(
            "Ett avslag eller ett delvis utlämnande ska ange bestämmelsen i OSL, "
            "till exempel 26 kap. 1 § OSL"
        )
    with catalogue.session() as session:
        attached = session.get(RequestDocument, attachment_id)
        if attached is None:
            raise NotFoundError(f"Handlingen {attachment_id} finns inte i någon begäran")
        moment = _decision_time(decided_at, attached.request.received_at)
        attached.outcome = outcome
        attached.provision = provision if outcome in WITH_PROVISION else None
        attached.appeal = (appeal or APPEAL_TEXT) if outcome == "refused" else None
        attached.decided_at = moment
        attached.decided_by = decided_by
        session.commit()


def close_request(
    catalogue: Catalogue,
    request_id: int,
    outcome: str,
    *,
    decided_by: str,
    decided_at: datetime | None = None,
) -> None:
    """Close a request that has no documents: no such document, or not an official one.

    Raises:
        RequestLogError: another outcome, documents are attached (decide on each), or a
            decision time in the future or before the request came in.
        NotFoundError: no such request.
    """
    if outcome not in CLOSING_OUTCOMES:
        raise RequestLogError(
            "En begäran utan handlingar avslutas med ”Handlingen finns inte” "
            "eller ”Inte en allmän handling”"
        )
    with catalogue.session() as session:
        request = session.get(AccessRequest, request_id)
        if request is None:
            raise NotFoundError(f"Begäran {request_id} finns inte")
        if request.documents:
            raise RequestLogError("Begäran har handlingar: fatta beslut om var och en")
        request.closed_at = _decision_time(decided_at, request.received_at)
        request.closed_outcome = outcome
        request.closed_by = decided_by
        session.commit()


def _loaded() -> Any:
    return (
        selectinload(AccessRequest.documents),
        selectinload(AccessRequest.unit),
    )


def get_request(
    catalogue: Catalogue, request_id: int, now: datetime | None = None
) -> RequestSummary:
    """Raises: NotFoundError: no such request."""
    with catalogue.session() as session:
        request = session.scalar(
            select(AccessRequest).options(*_loaded()).where(AccessRequest.id == request_id)
        )
        if request is None:
            raise NotFoundError(f"Begäran {request_id} finns inte")
        return _summary(request, now or datetime.now(UTC))


def list_requests(
    catalogue: Catalogue, *, limit: int = 200, now: datetime | None = None
) -> list[RequestSummary]:
    """Return the latest requests, newest first."""
    with catalogue.session() as session:
        rows = session.scalars(
            select(AccessRequest)
            .options(*_loaded())
            .order_by(AccessRequest.received_at.desc(), AccessRequest.id.desc())
            .limit(limit)
        )
        moment = now or datetime.now(UTC)
        return [_summary(r, moment) for r in rows]


# --- statistics ---------------------------------------------------------------------------


@dataclass
class RequestStatistics:
    """Requests of one unit in one month (by the day they came in, Europe/Stockholm)."""

    unit_id: int | None
    unit: str
    month: str  # "YYYY-MM"
    requests: int = 0
    answered: int = 0
    open: int = 0
    overdue: int = 0  # open or answered after more than one working day
    late: int = 0  # answered after more than one working day
    documents: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    handling_days: list[int] = field(default_factory=list)  # answered requests only

    @property
    def median_handling_days(self) -> float | None:
        days = sorted(self.handling_days)
        if not days:
            return None
        middle = len(days) // 2
        return float(days[middle]) if len(days) % 2 else (days[middle - 1] + days[middle]) / 2


def _units_under(catalogue: Catalogue, owner: int | str) -> set[int]:
    organisations = catalogue.organisations()
    root = next(
        (
            o
            for o in organisations
            if str(o.id) == str(owner) or o.uri == owner or o.name_sv == owner
        ),
        None,
    )
    if root is None:
        raise NotFoundError(f"Ingen organisation heter '{owner}'")
    found = {root.id}
    grew = True
    while grew:
        grew = False
        for organisation in organisations:
            if organisation.parent_id in found and organisation.id not in found:
                found.add(organisation.id)
                grew = True
    return found


def requests_statistics(
    catalogue: Catalogue,
    owner: int | str | None,
    period: tuple[date, date],
    *,
    now: datetime | None = None,
) -> list[RequestStatistics]:
    """Return request statistics per unit and month.

    ``owner`` is an organisation (id, URI or Swedish name) whose requests, and those of
    its units below it, are counted; None counts all. ``period`` is (first day, last day),
    both included, by the day a request came in (Europe/Stockholm). Rows are ordered by
    unit name, then month.

    Raises:
        NotFoundError: ``owner`` names no organisation.
    """
    first, last = period
    units = _units_under(catalogue, owner) if owner is not None else None
    start = _utc(datetime(first.year, first.month, first.day), STOCKHOLM)
    end = _utc(datetime(last.year, last.month, last.day) + timedelta(days=1), STOCKHOLM)
    moment = now or datetime.now(UTC)
    with catalogue.session() as session:
        query = (
            select(AccessRequest)
            .options(*_loaded())
            .where(AccessRequest.received_at >= start, AccessRequest.received_at < end)
        )
        if units is not None:
            query = query.where(AccessRequest.unit_id.in_(sorted(units)))
        summaries = [_summary(r, moment) for r in session.scalars(query)]
    rows: dict[tuple[int | None, str], RequestStatistics] = {}
    for summary in summaries:
        month = _local_day(summary.received_at).strftime("%Y-%m")
        key = (summary.unit_id, month)
        stats = rows.get(key)
        if stats is None:
            stats = rows[key] = RequestStatistics(
                summary.unit_id, summary.unit or "Ingen enhet angiven", month
            )
        stats.requests += 1
        stats.documents += len(summary.documents)
        stats.overdue += summary.overdue
        if summary.open:
            stats.open += 1
        else:
            stats.answered += 1
            stats.handling_days.append(summary.handling_days)
        stats.late += summary.late
        for document in summary.documents:
            if document["outcome"]:
                stats.outcomes[document["outcome"]] += 1
        if summary.closed_outcome:
            stats.outcomes[summary.closed_outcome] += 1
    return sorted(rows.values(), key=lambda s: (s.unit, s.month))
