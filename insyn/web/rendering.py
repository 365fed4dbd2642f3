"""Rendering the Swedish pages: the Jinja2 environment, ``render`` and the error page.

Every router that answers with HTML renders through here.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from insyn import __version__
from insyn.catalogue.export import root_organisation
from insyn.followup.report import month_label
from insyn.web import present, queries
from insyn.web.state import WebState

log = logging.getLogger(__name__)

# Swedish query parameter → facet name.
UI_FILTERS: dict[str, str] = {
    "tema": "theme",
    "utgivare": "publisher",
    "agare": "owner",
    "format": "format",
    "licens": "licence",
    "typ": "kind",
    "ar": "year",
}
FILTER_PARAMS = {facet: param for param, facet in UI_FILTERS.items()}


# Headings for an organisation's units, by ADMS publisher type.
UNIT_GROUPS = {
    "LocalAuthority": "Nämnder och styrelser",
    "Company": "Kommunala bolag",
}


def unit_groups(node: queries.OrganisationNode) -> list[tuple[str, list[queries.OrganisationNode]]]:
    """Return an organisation's units grouped by kind (committees, companies …), by name."""
    groups: dict[str, list[queries.OrganisationNode]] = {}
    for child in sorted(node.children, key=lambda c: c.organisation.name_sv):
        code = (child.organisation.org_type or "").rstrip("/").rsplit("/", 1)[-1]
        label = UNIT_GROUPS.get(code) or (
            present.label("publisher_types", child.organisation.org_type)
            if child.organisation.org_type
            else "Övriga enheter"
        )
        groups.setdefault(label, []).append(child)
    order = list(UNIT_GROUPS.values())
    return sorted(groups.items(), key=lambda g: (order.index(g[0]) if g[0] in order else 99, g[0]))


# --- rendering ------------------------------------------------------------------------


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("insyn.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        date=present.swedish_date,
        datetime=present.swedish_datetime,
        local_input=lambda moment: present.in_stockholm(moment).strftime("%Y-%m-%dT%H:%M"),
        snippet=present.safe_snippet,
        facet_label=lambda value, name: present.facet_label(name, value),
        access_note=present.access_note,
        safe_url=present.safe_url,
        number=lambda n: f"{n:,}".replace(",", "\u00a0"),
        decimal=lambda n: "–" if n is None else f"{n:g}".replace(".", ","),
        month=month_label,
    )
    env.globals.update(
        version=__version__,
        kind_labels=present.KIND_LABELS,
        access_request=present.ACCESS_REQUEST,
        filter_params=FILTER_PARAMS,
        unit_groups=unit_groups,
    )
    return env


def _site(state: WebState) -> dict[str, str]:
    root = root_organisation(state.catalogue)
    return {"owner": root.name_sv if root else "Kommunen", "name": "Datakatalogen"}


def render(
    request: Request, state: WebState, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    page = (
        environment()
        .get_template(template)
        .render(
            site=_site(state),
            path=request.url.path,
            base_url=state.base_url,
            alternates=context.pop("alternates", []),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-cache"})


def error_page(request: Request, status: int, code: str, message: str) -> Response:
    """The HTML error page (the app's error handlers call it for browsers)."""
    titles = {
        401: "Inloggning krävs",
        403: "Åtkomst nekad",
        404: "Sidan finns inte",
        422: "Ogiltig sökning",
        429: "För många anrop",
    }
    state: WebState = request.app.state.web
    try:
        return render(
            request,
            state,
            "error.html",
            status,
            title=titles.get(status, "Något gick fel"),
            message=message,
            code=code,
            status=status,
        )
    except Exception:  # the error page must never fail itself
        log.exception("error page failed")
        return HTMLResponse(f"<!doctype html><title>Fel</title><p>{status}</p>", status)
