"""A real browser (Debian's Chromium, driven by Playwright) with JavaScript switched off:
start page → search → facet → record → distribution link, against a real uvicorn server.

Needs ``/usr/bin/chromium`` (``apt-get install -y chromium``); never ``playwright install``.
The distribution's host is not contacted: the browser's requests to it are answered by a
local stub, and everything else outside 127.0.0.1 is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.conftest import IN_CI
from tests.web.support import Site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("Chromium is required in CI (scripts/test-services.sh installs it)")
        pytest.skip("Chromium saknas: apt-get install -y chromium")
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

        page.get_by_label("Sök bland datamängder och datatjänster").fill("bygglov")
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
