"""What every route needs, kept on the app: ``WebState`` and the ``get_state`` dependency."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from insyn.catalogue.store import Catalogue
from insyn.search.backends.base import SearchBackend
from insyn.settings import Settings
from insyn.web.config import WebConfig


@dataclass
class WebState:
    """What every route needs: settings, limits, the store and the search backend."""

    settings: Settings
    config: WebConfig
    catalogue: Catalogue
    backend: SearchBackend

    @property
    def base_url(self) -> str:
        return self.settings.base_url.rstrip("/")


async def get_state(request: Request) -> WebState:
    # Async: FastAPI would run a plain function in the threadpool, a trip per request.
    return request.app.state.web
