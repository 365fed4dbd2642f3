"""Follow-up on the web: incidents (list, filters, acknowledge/resolve with CSRF), the
report page and its downloads, and the quality score on public record pages."""

from __future__ import annotations

import contextlib
from datetime import datetime

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from insyn import followup
from insyn.catalogue import accounts, requests_log
from insyn.catalogue.models import Incident, Source
from insyn.followup.report import MONTH_NAMES
from insyn.followup.report.figures import build_report
from insyn.vocab import masking, quality
from insyn.web.access import Role, app_routes, declared_roles
from insyn.web.present import STOCKHOLM
from insyn.web.recordview import quality_view
from tests.web.support import Site, csrf_of

HTML = {"Accept": "text/html"}
PASSWORD = "ett-långt-lösenord-för-ägaren"


def _user(site: Site, name: str, role: str, password: str | None = None) -> None:
    # An owner follows up the whole municipality (its organisation is the tree's root).
    organisations = ["Exempelby kommun"] if role == "owner" else []
    with contextlib.suppress(accounts.AccountError):
        accounts.add_user(
            site.catalogue, name, role, password=password, organisations=organisations
        )


def _token(site: Site, name: str, role: str) -> dict[str, str]:
    _user(site, name, role)
    return {"Authorization": f"Bearer {accounts.create_token(site.catalogue, name)[1]}"}


