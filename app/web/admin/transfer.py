"""Import and export of the library. An upload (JSONL, JSON or CSV) is first a dry run: what
would be created, updated and left unchanged, or every bad record with its line and field. The
file waits under the data directory, keyed by a random token bound to the uploader, for an hour;
"Import" checks it again and writes exactly it (``app.bulk.service``, all or nothing), then
deletes it. Exports are the ``app.bulk`` format of the whole library or of a library filter."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from app.bulk.formats import FileFormat
from app.bulk.service import (
    ImportRejectedError,
    ImportReport,
    RecordType,
    check_text,
    export_text,
    import_text,
    write_checked,
)
from app.catalog import listing
from app.deps import DatabaseDep, SessionDep, reads_only
from app.errors import FieldError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.needs import listing as need_listing
from app.web.access import SecretariatPage
from app.web.admin.library import need_filters, need_query, project_filters, project_query
from app.web.forms import FormErrors, PostedForm, checked_form, text
from app.web.i18n import N_
from app.web.pages import Page, PageDep, remember, render

router = APIRouter(include_in_schema=False)

UPLOAD_TTL = 3600  # seconds an uploaded file waits for its "Import"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
FORMATS: dict[str, str] = {
    "": N_("Tell from the file name"),
    FileFormat.jsonl: "JSON Lines (.jsonl)",
    FileFormat.json: "JSON (.json)",
    FileFormat.csv: "CSV (.csv)",
}
MEDIA_TYPES = {
    FileFormat.jsonl: "application/x-ndjson; charset=utf-8",
    FileFormat.json: "application/json; charset=utf-8",
    FileFormat.csv: "text/csv; charset=utf-8",
}
SCOPES: dict[str, tuple[RecordType, ...]] = {
    "all": ("project", "need"),
    "projects": ("project",),
    "needs": ("need",),
}
SCOPE_NAMES: dict[str, str] = {
    "all": N_("Projects and needs"),
    "projects": N_("Projects"),
    "needs": N_("Needs"),
}


def _redirect(page: Page, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


# --- the waiting uploads ---


def _folder(page: Page) -> Path:
    folder = Path(page.request.app.state.settings.data_dir) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Forget uploads older than an hour."""
    limit = time.time() - UPLOAD_TTL
    for path in folder.glob("*.*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


def _store(page: Page, content: str, fmt: FileFormat, filename: str) -> str:
    assert page.user is not None
    folder = _folder(page)
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_text(content, encoding="utf-8")
    meta = {"user": page.user.id, "at": time.time(), "format": fmt.value, "name": filename}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


@dataclass(frozen=True)
class Upload:
    token: str
    fmt: FileFormat
    name: str
    content: str
    at: float


def _load(page: Page, token: str) -> Upload:
    """The upload behind ``token``, while it is the reader's and less than an hour old; a 404
    page otherwise (another reader's token is not told apart from none)."""
    assert page.user is not None
    if not _TOKEN.match(token):
        raise NotFoundError("No such upload")
    folder = _folder(page)
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        content = (folder / f"{token}.upload").read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise NotFoundError("No such upload") from exc
    if meta.get("user") != page.user.id or time.time() - float(meta.get("at", 0)) > UPLOAD_TTL:
        raise NotFoundError("No such upload")
    return Upload(token, FileFormat(meta["format"]), str(meta.get("name", "")), content, meta["at"])


def _discard(page: Page, token: str) -> None:
    for suffix in ("upload", "json"):
        (_folder(page) / f"{token}.{suffix}").unlink(missing_ok=True)


# --- pages ---


def _counts(report: ImportReport) -> list[tuple[str, int, int, int]]:
    """(kind, created, updated, unchanged) for projects and needs."""
    return [
        (kind, report.created[kind], report.updated[kind], report.unchanged[kind])
        for kind in ("project", "need")
    ]


def _import_page(
    page: Page,
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    bad: list[FieldError] | None = None,
    upload: Upload | None = None,
    report: ImportReport | None = None,
    fmt: str = "",
    name: str = "",
) -> Response:
    params = page.request.query_params
    done = None
    if params.get("imported") == "1":
        numbers = [params.get(k, "0") for k in ("created", "updated", "unchanged")]
        if all(n.isascii() and n.isdigit() and len(n) <= 9 for n in numbers):
            done = [page.number(int(n)) for n in numbers]
    return render(
        page,
        "admin/import.html",
        status=status,
        section="library",
        tab="import",
        errors=errors or FormErrors(),
        bad=bad or [],
        bad_lines=len({e.line for e in bad or []}),
        upload=upload,
        expires=dt.datetime.fromtimestamp(upload.at + UPLOAD_TTL, dt.UTC) if upload else None,
        counts=_counts(report) if report else [],
        formats=FORMATS,
        fmt=fmt,
        name=name,
        done=done,
        max_mb=page.number(page.request.app.state.settings.max_import_bytes // 1_000_000),
        labels={"file": page.gettext(N_("File")), "format": page.gettext(N_("Format"))},
    )


@router.get("/admin/import")
def import_form(page: SecretariatPage) -> Response:
    return _import_page(page)


def _format(choice: str, filename: str) -> FileFormat | None:
    if choice in FileFormat.__members__:
        return FileFormat(choice)
    try:
        return FileFormat.from_path(Path(filename or "upload"))
    except ValueError:
        return None


async def _upload_form(request: Request, page: PageDep) -> AsyncIterator[FormData]:
    """The CSRF-checked multipart form; its spooled files are closed after the request,
    whether the form was accepted or refused."""
    form = await request.form()
    try:
        yield await checked_form(request, page)
    finally:
        await form.close()


UploadForm = Annotated[FormData, Depends(_upload_form)]


@router.post("/admin/import")
@reads_only  # a dry run: it reads, checks and counts; nothing is written
def upload(page: SecretariatPage, db: SessionDep, form: UploadForm) -> Response:
    file = form.get("file")
    choice = text(form, "format", 10)
    errors = FormErrors()
    name, raw = "", b""
    if isinstance(file, UploadFile):
        name = file.filename or ""
        raw = file.file.read()  # at most KETAO_MAX_IMPORT_BYTES (the request guard counts)
    if not raw:
        errors.add("file", N_("Choose a file to import (JSON Lines, JSON or CSV)."))
    fmt = _format(choice, name)
    if fmt is None and not errors:
        errors.add("format", N_("Choose the file's format: its name does not say."))
    content = ""
    if not errors:
        try:
            content = raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.add("file", N_("The file is not UTF-8 text: save it as UTF-8 and try again."))
    if errors or fmt is None:
        return _import_page(page, status=422, errors=errors, fmt=choice, name=name)
    try:
        report = import_text(db, content, fmt, dry_run=True)
    except ImportRejectedError as exc:
        return _import_page(page, status=422, bad=exc.errors, fmt=choice, name=name)
    token = _store(page, content, fmt, name)
    del report  # the preview page counts again, from the file kept
    return _redirect(page, f"/admin/import/{token}")


@router.get("/admin/import/{token}")
def preview(page: SecretariatPage, db: SessionDep, token: str) -> Response:
    kept = _load(page, token)
    try:
        report = import_text(db, kept.content, kept.fmt, dry_run=True)
    except ImportRejectedError as exc:  # the library changed since the upload
        return _import_page(page, status=422, bad=exc.errors, name=kept.name)
    return _import_page(page, upload=kept, report=report, name=kept.name)


@router.post("/admin/import/{token}")
@reads_only  # the records are written in batches below, as POST /api/v1/import does
def commit(
    page: SecretariatPage, db: SessionDep, database: DatabaseDep, form: PostedForm, token: str
) -> Response:
    kept = _load(page, token)
    try:
        records = check_text(db, kept.content, kept.fmt)  # checked again: the library moves
    except ImportRejectedError as exc:
        return _import_page(page, status=422, bad=exc.errors, name=kept.name)
    report = write_checked(database.write, records)
    _discard(page, token)
    totals = {
        "imported": 1,
        "created": sum(report.created.values()),
        "updated": sum(report.updated.values()),
        "unchanged": sum(report.unchanged.values()),
    }
    return _redirect(page, f"/admin/import?{urlencode(totals)}")


# --- export ---


def _filter_ids(
    page: Page, db: Session, scope: str
) -> tuple[dict[RecordType, list[int]] | None, int | None, str]:
    """The ids a library filter in the query selects (None: no filter), their count, and the
    library page it comes from."""
    params = page.request.query_params
    refs = geo_service.reference_codes(db)
    keys = {"q", "industry", "city", "trl_min", "trl_max", "mode", "status"}
    if scope == "projects":
        query = project_query(params, refs)
        if not any(k in params for k in keys) or query.errors:
            return None, None, ""
        ids = listing.library_ids(db, refs, project_filters(query))
        return {"project": ids}, len(ids), query.url()
    if scope == "needs":
        query = need_query(params, refs)
        if not any(k in params for k in keys) or query.errors:
            return None, None, ""
        ids = need_listing.library_ids(db, refs, need_filters(query))
        return {"need": ids}, len(ids), query.url()
    return None, None, ""


@router.get("/admin/export")
def export_page(page: SecretariatPage, db: SessionDep) -> Response:
    params = page.request.query_params
    scope = params.get("of", "")
    only, count, source = _filter_ids(page, db, scope)
    kept = [(k, v) for k, v in params.multi_items() if k not in ("lang", "page", "sort")]
    return render(
        page,
        "admin/export.html",
        section="library",
        tab="export",
        scopes=SCOPE_NAMES,
        formats=[f.value for f in FileFormat],
        filtered=only is not None,
        count=count,
        source=source,
        filter_query=urlencode(kept),
        scope=scope,
    )


@router.get("/admin/export/file")
def export_file(page: SecretariatPage, db: SessionDep) -> Response:
    params = page.request.query_params
    fmt_name = params.get("format", "")
    scope = params.get("of", "all")
    if fmt_name not in FileFormat.__members__ or scope not in SCOPES:
        raise NotFoundError("No such export")
    fmt = FileFormat(fmt_name)
    only, _, _ = _filter_ids(page, db, scope)
    keys = {"q", "industry", "city", "trl_min", "trl_max", "mode", "status"}
    if only is None and scope != "all" and any(k in params for k in keys):
        # A filter that did not pass its checks: never the whole library in its place.
        raise InvalidInputError("The filter of this export is not valid: go back to the list")
    body = export_text(db, fmt, SCOPES[scope], only=only)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    name = f"ketao-{scope}{'-filtered' if only is not None else ''}-{stamp}.{fmt.value}"
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
