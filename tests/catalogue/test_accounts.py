"""Accounts: argon2 password hashes, API tokens hashed at rest, sessions that expire.

Runs on every store. The web side of a wrong password (audited and counted) is tested
through the sign-in form here too, since the count lives in the audit log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from insyn.catalogue import accounts, audit
from insyn.catalogue.accounts import AccountError, ApiToken, User, WebSession
from insyn.catalogue.store import Catalogue
from insyn.errors import NotFoundError

PASSWORD = "korrekt-häst-batteri-häftklammer"
HTML = {"Accept": "text/html"}


def _stored_user(catalogue: Catalogue, username: str) -> User:
    with catalogue.session() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


def test_passwords_are_argon2id_hashes_never_plain(catalogue: Catalogue) -> None:
    account = accounts.add_user(catalogue, "reg", "registrar", password=PASSWORD)
    assert (account.username, account.role) == ("reg", "registrar")
    stored = _stored_user(catalogue, "reg").password_hash
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    # Two users with the same password get different hashes (salted).
    accounts.add_user(catalogue, "reg2", "registrar", password=PASSWORD)
    assert _stored_user(catalogue, "reg2").password_hash != stored
    # Nowhere in the database is the password kept in clear.
    with catalogue.engine.connect() as connection:
        dump = str(connection.exec_driver_sql("SELECT * FROM users").all())
    assert PASSWORD not in dump

    assert accounts.verify_password(catalogue, "reg", PASSWORD) == account
    assert accounts.verify_password(catalogue, "reg", PASSWORD + "x") is None
    assert accounts.verify_password(catalogue, "ingen", PASSWORD) is None
    assert _stored_user(catalogue, "reg").last_login_at is not None

    accounts.set_password(catalogue, "reg", "ett-helt-nytt-lösenord")
    assert accounts.verify_password(catalogue, "reg", PASSWORD) is None
    assert accounts.verify_password(catalogue, "reg", "ett-helt-nytt-lösenord") == account
    # A disabled user cannot sign in; enabled again, it can.
    accounts.set_active(catalogue, "reg", False)
    assert accounts.verify_password(catalogue, "reg", "ett-helt-nytt-lösenord") is None
    accounts.set_active(catalogue, "reg", True)
    assert accounts.verify_password(catalogue, "reg", "ett-helt-nytt-lösenord") == account


def test_outdated_hashes_are_upgraded_on_sign_in(catalogue: Catalogue) -> None:
    accounts.add_user(catalogue, "gammal", "owner")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with catalogue.session() as session:
        session.execute(update(User).where(User.username == "gammal").values(password_hash=weak))
        session.commit()
    assert accounts.verify_password(catalogue, "gammal", PASSWORD) is not None
    upgraded = _stored_user(catalogue, "gammal").password_hash
    assert upgraded != weak and not PasswordHasher().check_needs_rehash(upgraded)  # type: ignore[arg-type]


def test_bad_names_roles_and_passwords_are_refused(catalogue: Catalogue) -> None:
    with pytest.raises(AccountError):
        accounts.add_user(catalogue, "ett namn med mellanslag", "registrar")
    with pytest.raises(AccountError, match="roll"):
        accounts.add_user(catalogue, "x", "superuser")
    with pytest.raises(AccountError, match="minst"):
        accounts.add_user(catalogue, "x", "registrar", password="kort")
    accounts.add_user(catalogue, "x", "registrar")
    with pytest.raises(AccountError, match="redan"):
        accounts.add_user(catalogue, "x", "owner")
    with pytest.raises(AccountError, match="minst"):
        accounts.set_password(catalogue, "x", "kort")
    with pytest.raises(NotFoundError):
        accounts.set_role(catalogue, "ingen", "owner")
    # A user without a password (API token or OIDC only) cannot sign in with any password.
    assert accounts.verify_password(catalogue, "x", "") is None
    assert accounts.verify_password(catalogue, "x", "x" * 20) is None


def test_a_token_is_shown_once_and_only_its_hash_is_stored(catalogue: Catalogue) -> None:
    accounts.add_user(catalogue, "api", "registrar")
    token_id, token = accounts.create_token(catalogue, "api", "skript")
    assert token.startswith(accounts.TOKEN_PREFIX) and len(token) > 40
    with catalogue.session() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None
        assert row.token_hash == accounts.digest(token) and token not in row.token_hash
    with catalogue.engine.connect() as connection:
        dump = str(connection.exec_driver_sql("SELECT * FROM api_tokens").all())
    assert token not in dump and token[len(accounts.TOKEN_PREFIX) :] not in dump
    # The listing never shows the value: the token cannot be shown a second time.
    listed = accounts.tokens(catalogue, "api")
    assert [(t["id"], t["name"], t["user"]) for t in listed] == [(token_id, "skript", "api")]
    assert token not in str(listed)

    account = accounts.authenticate_token(catalogue, token)
    assert account is not None and account.username == "api"
    assert accounts.tokens(catalogue)[0]["last_used_at"] is not None
    for wrong in (token + "x", token[:-1], "insyn_", token.removeprefix("insyn_"), "x" * 300):
        assert accounts.authenticate_token(catalogue, wrong) is None

    accounts.revoke_token(catalogue, token_id)
    assert accounts.authenticate_token(catalogue, token) is None
    assert accounts.tokens(catalogue)[0]["revoked_at"] is not None
    with pytest.raises(NotFoundError):
        accounts.revoke_token(catalogue, token_id + 100)

    # A disabled user's live token stops working too.
    _, other = accounts.create_token(catalogue, "api")
    assert accounts.authenticate_token(catalogue, other) is not None
    accounts.set_active(catalogue, "api", False)
    assert accounts.authenticate_token(catalogue, other) is None


def test_sessions_keep_only_a_hash_and_expire(catalogue: Catalogue) -> None:
    account = accounts.add_user(catalogue, "sess", "registrar", password=PASSWORD)
    value, info = accounts.start_session(catalogue, account, "10.1.2.3")
    assert info.expires_at - datetime.now(UTC) <= accounts.SESSION_LIFETIME
    with catalogue.session() as session:
        row = session.get(WebSession, accounts.digest(value))
        assert row is not None and row.client_address == "10.1.2.3"
        assert session.get(WebSession, value) is None  # the cookie value itself is not kept
    found = accounts.find_session(catalogue, value)
    assert found is not None and found.account == account
    assert found.csrf_token == info.csrf_token and len(info.csrf_token) >= 32
    assert accounts.find_session(catalogue, value + "x") is None
    assert accounts.find_session(catalogue, "") is None

    # One second past its expiry the session is gone, and removed from the store.
    with catalogue.session() as session:
        session.execute(
            update(WebSession)
            .where(WebSession.id_hash == accounts.digest(value))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert accounts.find_session(catalogue, value) is None
    with catalogue.session() as session:
        assert session.get(WebSession, accounts.digest(value)) is None

    # Signing out and disabling the user end sessions.
    value, _ = accounts.start_session(catalogue, account)
    accounts.end_session(catalogue, value)
    assert accounts.find_session(catalogue, value) is None
    value, _ = accounts.start_session(catalogue, account)
    accounts.set_active(catalogue, "sess", False)
    assert accounts.find_session(catalogue, value) is None


def test_external_accounts_follow_the_identity_provider(catalogue: Catalogue) -> None:
    accounts.add_user(catalogue, "anna", "owner", password=PASSWORD)
    first = accounts.external_user(catalogue, "https://idp", "sub-1", "anna", "registrar", "Anna")
    assert first is not None and first.role == "registrar"
    assert first.username.startswith("anna:")  # the local "anna" is another person
    again = accounts.external_user(catalogue, "https://idp", "sub-1", "anna", "owner", None)
    assert again is not None and (again.id, again.role, again.display_name) == (
        first.id,
        "owner",
        "Anna",
    )
    assert _stored_user(catalogue, first.username).password_hash is None
    accounts.set_active(catalogue, first.username, False)
    assert accounts.external_user(catalogue, "https://idp", "sub-1", "anna", "owner", None) is None


@pytest.mark.filterwarnings("ignore:.*httpx2.*")
def _sign_in_form(catalogue: Catalogue, home):  # type: ignore[no-untyped-def]
    """A browser on the web app over ``catalogue`` at its sign-in form: the client, the
    search backend (to close) and the form's CSRF token."""
    from fastapi.testclient import TestClient

    from insyn.search.backends.embedded import EmbeddedBackend
    from insyn.settings import load_settings
    from insyn.web.access import AccessPolicy
    from insyn.web.app import create_app
    from insyn.web.config import WebConfig
    from tests.web.support import csrf_of

    backend = EmbeddedBackend(home / "search")
    backend.ensure_index()
    app = create_app(
        load_settings(home=home, base_url="http://testserver"),
        catalogue=catalogue,
        backend=backend,
        config=WebConfig(rate_limit_per_minute=0),
        access_policy=AccessPolicy(),
    )
    client = TestClient(app, base_url="http://testserver")
    return client, backend, csrf_of(client.get("/logga-in", headers=HTML).text)


