"""Screenshots of the web catalogue for the docs: ``python scripts/screenshots.py``.

Harvests the bundled Exempelby demo catalogue into a temporary data directory, serves it
with uvicorn on 127.0.0.1 and drives Debian's Chromium (``apt-get install -y chromium``)
with Playwright to save ``docs/screenshots/*.png``: the start page, search results with
facets, a record page and the results at phone width; with the demo diarium, a
journalist's way at 1280, 390 and 320 px (``journey-<step>-<width>.png``: a search hit,
the case, a document, the request form, the receipt, the registrar's log and the request
closed); and, a registrar and an administrator signed in, each staff page at 1280 and
390 px (``staff-<page>-1280.png``, ``staff-<page>-390.png``).
"""

from __future__ import annotations

import sys
import tempfile
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from insyn.catalogue import accounts
from insyn.catalogue.models import Source
from insyn.catalogue.store import Catalogue
from insyn.followup.incidents import open_incident
from insyn.harvester.engine import harvest_source
from insyn.search.backends.embedded import EmbeddedBackend
from insyn.search.indexer import Indexer
from insyn.settings import load_settings
from insyn.web.app import create_app
from insyn.web.config import WebConfig
from insyn.web.server import address, bind, running

OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
STAFF_WIDTHS = {"1280": DESKTOP, "390": PHONE}
JOURNEY_WIDTHS = {"1280": DESKTOP, "390": PHONE, "320": SMALL_PHONE}
CASE = "Medborgarförslag om belysning i Stadsparken"
PASSWORD = "skärmbilder-lösenord"


def demo_app(work: Path, base_url: str) -> FastAPI:
    settings = load_settings(home=work, base_url=base_url)
    catalogue = Catalogue(settings.catalogue_url)
    sample = resources.files("insyn.demo").joinpath("data", "exempelby-katalog.ttl")
    diarium = resources.files("insyn.demo").joinpath("data", "exempelby-diarium.xml")
    catalogue.add_source("exempelby", "dcat", str(sample), {})
    catalogue.add_source("exempelby-diarium", "fgs", str(diarium), {})
    for name in ("exempelby", "exempelby-diarium"):
        summary = harvest_source(catalogue, name)
        if summary.status != "completed":
            sys.exit(f"Skördningen av exempeldata misslyckades: {summary.error}")
    accounts.add_user(catalogue, "registrator", "registrar", password=PASSWORD)
    accounts.add_user(catalogue, "admin", "admin", password=PASSWORD)
    with catalogue.session() as session:
        source = session.scalars(select(Source).where(Source.name == "exempelby")).one()
        open_incident(session, source, "source_unchanged", "Källan har inte ändrats på 30 dagar.")
        session.commit()
    backend = EmbeddedBackend(work)
    Indexer(catalogue, backend).catch_up()
    return create_app(
        settings, catalogue=catalogue, backend=backend, config=WebConfig(rate_limit_per_minute=0)
    )


def _sign_in(browser: Browser, base: str, user: str, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport, locale="sv-SE").new_page()
    page.goto(base + "/logga-in")
    page.get_by_label("Användarnamn").fill(user)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return page


def journey(browser: Browser, base: str, width: str, viewport: dict[str, int]) -> int:
    """A journalist's way from a search hit to a receipt, and the registrar closing the
    request (each document released); return the request's number."""
    page = browser.new_context(viewport=viewport, locale="sv-SE").new_page()

    def shot(page: Page, step: str) -> None:
        page.screenshot(path=OUTPUT / f"journey-{step}-{width}.png", full_page=True)

    page.goto(base + "/sok?q=belysning+Stadsparken")
    shot(page, "1-search")
    page.get_by_role("link", name=CASE).first.click()
    page.wait_for_load_state()
    shot(page, "2-case")
    page.locator("table.diarium a").first.click()
    page.wait_for_load_state()
    shot(page, "3-document")
    page.get_by_role("link", name="Begär ut handlingen").first.click()
    page.wait_for_load_state()
    page.get_by_label("Något mer du vill förklara (frivilligt)").fill("Gärna som pdf.")
    page.get_by_label("Med e-post", exact=False).first.check()
    page.get_by_label("E-postadress (för svar med e-post)").fill("journalist@example.org")
    shot(page, "4-form")
    page.get_by_role("button", name="Skicka begäran").click()
    page.wait_for_load_state()
    shot(page, "5-receipt")
    request_id = int(page.locator("dd.reference").inner_text().rsplit("-", 1)[1])
    page.context.close()

    desk = _sign_in(browser, base, "registrator", viewport)
    desk.goto(base + "/registrator/begaran")
    shot(desk, "6-request-log")
    desk.goto(f"{base}/registrator/begaran/{request_id}")
    for index in range(desk.locator("li.attached").count()):
        item = desk.locator("li.attached").nth(index)
        item.get_by_label("Beslut", exact=True).select_option("released")
        item.get_by_role("button", name="Spara beslut").click()
        desk.wait_for_load_state()
    shot(desk, "7-closed")
    desk.context.close()
    return request_id


def staff_pages(browser: Browser, base: str, request_id: int) -> None:
    """Each staff page at both widths."""
    pages = {
        "registrator": [
            ("desk", "/registrator?q=medborgarförslag"),
            ("requests", "/registrator/begaran"),
            ("request", f"/registrator/begaran/{request_id}"),
        ],
        "admin": [
            ("incidents", "/uppfoljning/avvikelser"),
            ("incident", "/uppfoljning/avvikelser/1"),
            ("report", "/uppfoljning/rapport?owner=Exempelby+kommun"),
            ("request-statistics", "/uppfoljning/begaranden"),
        ],
    }
    for user, shots in pages.items():
        for width, viewport in STAFF_WIDTHS.items():
            page = _sign_in(browser, base, user, viewport)
            for name, path in shots:
                page.goto(base + path)
                page.screenshot(path=OUTPUT / f"staff-{name}-{width}.png", full_page=True)
            page.context.close()


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sock = bind("127.0.0.1")
        base = address(sock)
        app = demo_app(Path(tmp), base)
        with running(app, sock), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=DESKTOP, locale="sv-SE")
            page.goto(base + "/")
            page.screenshot(path=OUTPUT / "start.png", full_page=True)
            page.goto(base + "/sok?q=bygglov")
            page.locator(".facet a", has_text="Regioner och städer").first.click()
            page.screenshot(path=OUTPUT / "results.png", full_page=True)
            page.locator(".hit-title a").first.click()
            page.screenshot(path=OUTPUT / "record.png", full_page=True)
            page.goto(base + "/organisationer")
            page.screenshot(path=OUTPUT / "organisations.png", full_page=True)
            phone = browser.new_page(viewport=PHONE, locale="sv-SE", is_mobile=True)
            phone.goto(base + "/sok?q=skola")
            phone.screenshot(path=OUTPUT / "results-phone.png")
            request_id = 0
            for width, viewport in JOURNEY_WIDTHS.items():
                request_id = journey(browser, base, width, viewport)
            staff_pages(browser, base, request_id)
            browser.close()
    for name in sorted(OUTPUT.glob("*.png")):
        print(name.relative_to(OUTPUT.parents[1]))


if __name__ == "__main__":
    main()
