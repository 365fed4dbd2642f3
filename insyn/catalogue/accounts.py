"""Accounts: users with roles, argon2-hashed passwords, hashed API tokens, web sessions.

Roles are ``registrar`` (registrator), ``owner`` (informationsägare: reports),
``admin``. The public needs no account.

- Passwords are hashed with argon2id (argon2-cffi); the hash is re-computed when its
  parameters are outdated. An account from the identity provider (OIDC) has no password.
- API tokens are 32 random bytes shown once; only their SHA-256 is stored (a token is
  random, so a fast hash is enough to make the stored value useless to a thief), and
  looked up by that hash. A token expires (``TOKEN_LIFETIME`` unless told otherwise);
  its last use is written at most once per ``LAST_USE_RESOLUTION``, not per request.
- Web sessions are random ids of which only the SHA-256 is stored, with an expiry and
  the session's CSRF token. A new password or a disabled account ends them all.
- An owner account belongs to organisations (``user_organisations``): it follows up
  those organisations and the units below them, nothing else.

Errors: ``AccountError`` (a ``CatalogueError``) for a bad name, role or password.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from insyn.catalogue.choices import ROLES, TOKEN_LIFETIME
from insyn.catalogue.models import Base, Organisation
from insyn.catalogue.store import Catalogue
from insyn.errors import CatalogueError, NotFoundError

TOKEN_PREFIX = "insyn_"
SESSION_LIFETIME = timedelta(hours=10)
# A token's last use is written at most this often: not a database write per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 12
_NAME = re.compile(r"^[\w.@:-]{1,200}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so both cost the same.

    Made on first sign-in, not at import: every insyn command imports this module.
    """
    return _hasher.hash("insyn-ingen-sådan-användare")


class AccountError(CatalogueError):
    """A bad user name, role, password or token."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    # "issuer|sub" of an account from the identity provider.
    external_subject: Mapped[str | None] = mapped_column(String(1000), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserOrganisation(Base):
    """An organisation an (owner) account follows up, with the units below it."""

    __tablename__ = "user_organisations"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )


class WebSession(Base):
    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client_address: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_web_sessions_user", "user_id"),)


@dataclass(frozen=True)
class Account:
    """A signed-in user as the web and the CLI see it (no secrets)."""

    id: int
    username: str
    role: str
    display_name: str | None = None


@dataclass(frozen=True)
class SessionInfo:
    account: Account
    csrf_token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.role, user.display_name)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"Okänd roll '{role}'; välj en av: {', '.join(ROLES)}")


def add_user(
    catalogue: Catalogue,
    username: str,
    role: str,
    *,
    password: str | None = None,
    display_name: str | None = None,
    external_subject: str | None = None,
    organisations: Sequence[str] = (),
) -> Account:
    """Create a user, belonging to ``organisations`` (names or URIs); return it.

    Raises:
        AccountError: bad name, unknown role, too short a password, or the name is taken.
        NotFoundError: no organisation by one of those names.
    """
    if not _NAME.match(username):
        raise AccountError("Användarnamnet får bara innehålla bokstäver, siffror och . @ : _ -")
    _check_role(role)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Lösenordet måste vara minst {MIN_PASSWORD_LENGTH} tecken")
    with catalogue.session() as session:
        if session.scalar(select(User).where(User.username == username)):
            raise AccountError(f"Det finns redan en användare som heter '{username}'")
        user = User(
            username=username,
            role=role,
            display_name=display_name,
            password_hash=_hasher.hash(password) if password else None,
            external_subject=external_subject,
            active=True,
            created_at=_now(),
        )
        session.add(user)
        session.flush()
        for organisation in _organisations(session, organisations):
            session.add(UserOrganisation(user_id=user.id, organisation_id=organisation.id))
        session.commit()
        return _account(user)


def get_user(catalogue: Catalogue, username: str) -> Account:
    """Raises: NotFoundError: no such user."""
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        return _account(user)


def users(catalogue: Catalogue) -> list[tuple[Account, bool]]:
    """Return every user and whether it is active, by name."""
    with catalogue.session() as session:
        rows = session.scalars(select(User).order_by(User.username))
        return [(_account(u), u.active) for u in rows]


def set_password(catalogue: Catalogue, username: str, password: str) -> int:
    """Set a new password and end every session of the account; return how many ended.

    A stolen session must not outlive the password change meant to shut its thief out.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Lösenordet måste vara minst {MIN_PASSWORD_LENGTH} tecken")
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        user.password_hash = _hasher.hash(password)
        ended = _end_sessions(session, user.id)
        session.commit()
        return ended


