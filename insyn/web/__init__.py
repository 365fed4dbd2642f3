"""Insyn's web: the JSON API, DCAT-AP-SE feeds, a CKAN-compatible API and the Swedish UI.

app.py        create_app, the one place the search backend is chosen
access.py     roles and record visibility (every route declares its role)
api.py        /api/search, /api/records, /api/suggest, /api/organisations, /health,
              /api/sources and /api/runs (admin)
feeds.py      /catalog(.ttl|.rdf|.jsonld|.nt) with Hydra paging, /datasets/{id}, Atom
ckan.py       /api/3/action/… in CKAN's shape
pages.py      the HTML pages (templates/, static/insyn.css)
middleware.py security headers and the /api/* rate limit
server.py     uvicorn: ``serve`` for the CLI, ``running`` for tests
"""

from insyn.web.app import create_app, open_search_backend

__all__ = ["create_app", "open_search_backend"]
