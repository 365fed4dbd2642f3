"""Who may do what on the web: roles, the principal of a request, and record visibility.

Every route declares who may use it through exactly one of the FastAPI dependencies
here, normally on its router: ``anonymous`` (everyone, the public view), ``registrar``,
``owner``, ``admin`` or ``signed_in``. ``declared_roles`` reads the declaration back as
the set of roles let in, ``app_routes`` lists every route of an app, and
``tests/web/test_roles.py`` requests every route as every role and checks that exactly
the declared roles get through.

Roles: ``anonymous`` (the public), ``registrar`` (registrator: sees everything harvested,
audited), ``owner`` (informationsägare: follow-up reports), ``admin`` (administrator:
sources and runs, and the registrar's desk too). A request proves a role by an API token
(``Authorization: Bearer insyn_…``, see ``insyn.catalogue.accounts``) or by a session
cookie from the sign-in page (``auth.py``). Without either it is anonymous; a route that
wants more answers 401, a signed-in user without the role gets 403.

Public routes always serve the public view, whoever asks: a registrar sees non-public
records only at the registrar's desk (``registrar.py``), where each view is audited.
Record visibility is the one rule of ``insyn.vocab.visibility``: ``visible_clause`` (SQL)
and ``may_see`` (Python) read it through ``insyn.catalogue.visibility``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement
from starlette.routing import BaseRoute

from insyn.catalogue import accounts, visibility
from insyn.catalogue.models import CatalogueRecord
from insyn.vocab.visibility import Visibility
from insyn.web.errors import ApiError

SESSION_COOKIE = "insyn_session"
_ROLE_ATTRIBUTE = "__insyn_roles__"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    REGISTRAR = "registrar"
    OWNER = "owner"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)
ROLE_LABELS = {
    Role.ANONYMOUS: "Allmänheten",
    Role.REGISTRAR: "Registrator",
    Role.OWNER: "Informationsägare",
    Role.ADMIN: "Administratör",
}


@dataclass(frozen=True)
class Principal:
    """Who is asking, and what that allows."""

    role: Role = Role.ANONYMOUS
    username: str | None = None
    user_id: int | None = None
    csrf_token: str | None = None  # set when signed in with a session cookie
    client: str | None = None
    via_session: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def signed_in(self) -> bool:
        return self.role is not Role.ANONYMOUS

    @property
    def sees_non_public(self) -> bool:
        """Whether non-public records may be shown: registrars and administrators."""
        return self.role in (Role.REGISTRAR, Role.ADMIN)


ANONYMOUS = Principal()


class AccessPolicy:
    """How the web signs people in; built once per app from the environment.

    ``oidc`` is the identity provider's configuration (``auth.OidcConfig``) or None.
    ``secure_cookies`` forces the cookies' Secure flag; otherwise it is set when the
    request came over https.
    """

    def __init__(self, oidc: Any = None, *, secure_cookies: bool = False) -> None:
        self.oidc = oidc
        self.secure_cookies = secure_cookies


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _catalogue(request: Request) -> Any:
    return request.app.state.web.catalogue


def authenticate(request: Request) -> Principal:
    """Return who the request proves to be: token, else session cookie, else anonymous.

    Raises:
        ApiError: 401 for an ``Authorization`` header that names no live token (a wrong
            token must not quietly fall back to anonymous).
    """
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = _authenticate(request)
    request.state.principal = principal
    return principal


def _authenticate(request: Request) -> Principal:
    catalogue = _catalogue(request)
    client = client_address(request)
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        account = None
        if scheme.lower() == "bearer" and token.strip():
            account = accounts.authenticate_token(catalogue, token.strip())
        if account is None:
            raise _unauthorized("Nyckeln är ogiltig eller återkallad.")
        return Principal(Role(account.role), account.username, account.id, None, client)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session = accounts.find_session(catalogue, cookie)
        if session is not None:
            account = session.account
            return Principal(
                Role(account.role), account.username, account.id, session.csrf_token, client, True
            )
    return Principal(client=client)


def _unauthorized(message: str) -> ApiError:
    return ApiError(
        401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="insyn"'}
    )


def _declares(roles: frozenset[Role]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        setattr(function, _ROLE_ATTRIBUTE, roles)
        return function

    return mark


def _require(*roles: Role) -> Callable[[Request], Principal]:
    allowed = frozenset(roles)

    @_declares(allowed)
    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if principal.role in allowed:
            return principal
        if not principal.signed_in:
            raise _unauthorized(
                "Sidan är till för kommunens personal. Logga in med ditt konto för att "
                "fortsätta (program använder en API-nyckel)."
            )
        raise ApiError(403, "forbidden", "Din roll ger inte tillgång till detta.")

    dependency.__name__ = "require_" + "_or_".join(sorted(r.value for r in allowed))
    return dependency


@_declares(ALL_ROLES)
async def allow_anonymous(request: Request) -> Principal:
    """Open to everyone, and always the public view: return the anonymous principal.

    A bad token is still refused (401), so that a client never mistakes the public view
    for its own. Async, so that a request without a token costs no trip to the
    threadpool; a token is looked up there (it reads the database).
    """
    if request.headers.get("authorization"):
        await run_in_threadpool(authenticate, request)
    return Principal(client=client_address(request))


require_registrar = _require(Role.REGISTRAR, Role.ADMIN)
require_owner = _require(Role.OWNER, Role.ADMIN)
require_admin = _require(Role.ADMIN)
require_signed_in = _require(Role.REGISTRAR, Role.OWNER, Role.ADMIN)

# Declarations for routers and routes: ``APIRouter(dependencies=[anonymous])``.
anonymous = Depends(allow_anonymous)
registrar = Depends(require_registrar)
owner = Depends(require_owner)
admin = Depends(require_admin)
signed_in = Depends(require_signed_in)


def current_user(request: Request) -> Principal:
    """Who is signed in (for page headers), without asking for any role."""
    try:
        return authenticate(request)
    except ApiError:
        return Principal(client=client_address(request))


def app_routes(app: FastAPI) -> list[BaseRoute]:
    """Return every route an app serves, with included routers flattened."""
    try:  # FastAPI ≥ 0.16x keeps included routers lazily, as one route each
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI copies routes into the app
        return list(app.routes)
    return [context.original_route for context in iter_route_contexts(app.routes)]


def declarations(route: BaseRoute) -> list[frozenset[Role]]:
    """Return every role declaration a route carries (one is right)."""
    if not isinstance(route, APIRoute):
        return []
    found: list[frozenset[Role]] = []
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        roles = getattr(dependant.call, _ROLE_ATTRIBUTE, None)
        if roles is not None and roles not in found:
            found.append(roles)
        pending.extend(dependant.dependencies)
    return found


def declared_roles(route: BaseRoute) -> set[Role]:
    """Return the roles a route lets in (the intersection of its declarations)."""
    found = declarations(route)
    if not found:
        return set()
    allowed = set(found[0])
    for roles in found[1:]:
        allowed &= roles
    return allowed


# --- which records a principal may see -------------------------------------------------


def visible_clause(principal: Principal) -> ColumnElement[bool]:
    """Return the SQL condition for the records ``principal`` may see.

    Tombstoned records are never shown. Registrars and administrators see every live
    record; everyone else what the visibility rule does not hide
    (``insyn.catalogue.visibility.public_clause``: a record whose description is public).
    """
    if principal.sees_non_public:
        return CatalogueRecord.deleted_at.is_(None)
    return visibility.public_clause()


def may_see(principal: Principal, row: CatalogueRecord) -> bool:
    """Return whether ``principal`` may see a stored record (the Python twin of the SQL)."""
    if row.deleted_at is not None:
        return False
    if principal.sees_non_public:
        return True
    return visibility.of_row(row) is not Visibility.HIDDEN