def _end_sessions(session: Session, user_id: int) -> int:
    done = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(done, "rowcount", 0) or 0)


def set_role(catalogue: Catalogue, username: str, role: str) -> None:
    _check_role(role)
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        user.role = role
        session.commit()


def set_active(catalogue: Catalogue, username: str, active: bool) -> None:
    """Enable or disable a user; disabling ends its sessions (its tokens stop working)."""
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        user.active = active
        if not active:
            _end_sessions(session, user.id)
        session.commit()


def verify_password(catalogue: Catalogue, username: str, password: str) -> Account | None:
    """Return the active account if the password is right, else None (same cost either way)."""
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None and user.active else None
        try:
            _hasher.verify(stored or _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or stored is None or not user.active:
            return None
        if _hasher.check_needs_rehash(stored):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = _now()
        session.commit()
        return _account(user)


def external_user(
    catalogue: Catalogue, issuer: str, subject: str, username: str, role: str, name: str | None
) -> Account | None:
    """Find or create the account of an identity-provider user; its role follows the IdP.

    Returns None when that account has been disabled here.
    """
    _check_role(role)
    key = f"{issuer}|{subject}"
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.external_subject == key))
        if user is None:
            taken = session.scalar(select(User).where(User.username == username))
            user = User(
                username=username if taken is None else f"{username}:{digest(key)[:8]}",
                role=role,
                display_name=name,
                external_subject=key,
                active=True,
                created_at=_now(),
            )
            session.add(user)
        if not user.active:
            return None
        user.role = role
        user.display_name = name or user.display_name
        user.last_login_at = _now()
        session.commit()
        return _account(user)


# --- organisations ------------------------------------------------------------------------


def _organisations(session: Session, names: Sequence[str]) -> list[Organisation]:
    """The organisations called ``names`` (Swedish name or URI, any case).

    Raises:
        NotFoundError: one of them does not exist.
    """
    if not names:
        return []
    every = list(session.scalars(select(Organisation)))
    found = []
    for name in names:
        wanted = name.strip().casefold()
        match = next(
            (o for o in every if wanted in (o.name_sv.casefold(), (o.uri or "").casefold())),
            None,
        )
        if match is None:
            raise NotFoundError(f"Det finns ingen organisation som heter '{name}'")
        found.append(match)
    return found


def set_organisations(
    catalogue: Catalogue, username: str, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> list[str]:
    """Add and remove the organisations a user belongs to; return its organisations' names.

    Raises:
        NotFoundError: no such user or organisation.
    """
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        have = set(
            session.scalars(
                select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == user.id)
            )
        )
        for organisation in _organisations(session, add):
            if organisation.id not in have:
                session.add(UserOrganisation(user_id=user.id, organisation_id=organisation.id))
                have.add(organisation.id)
        gone = {o.id for o in _organisations(session, remove)}
        if gone:
            session.execute(
                delete(UserOrganisation).where(
                    UserOrganisation.user_id == user.id,
                    UserOrganisation.organisation_id.in_(gone),
                )
            )
        session.commit()
    return organisation_names(catalogue, username)


def organisation_names(catalogue: Catalogue, username: str) -> list[str]:
    """The names of the organisations a user belongs to, sorted."""
    with catalogue.session() as session:
        return sorted(
            session.scalars(
                select(Organisation.name_sv)
                .join(UserOrganisation, UserOrganisation.organisation_id == Organisation.id)
                .join(User, User.id == UserOrganisation.user_id)
                .where(User.username == username)
            ),
            key=str.casefold,
        )


