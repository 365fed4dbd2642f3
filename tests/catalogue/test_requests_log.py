"""The public-access request log: Swedish working days, the log itself, and statistics.

Runs on every store (SQLite, and PostgreSQL where it is reachable): times go in as
Europe/Stockholm and must come back as the same moments, whichever store keeps them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from insyn.catalogue import requests_log as log
from insyn.catalogue.requests_log import (
    RequestLogError,
    easter_sunday,
    is_working_day,
    swedish_holidays,
    working_days_between,
)
from insyn.catalogue.store import Catalogue
from insyn.errors import NotFoundError
from insyn.vocab.model import Agent
from tests.web.desk_site import RECORDS, SECRET_DOCUMENT, seed

STHLM = ZoneInfo("Europe/Stockholm")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STHLM)


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2008, date(2008, 3, 23)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2038, date(2038, 4, 25)),  # the latest possible
        (2285, date(2285, 3, 22)),  # the earliest possible
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter
    assert easter.weekday() == 6


def test_the_holidays_of_2024() -> None:
    days = swedish_holidays(2024)
    assert days == {
        date(2024, 1, 1): "Nyårsdagen",
        date(2024, 1, 6): "Trettondedag jul",
        date(2024, 3, 29): "Långfredagen",
        date(2024, 3, 31): "Påskdagen",
        date(2024, 4, 1): "Annandag påsk",
        date(2024, 5, 1): "Första maj",
        date(2024, 5, 9): "Kristi himmelsfärdsdag",
        date(2024, 5, 19): "Pingstdagen",
        date(2024, 6, 6): "Sveriges nationaldag",
        date(2024, 6, 21): "Midsommarafton",
        date(2024, 6, 22): "Midsommardagen",
        date(2024, 11, 2): "Alla helgons dag",
        date(2024, 12, 24): "Julafton",
        date(2024, 12, 25): "Juldagen",
        date(2024, 12, 26): "Annandag jul",
        date(2024, 12, 31): "Nyårsafton",
    }


def test_moving_holidays_fall_on_their_weekday_in_their_window_every_year() -> None:
    for year in range(1990, 2101):
        by_name = {name: day for day, name in swedish_holidays(year).items()}
        ascension = by_name["Kristi himmelsfärdsdag"]
        assert ascension.weekday() == 3 and ascension == easter_sunday(year) + timedelta(39)
        assert by_name["Långfredagen"].weekday() == 4
        midsummer_eve = by_name["Midsommarafton"]
        assert midsummer_eve.weekday() == 4
        assert date(year, 6, 19) <= midsummer_eve <= date(year, 6, 25)
        all_saints = by_name["Alla helgons dag"]
        assert all_saints.weekday() == 5  # a Saturday: no working day is lost to it
        assert date(year, 10, 31) <= all_saints <= date(year, 11, 6)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 3, 28), True),  # Maundy Thursday is a working day
        (date(2024, 3, 29), False),  # Good Friday
        (date(2024, 4, 1), False),  # Easter Monday
        (date(2024, 5, 9), False),  # Ascension Day (a Thursday)
        (date(2024, 5, 10), True),  # the Friday after it
        (date(2024, 6, 6), False),  # National Day on a Thursday
        (date(2026, 6, 5), True),  # 2026: National Day is a Saturday, the Friday works
        (date(2024, 6, 21), False),  # Midsummer Eve
        (date(2026, 6, 19), False),  # Midsummer Eve on the earliest day it can be
        (date(2021, 6, 25), False),  # ... and on the latest
        (date(2021, 6, 18), True),  # the Friday before that is a working day
        (date(2024, 11, 1), True),  # the Friday before All Saints' Day
        (date(2024, 12, 23), True),
        (date(2024, 12, 24), False),  # Christmas Eve
        (date(2024, 12, 27), True),
        (date(2024, 12, 31), False),  # New Year's Eve
        (date(2025, 1, 2), True),
        (date(2025, 1, 6), False),  # Epiphany
        (date(2024, 11, 9), False),  # a Saturday
        (date(2024, 11, 10), False),  # a Sunday
        (date(2024, 11, 11), True),  # a Monday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2024, 11, 11), date(2024, 11, 11), 0),  # same day
        (date(2024, 11, 11), date(2024, 11, 12), 1),
        (date(2024, 11, 8), date(2024, 11, 11), 1),  # Friday to Monday: the weekend is free
        (date(2024, 11, 8), date(2024, 11, 12), 2),
        (date(2024, 11, 9), date(2024, 11, 11), 1),  # received on a Saturday
        (date(2024, 3, 28), date(2024, 4, 2), 1),  # over Easter
        (date(2024, 5, 8), date(2024, 5, 10), 1),  # over Ascension Day
        (date(2024, 6, 5), date(2024, 6, 7), 1),  # over National Day
        (date(2024, 6, 20), date(2024, 6, 24), 1),  # over Midsummer Eve and the weekend
        (date(2024, 12, 23), date(2024, 12, 27), 1),  # over Christmas
        (date(2024, 12, 23), date(2024, 12, 30), 2),
        (date(2024, 12, 30), date(2025, 1, 2), 1),  # over New Year's Eve and Day
        (date(2024, 10, 31), date(2024, 11, 4), 2),  # over All Saints' (Fri, Mon count)
        (date(2024, 11, 12), date(2024, 11, 11), 0),  # an end before the start
    ],
)
def test_working_days_between(start: date, end: date, days: int) -> None:
    assert working_days_between(start, end) == days


# --- the log ------------------------------------------------------------------------------


@pytest.fixture
def records(catalogue: Catalogue) -> Catalogue:
    seed(catalogue, RECORDS)
    return catalogue


def test_a_request_is_logged_attached_decided_and_answered(records: Catalogue) -> None:
    catalogue = records
    request_id = log.log_request(
        catalogue,
        received_at=at(2024, 3, 28, 23, 30),  # late on Maundy Thursday, Stockholm time
        channel="e-post",
        subject="  Alla intyg i ärende KS 2024/123  ",
        requester="   ",  # the requester may stay anonymous
        registered_by="reg",
    )
    item = log.get_request(catalogue, request_id, now=at(2024, 3, 29, 9))
    assert item.requester is None
    assert item.subject == "Alla intyg i ärende KS 2024/123"
    assert item.received_at == at(2024, 3, 28, 23, 30)  # the same moment, on any store
    assert (item.channel, item.registered_by, item.documents) == ("e-post", "reg", [])
    assert item.open and item.answered_at is None

    first = log.attach_document(catalogue, request_id, "doc-ks-123-1")
    assert log.attach_document(catalogue, request_id, "doc-ks-123-1") == first  # once
    second = log.attach_document(catalogue, request_id, "case-bn-456")
    item = log.get_request(catalogue, request_id, now=at(2024, 4, 2, 9))
    assert [d["title"] for d in item.documents] == [
        SECRET_DOCUMENT,
        RECORDS["case-bn-456"].title["sv"],
    ]
    assert [d["record_id"] for d in item.documents] == ["doc-ks-123-1", "case-bn-456"]
    assert all(d["outcome"] is None for d in item.documents)
    # Open over Easter: Good Friday and Easter Monday do not count, Tuesday does.
    assert (item.handling_days, item.overdue) == (1, False)
    assert log.get_request(catalogue, request_id, now=at(2024, 4, 3, 9)).overdue

    # Just after midnight on the Tuesday in Stockholm, still the Monday in UTC.
    log.record_outcome(
        catalogue,
        first,
        "refused",
        provision=" 26 kap. 1 § OSL ",
        decided_by="reg",
        decided_at=at(2024, 4, 2, 0, 30),
    )
    item = log.get_request(catalogue, request_id, now=at(2024, 4, 2, 9))
    assert item.open  # one document still waits for its decision
    refused = item.documents[0]
    assert (refused["outcome"], refused["provision"], refused["decided_by"]) == (
        "refused",
        "26 kap. 1 § OSL",
        "reg",
    )
    assert refused["decided_at"] == at(2024, 4, 2, 0, 30)

    log.record_outcome(
        catalogue,
        second,
        "released",
        provision="ignored",
        decided_by="reg2",
        decided_at=at(2024, 4, 2, 0, 30),
    )
    item = log.get_request(catalogue, request_id, now=at(2024, 6, 1))
    assert not item.open
    assert item.answered_at == at(2024, 4, 2, 0, 30)
    assert item.documents[1]["provision"] is None  # a release names no provision
    # Answered on the first working day after receipt (by Stockholm days, not UTC).
    assert (item.handling_days, item.overdue) == (1, False)

    # A later change of mind is recorded; redaction also needs its provision.
    log.record_outcome(
        catalogue,
        second,
        "redacted",
        provision="21 kap. 7 § OSL",
        decided_by="reg",
        decided_at=at(2024, 4, 4, 15),
    )
    item = log.get_request(catalogue, request_id, now=at(2024, 6, 1))
    assert item.documents[1]["outcome"] == "redacted"
    assert item.answered_at == at(2024, 4, 4, 15)
    assert (item.handling_days, item.overdue) == (3, True)
    assert [r.id for r in log.list_requests(catalogue)] == [request_id]


def test_bad_requests_and_outcomes_are_refused(records: Catalogue) -> None:
    catalogue = records
    kwargs = {"received_at": at(2024, 5, 2), "registered_by": "reg"}
    with pytest.raises(RequestLogError, match="sätt"):
        log.log_request(catalogue, channel="brevduva", subject="x", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(RequestLogError, match="gäller"):
        log.log_request(catalogue, channel="telefon", subject="  ", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(RequestLogError, match="framtiden"):
        log.log_request(
            catalogue,
            received_at=datetime.now(UTC) + timedelta(hours=1),
            channel="telefon",
            subject="x",
            registered_by="reg",
        )
    request_id = log.log_request(catalogue, channel="telefon", subject="x", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        log.attach_document(catalogue, request_id, "finns-inte")
    with pytest.raises(NotFoundError):
        log.attach_document(catalogue, request_id + 100, "case-bn-456")
    attachment = log.attach_document(catalogue, request_id, "case-bn-456")
    with pytest.raises(RequestLogError, match="Okänt beslut"):
        log.record_outcome(catalogue, attachment, "kanske", decided_by="reg")
    for outcome in ("refused", "redacted"):
        with pytest.raises(RequestLogError, match="OSL"):
            log.record_outcome(catalogue, attachment, outcome, decided_by="reg", provision=" ")
    with pytest.raises(RequestLogError, match="innan"):
        log.record_outcome(
            catalogue, attachment, "released", decided_by="reg", decided_at=at(2024, 5, 1)
        )
    with pytest.raises(RequestLogError, match="framtiden"):
        log.record_outcome(
            catalogue,
            attachment,
            "released",
            decided_by="reg",
            decided_at=datetime.now(UTC) + timedelta(days=1),
        )
    with pytest.raises(NotFoundError):
        log.record_outcome(catalogue, attachment + 100, "released", decided_by="reg")
    with pytest.raises(NotFoundError):
        log.get_request(catalogue, request_id + 100)
    # Nothing of the refused calls was kept.
    item = log.get_request(catalogue, request_id)
    assert [d["outcome"] for d in item.documents] == [None]
    assert len(log.list_requests(catalogue)) == 1


# --- statistics ---------------------------------------------------------------------------


def _units(catalogue: Catalogue) -> dict[str, int]:
    base = "https://data.exempelby.se/organisation/"
    agents = [
        Agent(uri=base + "ks", name={"sv": "Kommunstyrelsen"}),
        Agent(uri=base + "soc", name={"sv": "Socialkontoret"}, parent=base + "ks"),
        Agent(uri=base + "ifo", name={"sv": "Individ- och familjeomsorgen"}, parent=base + "soc"),
        Agent(uri=base + "bn", name={"sv": "Byggnadsnämnden"}),
    ]
    with catalogue.session() as session:
        ids = {
            text: catalogue.upsert_organisation(session, a)
            for a in agents
            for text in [a.name["sv"]]
        }
        session.commit()
    return ids  # type: ignore[return-value]


def _answered(
    catalogue: Catalogue, unit: int | None, received: datetime, decided: list[datetime]
) -> int:
    request_id = log.log_request(
        catalogue,
        received_at=received,
        channel="webb",
        subject="s",
        registered_by="r",
        unit_id=unit,
    )
    for record_id, moment in zip(
        ("case-bn-456", "doc-ks-123-1", "case-ks-123"), decided, strict=False
    ):
        attachment = log.attach_document(catalogue, request_id, record_id)
        log.record_outcome(
            catalogue,
            attachment,
            "refused" if record_id != "case-bn-456" else "released",
            provision="26 kap. 1 § OSL",
            decided_by="r",
            decided_at=moment,
        )
    return request_id


def test_statistics_per_unit_and_month_with_median_handling_days(records: Catalogue) -> None:
    catalogue = records
    units = _units(catalogue)
    soc, ifo, bn = (
        units["Socialkontoret"],
        units["Individ- och familjeomsorgen"],
        units["Byggnadsnämnden"],
    )
    # Socialkontoret, March 2024: answered in 0, 1 and 3 working days -> median 1.
    _answered(catalogue, soc, at(2024, 3, 4), [at(2024, 3, 4, 15)])
    _answered(catalogue, soc, at(2024, 3, 4), [at(2024, 3, 5), at(2024, 3, 4, 11)])
    _answered(catalogue, soc, at(2024, 3, 28), [at(2024, 4, 4)])  # over Easter: 3 days
    # Late on the last day of March in Stockholm (already 31 March in UTC too) and one
    # just after midnight on 1 May in Stockholm (still 30 April in UTC): the first is in,
    # the second out of a period ending 30 April.
    still_open = log.log_request(
        catalogue,
        received_at=at(2024, 3, 31, 23, 30),
        channel="brev",
        subject="s",
        registered_by="r",
        unit_id=soc,
    )
    log.log_request(
        catalogue,
        received_at=at(2024, 5, 1, 0, 10),
        channel="brev",
        subject="s",
        registered_by="r",
        unit_id=soc,
    )
    log.log_request(
        catalogue,
        received_at=at(2024, 2, 29, 23, 59),
        channel="brev",
        subject="s",
        registered_by="r",
        unit_id=soc,
    )
    # A unit below Socialkontoret, April: 1 and 4 working days -> median 2.5.
    _answered(catalogue, ifo, at(2024, 4, 8), [at(2024, 4, 9)])
    _answered(catalogue, ifo, at(2024, 4, 8), [at(2024, 4, 12)])
    # Another organisation, not under Kommunstyrelsen.
    _answered(catalogue, bn, at(2024, 4, 8), [at(2024, 4, 8)])
    now = at(2024, 6, 3)

    rows = log.requests_statistics(
        catalogue, "Kommunstyrelsen", (date(2024, 3, 1), date(2024, 4, 30)), now=now
    )
    table = {(r.unit, r.month): r for r in rows}
    assert list(table) == [
        ("Individ- och familjeomsorgen", "2024-04"),
        ("Socialkontoret", "2024-03"),
    ]
    march = table[("Socialkontoret", "2024-03")]
    assert (march.requests, march.answered, march.open) == (4, 3, 1)
    assert sorted(march.handling_days) == [0, 1, 3]
    assert march.median_handling_days == 1.0
    assert march.overdue == 2  # answered in 3 days, and the one still open since March
    assert march.documents == 4
    assert march.outcomes == {
        "released": 3,
        "redacted": 0,
        "refused": 1,
        "no_such_document": 0,
        "not_official": 0,
    }
    april = table[("Individ- och familjeomsorgen", "2024-04")]
    assert (april.requests, april.answered, april.median_handling_days) == (2, 2, 2.5)
    assert april.overdue == 1
    assert log.get_request(catalogue, still_open, now=now).overdue

    # By id or URI as well as by name; None counts every unit.
    by_id = log.requests_statistics(catalogue, soc, (date(2024, 3, 1), date(2024, 4, 30)), now=now)
    assert [(r.unit, r.month) for r in by_id] == list(table)
    everything = log.requests_statistics(
        catalogue, None, (date(2024, 1, 1), date(2024, 12, 31)), now=now
    )
    assert {(r.unit, r.month): r.requests for r in everything} == {
        ("Byggnadsnämnden", "2024-04"): 1,
        ("Individ- och familjeomsorgen", "2024-04"): 2,
        ("Socialkontoret", "2024-02"): 1,
        ("Socialkontoret", "2024-03"): 4,
        ("Socialkontoret", "2024-05"): 1,
    }
    empty = log.requests_statistics(
        catalogue, "Byggnadsnämnden", (date(2024, 5, 1), date(2024, 5, 31))
    )
    assert empty == []
    assert log.RequestStatistics(None, "x", "2024-01").median_handling_days is None
    with pytest.raises(NotFoundError):
        log.requests_statistics(
            catalogue, "Ingen sådan nämnd", (date(2024, 1, 1), date(2024, 1, 31))
        )


def test_a_web_request_is_filed_anonymously_with_its_documents(records: Catalogue) -> None:
    filed = log.file_web_request(
        records,
        subject="Handlingarna i ärende BN 2024/456",
        record_ids=["case-bn-456", "case-bn-456", "ingen-sådan-post"],
        delivery="pa-plats",
    )
    assert filed.requester is None and filed.contact_email is None
    assert filed.channel == "webb" and filed.from_web and filed.new and filed.open
    assert [d["record_id"] for d in filed.documents] == ["case-bn-456"]
    year = filed.received_at.astimezone(STHLM).year
    assert filed.reference == f"BEG-{year}-{filed.id:05d}"
    log.mark_seen(records, filed.id)
    assert not log.get_request(records, filed.id).new

    with pytest.raises(RequestLogError, match="e-postadress"):
        log.file_web_request(records, subject="x", record_ids=[], delivery="e-post")
    with pytest.raises(RequestLogError, match="postadress"):
        log.file_web_request(records, subject="x", record_ids=[], delivery="post")
    with pytest.raises(RequestLogError, match="inte ut som en e-postadress"):
        log.file_web_request(records, subject="x", record_ids=[], delivery="e-post", email="a b")
    with pytest.raises(RequestLogError, match="Välj hur"):
        log.file_web_request(records, subject="x", record_ids=[], delivery="brevduva")


def test_edit_detach_and_close_without_documents(records: Catalogue) -> None:
    request_id = log.log_request(
        records,
        received_at=at(2024, 6, 3),
        channel="telefon",
        subject="Ritningen",
        registered_by="reg",
    )
    log.edit_request(
        records,
        request_id,
        received_at=at(2024, 6, 4),
        channel="e-post",
        subject="Ritningarna",
        requester="Eva",
    )
    item = log.get_request(records, request_id)
    assert (item.channel, item.subject, item.requester) == ("e-post", "Ritningarna", "Eva")
    attachment = log.attach_document(records, request_id, "case-bn-456")
    with pytest.raises(RequestLogError, match="har handlingar"):
        log.close_request(records, request_id, "no_such_document", decided_by="reg")
    log.detach_document(records, request_id, attachment)
    with pytest.raises(NotFoundError):
        log.detach_document(records, request_id, attachment)
    with pytest.raises(RequestLogError, match="Handlingen finns inte"):
        log.close_request(records, request_id, "released", decided_by="reg")
    log.close_request(
        records, request_id, "no_such_document", decided_by="reg", decided_at=at(2024, 6, 7)
    )
    item = log.get_request(records, request_id)
    assert not item.open and item.closed_outcome == "no_such_document"
    assert item.handling_days == 2 and item.late and not item.waiting_too_long  # 6 June: holiday
    with pytest.raises(RequestLogError, match="efter ett beslut"):
        log.edit_request(
            records, request_id, received_at=at(2024, 6, 10), channel="e-post", subject="x"
        )
    # Attaching a document reopens it.
    log.attach_document(records, request_id, "case-bn-456")
    assert log.get_request(records, request_id).open


def test_each_outcome_and_the_besvarshanvisning(records: Catalogue) -> None:
    request_id = log.log_request(
        records,
        received_at=at(2024, 6, 3),
        channel="brev",
        subject="Allt",
        registered_by="reg",
    )
    attachment = log.attach_document(records, request_id, "case-bn-456")
    for outcome in log.OUTCOMES:
        provision = "21 kap. 7 § OSL" if outcome in log.WITH_PROVISION else None
        log.record_outcome(
            records,
            attachment,
            outcome,
            decided_by="reg",
            provision=provision,
            decided_at=at(2024, 6, 3, 15),
        )
        [document] = log.get_request(records, request_id).documents
        assert document["outcome"] == outcome
        assert document["provision"] == provision
        assert (document["appeal"] == log.APPEAL_TEXT) == (outcome == "refused")
    log.record_outcome(
        records,
        attachment,
        "refused",
        decided_by="reg",
        provision="21 kap. 7 § OSL",
        appeal="Överklaga till kammarrätten i Stockholm.",
    )
    [document] = log.get_request(records, request_id).documents
    assert document["appeal"] == "Överklaga till kammarrätten i Stockholm."
    with pytest.raises(RequestLogError, match="bestämmelsen i OSL"):
        log.record_outcome(records, attachment, "redacted", decided_by="reg")
