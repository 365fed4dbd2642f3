"""The web application: one FastAPI app with the API, the feeds, the CKAN API and the pages.

``create_app`` wires it together; ``open_search_backend`` is the one place the web gets
its search backend, so that swapping in the indexer's backend is a change here only.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from insyn import __version__
from insyn.catalogue.store import Catalogue
from insyn.errors import InsynError
from insyn.search.backends.base import SearchBackend
from insyn.settings import Settings, load_settings
from insyn.web import (
    api,
    auth,
    ckan,
    feeds,
    followup,
    metrics,
    pages,
    public_requests,
    registrar,
)
from insyn.web.access import AccessPolicy
from insyn.web.auth import access_policy_from_environment
from insyn.web.config import WebConfig, load_web_config
from insyn.web.errors import install_error_handlers
from insyn.web.middleware import HeadAsGet, RateLimit, SecurityHeaders, TokenBuckets
from insyn.web.rendering import error_page
from insyn.web.state import WebState

log = logging.getLogger(__name__)

API_DESCRIPTION = """\
Insyns öppna API för kommunens metadatakatalog: sök bland datamängder och datatjänster,
hämta poster, förslag och organisationer. Samma katalog finns som DCAT-AP-SE
(`/catalog.ttl`, `/catalog.rdf`, `/catalog.jsonld`, sidindelad med Hydra), som Atom-flöde
(`/catalog.atom`) och genom ett CKAN-kompatibelt läs-API (`/api/3/action/…`).

Alla fel är JSON: `{"error": {"code": …, "message": …, "field": …, "status": …}}` med en
stabil kod och ett meddelande på svenska. Anropen under `/api/` är begränsade per
klientadress (svar 429 med `Retry-After`). `/api/sources` och `/api/runs` kräver en
administratörs API-nyckel och `/api/registrar/…` en registrators, som
`Authorization: Bearer insyn_…` (skapas med `insyn tokens create ANVÄNDARE`).
"""


# --- the search backend ---------------------------------------------------------------


def open_search_backend(
    settings: Settings, catalogue: Catalogue, *, catch_up: bool = True
) -> SearchBackend:
    """Return the search backend the web reads from: the one place it is chosen.

    The backend is the indexer's (embedded in the data directory, or Elasticsearch). It
    is brought up to date with the catalogue's change log once, at start (unless
    ``catch_up`` is off: one of several server processes, whose parent did it); a search
    engine that cannot be updated now is logged, not fatal (searches then answer 503 or
    lag).
    """
    from insyn.search.indexer import Indexer, open_backend

    backend = open_backend(settings)
    if not catch_up:
        return backend
    try:
        run = Indexer(catalogue, backend).catch_up()
    except InsynError as exc:
        log.warning("search index could not catch up with the catalogue: %s", exc)
    else:
        log.info("search index caught up: %d upserted, %d deleted", run.upserted, run.deleted)
    return backend


# --- the app --------------------------------------------------------------------------


def create_app(
    settings: Settings | None = None,
    *,
    catalogue: Catalogue | None = None,
    backend: SearchBackend | None = None,
    config: WebConfig | None = None,
    access_policy: AccessPolicy | None = None,
    catch_up: bool = True,
) -> FastAPI:
    """Return the web app.

    Pass ``catalogue`` and ``backend`` to serve ones you own (tests do); otherwise they
    are opened from ``settings`` (the index caught up unless ``catch_up`` is off) and
    closed when the app shuts down. Sign-in settings (OIDC, secure cookies) are read from
    the environment unless ``access_policy`` is given.
    """
    settings = settings or load_settings()
    config = config or load_web_config()
    owns_catalogue = catalogue is None
    if catalogue is None:
        if not settings.database_url:
            settings.home.mkdir(parents=True, exist_ok=True)
        catalogue = Catalogue(settings.catalogue_url)
    owns_backend = backend is None
    if backend is None:
        backend = open_search_backend(settings, catalogue, catch_up=catch_up)
    state = WebState(settings, config, catalogue, backend)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_backend:
            state.backend.close()
        if owns_catalogue:
            state.catalogue.close()

    app = FastAPI(
        title="Insyn – kommunens datakatalog",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    app.state.access_policy = access_policy or access_policy_from_environment()
    install_error_handlers(app, error_page)
    app.include_router(api.router)
    app.include_router(ckan.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.include_router(public_requests.router)
    app.include_router(auth.router)
    app.include_router(registrar.router)
    app.include_router(followup.router)
    app.include_router(metrics.router)
    buckets = (
        TokenBuckets(config.rate_limit_per_minute, config.rate_limit_burst)
        if config.rate_limit_per_minute > 0
        else None
    )
    app.add_middleware(RateLimit, buckets=buckets)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app
