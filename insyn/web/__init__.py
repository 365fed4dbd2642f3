"""Insyn's web: the JSON API, DCAT-AP-SE feeds, a CKAN-compatible API and the Swedish UI.

app.py        create_app (wires the routers), the one place the search backend is chosen
state.py      WebState: what every route needs (settings, catalogue, search backend)
access.py     roles and record visibility (every route declares its role)
auth.py       sign-in: passwords, sessions, API keys, OIDC
api.py        /api/search, /api/records, /api/suggest, /api/organisations, /health,
              /api/sources and /api/runs (admin)
feeds.py      /catalog(.ttl|.rdf|.jsonld|.nt) with Hydra paging, /datasets/{id}, Atom
ckan.py       /api/3/action/… in CKAN's shape
pages.py      the HTML pages (templates/, static/insyn.css)
rendering.py  the Jinja2 environment, ``render`` and the error page
registrar.py  the registrar's desk and the request log
followup.py   follow-up pages: incidents, quality, the owner's report
metrics.py    /metrics and /health (observability.py reads the figures)
middleware.py security headers (headers.py) and the /api/* rate limit
server.py     uvicorn: ``serve`` for the CLI, ``running`` for tests
"""

from typing import Any

__all__ = ["create_app", "open_search_backend"]


def __getattr__(name: str) -> Any:
    # The app (FastAPI, every router) is imported when asked for, not with the package:
    # the CLI imports insyn.web.observability, and building the app cost each command
    # (insyn harvest, insyn runs …) about a second before it did anything.
    if name in __all__:
        from insyn.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'insyn.web' has no attribute '{name}'")