@pytest.fixture(scope="module")
def owner_client(site: Site) -> TestClient:
    """A browser signed in as an information owner (session cookie, CSRF token)."""
    _user(site, "agare-webb", "owner", PASSWORD)
    client = TestClient(site.app, base_url=site.base_url)
    page = client.get("/logga-in", headers=HTML)
    response = client.post(
        "/logga-in",
        data={
            "csrf": csrf_of(page.text),
            "anvandarnamn": "agare-webb",
            "losenord": PASSWORD,
            "nasta": "/uppfoljning/avvikelser",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/uppfoljning/avvikelser"
    return client


def _open_incident(site: Site, kind: str, message: str, source: str = "exempelby") -> int:
    with site.catalogue.session() as session:
        row = session.scalar(select(Source).where(Source.name == source))
        assert row is not None
        # One open incident per source and kind: resolve any earlier one of the same kind.
        for old in session.scalars(
            select(Incident).where(
                Incident.source_id == row.id, Incident.kind == kind, Incident.status != "resolved"
            )
        ):
            old.status = "resolved"
        session.flush()
        incident = followup.open_incident(session, row, kind, message)
        assert incident is not None
        session.commit()
        return incident.id


def test_routes_are_for_owners_and_admins(site: Site) -> None:
    by_path = {r.path: declared_roles(r) for r in app_routes(site.app)}
    for path in (
        "/uppfoljning/avvikelser",
        "/uppfoljning/avvikelser/{incident_id}",
        "/uppfoljning/avvikelser/{incident_id}/{action}",
        "/uppfoljning/rapport",
        "/api/followup/incidents",
    ):
        assert by_path[path] == {Role.OWNER, Role.ADMIN}, path


def test_the_public_is_sent_to_sign_in_and_a_registrar_is_refused(
    site: Site, client: TestClient
) -> None:
    for path in ("/uppfoljning/avvikelser", "/uppfoljning/rapport?owner=Kommunstyrelsen"):
        assert client.get(path).status_code == 401
        page = client.get(path, headers=HTML)
        assert page.status_code == 401
        doc = lxml.html.fromstring(page.text)
        links = [a.get("href") for a in doc.xpath("//main//a")]
        assert any(href.startswith("/logga-in?nasta=/uppfoljning") for href in links), links
    registrar = _token(site, "reg-uppfoljning", "registrar")
    refused = client.get("/uppfoljning/avvikelser", headers=registrar)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert client.get("/api/followup/incidents").status_code == 401
    owner = _token(site, "agare-api", "owner")
    assert client.get("/uppfoljning/avvikelser", headers={**owner, **HTML}).status_code == 200
    admin = _token(site, "admin-uppfoljning", "admin")
    assert client.get("/api/followup/incidents", headers=admin).status_code == 200


def test_incident_list_filters(site: Site, owner_client: TestClient) -> None:
    failed = _open_incident(site, "run_failed", "Skördningen av exempelby misslyckades: 503")
    unchanged = _open_incident(site, "source_unchanged", "Källan extra har inte ändrats", "extra")
    doc = lxml.html.fromstring(owner_client.get("/uppfoljning/avvikelser", headers=HTML).text)
    assert len(doc.xpath("//h1")) == 1
    for field in doc.xpath("//main//select | //main//input[not(@type='hidden')]"):
        assert doc.xpath(f"//label[@for='{field.get('id')}']"), field.get("name")
    listed = {a.text_content() for a in doc.xpath("//table//td[1]/a")}
    assert {str(failed), str(unchanged)} <= listed

    def ids(query: str) -> set[str]:
        response = owner_client.get(f"/uppfoljning/avvikelser?{query}", headers=HTML)
        assert response.status_code == 200, query
        return {a.text_content() for a in lxml.html.fromstring(response.text).xpath("//td/a")}

    assert str(failed) in ids("kalla=exempelby") and str(unchanged) not in ids("kalla=exempelby")
    assert ids("typ=source_unchanged") >= {str(unchanged)}
    assert str(failed) not in ids("typ=source_unchanged")
    assert str(failed) not in ids("status=resolved")
    assert str(failed) in ids("status=open&kalla=exempelby&typ=run_failed")
    bad = owner_client.get("/uppfoljning/avvikelser?status=glomd", headers=HTML)
    assert bad.status_code == 422
    as_json = owner_client.get("/api/followup/incidents?source=extra").json()
    assert [i["id"] for i in as_json["incidents"]].count(unchanged) == 1
    assert all(i["source"] == "extra" for i in as_json["incidents"])


def test_acknowledge_and_resolve_through_the_forms(site: Site, owner_client: TestClient) -> None:
    number = _open_incident(site, "deletion_guard", "Raderingsspärren stoppade 40 borttagningar")
    page = owner_client.get(f"/uppfoljning/avvikelser/{number}", headers=HTML)
    assert page.status_code == 200 and "Öppen" in page.text
    csrf = csrf_of(page.text)
    # Without the session's CSRF token, or from another site, nothing changes.
    refused = owner_client.post(
        f"/uppfoljning/avvikelser/{number}/kvittera", data={"kommentar": "x"}
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    wrong = owner_client.post(
        f"/uppfoljning/avvikelser/{number}/kvittera", data={"csrf": "fel" * 10, "kommentar": "x"}
    )
    assert wrong.status_code == 403
    other_site = owner_client.post(
        f"/uppfoljning/avvikelser/{number}/kvittera",
        data={"csrf": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    assert _status(site, number) == "open"

    ack = owner_client.post(
        f"/uppfoljning/avvikelser/{number}/kvittera",
        data={"csrf": csrf, "kommentar": "Jag kontaktar leverantören"},
        follow_redirects=False,
    )
    assert ack.status_code == 303 and ack.headers["location"] == f"/uppfoljning/avvikelser/{number}"
    assert _status(site, number) == "acknowledged"
    doc = lxml.html.fromstring(owner_client.get(ack.headers["location"], headers=HTML).text)
    facts = doc.xpath("//dl[contains(@class,'incident-facts')]")[0].text_content()
    assert "Kvitterad" in facts and "av agare-webb" in facts
    assert (
        "Jag kontaktar leverantören"
        in doc.xpath("//ul[@class='incident-comments']")[0].text_content()
    )
    # Once acknowledged only the resolve form is left.
    assert [f.get("action") for f in doc.xpath("//main//form[@class='incident-form']")] == [
        f"/uppfoljning/avvikelser/{number}/atgarda"
    ]
    again = owner_client.post(f"/uppfoljning/avvikelser/{number}/kvittera", data={"csrf": csrf})
    assert again.status_code == 409

    done = owner_client.post(
        f"/uppfoljning/avvikelser/{number}/atgarda",
        data={"csrf": csrf, "kommentar": "Källan är tillbaka"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with site.catalogue.session() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        assert incident.status == "resolved" and incident.resolved_by == "agare-webb"
        assert incident.resolved_at is not None and incident.acknowledged_by == "agare-webb"
    text = owner_client.get(f"/uppfoljning/avvikelser/{number}", headers=HTML).text
    assert "Åtgärdad" in text and "Källan är tillbaka" in text and "incident-form" not in text
    resolved = owner_client.get("/uppfoljning/avvikelser?status=resolved", headers=HTML).text
    assert f'href="/uppfoljning/avvikelser/{number}"' in resolved
    assert owner_client.get("/uppfoljning/avvikelser/999999", headers=HTML).status_code == 404
    missing = owner_client.post("/uppfoljning/avvikelser/999999/atgarda", data={"csrf": csrf})
    assert missing.status_code == 404


def _status(site: Site, number: int) -> str:
    with site.catalogue.session() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        return incident.status


def test_report_page_shows_the_owners_figures_and_downloads(
    site: Site, owner_client: TestClient
) -> None:
    chooser = lxml.html.fromstring(owner_client.get("/uppfoljning/rapport", headers=HTML).text)
    options = chooser.xpath("//select[@name='owner']/option/@value")
    assert "Kommunstyrelsen" in options and "Byggnadsnämnden" in options

    expected = build_report(site.catalogue, "Byggnadsnämnden", 2026)
    response = owner_client.get(
        "/uppfoljning/rapport?owner=Byggnadsn%C3%A4mnden&period=2026", headers=HTML
    )
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    assert doc.xpath("//h1")[0].text_content().strip() == "Byggnadsnämnden"
    key_figures = [s.text_content() for s in doc.xpath("//span[@class='siffra']")]
    assert key_figures[0] == str(expected.records.total)
    assert expected.records.quality is not None
    body = doc.text_content()
    assert f"{expected.records.quality.points:.0f} av 405 poäng" in body
    assert "Jämfört med 2025" in body
    charts = doc.xpath("//img[@class='diagram']/@src")
    assert len(charts) >= 2 and all(src.startswith("data:image/png;base64,") for src in charts)
    links = doc.xpath("//p[@class='report-downloads']/a/@href")
    assert any(link.endswith("&format=pdf") for link in links)

    pdf = owner_client.get(next(link for link in links if link.endswith("format=pdf")))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["content-disposition"]
    html = owner_client.get(next(link for link in links if link.endswith("format=html")))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<style>" in html.text and "Byggnadsnämnden" in html.text

    assert (
        owner_client.get("/uppfoljning/rapport?owner=Ingen+alls", headers=HTML).status_code == 404
    )
    bad = owner_client.get("/uppfoljning/rapport?owner=Kommunstyrelsen&format=docx")
    assert bad.status_code == 422


def test_the_report_shows_handling_times_per_unit_and_month(
    site: Site, owner_client: TestClient
) -> None:
    """The owner's report (page, HTML and PDF downloads, JSON) carries the request
    statistics of /uppfoljning/begaranden, counted by the same code."""
    from datetime import date

    unit = next(o for o in site.catalogue.organisations() if o.name_sv == "Byggnadsnämnden")
    for subject in ("Bygglovsritningar för Storgatan 1", "Beslut om strandskydd"):
        requests_log.file_web_request(
            site.catalogue, subject=subject, record_ids=[], delivery="pa-plats", unit_id=unit.id
        )
    year = datetime.now(STOCKHOLM).year
    expected = requests_log.requests_statistics(
        site.catalogue, unit.id, (date(year, 1, 1), date(year, 12, 31))
    )
    row = next(r for r in expected if r.unit_id == unit.id)
    assert row.requests >= 2 and row.open >= 2
    report = build_report(site.catalogue, "Byggnadsnämnden", year)
    assert report.requests == expected
    assert report.as_json()["requests"][0]["requests"] == expected[0].requests

    url = f"/uppfoljning/rapport?owner=Byggnadsn%C3%A4mnden&period={year}"
    page = lxml.html.fromstring(owner_client.get(url, headers=HTML).text)
    section = page.xpath("//section[h2='4. Begäranden om allmän handling']")[0]
    cells = [[td.text_content() for td in tr.xpath("td")] for tr in section.xpath(".//tbody/tr")]
    month = MONTH_NAMES[int(row.month[5:]) - 1]
    assert ["Byggnadsnämnden", f"{month} {year}", str(row.requests), str(row.answered)] == (
        cells[expected.index(row)][:4]
    )
    total = report.requests_total.requests
    assert f"{total} begäranden om allmän handling kom in {year}." in section.text_content()
    html = owner_client.get(url + "&format=html").text
    assert "4. Begäranden om allmän handling" in html and f"{month} {year}" in html
    # Another year with none says so, in words.
    quiet = owner_client.get(
        "/uppfoljning/rapport?owner=Byggnadsn%C3%A4mnden&period=1990", headers=HTML
    ).text
    assert "Inga begäranden om allmän handling kom in 1990." in quiet


def test_the_report_counts_change_by_whole_numbers() -> None:
    from insyn.followup.report import _trend

    assert _trend(3, 2) == "▲ 1"  # a count, not "▲ 1,0"
    assert _trend(14, 0) == "▲ 14"
    assert _trend(2.5, 2.0, " h") == "▲ 0,5 h"  # a measure keeps its decimal
    assert _trend(1, 1) == "oförändrat" and _trend(None, 1) == "ingen jämförelse"


def test_record_page_shows_the_public_quality_score(site: Site, client: TestClient) -> None:
    row = next(
        r for r in site.visible_rows() if r.kind == "dataset" and r.uri.endswith("/bygglovsarenden")
    )
    score = quality.score_data(masking.public_data(row.data) or {})
    assert score is not None
    doc = lxml.html.fromstring(client.get(f"/datasets/{row.id}", headers=HTML).text)
    panel = doc.xpath("//section[@aria-labelledby='kvalitet']")[0]
    text = panel.text_content()
    assert f"{score.points:.0f} av 405 poäng" in text
    assert score.rating_label in text
    assert len(panel.xpath(".//li[@class='quality-dimension']")) == 5
    assert "Sökbarhet" in text and "Sammanhang" in text
    # The advice on raising the score ("+10 poäng") is for staff, not for the public.
    assert not panel.xpath(".//ol[@class='quality-improvements']")
    staff = quality_view(row, top=3)
    assert staff is not None and staff.improvements[0][0] == score.missing[0].advice
    service = next(r for r in site.visible_rows() if r.kind == "dataservice")
    text = client.get(f"/datasets/{service.id}", headers=HTML).text
    assert 'aria-labelledby="kvalitet"' not in text
