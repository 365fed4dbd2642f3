"""What every command shares: the context (settings, catalogue), error handling, consoles."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from insyn.errors import InsynError
from insyn.settings import Settings

if TYPE_CHECKING:
    from insyn.catalogue.store import Catalogue
    from insyn.search.indexer import Indexer


F = TypeVar("F", bound=Callable[..., Any])

console = Console()
error_console = Console(stderr=True)


class Context:
    def __init__(self, settings: Settings, debug: bool) -> None:
        self.settings = settings
        self.debug = debug
        self._catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            # Imported here: listing the commands (``insyn --help``) needs no database.
            from insyn.catalogue.store import Catalogue

            if not self.settings.database_url:
                self.settings.home.mkdir(parents=True, exist_ok=True)
            self._catalogue = Catalogue(self.settings.catalogue_url)
        return self._catalogue

    def indexer(self) -> Indexer:
        from insyn.search.indexer import Indexer, open_backend

        return Indexer(self.catalogue, open_backend(self.settings))


pass_context = click.make_pass_decorator(Context)


def fail(message: str, code: int = 1) -> None:
    error_console.print(f"[bold red]Fel:[/] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def handle_errors(function: F) -> F:
    """Turn Insyn's errors into one line and exit 1 (a traceback only with --debug)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        context = click.get_current_context().find_object(Context)
        try:
            return function(*args, **kwargs)
        except InsynError as exc:
            if context and context.debug:
                raise
            fail(str(exc))
        except OSError as exc:
            if context and context.debug:
                raise
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".strip(": "))
        except Exception as exc:
            if context and context.debug:
                raise
            fail(f"Oväntat fel ({type(exc).__name__}): {exc}. Kör med --debug för detaljer.")

    return wrapper  # type: ignore[return-value]
