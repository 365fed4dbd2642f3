"""Who may do what on the web: roles, the principal of a request, and record visibility.

Every route declares the role it needs through exactly one of the FastAPI dependencies
here (``anonymous`` or ``admin``), normally on its router; ``declared_roles`` reads the
declaration back, ``app_routes`` lists every route of an app, and a test fails for any
route without a role.

Roles today:

- ``anonymous``: everyone. Sees public, live records only, in every route.
- ``admin``: holds the bearer token whose SHA-256 matches that of ``INSYN_ADMIN_TOKEN``
  (compared in constant time); may read ``/api/sources`` and ``/api/runs``. Without the
  variable, admin routes answer 401. Admin does not see non-public records either:
  that comes with the registrar role and its audit log.

To add roles later (registrar, information owner, local accounts): add a ``Role``, teach
``authenticate`` the new credential, give ``Principal`` the permission (for example
``sees_non_public``) and write a ``require_<role>`` dependency with ``_declares``. Record
visibility is decided only by ``visible_clause`` (SQL) and ``may_see`` (Python), which
both read the principal, so no route needs to change.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from sqlalchemy import ColumnElement, and_, func
from starlette.routing import BaseRoute

from insyn.catalogue.models import CatalogueRecord
from insyn.search.web.errors import ApiError

ADMIN_TOKEN_ENV = "INSYN_ADMIN_TOKEN"
_ROLE_ATTRIBUTE = "__insyn_role__"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is asking, and what that allows."""

    role: Role = Role.ANONYMOUS

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def sees_non_public(self) -> bool:
        """Whether non-public records may be shown: to no one until audited roles exist."""
        return False


ANONYMOUS = Principal()


class AccessPolicy:
    """How credentials are checked; built once per app from the environment."""

    def __init__(self, admin_token: str | None) -> None:
        self._admin_digest = _digest(admin_token) if admin_token else None

    @classmethod
    def from_environment(cls) -> AccessPolicy:
        return cls(os.environ.get(ADMIN_TOKEN_ENV) or None)

    @property
    def admin_enabled(self) -> bool:
        return self._admin_digest is not None

    def authenticate(self, authorization: str | None) -> Principal:
        """Return the principal an ``Authorization`` header proves; anonymous otherwise."""
        if not authorization or self._admin_digest is None:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return ANONYMOUS
        if hmac.compare_digest(_digest(token.strip()), self._admin_digest):
            return Principal(Role.ADMIN)
        return ANONYMOUS


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _policy(request: Request) -> AccessPolicy:
    return request.app.state.access_policy


def _declares(role: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        setattr(function, _ROLE_ATTRIBUTE, role)
        return function

    return mark


@_declares(Role.ANONYMOUS)
def allow_anonymous(request: Request) -> Principal:
    """Open to everyone; return who is asking (public views for all roles today)."""
    return _policy(request).authenticate(request.headers.get("authorization"))


@_declares(Role.ADMIN)
def require_admin(request: Request) -> Principal:
    """Only for administrators.

    Raises:
        ApiError: 401 without a valid admin token (or when admin access is not set up).
    """
    policy = _policy(request)
    principal = policy.authenticate(request.headers.get("authorization"))
    if principal.is_admin:
        return principal
    message = (
        "Inloggning krävs: skicka administratörsnyckeln som 'Authorization: Bearer …'."
        if policy.admin_enabled
        else "Administratörsåtkomst är inte aktiverad på den här servern."
    )
    raise ApiError(
        401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="insyn"'}
    )


# Declarations for routers and routes: ``APIRouter(dependencies=[anonymous])``.
anonymous = Depends(allow_anonymous)
admin = Depends(require_admin)


def app_routes(app: FastAPI) -> list[BaseRoute]:
    """Return every route an app serves, with included routers flattened."""
    try:  # FastAPI ≥ 0.16x keeps included routers lazily, as one route each
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI copies routes into the app
        return list(app.routes)
    return [context.original_route for context in iter_route_contexts(app.routes)]


def declared_roles(route: BaseRoute) -> set[Role]:
    """Return the roles a route declares through this module's dependencies."""
    if not isinstance(route, APIRoute):
        return set()
    roles: set[Role] = set()
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        role = getattr(dependant.call, _ROLE_ATTRIBUTE, None)
        if role is not None:
            roles.add(role)
        pending.extend(dependant.dependencies)
    return roles


# --- which records a principal may see -------------------------------------------------


def _secrecy_provision() -> ColumnElement[str]:
    return CatalogueRecord.data[("governance", "secrecy_provision")].as_string()


def secret_marked_clause() -> ColumnElement[bool]:
    """SQL for records that name a secrecy provision (reads the JSON: slow on big tables)."""
    return func.coalesce(_secrecy_provision(), "") != ""


def visible_clause(
    principal: Principal, secret_marked: frozenset[str] | None = None
) -> ColumnElement[bool]:
    """Return the SQL condition for the records ``principal`` may see.

    Tombstoned records are never shown. Anonymous users see records that are public and
    name no secrecy provision (a record that says both PUBLIC and an OSL provision is
    contradictory, and kept out, as the search index does). ``secret_marked`` is the set
    of public, live records that name a provision, when the caller knows it (see
    ``queries.visible``); without it the JSON of every candidate row is read.
    """
    clause = CatalogueRecord.deleted_at.is_(None)
    if principal.sees_non_public:
        return clause
    clause = and_(clause, CatalogueRecord.is_public.is_(True))
    if secret_marked is None:
        return and_(clause, ~secret_marked_clause())
    if secret_marked:
        return and_(clause, CatalogueRecord.id.not_in(sorted(secret_marked)))
    return clause


def may_see(principal: Principal, row: CatalogueRecord) -> bool:
    """Return whether ``principal`` may see a stored record (the Python twin of the SQL)."""
    if row.deleted_at is not None:
        return False
    if principal.sees_non_public:
        return True
    governance = (row.data or {}).get("governance") or {}
    return bool(row.is_public) and not governance.get("secrecy_provision")
