"""HTTP route for bulk import (the secretariat's; the command line does the same)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from app.auth.dependencies import Secretariat
from app.bulk.formats import FileFormat
from app.bulk.service import check_text, write_checked
from app.deps import DatabaseDep, SessionDep, reads_only
from app.errors import FieldError, InvalidInputError, Problem

router = APIRouter(tags=["import"])


class ImportCounts(BaseModel):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]


PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Not signed in"},
    403: {"model": Problem, "description": "Secretariat only"},
    413: {"model": Problem, "description": "Larger than KETAO_MAX_IMPORT_BYTES"},
    422: {"model": Problem, "description": "Bad records: nothing was imported; each is named"},
}


@router.post("/import", response_model=ImportCounts, responses=PROBLEMS)
@reads_only  # the request's session only reads; the records are written in batches below
async def import_library(
    request: Request,
    session: SessionDep,
    database: DatabaseDep,
    user: Secretariat,
    format: Annotated[FileFormat, Query(description="jsonl, json or csv")],
) -> ImportCounts:
    """The request body is the file (UTF-8). One bad record and nothing is imported; the 422
    names every bad record with its line, external_id and field. A good file is written in
    batches of 500 records on SQLite (other writes get through between two), in one
    transaction on PostgreSQL."""
    body = await request.body()  # at most KETAO_MAX_IMPORT_BYTES: app.middleware refuses more
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            "The file is not UTF-8",
            [FieldError(field="body", location="body", message=str(exc))],
        ) from exc
    records = await run_in_threadpool(check_text, session, text, format)
    report = await run_in_threadpool(write_checked, database.write, records)
    return ImportCounts(
        created=dict(report.created), updated=dict(report.updated), unchanged=dict(report.unchanged)
    )
