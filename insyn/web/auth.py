"""Sign-in and sign-out: local accounts, sessions, CSRF, and OIDC as an option.

Sessions: a random id in the ``insyn_session`` cookie (HttpOnly, SameSite=Lax, Secure
over https or with ``INSYN_SECURE_COOKIES=true``); the store keeps only its hash, its
expiry and its CSRF token (``insyn.catalogue.accounts``).

Failed sign-ins are audited (``sign_in_failed``, never with the password tried) and
throttle the client address that made them, never the account (``sign_in_wait``): each
failure against one user name from one address doubles that pair's wait
(``BACKOFF_START``, twice that, … up to ``BACKOFF_CAP``; a success clears it), and an
address with ``ADDRESS_MAX_FAILURES`` failures within ``FAILED_SIGN_IN_WINDOW``, over any
names (password spraying), waits until the oldest of them has left the window. A waiting
sign-in is answered 429 with ``Retry-After``, nothing sleeps on the server, and the
account's owner at another address signs in as usual. The counts are read from the audit
log, so every web process agrees.

CSRF: every form POST carries a ``csrf`` field. Signed in, it must equal the session's
token; on the sign-in form (no session yet) it must equal the ``insyn_csrf`` cookie
(double submit). A POST whose ``Origin`` names another site is refused either way.

OIDC (the municipality's identity provider), switched on by environment variables:

==============================  ==============================================================
INSYN_OIDC_ISSUER               the issuer URL (its ``/.well-known/openid-configuration``
                                is read)
INSYN_OIDC_CLIENT_ID            Insyn's client id at the provider
INSYN_OIDC_CLIENT_SECRET_ENV    the NAME of the variable holding the client secret
                                (default ``INSYN_OIDC_CLIENT_SECRET``); never stored
INSYN_OIDC_ROLE_CLAIM           the ID-token claim with the user's groups (default ``roles``)
INSYN_OIDC_ROLES                role mapping, ``registrar=grp1|grp2,owner=grp3,admin=grp4``
==============================  ==============================================================

The flow is the authorization-code flow with PKCE (S256), ``state`` and ``nonce``; the
ID token's signature is checked against the provider's JWKS (joserfc), and its issuer,
audience, expiry and nonce. A user whose claim maps to no role is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import requests
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from insyn import settings
from insyn.catalogue import accounts, audit
from insyn.web import access
from insyn.web.access import Principal
from insyn.web.errors import ApiError
from insyn.web.state import WebState, get_state

CSRF_COOKIE = "insyn_csrf"
# Sign-in throttling (see the module's docstring): failures count for the window.
FAILED_SIGN_IN_WINDOW = timedelta(minutes=15)
BACKOFF_START = timedelta(seconds=1)
BACKOFF_CAP = timedelta(minutes=5)
ADDRESS_MAX_FAILURES = 50
OIDC_COOKIE = "insyn_oidc"
State = Annotated[WebState, Depends(get_state)]
public = APIRouter(dependencies=[access.anonymous], include_in_schema=False)
members = APIRouter(dependencies=[access.signed_in], include_in_schema=False)
Member = Annotated[Principal, Depends(access.require_signed_in)]


# --- cookies and CSRF -----------------------------------------------------------------------


def secure(request: Request) -> bool:
    policy: access.AccessPolicy = request.app.state.access_policy
    return policy.secure_cookies or request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def csrf_token(request: Request, principal: Principal) -> str:
    """Return the CSRF token a form for ``principal`` must carry.

    Without a session it is the ``insyn_csrf`` cookie's value (``remember_csrf`` sets it).
    """
    if principal.via_session and principal.csrf_token:
        return principal.csrf_token
    existing = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(existing) <= 100:
        return existing
    token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
    request.state.new_csrf = token
    return token


def remember_csrf(request: Request, response: Response) -> Response:
    token = getattr(request.state, "new_csrf", None)
    if token:
        set_cookie(request, response, CSRF_COOKIE, token)
    return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin != "null"
    return urlsplit(origin).netloc == request.url.netloc


async def posted_form(request: Request) -> dict[str, str]:
    """The POSTed form's text fields: the one part of a form post read on the event loop.

    Handlers that take it are plain ``def``s, so their database and hashing work runs in
    the threadpool and never stalls other requests; they call ``checked_form`` first.
    """
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def checked_form(request: Request, principal: Principal, values: dict[str, str]) -> dict[str, str]:
    """Return the POSTed form once its CSRF token is checked.

    Raises:
        ApiError: 403 for a missing or wrong token, or a POST from another site.
    """
    sent = values.get("csrf", "")
    if principal.via_session and principal.csrf_token:
        expected = principal.csrf_token
    else:
        expected = request.cookies.get(CSRF_COOKIE, "")
    if (
        not _same_origin(request)
        or not expected
        or not sent
        or not hmac.compare_digest(sent.encode(), expected.encode())
    ):
        raise ApiError(
            403, "csrf", "Formuläret har gått ut eller kom från en annan webbplats. Försök igen."
        )
    return values


# Where each role works: it lands there after signing in when no page was asked for.
LANDING = {
    "registrar": "/registrator",
    "owner": "/uppfoljning/avvikelser",
    "admin": "/uppfoljning/avvikelser",
}


# Staff areas by path, and the roles that work there (administrators work everywhere).
AREAS = {"/registrator": ("registrar", "admin"), "/uppfoljning": ("owner", "admin")}


def landing(nasta: str, role: str) -> str:
    """Return where ``role`` goes after signing in: the page asked for if the role may use
    it, else the role's own page (an owner is never sent to the registrar's desk)."""
    for prefix, roles in AREAS.items():
        if (nasta == prefix or nasta.startswith(prefix + "/")) and role not in roles:
            return LANDING.get(role, "/")
    return nasta or LANDING.get(role, "/")


def safe_next(value: str | None, default: str = "") -> str:
    """Return a local path to go to after signing in (never another site); "" for the
    role's own landing page."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


