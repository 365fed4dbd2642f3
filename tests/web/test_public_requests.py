"""The public diarium leads somewhere: a case lists its documents, a document links to
its case, and "Begär ut handlingen" files an anonymous request in the registrar's log.

The desk site's diarium (``desk_site``) plus a public document in the public case; the
app in process, as a browser without JavaScript uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import lxml.html
import pytest
from fastapi.testclient import TestClient

from insyn.catalogue import accounts, requests_log
from insyn.vocab.model import PUBLIC, Document, Governance, Party
from insyn.web.middleware import TokenBuckets
from tests.followup.test_notices import Inbox, smtp  # noqa: F401 (the SMTP fixture)
from tests.web.desk_site import (
    KS,
    PRIVATE_PARTY,
    PROVISION,
    PUBLIC_TITLE,
    SECRET_DOCUMENT,
    SECRET_PARTY,
    SECRET_TITLE,
    make_desk_site,
    seed,
)
from tests.web.support import Site, csrf_of

HTML = {"Accept": "text/html"}
PUBLIC_DOCUMENT = "Ansökan om bygglov för friggebod"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = make_desk_site(tmp_path_factory.mktemp("public-requests"), "http://testserver")
    seed(
        site.catalogue,
        {
            "doc-bn-456-1": Document(
                uri="https://diarium.exempelby.se/handling/BN-2024-456-1",
                title={"sv": PUBLIC_DOCUMENT},
                publisher=KS,
                case_diarienummer="BN 2024/456",
                document_number="1",
                date=date(2024, 6, 4),
                direction="incoming",
                document_type="Ansökan",
                parties=[Party(name=PRIVATE_PARTY, role="sökande", is_private_individual=True)],
                governance=Governance(access_rights=PUBLIC),
            )
        },
        source="diarium-handlingar",
    )
    yield site
    site.backend.close()
    site.catalogue.close()


@pytest.fixture
def public(desk: Site) -> TestClient:
    desk.app.state.request_form_buckets = None  # a fresh rate limit per test
    return TestClient(desk.app, base_url="http://testserver")


def test_a_case_lists_its_documents_and_a_document_links_to_its_case(public: TestClient) -> None:
    case = public.get("/datasets/case-bn-456", headers=HTML)
    assert case.status_code == 200
    assert "Handlingar i ärendet" in case.text
    assert 'href="/datasets/doc-bn-456-1"' in case.text and PUBLIC_DOCUMENT in case.text
    assert "BN 2024/456" in case.text and "Bygglovsenheten" in case.text
    assert 'href="/begar-ut/case-bn-456"' in case.text and "Begär ut handlingen" in case.text
    assert PRIVATE_PARTY not in case.text

    document = public.get("/datasets/doc-bn-456-1", headers=HTML)
    assert 'href="/datasets/case-bn-456"' in document.text
    assert "Ingår i ärendet" in document.text

    # A secret case lists its document masked, and is marked in words and an icon.
    secret = public.get("/datasets/case-ks-123", headers=HTML)
    assert 'href="/datasets/doc-ks-123-1"' in secret.text
    assert "mark-secret" in secret.text and f"Sekretessmarkerad: {PROVISION}" in secret.text
    for text in (SECRET_TITLE, SECRET_DOCUMENT, SECRET_PARTY):
        assert text not in secret.text


def test_the_public_sees_no_klassning_or_process_code(public: TestClient) -> None:
    page = public.get("/datasets/case-bn-456", headers=HTML).text
    assert "Konfidentialitet (K)" not in page and "Processkod" not in page
    assert "Innehåller personuppgifter" in page and "Åtkomsträttigheter" in page


def test_an_anonymous_request_is_filed_with_a_receipt(desk: Site, public: TestClient) -> None:
    form = public.get("/begar-ut/case-bn-456", headers=HTML)
    assert form.status_code == 200
    assert PUBLIC_DOCUMENT in form.text and "Du får vara anonym" in form.text
    csrf = csrf_of(form.text)
    response = public.post(
        "/begar-ut/case-bn-456",
        data={
            "csrf": csrf,
            "leverans": "pa-plats",
            "handling-1": "doc-bn-456-1",
            "beskrivning": "Gärna som pdf.",
        },
        headers=HTML,
    )
    assert response.status_code == 200
    reference = re.search(r"BEG-\d{4}-(\d{5})", response.text)
    assert reference is not None and "Tack, vi har tagit emot din begäran" in response.text
    item = requests_log.get_request(desk.catalogue, int(reference.group(1)))
    assert item.requester is None and item.contact_email is None and item.from_web and item.new
    assert [d["record_id"] for d in item.documents] == ["case-bn-456", "doc-bn-456-1"]
    assert item.delivery == "pa-plats" and item.channel == "webb"
    # What is asked for stays named, whatever the requester adds in words.
    assert item.subject == f"{PUBLIC_TITLE} (BN 2024/456): Gärna som pdf."


def test_missing_contact_details_keep_the_input(desk: Site, public: TestClient) -> None:
    csrf = csrf_of(public.get("/begar-ut/doc-bn-456-1", headers=HTML).text)
    before = len(requests_log.list_requests(desk.catalogue))
    response = public.post(
        "/begar-ut/doc-bn-456-1",
        data={"csrf": csrf, "leverans": "e-post", "namn": "Eva Journalist", "beskrivning": "Hej"},
        headers=HTML,
    )
    assert response.status_code == 422
    assert "Ange en e-postadress om du vill få svaret med e-post" in response.text
    assert 'value="Eva Journalist"' in response.text and ">Hej</textarea>" in response.text
    assert len(requests_log.list_requests(desk.catalogue)) == before


def _skeleton(page: str) -> list[tuple[str, str, str]]:
    """The receipt's structure: each element's tag, class and text, with the reference's
    number and the time of receipt (which differ between any two receipts) left out."""
    main = lxml.html.fromstring(page).xpath("//main")[0]
    words = re.compile(r"BEG-\d{4}-\d{5}|\d{1,2} \w+ \d{4}( kl\. \d{1,2}[.:]\d{2})?")
    return [
        (str(e.tag), e.get("class") or "", words.sub("…", (e.text or "").strip()))
        for e in main.iter()
        if isinstance(e.tag, str)
    ]


def test_a_filled_honeypot_gets_a_receipt_like_anyone_and_nothing_is_stored(
    desk: Site,
    public: TestClient,
    smtp: Inbox,  # noqa: F811 (the fixture imported above)
) -> None:
    csrf = csrf_of(public.get("/begar-ut/case-bn-456", headers=HTML).text)
    form = {
        "csrf": csrf,
        "leverans": "e-post",
        "epost": "journalist@example.org",
        "handling-1": "doc-bn-456-1",
    }
    person = public.post("/begar-ut/case-bn-456", data=form, headers=HTML)
    assert person.status_code == 200 and len(smtp.messages) == 1
    before = requests_log.list_requests(desk.catalogue)
    bot = public.post(
        "/begar-ut/case-bn-456", data={**form, "webbplats": "http://spam.example"}, headers=HTML
    )
    assert bot.status_code == 200
    # The same page: a reference of the same form, the same facts, "mailed" as for a person.
    reference = re.search(r"BEG-\d{4}-\d{5}", bot.text)
    assert reference is not None and "Vi har skickat kvittot till" in bot.text
    assert _skeleton(bot.text) == _skeleton(person.text)
    assert bot.headers["cache-control"] == person.headers["cache-control"]
    # Asked again, a new number, as a person would get.
    again = public.post(
        "/begar-ut/case-bn-456", data={**form, "webbplats": "http://spam.example"}, headers=HTML
    )
    second = re.search(r"BEG-\d{4}-\d{5}", again.text)
    assert second is not None and second.group(0) > reference.group(0)
    # Nothing stored, no e-mail sent.
    after = requests_log.list_requests(desk.catalogue)
    assert [r.id for r in after] == [r.id for r in before]
    assert {reference.group(0), second.group(0)}.isdisjoint(r.reference for r in after)
    assert len(smtp.messages) == 1


def test_rate_limit(desk: Site, public: TestClient) -> None:
    csrf = csrf_of(public.get("/begar-ut/doc-bn-456-1", headers=HTML).text)
    before = len(requests_log.list_requests(desk.catalogue))
    desk.app.state.request_form_buckets = TokenBuckets(0.1, 2)
    answers = [
        public.post(
            "/begar-ut/doc-bn-456-1", data={"csrf": csrf, "leverans": "pa-plats"}, headers=HTML
        ).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    assert len(requests_log.list_requests(desk.catalogue)) == before + 2


def test_no_request_form_for_datasets_or_hidden_records(public: TestClient) -> None:
    assert public.get("/begar-ut/ingen-sadan", headers=HTML).status_code == 404
    csrf = csrf_of(public.get("/begar-ut/doc-bn-456-1", headers=HTML).text)
    missing = public.post("/begar-ut/ingen-sadan", data={"csrf": csrf, "leverans": "pa-plats"})
    assert missing.status_code == 404


def test_the_registrar_sees_the_klassning(desk: Site) -> None:
    from tests.web.test_registrar import PASSWORD, signed_in

    accounts.add_user(desk.catalogue, "reg", "registrar", password=PASSWORD)
    page = signed_in(desk).get("/registrator/poster/case-bn-456", headers=HTML).text
    assert "Konfidentialitet (K)" in page and "Riktighet (R)" in page


@pytest.mark.parametrize(
    ("role", "asked", "landing"),
    [
        ("registrar", "", "/registrator"),
        ("owner", "", "/uppfoljning/avvikelser"),
        ("owner", "/registrator", "/uppfoljning/avvikelser"),
        ("admin", "", "/uppfoljning/avvikelser"),
        ("admin", "/registrator/begaran", "/registrator/begaran"),
        ("registrar", "/uppfoljning/rapport", "/registrator"),
    ],
)
def test_each_role_lands_where_it_works(desk: Site, role: str, asked: str, landing: str) -> None:
    from tests.web.test_registrar import PASSWORD

    name = f"{role}-{len(asked)}"
    if name not in {a.username for a, _ in accounts.users(desk.catalogue)}:
        accounts.add_user(desk.catalogue, name, role, password=PASSWORD)
    client = TestClient(desk.app, base_url="http://testserver")
    csrf = csrf_of(client.get("/logga-in", headers=HTML).text)
    response = client.post(
        "/logga-in",
        data={"csrf": csrf, "anvandarnamn": name, "losenord": PASSWORD, "nasta": asked},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == landing
    page = client.get(landing, headers=HTML)
    assert page.status_code == 200 and 'class="staff-nav"' in page.text
    assert "Logga ut" in page.text and 'class="inline-form"' in page.text


def test_the_401_page_is_for_people(public: TestClient) -> None:
    page = public.get("/registrator/begaran", headers=HTML)
    assert page.status_code == 401
    assert 'href="/logga-in?nasta=/registrator/begaran"' in page.text
    assert "Bearer" not in page.text and "Logga in med ditt konto" in page.text


def test_handling_times_per_unit_and_month_for_owners(desk: Site) -> None:
    from tests.web.test_registrar import PASSWORD

    if "stat-admin" not in {a.username for a, _ in accounts.users(desk.catalogue)}:
        accounts.add_user(desk.catalogue, "stat-admin", "admin", password=PASSWORD)
    unit = desk.catalogue.organisations()[0]
    requests_log.file_web_request(
        desk.catalogue, subject="Statistik", record_ids=[], delivery="pa-plats", unit_id=unit.id
    )
    client = TestClient(desk.app, base_url="http://testserver")
    csrf = csrf_of(client.get("/logga-in", headers=HTML).text)
    client.post(
        "/logga-in",
        data={"csrf": csrf, "anvandarnamn": "stat-admin", "losenord": PASSWORD, "nasta": ""},
    )
    page = client.get("/uppfoljning/begaranden", headers=HTML)
    assert page.status_code == 200 and "Handläggningstider för begäranden" in page.text
    assert f'<td data-label="Enhet">{unit.name_sv}</td>' in page.text
    assert TestClient(desk.app).get("/uppfoljning/begaranden", headers=HTML).status_code == 401
