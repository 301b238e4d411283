"""The site's cookie session and its CSRF tokens.

Session: the ``ketao_session`` cookie holds ``<payload>.<signature>``, the payload the base64url
JSON ``{"uid": user id, "iat": issued at, "pw": password fingerprint}``, the signature an
HMAC-SHA256 under a key derived from ``settings.secret_key``. Nothing else is stored on the
server. A session ends when its cookie expires (14 days), when the user signs out (the cookie is
removed), when the account is deactivated, or when its password changes (the fingerprint no
longer matches).

CSRF: signed double submit. Every browser gets a random ``ketao_csrf`` cookie (HttpOnly,
SameSite=Lax); every form carries ``HMAC(key, nonce | user id)``. A page on another site can
neither read the cookie nor compute the token, and a cookie planted from elsewhere does not come
with a valid token. Signing in or out issues a new nonce, so a token from before is void.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "ketao_session"  # the name the security headers middleware recognises
CSRF_COOKIE = "ketao_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 14 * 24 * 3600


def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), f"ketao web {purpose}".encode(), hashlib.sha256).digest()


def _sign(key: bytes, data: bytes) -> str:
    digest = hmac.new(key, data, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def password_fingerprint(secret: str, password_hash: str) -> str:
    return _sign(_key(secret, "password"), password_hash.encode())[:22]


@dataclass(frozen=True)
class SessionData:
    user_id: int
    issued_at: int
    fingerprint: str


def encode_session(secret: str, user_id: int, password_hash: str, now: float | None = None) -> str:
    payload = json.dumps(
        {
            "uid": user_id,
            "iat": int(now if now is not None else time.time()),
            "pw": password_fingerprint(secret, password_hash),
        },
        separators=(",", ":"),
    ).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_sign(_key(secret, 'session'), body.encode())}"


def decode_session(secret: str, cookie: str, now: float | None = None) -> SessionData | None:
    """The session a cookie carries when its signature is ours and it has not expired."""
    body, _, signature = cookie.partition(".")
    if not body or not hmac.compare_digest(
        signature.encode(), _sign(_key(secret, "session"), body.encode()).encode()
    ):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        user_id, issued, fingerprint = int(data["uid"]), int(data["iat"]), str(data["pw"])
    except (ValueError, KeyError, TypeError):
        return None
    age = (now if now is not None else time.time()) - issued
    if not 0 < user_id < 2**31 or not -60 <= age <= SESSION_SECONDS:
        return None
    return SessionData(user_id, issued, fingerprint)


def set_session(response: Response, value: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def clear_session(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=secure, path="/")


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, nonce: str, user_id: int | None) -> str:
    return _sign(_key(secret, "csrf"), f"{nonce}|{user_id or ''}".encode())


def csrf_valid(secret: str, nonce: str | None, user_id: int | None, token: object) -> bool:
    if not nonce or not isinstance(token, str) or not token:
        return False
    return hmac.compare_digest(token.encode(), csrf_token(secret, nonce, user_id).encode())


def set_csrf_nonce(response: Response, nonce: str, *, secure: bool) -> None:
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="lax", secure=secure, path="/")


def csrf_nonce(request: Request) -> str | None:
    value = request.cookies.get(CSRF_COOKIE)
    return value if value and len(value) <= 64 else None