# --- sign in and out ------------------------------------------------------------------------


def _login_page(
    request: Request, state: WebState, message: str | None, status: int, nasta: str
) -> HTMLResponse:
    from insyn.web.rendering import render

    principal = access.current_user(request)
    policy: access.AccessPolicy = request.app.state.access_policy
    response = render(
        request,
        state,
        "login.html",
        status,
        message=message,
        csrf=csrf_token(request, Principal()),
        nasta=nasta,
        oidc=policy.oidc is not None,
        user=principal,
    )
    remember_csrf(request, response)
    return response


@public.get("/logga-in", response_class=HTMLResponse)
def login_form(request: Request, state: State) -> HTMLResponse:
    return _login_page(request, state, None, 200, safe_next(request.query_params.get("nasta")))


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in_wait(catalogue: Any, username: str, client: str) -> int:
    """Return how many seconds ``client`` must wait before trying ``username`` (0: none).

    Reads the audit log: failures of this name from this address (exponential back-off)
    and failures from this address over every name (the spraying cap).
    """
    now = _now()
    since = now - FAILED_SIGN_IN_WINDOW
    until = now
    pair = audit.failed_sign_ins(
        catalogue, client_address=client, actor=username, since=since, limit=32
    )
    if pair:
        delay = min(BACKOFF_START * 2 ** (len(pair) - 1), BACKOFF_CAP)
        until = max(until, pair[0] + delay)
    spread = audit.failed_sign_ins(
        catalogue, client_address=client, since=since, limit=ADDRESS_MAX_FAILURES
    )
    if len(spread) >= ADDRESS_MAX_FAILURES:
        until = max(until, spread[-1] + FAILED_SIGN_IN_WINDOW)
    return math.ceil((until - now).total_seconds())


