"""One error base class and the RFC 9457 problem-details rendering of every error."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    """One field that failed: where it was (``query``, ``path``, ``body``, ``record``) and why.

    Errors about an imported record also carry its ``line`` in the file and its ``external_id``.
    """

    field: str
    location: str
    message: str
    line: int | None = None
    external_id: str | None = None

    @classmethod
    def in_body(cls, field: str, message: str) -> FieldError:
        """An error about a field of the request body."""
        return cls(field=field, location="body", message=message)


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is rendered."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


class KetaoError(Exception):
    """Base of every error Ketao raises on purpose; carries its HTTP status and a stable code."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers


class UnauthorizedError(KetaoError):
    status = 401
    code = "unauthorized"
    title = "Not signed in"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(KetaoError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class TooManyRequestsError(KetaoError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


class NotFoundError(KetaoError):
    status = 404
    code = "not-found"
    title = "Not found"


class ConflictError(KetaoError):
    status = 409
    code = "conflict"
    title = "Conflict"


class InvalidInputError(KetaoError):
    status = 422
    code = "validation-error"
    title = "Invalid input"


def json_response(model: BaseModel) -> Response:
    """A model serialised straight to JSON: the hot list routes skip FastAPI's re-validation of
    what they return (the route's ``response_model`` still documents the shape)."""
    return Response(model.model_dump_json(), media_type="application/json")


def problem_type(code: str) -> str:
    return f"urn:ketao:problem:{code}"


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: Sequence[FieldError] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=problem_type(code),
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=list(errors),
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(loc: Sequence[Any]) -> tuple[str, str]:
    """Split a pydantic location like ``("query", "trl_min")`` into (location, dotted field)."""
    if not loc:
        return "body", ""
    location, *rest = (str(part) for part in loc)
    if location not in {"query", "path", "body", "header", "cookie"}:
        return "body", ".".join([location, *rest])
    if location != "body":
        return location, rest[0] if rest else ""  # "mode", not "mode.0": the parameter's name
    return location, ".".join(rest)


def validation_field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        location, field = _field_name(err.get("loc", ()))
        errors.append(FieldError(field=field, location=location, message=str(err.get("msg"))))
    return errors


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, expected or not, as problem details; never leak a traceback."""

    @app.exception_handler(KetaoError)
    async def _ketao_error(request: Request, exc: KetaoError) -> JSONResponse:
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_field_errors(exc)
        names = ", ".join(sorted({f"{e.location} parameter '{e.field}'" for e in errors}))
        return problem_response(
            request,
            status=422,
            code=InvalidInputError.code,
            title=InvalidInputError.title,
            detail=f"Invalid {names}" if names else "The request is invalid",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = HTTPStatus(exc.status_code)
        detail = exc.detail if isinstance(exc.detail, str) else status.description
        return problem_response(
            request,
            status=exc.status_code,
            code=status.phrase.lower().replace(" ", "-"),
            title=status.phrase,
            detail=detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            status=500,
            code="internal-error",
            title="Internal server error",
            detail="Something went wrong on our side; it has been logged.",
        )
