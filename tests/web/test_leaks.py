"""Leak suite: internal descriptions, secret-marked details and personal data never reach
an anonymous user.

Two catalogues are built from the demo: ``shown`` adds diarium records and a dataset
the public sees masked (secret-marked), a dataset with a personnummer in its
description and one whose data is not public (listed with its access right); ``full``
adds, on top, records whose description is internal, which the public must never see.
Every record carries unique canary strings in every field that must not be shown. Every
public route of the app is then requested as an anonymous user (the test fails if a GET
route is left out): search, facets, suggestions, record pages and RDF by id and by URI
(guessed ones too), every feed page in every format, Atom, the CKAN API, organisation
pages, error pages and OpenAPI. No canary may appear, and every count and facet number
of ``full`` must equal ``shown``'s.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from insyn.catalogue.models import CatalogueRecord
from insyn.catalogue.store import Catalogue
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.settings import load_settings
from insyn.vocab.model import (
    NON_PUBLIC,
    PUBLIC,
    RESTRICTED,
    Agent,
    Attachment,
    Case,
    Dataset,
    Distribution,
    Document,
    Governance,
    Party,
    Record,
)
from insyn.web.access import ALL_ROLES, app_routes, declared_roles
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from tests.web import desk_site
from tests.web.support import harvest_demo, index_catalogue

KLK = Agent(uri="https://data.exempelby.se/organisation/kommunstyrelsen", name={"sv": "KS"})
PNR = "19121212-1212"  # a valid (Luhn) test personnummer
PNR_FORMS = ("121212-1212", "1212121212", "19121212-1212", "191212121212")
SAMORDNING = "701063-2391"  # day 63 = 3 + 60; Luhn-valid
PROVISION = "26 kap. 1 § OSL"


def canary(name: str) -> str:
    return f"kanarie{name}{uuid.uuid4().hex[:10]}"


def letter_canary(name: str) -> str:
    """A canary of letters only, as a name or a street name is written."""
    return f"kanarie{name}" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:10])


C = {
    name: canary(name)
    for name in (
        "dsdold",
        "dsdoldtext",
        "motsagelse",
        "begrarende",
        "hemligtarende",
        "hemligbeskrivning",
        "hemligpart",
        "hemligextra",
        "hemlighandling",
        "hemligbilaga",
        "hemligsokord",
        "privatperson",
        "privatid",
        "hemligdata",
        "hemligdatatext",
        "hemligdist",
    )
}
# A private applicant's last name and street, written in titles in other cases and forms
# ("Kanarie…s", "Kanarie…gatan 8 B"): checked in any case.
PRIVATE = {name: letter_canary(name) for name in ("sokande", "gata", "mottagare")}
C.update(PRIVATE)
APPLICANT = f"Anna-Karin {PRIVATE['sokande'].capitalize()}"
STREET = f"{PRIVATE['gata'].capitalize()}gatan 8 B, 123 45 Exempelby"
PUBLIC_TITLE = "Ansökan om färdtjänst"


def shown_records() -> list[tuple[str, Record]]:
    """Records the public sees: secret-marked diarium entries masked, personal data masked."""
    secret = Governance(access_rights=NON_PUBLIC, secrecy_provision=PROVISION)
    return [
        (
            "case-hemlig",
            Case(
                uri="https://diarium.exempelby.se/arende/KS-2024-777",
                title={"sv": f"Placering av barn {C['hemligtarende']}"},
                description={"sv": f"Utredning {C['hemligbeskrivning']}"},
                keyword={"sv": [C["hemligsokord"]]},
                publisher=KLK,
                diarienummer="KS 2024/777",
                diarienummer_normalised="KS 2024/777",
                opened=date(2024, 5, 2),
                responsible_unit="Socialkontoret",
                parties=[Party(name=C["hemligpart"], role="part", is_private_individual=True)],
                extras={"sekretess_förklaring": [C["hemligextra"]]},
                governance=secret,
            ),
        ),
        (
            "doc-hemlig",
            Document(
                uri="https://diarium.exempelby.se/handling/KS-2024-777-1",
                title={"sv": f"Läkarintyg {C['hemlighandling']}"},
                publisher=KLK,
                case_diarienummer="KS 2024/777",
                document_number="1",
                date=date(2024, 5, 3),
                direction="incoming",
                document_type="Intyg",
                parties=[Party(name=C["hemligpart"], role="avsändare")],
                attachments=[Attachment(name=f"{C['hemligbilaga']}.pdf", format="PDF")],
                governance=Governance(access_rights=NON_PUBLIC, secrecy_provision=PROVISION),
            ),
        ),
        (
            "case-offentlig",
            Case(
                uri="https://diarium.exempelby.se/arende/BN-2024-900",
                title={"sv": "Bygglov för nybyggnad av carport"},
                description={"sv": f"Sökande har personnummer {PNR}, medsökande {SAMORDNING}."},
                publisher=KLK,
                diarienummer="BN 2024/900",
                diarienummer_normalised="BN 2024/900",
                opened=date(2024, 6, 1),
                parties=[
                    Party(
                        name=f"Anna {C['privatperson']}",
                        role="sökande",
                        is_private_individual=True,
                        identifier=C["privatid"],
                    ),
                    Party(name="Byggbolaget AB", role="entreprenör"),
                ],
                governance=Governance(access_rights=PUBLIC, contains_personal_data=True),
            ),
        ),
        (
            "case-sokande",
            Case(
                uri="https://diarium.exempelby.se/arende/SN-2024-901",
                title={"sv": f"Ansökan om bostadsanpassningsbidrag – {APPLICANT}, {STREET}"},
                description={"sv": f"{PRIVATE['sokande'].upper()}S ansökan gäller {STREET}."},
                keyword={"sv": [f"Anna Karin {PRIVATE['sokande']}"]},
                publisher=KLK,
                diarienummer="SN 2024/901",
                diarienummer_normalised="SN 2024/901",
                opened=date(2024, 6, 2),
                parties=[Party(name=APPLICANT, role="sökande", is_private_individual=True)],
                extras={"titel_alternative": [f"Bidrag {APPLICANT}"]},
                governance=Governance(access_rights=PUBLIC),
            ),
        ),
        (
            "doc-sokande",
            # As the ERMS profile and the CSV connector store it: no party of its own, the
            # case's private party carried along.
            Document(
                uri="https://diarium.exempelby.se/handling/SN-2024-901-1",
                title={"sv": f"Intyg för anna karin {PRIVATE['sokande']}, {STREET}"},
                description={"sv": f"Till {PRIVATE['mottagare'].capitalize()}, Olle"},
                publisher=KLK,
                case_diarienummer="SN 2024/901",
                document_number="1",
                date=date(2024, 6, 3),
                direction="incoming",
                document_type="Intyg",
                parties=[
                    Party(name=APPLICANT, role="part i ärendet", is_private_individual=True),
                    Party(
                        name=f"Olle {PRIVATE['mottagare'].capitalize()}",
                        role="mottagare",
                        is_private_individual=True,
                    ),
                ],
                attachments=[Attachment(name=f"intyg-{PRIVATE['sokande']}.pdf", format="PDF")],
                governance=Governance(access_rights=PUBLIC),
            ),
        ),
        (
            "case-publik-titel",
            Case(
                uri="https://diarium.exempelby.se/arende/SN-2024-902",
                title={"sv": f"Färdtjänst för {APPLICANT}, {STREET}"},
                public_title={"sv": PUBLIC_TITLE},
                publisher=KLK,
                diarienummer="SN 2024/902",
                diarienummer_normalised="SN 2024/902",
                opened=date(2024, 6, 4),
                parties=[Party(name=APPLICANT, role="sökande", is_private_individual=True)],
                governance=Governance(access_rights=PUBLIC),
            ),
        ),
        (
            "ds-hemlig",
            Dataset(
                uri="https://data.exempelby.se/dataset/orosanmalningar-2024",
                title={"sv": f"Orosanmälningar {C['hemligdata']}"},
                description={"sv": f"Alla anmälningar {C['hemligdatatext']}"},
                keyword={"sv": [C["hemligdatatext"]]},
                publisher=KLK,
                distributions=[
                    Distribution(
                        title={"sv": C["hemligdist"]},
                        access_url=f"https://data.exempelby.se/{C['hemligdist']}",
                    )
                ],
                governance=Governance(access_rights=NON_PUBLIC, secrecy_provision=PROVISION),
            ),
        ),
        (
            "ds-ej-offentlig",
            Dataset(
                uri="https://data.exempelby.se/dataset/bygglovsarkiv",
                title={"sv": "Bygglovsarkiv"},
                description={"sv": "Inskannade bygglovshandlingar."},
                publisher=KLK,
                governance=Governance(access_rights=RESTRICTED),
            ),
        ),
        (
            "ds-pnr",
            Dataset(
                uri="https://data.exempelby.se/dataset/kontaktlista",
                title={"sv": "Kontaktlista föreningsbidrag"},
                description={"sv": f"Exempel på rad: {PNR}; kontakt 121212-1212."},
                publisher=KLK,
                governance=Governance(access_rights=PUBLIC),
            ),
        ),
    ]


def hidden_records() -> list[tuple[str, Record]]:
    """Records the public never sees, not even as a count: their descriptions are internal."""
    return [
        (
            "ds-dold",
            Dataset(
                uri=f"https://data.exempelby.se/dataset/{C['dsdold']}",
                title={"sv": f"Skyddade adresser {C['dsdold']}"},
                description={"sv": f"Intern {C['dsdoldtext']}"},
                keyword={"sv": [C["dsdoldtext"]]},
                publisher=KLK,
                theme=["http://publications.europa.eu/resource/authority/data-theme/SOCI"],
                governance=Governance(access_rights=NON_PUBLIC, description_visibility="internal"),
            ),
        ),
        (
            "ds-motsagelse",
            Dataset(
                uri=f"https://data.exempelby.se/dataset/{C['motsagelse']}",
                title={"sv": f"Lönelista {C['motsagelse']}"},
                publisher=KLK,
                governance=Governance(
                    access_rights=PUBLIC,
                    secrecy_provision="39 kap. 3 § OSL",
                    description_visibility="internal",
                ),
            ),
        ),
        (
            "case-begransad",
            Case(
                uri=f"https://diarium.exempelby.se/arende/{C['begrarende']}",
                title={"sv": f"Internt ärende {C['begrarende']}"},
                publisher=KLK,
                diarienummer="KS 2024/888",
                diarienummer_normalised="KS 2024/888",
                opened=date(2024, 5, 9),
                governance=Governance(access_rights=RESTRICTED, description_visibility="internal"),
            ),
        ),
    ]


def seed(catalogue: Catalogue, records: list[tuple[str, Record]], source: str) -> None:
    """Store records as a harvest would, each under an id made unique from its key."""
    desk_site.seed(
        catalogue, {f"{key}-{uuid.uuid4().hex[:8]}": record for key, record in records}, source
    )


def build(work: Path, *, hidden: bool) -> tuple[TestClient, Catalogue, EmbeddedBackend]:
    settings = load_settings(home=work, base_url="http://testserver")
    catalogue = Catalogue(settings.catalogue_url)
    harvest_demo(catalogue, work, extras=False)
    seed(catalogue, shown_records(), "diarium")
    if hidden:
        seed(catalogue, hidden_records(), "hemligt")
    backend = EmbeddedBackend(work / "search")
    index_catalogue(catalogue, backend)
    app = create_app(
        settings, catalogue=catalogue, backend=backend, config=WebConfig(rate_limit_per_minute=0)
    )
    return TestClient(app, base_url="http://testserver"), catalogue, backend


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Any:
    full = build(tmp_path_factory.mktemp("full"), hidden=True)
    shown = build(tmp_path_factory.mktemp("shown"), hidden=False)
    yield full[0], shown[0], full[1]
    for _, catalogue, backend in (full, shown):
        backend.close()
        catalogue.close()


FORBIDDEN = [*C.values(), *PNR_FORMS, SAMORDNING, "7010632391"]
HTML = {"Accept": "text/html"}


def assert_clean(text: str, where: str, echoed: str = "") -> None:
    if echoed:
        for form in (echoed, quote(echoed), quote(echoed, safe=""), echoed.replace(" ", "+")):
            text = text.replace(form, "")
    for string in FORBIDDEN:
        assert string not in text, f"{where} leaks {string!r}"
    lowered = text.casefold()
    for string in PRIVATE.values():
        assert string not in lowered, f"{where} leaks {string!r} (in some case)"


def all_rows(catalogue: Catalogue) -> list[CatalogueRecord]:
    with catalogue.session() as session:
        return list(session.query(CatalogueRecord))


def crawl(client: TestClient, catalogue: Catalogue) -> set[str]:
    """Request every public page and API with every guess; return the route paths hit."""
    rows = all_rows(catalogue)
    seen_routes: set[str] = set()
    organisations = [o["slug"] for o in client.get("/api/organisations").json()["organisations"]]
    keys = [r.id for r in rows] + [r.uri for r in rows if r.uri] + [uuid.uuid4().hex]
    queries = [
        *C.values(),
        *(v.capitalize() for v in PRIVATE.values()),
        APPLICANT,
        "KS 2024/777",
        "KS 2024/888",
        "SN 2024/901",
        "dnr:KS 2024",
        "Enskild",
        "kanarie",
        "Ansökan om bostadsanpassningsbidrag",
        "Anna-Karin",
    ]
    requests: list[tuple[str, dict[str, str], str]] = []

    def add(url: str, headers: dict[str, str] | None = None, echoed: str = "") -> None:
        requests.append((url, headers or {}, echoed))

    for q in queries:
        add(f"/api/search?q={quote(q)}&page_size=100", echoed=q)
        add(f"/sok?q={quote(q)}", HTML, q)
        add(f"/api/3/action/package_search?q={quote(q)}&rows=1000", echoed=q)
        add(f"/api/suggest?q={quote(q[:7])}", echoed=q[:7])
        add(f"/api/3/action/package_show?id={quote(q)}", echoed=q)
    add("/api/search?page_size=100&facet=publisher&facet=theme&facet=access_rights&facet=kind")
    for page in range(1, 6):
        add(f"/api/search?page_size=100&page={page}&sort=title")
    add("/api/search?kind=case&kind=document&page_size=100")
    add("/", HTML)
    add("/sok?typ=case", HTML)
    add("/sok?sortering=senast", HTML)
    add("/organisationer", HTML)
    add("/om", HTML)
    add("/robots.txt")
    add("/favicon.ico")
    add("/static/insyn.css")
    add("/health")
    add("/openapi.json")
    add("/api/organisations")
    for slug in organisations:
        add(f"/organisationer/{slug}", HTML)
        add(f"/api/organisations/{slug}")
        add(f"/api/3/action/organization_show?id={slug}&include_datasets=true")
    for key in keys:
        for path in ("/api/records/{}", "/datasets/{}", "/datasets/{}.ttl", "/datasets/{}.jsonld"):
            add(path.format(key), echoed=key)
            add(path.format(key), HTML, key)
        add(f"/api/3/action/package_show?id={quote(key)}", echoed=key)
        add(f"/catalog/{key}", echoed=key)
        add(f"/begar-ut/{key}", HTML, key)
    for ext in ("", ".ttl", ".rdf", ".jsonld", ".nt"):
        for page in range(1, 8):
            add(f"/catalog{ext}?page={page}&page_size=10")
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        add("/catalog?page_size=500", {"Accept": accept})
    add("/catalog.atom")
    for action in ("package_list", "organization_list?all_fields=true", "status_show"):
        add(f"/api/3/action/{action}")
        add(f"/api/3/{action}")
        add(f"/api/action/{action}")
    add("/api/3/action/package_search?rows=1000&fq=organization:kommunstyrelsen")
    add("/finns-inte", HTML)
    add("/api/search?page_size=0")
    add("/api/records/", HTML)
    add("/logga-in", HTML)
    add("/metrics")
    for url, headers, echoed in requests:
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        assert_clean(response.text, url, echoed)
        assert_clean(json.dumps(dict(response.headers)), url + " (headers)", echoed)
        route = response.request.url.path
        seen_routes.add(route)
    return seen_routes


def public_get_routes(client: TestClient) -> list[APIRoute]:
    return [
        r
        for r in app_routes(client.app)  # type: ignore[arg-type]
        if isinstance(r, APIRoute) and declared_roles(r) == set(ALL_ROLES) and "GET" in r.methods
    ]


def test_no_canary_on_any_public_route(sites: Any) -> None:
    full, _, catalogue = sites
    paths = crawl(full, catalogue)
    unreached = []
    for route in public_get_routes(full):
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", ".+", route.path) + "$")
        if not any(pattern.match(path) for path in paths):
            unreached.append(route.path)
    # The OIDC routes answer 404 while no identity provider is configured (tested elsewhere).
    assert set(unreached) <= {"/logga-in/oidc", "/logga-in/oidc/callback"}, unreached


def counts(client: TestClient) -> dict[str, Any]:
    search = client.get(
        "/api/search",
        params=[
            ("facet", f)
            for f in (
                "publisher",
                "owner",
                "theme",
                "format",
                "access_rights",
                "licence",
                "kind",
                "year",
            )
        ],
    ).json()
    ttl = client.get("/catalog.ttl?page_size=500").text
    return {
        "total": search["total"],
        "facets": search["facets"],
        "organisations": [
            (o["slug"], o["records"])
            for o in client.get("/api/organisations").json()["organisations"]
        ],
        "ckan": len(client.get("/api/3/action/package_list").json()["result"]),
        "ckan_search": client.get("/api/3/action/package_search?rows=0").json()["result"]["count"],
        "feed_total": re.findall(r"totalItems\s+(\d+)", ttl),
        "suggest": client.get("/api/suggest?q=in").json()["suggestions"],
        "diarium": client.get("/api/search?kind=case&kind=document").json()["total"],
        "ks": client.get("/api/search", params={"q": "KS 2024"}).json()["total"],
    }


def test_counts_and_facets_equal_a_catalogue_without_the_hidden_records(sites: Any) -> None:
    full, shown, _ = sites
    assert counts(full) == counts(shown)


def test_the_public_diarium_shows_secret_marked_entries_masked(sites: Any) -> None:
    full, _, _ = sites
    hits = full.get("/api/search", params={"q": "KS 2024/777"}).json()["hits"]
    assert {h["kind"] for h in hits} == {"case", "document"}
    masked = f"Uppgift omfattas av sekretess enligt {PROVISION}"
    assert {h["title"] for h in hits} == {masked}
    case = next(h for h in hits if h["kind"] == "case")
    record = full.get(f"/api/records/{case['id']}").json()["record"]
    assert record["diarienummer"] == "KS 2024/777"
    assert record["responsible_unit"] == "Socialkontoret"
    assert [p["name"] for p in record["parties"]] == ["Enskild"]  # a private individual
    page = full.get(f"/datasets/{case['id']}", headers=HTML).text
    assert masked in page and "KS 2024/777" in page
    # The internal case is not there at all.
    assert full.get("/api/search", params={"q": "KS 2024/888"}).json()["total"] == 0


def test_private_individuals_and_personnummer_are_masked(sites: Any) -> None:
    full, _, _ = sites
    hit = full.get("/api/search", params={"q": "BN 2024/900"}).json()["hits"][0]
    record = full.get(f"/api/records/{hit['id']}").json()["record"]
    names = {p["name"] for p in record["parties"]}
    assert names == {"Enskild", "Byggbolaget AB"}
    assert all(p["identifier"] is None for p in record["parties"])
    assert "ÅÅMMDD-XXXX" in record["description"]["sv"]
    page = full.get(f"/datasets/{hit['id']}", headers=HTML).text
    assert "Enskild" in page
    dataset = full.get("/api/search", params={"q": "Kontaktlista föreningsbidrag"}).json()
    assert "ÅÅMMDD-XXXX" in dataset["hits"][0]["description"]


def test_private_names_and_addresses_in_titles_are_masked_and_the_public_title_shown(
    sites: Any,
) -> None:
    full, _, _ = sites
    hits = full.get("/api/search", params={"q": "SN 2024/901"}).json()["hits"]
    titles = {h["kind"]: h["title"] for h in hits}
    assert titles == {
        "case": "Ansökan om bostadsanpassningsbidrag – [namn], [adress]",
        "document": "Intyg för [namn], [adress]",
    }
    document = next(h for h in hits if h["kind"] == "document")
    record = full.get(f"/api/records/{document['id']}").json()["record"]
    assert record["description"] == {"sv": "Till [namn]"}  # "Efternamn, Förnamn"
    assert [a["name"] for a in record["attachments"]] == ["intyg-[namn].pdf"]
    assert {p["name"] for p in record["parties"]} == {"Enskild"}
    suggestions = full.get("/api/suggest", params={"q": "Ansökan om bostads"}).json()
    assert "Ansökan om bostadsanpassningsbidrag – [namn], [adress]" in suggestions["suggestions"]
    hit = full.get("/api/search", params={"q": "SN 2024/902"}).json()["hits"][0]
    assert hit["title"] == PUBLIC_TITLE
    page = full.get(f"/datasets/{hit['id']}", headers=HTML).text
    assert PUBLIC_TITLE in page
    for name in (PRIVATE["sokande"], APPLICANT, PRIVATE["gata"]):
        assert full.get("/api/search", params={"q": name}).json()["total"] == 0


def test_a_secret_marked_dataset_is_masked_and_non_public_data_listed(sites: Any) -> None:
    full, _, _ = sites
    masked = f"Uppgift omfattas av sekretess enligt {PROVISION}"
    hits = full.get("/api/search", params={"q": "sekretess", "page_size": 100}).json()["hits"]
    uris = {h.get("uri") for h in hits}
    assert "https://data.exempelby.se/dataset/orosanmalningar-2024" in uris
    listed = full.get("/api/search", params={"q": "Bygglovsarkiv"}).json()["hits"]
    assert [h["title"] for h in listed] == ["Bygglovsarkiv"]
    page = full.get(f"/datasets/{listed[0]['id']}", headers=HTML).text
    assert "Begränsad åtkomst" in page and "allmän handling" in page
    ttl = full.get("/catalog.ttl?page_size=500").text
    assert "https://data.exempelby.se/dataset/bygglovsarkiv" in ttl
    assert "access-right/RESTRICTED" in ttl
    assert masked in ttl
