"""Screenshots of the web catalogue for the docs: ``python scripts/screenshots.py``.

Harvests the bundled Exempelby demo catalogue into a temporary data directory, serves it
with uvicorn on 127.0.0.1 and drives Debian's Chromium (``apt-get install -y chromium``)
with Playwright to save ``docs/screenshots/*.png``: the start page, search results with
facets, a record page and the results at phone width; and, with the demo diarium, an
anonymous request filed from a case page, a registrar and an administrator signed in,
each staff page at 1280 and 390 px (``staff-<page>-1280.png``, ``staff-<page>-390.png``).
"""

from __future__ import annotations

import sys
import tempfile
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright
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
STAFF_WIDTHS = {"1280": DESKTOP, "390": PHONE}
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


def staff_pages(browser: Browser, base: str) -> None:
    """File a request from a case page, then shoot each staff page at both widths."""
    public = browser.new_page(viewport=DESKTOP, locale="sv-SE")
    public.goto(base + "/sok?q=medborgarförslag")
    public.locator(".hit-title a").first.click()
    public.get_by_role("link", name="Begär ut handlingen").first.click()
    public.get_by_role("button", name="Skicka begäran").click()
    public.screenshot(path=OUTPUT / "request-receipt.png", full_page=True)
    request_id = int(public.locator("dd.reference").inner_text().rsplit("-", 1)[1])
    pages = {
        "registrator": [
            ("desk", "/registrator?q=medborgarförslag"),
            ("requests", "/registrator/begaran"),
            ("request", f"/registrator/begaran/{request_id}"),
        ],
        "admin": [
            ("incidents", "/uppfoljning/avvikelser"),
            ("incident", "/uppfoljning/avvikelser/1"),
            ("report", "/uppfoljning/rapport?owner=Kommunstyrelsen"),
            ("request-statistics", "/uppfoljning/begaranden"),
        ],
    }
    for user, shots in pages.items():
        for width, viewport in STAFF_WIDTHS.items():
            context = browser.new_context(viewport=viewport, locale="sv-SE")
            page = context.new_page()
            page.goto(base + "/logga-in")
            page.get_by_label("Användarnamn").fill(user)
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
            for name, path in shots:
                page.goto(base + path)
                page.screenshot(path=OUTPUT / f"staff-{name}-{width}.png", full_page=True)
            context.close()


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
            staff_pages(browser, base)
            browser.close()
    for name in sorted(OUTPUT.glob("*.png")):
        print(name.relative_to(OUTPUT.parents[1]))


if __name__ == "__main__":
    main()