def test_a_wrong_password_is_audited_counted_and_throttled(  # type: ignore[no-untyped-def]
    sqlite_catalogue: Catalogue, tmp_path, monkeypatch
) -> None:
    from insyn.web import auth

    catalogue = sqlite_catalogue
    accounts.add_user(catalogue, "reg", "registrar", password=PASSWORD)
    client, backend, csrf = _sign_in_form(catalogue, tmp_path)
    try:
        before = datetime.now(UTC) - timedelta(seconds=1)
        shift = [timedelta(0)]
        monkeypatch.setattr(auth, "_now", lambda: datetime.now(UTC) + shift[0])
        for password in ("fel-lösenord-1", "fel-lösenord-2", "fel-lösenord-3"):
            shift[0] += timedelta(seconds=10)  # past each back-off
            wrong = client.post(
                "/logga-in",
                data={"csrf": csrf, "anvandarnamn": "reg", "losenord": password},
                headers={"Accept": "text/html"},
            )
            assert wrong.status_code == 401 and "Fel användarnamn eller lösenord" in wrong.text
            assert access_cookie_absent(wrong)
        failed = [e for e in audit.entries(catalogue) if e.action == audit.SIGN_IN_FAILED]
        assert [(e.actor, e.role, e.client_address) for e in failed] == [
            ("reg", "anonymous", "testclient")
        ] * 3
        assert all(e.details == {"reason": "wrong_password"} for e in failed)  # no password
        assert audit.count(catalogue, action=audit.SIGN_IN_FAILED, actor="reg", since=before) == 3
        assert audit.count(catalogue, action=audit.SIGN_IN_FAILED, actor="någon") == 0
        assert (
            audit.count(
                catalogue, action=audit.SIGN_IN_FAILED, since=datetime.now(UTC) + timedelta(hours=1)
            )
            == 0
        )

        shift[0] += timedelta(seconds=10)
        right = client.post(
            "/logga-in",
            data={"csrf": csrf, "anvandarnamn": "reg", "losenord": PASSWORD},
            follow_redirects=False,
        )
        assert right.status_code == 303
        assert audit.count(catalogue, action=audit.SIGN_IN, actor="reg") == 1

        # Guessing is slowed per client address and account, never locking the account
        # out: tests/web/test_security.py.
    finally:
        backend.close()