@public.post("/logga-in", response_class=HTMLResponse)
def login(request: Request, state: State, posted: PostedForm) -> Response:
    form = checked_form(request, Principal(), posted)
    nasta = safe_next(form.get("nasta"))
    username = form.get("anvandarnamn", "").strip()[:200] or "-"
    client = access.client_address(request) or "-"
    wait = sign_in_wait(state.catalogue, username, client)
    if wait > 0:
        # Guessing from this address: it waits, right password or not (not recorded as a
        # failure, so waiting out the back-off is enough). Other addresses are not slowed.
        message = (
            f"För många misslyckade inloggningar härifrån. Vänta {wait} sekunder och försök igen."
        )
        response = _login_page(request, state, message, 429, nasta)
        response.headers["Retry-After"] = str(wait)
        return response
    account = accounts.verify_password(state.catalogue, username, form.get("losenord", ""))
    if account is None:
        audit.record(
            state.catalogue,
            actor=username,
            role="anonymous",
            action=audit.SIGN_IN_FAILED,
            details={"reason": "wrong_password"},
            client_address=client,
            at=_now(),  # the throttle's clock
        )
        return _login_page(request, state, "Fel användarnamn eller lösenord.", 401, nasta)
    return _signed_in(request, state, account, nasta, "lösenord")


def _signed_in(
    request: Request, state: WebState, account: accounts.Account, nasta: str, how: str
) -> Response:
    client = access.client_address(request)
    value, session = accounts.start_session(state.catalogue, account, client)
    audit.record(
        state.catalogue,
        actor=account.username,
        role=account.role,
        action=audit.SIGN_IN,
        details={"how": how},
        client_address=client,
        at=_now(),
    )
    response = RedirectResponse(landing(nasta, account.role), status_code=303)
    max_age = int(session.expires_at.timestamp() - time.time())
    set_cookie(request, response, access.SESSION_COOKIE, value, max_age)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@members.post("/logga-ut")
def logout(request: Request, state: State, principal: Member, posted: PostedForm) -> Response:
    checked_form(request, principal, posted)
    cookie = request.cookies.get(access.SESSION_COOKIE)
    if cookie:
        accounts.end_session(state.catalogue, cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(access.SESSION_COOKIE, path="/")
    return response


# --- OIDC -----------------------------------------------------------------------------------


@dataclass
class OidcConfig:
    issuer: str
    client_id: str
    secret_env: str = "INSYN_OIDC_CLIENT_SECRET"
    role_claim: str = "roles"
    roles: dict[str, list[str]] = field(default_factory=dict)  # role -> claim values
    scopes: str = "openid profile email"
    timeout: float = 10.0

    @classmethod
    def from_environment(cls) -> OidcConfig | None:
        issuer = (settings.value("oidc_issuer") or "").strip()
        client_id = (settings.value("oidc_client_id") or "").strip()
        if not issuer or not client_id:
            return None
        return cls(
            issuer=issuer.rstrip("/"),
            client_id=client_id,
            secret_env=settings.value("oidc_client_secret_env") or "INSYN_OIDC_CLIENT_SECRET",
            role_claim=settings.value("oidc_role_claim") or "roles",
            roles=parse_role_mapping(settings.value("oidc_roles") or ""),
        )

    @property
    def client_secret(self) -> str | None:
        return settings.secret(self.secret_env)

    def role_for(self, claims: dict[str, Any]) -> str | None:
        """Return the strongest role the user's claim maps to (admin, registrar, owner)."""
        value = claims.get(self.role_claim)
        values = {value} if isinstance(value, str) else set(value or [])
        for role in ("admin", "registrar", "owner"):
            if values & set(self.roles.get(role, [])):
                return role
        return None


def access_policy_from_environment() -> access.AccessPolicy:
    """The sign-in policy the environment configures: OIDC when set, and secure cookies."""
    return access.AccessPolicy(
        OidcConfig.from_environment(),
        secure_cookies=settings.flag("secure_cookies"),
    )


def parse_role_mapping(text: str) -> dict[str, list[str]]:
    """Parse ``registrar=grp1|grp2,admin=grp3`` (unknown roles are an error).

    Raises:
        ValueError: a role Insyn does not have.
    """
    mapping: dict[str, list[str]] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        role, _, values = part.partition("=")
        role = role.strip()
        if role not in accounts.ROLES:
            raise ValueError(f"INSYN_OIDC_ROLES: okänd roll '{role}'")
        mapping[role] = [v.strip() for v in values.split("|") if v.strip()]
    return mapping


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _discovery(config: OidcConfig) -> dict[str, Any]:
    response = requests.get(
        f"{config.issuer}/.well-known/openid-configuration", timeout=config.timeout
    )
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != config.issuer:
        raise ValueError("the provider's issuer does not match INSYN_OIDC_ISSUER")
    return document


def _oidc(request: Request) -> OidcConfig:
    config = request.app.state.access_policy.oidc
    if config is None:
        raise ApiError(404, "not_found", "Sidan finns inte.")
    return config


def _unavailable() -> ApiError:
    return ApiError(
        503, "identity_provider_unavailable", "Inloggningstjänsten svarar inte. Försök igen."
    )


@public.get("/logga-in/oidc")
def oidc_start(request: Request, state: State) -> Response:
    config = _oidc(request)
    try:
        provider = _discovery(config)
    except (requests.RequestException, ValueError) as exc:
        raise _unavailable() from exc
    verifier = secrets.token_urlsafe(48)
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": verifier,
        "next": safe_next(request.query_params.get("nasta")),
    }
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": f"{state.base_url}/logga-in/oidc/callback",
        "scope": config.scopes,
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    response = RedirectResponse(
        f"{provider['authorization_endpoint']}?{urlencode(query)}", status_code=303
    )
    set_cookie(request, response, OIDC_COOKIE, _b64(json.dumps(pending).encode()), 600)
    return response


