"""A real browser (Debian's Chromium, driven by Playwright) with JavaScript switched off:
start page → search → facet → record → distribution link, against a real uvicorn server;
and the registrar's request log end to end: sign in, log a request, attach a document
found by search, record the decision, see the request in the log with its handling time.
Every public and staff page (the 401 and 404 pages too) is checked with axe-core for
WCAG 2.1 AA at 1280, 390 and 320 px, and at 390 and 320 px for anything wider than the
screen or scrolling sideways (staff tables stack, a card per row).

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``); never ``playwright install``;
and axe-core from npm (``npm ci``, as ``make test`` runs it).
The distribution's host is not contacted: the browser's requests to it are answered by a
local stub, and everything else outside 127.0.0.1 is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest

from insyn.catalogue import accounts, audit, requests_log
from insyn.web.middleware import TokenBuckets
from insyn.web.server import address, bind, running
from tests.conftest import REPO, require
from tests.web.desk_site import (
    PROVISION,
    PUBLIC_TITLE,
    SECRET_DOCUMENT,
    SECRET_PARTY,
    SECRET_TITLE,
    make_desk_site,
)
from tests.web.support import Site

CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REGISTRAR = ("registrator", "ett-långt-lösenord")
ADMIN = ("admin-webb", "ett-långt-lösenord-för-admin")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require(
        os.path.exists(CHROMIUM),
        f"Chromium saknas ({CHROMIUM}): apt-get install -y chromium "
        "(scripts/test-services.sh installs it)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_search_facet_record_and_download_without_javascript(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    stubbed: list[str] = []

    def route(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        host = urlsplit(url).hostname
        if host == "127.0.0.1":
            route.continue_()
        elif host == "data.exempelby.se":
            stubbed.append(url)
            route.fulfill(status=200, content_type="text/plain", body="stubbad fil")
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(site.base_url + "/")
        assert "Datakatalogen" in page.title()
        page.keyboard.press("Tab")
        assert page.locator(":focus").inner_text() == "Hoppa till innehållet"

        page.get_by_label("Sök bland datamängder, datatjänster och diariet").fill("bygglov")
        page.get_by_role("button", name="Sök").click()
        page.wait_for_url("**/sok?q=bygglov")
        assert "träffar för" in page.locator(".result-count").inner_text()

        page.locator(".facet a", has_text="Regioner och städer").first.click()
        page.wait_for_url("**tema=REGI**")
        chip = page.locator(".active-filters .chip")
        assert "Regioner och städer" in chip.inner_text()
        assert page.locator(".facet a[aria-current='true']").count() == 1

        page.get_by_role("link", name="Bygglovsärenden – inkomna ansökningar och beslut").click()
        page.wait_for_url("**/datasets/*")
        assert page.locator("h1").inner_text() == "Bygglovsärenden – inkomna ansökningar och beslut"
        assert page.get_by_role("heading", name="Informationsförvaltning").is_visible()

        row = next(r for r in site.visible_rows() if r.uri and r.uri.endswith("/bygglovsarenden"))
        csv = next(d for d in row.data["distributions"] if d["format"].endswith("/CSV"))
        download = page.locator("a.button", has_text="Ladda ner").filter(has_text="(CSV)")
        assert download.get_attribute("href") == csv["download_url"]
        download.click()
        page.wait_for_url(csv["download_url"])
        assert stubbed == [csv["download_url"]]
        assert "stubbad fil" in page.content()
    finally:
        context.close()


def test_the_keyboard_focus_ring_shows_on_every_kind_of_control(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    """Tab through the start page and a search result: each focused link, tile, field and
    button carries the yellow focus ring (a component's own shadow once hid it on the
    category tiles)."""
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    ringless: list[str] = []
    seen: set[str] = set()
    try:
        for path in ("/", "/sok?q=bygglov"):
            page.goto(site.base_url + path)
            for _ in range(40):
                page.keyboard.press("Tab")
                focused = page.evaluate(
                    """() => { const e = document.activeElement;
                        return [e.tagName.toLowerCase() + "." + e.className,
                                getComputedStyle(e).boxShadow]; }"""
                )
                if focused[0].startswith("body"):  # past the last control
                    break
                seen.add(focused[0])
                if "rgb(255, 191, 71)" not in focused[1]:  # --focus: #ffbf47
                    ringless.append(f"{path}: {focused[0]} ({focused[1]})")
    finally:
        context.close()
    assert any(name.startswith("a.tile") for name in seen), seen
    assert ringless == []


def test_results_fit_a_phone(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto(site.base_url + "/sok?q=skola")
        # Nothing wider than the screen: no sideways scrolling on a phone.
        box = page.locator("main").bounding_box()
        assert box is not None and box["width"] <= 360
        for selector in (".search-row input", ".hit-title", ".facets"):
            element = page.locator(selector).first.bounding_box()
            assert element is not None and element["x"] >= 0
            assert element["x"] + element["width"] <= 360 + 1, selector
    finally:
        context.close()


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo catalogue with a secret-marked diarium, served on 127.0.0.1."""
    sock = bind("127.0.0.1")
    site = make_desk_site(tmp_path_factory.mktemp("desk"), address(sock))
    accounts.add_user(site.catalogue, REGISTRAR[0], "registrar", password=REGISTRAR[1])
    accounts.add_user(site.catalogue, ADMIN[0], "admin", password=ADMIN[1])
    # These tests file more web requests than the form's per-address limit lets through.
    site.app.state.request_form_buckets = TokenBuckets(600, 100)
    with running(site.app, sock) as base_url:
        assert base_url == site.base_url
        yield site
    site.backend.close()
    site.catalogue.close()