def access_cookie_absent(response) -> bool:  # type: ignore[no-untyped-def]
    return "insyn_session=" not in response.headers.get("set-cookie", "")


# --- a new password ends sessions; tokens expire; owners belong to organisations -------------


def _cli(home, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from insyn.cli import main

    result = CliRunner().invoke(main, ["--home", str(home), *args], input=input)
    return result


def test_a_new_password_ends_every_session_of_the_account(catalogue: Catalogue) -> None:
    account = accounts.add_user(catalogue, "byte", "registrar", password=PASSWORD)
    other = accounts.add_user(catalogue, "kvar", "registrar", password=PASSWORD)
    first, _ = accounts.start_session(catalogue, account, "10.0.0.1")
    second, _ = accounts.start_session(catalogue, account, "10.0.0.2")
    theirs, _ = accounts.start_session(catalogue, other)
    assert accounts.set_password(catalogue, "byte", "ett-helt-nytt-lösenord") == 2
    assert accounts.find_session(catalogue, first) is None
    assert accounts.find_session(catalogue, second) is None
    assert accounts.find_session(catalogue, theirs) is not None  # other accounts keep theirs


@pytest.mark.filterwarnings("ignore:.*httpx2.*")
def test_an_old_session_cookie_is_refused_after_a_password_change_in_the_cli(
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from fastapi.testclient import TestClient

    home = tmp_path / "home"
    assert _cli(home, "init").exit_code == 0
    added = _cli(home, "users", "add", "reg", "--role", "registrar", "--password-stdin",
                 input=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    client, backend, csrf = _sign_in_form(catalogue, home)
    try:
        signed_in = client.post(
            "/logga-in",
            data={"csrf": csrf, "anvandarnamn": "reg", "losenord": PASSWORD},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303
        cookie = client.cookies["insyn_session"]
        assert client.get("/registrator", headers=HTML).status_code == 200

        changed = _cli(home, "users", "password", "reg", "--password-stdin",
                       input="ett-helt-nytt-lösenord\n")  # fmt: skip
        assert changed.exit_code == 0 and "1 inloggningar" in changed.output

        stale = TestClient(
            client.app, base_url="http://testserver", cookies={"insyn_session": cookie}
        )
        assert stale.get("/registrator").status_code == 401
        page = stale.get("/registrator", headers=HTML, follow_redirects=False)
        assert page.status_code in (303, 401)
        if page.status_code == 303:
            assert page.headers["location"].startswith("/logga-in")
    finally:
        backend.close()
        catalogue.close()


def test_tokens_expire_and_their_last_use_is_written_at_most_once_a_minute(
    catalogue: Catalogue,
) -> None:
    accounts.add_user(catalogue, "api", "registrar")
    token_id, token = accounts.create_token(catalogue, "api")
    listed = accounts.tokens(catalogue)[0]
    lifetime = listed["expires_at"] - listed["created_at"]  # type: ignore[operator]
    assert lifetime == accounts.TOKEN_LIFETIME == timedelta(days=365)
    assert listed["last_used_at"] is None

    assert accounts.authenticate_token(catalogue, token) is not None
    first_use = accounts.tokens(catalogue)[0]["last_used_at"]
    assert first_use is not None
    # Used again within the minute: no write.
    assert accounts.authenticate_token(catalogue, token) is not None
    assert accounts.tokens(catalogue)[0]["last_used_at"] == first_use
    # A minute later it is written again.
    with catalogue.session() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(last_used_at=datetime.now(UTC) - timedelta(seconds=61))
        )
        session.commit()
    assert accounts.authenticate_token(catalogue, token) is not None
    assert accounts.tokens(catalogue)[0]["last_used_at"] > first_use  # type: ignore[operator]

    # An expired token is refused.
    short_id, short = accounts.create_token(catalogue, "api", lifetime=timedelta(days=2))
    assert accounts.authenticate_token(catalogue, short) is not None
    with catalogue.session() as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == short_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        session.commit()
    assert accounts.authenticate_token(catalogue, short) is None
    assert accounts.authenticate_token(catalogue, token) is not None
    with pytest.raises(AccountError):
        accounts.create_token(catalogue, "api", lifetime=timedelta(0))


def test_tokens_in_the_cli_have_an_expiry_and_a_last_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    assert _cli(home, "users", "add", "api", "--role", "registrar", "--no-password").exit_code == 0
    created = _cli(home, "tokens", "create", "api", "--expires-in", "30")
    assert created.exit_code == 0, created.output
    token = created.output.splitlines()[0]
    expected = (datetime.now(UTC) + timedelta(days=30)).astimezone(audit.STOCKHOLM)
    assert f"giltig till {expected:%Y-%m-%d}" in created.output
    assert _cli(home, "tokens", "create", "api", "--expires-in", "0").exit_code == 2
    listed = _cli(home, "tokens", "list")
    assert "Gäller till" in listed.output and expected.strftime("%Y-%m-%d") in listed.output
    assert "aldrig" in listed.output
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    assert accounts.authenticate_token(catalogue, token) is not None
    catalogue.close()
    used = _cli(home, "tokens", "list", "--json")
    [row] = json.loads(used.output)
    assert row["status"] == "giltig" and row["name"] == "api"
    last_use = datetime.fromisoformat(row["last_used_at"])
    assert last_use.utcoffset() == datetime.now(audit.STOCKHOLM).utcoffset()  # Swedish time
    assert abs(last_use - datetime.now(UTC)) < timedelta(minutes=1)
    assert datetime.fromisoformat(row["expires_at"]).date() == expected.date()


def test_owner_accounts_belong_to_organisations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from insyn.catalogue.models import Organisation

    home = tmp_path / "home"
    assert _cli(home, "init").exit_code == 0
    catalogue = Catalogue(f"sqlite:///{home / 'insyn.sqlite3'}")
    with catalogue.session() as session:
        kommun = Organisation(name_sv="Exempelby kommun", uri="https://exempelby.se/")
        session.add(kommun)
        session.flush()
        session.add_all(
            [
                Organisation(name_sv="Byggnadsnämnden", parent_id=kommun.id),
                Organisation(name_sv="Socialnämnden", parent_id=kommun.id),
            ]
        )
        session.commit()
    added = _cli(home, "users", "add", "bygg", "--role", "owner", "--no-password", "--organisation",
                 "byggnadsnämnden", "--organisation", "https://exempelby.se/")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert accounts.organisation_names(catalogue, "bygg") == ["Byggnadsnämnden", "Exempelby kommun"]
    changed = _cli(home, "users", "organisations", "bygg", "--remove", "Exempelby kommun",
                   "--add", "Socialnämnden")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "Byggnadsnämnden, Socialnämnden" in changed.output
    shown = _cli(home, "users", "organisations", "bygg")
    assert "följer upp: Byggnadsnämnden, Socialnämnden" in shown.output
    unknown = _cli(home, "users", "organisations", "bygg", "--add", "Finns inte")
    assert unknown.exit_code == 1 and "ingen organisation" in unknown.output
    bad = _cli(home, "users", "add", "x", "--role", "owner", "--no-password",
               "--organisation", "Finns inte")  # fmt: skip
    assert bad.exit_code == 1
    assert "x" not in [a.username for a, _ in accounts.users(catalogue)]  # nothing half-made
    lonely = _cli(home, "users", "add", "ensam", "--role", "owner", "--no-password")
    assert "ser därför inga avvikelser" in lonely.output
    catalogue.close()
