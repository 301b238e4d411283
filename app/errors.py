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
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
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


class PayloadTooLargeError(KetaoError):
    status = 413
    code = "payload-too-large"
    title = "Request body too large"


class ServiceUnavailableError(KetaoError):
    status = 503
    code = "busy"
    title = "Busy; try again shortly"

    def __init__(self, detail: str, retry_after: int = 2) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


# What a clash on a unique constraint means to the caller, found by the words of the
# constraint's name (PostgreSQL) or of SQLite's message ("UNIQUE constraint failed: t.c").
_CLASHES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("projects", "external_id"), "external_id", "A project with this external_id exists"),
    (("needs", "external_id"), "external_id", "A need with this external_id exists"),
    (("users", "email"), "email", "An account with this e-mail exists"),
    (("leads",), "project_id", "This organisation already has an open lead on this project"),
    (("roadshow_slots", "project_id"), "project_id", "The project is in this lineup already"),
    (("invitations",), "organization_id", "This organisation is invited already"),
    (("registrations",), "roadshow_id", "This account is registered already"),
)


def integrity_conflict(exc: Exception) -> ConflictError:
    """A 409 saying what clashed, for a write that lost a race to another (a unique constraint
    checked by the database, after the service's own check passed)."""
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    signature = " ".join(
        str(part)
        for part in (
            getattr(diag, "constraint_name", None),
            getattr(diag, "table_name", None),
            orig if diag is None else None,
        )
        if part
    ).lower()
    if "foreign key" in signature or (
        diag is not None and getattr(orig, "sqlstate", "") == "23503"
    ):
        return ConflictError(
            "Something this change refers to was removed meanwhile; reload and try again"
        )
    for words, field, message in _CLASHES:
        if all(w in signature for w in words):
            return ConflictError(
                f"{message} (another request made it at the same moment)",
                [FieldError(field=field, location="body", message=message)],
            )
    return ConflictError("This change clashes with another made at the same moment; try again")


def database_unavailable(exc: Exception) -> ServiceUnavailableError | None:
    """A 503 for a database that is busy (SQLite's write lock held too long by another writer)
    or unreachable; None for any other operational error (a bug, answered as a 500)."""
    message = str(getattr(exc, "orig", exc)).lower()
    if "database is locked" in message or "database table is locked" in message:
        return ServiceUnavailableError(
            "The database is busy with a long write (an import or a rebuild); try again shortly",
            retry_after=2,
        )
    if getattr(exc, "connection_invalidated", False) or "connection" in message:
        return ServiceUnavailableError("The database cannot be reached; try again shortly", 5)
    return None


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

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        return await _ketao_error(request, integrity_conflict(exc))

    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        # A value the request guard and the schemas let through but the database refuses (out of
        # its type's range, an encoding it cannot store): the caller's input, not our fault.
        logger.warning(
            "database refused a value on %s %s: %s", request.method, request.url.path, exc.orig
        )
        return await _ketao_error(
            request, InvalidInputError("A value is not one the database can store; check the input")
        )

    @app.exception_handler(OperationalError)
    async def _operational_error(request: Request, exc: OperationalError) -> JSONResponse:
        busy = database_unavailable(exc)
        if busy is None:
            return await _unexpected(request, exc)
        logger.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
        return await _ketao_error(request, busy)

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
