"""The registrar's desk: every diarienummer form, secrecy marks, audit, request log, CSRF.

A catalogue of the demo datasets plus a secret-marked diarium (``desk_site``) behind the
app, used in process. A registrar signs in with a password (session cookie and CSRF
token, as a browser does); the public asks the same questions and must see nothing of
it beyond the masked diarium entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from fastapi.testclient import TestClient

from insyn.catalogue import accounts, audit, requests_log
from tests.web.desk_site import (
    BN_TITLE,
    PRIVATE_PARTY,
    PROVISION,
    RECORDS,
    SECRET_DOCUMENT,
    SECRET_PARTY,
    SECRET_TITLE,
    make_desk_site,
    seed,
)
from tests.web.support import Site, csrf_of, index_catalogue

HTML = {"Accept": "text/html"}
PASSWORD = "registratorns-långa-lösenord"
SECRETS = (SECRET_TITLE, SECRET_DOCUMENT, SECRET_PARTY, BN_TITLE, PRIVATE_PARTY)
# Each form finds the same records: (query, record ids).
FORMS = [
    ("KS 2024/123", {"case-ks-123", "doc-ks-123-1"}),
    ("KS 2024/00123", {"case-ks-123", "doc-ks-123-1"}),
    ("KS.2024.123", {"case-ks-123", "doc-ks-123-1"}),
    ("ks-2024-123", {"case-ks-123", "doc-ks-123-1"}),
    ("BN-2024-123", {"case-bn-123"}),
    ("2024/123", {"case-ks-123", "doc-ks-123-1", "case-bn-123"}),
    ("dnr:KS 2024", {"case-ks-123", "doc-ks-123-1"}),
]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    site = make_desk_site(tmp_path_factory.mktemp("desk"), "http://testserver")
    accounts.add_user(site.catalogue, "reg", "registrar", password=PASSWORD)
    accounts.add_user(site.catalogue, "agare", "owner", password=PASSWORD)
    yield site
    site.backend.close()
    site.catalogue.close()


def signed_in(site: Site, username: str = "reg") -> TestClient:
    client = TestClient(site.app, base_url="http://testserver")
    csrf = csrf_of(client.get("/logga-in", headers=HTML).text)
    response = client.post(
        "/logga-in",
        data={
            "csrf": csrf,
            "anvandarnamn": username,
            "losenord": PASSWORD,
            "nasta": "/registrator",
        },
        follow_redirects=False,
    )
    # An owner asking for the desk lands where owners work instead.
    landing = "/registrator" if username == "reg" else "/uppfoljning/avvikelser"
    assert response.status_code == 303 and response.headers["location"] == landing
    return client


@pytest.fixture(scope="module")
def registrar(desk: Site) -> TestClient:
    return signed_in(desk)


def last_entry(site: Site) -> int:
    return max((e.id for e in audit.entries(site.catalogue)), default=0)


def audit_since(site: Site, last: int) -> list[audit.AuditEntry]:
    """The entries written after entry ``last``."""
    return [e for e in audit.entries(site.catalogue) if e.id > last]


def hit_ids(page: str) -> set[str]:
    return set(re.findall(r'href="/registrator/poster/([^"]+)"', page))


@pytest.mark.parametrize(("query", "expected"), FORMS)
def test_the_desk_finds_secret_records_by_every_diarienummer_form(
    desk: Site, registrar: TestClient, query: str, expected: set[str]
) -> None:
    page = registrar.get("/registrator", params={"q": query}, headers=HTML)
    assert page.status_code == 200
    assert hit_ids(page.text) == expected
    assert page.headers["cache-control"] == "no-store"
    # The secrecy provision and the parties' real names are shown to the registrar.
    assert SECRET_PARTY in page.text
    if "case-ks-123" in expected:
        assert SECRET_TITLE in page.text and f"Sekretess: {PROVISION}" in page.text
    if "case-bn-123" in expected:
        assert BN_TITLE in page.text and "Sekretess: 21 kap. 3 § OSL" in page.text

    token = accounts.create_token(desk.catalogue, "reg", "api")[1]
    found = registrar.get(
        "/api/registrar/search",
        params={"q": query},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert {h["id"] for h in found["hits"]} == expected
    for hit in found["hits"]:
        assert hit["non_public"] is True and hit["secrecy_provision"].endswith("OSL")
        assert hit["parties"] == [SECRET_PARTY]
    by_id = {h["id"]: h for h in found["hits"]}
    if "doc-ks-123-1" in by_id:
        assert by_id["doc-ks-123-1"]["document_number"] == "1"


@pytest.mark.parametrize(("query", "expected"), FORMS)
def test_the_public_never_sees_what_the_desk_shows(
    desk: Site, query: str, expected: set[str]
) -> None:
    public = TestClient(desk.app, base_url="http://testserver")
    refused = public.get("/registrator", params={"q": query}, headers=HTML)
    assert refused.status_code == 401
    api = public.get("/api/registrar/search", params={"q": query})
    assert api.status_code == 401
    for response in (
        refused,
        api,
        public.get("/sok", params={"q": query}, headers=HTML),
        public.get("/api/search", params={"q": query}),
        public.get("/registrator/poster/case-ks-123", headers=HTML),
        public.get("/datasets/case-ks-123", headers=HTML),
        public.get("/api/records/case-bn-456"),
    ):
        assert response.status_code < 500
        for secret in SECRETS:
            assert secret not in response.text, (query, response.url)
    hits = public.get("/api/search", params={"q": query}).json()["hits"]
    # Secret-marked diarium entries are public only masked (BN 2024/123's too).
    assert {h["id"] for h in hits} <= expected
    assert {h["title"] for h in hits} <= {
        f"Uppgift omfattas av sekretess enligt {PROVISION}",
        "Uppgift omfattas av sekretess enligt 21 kap. 3 § OSL",
    }


def test_a_signed_in_registrar_still_gets_the_public_view_on_public_pages(
    registrar: TestClient,
) -> None:
    for url in ("/sok?q=KS+2024/123", "/datasets/case-ks-123"):
        page = registrar.get(url, headers=HTML)
        assert page.status_code == 200
        assert f"Uppgift omfattas av sekretess enligt {PROVISION}" in page.text
        assert SECRET_TITLE not in page.text and SECRET_PARTY not in page.text


def test_an_owner_is_not_let_in_to_the_desk(desk: Site) -> None:
    owner = signed_in(desk, "agare")
    assert owner.get("/uppfoljning/avvikelser", headers=HTML).status_code == 200
    for url in ("/registrator?q=KS+2024/123", "/registrator/poster/case-ks-123"):
        response = owner.get(url, headers=HTML)
        assert response.status_code == 403
        assert SECRET_TITLE not in response.text and SECRET_PARTY not in response.text


def test_every_registrar_view_of_a_non_public_record_is_audited(
    desk: Site, registrar: TestClient
) -> None:
    start = last_entry(desk)
    page = registrar.get("/registrator/poster/case-ks-123", headers=HTML)
    assert page.status_code == 200
    assert SECRET_TITLE in page.text and SECRET_PARTY in page.text
    assert f"Sekretessmarkerad enligt {PROVISION}" in page.text
    [entry] = audit_since(desk, start)
    assert (entry.actor, entry.role, entry.action, entry.record_id) == (
        "reg",
        "registrar",
        audit.VIEW_RECORD,
        "case-ks-123",
    )
    assert entry.client_address == "testclient"
    assert entry.details == {"public_treatment": "masked"}
    moment = entry.at.replace(tzinfo=entry.at.tzinfo or UTC)
    assert timedelta(0) <= datetime.now(UTC) - moment < timedelta(minutes=1)

    # A public case whose party is a private individual: the public sees "Enskild", the
    # registrar the name, so that view is audited too.
    start = last_entry(desk)
    page = registrar.get("/registrator/poster/case-bn-456", headers=HTML)
    assert PRIVATE_PARTY in page.text
    assert [(e.action, e.record_id) for e in audit_since(desk, start)] == [
        (audit.VIEW_RECORD, "case-bn-456")
    ]

    # A public dataset without personal data is what everyone sees: not audited.
    start = last_entry(desk)
    dataset = next(
        row.id
        for row in desk.visible_rows()
        if row.kind == "dataset" and not row.contains_personal_data
    )
    assert registrar.get(f"/registrator/poster/{dataset}", headers=HTML).status_code == 200
    assert audit_since(desk, start) == []

    # A search that shows non-public records says which, with the query.
    start = last_entry(desk)
    registrar.get("/registrator", params={"q": "BN 2024/456"}, headers=HTML)
    registrar.get("/registrator", params={"q": "Hemligsson"}, headers=HTML)
    searches = audit_since(desk, start)
    assert [(e.action, e.actor, e.client_address) for e in searches] == [
        (audit.SEARCH, "reg", "testclient")
    ] * 2
    assert searches[0].details == {"query": "BN 2024/456", "non_public_shown": ["case-bn-456"]}
    assert set(searches[1].details["non_public_shown"]) == {
        "case-ks-123",
        "doc-ks-123-1",
        "case-bn-123",
    }

    # The JSON API for tokens is audited the same way, under the token's user.
    token = accounts.create_token(desk.catalogue, "reg", "api")[1]
    start = last_entry(desk)
    record = registrar.get(
        "/api/registrar/records/doc-ks-123-1", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert record["title"] == SECRET_DOCUMENT and record["public_treatment"] == "masked"
    assert [(e.action, e.record_id, e.actor) for e in audit_since(desk, start)] == [
        (audit.VIEW_RECORD, "doc-ks-123-1", "reg")
    ]


def test_csrf_is_refused_without_the_session_token(desk: Site, registrar: TestClient) -> None:
    request_id = requests_log.log_request(
        desk.catalogue,
        received_at=datetime.now(UTC) - timedelta(hours=1),
        channel="telefon",
        subject="CSRF-prov",
        registered_by="reg",
    )
    attachment = requests_log.attach_document(desk.catalogue, request_id, "case-bn-456")
    before = len(requests_log.list_requests(desk.catalogue))
    other = signed_in(desk)  # another session of the same user: another token
    foreign = csrf_of(other.get("/registrator", headers=HTML).text)
    own = csrf_of(registrar.get("/registrator", headers=HTML).text)
    assert foreign != own
    posts = [
        (
            "/registrator/begaran",
            {"kanal": "e-post", "arende": "x", "mottagen": "2024-05-02T10:00"},
        ),
        (f"/registrator/begaran/{request_id}/handlingar", {"post": "case-ks-123"}),
        (f"/registrator/begaran/{request_id}/handlingar/{attachment}", {"beslut": "released"}),
        ("/logga-ut", {}),
    ]
    for url, data in posts:
        for token in (None, "", foreign, own[:-1]):
            form = dict(data) if token is None else {**data, "csrf": token}
            response = registrar.post(url, data=form, follow_redirects=False)
            assert response.status_code == 403, (url, token)
            assert response.json()["error"]["code"] == "csrf"
        # The right token, but from another site.
        response = registrar.post(
            url,
            data={**data, "csrf": own},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert response.status_code == 403
    # Nothing was changed, and the session still works.
    assert len(requests_log.list_requests(desk.catalogue)) == before
    item = requests_log.get_request(desk.catalogue, request_id)
    assert [(d["record_id"], d["outcome"]) for d in item.documents] == [("case-bn-456", None)]
    assert registrar.get("/registrator", headers=HTML).status_code == 200


def test_the_request_log_through_the_forms(desk: Site, registrar: TestClient) -> None:
    page = registrar.get("/registrator/begaran", headers=HTML)
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    unit = desk.catalogue.organisations()[0]
    start = last_entry(desk)
    created = registrar.post(
        "/registrator/begaran",
        data={
            "csrf": csrf,
            "mottagen": "2024-06-20T15:00",  # the day before Midsummer Eve
            "kanal": "besok",
            "sokande": "",
            "arende": "Läkarintyg i KS 2024/123",
            "enhet": str(unit.id),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    request_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert [(e.action, e.details) for e in audit_since(desk, start)] == [
        (audit.REQUEST_LOGGED, {"request": request_id})
    ]
    item = requests_log.get_request(desk.catalogue, request_id)
    assert item.requester is None and item.unit == unit.name_sv and item.channel == "besok"
    assert item.received_at == datetime(2024, 6, 20, 13, 0, tzinfo=UTC)  # 15:00 CEST

    # Search from the request, then attach the document found.
    found = registrar.get(
        "/registrator", params={"q": "KS.2024.00123", "begaran": request_id}, headers=HTML
    )
    assert f"begäran nr {request_id}" in found.text
    assert f'action="/registrator/begaran/{request_id}/handlingar"' in found.text
    attached = registrar.post(
        f"/registrator/begaran/{request_id}/handlingar",
        data={"csrf": csrf, "post": "doc-ks-123-1"},
        follow_redirects=False,
    )
    assert attached.status_code == 303
    missing = registrar.post(
        f"/registrator/begaran/{request_id}/handlingar",
        data={"csrf": csrf, "post": "finns-inte"},
        follow_redirects=False,
    )
    assert missing.status_code == 404
    [document] = requests_log.get_request(desk.catalogue, request_id).documents
    assert document["title"] == SECRET_DOCUMENT
    # The request page shows the secret document's title: a view, audited per record.
    start = last_entry(desk)
    assert SECRET_DOCUMENT in registrar.get(f"/registrator/begaran/{request_id}", headers=HTML).text
    assert [(e.action, e.record_id, e.details) for e in audit_since(desk, start)] == [
        (audit.VIEW_RECORD, "doc-ks-123-1", {"request": request_id})
    ]

    decide = f"/registrator/begaran/{request_id}/handlingar/{document['id']}"
    no_provision = registrar.post(
        decide, data={"csrf": csrf, "beslut": "refused", "bestammelse": ""}, follow_redirects=False
    )
    assert no_provision.status_code == 422
    # Said in plain Swedish on the request's own page, with what was chosen kept.
    assert "ska ange bestämmelsen i OSL" in no_provision.text
    assert "Ogiltig" not in no_provision.text and "Begäran nr" in no_provision.text
    assert '<option value="refused" selected>' in no_provision.text
    before_receipt = registrar.post(
        decide,
        data={"csrf": csrf, "beslut": "released", "beslutad": "2024-06-19T10:00"},
        follow_redirects=False,
    )
    assert before_receipt.status_code == 422
    decided = registrar.post(
        decide,
        data={
            "csrf": csrf,
            "beslut": "refused",
            "bestammelse": PROVISION,
            "beslutad": "2024-06-25T09:30",  # two working days later (Mon 24, Tue 25)
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303
    elsewhere = registrar.post(
        f"/registrator/begaran/{request_id}/handlingar/{document['id'] + 1000}",
        data={"csrf": csrf, "beslut": "released"},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 404

    detail = registrar.get(f"/registrator/begaran/{request_id}", headers=HTML).text
    assert "Anonym" in detail and "Avslag (26 kap. 1 § OSL)" in detail
    assert "2 arbetsdagar" in detail and "Sent besvarad, efter mer än en arbetsdag" in detail
    log_page = registrar.get("/registrator/begaran", headers=HTML).text
    row = re.search(
        rf'<tr class="request overdue late">\s*'
        rf'<td data-label="Nr"><a href="/registrator/begaran/{request_id}">.*?</tr>',
        log_page,
        re.S,
    )
    assert row is not None, log_page
    assert (
        "Läkarintyg i KS 2024/123" in row.group()
        and '<td data-label="Arbetsdagar">2</td>' in row.group()
    )
    assert "Besvarad" in row.group()
    assert registrar.get("/registrator/begaran/999999", headers=HTML).status_code == 404


def test_the_desk_pages_are_not_cached(registrar: TestClient) -> None:
    for url in ("/registrator", "/registrator/begaran", "/registrator/poster/case-ks-123"):
        response = registrar.get(url, headers=HTML)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"


def test_the_same_case_from_several_sources_is_one_hit_with_source_labels(
    tmp_path: Path,
) -> None:
    """A diarium harvested twice (the live system and its archive export) gives each case
    twice; the desk lists it once, the other copy beside it, each with its source."""
    site = make_desk_site(tmp_path, "http://testserver")
    try:
        accounts.add_user(site.catalogue, "reg", "registrar", password=PASSWORD)
        archived = {
            "arkiv-bn-456": replace(
                RECORDS["case-bn-456"],
                uri="https://arkiv.exempelby.se/arende/BN-2024-00456",
                title={"sv": "Friggebod, bygglov"},
                diarienummer="BN-2024-00456",
            )
        }
        seed(site.catalogue, archived, source="diarium-arkiv")
        index_catalogue(site.catalogue, site.backend)
        page = signed_in(site).get("/registrator?q=BN+2024%2F456", headers=HTML)
        assert page.status_code == 200
        doc = lxml.html.fromstring(page.text)
        hits = doc.xpath("//ol[@class='hits']/li")
        assert len(hits) == 1, [" ".join(h.text_content().split()) for h in hits]
        text = " ".join(hits[0].text_content().split())
        labels = [e.text_content() for e in hits[0].xpath(".//*[@class='source-label']")]
        # Which copy ranks first may vary; each is labelled with its source.
        assert {label.strip("()").casefold() for label in labels} == {
            "källa: diarium",
            "källa: diarium-arkiv",
        }
        assert "Samma ärende finns också i en källa till:" in text
        links = hits[0].xpath(".//a/@href")
        assert {"/registrator/poster/case-bn-456", "/registrator/poster/arkiv-bn-456"} <= set(links)
        # Counted once, as grouped: on the desk and in the home page's diarium count.
        assert doc.xpath("string(//p[@class='result-count'])") == "1 träff"
        public = TestClient(site.app, base_url="http://testserver")
        home = lxml.html.fromstring(public.get("/", headers=HTML).text)
        lead = " ".join(home.xpath("string(//p[@class='hero-lead'])").split())
        cases = {r.id for r in site.visible_rows() if r.kind in ("case", "document")}
        assert "arkiv-bn-456" in cases  # the archive copy is public, and a row of its own
        assert f"I det offentliga diariet finns {len(cases) - 1} ärenden" in lead, lead
    finally:
        site.backend.close()
        site.catalogue.close()