def test_a_registrar_logs_a_request_end_to_end_without_javascript(  # type: ignore[no-untyped-def]
    browser, desk_site: Site
) -> None:
    site = desk_site
    context = browser.new_context(java_script_enabled=False, locale="sv-SE")
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname == "127.0.0.1"
            else route.abort()
        ),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        refused = page.goto(site.base_url + "/registrator/begaran")
        assert refused is not None and refused.status == 401  # not without signing in
        page.goto(site.base_url + "/logga-in?nasta=/registrator/begaran")
        page.get_by_label("Användarnamn").fill("registrator")
        page.get_by_label("Lösenord").fill("ett-långt-lösenord")
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url("**/registrator/begaran")
        assert "Inloggad som registrator" in page.locator("nav.staff-nav").inner_text()

        # Log a request that came in by e-mail the day before Midsummer Eve, anonymously.
        page.get_by_label("Mottagen (datum och tid)").fill("2024-06-20T15:00")
        page.get_by_label("Hur den kom in").select_option("e-post")
        page.get_by_label("Vad begäran gäller").fill("Läkarintyget i ärende KS 2024/123")
        page.get_by_role("button", name="Logga begäran").click()
        page.wait_for_url("**/registrator/begaran/*")
        request_id = int(page.url.rsplit("/", 1)[1])
        facts = page.locator("dl.request-facts").inner_text()
        assert "Anonym" in facts and "E-post" in facts and "Pågår" in facts
        assert "Inga handlingar är kopplade ännu." in page.content()

        # Find the document by another form of its diarienummer, and attach it.
        page.get_by_role("link", name="Sök handlingar att koppla").click()
        page.wait_for_url(f"**/registrator?begaran={request_id}")
        page.get_by_label("Diarienummer, ord, part eller enhet").fill("KS.2024.00123")
        page.get_by_role("button", name="Sök", exact=True).click()
        page.wait_for_url("**/registrator?q=*")
        hit = page.locator("li.hit").filter(has_text=SECRET_DOCUMENT)
        assert f"Sekretess: {PROVISION}" in hit.inner_text()
        assert SECRET_PARTY in hit.inner_text()
        hit.get_by_role("button", name="Koppla till begäran").click()
        page.wait_for_url(f"**/registrator/begaran/{request_id}")
        attached = page.locator("li.attached")
        assert attached.count() == 1 and SECRET_DOCUMENT in attached.inner_text()

        # Refuse it under the OSL provision, decided two working days later.
        attached.get_by_label("Beslut", exact=True).select_option("refused")
        attached.get_by_label("Bestämmelse i OSL (vid avslag eller maskering)").fill(PROVISION)
        attached.get_by_label("Beslutad").fill("2024-06-25T09:30")
        attached.get_by_role("button", name="Spara beslut").click()
        page.wait_for_url(f"**/registrator/begaran/{request_id}")
        outcome = page.locator("li.attached .outcome").inner_text()
        assert f"Beslut: Avslag ({PROVISION})" in outcome and "av registrator" in outcome
        facts = page.locator("dl.request-facts").inner_text()
        assert "Besvarad" in facts and "2 arbetsdagar" in facts
        assert "Sent besvarad, efter mer än en arbetsdag" in facts  # not "still waiting"
        assert "Äldre än en arbetsdag" not in facts

        # The log lists it, flagged, with its handling time in working days.
        page.get_by_role("link", name="Begäranden om allmän handling").click()
        page.wait_for_url("**/registrator/begaran")
        row = page.locator("table.request-log tr.request").filter(
            has=page.get_by_role("link", name=str(request_id), exact=True)
        )
        assert row.count() == 1
        assert "overdue" in (row.get_attribute("class") or "")
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == str(request_id)
        assert cells[2] == "Läkarintyget i ärende KS 2024/123"
        assert cells[4] == "1"  # one document
        assert cells[5].startswith("Besvarad") and "Sent besvarad" in cells[5]
        assert "late" in (row.get_attribute("class") or "")
        assert cells[6] == "2"

        # What the browser did is in the store and in the audit log.
        item = requests_log.get_request(site.catalogue, request_id)
        assert item.requester is None and item.handling_days == 2
        assert [(d["record_id"], d["outcome"]) for d in item.documents] == [
            ("doc-ks-123-1", "refused")
        ]
        actions = {(e.actor, e.action) for e in audit.entries(site.catalogue)}
        assert {
            ("registrator", audit.SIGN_IN),
            ("registrator", audit.REQUEST_LOGGED),
            ("registrator", audit.SEARCH),
        } <= actions
    finally:
        context.close()


