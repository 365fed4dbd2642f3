"""A stub OpenID Connect provider for the sign-in tests, on 127.0.0.1.

No real identity provider runs here: this stub stands in for the municipality's. It
serves the discovery document, a JWKS with an RSA key generated at start (joserfc), an
authorization endpoint that answers at once (no login screen) with a code for the user
the test chose, and a token endpoint that checks what a real provider checks: the code
is known and unused, the redirect URI and client match, the client secret (HTTP Basic),
and the PKCE ``code_verifier`` against the S256 ``code_challenge``. The ID token it
returns can be spoiled on purpose (``StubProvider.spoil``) to test that Insyn refuses it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "insyn-test"
CLIENT_SECRET = "stub-hemlighet"
# What ``spoil`` may ask for: each makes an ID token Insyn must refuse.
SPOILS = ("signature", "payload", "foreign_key", "audience", "issuer", "nonce", "expired", "none")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class StubProvider:
    base_url: str = ""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "stub-1", "use": "sig", "alg": "RS256"}, private=True
        )
    )
    claims: dict[str, Any] = field(default_factory=dict)  # the signed-in user's claims
    spoil: str | None = None
    authorizations: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # why the token endpoint said no
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.base_url

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base_url}/authorize",
            "token_endpoint": f"{self.base_url}/token",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, query: dict[str, str]) -> str:
        """Return where the browser is sent: the redirect URI with a code and the state."""
        self.authorizations.append(query)
        code = secrets.token_urlsafe(16)
        self._codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        expected_auth = (
            "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        )
        asked = self._codes.pop(form.get("code", ""), None)
        problem = None
        if authorization != expected_auth:
            problem = "invalid_client"
        elif (
            form.get("grant_type") != "authorization_code"
            or asked is None
            or (
                form.get("redirect_uri") != asked["redirect_uri"]
                or form.get("client_id") != CLIENT_ID
            )
        ):
            problem = "invalid_grant"
        elif asked.get("code_challenge_method") != "S256" or _b64(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        ) != asked.get("code_challenge"):
            problem = "invalid_grant: PKCE"
        if problem or asked is None:
            self.refusals.append(problem or "invalid_grant")
            return 400, {"error": (problem or "invalid_grant").split(":")[0]}
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(asked["nonce"]),
        }

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "anna-123",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "preferred_username": "anna.andersson",
            "name": "Anna Andersson",
            **self.claims,
        }
        key = self.key
        if self.spoil == "audience":
            claims["aud"] = "en-annan-klient"
        elif self.spoil == "issuer":
            claims["iss"] = "https://idp.example"
        elif self.spoil == "nonce":
            claims["nonce"] = "fel-nonce"
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.spoil == "foreign_key":
            key = RSAKey.generate_key(2048, parameters={"kid": "stub-1"}, private=True)
        elif self.spoil == "none":
            header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        token = jwt.encode({"alg": "RS256", "kid": "stub-1"}, claims, key)
        if self.spoil == "signature":
            head, payload, signature = token.split(".")
            flipped = "A" if signature[10] != "A" else "B"
            token = f"{head}.{payload}.{signature[:10]}{flipped}{signature[11:]}"
        elif self.spoil == "payload":
            head, payload, signature = token.split(".")
            forged = dict(claims, roles=["insyn-admin"], sub="someone-else")
            token = f"{head}.{_b64(json.dumps(forged).encode())}.{signature}"
        return token


def _handler(provider: StubProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                self.send_response(303)
                self.send_header("Location", provider.authorize(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            status, body = provider.token(form, self.headers.get("Authorization"))
            self._json(status, body)

    return Handler


@contextmanager
def stub_provider() -> Iterator[StubProvider]:
    """Run a stub provider on a free port of 127.0.0.1; yield it."""
    provider = StubProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    host, port = server.server_address[:2]
    provider.base_url = f"http://{host}:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
