"""Screenshots of the web catalogue for the docs: ``python scripts/screenshots.py``.

Harvests the bundled Exempelby demo catalogue into a temporary data directory, serves it
with uvicorn on 127.0.0.1 and drives Debian's Chromium (``apt-get install -y chromium``)
with Playwright to save ``docs/screenshots/*.png``: the start page, search results with
facets, a record page and the results at phone width.
"""

from __future__ import annotations

import sys
import tempfile
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from playwright.sync_api import sync_playwright

from insyn.catalogue.store import Catalogue
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


def demo_app(work: Path, base_url: str) -> FastAPI:
    settings = load_settings(home=work, base_url=base_url)
    catalogue = Catalogue(settings.catalogue_url)
    sample = resources.files("insyn.demo").joinpath("data", "exempelby-katalog.ttl")
    catalogue.add_source("exempelby", "dcat", str(sample), {})
    summary = harvest_source(catalogue, "exempelby")
    if summary.status != "completed":
        sys.exit(f"Skördningen av exempeldata misslyckades: {summary.error}")
    backend = EmbeddedBackend(work)
    Indexer(catalogue, backend).catch_up()
    return create_app(
        settings, catalogue=catalogue, backend=backend, config=WebConfig(rate_limit_per_minute=0)
    )


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
            browser.close()
    for name in sorted(OUTPUT.glob("*.png")):
        print(name.relative_to(OUTPUT.parents[1]))


if __name__ == "__main__":
    main()