def test_suggestions_with_the_keyboard(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    """The suggestion box (static/suggest.js): type, arrow down, Enter searches the pick."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="sv-SE")
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(site.base_url + "/sok")
        box = page.locator("#q")
        assert box.get_attribute("role") == "combobox"
        # One input event, so one answer: typed key by key, an answer for "sko" can be shown
        # and then replaced by the one for "skol", resetting a selection made in between.
        with page.expect_response(lambda answer: "/api/suggest" in answer.url):
            box.fill("skol")
        options = page.locator("#q-forslag [role=option]")
        options.first.wait_for()
        # The page's own handlers may still be running on a loaded machine: the checks
        # of what they set wait for it (expect retries) instead of reading it once.
        expect(box).to_have_attribute("aria-expanded", "true")
        first = options.first.inner_text()
        assert first.casefold().startswith("skol") or " skol" in first.casefold()
        box.press("ArrowDown")
        expect(options.first).to_have_attribute("aria-selected", "true")
        expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
        box.press("Escape")
        expect(page.locator("#q-forslag")).to_be_hidden()
        box.press("ArrowDown")
        with page.expect_navigation():
            box.press("Enter")
        assert page.locator("#q").input_value() == first
        assert page.locator(".hit").count() >= 1
        assert errors == []  # nothing refused by the Content-Security-Policy
    finally:
        context.close()


def _local_only(context) -> None:  # type: ignore[no-untyped-def]
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname == "127.0.0.1"
            else route.abort()
        ),
    )


def _sign_in(page, base_url: str, who: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/logga-in")
    page.get_by_label("Användarnamn").fill(who[0])
    page.get_by_label("Lösenord").fill(who[1])
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def _file_web_request(page, base_url: str, record_id: str) -> str:  # type: ignore[no-untyped-def]
    """Ask for a record anonymously from its page; the receipt's reference."""
    page.goto(f"{base_url}/datasets/{record_id}")
    page.get_by_role("link", name="Begär ut handlingen").first.click()
    page.wait_for_url(f"**/begar-ut/{record_id}")
    page.get_by_label("Något mer du vill förklara (frivilligt)").fill("Gärna som pdf.")
    page.get_by_label("Med e-post", exact=False).first.check()
    page.get_by_label("E-postadress (för svar med e-post)").fill("journalist@example.org")
    page.get_by_role("button", name="Skicka begäran").click()
    page.wait_for_load_state()
    assert "Tack, vi har tagit emot din begäran" in page.locator("h1").inner_text()
    return page.locator("dd.reference").inner_text().strip()


def _axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.1 AA violations on the page, one readable line per element."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        WCAG_21_AA,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n      {node}"
        for v in violations
        for node in v["nodes"]
    ]


