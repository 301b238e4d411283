"""Static files served under versioned names: ``app.css`` is ``/static/app.<hash>.css``, the hash
the first 10 hex digits of its content's SHA-256. A changed file gets a new URL, so every URL can
be cached for a year (``immutable``); an old or unknown name is a 404."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
PREFIX = "/static"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


class Assets:
    """The files of a directory, read once, each under its versioned name. An ASGI app: mount
    it at ``/static``."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.urls: dict[str, str] = {}
        self.files: dict[str, Asset] = {}
        for path in sorted(directory.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:10]
            versioned = f"{path.stem}.{digest}{path.suffix}"
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type.endswith("javascript"):
                media_type += "; charset=utf-8"
            self.urls[path.name] = f"{PREFIX}/{versioned}"
            self.files[versioned] = Asset(body, media_type, f'"{digest}"')

    def url(self, name: str) -> str:
        """The versioned URL of a static file (a KeyError for one that does not exist: a typo in
        a template fails its test, not a visitor)."""
        return self.urls[name]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        name = request.url.path.removeprefix(PREFIX).lstrip("/")
        asset = self.files.get(name)
        if asset is None or request.method not in {"GET", "HEAD"}:
            status = 404 if asset is None else 405
            await Response(status_code=status, media_type="text/plain")(scope, receive, send)
            return
        headers = {"Cache-Control": IMMUTABLE, "ETag": asset.etag}
        if request.headers.get("if-none-match") == asset.etag:
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        body = b"" if request.method == "HEAD" else asset.body
        response = Response(body, media_type=asset.media_type, headers=headers)
        if request.method == "HEAD":
            response.headers["content-length"] = str(len(asset.body))
        await response(scope, receive, send)