@public.get("/logga-in/oidc/callback")
def oidc_callback(request: Request, state: State) -> Response:
    config = _oidc(request)
    refused = ApiError(401, "sign_in_failed", "Inloggningen misslyckades. Försök igen.")
    try:
        raw = request.cookies.get(OIDC_COOKIE, "")
        pending = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        raise refused from None
    # The cookie comes from the browser: anything but the flow's own fields is refused.
    if not isinstance(pending, dict) or not all(
        isinstance(pending.get(k), str) and pending.get(k) for k in ("state", "nonce", "verifier")
    ):
        raise refused
    sent_state = request.query_params.get("state", "")
    code = request.query_params.get("code", "")
    if not code or not hmac.compare_digest(sent_state.encode(), pending["state"].encode()):
        raise refused
    try:
        claims = _exchange(config, state, code, pending)
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise refused from exc
    role = config.role_for(claims)
    if role is None:
        raise ApiError(403, "forbidden", "Ditt konto har ingen roll i Insyn.")
    username = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])
    account = accounts.external_user(
        state.catalogue,
        config.issuer,
        str(claims["sub"]),
        "".join(c if c.isalnum() or c in ".@:_-" else "_" for c in username)[:200],
        role,
        claims.get("name"),
    )
    if account is None:
        raise ApiError(403, "forbidden", "Kontot är avstängt i Insyn.")
    response = _signed_in(
        request, state, account, safe_next(str(pending.get("next") or "")), "oidc"
    )
    response.delete_cookie(OIDC_COOKIE, path="/")
    return response


def _exchange(
    config: OidcConfig, state: WebState, code: str, pending: dict[str, Any]
) -> dict[str, Any]:
    """Trade the code for tokens; return the verified ID token's claims.

    Raises:
        ValueError: a bad answer or an ID token that fails a check.
        requests.RequestException: the provider did not answer.
    """
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    provider = _discovery(config)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": f"{state.base_url}/logga-in/oidc/callback",
        "client_id": config.client_id,
        "code_verifier": pending["verifier"],
    }
    secret = config.client_secret
    auth = (config.client_id, secret) if secret else None
    answer = requests.post(provider["token_endpoint"], data=data, auth=auth, timeout=config.timeout)
    answer.raise_for_status()
    id_token = answer.json()["id_token"]
    keys = requests.get(provider["jwks_uri"], timeout=config.timeout)
    keys.raise_for_status()
    try:
        token = jwt.decode(
            id_token, KeySet.import_key_set(keys.json()), algorithms=["RS256", "ES256", "PS256"]
        )
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": pending["nonce"]},
        ).validate(token.claims)
    except JoseError as exc:
        raise ValueError(f"ID token refused: {exc}") from exc
    return dict(token.claims)


router = APIRouter()
router.include_router(public)
router.include_router(members)