def _request_id(site: Site, reference: str) -> int:
    requests = requests_log.list_requests(site.catalogue)
    return next(r.id for r in requests if r.reference == reference)


def _staff_pages(request_id: int, incident_id: int) -> dict[str, tuple[str, ...]]:
    """Each staff page (path) and who may see it."""
    return {
        "/registrator": REGISTRAR,
        "/registrator?q=KS+2024%2F123": REGISTRAR,
        "/registrator/begaran": REGISTRAR,
        f"/registrator/begaran/{request_id}": REGISTRAR,
        "/registrator/poster/case-bn-456": REGISTRAR,
        "/uppfoljning/avvikelser": ADMIN,
        f"/uppfoljning/avvikelser/{incident_id}": ADMIN,
        "/uppfoljning/rapport": ADMIN,
        "/uppfoljning/rapport?owner=Byggnadsn%C3%A4mnden": ADMIN,
        "/uppfoljning/begaranden": ADMIN,
    }


def _incident(site: Site) -> int:
    from tests.web.test_followup_pages import _open_incident

    return _open_incident(site, "source_unchanged", "Källan har inte ändrats på 30 dagar")


def _visit_every_page(page, site: Site, check: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    """Open every public page, file a web request (its receipt), then every staff page as
    the role it belongs to, calling ``check`` with each page's label or path."""
    for label, path in _public_pages(site).items():
        response = page.goto(site.base_url + path)
        assert response is not None
        assert response.status == {"401": 401, "404": 404}.get(label, 200), path
        check(label)
    reference = _file_web_request(page, site.base_url, "case-bn-456")
    check("kvitto")

    pages = _staff_pages(_request_id(site, reference), _incident(site))
    for who in (REGISTRAR, ADMIN):
        page.context.clear_cookies()
        _sign_in(page, site.base_url, who)
        for path, role in pages.items():
            if role == who:
                response = page.goto(site.base_url + path)
                assert response is not None and response.status == 200, path
                check(path)


def test_every_page_has_no_wcag_21_aa_violations(browser, desk_site: Site) -> None:  # type: ignore[no-untyped-def]
    require(AXE.exists(), f"axe-core saknas ({AXE}): npm ci --no-audit --no-fund")
    site = desk_site
    # axe is added as an inline script, which the site's Content-Security-Policy refuses.
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    _local_only(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found: dict[str, list[str]] = {}

    def check(label: str) -> None:
        violations = _axe_violations(page)
        if violations:
            found[f"{label} ({page.url})"] = violations

    try:
        _visit_every_page(page, site, check)
    finally:
        context.close()
    assert not found, "WCAG 2.1 AA-fel enligt axe-core:\n" + "\n".join(
        f"  {where}:\n    " + "\n    ".join(lines) for where, lines in found.items()
    )


# Everything on the page within the viewport, and no box that scrolls sideways. An element
# hidden from view (display none, or clipped to a pixel like .visually-hidden and the
# honeypot) is left out; the document itself must not be wider than the viewport either.
SIDEWAYS = """() => {
    const width = document.documentElement.clientWidth;
    const hidden = (element) => {
        for (let a = element; a; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (style.display === "none" || style.visibility === "hidden") return true;
            const box = a.getBoundingClientRect();
            if ((box.width <= 1 || box.height <= 1) && style.overflow !== "visible") return true;
        }
        return false;
    };
    const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
        + (typeof e.className === "string" && e.className.trim()
            ? "." + e.className.trim().split(/\\s+/).join(".") : "");
    const found = [];
    const whole = document.documentElement.scrollWidth;
    if (whole > width) found.push(`the page is ${whole} px wide`);
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if ((box.right > width + 0.5 || box.left < -0.5) && !hidden(element)) {
            const span = `${Math.round(box.left)}–${Math.round(box.right)} px`;
            found.push(`${name(element)} spans ${span}`);
        }
        const style = getComputedStyle(element);
        if (["auto", "scroll"].includes(style.overflowX)
                && element.scrollWidth > element.clientWidth + 1) {
            const inner = `${element.scrollWidth} px in ${element.clientWidth}`;
            found.push(`${name(element)} scrolls sideways (${inner})`);
        }
    }
    return found;
}"""


def _public_pages(site: Site) -> dict[str, str]:
    """Each public page (label → path), the error pages included."""
    return {
        "start": "/",
        "sök med träffar": "/sok?q=bygglov",
        "sök utan träffar": "/sok?q=xyzzyqwerty",
        "diariet (ärenden)": "/sok?typ=case",
        "datamängd": "/datasets/"
        + next(r.id for r in site.visible_rows() if r.uri and r.uri.endswith("/bygglovsarenden")),
        "ärende": "/datasets/case-bn-456",
        "sekretessmarkerat ärende": "/datasets/case-ks-123",
        "handling": "/datasets/doc-ks-123-1",
        "organisationer": "/organisationer",
        "om": "/om",
        "begäranformulär": "/begar-ut/case-bn-456",
        "logga in": "/logga-in",
        "401": "/registrator/begaran",
        "404": "/datasets/finns-inte",
    }


def _table_roles(page) -> set[str]:  # type: ignore[no-untyped-def]
    """The roles of the page's accessibility tree as Chromium builds it (table semantics)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return {str(node.get("role", {}).get("value")) for node in nodes} & {
        "table",
        "row",
        "columnheader",
        "cell",
    }


@pytest.mark.parametrize("width", [390, 320])
def test_every_page_fits_a_phone(browser, desk_site: Site, width: int) -> None:  # type: ignore[no-untyped-def]
    """At 390 and 320 px, every public and staff page: nothing wider than the screen, no
    box that scrolls sideways (staff tables stack, a card per row), and axe-core finds no
    WCAG 2.1 AA violation. A stacked table is still a table to a screen reader."""
    require(AXE.exists(), f"axe-core saknas ({AXE}): npm ci --no-audit --no-fund")
    site = desk_site
    # Not is_mobile: a mobile viewport widens window.innerWidth to fit what overflows.
    context = browser.new_context(
        viewport={"width": width, "height": 740}, locale="sv-SE", bypass_csp=True
    )
    _local_only(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    wide: dict[str, list[str]] = {}
    found: dict[str, list[str]] = {}

    def check(label: str) -> None:
        if overflow := page.evaluate(SIDEWAYS):
            wide[f"{label} ({page.url})"] = overflow
        if violations := _axe_violations(page):
            found[f"{label} ({page.url})"] = violations
        if label == "/registrator/begaran":
            assert page.locator("table.request-log td[data-label]").count() > 0
            assert _table_roles(page) == {"table", "row", "columnheader", "cell"}

    try:
        _visit_every_page(page, site, check)
    finally:
        context.close()
    assert wide == {}, f"bredare än {width} px:\n" + "\n".join(
        f"  {where}:\n    " + "\n    ".join(lines[:8]) for where, lines in wide.items()
    )
    assert not found, f"WCAG 2.1 AA-fel vid {width} px enligt axe-core:\n" + "\n".join(
        f"  {where}:\n    " + "\n    ".join(lines) for where, lines in found.items()
    )


def test_an_anonymous_request_from_a_case_page_is_closed_with_each_outcome(  # type: ignore[no-untyped-def]
    browser, desk_site: Site
) -> None:
    """A journalist asks for a case from its page and gets a receipt; the registrar sees the
    request flagged as new from the web and closes requests with every outcome."""
    site = desk_site
    public = browser.new_context(java_script_enabled=False, locale="sv-SE")
    staff = browser.new_context(java_script_enabled=False, locale="sv-SE")
    for context in (public, staff):
        _local_only(context)
    asker, registrar = public.new_page(), staff.new_page()
    for page in (asker, registrar):
        page.set_default_timeout(10_000)
    try:
        # The secret case: the case itself and its document come attached (both checked).
        asker.goto(site.base_url + "/datasets/case-ks-123")
        asker.get_by_role("link", name="Begär ut handlingen").first.click()
        asker.wait_for_url("**/begar-ut/case-ks-123")
        listed = asker.locator(".checklist input[type=checkbox]")
        assert listed.count() == 1 and listed.is_checked()
        assert SECRET_DOCUMENT not in asker.content()  # its title is masked for the public
        asker.get_by_role("button", name="Skicka begäran").click()  # on site, anonymous
        asker.wait_for_load_state()
        assert asker.locator("dl.request-facts li").count() == 2  # the case and its document
        assert "Hämta eller läsa på plats" in asker.locator("dl.request-facts").inner_text()
        secret_case = asker.locator("dd.reference").inner_text().strip()
        assert re.fullmatch(r"BEG-\d{4}-\d{5}", secret_case)
        # Three more for the public case, asked for by e-mail.
        released, no_such, not_official = (
            _file_web_request(asker, site.base_url, "case-bn-456") for _ in range(3)
        )

        _sign_in(registrar, site.base_url, REGISTRAR)
        registrar.wait_for_url("**/registrator")
        registrar.get_by_role("link", name="Begäranden om allmän handling").click()
        registrar.wait_for_url("**/registrator/begaran")
        assert "nya begäranden från webbformuläret" in registrar.locator(".notice").inner_text()

        def open_request(reference: str) -> None:
            registrar.goto(site.base_url + "/registrator/begaran")
            request_id = _request_id(site, reference)
            row = registrar.locator("table.request-log tr.request").filter(
                has=registrar.get_by_role("link", name=str(request_id), exact=True)
            )
            cells = row.locator("td").all_inner_texts()
            assert "Ny från webben" in cells[5] and cells[6] == "0"  # age in working days
            row.get_by_role("link", name=str(request_id), exact=True).click()
            registrar.wait_for_url(f"**/registrator/begaran/{request_id}")
            assert reference in registrar.locator("h1").inner_text()
            facts = registrar.locator("dl.request-facts").inner_text()
            assert "Anonym" in facts and "Webbformulär" in facts

        def decide(title: str, outcome: str, provision: str = "") -> None:
            item = registrar.locator("li.attached").filter(has_text=title)
            item.get_by_label("Beslut", exact=True).select_option(outcome)
            if provision:
                item.get_by_label("Bestämmelse i OSL", exact=False).fill(provision)
            item.get_by_role("button", name="Spara beslut").click()
            registrar.wait_for_load_state()
            assert registrar.locator(".notice-error").count() == 0

        def outcomes() -> list[str]:
            return registrar.locator("li.attached .outcome").all_inner_texts()

        # Partly released (the case, masked under the provision) and refused (the document).
        open_request(secret_case)
        # Refused without a provision: said in Swedish on the page, the choice kept.
        case = registrar.locator("li.attached").filter(has_text=SECRET_TITLE)
        case.get_by_label("Beslut", exact=True).select_option("refused")
        case.get_by_label("Bestämmelse i OSL", exact=False).fill("")
        case.get_by_role("button", name="Spara beslut").click()
        registrar.wait_for_load_state()
        assert "Inget är ändrat." in registrar.locator(".notice-error").inner_text()
        case = registrar.locator("li.attached").filter(has_text=SECRET_TITLE)
        assert case.get_by_label("Beslut", exact=True).input_value() == "refused"
        registrar.goto(registrar.url.rsplit("/handlingar/", 1)[0])
        decide(SECRET_DOCUMENT, "refused", PROVISION)
        decide(SECRET_TITLE, "redacted", PROVISION)
        shown = outcomes()
        assert any(f"Avslag ({PROVISION})" in text for text in shown), shown
        assert any(f"Lämnas ut delvis (med maskeringar) ({PROVISION})" in text for text in shown)
        assert "Besvärshänvisning:" in registrar.locator("li.attached .appeal").inner_text()

        open_request(released)
        decide(PUBLIC_TITLE, "released")
        assert outcomes()[0].startswith("Beslut: Lämnas ut,")
        assert "Besvarad" in registrar.locator("dl.request-facts").inner_text()

        # No such document, and not an official document: detach, then close without any.
        for reference, outcome, words in (
            (no_such, "no_such_document", "Handlingen finns inte"),
            (not_official, "not_official", "Inte en allmän handling"),
        ):
            open_request(reference)
            registrar.get_by_role("button", name="Ta bort från begäran").click()
            registrar.wait_for_load_state()
            assert "Inga handlingar är kopplade ännu." in registrar.content()
            registrar.get_by_label("Beslut", exact=True).select_option(outcome)
            registrar.get_by_role("button", name="Avsluta begäran").click()
            registrar.wait_for_load_state()
            assert registrar.locator("dd.outcome").inner_text().startswith(words)

        closed = {
            r.reference: r
            for r in requests_log.list_requests(site.catalogue)
            if r.reference in (secret_case, released, no_such, not_official)
        }
        assert all(not r.open and r.requester is None for r in closed.values())
        assert closed[no_such].closed_outcome == "no_such_document"
        assert closed[not_official].closed_outcome == "not_official"
    finally:
        public.close()
        staff.close()


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_a_journalists_way_from_a_search_hit_to_a_closed_request(  # type: ignore[no-untyped-def]
    browser, desk_site: Site, width: int
) -> None:
    """Search hit → case → document → "Begär ut handlingen" → receipt, then the registrar
    finds the request and closes it; at each width, no step is wider than the screen."""
    site = desk_site
    viewport = {"width": width, "height": 800}
    public = browser.new_context(java_script_enabled=False, locale="sv-SE", viewport=viewport)
    staff = browser.new_context(java_script_enabled=False, locale="sv-SE", viewport=viewport)
    for context in (public, staff):
        _local_only(context)
    page, desk = public.new_page(), staff.new_page()
    wide: dict[str, list[str]] = {}

    def fits(step: str, on=None) -> None:  # type: ignore[no-untyped-def]
        if overflow := (on or page).evaluate(SIDEWAYS):
            wide[step] = overflow

    try:
        page.goto(site.base_url + "/sok?q=KS+2024%2F123")
        fits("sökträff")
        hit = page.locator("li.hit").filter(has=page.locator(".hit-kind", has_text="Ärende"))
        assert "KS 2024/123" in hit.first.inner_text()  # the hit shows its diarienummer
        hit.first.locator(".hit-title a").click()
        page.wait_for_url("**/datasets/case-ks-123")
        fits("ärende")
        page.locator("table.diarium a").first.click()
        page.wait_for_url("**/datasets/doc-ks-123-1")
        fits("handling")
        assert page.locator("a[href='/datasets/case-ks-123']").count() >= 1  # its case
        page.get_by_role("link", name="Begär ut handlingen").first.click()
        page.wait_for_url("**/begar-ut/doc-ks-123-1")
        fits("formulär")
        page.get_by_role("button", name="Skicka begäran").click()
        page.wait_for_load_state()
        fits("kvitto")
        reference = page.locator("dd.reference").inner_text().strip()
        assert re.fullmatch(r"BEG-\d{4}-\d{5}", reference)

        _sign_in(desk, site.base_url, REGISTRAR)
        request_id = _request_id(site, reference)
        desk.goto(f"{site.base_url}/registrator/begaran")
        fits("begäranden", desk)
        desk.get_by_role("link", name=str(request_id), exact=True).click()
        desk.wait_for_url(f"**/registrator/begaran/{request_id}")
        item = desk.locator("li.attached")
        assert item.count() == 1 and SECRET_DOCUMENT in item.inner_text()  # staff see it
        item.get_by_label("Beslut", exact=True).select_option("refused")
        item.get_by_label("Bestämmelse i OSL", exact=False).fill(PROVISION)
        item.get_by_role("button", name="Spara beslut").click()
        desk.wait_for_load_state()
        fits("avslutad", desk)
        assert "Besvarad" in desk.locator("dl.request-facts").inner_text()
        assert not requests_log.get_request(site.catalogue, request_id).open
    finally:
        public.close()
        staff.close()
    assert wide == {}, f"bredare än {width} px: {wide}"
