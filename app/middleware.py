"""ASGI middleware in front of every route: body size limits, NUL refusal, security headers.

They are plain ASGI (not ``BaseHTTPMiddleware``) so a body is counted as it arrives, never read
whole before it is judged, and streaming responses pass through untouched.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import FieldError, problem_response

NUL = "\x00"
# Uploads of whole libraries (the API's and the secretariat's page): their own, larger limit.
IMPORT_PATHS = ("/api/v1/import", "/admin/import")
DOCS_PATHS = ("/docs", "/redoc")

# The API answers JSON and files; nothing of it may be framed, run as script or sniffed.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The website's pages: only our own files, no inline script or style, forms post only here.
WEB_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
API_PREFIX = "/api/"
# FastAPI's OpenAPI UI pages load Swagger UI / ReDoc from their CDN.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src 'self' blob:; "
    "frame-ancestors 'none'"
)


def _problem(scope: Scope, status: int, code: str, title: str, detail: str, **kw: Any) -> Any:
    return problem_response(
        Request(scope), status=status, code=code, title=title, detail=detail, **kw
    )


def _nul_path(value: Any) -> str | None:
    """The dotted path of the first string in a parsed JSON body that holds a NUL (walked with a
    stack, not recursion: a body may nest deeper than Python's stack)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return path
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                child_path = f"{path}.{key}" if path else str(key)
                if NUL in str(key):
                    return child_path
                stack.append((child_path, child))
        elif isinstance(item, list):
            for index in reversed(range(len(item))):
                stack.append((f"{path}.{index}" if path else str(index), item[index]))
    return None


def nul_field(scope: Scope, body: bytes) -> FieldError | None:
    """Where a request carries a NUL character: a path segment, a query parameter, a form field
    or a JSON body field. PostgreSQL cannot store NUL in text, and no field means one."""
    message = "must not contain a NUL character"
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if b"%00" in raw_path or NUL in scope["path"]:
        return FieldError(field="path", location="path", message=message)
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if NUL in unquote(key) or NUL in value:
                return FieldError(field=key.replace(NUL, ""), location="query", message=message)
        return FieldError(field="", location="query", message=message)
    if not body:
        return None
    content_type = Headers(scope=scope).get("content-type", "").lower()
    if "x-www-form-urlencoded" in content_type:
        if b"%00" in body or b"\x00" in body:
            for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
                if NUL in value or NUL in key:
                    return FieldError(field=key.replace(NUL, ""), location="body", message=message)
        return None
    if content_type.startswith("multipart/"):
        # No route takes a file as multipart; a NUL in any part is refused outright.
        if b"\x00" in body:
            return FieldError(field="", location="body", message=message)
        return None
    # JSON, declared or not (FastAPI parses a body without a content type as JSON too).
    if b"\\u0000" in body or b"\x00" in body:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            if b"\x00" in body:  # a raw NUL in text that is not JSON
                return FieldError(field="", location="body", message=message)
            return None  # the route's own parsing reports the broken JSON
        found = _nul_path(parsed)
        if found is not None:
            return FieldError(field=found, location="body", message=message)
    return None


class RequestGuard:
    """Refuses a body over its limit with 413 before reading it (by Content-Length) or as soon
    as the count passes it (chunked), and a NUL in any text input with a 422 naming the field.

    Imports have their own, larger limit and check NUL record by record (with line numbers).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, scope: Scope) -> int:
        if scope["path"].rstrip("/") in IMPORT_PATHS:
            return self.settings.max_import_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)

        def too_large() -> Any:
            return _problem(
                scope,
                413,
                "payload-too-large",
                "Request body too large",
                f"The request body is larger than {limit:,} bytes",
            )

        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await too_large()(scope, receive, send)
            return
        if scope["path"].rstrip("/") in IMPORT_PATHS:
            await self.app(scope, _counting(receive, limit), send)
            return
        # Small bodies (at most the JSON limit) are read here, checked, and replayed.
        chunks: list[bytes] = []
        size = 0
        more = scope["method"] not in {"GET", "HEAD", "OPTIONS", "DELETE"} or length is not None
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await too_large()(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        bad = nul_field(scope, body)
        if bad is not None:
            where = f"{bad.location} parameter '{bad.field}'" if bad.field else bad.location
            await _problem(
                scope,
                422,
                "validation-error",
                "Invalid input",
                f"Invalid {where}: {bad.message}",
                errors=[bad],
            )(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _counting(receive: Receive, limit: int) -> Receive:
    """A receive that stops a body (sent without Content-Length) once it passes ``limit``."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise HTTPException(413, f"The request body is larger than {limit:,} bytes")
        return message

    return counted


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, a strict CSP for the API (and one
    for the website's pages that allows only the site's own files), no
    referrer across origins, HSTS in production, no caching of anything a signed-in caller got,
    and no ``server`` banner."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts = settings.production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        signed_in = "authorization" in request_headers or "ketao_session" in request_headers.get(
            "cookie", ""
        )
        path = scope["path"]
        csp = (
            DOCS_CSP
            if path.startswith(DOCS_PATHS)
            else API_CSP
            if path.startswith(API_PREFIX)
            else WEB_CSP
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if signed_in:
                    headers["Cache-Control"] = "no-store"
                    headers.setdefault("Vary", "Authorization, Cookie")
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)