def organisation_ids(catalogue: Catalogue, user_id: int) -> set[int]:
    """The ids of the organisations a user belongs to (not the units below them)."""
    with catalogue.session() as session:
        return set(
            session.scalars(
                select(UserOrganisation.organisation_id).where(UserOrganisation.user_id == user_id)
            )
        )


# --- API tokens ---------------------------------------------------------------------------


def create_token(
    catalogue: Catalogue,
    username: str,
    name: str = "api",
    lifetime: timedelta = TOKEN_LIFETIME,
) -> tuple[int, str]:
    """Create an API token for a user; return (id, token). The token is not kept: show it once.

    Raises:
        NotFoundError: no such user.
        AccountError: a lifetime that is not positive.
    """
    if lifetime <= timedelta(0):
        raise AccountError("Nyckelns giltighetstid måste vara minst en dag")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = _now()
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFoundError(f"Det finns ingen användare som heter '{username}'")
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
        session.add(row)
        session.commit()
        return row.id, token


def tokens(catalogue: Catalogue, username: str | None = None) -> list[dict[str, object]]:
    """Return the tokens (never their values): id, user, name, created, expires, last used,
    revoked (times in UTC)."""
    with catalogue.session() as session:
        query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
        if username:
            query = query.where(User.username == username)
        return [
            {
                "id": token.id,
                "user": name,
                "name": token.name,
                "created_at": _aware(token.created_at),
                "expires_at": _aware(token.expires_at),
                "last_used_at": token.last_used_at and _aware(token.last_used_at),
                "revoked_at": token.revoked_at and _aware(token.revoked_at),
            }
            for token, name in session.execute(query.order_by(ApiToken.id))
        ]


def revoke_token(catalogue: Catalogue, token_id: int) -> None:
    with catalogue.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFoundError(f"Det finns ingen nyckel med id {token_id}")
        row.revoked_at = row.revoked_at or _now()
        session.commit()


def authenticate_token(catalogue: Catalogue, token: str) -> Account | None:
    """Return the active account a live (not revoked, not expired) token belongs to."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    wanted = digest(token)
    with catalogue.session() as session:
        found = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == wanted)
        ).first()
        if found is None:
            return None
        row, user = found
        now = _now()
        if (
            not hmac.compare_digest(row.token_hash, wanted)
            or row.revoked_at
            or _aware(row.expires_at) <= now
            or not user.active
        ):
            return None
        if row.last_used_at is None or now - _aware(row.last_used_at) >= LAST_USE_RESOLUTION:
            row.last_used_at = now
            session.commit()
        return _account(user)


# --- web sessions -------------------------------------------------------------------------


def start_session(
    catalogue: Catalogue, account: Account, client_address: str | None = None
) -> tuple[str, SessionInfo]:
    """Start a web session; return (cookie value, session). Only the value's hash is kept."""
    value = secrets.token_urlsafe(32)
    now = _now()
    info = SessionInfo(account, secrets.token_urlsafe(32), now + SESSION_LIFETIME)
    with catalogue.session() as session:
        session.add(
            WebSession(
                id_hash=digest(value),
                user_id=account.id,
                csrf_token=info.csrf_token,
                created_at=now,
                expires_at=info.expires_at,
                client_address=client_address,
            )
        )
        session.commit()
    return value, info


def find_session(catalogue: Catalogue, value: str) -> SessionInfo | None:
    """Return the live session a cookie value names, else None (expired ones are removed)."""
    if not value or len(value) > 200:
        return None
    with catalogue.session() as session:
        found = session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id_hash == digest(value))
        ).first()
        if found is None:
            return None
        row, user = found
        if _aware(row.expires_at) <= _now() or not user.active:
            session.delete(row)
            session.commit()
            return None
        return SessionInfo(_account(user), row.csrf_token, _aware(row.expires_at))


def end_session(catalogue: Catalogue, value: str) -> None:
    with catalogue.session() as session:
        row = session.get(WebSession, digest(value))
        if row is not None:
            session.delete(row)
            session.commit()
